//! Injected latency and faults, per endpoint.
//!
//! Real `GET /v2/slots` takes a few hundred milliseconds and Cal.com has bad days; the
//! gateway's timeouts, retries and circuit breaker are only tested if the simulator can be
//! slow and broken on demand. Latency is slept before the request is handled; a fault then
//! decides whether (and how) it is answered.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::errors::ApiError;
use crate::server::ConnMeta;

/// A group of API operations that latency and faults can target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Endpoint {
    /// `GET /v2/slots`.
    Slots,
    /// `POST /v2/bookings`.
    CreateBooking,
    /// `GET /v2/bookings/{uid}`.
    GetBooking,
    /// `GET /v2/bookings`.
    ListBookings,
    /// `POST /v2/bookings/{uid}/cancel`.
    CancelBooking,
    /// `POST /v2/bookings/{uid}/reschedule`.
    RescheduleBooking,
    /// `GET /v2/event-types` and `GET /v2/event-types/{id}`.
    EventTypes,
    /// `POST /v2/slots/reservations`.
    ReserveSlot,
    /// `GET /v2/slots/reservations/{uid}`.
    GetReservation,
    /// `PATCH /v2/slots/reservations/{uid}`.
    UpdateReservation,
    /// `DELETE /v2/slots/reservations/{uid}`.
    DeleteReservation,
    /// Every `/v2` request; a setting for a specific endpoint wins over this one.
    All,
}

impl Endpoint {
    /// The endpoint a request addresses, if any.
    pub fn classify(method: &Method, path: &str) -> Option<Endpoint> {
        let path = path.trim_end_matches('/');
        let rest = path.strip_prefix("/v2/")?;
        let segments: Vec<&str> = rest.split('/').collect();
        match (method.as_str(), segments.as_slice()) {
            ("GET", ["slots"]) => Some(Endpoint::Slots),
            ("POST", ["slots", "reservations"]) => Some(Endpoint::ReserveSlot),
            ("GET", ["slots", "reservations", _]) => Some(Endpoint::GetReservation),
            ("PATCH", ["slots", "reservations", _]) => Some(Endpoint::UpdateReservation),
            ("DELETE", ["slots", "reservations", _]) => Some(Endpoint::DeleteReservation),
            ("POST", ["bookings"]) => Some(Endpoint::CreateBooking),
            ("GET", ["bookings"]) => Some(Endpoint::ListBookings),
            ("GET", ["bookings", _]) => Some(Endpoint::GetBooking),
            ("POST", ["bookings", _, "cancel"]) => Some(Endpoint::CancelBooking),
            ("POST", ["bookings", _, "reschedule"]) => Some(Endpoint::RescheduleBooking),
            ("GET", ["event-types"] | ["event-types", _]) => Some(Endpoint::EventTypes),
            _ => None,
        }
    }
}

/// Added delay before a request is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Latency {
    /// Always this long.
    Fixed(Duration),
    /// Uniformly distributed in `[min, max]`.
    Uniform(Duration, Duration),
}

impl Latency {
    /// One delay drawn from this distribution.
    pub fn sample(self) -> Duration {
        match self {
            Latency::Fixed(delay) => delay,
            Latency::Uniform(min, max) if min < max => rand::rng().random_range(min..=max),
            Latency::Uniform(min, _) => min,
        }
    }
}

/// How a request goes wrong.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer `code` (with Cal.com's error envelope) for a fraction `rate` (0..=1) of the
    /// requests; the others are served normally.
    Status {
        /// HTTP status, e.g. 500 or 503.
        code: u16,
        /// Probability per request.
        rate: f64,
    },
    /// Never answer; the request is held until the simulator shuts down or is reset, and
    /// then the connection is closed without an answer.
    Hang,
    /// Close the connection (TCP RST) without answering.
    Reset,
    /// Answer normally, but send the body `chunk_size` bytes at a time with `chunk_delay`
    /// before each chunk (headers go out at once), to exercise between-bytes timeouts.
    SlowBody {
        /// Delay before each chunk.
        chunk_delay: Duration,
        /// Bytes per chunk (at least 1).
        chunk_size: usize,
    },
}

/// Per-endpoint latency and fault settings.
#[derive(Debug, Default)]
pub struct FaultTable {
    inner: Mutex<Settings>,
}

