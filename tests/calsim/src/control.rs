//! The control plane: `/_sim/...` JSON routes that do what the library methods do, for
//! tests in other languages, demos and manual poking with curl.
//!
//! | route | body | effect |
//! |---|---|---|
//! | `GET /_sim/requests` | | `{"count", "requests": [RequestRecord]}` |
//! | `POST /_sim/reset` | | back to the seed (204) |
//! | `PUT /_sim/seed` | a seed | replace the seed and reset (204) |
//! | `PUT /_sim/latency` | `{"endpoint", "latency": {"fixedMs"} \| {"minMs","maxMs"} \| null}` | 204 |
//! | `PUT /_sim/fault` | `{"endpoint", "fault": {"kind":"status","code","rate"} \| {"kind":"hang"} \| {"kind":"reset"} \| {"kind":"slowBody","chunkDelayMs","chunkSize"} \| null}` | 204 |
//! | `PUT /_sim/clock` | `{"now": RFC 3339 \| null}` | freeze / unfreeze (204) |
//! | `GET /_sim/clock` | | `{"now", "frozen"}` |
//! | `POST /_sim/clock/advance` | `{"seconds"}` (may be negative) | move the clock and freeze it there: `{"now"}` |
//! | `PUT /_sim/rate-limit` | `{"limit", "windowSeconds"?, "blockSeconds"?}` | 204 |
//! | `POST /_sim/webhooks` | `{"url", "secret"}` | subscribe (204) |
//! | `GET /_sim/webhooks/deliveries` | | `[WebhookDelivery]` |
//! | `GET /_sim/bookings` | | every booking, API shape |
//! | `POST /_sim/bookings` | `{"eventTypeId", "start", "lengthInMinutes"?, "name", "email"?, "phoneNumber"?, "timeZone"?, "reservedSlotUid"?}` | book directly (201, API shape); without `reservedSlotUid` as "someone else" |
//! | `GET /_sim/reservations` | | `{"now", "reservations": [ReservationSnapshot]}`, expired ones not yet deleted included |
//! | `POST /_sim/reservations` | `{"eventTypeId", "slotStart", "slotDuration"?, "reservationDuration"?}` | reserve as someone else (201, `{"status":"success","data": <POST /v2/slots/reservations data>}`) |
//!
//! A `ReservationSnapshot` is `{"reservationUid", "eventTypeId", "slotStart", "slotEnd",
//! "slotDuration", "reservationUntil", "live"}`.
//!
//! `endpoint` is one of `slots`, `createBooking`, `getBooking`, `listBookings`,
//! `cancelBooking`, `rescheduleBooking`, `eventTypes`, `reserveSlot`, `getReservation`,
//! `updateReservation`, `deleteReservation`, `all`. Errors are
//! `{"error": "<what is wrong>"}` with 400.

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::Simulator;
use crate::errors::{json_response, success};
use crate::faults::{Endpoint, Fault, Latency};
use crate::rate_limit::RateLimitConfig;
use crate::reservations::ReserveRequest;
use crate::routes::bookings::BookingOutput;
use crate::routes::reservations::ReserveSlotOutput;
use crate::seed::Seed;
use crate::simulator::DirectBooking;
use crate::timefmt::{js_iso, parse_instant};

/// The `/_sim` routes.
pub(crate) fn router() -> Router<Simulator> {
    Router::new()
        .route("/_sim/requests", get(requests))
        .route("/_sim/reset", post(reset))
        .route("/_sim/seed", put(load_seed))
        .route("/_sim/latency", put(set_latency))
        .route("/_sim/fault", put(set_fault))
        .route("/_sim/clock", put(set_clock).get(clock))
        .route("/_sim/clock/advance", post(advance_clock))
        .route("/_sim/rate-limit", put(set_rate_limit))
        .route("/_sim/webhooks", post(add_webhook))
        .route("/_sim/webhooks/deliveries", get(deliveries))
        .route("/_sim/bookings", get(bookings).post(book_directly))
        .route(
            "/_sim/reservations",
            get(reservations).post(reserve_directly),
        )
}

/// A control-plane refusal.
struct ControlError(String);

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        json_response(StatusCode::BAD_REQUEST, &json!({"error": self.0}))
    }
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ControlError> {
    serde_json::from_slice(body).map_err(|error| ControlError(error.to_string()))
}

