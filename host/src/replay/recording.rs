//! What a recorded tool call keeps, so it can be run again on another plugin version exactly as
//! it ran: the call's context (its `now` included) and request as the plugin got them, every
//! cache read with the value it returned, every upstream exchange with the response, and the
//! answer the caller got.
//!
//! Values (upstream bodies, cache values) are kept out of line, addressed by their hash: the
//! same slots response is read by hundreds of calls, and is stored once per tenant. A request
//! body is not kept at all, only its hash: it is what identifies a `POST` when it is replayed,
//! and it holds the caller's name and number.

use std::collections::HashMap;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wasmtime_wasi_http::Error as HttpError;

use crate::calllog::redact;
use crate::runtime::api;
use crate::tool::PluginRequest;

/// The recording format; a change to the types below that old recordings cannot be read as
/// must bump it (an old recording is then reported as not replayable, never misread).
pub const FORMAT: u32 = 1;

/// Exchanges and cache operations kept per call; a call that makes more is marked
/// `truncated` (its replay then reports the requests it lacks).
const MAX_OPERATIONS: usize = 64;

/// Value bytes kept per call, for the same reason.
const MAX_VALUE_BYTES: usize = 4 << 20;

/// Response headers a plugin may act on; the rest (cookies, tracing ids) are not kept.
const KEPT_HEADERS: &[&str] = &[
    "content-type",
    "retry-after",
    "location",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-slotline-rate-limited",
];

/// The content address of a value: 128 bits of XXH3, in hex. Not a cryptographic hash: values
/// are addressed within one tenant's recordings only, where a collision could only be made by
/// the tenant's own plugin, against its own replays.
pub fn value_digest(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

/// One plugin tool call, as it can be run again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Recording {
    /// [`FORMAT`].
    pub format: u32,
    /// The context the plugin got.
    pub context: api::CallContext,
    /// The request the plugin got (a booking's hold included).
    pub request: PluginRequest,
    /// The upstream exchanges, in the order they ended.
    pub exchanges: Vec<Exchange>,
    /// The cache operations that read, in order.
    pub cache: Vec<CacheOp>,
    /// What the caller was answered.
    pub answer: RecordedAnswer,
    /// The plugin's own time, microseconds.
    pub plugin_us: u64,
    /// Callers' names and numbers were masked before the recording was kept: a replay then
    /// runs on the masked values, and requests are matched without their bodies.
    pub redacted: bool,
    /// The call made more requests or read more than a recording keeps.
    pub truncated: bool,
}

/// One request the plugin sent, and what it got.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Exchange {
    /// `GET`, `POST`, ...
    pub method: String,
    /// Scheme, authority, path and query, secret-looking query values masked.
    pub url: String,
    /// The hash of the request body, when it had one.
    pub body: Option<String>,
    /// What came back.
    pub reply: ExchangeReply,
}

/// What a recorded request got.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExchangeReply {
    /// A response (any status).
    Response {
        /// Its status.
        status: u16,
        /// The headers of [`KEPT_HEADERS`] it had.
        headers: Vec<(String, String)>,
        /// The hash of its body.
        body: String,
    },
    /// No response: the error the plugin got instead.
    Error {
        /// Which.
        error: RecordedError,
    },
}

/// The `wasi:http` errors a plugin can get, as a recording keeps them.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[expect(missing_docs, reason = "each is the wasi:http error of the same name")]
pub enum RecordedError {
    HttpResponseTimeout,
    ConnectionTimeout,
    ConnectionRefused,
    ConnectionTerminated,
    DestinationNotFound,
    DestinationUnavailable,
    DestinationIpProhibited,
    ConnectionLimitReached,
    HttpRequestDenied,
    HttpResponseIncomplete,
    HttpResponseBodySize,
    HttpRequestBodySize,
    HttpProtocolError,
    ConnectionWriteTimeout,
    /// Anything else, replayed as an internal error.
    Other,
}

impl RecordedError {
    /// The recorded form of `error`.
    pub fn of(error: &HttpError) -> Self {
        use HttpError as E;
        match error {
            E::HttpResponseTimeout => Self::HttpResponseTimeout,
            E::ConnectionTimeout => Self::ConnectionTimeout,
            E::ConnectionRefused => Self::ConnectionRefused,
            E::ConnectionTerminated => Self::ConnectionTerminated,
            E::DestinationNotFound => Self::DestinationNotFound,
            E::DestinationUnavailable => Self::DestinationUnavailable,
            E::DestinationIpProhibited => Self::DestinationIpProhibited,
            E::ConnectionLimitReached => Self::ConnectionLimitReached,
            E::HttpRequestDenied => Self::HttpRequestDenied,
            E::HttpResponseIncomplete => Self::HttpResponseIncomplete,
            E::HttpResponseBodySize(_) => Self::HttpResponseBodySize,
            E::HttpRequestBodySize(_) => Self::HttpRequestBodySize,
            E::HttpProtocolError => Self::HttpProtocolError,
            E::ConnectionWriteTimeout => Self::ConnectionWriteTimeout,
            _ => Self::Other,
        }
    }

