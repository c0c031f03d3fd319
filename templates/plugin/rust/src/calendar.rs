//! Cal.com v2: free slots (cached per service and day in `wasi:keyvalue`), bookings.
//!
//! Requests follow Cal.com's API reference (https://cal.com/docs/api-reference/v2): the
//! `cal-api-version` header picks the handler, so it is sent on every request.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

use crate::exports::slotline::plugin::booking::{ErrorCode, PluginError};
use crate::http::{self, HttpError};
use crate::wasi::http::types::Method;
use crate::wasi::keyvalue::store;
use crate::{Call, ServiceSetting, internal};

const SLOTS_API: &str = "2024-09-04";
const BOOKINGS_API: &str = "2024-08-13";
/// Cached free slots are used this long (seconds, by the call's `now`); the gateway may drop
/// them earlier (its cache TTL) and drops them when Cal.com reports a booking change.
const CACHE_SECONDS: i64 = 60;
/// Cal.com's largest page of `GET /v2/bookings`, and how many pages a listing reads at most.
const PAGE_SIZE: usize = 250;
const MAX_PAGES: usize = 8;

pub struct Calendar {
    base: String,
    key: Option<String>,
    tz: Tz,
}

/// A booking as Cal.com returns it: the fields the plugin uses.
pub struct CalBooking {
    pub uid: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub status: String,
    pub event_type_id: Option<u64>,
    pub phones: Vec<String>,
}

pub struct NewBooking<'a> {
    pub service: &'a ServiceSetting,
    pub start: DateTime<Tz>,
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub notes: Option<&'a str>,
    pub call_id: &'a str,
    /// The call's hold of this very start (`reservedSlotUid`).
    pub hold: Option<&'a str>,
}

/// Why Cal.com gave no usable answer.
enum Failure {
    /// Unreachable, too slow, refused by the gateway, 5xx or 429: try again later.
    Unavailable(String),
    /// A 4xx with Cal.com's message.
    Refused(u16, String),
}

impl Failure {
    fn error(self) -> PluginError {
        match self {
            Failure::Unavailable(detail) => PluginError {
                code: ErrorCode::UpstreamUnavailable,
                detail,
                speech: None,
            },
            Failure::Refused(status, message) => PluginError {
                code: if status == 404 {
                    ErrorCode::NotFound
                } else {
                    ErrorCode::UpstreamError
                },
                detail: format!("Cal.com refused ({status}): {message}"),
                speech: None,
            },
        }
    }
}

fn malformed(detail: &str) -> PluginError {
    PluginError {
        code: ErrorCode::UpstreamError,
        detail: format!("unexpected Cal.com answer: {detail}"),
        speech: None,
    }
}

impl Calendar {
    pub fn new(base: &str, key: Option<String>, tz: Tz) -> Calendar {
        Calendar {
            base: base.to_owned(),
            key,
            tz,
        }
    }

    /// The free starts of `service` on `day`, from the cache while it is fresh.
    pub fn free_starts(
        &self,
        call: &Call,
        service: &ServiceSetting,
        day: NaiveDate,
    ) -> Result<Vec<DateTime<Tz>>, PluginError> {
        let cacheable = is_configured_length(call, service);
        if cacheable && let Some(starts) = self.cached(call, service.event_type_id, day) {
            return Ok(starts);
        }
        let starts = self.fetch_day(service, day)?;
        if cacheable {
            self.store(call, service.event_type_id, day, &starts);
        }
        Ok(starts)
    }

    /// Fetches `day` into the cache whatever it holds.
    pub fn refresh_day(
        &self,
        call: &Call,
        service: &ServiceSetting,
        day: NaiveDate,
    ) -> Result<(), PluginError> {
        let starts = self.fetch_day(service, day)?;
        self.store(call, service.event_type_id, day, &starts);
        Ok(())
    }

    pub fn forget_day(&self, event_type_id: u64, day: NaiveDate) {
        if let Ok(bucket) = store::open("") {
            // A failed delete leaves the entry to its 60 seconds.
            let _ = bucket.delete(&cache_key(event_type_id, day));
        }
    }

    fn fetch_day(
        &self,
        service: &ServiceSetting,
        day: NaiveDate,
    ) -> Result<Vec<DateTime<Tz>>, PluginError> {
        // The local day as UTC instants: Cal.com reads `start` and `end` as UTC.
        let local_midnight = |date: NaiveDate| {
            self.tz
                .from_local_datetime(&date.and_time(NaiveTime::MIN))
                .earliest()
                .map(|at| at.with_timezone(&Utc))
        };
        let (Some(from), Some(to)) = (local_midnight(day), local_midnight(day + Duration::days(1)))
        else {
            return Err(internal(format!("{day} has no midnight in {}", self.tz)));
        };
        let url = format!(
            "{}/slots?eventTypeId={}&start={}&end={}&timeZone={}&duration={}",
            self.base,
            service.event_type_id,
            encode(&utc(from)),
            encode(&utc(to - Duration::seconds(1))),
            encode(self.tz.name()),
            service.duration
        );
        let answer = self.request(Method::Get, &url, SLOTS_API, None)?;
        let days = answer
            .get("data")
            .and_then(Value::as_object)
            .ok_or_else(|| malformed("no `data` in the slots"))?;
        let mut starts = Vec::new();
        for slot in days.values().filter_map(Value::as_array).flatten() {
            let text = slot
                .get("start")
                .and_then(Value::as_str)
                .ok_or_else(|| malformed("a slot without `start`"))?;
            let start = DateTime::parse_from_rfc3339(text)
                .map_err(|_| malformed(&format!("bad slot start {text:?}")))?
                .with_timezone(&self.tz);
            if start.date_naive() == day {
                starts.push(start);
            }
        }
        starts.sort();
        starts.dedup();
        Ok(starts)
    }

