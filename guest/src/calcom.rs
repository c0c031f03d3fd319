//! A small Cal.com v2 client: the requests the default plugin makes, and their answers.

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use serde::Deserialize;

use crate::http::{self, HttpError};
use crate::settings::Settings;
use crate::wasi::http::types::Method;

// A path, not the usual lookup: the native bench compiles this file by `#[path]` from
// elsewhere, where a plain `mod` would resolve beside `calcom.rs` instead of under it.
#[path = "calcom/refusal.rs"]
pub mod refusal;

pub use refusal::Refusal;

/// Cal.com picks the handler (and the JSON shapes) by this header; without it an older
/// handler answers with other shapes.
pub const SLOTS_API_VERSION: &str = "2024-09-04";
const BOOKINGS_API_VERSION: &str = "2024-08-13";

/// Why a Cal.com request gave no usable answer.
#[derive(Debug)]
pub enum CalError {
    /// Not reachable in time: timeout, refused by the host, circuit open, 5xx.
    Unavailable(String),
    /// Cal.com's rate limit (429): reachable, but not for a moment.
    RateLimited(String),
    /// Cal.com refused the request (4xx) with this message.
    Rejected { status: u16, message: String },
    /// The tenant has no API key configured.
    NotConfigured,
    /// The answer was not what Cal.com documents.
    Malformed(String),
}

impl std::fmt::Display for CalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CalError::Unavailable(detail) => write!(f, "Cal.com unavailable: {detail}"),
            CalError::RateLimited(detail) => write!(f, "Cal.com rate limit: {detail}"),
            CalError::Rejected { status, message } => {
                write!(f, "Cal.com refused the request ({status}): {message}")
            }
            CalError::NotConfigured => f.write_str("setting `calcom_api_key` is missing"),
            CalError::Malformed(detail) => write!(f, "unexpected Cal.com answer: {detail}"),
        }
    }
}

impl CalError {
    /// What a refusal means for the caller; [`Refusal::Other`] for anything but a refusal.
    pub fn refusal(&self) -> Refusal {
        match self {
            CalError::Rejected { status, message } => refusal::classify(*status, message),
            _ => Refusal::Other,
        }
    }
}

impl From<HttpError> for CalError {
    fn from(err: HttpError) -> Self {
        CalError::Unavailable(err.to_string())
    }
}

/// A free interval as Cal.com reports it, with its UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
}

/// Cal.com's largest `take` for `GET /v2/bookings` (`@Max(250)`).
const PAGE_SIZE: usize = 250;
/// Bookings read twice at every page boundary (see [`CalCom::upcoming_bookings`]).
const PAGE_OVERLAP: usize = 10;
/// Pages read at most per listing: 1,920 distinct bookings in the window. Each page is one
/// request of the call's outbound budget, so this also leaves room for the booking itself.
const MAX_PAGES: usize = 8;

/// Which upcoming bookings to list; Cal.com narrows by time itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct Window {
    /// Bookings starting at or after this instant.
    pub after_start: Option<DateTime<Utc>>,
    /// Bookings ending at or before this instant.
    pub before_end: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct BookingPage {
    data: Vec<Booking>,
    #[serde(default)]
    pagination: Option<Pagination>,
}

/// The `pagination` block of `GetBookingsOutput_2024_08_13` (`PaginationMetaDto`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Pagination {
    has_next_page: bool,
}

pub struct CalCom<'a> {
    base: &'a str,
    bearer: String,
}

#[derive(Deserialize)]
struct Envelope<T> {
    data: T,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    message: String,
}

/// A booking as Cal.com returns it (the fields the plugin uses).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Booking {
    pub uid: String,
    pub status: String,
    pub start: String,
    pub end: String,
    #[serde(default)]
    pub event_type_id: Option<u64>,
    #[serde(default)]
    pub attendees: Vec<Attendee>,
    /// What the plugin wrote when booking (`callId`, `source`, `notes`); Cal.com returns it.
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
}

