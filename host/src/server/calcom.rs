//! `POST /v1/calcom/{tenant}/webhook`: Cal.com tells us a booking changed, so the tenant's
//! plugin can drop what it cached instead of serving a stale calendar until the TTL ends.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::Sha256;

use super::{ApiError, AppState};
use crate::runtime::{CallInfo, api};
use crate::tool::ToolRequest;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Webhook {
    trigger_event: String,
    #[serde(default)]
    payload: Value,
}

/// Reads the body of a webhook (after its signature was checked) into the event the plugin
/// gets, and the call it is invoked under (`calcom:<trigger>`).
pub fn parse_webhook(body: &[u8]) -> Result<(api::CalendarEvent, CallInfo), ApiError> {
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
    let info = CallInfo {
        call_id: format!("calcom:{}", hook.trigger_event),
        ..CallInfo::default()
    };
    Ok((event, info))
}

pub async fn webhook(
    State(state): State<Arc<AppState>>,
    Path(tenant_id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let tenant = state
        .tenants
        .get(&tenant_id)
        .ok_or_else(|| ApiError::unknown_tenant(&tenant_id))?;
    let body = body?;
    let secret = tenant
        .calcom_webhook_secret
        .as_ref()
        .ok_or_else(|| ApiError::unauthorized("the tenant has no Cal.com webhook secret"))?;
    let given = headers
        .get("x-cal-signature-256")
        .and_then(|value| value.to_str().ok())
        .and_then(|hex| hex::decode(hex.trim()).ok())
        .ok_or_else(|| ApiError::unauthorized("missing or malformed X-Cal-Signature-256"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
        .map_err(|_| ApiError::unauthorized("unusable webhook secret"))?;
    mac.update(&body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(&given)
        .map_err(|_| ApiError::unauthorized("X-Cal-Signature-256 does not match the body"))?;

    let (event, info) = parse_webhook(&body)?;
    let trigger = event.trigger.clone();
    let outcome = state
        .dispatcher
        .runtime()
        .invoke(&tenant, &info, ToolRequest::CalendarEvent(event))
        .await;
    if let Err(err) = &outcome {
        tracing::warn!(tenant = %tenant.id, trigger = %trigger, error = %err, "plugin did not take the calendar event");
    }
    Ok(Json(
        json!({ "received": true, "delivered": outcome.is_ok() }),
    ))
}