#[derive(Debug, Default)]
struct Settings {
    latency: HashMap<Endpoint, Latency>,
    faults: HashMap<Endpoint, Fault>,
}

impl FaultTable {
    /// Sets (or with `None` clears) the latency of `endpoint`.
    pub fn set_latency(&self, endpoint: Endpoint, latency: Option<Latency>) {
        let mut settings = self.lock();
        match latency {
            Some(latency) => settings.latency.insert(endpoint, latency),
            None => settings.latency.remove(&endpoint),
        };
    }

    /// Sets (or with `None` clears) the fault of `endpoint`.
    pub fn set_fault(&self, endpoint: Endpoint, fault: Option<Fault>) {
        let mut settings = self.lock();
        match fault {
            Some(fault) => settings.faults.insert(endpoint, fault),
            None => settings.faults.remove(&endpoint),
        };
    }

    /// Clears everything.
    pub fn clear(&self) {
        *self.lock() = Settings::default();
    }

    /// The settings for `endpoint`; a specific setting wins over [`Endpoint::All`].
    fn lookup(&self, endpoint: Option<Endpoint>) -> (Option<Latency>, Option<Fault>) {
        let settings = self.lock();
        let keys = [endpoint, Some(Endpoint::All)];
        let latency = keys
            .iter()
            .flatten()
            .find_map(|key| settings.latency.get(key).copied());
        let fault = keys
            .iter()
            .flatten()
            .find_map(|key| settings.faults.get(key).copied());
        (latency, fault)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Settings> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Marks a response that was never sent (hang, reset), for the request log.
#[derive(Debug, Clone, Copy)]
pub struct NoAnswer;

/// Applies the configured latency and fault to one `/v2` request.
pub async fn apply_faults(State(sim): State<Simulator>, request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with("/v2") {
        return next.run(request).await;
    }
    let endpoint = Endpoint::classify(request.method(), request.uri().path());
    let (latency, fault) = sim.shared.faults.lookup(endpoint);
    if let Some(latency) = latency {
        tokio::time::sleep(latency.sample()).await;
    }
    let connection = request
        .extensions()
        .get::<ConnectInfo<ConnMeta>>()
        .map(|info| info.0.clone());
    match fault {
        None => next.run(request).await,
        Some(Fault::Status { code, rate }) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            if rand::rng().random_bool(rate.clamp(0.0, 1.0)) {
                let path = crate::errors::request_url(request.uri());
                crate::errors::render(&ApiError::for_status(status), &path, sim.now())
            } else {
                next.run(request).await
            }
        }
        Some(Fault::Hang) => {
            let mut released = sim.shared.release.subscribe();
            // Either value change (reset or shutdown) or a dropped sender ends the hang.
            let _ = released.changed().await;
            no_answer(connection)
        }
        Some(Fault::Reset) => no_answer(connection),
        Some(Fault::SlowBody {
            chunk_delay,
            chunk_size,
        }) => {
            let response = next.run(request).await;
            let (parts, body) = response.into_parts();
            match axum::body::to_bytes(body, usize::MAX).await {
                Ok(bytes) => Response::from_parts(
                    parts,
                    Body::new(SlowBody::new(bytes, chunk_size, chunk_delay)),
                ),
                Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            }
        }
    }
}

/// Drops the connection without answering. Served by [`Simulator::spawn`], the socket is
/// reset; any other server has no way to do that, so it gets an empty 502 instead.
fn no_answer(connection: Option<ConnMeta>) -> Response {
    let mut response = match connection {
        Some(connection) => {
            connection.control.reset();
            StatusCode::BAD_GATEWAY.into_response()
        }
        None => StatusCode::BAD_GATEWAY.into_response(),
    };
    response.extensions_mut().insert(NoAnswer);
    response
}

/// A body that trickles out.
struct SlowBody {
    data: Bytes,
    chunk_size: usize,
    delay: Duration,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl SlowBody {
    fn new(data: Bytes, chunk_size: usize, delay: Duration) -> SlowBody {
        SlowBody {
            data,
            chunk_size: chunk_size.max(1),
            delay,
            sleep: None,
        }
    }
}

impl http_body::Body for SlowBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.data.is_empty() {
            return Poll::Ready(None);
        }
        let delay = self.delay;
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(delay)));
        if sleep.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.sleep = None;
        let take = self.chunk_size.min(self.data.len());
        let chunk = self.data.split_to(take);
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.data.len() as u64)
    }
}
