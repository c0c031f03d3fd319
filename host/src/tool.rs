//! Tool calls: the platform-neutral form of what a voice agent asks, and what it gets back.
//!
//! Retell and Vapi adapters turn their wire formats into a [`ToolRequest`]; the plugin answers
//! with a [`ToolResponse`], which becomes a spoken sentence plus structured `data`.

use serde::Deserialize;
use serde::de::{Deserializer, Error as _};
use serde_json::{Value, json};

use crate::runtime::api;

/// The tools a plugin implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tool {
    ParseDate,
    CheckAvailability,
    FindAlternatives,
    CreateBooking,
    CancelBooking,
    RescheduleBooking,
    ListBookings,
    ListServices,
    /// Handled by the host: recorded in the store, not by the plugin.
    RequestCallback,
    /// Handled by the host: today's date and the opening hours, for the agent.
    GetContext,
}

impl Tool {
    pub const ALL: [Tool; 10] = [
        Tool::ParseDate,
        Tool::CheckAvailability,
        Tool::FindAlternatives,
        Tool::CreateBooking,
        Tool::CancelBooking,
        Tool::RescheduleBooking,
        Tool::ListBookings,
        Tool::ListServices,
        Tool::RequestCallback,
        Tool::GetContext,
    ];

    /// Resolves a platform's function name. Retell agents often version their functions
    /// (`check_availability_v2`), so a `_v<N>` suffix is ignored.
    pub fn from_name(name: &str) -> Option<Tool> {
        let base = match name.rsplit_once("_v") {
            Some((base, version))
                if !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()) =>
            {
                base
            }
            _ => name,
        };
        Tool::ALL.into_iter().find(|tool| tool.name() == base)
    }

    pub fn name(self) -> &'static str {
        match self {
            Tool::ParseDate => "parse_date",
            Tool::CheckAvailability => "check_availability",
            Tool::FindAlternatives => "find_alternatives",
            Tool::CreateBooking => "create_booking",
            Tool::CancelBooking => "cancel_booking",
            Tool::RescheduleBooking => "reschedule_booking",
            Tool::ListBookings => "list_bookings",
            Tool::ListServices => "list_services",
            Tool::RequestCallback => "request_callback",
            Tool::GetContext => "get_context",
        }
    }

    /// Whether the tool changes the calendar (longer upstream timeout, idempotency).
    pub fn is_mutating(self) -> bool {
        matches!(
            self,
            Tool::CreateBooking | Tool::CancelBooking | Tool::RescheduleBooking
        )
    }
}

/// A typed request for one plugin function.
#[derive(Debug, Clone)]
pub enum ToolRequest {
    ParseDate(api::ParseDateRequest),
    CheckAvailability(api::AvailabilityRequest),
    FindAlternatives(api::AlternativesRequest),
    CreateBooking(api::BookingRequest),
    CancelBooking(api::CancelRequest),
    RescheduleBooking(api::RescheduleRequest),
    ListBookings,
    ListServices,
    CalendarEvent(api::CalendarEvent),
    RequestCallback(CallbackRequest),
    GetContext,
}

/// A caller's wish to be called back.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CallbackRequest {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub preferred_time: Option<String>,
    pub reason: Option<String>,
    pub service: Option<String>,
}

impl ToolRequest {
    pub fn is_mutating(&self) -> bool {
        matches!(
            self,
            ToolRequest::CreateBooking(_)
                | ToolRequest::CancelBooking(_)
                | ToolRequest::RescheduleBooking(_)
        )
    }
}

/// The arguments were understood as JSON but not as this tool's arguments.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgsError {
    #[error("missing argument `{0}`")]
    Missing(&'static str),
    #[error("invalid arguments: {0}")]
    Invalid(String),
}