    fn cached(&self, call: &Call, event_type_id: u64, day: NaiveDate) -> Option<Vec<DateTime<Tz>>> {
        let bytes = store::open("")
            .ok()?
            .get(&cache_key(event_type_id, day))
            .ok()??;
        let entry: Value = serde_json::from_slice(&bytes).ok()?;
        let age = call.now.timestamp() - entry.get("fetched")?.as_i64()?;
        if !(0..CACHE_SECONDS).contains(&age) {
            return None;
        }
        entry
            .get("slots")?
            .as_array()?
            .iter()
            .map(|start| {
                let seconds = start.as_i64()?;
                Some(DateTime::from_timestamp(seconds, 0)?.with_timezone(&self.tz))
            })
            .collect()
    }

    fn store(&self, call: &Call, event_type_id: u64, day: NaiveDate, starts: &[DateTime<Tz>]) {
        let entry = json!({
            "fetched": call.now.timestamp(),
            "slots": starts.iter().map(DateTime::timestamp).collect::<Vec<_>>(),
        });
        if let Ok(bucket) = store::open("") {
            // A failed write only costs the next call a request.
            let _ = bucket.set(&cache_key(event_type_id, day), entry.to_string().as_bytes());
        }
    }

    pub fn book(&self, call: &Call, booking: &NewBooking<'_>) -> Result<CalBooking, PluginError> {
        let mut attendee = json!({
            "name": booking.name,
            "timeZone": self.tz.name(),
            "language": if call.german { "de" } else { "en" },
        });
        if let Some(email) = booking.email {
            attendee["email"] = json!(email);
        }
        if let Some(phone) = booking.phone {
            attendee["phoneNumber"] = json!(phone);
        }
        let mut metadata = json!({"source": "slotline", "callId": booking.call_id});
        if let Some(notes) = booking.notes.map(str::trim).filter(|n| !n.is_empty()) {
            metadata["notes"] = json!(notes);
        }
        let mut body = json!({
            "start": utc(booking.start.with_timezone(&Utc)),
            "eventTypeId": booking.service.event_type_id,
            "attendee": attendee,
            "metadata": metadata,
        });
        if let Some(hold) = booking.hold {
            body["reservedSlotUid"] = json!(hold);
        }
        let url = format!("{}/bookings", self.base);
        let answer = match self.send(Method::Post, &url, BOOKINGS_API, Some(&body)) {
            Ok(answer) => answer,
            Err(Failure::Refused(status, message)) if is_taken(&message) => {
                return Err(PluginError {
                    code: ErrorCode::Conflict,
                    detail: format!("Cal.com refused ({status}): {message}"),
                    speech: Some(call.say(
                        "Der Termin wurde eben vergeben. Soll ich eine andere Zeit suchen?",
                        "That time was just taken. Shall I look for another one?",
                    )),
                });
            }
            Err(failure) => return Err(failure.error()),
        };
        self.forget_day(booking.service.event_type_id, booking.start.date_naive());
        read_booking(answer.get("data"))
    }

    pub fn cancel(&self, uid: &str, reason: Option<&str>) -> Result<CalBooking, PluginError> {
        let body = match reason {
            Some(reason) => json!({"cancellationReason": reason}),
            None => json!({}),
        };
        let url = format!("{}/bookings/{}/cancel", self.base, encode(uid));
        let cancelled = read_booking(
            self.request(Method::Post, &url, BOOKINGS_API, Some(&body))?
                .get("data"),
        )?;
        self.forget_booking_day(&cancelled);
        Ok(cancelled)
    }

    /// Cal.com makes a new booking (a new uid) and cancels the old one.
    pub fn reschedule(
        &self,
        uid: &str,
        start: DateTime<Tz>,
        reason: Option<&str>,
    ) -> Result<CalBooking, PluginError> {
        let mut body = json!({"start": utc(start.with_timezone(&Utc))});
        if let Some(reason) = reason {
            body["reschedulingReason"] = json!(reason);
        }
        let url = format!("{}/bookings/{}/reschedule", self.base, encode(uid));
        let moved = read_booking(
            self.request(Method::Post, &url, BOOKINGS_API, Some(&body))?
                .get("data"),
        )?;
        self.forget_booking_day(&moved);
        // The old day's entry stays until Cal.com's webhook drops it or its 60 seconds run
        // out: until then a slot that just became free is not offered, which harms nobody.
        Ok(moved)
    }

