//! Identical concurrent GETs of one tenant share one upstream request.
//!
//! When a popular day is asked about by many callers at once and the cache is cold, every
//! plugin instance asks Cal.com for the same slots. Only the first request goes out; the
//! others wait for its answer. Nothing is kept once it has been answered: caching is the
//! plugin's business, through `wasi:keyvalue`.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};

use super::client::Buffered;

/// The shared outcome: errors are shared as text and code, since they are not `Clone`.
pub type SharedOutcome = Result<Buffered, Arc<wasmtime_wasi_http::Error>>;

#[derive(Default)]
pub struct Coalescer {
    in_flight: Mutex<HashMap<String, Shared<BoxFuture<'static, SharedOutcome>>>>,
}

impl Coalescer {
    /// Runs `request` unless an identical one (same `key`) is in flight; then waits for that.
    /// The flag says whether it joined one in flight.
    pub async fn run<F>(&self, key: String, request: F) -> (SharedOutcome, bool)
    where
        F: Future<Output = SharedOutcome> + Send + 'static,
    {
        let (shared, joined) = {
            let mut in_flight = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
            let mut joined = true;
            let shared = in_flight
                .entry(key.clone())
                .or_insert_with(|| {
                    joined = false;
                    request.boxed().shared()
                })
                .clone();
            (shared, joined)
        };
        let outcome = shared.clone().await;
        let mut in_flight = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        if in_flight
            .get(&key)
            .is_some_and(|current| current.ptr_eq(&shared))
        {
            in_flight.remove(&key);
        }
        (outcome, joined)
    }
}

/// An owned copy of a shared error, for one guest.
pub fn copy_error(err: &wasmtime_wasi_http::Error) -> wasmtime_wasi_http::Error {
    use wasmtime_wasi_http::Error as E;
    match err {
        E::HttpResponseTimeout => E::HttpResponseTimeout,
        E::ConnectionTimeout => E::ConnectionTimeout,
        E::ConnectionRefused => E::ConnectionRefused,
        E::ConnectionTerminated => E::ConnectionTerminated,
        E::DestinationNotFound => E::DestinationNotFound,
        E::DestinationUnavailable => E::DestinationUnavailable,
        E::DestinationIpProhibited => E::DestinationIpProhibited,
        E::ConnectionLimitReached => E::ConnectionLimitReached,
        E::HttpResponseIncomplete => E::HttpResponseIncomplete,
        E::HttpResponseBodySize(size) => E::HttpResponseBodySize(*size),
        E::HttpProtocolError => E::HttpProtocolError,
        other => E::InternalError(Some(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn concurrent_identical_requests_run_once() {
        let coalescer = Arc::new(Coalescer::default());
        let runs = Arc::new(AtomicUsize::new(0));
        let (release, gate) = tokio::sync::watch::channel(false);
        let calls = (0..10).map(|_| {
            let coalescer = Arc::clone(&coalescer);
            let runs = Arc::clone(&runs);
            let mut gate = gate.clone();
            async move {
                coalescer
                    .run("GET /slots".into(), async move {
                        runs.fetch_add(1, Ordering::SeqCst);
                        let _ = gate.wait_for(|open| *open).await;
                        Ok(Buffered::default())
                    })
                    .await
            }
        });
        let all = futures::future::join_all(calls);
        let opener = async {
            tokio::task::yield_now().await;
            let _ = release.send(true);
        };
        let (outcomes, ()) = tokio::join!(all, opener);
        assert!(outcomes.iter().all(|(outcome, _)| outcome.is_ok()));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        // The call log tells the one that went out from the nine that joined it.
        let joined = outcomes.iter().filter(|(_, joined)| *joined).count();
        assert_eq!(joined, 9);
        assert!(
            coalescer
                .in_flight
                .lock()
                .map(|m| m.is_empty())
                .unwrap_or(false)
        );
    }
}
