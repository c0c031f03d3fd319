//! `GET /v1/admin/tenants/{tenant}/agent?platform=retell|vapi|mcp[&url=BASE]`: the tenant's
//! tool definitions as the platform takes them, the same JSON `slotline agent export`
//! prints.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use serde_json::Value;

use super::auth::Admin;
use super::{ApiError, AppState};
use crate::agent::{self, Platform};

/// `?platform=` (required) and `?url=`, the base URL the platform reaches the gateway at.
#[derive(Debug, serde::Deserialize)]
pub struct AgentQuery {
    platform: Option<String>,
    url: Option<String>,
}

/// Answers the definitions; 400 for a missing or unknown platform or a base URL that is not
/// http(s). Without `url`, the base is where this request was sent (its `Host`, and
/// `X-Forwarded-Proto` when a TLS proxy sits in front), which is what an operator calling the
/// gateway's public address wants.
pub async fn export(
    State(state): State<Arc<AppState>>,
    Admin { tenant, .. }: Admin,
    headers: HeaderMap,
    query: Result<Query<AgentQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(query) = query.map_err(|rejection| ApiError::bad_request(rejection.body_text()))?;
    let platform: Platform = query
        .platform
        .as_deref()
        .ok_or_else(|| ApiError::bad_request("?platform= is required: retell, vapi or mcp"))?
        .parse()
        .map_err(|err: agent::UnknownPlatform| {
            ApiError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "unknown_platform",
                err.to_string(),
            )
        })?;
    let base_url = match query.url {
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => url,
        Some(url) => {
            return Err(ApiError::bad_request(format!(
                "url {url:?} is not an http(s) base URL such as https://gateway.example.com"
            )));
        }
        None => request_base(&headers)?,
    };
    let definitions = agent::export(state.dispatcher.runtime(), &tenant, platform, &base_url).await;
    Ok(Json(definitions))
}

/// `http(s)://<Host>` of the request.
fn request_base(headers: &HeaderMap) -> Result<String, ApiError> {
    let host = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .filter(|host| !host.is_empty())
        .ok_or_else(|| {
            ApiError::bad_request("no Host header: give the gateway's base URL as ?url=")
        })?;
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|proto| proto.to_str().ok())
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"));
    Ok(format!("{}://{host}", if https { "https" } else { "http" }))
}