    fn forget_booking_day(&self, booking: &CalBooking) {
        if let Some(id) = booking.event_type_id {
            self.forget_day(id, booking.start.with_timezone(&self.tz).date_naive());
        }
    }

    /// The caller's upcoming bookings, by start. Cal.com filters by email and name but not
    /// by phone, so the pages are read and the caller's kept.
    pub fn callers_bookings(&self, call: &Call) -> Result<Vec<CalBooking>, PluginError> {
        let Some(caller) = call.caller.as_deref().map(digits) else {
            return Ok(Vec::new());
        };
        let mut found: Vec<CalBooking> = Vec::new();
        for page in 0..MAX_PAGES {
            let url = format!(
                "{}/bookings?status=upcoming&sortStart=asc&take={PAGE_SIZE}&skip={}",
                self.base,
                page * PAGE_SIZE
            );
            let answer = self.request(Method::Get, &url, BOOKINGS_API, None)?;
            let list = answer
                .get("data")
                .and_then(Value::as_array)
                .ok_or_else(|| malformed("no `data` in the bookings"))?;
            for raw in list {
                let booking = read_booking(Some(raw))?;
                if booking.phones.iter().any(|phone| digits(phone) == caller)
                    && !found.iter().any(|seen| seen.uid == booking.uid)
                {
                    found.push(booking);
                }
            }
            let more = answer
                .pointer("/pagination/hasNextPage")
                .and_then(Value::as_bool)
                .unwrap_or(list.len() == PAGE_SIZE);
            if !more || list.is_empty() {
                break;
            }
        }
        found.sort_by_key(|b| b.start);
        Ok(found)
    }

    fn request(
        &self,
        method: Method,
        url: &str,
        version: &str,
        body: Option<&Value>,
    ) -> Result<Value, PluginError> {
        self.send(method, url, version, body)
            .map_err(Failure::error)
    }

    fn send(
        &self,
        method: Method,
        url: &str,
        version: &str,
        body: Option<&Value>,
    ) -> Result<Value, Failure> {
        let Some(key) = &self.key else {
            return Err(Failure::Refused(
                401,
                "setting `calcom_api_key` is missing".to_owned(),
            ));
        };
        let bearer = format!("Bearer {key}");
        let mut headers = vec![
            ("authorization", bearer.as_str()),
            ("cal-api-version", version),
            ("accept", "application/json"),
        ];
        if body.is_some() {
            headers.push(("content-type", "application/json"));
        }
        let bytes = body.map(|b| b.to_string().into_bytes());
        let response = http::send(&method, url, &headers, bytes.as_deref())
            .map_err(|err: HttpError| Failure::Unavailable(err.to_string()))?;
        let text = String::from_utf8_lossy(&response.body);
        match response.status {
            200..=299 => serde_json::from_str(&text)
                .map_err(|err| Failure::Unavailable(format!("Cal.com sent no JSON: {err}"))),
            429 | 500..=599 => Err(Failure::Unavailable(format!(
                "Cal.com status {}",
                response.status
            ))),
            status => {
                let message = serde_json::from_str::<Value>(&text)
                    .ok()
                    .and_then(|v| {
                        v.pointer("/error/message")
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                    })
                    .unwrap_or_else(|| text.chars().take(200).collect());
                Err(Failure::Refused(status, message))
            }
        }
    }
}

/// Only the service's own length is cached; a call asking another length asks Cal.com.
fn is_configured_length(call: &Call, service: &ServiceSetting) -> bool {
    call.services
        .iter()
        .any(|s| s.event_type_id == service.event_type_id && s.duration == service.duration)
}

fn cache_key(event_type_id: u64, day: NaiveDate) -> String {
    format!("slots:{event_type_id}:{day}")
}

/// Cal.com's words for a slot someone else took (they vary across its versions).
fn is_taken(message: &str) -> bool {
    let message = message.to_lowercase();
    [
        "already has booking",
        "already has a booking",
        "not available",
        "unavailable",
        "no_available_users",
        "taken",
    ]
    .iter()
    .any(|words| message.contains(words))
}

fn read_booking(raw: Option<&Value>) -> Result<CalBooking, PluginError> {
    let raw = raw.ok_or_else(|| malformed("no booking in the answer"))?;
    let text = |key: &str| raw.get(key).and_then(Value::as_str);
    let instant = |key: &str| {
        text(key)
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|at| at.with_timezone(&Utc))
            .ok_or_else(|| malformed(&format!("a booking without `{key}`")))
    };
    Ok(CalBooking {
        uid: text("uid")
            .ok_or_else(|| malformed("a booking without `uid`"))?
            .to_owned(),
        start: instant("start")?,
        end: instant("end")?,
        status: text("status").unwrap_or_default().to_owned(),
        event_type_id: raw.get("eventTypeId").and_then(Value::as_u64),
        phones: raw
            .get("attendees")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|a| a.get("phoneNumber").and_then(Value::as_str))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
    })
}

fn utc(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// Percent-encodes a query value or path segment (timezone names carry `/`, times `:`).
fn encode(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