    /// The error to hand the plugin again.
    pub fn to_error(self) -> HttpError {
        use HttpError as E;
        match self {
            Self::HttpResponseTimeout => E::HttpResponseTimeout,
            Self::ConnectionTimeout => E::ConnectionTimeout,
            Self::ConnectionRefused => E::ConnectionRefused,
            Self::ConnectionTerminated => E::ConnectionTerminated,
            Self::DestinationNotFound => E::DestinationNotFound,
            Self::DestinationUnavailable => E::DestinationUnavailable,
            Self::DestinationIpProhibited => E::DestinationIpProhibited,
            Self::ConnectionLimitReached => E::ConnectionLimitReached,
            Self::HttpRequestDenied => E::HttpRequestDenied,
            Self::HttpResponseIncomplete => E::HttpResponseIncomplete,
            Self::HttpResponseBodySize => E::HttpResponseBodySize(None),
            Self::HttpRequestBodySize => E::HttpRequestBodySize(None),
            Self::HttpProtocolError => E::HttpProtocolError,
            Self::ConnectionWriteTimeout => E::ConnectionWriteTimeout,
            Self::Other => E::InternalError(Some("recorded upstream error".into())),
        }
    }
}

/// A cache operation that read something.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum CacheOp {
    /// `get`: the value's hash, or nothing (a miss, or a cache that could not answer).
    Get {
        /// The key.
        key: String,
        /// The value's hash.
        value: Option<String>,
    },
    /// `exists`.
    Exists {
        /// The key.
        key: String,
        /// Whether it was there.
        found: bool,
    },
    /// `list-keys`: the keys of one page (a call listing several pages records each).
    Keys {
        /// The keys.
        keys: Vec<String>,
    },
    /// `increment`: the value it returned.
    Increment {
        /// The key.
        key: String,
        /// The counter after the increment.
        value: u64,
    },
}

/// What the caller was answered, as the replay report compares it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RecordedAnswer {
    /// Whether the tool did what was asked.
    pub success: bool,
    /// What the agent said.
    pub speech: String,
    /// The structured result.
    pub data: Option<Value>,
    /// The error code of a failure (`upstream_unavailable`, `plugin_failed`, ...).
    pub code: Option<String>,
}

/// Values by their hash, as the store takes them.
pub type Values = Vec<(String, Bytes)>;

/// A recording with the values it refers to.
#[derive(Debug, Clone)]
pub struct RecordedCall {
    /// The call.
    pub recording: Recording,
    /// The values by hash.
    pub values: HashMap<String, Bytes>,
}

/// Gathers one tool call's recording while it runs (kept in the call's trace).
#[derive(Debug, Default)]
pub struct Recorder {
    input: Option<(api::CallContext, PluginRequest)>,
    exchanges: Vec<Exchange>,
    cache: Vec<CacheOp>,
    values: HashMap<String, Bytes>,
    value_bytes: usize,
    truncated: bool,
    answer: Option<(RecordedAnswer, u64)>,
}

impl Recorder {
    /// Keeps `bytes` by its hash, unless the call has kept too much already.
    fn value(&mut self, bytes: Bytes) -> Option<String> {
        let digest = value_digest(&bytes);
        if !self.values.contains_key(&digest) {
            if self.value_bytes.saturating_add(bytes.len()) > MAX_VALUE_BYTES {
                self.truncated = true;
                return None;
            }
            self.value_bytes += bytes.len();
            self.values.insert(digest.clone(), bytes);
        }
        Some(digest)
    }

    fn room(&mut self, kept: usize) -> bool {
        if kept >= MAX_OPERATIONS {
            self.truncated = true;
            return false;
        }
        true
    }

    /// The plugin's input.
    pub fn input(&mut self, context: api::CallContext, request: PluginRequest) {
        self.input = Some((context, request));
    }

