//! `POST /v1/calcom/{tenant}/webhook`: Cal.com tells us a booking changed, so the tenant's
//! plugin can drop what it cached instead of serving a stale calendar until the TTL ends.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

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

/// `POST /v1/calcom/{tenant}/webhook`: hands the event to the tenant's plugin.
pub async fn webhook(
    State(state): State<Arc<AppState>>,
    Verified { tenant, body, .. }: Verified<Calcom>,
) -> Result<Json<Value>, ApiError> {
    let event = parse_webhook(&body)?;
    let delivered = state.dispatcher.deliver_event(&tenant, event).await;
    Ok(Json(json!({ "received": true, "delivered": delivered })))
}
