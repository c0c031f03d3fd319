//! `POST /v2/slots/reservations`, `GET`, `PATCH` and `DELETE /v2/slots/reservations/{uid}`
//! (cal-api-version 2024-09-04).
//!
//! Routes, status codes and guards from `SlotsController_2024_09_04`
//! (`apps/api/v2/src/modules/slots/slots-2024-09-04/controllers/slots.controller.ts`): only
//! `POST` looks at credentials (`OptionalApiAuthGuard`: none is fine, invalid ones are
//! refused as everywhere); `POST` answers 201, `GET`, `PATCH` and `DELETE` 200. The bodies
//! are `ReserveSlotInput_2024_09_04` (`packages/platform/types/slots/slots-2024-09-04/inputs/
//! reserve-slot.input.ts`), checked by the global `ValidationPipe` of `apps/api/v2/src/app.ts`
//! (`whitelist`, so unknown properties are dropped, and `BadRequestException({ errors })`,
//! whose message NestJS makes "Bad Request Exception"). The answers are
//! `ReserveSlotOutput_2024_09_04` and `GetReservedSlotOutput_2024_09_04`
//! (`.../slots-2024-09-04/outputs/`), filled by `SlotsOutputService_2024_09_04`: Luxon
//! `toISO()` in UTC (`2050-09-05T10:00:00.000Z`), keys in the classes' order. A `GET` of an
//! unknown uid is `{"status":"success","data":null}`; a `DELETE` of one is a success too.
//! What a reservation does is in `crate::reservations`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::{VERSION_SLOTS, bearer_token, require_version};
use crate::Simulator;
use crate::errors::{ApiError, json_response, success};
use crate::reservations::{Reservation, ReservationError, ReserveRequest};
use crate::timefmt::{js_iso, parse_instant};

/// `ReserveSlotOutput_2024_09_04`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReserveSlotOutput {
    event_type_id: i64,
    slot_start: String,
    slot_end: String,
    slot_duration: i64,
    reservation_uid: String,
    reservation_duration: i64,
    reservation_until: String,
}

impl ReserveSlotOutput {
    pub(crate) fn new(reservation: &Reservation, hold_minutes: i64) -> ReserveSlotOutput {
        ReserveSlotOutput {
            event_type_id: reservation.event_type_id,
            slot_start: js_iso(reservation.start),
            slot_end: js_iso(reservation.end),
            slot_duration: reservation.slot_minutes(),
            reservation_uid: reservation.uid.clone(),
            reservation_duration: hold_minutes,
            reservation_until: js_iso(reservation.release_at),
        }
    }
}

/// `GetReservedSlotOutput_2024_09_04`: no `reservationDuration` (Cal.com does not keep it).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetReservedSlotOutput {
    reservation_uid: String,
    event_type_id: i64,
    slot_start: String,
    slot_end: String,
    slot_duration: i64,
    reservation_until: String,
}

impl From<ReservationError> for ApiError {
    fn from(error: ReservationError) -> Self {
        let message = error.to_string();
        match error {
            ReservationError::Unauthenticated => ApiError::Unauthorized(message),
            ReservationError::UnknownEventType(_) | ReservationError::NotFound(_) => {
                ApiError::NotFound(message)
            }
            ReservationError::AlreadyBooked | ReservationError::AlreadyReserved => {
                ApiError::UnprocessableEntity(message)
            }
            _ => ApiError::BadRequest(message),
        }
    }
}

/// `POST /v2/slots/reservations` → 201.
pub(crate) async fn reserve_slot(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_version(&headers, VERSION_SLOTS)?;
    let authenticated = if bearer_token(&headers).is_some() {
        sim.authenticate(&headers)?;
        true
    } else {
        false
    };
    let request = parse(&body)?;
    let (reservation, hold) = sim.calendar().reserve(&request, authenticated)?;
    Ok(success(
        StatusCode::CREATED,
        ReserveSlotOutput::new(&reservation, hold),
    ))
}

/// `GET /v2/slots/reservations/{uid}`.
pub(crate) async fn get_reservation(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(uid): Path<String>,
) -> Result<Response, ApiError> {
    require_version(&headers, VERSION_SLOTS)?;
    let data = sim
        .calendar()
        .reservation(&uid)
        .map(|reservation| GetReservedSlotOutput {
            reservation_uid: reservation.uid.clone(),
            event_type_id: reservation.event_type_id,
            slot_start: js_iso(reservation.start),
            slot_end: js_iso(reservation.end),
            slot_duration: reservation.slot_minutes(),
            reservation_until: js_iso(reservation.release_at),
        });
    Ok(success(StatusCode::OK, data))
}

/// `PATCH /v2/slots/reservations/{uid}` → 200.
pub(crate) async fn update_reservation(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(uid): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_version(&headers, VERSION_SLOTS)?;
    let request = parse(&body)?;
    let (reservation, hold) = sim.calendar().update_reservation(&uid, &request)?;
    Ok(success(
        StatusCode::OK,
        ReserveSlotOutput::new(&reservation, hold),
    ))
}

/// `DELETE /v2/slots/reservations/{uid}` → 200 `{"status":"success"}`.
pub(crate) async fn delete_reservation(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Path(uid): Path<String>,
) -> Result<Response, ApiError> {
    require_version(&headers, VERSION_SLOTS)?;
    sim.calendar().release(&uid);
    Ok(json_response(StatusCode::OK, &json!({"status": "success"})))
}

/// `ReserveSlotInput_2024_09_04` through the global `ValidationPipe`.
fn parse(body: &[u8]) -> Result<ReserveRequest, ApiError> {
    let invalid = || ApiError::BadRequest("Bad Request Exception".to_owned());
    let body: Map<String, Value> = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => map,
        _ if body.iter().all(u8::is_ascii_whitespace) => Map::new(),
        _ => return Err(invalid()),
    };
    let integer = |name: &str| -> Result<Option<i64>, ApiError> {
        match body.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => super::validate::as_int(value).map(Some).ok_or_else(invalid),
        }
    };
    let event_type_id = integer("eventTypeId")?.ok_or_else(invalid)?;
    let slot_duration = integer("slotDuration")?;
    let reservation_duration = integer("reservationDuration")?;
    let slot_start = body
        .get("slotStart")
        .and_then(Value::as_str)
        .and_then(parse_instant)
        .ok_or_else(invalid)?;
    Ok(ReserveRequest {
        event_type_id,
        slot_start,
        slot_duration,
        reservation_duration,
    })
}
