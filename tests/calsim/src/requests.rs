//! The request log: what the gateway actually sent, for tests to assert on.
//!
//! Every `/v2` request is counted on arrival and recorded with the headers that matter to
//! Cal.com (authorization, `cal-api-version`) and its body. The answer's status is filled in
//! when it leaves; it stays empty for requests that were never answered (hang, reset).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::Simulator;
use crate::faults::{Endpoint, NoAnswer};

/// Bodies above this size are refused (413) rather than buffered.
const MAX_BODY: usize = 1024 * 1024;

/// One request the simulated API received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    /// Sequence number, from 1.
    pub seq: u64,
    /// HTTP method.
    pub method: String,
    /// Path, e.g. `/v2/slots`.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// The endpoint it addressed, if it is one the simulator knows.
    pub endpoint: Option<Endpoint>,
    /// The bearer token (the API key), if any.
    pub api_key: Option<String>,
    /// The `cal-api-version` header, if any.
    pub api_version: Option<String>,
    /// The request body as text, if non-empty.
    pub body: Option<String>,
    /// Status of the answer; `None` while in flight or when never answered.
    pub status: Option<u16>,
    /// Arrival time (wall clock, not the simulator's clock).
    pub at: DateTime<Utc>,
}

/// Counter and records.
#[derive(Debug, Default)]
pub struct RequestLog {
    count: AtomicU64,
    records: Mutex<Vec<RequestRecord>>,
}

impl RequestLog {
    /// Requests received since the start (or the last reset).
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::SeqCst)
    }

    /// All records, oldest first.
    pub fn records(&self) -> Vec<RequestRecord> {
        self.lock().clone()
    }

    /// Forgets everything.
    pub fn clear(&self) {
        let mut records = self.lock();
        records.clear();
        self.count.store(0, Ordering::SeqCst);
    }

    fn push(&self, mut record: RequestRecord) -> u64 {
        let mut records = self.lock();
        let seq = self.count.fetch_add(1, Ordering::SeqCst) + 1;
        record.seq = seq;
        records.push(record);
        seq
    }

    fn finish(&self, seq: u64, status: Option<u16>) {
        let mut records = self.lock();
        if let Some(record) = records.iter_mut().rev().find(|record| record.seq == seq) {
            record.status = status;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<RequestRecord>> {
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Records one `/v2` request and its answer.
pub async fn record_requests(
    State(sim): State<Simulator>,
    request: Request,
    next: Next,
) -> Response {
    if !request.uri().path().starts_with("/v2") {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let record = RequestRecord {
        seq: 0,
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        endpoint: Endpoint::classify(&parts.method, parts.uri.path()),
        api_key: crate::routes::bearer_token(&parts.headers).map(str::to_owned),
        api_version: header("cal-api-version"),
        body: (!bytes.is_empty()).then(|| String::from_utf8_lossy(&bytes).into_owned()),
        status: None,
        at: Utc::now(),
    };
    let seq = sim.shared.requests.push(record);
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let status = match response.extensions().get::<NoAnswer>() {
        Some(_) => None,
        None => Some(response.status().as_u16()),
    };
    sim.shared.requests.finish(seq, status);
    response
}