impl Booking {
    /// A string value of the booking's metadata.
    pub fn metadata_text(&self, key: &str) -> Option<&str> {
        self.metadata.as_ref()?.get(key)?.as_str()
    }
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attendee {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone_number: Option<String>,
}

/// Who is booking, as Cal.com's `attendee` object wants it.
pub struct NewAttendee<'a> {
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub time_zone: &'a str,
    pub language: &'a str,
}

#[derive(Deserialize)]
struct RangeSlot {
    start: String,
    end: Option<String>,
}

impl<'a> CalCom<'a> {
    pub fn new(settings: &'a Settings) -> Result<Self, CalError> {
        let key = settings
            .calcom_api_key
            .as_deref()
            .ok_or(CalError::NotConfigured)?;
        Ok(Self {
            base: &settings.calcom_base_url,
            bearer: format!("Bearer {key}"),
        })
    }

    /// Free slots of `event_type_id` between `start` and `end` in one request; Cal.com takes
    /// a range, so a two-week search costs the same round trip as one day.
    pub fn slots(
        &self,
        event_type_id: u64,
        duration: Option<u32>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        timezone: &str,
    ) -> Result<Vec<Slot>, CalError> {
        let mut url = format!(
            "{}/slots?eventTypeId={event_type_id}&start={}&end={}&timeZone={}&format=range",
            self.base,
            start.to_rfc3339_opts(SecondsFormat::Secs, true),
            end.to_rfc3339_opts(SecondsFormat::Secs, true),
            encode(timezone),
        );
        if let Some(minutes) = duration {
            url.push_str(&format!("&duration={minutes}"));
        }
        let body = self.get(&url, SLOTS_API_VERSION)?;
        let days: Envelope<std::collections::BTreeMap<String, Vec<RangeSlot>>> =
            serde_json::from_slice(&body).map_err(|err| CalError::Malformed(err.to_string()))?;
        let minutes = i64::from(duration.unwrap_or(30));
        let mut slots = Vec::new();
        for slot in days.data.into_values().flatten() {
            let start = parse_instant(&slot.start)?;
            let end = match slot.end.as_deref() {
                Some(end) => parse_instant(end)?,
                None => start + chrono::TimeDelta::minutes(minutes),
            };
            slots.push(Slot { start, end });
        }
        slots.sort_by_key(|slot| slot.start);
        Ok(slots)
    }

    /// Books `start` (an instant) for `event_type_id`, consuming the call's reservation of it
    /// when there is one. Refusals come back as [`CalError::Rejected`]; [`CalError::refusal`]
    /// says what they mean.
    pub fn create_booking(
        &self,
        event_type_id: u64,
        start: DateTime<Utc>,
        attendee: &NewAttendee<'_>,
        metadata: &[(&str, &str)],
        reserved_slot_uid: Option<&str>,
    ) -> Result<Booking, CalError> {
        let body = booking_body(event_type_id, start, attendee, metadata, reserved_slot_uid);
        let url = format!("{}/bookings", self.base);
        self.booking_answer(self.post(&url, &body)?)
    }

    pub fn booking(&self, uid: &str) -> Result<Booking, CalError> {
        let url = format!("{}/bookings/{}", self.base, encode(uid));
        self.booking_answer(self.get(&url, BOOKINGS_API_VERSION)?)
    }

