//! `POST /v1/calcom/{tenant}/webhook`: Cal.com tells us a booking changed, so the tenant's
//! plugin can drop what it cached instead of serving a stale calendar until the TTL ends.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::auth::{Calcom, Verified};
use super::{ApiError, AppState};
use crate::runtime::api;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Webhook {
    trigger_event: String,
    #[serde(default)]
    payload: Value,
}

/// Reads the body of a webhook (after its signature was checked) into the event the plugin
/// gets.
pub fn parse_webhook(body: &[u8]) -> Result<api::CalendarEvent, ApiError> {
    let hook: Webhook = super::json::parse(body, "not a Cal.com webhook")?;
    let text = |key: &str| {
        hook.payload
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let event = api::CalendarEvent {
        trigger: hook.trigger_event.clone(),
        booking_id: text("uid"),
        event_type_id: hook.payload.get("eventTypeId").and_then(Value::as_u64),
        start: text("startTime"),
        end: text("endTime"),
        payload: hook.payload.to_string(),
    };
    Ok(event)
}

/// `POST /v1/calcom/{tenant}/webhook`: hands the event to the tenant's plugin, once.
///
/// Cal.com retries a delivery it considers failed and its body carries no delivery id, so an
/// identical body is one event: a redelivery of one the plugin took is acknowledged without
/// running the plugin again. One the plugin did not take is tried again.
pub async fn webhook(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Verified { tenant, body, .. }: Verified<Calcom>,
) -> Result<Json<Value>, ApiError> {
    let event = parse_webhook(&body)?;
    // Cal.com names its payload version (`X-Cal-Webhook-Version`); every version so far has
    // the fields read here, so it is only logged.
    let version = headers
        .get("x-cal-webhook-version")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("unversioned");
    let key = format!("{}\u{0}{}", tenant.id, hex::encode(Sha256::digest(&body)));
    if state.seen_calcom.contains_key(&key) {
        tracing::debug!(tenant = %tenant.id, trigger = %event.trigger, version, "Cal.com redelivered an event; already taken");
        return Ok(Json(
            json!({ "received": true, "delivered": true, "duplicate": true }),
        ));
    }
    tracing::debug!(tenant = %tenant.id, trigger = %event.trigger, version, "Cal.com event");
    let delivered = state.dispatcher.deliver_event(&tenant, event).await;
    if delivered {
        state.seen_calcom.insert(key, ());
    }
    Ok(Json(json!({ "received": true, "delivered": delivered })))
}
