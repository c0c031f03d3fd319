//! The simulated API (`/v2`), its request pipeline, and the helpers its handlers share.
//!
//! A `/v2` request passes, outermost first: the request log → injected latency and faults →
//! the error renderer → the rate limit (matched routes only, like Cal.com's global throttler
//! guard, which never sees unrouted paths) → the handler, which checks `cal-api-version`,
//! then the API key, then the input, in the order Cal.com's router, guards and pipes do.

use std::time::Instant;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::Simulator;
use crate::errors::{ApiError, render_errors};
use crate::faults::apply_faults;
use crate::requests::record_requests;
use crate::server::ConnMeta;

pub(crate) mod bookings;
pub(crate) mod event_types;
pub(crate) mod reservations;
pub(crate) mod slots;
mod validate;

/// `cal-api-version` of the slots handler the simulator implements.
pub const VERSION_SLOTS: &str = "2024-09-04";
/// `cal-api-version` of the bookings handlers the simulator implements.
pub const VERSION_BOOKINGS: &str = "2024-08-13";
/// `cal-api-version` of the event-types handlers the simulator implements.
pub const VERSION_EVENT_TYPES: &str = "2024-06-14";

/// Every route of the simulator.
pub(crate) fn router(sim: Simulator) -> Router {
    let api = Router::new()
        .route("/v2/slots", get(slots::get_slots))
        .route("/v2/slots/reservations", post(reservations::reserve_slot))
        .route(
            "/v2/slots/reservations/{uid}",
            get(reservations::get_reservation)
                .patch(reservations::update_reservation)
                .delete(reservations::delete_reservation),
        )
        .route(
            "/v2/bookings",
            get(bookings::list_bookings).post(bookings::create_booking),
        )
        .route("/v2/bookings/{uid}", get(bookings::get_booking))
        .route("/v2/bookings/{uid}/cancel", post(bookings::cancel_booking))
        .route(
            "/v2/bookings/{uid}/reschedule",
            post(bookings::reschedule_booking),
        )
        .route("/v2/event-types", get(event_types::list_event_types))
        .route("/v2/event-types/{id}", get(event_types::get_event_type))
        .route_layer(from_fn_with_state(sim.clone(), limit_rate))
        .fallback(not_found)
        .layer(from_fn_with_state(sim.clone(), render_errors))
        .layer(from_fn_with_state(sim.clone(), apply_faults))
        .layer(from_fn_with_state(sim.clone(), record_requests));
    Router::new()
        .merge(api)
        .merge(crate::control::router())
        .with_state(sim)
}

/// NestJS's answer for a path no controller serves.
async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::NotFound(format!("Cannot {method} {}", uri.path()))
}

/// Counts the request against its tracker and adds the rate-limit headers to the answer.
async fn limit_rate(State(sim): State<Simulator>, request: Request, next: Next) -> Response {
    let client = request
        .extensions()
        .get::<ConnectInfo<ConnMeta>>()
        .map(|info| info.0.remote);
    let tracker = crate::rate_limit::tracker(request.headers(), client);
    let decision = sim.shared.limiter.hit(&tracker, Instant::now());
    let mut response = if decision.allowed {
        next.run(request).await
    } else {
        ApiError::TooManyRequests.into_response()
    };
    decision.apply(response.headers_mut());
    response
}

/// The bearer token, read the way Cal.com does (`Authorization` minus a `Bearer ` prefix).
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get("authorization")?.to_str().ok()?.trim();
    let token = value.strip_prefix("Bearer ").unwrap_or(value).trim();
    (!token.is_empty()).then_some(token)
}

/// Refuses requests without the expected `cal-api-version`.
///
/// Real Cal.com routes such requests to an older handler with other shapes. A client that
/// forgets the header would then see answers the simulator does not produce, so the
/// simulator refuses instead, naming the header and the version to send.
pub(crate) fn require_version(headers: &HeaderMap, expected: &str) -> Result<(), ApiError> {
    match headers
        .get("cal-api-version")
        .and_then(|value| value.to_str().ok())
    {
        Some(version) if version.trim() == expected => Ok(()),
        Some(version) => Err(ApiError::BadRequest(format!(
            "cal-api-version header is '{version}', but this endpoint is simulated for cal-api-version {expected} only (real Cal.com would route the request to another handler version)"
        ))),
        None => Err(ApiError::BadRequest(format!(
            "cal-api-version header is missing: send 'cal-api-version: {expected}' (real Cal.com would fall back to an older handler with a different response shape; calsim refuses)"
        ))),
    }
}

impl Simulator {
    /// Checks the API key like Cal.com's `ApiAuthStrategy`.
    pub(crate) fn authenticate(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        match bearer_token(headers) {
            None => Err(ApiError::Unauthorized(
                "No authentication method provided. Either pass an API key as 'Bearer' header or OAuth client credentials as 'x-cal-secret-key' and 'x-cal-client-id' headers".to_owned(),
            )),
            Some(token) if token.starts_with("cal_") => {
                if self.calendar().api_keys.contains(token) {
                    Ok(())
                } else {
                    Err(ApiError::Unauthorized("Your api key is not valid".to_owned()))
                }
            }
            Some(_) => Err(ApiError::Unauthorized("Invalid Access Token.".to_owned())),
        }
    }
}

/// Query parameters as pairs, first occurrence wins.
pub(crate) fn query_param<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}