    /// The upcoming bookings in `window` that `keep` accepts, read page by page.
    ///
    /// Cal.com's `GET /v2/bookings` (`GetBookingsInput_2024_08_13`) filters by time
    /// (`afterStart`: start ≥, `beforeEnd`: end ≤), attendee email and name, but not by phone,
    /// so a caller's bookings are found by reading every page of the window and keeping
    /// theirs. Pages overlap by [`PAGE_OVERLAP`], so a booking cancelled between two reads does
    /// not shift one past the reader; duplicates are dropped by uid. At most [`MAX_PAGES`]
    /// pages are read, so a calendar that keeps answering "more" cannot hold the call.
    pub fn upcoming_bookings(
        &self,
        window: Window,
        mut keep: impl FnMut(&Booking) -> bool,
    ) -> Result<Vec<Booking>, CalError> {
        let mut kept: Vec<Booking> = Vec::new();
        for page in 0..MAX_PAGES {
            let skip = page * (PAGE_SIZE - PAGE_OVERLAP);
            let body = self.get(&self.list_url(window, skip), BOOKINGS_API_VERSION)?;
            let page: BookingPage = serde_json::from_slice(&body)
                .map_err(|err| CalError::Malformed(err.to_string()))?;
            let returned = page.data.len();
            for booking in page.data {
                if keep(&booking) && !kept.iter().any(|seen| seen.uid == booking.uid) {
                    kept.push(booking);
                }
            }
            // Older API versions send no `pagination`: a full page means there may be more.
            let more = page
                .pagination
                .map_or(returned >= PAGE_SIZE, |p| p.has_next_page);
            if !more || returned == 0 {
                return Ok(kept);
            }
        }
        eprintln!(
            "slotline-guest: stopped listing bookings after {MAX_PAGES} pages of {PAGE_SIZE}; \
             bookings beyond them were not read"
        );
        Ok(kept)
    }

    fn list_url(&self, window: Window, skip: usize) -> String {
        let mut url = format!(
            "{}/bookings?status=upcoming&sortStart=asc&take={PAGE_SIZE}&skip={skip}",
            self.base
        );
        let instant = |at: DateTime<Utc>| encode(&at.to_rfc3339_opts(SecondsFormat::Secs, true));
        if let Some(after) = window.after_start {
            url.push_str(&format!("&afterStart={}", instant(after)));
        }
        if let Some(before) = window.before_end {
            url.push_str(&format!("&beforeEnd={}", instant(before)));
        }
        url
    }

    pub fn cancel(&self, uid: &str, reason: Option<&str>) -> Result<Booking, CalError> {
        let url = format!("{}/bookings/{}/cancel", self.base, encode(uid));
        let body = match reason {
            Some(reason) => serde_json::json!({ "cancellationReason": reason }),
            None => serde_json::json!({}),
        };
        self.booking_answer(self.post(&url, &body)?)
    }

    /// Moves a booking; Cal.com creates a new one (new uid) and cancels the old.
    pub fn reschedule(
        &self,
        uid: &str,
        start: DateTime<Utc>,
        reason: Option<&str>,
    ) -> Result<Booking, CalError> {
        let url = format!("{}/bookings/{}/reschedule", self.base, encode(uid));
        let mut body =
            serde_json::json!({ "start": start.to_rfc3339_opts(SecondsFormat::Secs, true) });
        if let Some(reason) = reason {
            body["reschedulingReason"] = reason.into();
        }
        self.booking_answer(self.post(&url, &body)?)
    }

    fn booking_answer(&self, body: Vec<u8>) -> Result<Booking, CalError> {
        let envelope: Envelope<Booking> =
            serde_json::from_slice(&body).map_err(|err| CalError::Malformed(err.to_string()))?;
        Ok(envelope.data)
    }

    fn post(&self, url: &str, body: &serde_json::Value) -> Result<Vec<u8>, CalError> {
        self.send(&Method::Post, url, BOOKINGS_API_VERSION, Some(body))
    }

    fn get(&self, url: &str, api_version: &str) -> Result<Vec<u8>, CalError> {
        self.send(&Method::Get, url, api_version, None)
    }

    /// The API base, up to `/v2`.
    pub fn base(&self) -> &str {
        self.base
    }