/// Arguments as agents send them: English or German names, strings or numbers.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Args {
    #[serde(deserialize_with = "lenient", alias = "eingabe")]
    text: Option<String>,
    #[serde(deserialize_with = "lenient", alias = "datum")]
    date: Option<String>,
    #[serde(deserialize_with = "lenient", alias = "uhrzeit", alias = "zeit")]
    time: Option<String>,
    #[serde(deserialize_with = "lenient", alias = "beginn")]
    start: Option<String>,
    #[serde(deserialize_with = "lenient", alias = "dienstleistung")]
    service: Option<String>,
    #[serde(deserialize_with = "lenient", alias = "dauer")]
    duration: Option<String>,
    #[serde(deserialize_with = "lenient", alias = "anzahl")]
    max: Option<String>,
    #[serde(deserialize_with = "lenient")]
    name: Option<String>,
    #[serde(deserialize_with = "lenient")]
    email: Option<String>,
    #[serde(
        deserialize_with = "lenient",
        alias = "telefon",
        alias = "phone_number"
    )]
    phone: Option<String>,
    #[serde(deserialize_with = "lenient", alias = "notizen", alias = "notiz")]
    notes: Option<String>,
    #[serde(deserialize_with = "lenient", alias = "buchungs_id", alias = "uid")]
    booking_id: Option<String>,
    #[serde(deserialize_with = "lenient", alias = "grund")]
    reason: Option<String>,
    #[serde(deserialize_with = "lenient", alias = "neues_datum")]
    new_date: Option<String>,
    #[serde(
        deserialize_with = "lenient",
        alias = "neue_uhrzeit",
        alias = "neue_zeit"
    )]
    new_time: Option<String>,
    #[serde(
        deserialize_with = "lenient",
        alias = "wunschzeit",
        alias = "rueckrufzeit"
    )]
    preferred_time: Option<String>,
}

/// Accepts a string, number or boolean as text; treats null and blank strings as absent.
fn lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let text = match Value::deserialize(deserializer)? {
        Value::Null => return Ok(None),
        Value::String(text) => text,
        Value::Number(number) => number.to_string(),
        Value::Bool(flag) => flag.to_string(),
        other => return Err(D::Error::custom(format!("expected text, got {other}"))),
    };
    let trimmed = text.trim();
    Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
}

fn required(value: Option<String>, name: &'static str) -> Result<String, ArgsError> {
    value.ok_or(ArgsError::Missing(name))
}

fn number(value: Option<String>, name: &str) -> Result<Option<u32>, ArgsError> {
    value
        .map(|text| {
            text.parse::<u32>()
                .map_err(|_| ArgsError::Invalid(format!("`{name}` must be a whole number")))
        })
        .transpose()
}

impl ToolRequest {
    /// Reads `args` (a JSON object; `null` counts as empty) as arguments of `tool`.
    pub fn from_args(tool: Tool, args: &Value) -> Result<ToolRequest, ArgsError> {
        let args: Args = match args {
            Value::Null => Args::default(),
            Value::Object(_) => {
                Args::deserialize(args).map_err(|err| ArgsError::Invalid(err.to_string()))?
            }
            _ => return Err(ArgsError::Invalid("arguments must be a JSON object".into())),
        };
        Ok(match tool {
            Tool::ParseDate => ToolRequest::ParseDate(api::ParseDateRequest {
                text: required(args.text.or(args.date), "text")?,
            }),
            Tool::CheckAvailability => ToolRequest::CheckAvailability(api::AvailabilityRequest {
                date: required(args.date, "date")?,
                time: args.time,
                service: args.service,
                duration: number(args.duration, "duration")?,
            }),
            Tool::FindAlternatives => ToolRequest::FindAlternatives(api::AlternativesRequest {
                date: required(args.date, "date")?,
                time: required(args.time, "time")?,
                service: args.service,
                max: number(args.max, "max")?,
            }),
            Tool::CreateBooking => {
                if args.start.is_none() && args.date.is_none() {
                    return Err(ArgsError::Missing("date"));
                }
                ToolRequest::CreateBooking(api::BookingRequest {
                    date: args.date,
                    time: args.time,
                    start: args.start,
                    name: required(args.name, "name")?,
                    email: args.email,
                    phone: args.phone,
                    service: args.service,
                    notes: args.notes,
                })
            }
            Tool::CancelBooking => ToolRequest::CancelBooking(api::CancelRequest {
                booking_id: args.booking_id,
                date: args.date,
                reason: args.reason,
            }),
            Tool::RescheduleBooking => ToolRequest::RescheduleBooking(api::RescheduleRequest {
                booking_id: args.booking_id,
                date: args.date,
                new_date: required(args.new_date, "new_date")?,
                new_time: required(args.new_time, "new_time")?,
                reason: args.reason,
            }),
            Tool::ListBookings => ToolRequest::ListBookings,
            Tool::ListServices => ToolRequest::ListServices,
            Tool::RequestCallback => ToolRequest::RequestCallback(CallbackRequest {
                name: args.name,
                phone: args.phone,
                preferred_time: args.preferred_time.or(args.time).or(args.date),
                reason: args.reason.or(args.notes),
                service: args.service,
            }),
            Tool::GetContext => ToolRequest::GetContext,
        })
    }
}

