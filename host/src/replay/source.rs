//! What a replayed call reaches instead of the calendar and the cache: its recording.
//!
//! [`ReplayHttp`] answers each request with the response recorded for the same method, URL and
//! body; a request the recording lacks gets `destination-unavailable`, as if the calendar were
//! down, and is reported. [`ReplayCache`] answers reads with the values recorded, in the order
//! they were read, and keeps the call's own writes to itself: a plugin that writes and reads
//! back sees its write, and nothing reaches the tenant's cache.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use wasmtime_wasi_http::Error as HttpError;

use super::recording::{CacheOp, ExchangeReply, Recording, value_digest};
use crate::calllog::masking::masked_url;
use crate::outbound::Buffered;
use crate::runtime::RecordedCache;

/// Answers in the order recorded; the last one again once they run out (a version that asks
/// twice what the recorded one asked once gets the same answer twice).
#[derive(Debug)]
struct InOrder<T>(VecDeque<T>);

impl<T: Clone> InOrder<T> {
    fn next(&mut self) -> Option<T> {
        if self.0.len() > 1 {
            self.0.pop_front()
        } else {
            self.0.front().cloned()
        }
    }
}

impl<T> Default for InOrder<T> {
    fn default() -> Self {
        Self(VecDeque::new())
    }
}

type RequestKey = (String, String, Option<String>);

/// The recorded upstream of one call.
#[derive(Debug)]
pub struct ReplayHttp {
    state: Mutex<HttpState>,
    values: Arc<HashMap<String, Bytes>>,
    /// A redacted recording's request bodies were the caller's own, unmasked: they cannot be
    /// matched, so requests are matched by method and URL alone.
    ignore_bodies: bool,
}

#[derive(Debug, Default)]
struct HttpState {
    replies: HashMap<RequestKey, InOrder<ExchangeReply>>,
    missing: Vec<String>,
}

impl ReplayHttp {
    /// The upstream as `recording` saw it, its bodies in `values`.
    pub fn new(recording: &Recording, values: Arc<HashMap<String, Bytes>>) -> Self {
        let ignore_bodies = recording.redacted;
        let mut replies: HashMap<RequestKey, InOrder<ExchangeReply>> = HashMap::new();
        for exchange in &recording.exchanges {
            let body = if ignore_bodies {
                None
            } else {
                exchange.body.clone()
            };
            replies
                .entry((exchange.method.clone(), exchange.url.clone(), body))
                .or_default()
                .0
                .push_back(exchange.reply.clone());
        }
        Self {
            state: Mutex::new(HttpState {
                replies,
                missing: Vec::new(),
            }),
            values,
            ignore_bodies,
        }
    }

    /// The recorded answer to a request.
    pub fn answer(
        &self,
        method: &http::Method,
        uri: &http::Uri,
        body: Option<&[u8]>,
    ) -> Result<Buffered, HttpError> {
        let url = masked_url(uri);
        let body = match body {
            Some(body) if !self.ignore_bodies => Some(value_digest(body)),
            _ => None,
        };
        let key = (method.as_str().to_owned(), url, body);
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let reply = state.replies.get_mut(&key).and_then(InOrder::next);
        let Some(reply) = reply else {
            let (method, url, _) = key;
            state.missing.push(format!("{method} {url}"));
            return Err(HttpError::DestinationUnavailable);
        };
        drop(state);
        match reply {
            ExchangeReply::Error { error } => Err(error.to_error()),
            ExchangeReply::Response {
                status,
                headers,
                body,
            } => {
                let body = self.values.get(&body).cloned().ok_or_else(|| {
                    HttpError::InternalError(Some("the recorded body is gone".into()))
                })?;
                let mut map = http::HeaderMap::new();
                for (name, value) in headers {
                    if let (Ok(name), Ok(value)) = (
                        http::HeaderName::try_from(name),
                        http::HeaderValue::try_from(value),
                    ) {
                        map.append(name, value);
                    }
                }
                Ok(Buffered {
                    status: http::StatusCode::from_u16(status)
                        .map_err(|err| HttpError::InternalError(Some(err.to_string())))?,
                    headers: map,
                    body,
                })
            }
        }
    }

