//! The admin API: bearer tokens, one for the operator and one per tenant.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use super::{ApiError, AppState};
use crate::tenant::Tenant;

/// Finds `tenant_id` and checks that the bearer token may act on it: the operator's token
/// for every tenant, a tenant's own token for that tenant only.
pub fn authorize(
    state: &AppState,
    headers: &HeaderMap,
    tenant_id: &str,
) -> Result<Arc<Tenant>, ApiError> {
    let token = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or_else(|| ApiError::unauthorized("missing bearer token"))?;
    let matches = |secret: Option<&crate::config::Secret>| {
        secret.is_some_and(|secret| bool::from(secret.expose().as_bytes().ct_eq(token.as_bytes())))
    };
    let operator = matches(state.admin_token.as_ref());
    let tenant = state.tenants.get(tenant_id);
    let own = tenant
        .as_ref()
        .is_some_and(|tenant| matches(tenant.admin_token.as_ref()));
    let known = operator
        || own
        || state
            .tenants
            .any_admin_token(|secret| matches(Some(secret)));
    match (tenant, operator || own, known) {
        (Some(tenant), true, _) => Ok(tenant),
        (None, true, _) => Err(ApiError::unknown_tenant(tenant_id)),
        (_, false, true) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this token may not act on this tenant",
        )),
        (_, false, false) => Err(ApiError::unauthorized("unknown token")),
    }
}

/// `GET /v1/admin/tenants/{tenant}/breakers`.
pub async fn breakers(
    State(state): State<Arc<AppState>>,
    Path(tenant_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let tenant = authorize(&state, &headers, &tenant_id)?;
    Ok(Json(
        json!({ "breakers": tenant.outbound.breakers.status() }),
    ))
}

/// `DELETE /v1/admin/tenants/{tenant}/cache`.
pub async fn clear_cache(
    State(state): State<Arc<AppState>>,
    Path(tenant_id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let tenant = authorize(&state, &headers, &tenant_id)?;
    tenant.cache.clear();
    Ok(StatusCode::NO_CONTENT)
}
