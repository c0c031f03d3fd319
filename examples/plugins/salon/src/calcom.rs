//! The Cal.com v2 requests the salon needs, over `wasi:http`: free slots, bookings, and
//! reservations (a slot held for one phone call until it books it or lets it go).
//!
//! Every request goes through the host, which checks it against the tenant's
//! `allowed_outbound`, applies its timeouts and circuit breaker, and counts it against the
//! call's request budget. A refusal comes back as a `wasi:http` error code, which this module
//! reports as [`CalError::Unavailable`].

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, Utc};
use serde::Deserialize;

use crate::wasi::http::outgoing_handler;
use crate::wasi::http::types::{
    Fields, IncomingBody, Method, OutgoingBody, OutgoingRequest, RequestOptions, Scheme,
};
use crate::wasi::io::streams::StreamError;

/// Cal.com picks the handler, and the JSON shapes, by this header.
const SLOTS_API_VERSION: &str = "2024-09-04";
const BOOKINGS_API_VERSION: &str = "2024-08-13";

/// A caller is waiting on the line: give up on a slow read sooner than the host's limit
/// (3 s by default). A plugin can lower the host's timeouts this way, never raise them.
const READ_TIMEOUT_NS: u64 = 2_500_000_000;

/// Larger answers are not read (the host has a limit of its own, 4 MiB by default).
const MAX_BODY: usize = 1024 * 1024;

#[derive(Debug)]
pub enum CalError {
    /// Not reachable in time, refused by the host (allowlist, budget, open circuit), 5xx, 429.
    Unavailable(String),
    /// Cal.com refused the request; 400 when booking a slot that is taken.
    Rejected { status: u16, body: String },
    /// An answer that is not what Cal.com documents.
    Malformed(String),
}

impl std::fmt::Display for CalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CalError::Unavailable(detail) => write!(f, "Cal.com unavailable: {detail}"),
            CalError::Rejected { status, body } => write!(f, "Cal.com refused ({status}): {body}"),
            CalError::Malformed(detail) => write!(f, "unexpected Cal.com answer: {detail}"),
        }
    }
}

pub struct CalCom {
    /// Up to `/v2`, e.g. `https://api.cal.com/v2`.
    pub base: String,
    pub api_key: String,
}

#[derive(Deserialize)]
struct Envelope<T> {
    data: T,
}

#[derive(Deserialize)]
struct RangeSlot {
    start: DateTime<FixedOffset>,
}

#[derive(Deserialize)]
pub struct Booking {
    pub uid: String,
    pub status: String,
}

/// A held slot, as `POST /v2/slots/reservations` answers (`ReserveSlotOutput_2024_09_04`;
/// its instants are UTC).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reservation {
    pub reservation_uid: String,
    pub slot_start: DateTime<FixedOffset>,
    pub slot_end: DateTime<FixedOffset>,
    pub reservation_until: DateTime<FixedOffset>,
}

impl CalCom {
    /// Free start times of `event_type_id` on the local days `first..=last`, in `timezone`.
    ///
    /// Cal.com reads a bare date in `start`/`end` as a UTC day and groups its answer by the
    /// local date; one extra day on each side covers every offset, and the answer is filtered
    /// to the days asked for. One request serves a whole search window.
    pub fn slots(
        &self,
        event_type_id: u64,
        first: NaiveDate,
        last: NaiveDate,
        timezone: &str,
    ) -> Result<Vec<DateTime<FixedOffset>>, CalError> {
        let (Some(before), Some(after)) = (first.pred_opt(), last.succ_opt()) else {
            return Ok(Vec::new());
        };
        let url = format!(
            "{}/slots?eventTypeId={event_type_id}&start={before}&end={after}&timeZone={}&format=range",
            self.base,
            timezone.replace('/', "%2F").replace('+', "%2B"),
        );
        let body = self.send(Method::Get, &url, SLOTS_API_VERSION, None)?;
        let days: Envelope<std::collections::BTreeMap<NaiveDate, Vec<RangeSlot>>> =
            serde_json::from_slice(&body).map_err(|err| CalError::Malformed(err.to_string()))?;
        Ok(days
            .data
            .into_iter()
            .filter(|(day, _)| (first..=last).contains(day))
            .flat_map(|(_, slots)| slots.into_iter().map(|slot| slot.start))
            .collect())
    }