    /// The requests the recording had no answer for (`GET https://...`), in order.
    pub fn missing(&self) -> Vec<String> {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .missing
            .clone()
    }
}

/// The recorded cache of one call, with the call's own writes on top.
#[derive(Debug)]
pub struct ReplayCache {
    state: Mutex<CacheState>,
    values: Arc<HashMap<String, Bytes>>,
}

#[derive(Debug, Default)]
struct CacheState {
    gets: HashMap<String, InOrder<Option<String>>>,
    exists: HashMap<String, InOrder<bool>>,
    keys: Option<Vec<String>>,
    increments: HashMap<String, InOrder<u64>>,
    /// What the replayed call wrote (`None`: deleted).
    written: HashMap<String, Option<Vec<u8>>>,
    counters: HashMap<String, u64>,
}

impl ReplayCache {
    /// The cache as `recording` read it, its values in `values`.
    pub fn new(recording: &Recording, values: Arc<HashMap<String, Bytes>>) -> Self {
        let mut state = CacheState::default();
        for op in &recording.cache {
            match op {
                CacheOp::Get { key, value } => state
                    .gets
                    .entry(key.clone())
                    .or_default()
                    .0
                    .push_back(value.clone()),
                CacheOp::Exists { key, found } => state
                    .exists
                    .entry(key.clone())
                    .or_default()
                    .0
                    .push_back(*found),
                CacheOp::Keys { keys } => {
                    state.keys.get_or_insert_default().extend_from_slice(keys)
                }
                CacheOp::Increment { key, value } => state
                    .increments
                    .entry(key.clone())
                    .or_default()
                    .0
                    .push_back(*value),
            }
        }
        Self {
            state: Mutex::new(state),
            values,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl RecordedCache for ReplayCache {
    /// `get`: the call's own write, else the value recorded, else a miss.
    fn get(&self, key: &str) -> Option<Vec<u8>> {
        let mut state = self.lock();
        if let Some(written) = state.written.get(key) {
            return written.clone();
        }
        let digest = state.gets.get_mut(key).and_then(InOrder::next).flatten()?;
        self.values.get(&digest).map(|bytes| bytes.to_vec())
    }

    /// `set`: kept for this call only.
    fn set(&self, key: String, value: Vec<u8>) {
        self.lock().written.insert(key, Some(value));
    }

    /// `delete`: for this call only.
    fn delete(&self, key: &str) {
        self.lock().written.insert(key.to_owned(), None);
    }

    /// `exists`.
    fn exists(&self, key: &str) -> bool {
        let mut state = self.lock();
        if let Some(written) = state.written.get(key) {
            return written.is_some();
        }
        if let Some(found) = state.exists.get_mut(key).and_then(InOrder::next) {
            return found;
        }
        state
            .gets
            .get_mut(key)
            .and_then(InOrder::next)
            .is_some_and(|value| value.is_some())
    }

    /// `list-keys`: the keys recorded, with the call's own writes.
    fn keys(&self) -> Vec<String> {
        let state = self.lock();
        let mut keys: Vec<String> = state.keys.clone().unwrap_or_default();
        keys.retain(|key| !matches!(state.written.get(key), Some(None)));
        for (key, value) in &state.written {
            if value.is_some() && !keys.contains(key) {
                keys.push(key.clone());
            }
        }
        keys
    }

    /// `increment`: the value recorded, else counted from zero within this call.
    fn increment(&self, key: &str, delta: u64) -> u64 {
        let mut state = self.lock();
        if let Some(value) = state.increments.get_mut(key).and_then(InOrder::next) {
            return value;
        }
        let counter = state.counters.entry(key.to_owned()).or_default();
        *counter = counter.saturating_add(delta);
        *counter
    }
}

#[cfg(test)]
mod tests {
    use super::super::recording::{Exchange, RecordedAnswer, RecordedError, Recording};
    use super::*;
    use crate::runtime::api;
    use crate::tool::PluginRequest;

    fn recording(exchanges: Vec<Exchange>, cache: Vec<CacheOp>) -> Recording {
        Recording {
            format: super::super::recording::FORMAT,
            context: api::CallContext {
                tenant: "t".into(),
                call_id: "c".into(),
                caller_number: None,
                dialled_number: None,
                now: "2026-12-03T10:00:00Z".into(),
                timezone: "Europe/Berlin".into(),
                locale: "de".into(),
            },
            request: PluginRequest::ListServices,
            exchanges,
            cache,
            answer: RecordedAnswer {
                success: true,
                speech: String::new(),
                data: None,
                code: None,
            },
            plugin_us: 0,
            redacted: false,
            truncated: false,
        }
    }

    #[test]
    fn requests_are_answered_as_recorded_and_unknown_ones_reported()
    -> Result<(), Box<dyn std::error::Error>> {
        let body = Bytes::from_static(b"first");
        let values = Arc::new(HashMap::from([(value_digest(&body), body.clone())]));
        let url = "https://api.cal.com/v2/slots?apiKey=***&day=1";
        let http = ReplayHttp::new(
            &recording(
                vec![
                    Exchange {
                        method: "GET".into(),
                        url: url.into(),
                        body: None,
                        reply: ExchangeReply::Response {
                            status: 200,
                            headers: vec![("content-type".into(), "text/plain".into())],
                            body: value_digest(&body),
                        },
                    },
                    Exchange {
                        method: "POST".into(),
                        url: "https://api.cal.com/v2/bookings".into(),
                        body: Some(value_digest(b"{\"a\":1}")),
                        reply: ExchangeReply::Error {
                            error: RecordedError::HttpResponseTimeout,
                        },
                    },
                ],
                Vec::new(),
            ),
            values,
        );
        // The key in the URL differs from the recorded (masked) one: it is masked the same way.
        let uri: http::Uri = "https://api.cal.com/v2/slots?apiKey=cal_live_x&day=1".parse()?;
        let answered = http.answer(&http::Method::GET, &uri, None)?;
        assert_eq!(answered.body, body);
        assert_eq!(answered.headers["content-type"], "text/plain");
        // Asked twice: the same answer.
        assert_eq!(http.answer(&http::Method::GET, &uri, None)?.status, 200);
        let bookings: http::Uri = "https://api.cal.com/v2/bookings".parse()?;
        assert!(matches!(
            http.answer(&http::Method::POST, &bookings, Some(b"{\"a\":1}")),
            Err(HttpError::HttpResponseTimeout)
        ));
        // Another body is another booking: not in the recording.
        assert!(matches!(
            http.answer(&http::Method::POST, &bookings, Some(b"{\"a\":2}")),
            Err(HttpError::DestinationUnavailable)
        ));
        assert_eq!(http.missing(), ["POST https://api.cal.com/v2/bookings"]);
        Ok(())
    }

    #[test]
    fn the_cache_answers_reads_in_order_and_keeps_writes_to_the_call() {
        let (one, two) = (Bytes::from_static(b"1"), Bytes::from_static(b"2"));
        let values = Arc::new(HashMap::from([
            (value_digest(&one), one.clone()),
            (value_digest(&two), two.clone()),
        ]));
        let cache = ReplayCache::new(
            &recording(
                Vec::new(),
                vec![
                    CacheOp::Get {
                        key: "k".into(),
                        value: Some(value_digest(&one)),
                    },
                    CacheOp::Get {
                        key: "k".into(),
                        value: Some(value_digest(&two)),
                    },
                    CacheOp::Get {
                        key: "gone".into(),
                        value: None,
                    },
                ],
            ),
            values,
        );
        assert_eq!(cache.get("k").as_deref(), Some(&b"1"[..]));
        assert_eq!(cache.get("k").as_deref(), Some(&b"2"[..]));
        assert_eq!(cache.get("k").as_deref(), Some(&b"2"[..]));
        assert_eq!(cache.get("gone"), None);
        assert_eq!(cache.get("never-read"), None);
        assert!(cache.exists("k"));
        cache.set("gone".into(), b"mine".to_vec());
        assert_eq!(cache.get("gone").as_deref(), Some(&b"mine"[..]));
        cache.delete("k");
        assert!(!cache.exists("k"));
        assert_eq!(cache.keys(), ["gone"]);
        assert_eq!(cache.increment("n", 2), 2);
        assert_eq!(cache.increment("n", 3), 5);
    }
}