/// What a plugin answered.
#[derive(Debug, Clone)]
pub enum ToolResponse {
    ParsedDate(api::ParsedDate),
    Availability(api::Availability),
    Alternatives(api::Alternatives),
    Booking(api::BookingReply),
    Bookings(api::BookingList),
    Services(api::ServiceList),
    /// Functions without a reply, such as calendar events.
    Done,
}

impl ToolResponse {
    /// The sentence the agent should say.
    pub fn speech(&self) -> &str {
        match self {
            ToolResponse::ParsedDate(reply) => &reply.speech,
            ToolResponse::Availability(reply) => &reply.speech,
            ToolResponse::Alternatives(reply) => &reply.speech,
            ToolResponse::Booking(reply) => &reply.speech,
            ToolResponse::Bookings(reply) => &reply.speech,
            ToolResponse::Services(reply) => &reply.speech,
            ToolResponse::Done => "",
        }
    }

    /// The structured part of the reply (DESIGN.md §4), without the speech.
    pub fn data(&self) -> Value {
        match self {
            ToolResponse::ParsedDate(reply) => json!({
                "date": reply.date,
                "time": reply.time,
                "start": reply.start,
                "weekday": reply.weekday,
            }),
            ToolResponse::Availability(reply) => json!({
                "available": reply.available,
                "requested": reply.requested,
                "slots": reply.slots,
                "alternatives": alternatives(&reply.alternatives),
            }),
            ToolResponse::Alternatives(reply) => json!({
                "alternatives": alternatives(&reply.alternatives),
            }),
            ToolResponse::Booking(reply) => booking(&reply.booking),
            ToolResponse::Bookings(reply) => json!({
                "bookings": reply.bookings.iter().map(booking).collect::<Vec<_>>(),
            }),
            ToolResponse::Services(reply) => json!({
                "services": reply.services.iter().map(|service| json!({
                    "name": service.name,
                    "duration_minutes": service.duration_minutes,
                })).collect::<Vec<_>>(),
            }),
            ToolResponse::Done => json!({}),
        }
    }
}

fn alternatives(list: &[api::Alternative]) -> Vec<Value> {
    list.iter()
        .map(|alternative| {
            let kind = match alternative.kind {
                api::AlternativeKind::SameDay => "same_day",
                api::AlternativeKind::OtherDay => "other_day",
            };
            json!({ "start": alternative.start, "end": alternative.end, "kind": kind })
        })
        .collect()
}

fn booking(booking: &api::Booking) -> Value {
    json!({
        "booking_id": booking.booking_id,
        "start": booking.start,
        "end": booking.end,
        "status": booking.status,
        "service": booking.service,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versioned_names_resolve_to_their_tool() {
        assert_eq!(
            Tool::from_name("check_availability"),
            Some(Tool::CheckAvailability)
        );
        assert_eq!(
            Tool::from_name("check_availability_v2"),
            Some(Tool::CheckAvailability)
        );
        assert_eq!(Tool::from_name("check_availability_v"), None);
        assert_eq!(Tool::from_name("book_it"), None);
    }

    #[test]
    fn german_argument_names_and_numbers_are_understood() -> Result<(), ArgsError> {
        let args = json!({"datum": "2026-12-01", "uhrzeit": "15:00", "dienstleistung": "Beratung", "dauer": 30});
        let ToolRequest::CheckAvailability(req) =
            ToolRequest::from_args(Tool::CheckAvailability, &args)?
        else {
            return Err(ArgsError::Invalid("wrong request".into()));
        };
        assert_eq!(req.date, "2026-12-01");
        assert_eq!(req.time.as_deref(), Some("15:00"));
        assert_eq!(req.service.as_deref(), Some("Beratung"));
        assert_eq!(req.duration, Some(30));
        Ok(())
    }

    #[test]
    fn missing_and_malformed_arguments_are_named() {
        let missing = ToolRequest::from_args(Tool::CheckAvailability, &json!({"time": "15:00"}));
        assert_eq!(missing.err(), Some(ArgsError::Missing("date")));
        let bad = ToolRequest::from_args(
            Tool::CheckAvailability,
            &json!({"date": "x", "dauer": "lang"}),
        );
        assert!(matches!(bad, Err(ArgsError::Invalid(_))));
        let not_object = ToolRequest::from_args(Tool::ListBookings, &json!([1]));
        assert!(matches!(not_object, Err(ArgsError::Invalid(_))));
    }
}