    /// Books `start` for `event_type_id`; the attendee's phone number identifies the caller.
    /// `reserved` names the call's hold of that start: Cal.com refuses to book a held slot
    /// for anyone but the booking that names the hold.
    #[expect(
        clippy::too_many_arguments,
        reason = "the fields of one Cal.com booking, each named at the call site"
    )]
    pub fn book(
        &self,
        event_type_id: u64,
        start: DateTime<Utc>,
        name: &str,
        phone: Option<&str>,
        timezone: &str,
        language: &str,
        reserved: Option<&str>,
    ) -> Result<Booking, CalError> {
        let mut attendee = serde_json::json!({
            "name": name,
            "timeZone": timezone,
            "language": language,
        });
        if let Some(phone) = phone {
            attendee["phoneNumber"] = phone.into();
        }
        let mut body = serde_json::json!({
            "start": start.to_rfc3339_opts(SecondsFormat::Secs, true),
            "eventTypeId": event_type_id,
            "attendee": attendee,
            "metadata": { "source": "slotline-salon" },
        });
        if let Some(uid) = reserved {
            body["reservedSlotUid"] = uid.into();
        }
        let url = format!("{}/bookings", self.base);
        let answer = self.send(
            Method::Post,
            &url,
            BOOKINGS_API_VERSION,
            Some(body.to_string().into_bytes()),
        )?;
        let booking: Envelope<Booking> =
            serde_json::from_slice(&answer).map_err(|err| CalError::Malformed(err.to_string()))?;
        Ok(booking.data)
    }

    /// Holds `start` of `event_type_id` for `minutes` (Cal.com's 5 when `None`). Cal.com
    /// answers 422 when the slot is booked or someone else holds it.
    pub fn reserve(
        &self,
        event_type_id: u64,
        start: DateTime<Utc>,
        minutes: Option<u32>,
    ) -> Result<Reservation, CalError> {
        let mut body = serde_json::json!({
            "eventTypeId": event_type_id,
            "slotStart": start.to_rfc3339_opts(SecondsFormat::Secs, true),
        });
        if let Some(minutes) = minutes {
            body["reservationDuration"] = minutes.into();
        }
        let url = format!("{}/slots/reservations", self.base);
        let answer = self.send(
            Method::Post,
            &url,
            SLOTS_API_VERSION,
            Some(body.to_string().into_bytes()),
        )?;
        let reservation: Envelope<Reservation> =
            serde_json::from_slice(&answer).map_err(|err| CalError::Malformed(err.to_string()))?;
        Ok(reservation.data)
    }

    /// Lets a held slot go. Gone already (expired, or used by its booking) is just as good:
    /// Cal.com answers 200 for it, other versions 404.
    pub fn release(&self, uid: &str) -> Result<(), CalError> {
        let segment: String = uid
            .bytes()
            .map(|byte| match byte {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    char::from(byte).to_string()
                }
                _ => format!("%{byte:02X}"),
            })
            .collect();
        let url = format!("{}/slots/reservations/{segment}", self.base);
        match self.send(Method::Delete, &url, SLOTS_API_VERSION, None) {
            Ok(_) | Err(CalError::Rejected { status: 404, .. }) => Ok(()),
            Err(err) => Err(err),
        }
    }

    /// One blocking request: build it, send it through the host, read the whole answer.
    fn send(
        &self,
        method: Method,
        url: &str,
        api_version: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Vec<u8>, CalError> {
        let unavailable = |what: &str| CalError::Unavailable(what.to_owned());
        let (scheme, rest) = match url.split_once("://") {
            Some(("https", rest)) => (Scheme::Https, rest),
            Some(("http", rest)) => (Scheme::Http, rest),
            _ => return Err(CalError::Malformed(format!("bad URL {url:?}"))),
        };
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));

        let bearer = format!("Bearer {}", self.api_key);
        let mut headers = vec![
            ("authorization", bearer.as_str()),
            ("cal-api-version", api_version),
            ("accept", "application/json"),
        ];
        if body.is_some() {
            headers.push(("content-type", "application/json"));
        }
        let entries: Vec<(String, Vec<u8>)> = headers
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.as_bytes().to_vec()))
            .collect();
        let fields = Fields::from_list(&entries).map_err(|err| unavailable(&format!("{err:?}")))?;
        let request = OutgoingRequest::new(fields);
        let reads = matches!(method, Method::Get);
        let built = request.set_method(&method).is_ok()
            && request.set_scheme(Some(&scheme)).is_ok()
            && request.set_authority(Some(authority)).is_ok()
            // Without a path the host refuses the request (`HTTP-protocol-error`).
            && request.set_path_with_query(Some(if path.is_empty() { "/" } else { path })).is_ok();
        if !built {
            return Err(CalError::Malformed(format!(
                "cannot build a request for {url:?}"
            )));
        }
        let options = RequestOptions::new();
        if reads {
            let _ = options.set_first_byte_timeout(Some(READ_TIMEOUT_NS));
        }
        let outgoing = request.body().map_err(|()| unavailable("request body"))?;
        let future = outgoing_handler::handle(request, Some(options))
            .map_err(|code| CalError::Unavailable(format!("{code:?}")))?;
        if let Some(bytes) = body {
            let stream = outgoing.write().map_err(|()| unavailable("body stream"))?;
            for chunk in bytes.chunks(4096) {
                stream
                    .blocking_write_and_flush(chunk)
                    .map_err(|err| unavailable(&format!("{err:?}")))?;
            }
            drop(stream);
        }
        OutgoingBody::finish(outgoing, None)
            .map_err(|code| CalError::Unavailable(format!("{code:?}")))?;

        // The host's refusals (not allowed, budget used up, circuit open, timeout) arrive
        // here, as the response's error code.
        future.subscribe().block();
        let response = match future.get() {
            Some(Ok(Ok(response))) => response,
            Some(Ok(Err(code))) => return Err(CalError::Unavailable(format!("{code:?}"))),
            Some(Err(())) | None => return Err(unavailable("no response")),
        };
        let status = response.status();
        let incoming = response
            .consume()
            .map_err(|()| unavailable("response body"))?;
        let body = read(&incoming)?;
        match status {
            200..=299 => Ok(body),
            429 | 500..=599 => Err(CalError::Unavailable(format!("status {status}"))),
            _ => Err(CalError::Rejected {
                status,
                body: String::from_utf8_lossy(&body).chars().take(300).collect(),
            }),
        }
    }
}

fn read(incoming: &IncomingBody) -> Result<Vec<u8>, CalError> {
    let stream = incoming
        .stream()
        .map_err(|()| CalError::Unavailable("response stream".into()))?;
    let mut body = Vec::new();
    loop {
        match stream.blocking_read(64 * 1024) {
            Ok(chunk) if body.len() + chunk.len() <= MAX_BODY => body.extend_from_slice(&chunk),
            Ok(_) => return Err(CalError::Malformed("answer too large".into())),
            Err(StreamError::Closed) => return Ok(body),
            Err(StreamError::LastOperationFailed(err)) => {
                return Err(CalError::Unavailable(err.to_debug_string()));
            }
        }
    }
}
