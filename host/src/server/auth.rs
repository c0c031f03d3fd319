//! Who may call: every webhook and admin request is authenticated here, by an extractor,
//! before its handler runs.
//!
//! A webhook handler takes a [`Verified<Retell>`], [`Verified<Vapi>`] or
//! [`Verified<Calcom>`]: the tenant named in the path and the raw body, whose signature or
//! secret has been checked. The checks run in one order for every platform: the tenant
//! (404), the body (413 or 400), then the credential (401), so a request is refused for the
//! first thing wrong with it. Admin handlers take an [`Admin`] (the operator's token or the
//! tenant's own) or an [`Operator`].

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::signature::{self, SignatureError};
use super::{ApiError, AppState};
use crate::config::Secret;
use crate::tenant::Tenant;

/// How one platform proves a webhook is the tenant's.
pub trait WebhookAuth: Send + Sync + 'static {
    /// Accepts the request when `headers` prove `body` came from the platform for `tenant`.
    fn verify(tenant: &Tenant, headers: &HeaderMap, body: &[u8]) -> Result<(), ApiError>;
}

/// A webhook whose credential was checked: the tenant it is for and the raw body.
pub struct Verified<A> {
    /// The tenant named in the path.
    pub tenant: Arc<Tenant>,
    /// The body, exactly as signed.
    pub body: Bytes,
    platform: PhantomData<A>,
}

impl<A: WebhookAuth> FromRequest<Arc<AppState>> for Verified<A> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &Arc<AppState>) -> Result<Self, ApiError> {
        let (mut parts, body) = request.into_parts();
        let tenant = path_tenant(&mut parts, state).await?;
        let headers = parts.headers.clone();
        let body = Bytes::from_request(Request::from_parts(parts, body), state).await?;
        A::verify(&tenant, &headers, &body)?;
        Ok(Self {
            tenant,
            body,
            platform: PhantomData,
        })
    }
}

/// The tenant the path's `{tenant}` names.
async fn path_tenant(parts: &mut Parts, state: &Arc<AppState>) -> Result<Arc<Tenant>, ApiError> {
    let id = tenant_param(parts, state).await?;
    state
        .tenants
        .get(&id)
        .ok_or_else(|| ApiError::unknown_tenant(&id))
}

async fn tenant_param(parts: &mut Parts, state: &Arc<AppState>) -> Result<String, ApiError> {
    let Path(mut params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
        .await
        .map_err(|rejection| ApiError::bad_request(rejection.body_text()))?;
    params
        .remove("tenant")
        .ok_or_else(|| ApiError::bad_request("the path names no tenant"))
}

/// Retell: `X-Retell-Signature`, HMAC-SHA256 with the tenant's Retell API key.
pub struct Retell;

impl WebhookAuth for Retell {
    fn verify(tenant: &Tenant, headers: &HeaderMap, body: &[u8]) -> Result<(), ApiError> {
        let key = tenant
            .retell_api_key
            .as_ref()
            .ok_or_else(|| ApiError::unauthorized("the tenant has no Retell key configured"))?;
        headers
            .get("x-retell-signature")
            .map(|value| value.to_str().map_err(|_| SignatureError::Malformed))
            .transpose()
            .and_then(|header| {
                signature::verify(
                    header,
                    body,
                    key.expose().as_bytes(),
                    chrono::Utc::now().timestamp_millis(),
                )
            })
            .map_err(|err| ApiError::unauthorized(err.to_string()))
    }
}

/// Vapi: the legacy `x-vapi-secret` header, equal to the tenant's secret.
pub struct Vapi;

impl WebhookAuth for Vapi {
    fn verify(tenant: &Tenant, headers: &HeaderMap, _body: &[u8]) -> Result<(), ApiError> {
        let secret = tenant
            .vapi_secret
            .as_ref()
            .ok_or_else(|| ApiError::unauthorized("the tenant has no Vapi secret configured"))?;
        let given = headers
            .get("x-vapi-secret")
            .map(|value| value.as_bytes())
            .ok_or_else(|| ApiError::unauthorized("missing x-vapi-secret header"))?;
        if bool::from(given.ct_eq(secret.expose().as_bytes())) {
            Ok(())
        } else {
            Err(ApiError::unauthorized("x-vapi-secret does not match"))
        }
    }
}

/// Cal.com: `X-Cal-Signature-256`, hex HMAC-SHA256 of the body with the webhook secret.
pub struct Calcom;

impl WebhookAuth for Calcom {
    fn verify(tenant: &Tenant, headers: &HeaderMap, body: &[u8]) -> Result<(), ApiError> {
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
        mac.update(body);
        // `verify_slice` compares in constant time.
        mac.verify_slice(&given)
            .map_err(|_| ApiError::unauthorized("X-Cal-Signature-256 does not match the body"))
    }
}

/// An admin request for the tenant in the path, by the operator or by the tenant itself.
pub struct Admin {
    /// The tenant acted on.
    pub tenant: Arc<Tenant>,
    /// Who acts, for the audit log: `operator` or `tenant:<id>`.
    pub actor: String,
}

impl FromRequestParts<Arc<AppState>> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        let tenant_id = tenant_param(parts, state).await?;
        let token =
            bearer(&parts.headers).ok_or_else(|| ApiError::unauthorized("missing bearer token"))?;
        let matches = |secret: Option<&Secret>| {
            secret.is_some_and(|secret| {
                bool::from(secret.expose().as_bytes().ct_eq(token.as_bytes()))
            })
        };
        let operator = matches(state.admin_token.as_ref());
        let tenant = state.tenants.get(&tenant_id);
        let own = tenant
            .as_ref()
            .is_some_and(|tenant| matches(tenant.admin_token.as_ref()));
        let known = operator
            || own
            || state
                .tenants
                .any_admin_token(|secret| matches(Some(secret)));
        let actor = if operator {
            "operator".to_owned()
        } else {
            format!("tenant:{tenant_id}")
        };
        match (tenant, operator || own, known) {
            (Some(tenant), true, _) => Ok(Admin { tenant, actor }),
            (None, true, _) => Err(ApiError::unknown_tenant(&tenant_id)),
            (_, false, true) => Err(forbidden("this token may not act on this tenant")),
            (_, false, false) => Err(ApiError::unauthorized("unknown token")),
        }
    }
}

/// A request only the operator may make (configuring tenants).
pub struct Operator;

impl FromRequestParts<Arc<AppState>> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        let is_operator = match (bearer(&parts.headers), state.admin_token.as_ref()) {
            (Some(token), Some(secret)) => {
                bool::from(secret.expose().as_bytes().ct_eq(token.as_bytes()))
            }
            _ => false,
        };
        if is_operator {
            return Ok(Operator);
        }
        // The tenant's own token is told it may not, rather than that it is unknown.
        let tenant_id = tenant_param(parts, state).await?;
        let own_tenant = state.tenants.get(&tenant_id).is_some()
            && Admin::from_request_parts(parts, state).await.is_ok();
        Err(if own_tenant {
            forbidden("only the operator may configure tenants")
        } else {
            ApiError::unauthorized("the operator's token is required")
        })
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
}

fn forbidden(message: &str) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
}