async fn requests(State(sim): State<Simulator>) -> Response {
    json_response(
        StatusCode::OK,
        &json!({"count": sim.request_count(), "requests": sim.requests()}),
    )
}

async fn reset(State(sim): State<Simulator>) -> StatusCode {
    sim.reset();
    StatusCode::NO_CONTENT
}

async fn load_seed(State(sim): State<Simulator>, body: Bytes) -> Result<StatusCode, ControlError> {
    let seed: Seed = parse(&body)?;
    sim.load_seed(seed)
        .map_err(|error| ControlError(error.to_string()))?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(untagged)]
enum LatencySpec {
    Fixed {
        #[serde(rename = "fixedMs")]
        fixed_ms: u64,
    },
    Uniform {
        #[serde(rename = "minMs")]
        min_ms: u64,
        #[serde(rename = "maxMs")]
        max_ms: u64,
    },
}

#[derive(Deserialize)]
struct LatencyRequest {
    endpoint: Endpoint,
    latency: Option<LatencySpec>,
}

async fn set_latency(
    State(sim): State<Simulator>,
    body: Bytes,
) -> Result<StatusCode, ControlError> {
    let request: LatencyRequest = parse(&body)?;
    match request.latency {
        None => sim.clear_latency(request.endpoint),
        Some(LatencySpec::Fixed { fixed_ms }) => sim.set_latency(
            request.endpoint,
            Latency::Fixed(Duration::from_millis(fixed_ms)),
        ),
        Some(LatencySpec::Uniform { min_ms, max_ms }) => sim.set_latency(
            request.endpoint,
            Latency::Uniform(Duration::from_millis(min_ms), Duration::from_millis(max_ms)),
        ),
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum FaultSpec {
    Status {
        code: u16,
        #[serde(default = "always")]
        rate: f64,
    },
    Hang,
    Reset,
    #[serde(rename_all = "camelCase")]
    SlowBody {
        chunk_delay_ms: u64,
        chunk_size: usize,
    },
}

fn always() -> f64 {
    1.0
}

#[derive(Deserialize)]
struct FaultRequest {
    endpoint: Endpoint,
    fault: Option<FaultSpec>,
}

async fn set_fault(State(sim): State<Simulator>, body: Bytes) -> Result<StatusCode, ControlError> {
    let request: FaultRequest = parse(&body)?;
    let fault = match request.fault {
        None => None,
        Some(FaultSpec::Status { code, rate }) => {
            if StatusCode::from_u16(code).is_err() || !(0.0..=1.0).contains(&rate) {
                return Err(ControlError(
                    "status faults need a valid HTTP code and a rate between 0 and 1".to_owned(),
                ));
            }
            Some(Fault::Status { code, rate })
        }
        Some(FaultSpec::Hang) => Some(Fault::Hang),
        Some(FaultSpec::Reset) => Some(Fault::Reset),
        Some(FaultSpec::SlowBody {
            chunk_delay_ms,
            chunk_size,
        }) => Some(Fault::SlowBody {
            chunk_delay: Duration::from_millis(chunk_delay_ms),
            chunk_size,
        }),
    };
    sim.set_fault(request.endpoint, fault);
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct ClockRequest {
    now: Option<DateTime<Utc>>,
}

async fn set_clock(State(sim): State<Simulator>, body: Bytes) -> Result<StatusCode, ControlError> {
    let request: ClockRequest = parse(&body)?;
    sim.set_now(request.now);
    Ok(StatusCode::NO_CONTENT)
}

async fn clock(State(sim): State<Simulator>) -> Response {
    let calendar = sim.calendar();
    json_response(
        StatusCode::OK,
        &json!({"now": js_iso(calendar.now()), "frozen": calendar.fixed_now.is_some()}),
    )
}

#[derive(Deserialize)]
struct AdvanceRequest {
    seconds: i64,
}

async fn advance_clock(
    State(sim): State<Simulator>,
    body: Bytes,
) -> Result<Response, ControlError> {
    let request: AdvanceRequest = parse(&body)?;
    let by = chrono::Duration::try_seconds(request.seconds)
        .ok_or_else(|| ControlError(format!("cannot move the clock by {} s", request.seconds)))?;
    let now = sim.advance_clock(by);
    Ok(json_response(StatusCode::OK, &json!({"now": js_iso(now)})))
}

async fn reservations(State(sim): State<Simulator>) -> Response {
    let calendar = sim.calendar();
    let now = calendar.now();
    let listed: Vec<_> = calendar
        .reservations
        .iter()
        .map(|reservation| reservation.snapshot(now))
        .collect();
    json_response(
        StatusCode::OK,
        &json!({"now": js_iso(now), "reservations": listed}),
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DirectReservationRequest {
    event_type_id: i64,
    slot_start: String,
    slot_duration: Option<i64>,
    reservation_duration: Option<i64>,
}

async fn reserve_directly(
    State(sim): State<Simulator>,
    body: Bytes,
) -> Result<Response, ControlError> {
    let request: DirectReservationRequest = parse(&body)?;
    let slot_start = parse_instant(&request.slot_start).ok_or_else(|| {
        ControlError(format!(
            "slotStart `{}` is not ISO 8601",
            request.slot_start
        ))
    })?;
    let (reservation, hold) = sim
        .reserve_directly(&ReserveRequest {
            event_type_id: request.event_type_id,
            slot_start,
            slot_duration: request.slot_duration,
            reservation_duration: request.reservation_duration,
        })
        .map_err(|error| ControlError(error.to_string()))?;
    Ok(success(
        StatusCode::CREATED,
        ReserveSlotOutput::new(&reservation, hold),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RateLimitRequest {
    limit: u32,
    window_seconds: Option<u64>,
    block_seconds: Option<u64>,
}

async fn set_rate_limit(
    State(sim): State<Simulator>,
    body: Bytes,
) -> Result<StatusCode, ControlError> {
    let request: RateLimitRequest = parse(&body)?;
    let defaults = RateLimitConfig::default();
    sim.set_rate_limit(RateLimitConfig {
        limit: request.limit,
        window_seconds: request.window_seconds.unwrap_or(defaults.window_seconds),
        block_seconds: request.block_seconds.unwrap_or(defaults.block_seconds),
    });
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct WebhookRequest {
    url: String,
    #[serde(default)]
    secret: String,
}

async fn add_webhook(
    State(sim): State<Simulator>,
    body: Bytes,
) -> Result<StatusCode, ControlError> {
    let request: WebhookRequest = parse(&body)?;
    sim.add_webhook(request.url, request.secret);
    Ok(StatusCode::NO_CONTENT)
}

async fn deliveries(State(sim): State<Simulator>) -> Response {
    json_response(StatusCode::OK, &sim.webhook_deliveries())
}

async fn bookings(State(sim): State<Simulator>) -> Response {
    let bookings = sim.bookings();
    let calendar = sim.calendar();
    let data: Vec<BookingOutput<'_>> = bookings
        .iter()
        .map(|booking| {
            BookingOutput::new(
                booking,
                calendar.event_type(booking.event_type_id),
                &calendar.host,
            )
        })
        .collect();
    success(StatusCode::OK, data)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DirectBookingRequest {
    event_type_id: i64,
    start: String,
    length_in_minutes: Option<u32>,
    name: String,
    email: Option<String>,
    phone_number: Option<String>,
    time_zone: Option<String>,
    reserved_slot_uid: Option<String>,
}

async fn book_directly(
    State(sim): State<Simulator>,
    body: Bytes,
) -> Result<Response, ControlError> {
    let request: DirectBookingRequest = parse(&body)?;
    let start = parse_instant(&request.start)
        .ok_or_else(|| ControlError(format!("start `{}` is not ISO 8601", request.start)))?;
    let booking = sim
        .book_directly_holding(
            DirectBooking {
                event_type_id: request.event_type_id,
                start,
                length_in_minutes: request.length_in_minutes,
                name: request.name,
                email: request.email,
                phone_number: request.phone_number,
                time_zone: request.time_zone,
            },
            request.reserved_slot_uid,
        )
        .map_err(|error| ControlError(error.to_string()))?;
    let calendar = sim.calendar();
    let data = BookingOutput::new(
        &booking,
        calendar.event_type(booking.event_type_id),
        &calendar.host,
    );
    Ok(success(StatusCode::CREATED, data))
}
