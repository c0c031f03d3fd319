//! `GET /v2/slots` (cal-api-version 2024-09-04).
//!
//! Verified against Cal.com's `SlotsController_2024_09_04`, `SlotsInputService_2024_09_04`
//! and `SlotsOutputService_2024_09_04`: `start`/`end` are read as UTC; a bare date (or any
//! midnight) as `end` means 23:59:59 of that day; slots are grouped by their date in
//! `timeZone` (UTC when absent) and printed with Luxon's `toISO()` in that zone;
//! `format` (older name) or `slotFormat=range` adds `end`. The endpoint needs no API key.
//!
//! Live slot reservations of the host take their time out, for every caller (Cal.com's v2
//! slots service passes no booker `uid`, so nobody's own reservation is left in), and a
//! query deletes the expired reservations of its event type; see `crate::reservations`.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use serde::Serialize;

use super::validate::{self, Violations};
use super::{VERSION_SLOTS, query_param, require_version};
use crate::Simulator;
use crate::availability::{self, SlotQuery};
use crate::errors::{ApiError, json_response};
use crate::timefmt::{SlotZone, parse_instant, plus_minutes};

#[derive(Serialize)]
struct SlotsAnswer {
    data: BTreeMap<NaiveDate, Vec<Slot>>,
    status: &'static str,
}

#[derive(Serialize)]
struct Slot {
    start: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<String>,
}

struct SlotsInput {
    event_type: EventTypeRef,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    zone: SlotZone,
    duration: Option<u32>,
    range: bool,
}

enum EventTypeRef {
    Id(i64),
    Slug(String),
}

/// The handler.
pub(crate) async fn get_slots(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    require_version(&headers, VERSION_SLOTS)?;
    let input = parse(&query)?;
    let mut calendar = sim.calendar();
    let event_type = match &input.event_type {
        EventTypeRef::Id(id) => calendar.event_type(*id),
        EventTypeRef::Slug(slug) => calendar
            .event_types
            .iter()
            .find(|event_type| &event_type.slug == slug),
    }
    .cloned()
    .ok_or_else(|| ApiError::NotFound("Event Type not found".to_owned()))?;
    let length = match input.duration {
        Some(minutes) if !event_type.allows_length(minutes) => {
            return Err(ApiError::BadRequest(format!(
                "duration {minutes} is not one of the lengths of event type {}",
                event_type.id
            )));
        }
        Some(minutes) => minutes,
        None => event_type.length_in_minutes,
    };
    let interval = event_type
        .slot_interval
        .filter(|m| *m > 0)
        .unwrap_or(length);
    let now = calendar.now();
    calendar.clean_up_expired(event_type.id);
    let mut busy = calendar.busy(None);
    busy.extend(calendar.reserved_windows());
    let starts = availability::free_slots(
        &calendar.schedule,
        &busy,
        &SlotQuery {
            from: input.start,
            to: input.end,
            length,
            interval,
            not_before: now + Duration::minutes(i64::from(event_type.minimum_booking_notice)),
        },
    );
    drop(calendar);
    let mut data: BTreeMap<NaiveDate, Vec<Slot>> = BTreeMap::new();
    for start in starts {
        data.entry(input.zone.date(start)).or_default().push(Slot {
            start: input.zone.iso(start),
            end: input
                .range
                .then(|| input.zone.iso(plus_minutes(start, length))),
        });
    }
    Ok(json_response(
        StatusCode::OK,
        &SlotsAnswer {
            data,
            status: "success",
        },
    ))
}

fn parse(query: &[(String, String)]) -> Result<SlotsInput, ApiError> {
    let mut violations = Violations::default();
    let event_type = match (
        query_param(query, "eventTypeId"),
        query_param(query, "eventTypeSlug"),
    ) {
        (Some(id), _) => match id.trim().parse::<i64>() {
            Ok(id) => Some(EventTypeRef::Id(id)),
            Err(_) => {
                violations.property("eventTypeId", &[validate::integer("eventTypeId")]);
                None
            }
        },
        (None, Some(slug)) => Some(EventTypeRef::Slug(slug.to_owned())),
        (None, None) => {
            violations.property("eventTypeId", &[validate::integer("eventTypeId")]);
            None
        }
    };
    let mut instant = |name: &str| {
        let parsed = query_param(query, name).and_then(parse_instant);
        if parsed.is_none() {
            violations.property(name, &[validate::date_string(name)]);
        }
        parsed
    };
    let start = instant("start");
    let end = instant("end");
    let zone = match query_param(query, "timeZone") {
        None => Some(SlotZone::UTC),
        Some(name) => {
            let zone = SlotZone::parse(name);
            if zone.is_none() {
                violations.property("timeZone", &[validate::time_zone("timeZone")]);
            }
            zone
        }
    };
    let duration = match query_param(query, "duration") {
        None => Ok(None),
        Some(text) => match text.trim().parse::<u32>() {
            Ok(minutes) if minutes > 0 => Ok(Some(minutes)),
            _ => Err(()),
        },
    };
    if duration.is_err() {
        violations.property("duration", &[validate::integer("duration")]);
    }
    let format_name = if query_param(query, "slotFormat").is_some() {
        "slotFormat"
    } else {
        "format"
    };
    let range = match query_param(query, format_name) {
        None | Some("time") => Some(false),
        Some("range") => Some(true),
        Some(_) => {
            violations.property(
                format_name,
                &[validate::one_of(format_name, &["range", "time"])],
            );
            None
        }
    };
    violations.finish()?;
    match (event_type, start, end, zone, duration, range) {
        (Some(event_type), Some(start), Some(end), Some(zone), Ok(duration), Some(range)) => {
            Ok(SlotsInput {
                event_type,
                start,
                end: end_of_day_if_midnight(end),
                zone,
                duration,
                range,
            })
        }
        _ => Err(ApiError::BadRequest("Invalid query".to_owned())),
    }
}

/// Cal.com's `adjustEndTime`: an `end` at exactly midnight (a bare date) means 23:59:59.
fn end_of_day_if_midnight(end: DateTime<Utc>) -> DateTime<Utc> {
    if end.hour() == 0 && end.minute() == 0 && end.second() == 0 {
        end + Duration::seconds(23 * 3600 + 59 * 60 + 59)
    } else {
        end
    }
}