    /// A request that got `response` (status, headers, body) or `error`.
    pub fn exchange(
        &mut self,
        method: &http::Method,
        url: String,
        body: Option<&[u8]>,
        outcome: Result<(http::StatusCode, &http::HeaderMap, Bytes), &HttpError>,
    ) {
        if !self.room(self.exchanges.len()) {
            return;
        }
        let reply = match outcome {
            Ok((status, headers, body)) => {
                let Some(body) = self.value(body) else {
                    return;
                };
                ExchangeReply::Response {
                    status: status.as_u16(),
                    headers: kept_headers(headers),
                    body,
                }
            }
            Err(error) => ExchangeReply::Error {
                error: RecordedError::of(error),
            },
        };
        self.exchanges.push(Exchange {
            method: method.as_str().to_owned(),
            url,
            body: body.map(value_digest),
            reply,
        });
    }

    /// A `get` of `key` that found `value`.
    pub fn get(&mut self, key: &str, value: Option<&[u8]>) {
        if !self.room(self.cache.len()) {
            return;
        }
        let value = match value {
            Some(bytes) => match self.value(Bytes::copy_from_slice(bytes)) {
                Some(digest) => Some(digest),
                None => return,
            },
            None => None,
        };
        self.cache.push(CacheOp::Get {
            key: key.to_owned(),
            value,
        });
    }

    /// Any other reading cache operation.
    pub fn cache_op(&mut self, op: CacheOp) {
        if self.room(self.cache.len()) {
            self.cache.push(op);
        }
    }

    /// What the caller was answered, after the plugin's `plugin_us`.
    pub fn answered(&mut self, answer: RecordedAnswer, plugin_us: u64) {
        self.answer = Some((answer, plugin_us));
    }

    /// The recording, when the call ran a plugin and was answered.
    pub fn finish(self) -> Option<RecordedCall> {
        let (context, request) = self.input?;
        let (answer, plugin_us) = self.answer?;
        Some(RecordedCall {
            recording: Recording {
                format: FORMAT,
                context,
                request,
                exchanges: self.exchanges,
                cache: self.cache,
                answer,
                plugin_us,
                redacted: false,
                truncated: self.truncated,
            },
            values: self.values,
        })
    }
}

fn kept_headers(headers: &http::HeaderMap) -> Vec<(String, String)> {
    KEPT_HEADERS
        .iter()
        .filter_map(|name| {
            let value = headers.get(*name)?.to_str().ok()?;
            Some(((*name).to_owned(), value.to_owned()))
        })
        .collect()
}

impl RecordedCall {
    /// Masks callers' names and numbers everywhere in the recording, as the call log masks
    /// its record: the request, the context, the answer and every value that is text.
    pub fn redact(&mut self) {
        let recording = &mut self.recording;
        let mut names = Vec::new();
        if let Ok(mut request) = serde_json::to_value(&recording.request) {
            names = redact::arguments(&mut request);
            if let Ok(masked) = serde_json::from_value(request) {
                recording.request = masked;
            }
        }
        let numbers = [
            &mut recording.context.caller_number,
            &mut recording.context.dialled_number,
        ];
        for number in numbers.into_iter().flatten() {
            names.push(number.clone());
            *number = redact::MASK.to_owned();
        }
        recording.answer.speech = redact::text(&recording.answer.speech, &names);
        if let Some(data) = &mut recording.answer.data {
            mask_strings(data, &names);
        }
        // Values are re-addressed by their masked content.
        let mut renamed = HashMap::new();
        let values = std::mem::take(&mut self.values);
        for (digest, bytes) in values {
            let masked = match std::str::from_utf8(&bytes) {
                Ok(text) => Bytes::from(redact::text(text, &names)),
                Err(_) => bytes,
            };
            let new_digest = value_digest(&masked);
            self.values.insert(new_digest.clone(), masked);
            renamed.insert(digest, new_digest);
        }
        let rename = |digest: &mut String| {
            if let Some(new) = renamed.get(digest.as_str()) {
                digest.clone_from(new);
            }
        };
        for exchange in &mut recording.exchanges {
            exchange.url = redact::phone_numbers(&exchange.url);
            if let ExchangeReply::Response { body, .. } = &mut exchange.reply {
                rename(body);
            }
        }
        for op in &mut recording.cache {
            if let CacheOp::Get {
                value: Some(value), ..
            } = op
            {
                rename(value);
            }
        }
        recording.redacted = true;
    }

    /// The recording as the store keeps it (JSON), and its values.
    pub fn encode(&self) -> Result<(Vec<u8>, Values), serde_json::Error> {
        let json = serde_json::to_vec(&self.recording)?;
        let values = self
            .values
            .iter()
            .map(|(digest, bytes)| (digest.clone(), bytes.clone()))
            .collect();
        Ok((json, values))
    }
}