    /// One request with the key and the handler version; a JSON body when given. The answer's
    /// body on 2xx, else what [`check_status`] makes of it.
    pub fn send(
        &self,
        method: &Method,
        url: &str,
        api_version: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Vec<u8>, CalError> {
        let mut headers = vec![
            ("authorization", self.bearer.as_str()),
            ("cal-api-version", api_version),
            ("accept", "application/json"),
        ];
        let bytes = body.map(serde_json::Value::to_string);
        if bytes.is_some() {
            headers.push(("content-type", "application/json"));
        }
        let response = http::send(method, url, &headers, bytes.as_deref().map(str::as_bytes))?;
        check_status(response.status, response.body)
    }
}

/// The body of `POST /v2/bookings` (`CreateBookingInput_2024_08_13`). `reservedSlotUid` names
/// the call's own reservation of the slot: Cal.com refuses to book a slot someone holds
/// unless the booking names that hold, and deletes it with the booking.
pub fn booking_body(
    event_type_id: u64,
    start: DateTime<Utc>,
    attendee: &NewAttendee<'_>,
    metadata: &[(&str, &str)],
    reserved_slot_uid: Option<&str>,
) -> serde_json::Value {
    let mut who = serde_json::json!({
        "name": attendee.name,
        "timeZone": attendee.time_zone,
        "language": attendee.language,
    });
    if let Some(email) = attendee.email {
        who["email"] = email.into();
    }
    if let Some(phone) = attendee.phone {
        who["phoneNumber"] = phone.into();
    }
    let metadata: serde_json::Map<String, serde_json::Value> = metadata
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).into()))
        .collect();
    let mut body = serde_json::json!({
        "start": start.to_rfc3339_opts(SecondsFormat::Secs, true),
        "eventTypeId": event_type_id,
        "attendee": who,
        "metadata": metadata,
    });
    if let Some(uid) = reserved_slot_uid {
        body["reservedSlotUid"] = uid.into();
    }
    body
}

/// Sorts an answer into success, a refusal Cal.com explained, or unavailability.
fn check_status(status: u16, body: Vec<u8>) -> Result<Vec<u8>, CalError> {
    match status {
        200..=299 => Ok(body),
        429 => Err(CalError::RateLimited(format!("status {status}"))),
        500..=599 => Err(CalError::Unavailable(format!("status {status}"))),
        _ => {
            let message = serde_json::from_slice::<ErrorEnvelope>(&body)
                .map(|envelope| envelope.error.message)
                .unwrap_or_else(|_| String::from_utf8_lossy(&body).chars().take(200).collect());
            Err(CalError::Rejected { status, message })
        }
    }
}

fn parse_instant(text: &str) -> Result<DateTime<FixedOffset>, CalError> {
    DateTime::parse_from_rfc3339(text)
        .map_err(|_| CalError::Malformed(format!("bad time {text:?}")))
}

/// Percent-encodes a query value or a path segment (timezone names carry `/`, some `+`).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attendee() -> NewAttendee<'static> {
        NewAttendee {
            name: "Anna Müller",
            email: None,
            phone: Some("+4915112345678"),
            time_zone: "Europe/Berlin",
            language: "de",
        }
    }

    fn start() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-27T10:30:00+01:00")
            .map(|at| at.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn a_booking_with_a_hold_names_the_reservation() {
        let body = booking_body(
            1001,
            start(),
            &attendee(),
            &[("source", "slotline"), ("callId", "call-1")],
            Some("e84be5a3-4696-49e3-acc7-b2f3999c3b94"),
        );
        assert_eq!(
            body,
            serde_json::json!({
                "start": "2026-11-27T09:30:00Z",
                "eventTypeId": 1001,
                "attendee": {
                    "name": "Anna Müller",
                    "timeZone": "Europe/Berlin",
                    "language": "de",
                    "phoneNumber": "+4915112345678",
                },
                "metadata": {"source": "slotline", "callId": "call-1"},
                "reservedSlotUid": "e84be5a3-4696-49e3-acc7-b2f3999c3b94",
            })
        );
    }

    #[test]
    fn a_booking_without_a_hold_sends_no_reservation() {
        let body = booking_body(1001, start(), &attendee(), &[], None);
        assert!(body.get("reservedSlotUid").is_none(), "{body}");
        assert_eq!(body["start"], "2026-11-27T09:30:00Z");
    }
}
