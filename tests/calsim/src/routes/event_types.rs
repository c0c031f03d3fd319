//! `GET /v2/event-types` and `GET /v2/event-types/{id}` (cal-api-version 2024-06-14).
//!
//! The answer carries the core of Cal.com's `EventTypeOutput_2024_06_14`: the fields a
//! booking client reads (id, title, slug, lengths, slot interval, notice, schedule, owner)
//! plus neutral values for the booking-page settings the simulator does not model.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Serialize;
use serde_json::{Value, json};

use super::{VERSION_EVENT_TYPES, query_param, require_version};
use crate::Simulator;
use crate::errors::{ApiError, success};
use crate::model::{EventType, Host};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventTypeOutput<'a> {
    id: i64,
    owner_id: i64,
    length_in_minutes: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    length_in_minutes_options: Vec<u32>,
    title: &'a str,
    slug: &'a str,
    description: &'a str,
    locations: Vec<Value>,
    booking_fields: Vec<Value>,
    disable_guests: bool,
    slot_interval: Option<u32>,
    minimum_booking_notice: u32,
    before_event_buffer: u32,
    after_event_buffer: u32,
    recurrence: Option<Value>,
    metadata: Value,
    price: u32,
    currency: &'static str,
    lock_time_zone_toggle_on_booking_page: bool,
    seats_per_time_slot: Option<u32>,
    is_instant_event: bool,
    schedule_id: i64,
    hidden: bool,
    users: Vec<Value>,
}

fn output<'a>(event_type: &'a EventType, host: &Host, schedule_id: i64) -> EventTypeOutput<'a> {
    EventTypeOutput {
        id: event_type.id,
        owner_id: host.id,
        length_in_minutes: event_type.length_in_minutes,
        length_in_minutes_options: event_type.length_in_minutes_options.clone(),
        title: &event_type.title,
        slug: &event_type.slug,
        description: &event_type.description,
        locations: Vec::new(),
        booking_fields: Vec::new(),
        disable_guests: false,
        slot_interval: event_type.slot_interval,
        minimum_booking_notice: event_type.minimum_booking_notice,
        before_event_buffer: 0,
        after_event_buffer: 0,
        recurrence: None,
        metadata: json!({}),
        price: 0,
        currency: "usd",
        lock_time_zone_toggle_on_booking_page: false,
        seats_per_time_slot: None,
        is_instant_event: false,
        schedule_id,
        hidden: event_type.hidden,
        users: vec![json!({
            "id": host.id,
            "name": host.name,
            "username": host.username,
            "avatarUrl": null,
            "weekStart": "Monday",
            "brandColor": null,
            "darkBrandColor": null,
            "metadata": {},
        })],
    }
}

/// `GET /v2/event-types`: the authenticated user's event types (`eventSlug` filters).
pub(crate) async fn list_event_types(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    require_version(&headers, VERSION_EVENT_TYPES)?;
    sim.authenticate(&headers)?;
    let slug = query_param(&query, "eventSlug");
    let calendar = sim.calendar();
    let data: Vec<EventTypeOutput<'_>> = calendar
        .event_types
        .iter()
        .filter(|event_type| slug.is_none_or(|slug| event_type.slug == slug))
        .map(|event_type| output(event_type, &calendar.host, calendar.schedule.id()))
        .collect();
    Ok(success(StatusCode::OK, data))
}

/// `GET /v2/event-types/{id}`.
pub(crate) async fn get_event_type(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require_version(&headers, VERSION_EVENT_TYPES)?;
    sim.authenticate(&headers)?;
    let calendar = sim.calendar();
    let event_type = id
        .parse::<i64>()
        .ok()
        .and_then(|id| calendar.event_type(id))
        .ok_or_else(|| ApiError::NotFound(format!("Event type with id={id} not found")))?;
    let data = output(event_type, &calendar.host, calendar.schedule.id());
    Ok(success(StatusCode::OK, data))
}