fn mask_strings(value: &mut Value, names: &[String]) {
    match value {
        Value::String(text) => *text = redact::text(text, names),
        Value::Array(items) => items.iter_mut().for_each(|item| mask_strings(item, names)),
        Value::Object(map) => map.values_mut().for_each(|item| mask_strings(item, names)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> api::CallContext {
        api::CallContext {
            tenant: "t".into(),
            call_id: "c".into(),
            caller_number: Some("+4915112345678".into()),
            dialled_number: None,
            now: "2026-12-03T10:00:00Z".into(),
            timezone: "Europe/Berlin".into(),
            locale: "de".into(),
        }
    }

    fn booking() -> PluginRequest {
        PluginRequest::CreateBooking(api::BookingRequest {
            date: Some("2026-12-04".into()),
            time: Some("10:00".into()),
            start: None,
            name: "Anna Schmidt".into(),
            email: None,
            phone: Some("+4915112345678".into()),
            service: None,
            notes: None,
            hold: None,
        })
    }

    #[test]
    fn a_recording_survives_the_store_and_keeps_each_value_once()
    -> Result<(), Box<dyn std::error::Error>> {
        let mut recorder = Recorder::default();
        recorder.input(context(), booking());
        let body = Bytes::from_static(br#"{"status":"success","data":{}}"#);
        let mut headers = http::HeaderMap::new();
        headers.insert("content-type", "application/json".parse()?);
        headers.insert("set-cookie", "secret".parse()?);
        for _ in 0..2 {
            recorder.exchange(
                &http::Method::GET,
                "https://api.cal.com/v2/slots?eventTypeId=1".into(),
                None,
                Ok((http::StatusCode::OK, &headers, body.clone())),
            );
        }
        recorder.exchange(
            &http::Method::POST,
            "https://api.cal.com/v2/bookings".into(),
            Some(b"{}"),
            Err(&HttpError::HttpResponseTimeout),
        );
        recorder.get("slots:1", Some(&body));
        recorder.get("other", None);
        recorder.answered(
            RecordedAnswer {
                success: true,
                speech: "Gebucht, Anna.".into(),
                data: None,
                code: None,
            },
            120,
        );
        let call = recorder.finish().ok_or("no recording")?;
        assert_eq!(call.values.len(), 1, "one body, read three times");
        let (json, values) = call.encode()?;
        let back: Recording = serde_json::from_slice(&json)?;
        assert_eq!(back.exchanges, call.recording.exchanges);
        assert_eq!(
            back.exchanges[0].reply,
            ExchangeReply::Response {
                status: 200,
                headers: vec![("content-type".into(), "application/json".into())],
                body: value_digest(&body),
            }
        );
        assert_eq!(
            back.exchanges[2].reply,
            ExchangeReply::Error {
                error: RecordedError::HttpResponseTimeout
            }
        );
        assert_eq!(values.len(), 1);
        assert!(
            matches!(back.request, PluginRequest::CreateBooking(ref b) if b.name == "Anna Schmidt")
        );
        Ok(())
    }

    #[test]
    fn redaction_masks_the_caller_in_the_request_the_answer_and_the_values()
    -> Result<(), Box<dyn std::error::Error>> {
        let mut recorder = Recorder::default();
        recorder.input(context(), booking());
        let body = Bytes::from_static(br#"{"attendees":[{"name":"Anna Schmidt"}]}"#);
        recorder.exchange(
            &http::Method::POST,
            "https://api.cal.com/v2/bookings".into(),
            Some(b"{}"),
            Ok((http::StatusCode::CREATED, &http::HeaderMap::new(), body)),
        );
        recorder.answered(
            RecordedAnswer {
                success: true,
                speech: "Gebucht, Anna.".into(),
                data: Some(serde_json::json!({"name": "Anna Schmidt"})),
                code: None,
            },
            1,
        );
        let mut call = recorder.finish().ok_or("no recording")?;
        call.redact();
        let text = String::from_utf8(call.encode()?.0)?;
        let values: Vec<String> = call
            .values
            .values()
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .collect();
        for kept in std::iter::once(&text).chain(&values) {
            assert!(!kept.contains("Anna"), "{kept}");
            assert!(!kept.contains("15112345678"), "{kept}");
        }
        assert!(call.recording.redacted);
        // The body is still found by its (new) address.
        let ExchangeReply::Response { body, .. } = &call.recording.exchanges[0].reply else {
            return Err("no response".into());
        };
        assert!(call.values.contains_key(body));
        Ok(())
    }
}
