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
use subtle::ConstantTimeEq;

use super::signature::{self, SignatureError};
use super::{ApiError, AppState};
use crate::config::Secret;
use crate::signing;
use crate::tenant::{Secrets, Tenant, VapiHmac};

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
        // Reading the body needs neither the headers nor anything they say (the limit is the
        // router's `DefaultBodyLimit`), so they are moved out rather than copied.
        let headers = std::mem::take(&mut parts.headers);
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

/// Retell: `X-Retell-Signature`, HMAC-SHA256 with the tenant's Retell API key (the current
/// one or, while rotating, the previous one).
pub struct Retell;

impl WebhookAuth for Retell {
    fn verify(tenant: &Tenant, headers: &HeaderMap, body: &[u8]) -> Result<(), ApiError> {
        let keys = &tenant.credentials.retell;
        if !keys.is_configured() {
            return Err(ApiError::unauthorized(
                "the tenant has no Retell key configured",
            ));
        }
        let header = headers
            .get("x-retell-signature")
            .map(|value| value.to_str().map_err(|_| SignatureError::Malformed))
            .transpose()
            .map_err(|err| ApiError::unauthorized(err.to_string()))?;
        let now = chrono::Utc::now().timestamp_millis();
        for key in keys.iter() {
            match signature::verify(header, body, key.expose().as_bytes(), now) {
                Ok(()) => return Ok(()),
                Err(SignatureError::Mismatch) => continue,
                Err(err) => return Err(ApiError::unauthorized(err.to_string())),
            }
        }
        Err(ApiError::unauthorized(SignatureError::Mismatch.to_string()))
    }
}

/// Vapi: any scheme the tenant configured: the legacy `x-vapi-secret`, a bearer credential
/// (its header, with or without the `Bearer ` prefix), or an HMAC credential (hex
/// HMAC-SHA256 of `{timestamp}.{body}`, the timestamp within the replay window).
pub struct Vapi;

impl WebhookAuth for Vapi {
    fn verify(tenant: &Tenant, headers: &HeaderMap, body: &[u8]) -> Result<(), ApiError> {
        let credentials = &tenant.credentials;
        if !credentials.vapi_configured() {
            return Err(ApiError::unauthorized(
                "the tenant has no Vapi secret configured",
            ));
        }
        // The first scheme whose header came decides the refusal: it names what was wrong
        // with the credential the request did carry.
        let mut refusal = None;
        let mut expected = Vec::new();
        if credentials.vapi_secret.is_configured() {
            expected.push("x-vapi-secret");
            if let Some(given) = headers.get("x-vapi-secret") {
                if matches_any(&credentials.vapi_secret, given.as_bytes()) {
                    return Ok(());
                }
                refusal.get_or_insert("x-vapi-secret does not match".to_owned());
            }
        }
        if let Some(bearer) = &credentials.vapi_bearer {
            expected.push(bearer.header.as_str());
            if let Some(given) = headers.get(&bearer.header) {
                let token = if bearer.prefix {
                    given
                        .to_str()
                        .ok()
                        .and_then(|value| value.strip_prefix("Bearer "))
                        .map(str::as_bytes)
                } else {
                    Some(given.as_bytes())
                };
                if token.is_some_and(|token| matches_any(&bearer.tokens, token)) {
                    return Ok(());
                }
                refusal.get_or_insert(format!("the {} credential does not match", bearer.header));
            }
        }
        if let Some(hmac) = &credentials.vapi_hmac {
            expected.push(hmac.signature_header.as_str());
            if headers.contains_key(&hmac.signature_header) {
                match verify_vapi_hmac(hmac, headers, body) {
                    Ok(()) => return Ok(()),
                    Err(reason) => {
                        refusal.get_or_insert(reason);
                    }
                }
            }
        }
        Err(ApiError::unauthorized(refusal.unwrap_or_else(|| {
            format!(
                "missing Vapi credential: expected {}",
                expected.join(" or ")
            )
        })))
    }
}

/// Whether `given` equals one of `secrets`, in constant time for each.
fn matches_any(secrets: &Secrets, given: &[u8]) -> bool {
    secrets.iter().fold(false, |found, secret| {
        found | bool::from(secret.expose().as_bytes().ct_eq(given))
    })
}

/// Checks Vapi's HMAC signature over `{timestamp}.{body}`; the reason when it fails.
fn verify_vapi_hmac(hmac: &VapiHmac, headers: &HeaderMap, body: &[u8]) -> Result<(), String> {
    let signature = headers
        .get(&hmac.signature_header)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .map(|value| {
            value
                .strip_prefix(hmac.signature_prefix.as_str())
                .unwrap_or(value)
        })
        .and_then(|hex| hex::decode(hex).ok())
        .ok_or_else(|| format!("malformed {}: expected a hex digest", hmac.signature_header))?;
    let timestamp = headers
        .get(&hmac.timestamp_header)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .ok_or_else(|| format!("missing {}", hmac.timestamp_header))?;
    let sent: i64 = timestamp.parse().map_err(|_| {
        format!(
            "malformed {}: expected unix seconds or milliseconds",
            hmac.timestamp_header
        )
    })?;
    // Seconds and milliseconds are told apart by size: a time in milliseconds is past the
    // year 5000 when read as seconds.
    let sent_ms = if sent.abs() >= 100_000_000_000 {
        sent
    } else {
        sent.saturating_mul(1000)
    };
    let window = i64::try_from(signature::REPLAY_WINDOW.as_millis()).unwrap_or(i64::MAX);
    if chrono::Utc::now()
        .timestamp_millis()
        .saturating_sub(sent_ms)
        .abs()
        > window
    {
        return Err(format!(
            "{} is outside the allowed window",
            hmac.timestamp_header
        ));
    }
    let keys = hmac.secrets.iter().map(|secret| secret.expose().as_bytes());
    let verified = signing::verify_any(keys, &[timestamp.as_bytes(), b".", body], &signature);
    if verified {
        Ok(())
    } else {
        Err(format!("{} does not match the body", hmac.signature_header))
    }
}

/// What Cal.com sends in place of a signature when its webhook has no secret.
const NO_SECRET_PROVIDED: &str = "no-secret-provided";

/// Cal.com: `X-Cal-Signature-256`, hex HMAC-SHA256 of the body with the webhook secret.
pub struct Calcom;

impl WebhookAuth for Calcom {
    fn verify(tenant: &Tenant, headers: &HeaderMap, body: &[u8]) -> Result<(), ApiError> {
        let secrets = &tenant.credentials.calcom;
        if !secrets.is_configured() {
            return Err(ApiError::unauthorized(
                "the tenant has no Cal.com webhook secret",
            ));
        }
        let header = headers
            .get("x-cal-signature-256")
            .and_then(|value| value.to_str().ok())
            .map(str::trim);
        if header == Some(NO_SECRET_PROVIDED) {
            return Err(ApiError::unauthorized(
                "Cal.com sent `no-secret-provided`: the webhook has no secret in Cal.com; set its secret to this tenant's calcom_webhook_secret",
            ));
        }
        let given = header
            .and_then(|hex| hex::decode(hex).ok())
            .ok_or_else(|| ApiError::unauthorized("missing or malformed X-Cal-Signature-256"))?;
        let keys = secrets.iter().map(|secret| secret.expose().as_bytes());
        let verified = signing::verify_any(keys, &[body], &given);
        if verified {
            Ok(())
        } else {
            Err(ApiError::unauthorized(
                "X-Cal-Signature-256 does not match the body",
            ))
        }
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
        let matches =
            |secret: Option<&Secret>| secret.is_some_and(|secret| is_token(secret, token));
        let operator = matches(state.admin_token.as_ref());
        let tenant = state.tenants.get(&tenant_id);
        let own = tenant
            .as_ref()
            .is_some_and(|tenant| matches(tenant.admin_token.as_ref()));
        let actor = if operator {
            "operator".to_owned()
        } else {
            format!("tenant:{tenant_id}")
        };
        match (tenant, operator || own) {
            (Some(tenant), true) => Ok(Admin { tenant, actor }),
            (None, true) => Err(ApiError::unknown_tenant(&tenant_id)),
            // An unknown token, another tenant's, and any token but the operator's for a
            // tenant that does not exist are told the same: the answer must not tell an
            // attacker that a token is valid somewhere, or that a tenant exists.
            (_, false) => Err(not_this_tenant()),
        }
    }
}

/// The one refusal of a token that does not speak for the tenant in the path.
fn not_this_tenant() -> ApiError {
    forbidden("this token may not act on this tenant")
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
            (Some(token), Some(secret)) => is_token(secret, token),
            _ => false,
        };
        if is_operator {
            return Ok(Operator);
        }
        // Every other token is told the same, whether it is a tenant's or none at all.
        Err(match bearer(&parts.headers) {
            Some(_) => forbidden("only the operator may configure tenants"),
            None => ApiError::unauthorized("the operator's token is required"),
        })
    }
}

/// Whom a bearer token speaks for, whatever the path: how the console learns, at login, which
/// tenants it may show.
pub enum Holder {
    /// The operator's token: every tenant.
    Operator,
    /// A tenant's own token: these tenants (one, unless tokens are shared).
    Tenants(Vec<crate::tenant::TenantId>),
}

impl FromRequestParts<Arc<AppState>> for Holder {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        let token =
            bearer(&parts.headers).ok_or_else(|| ApiError::unauthorized("missing bearer token"))?;
        let matches = |secret: &Secret| is_token(secret, token);
        if state.admin_token.as_ref().is_some_and(matches) {
            return Ok(Holder::Operator);
        }
        let tenants = state.tenants.with_admin_token(matches);
        if tenants.is_empty() {
            Err(ApiError::unauthorized("unknown token"))
        } else {
            Ok(Holder::Tenants(tenants))
        }
    }
}

/// Whether `token` is `secret`, compared in constant time: how long a wrong token takes to be
/// refused must not tell how much of it was right.
fn is_token(secret: &Secret, token: &str) -> bool {
    bool::from(secret.expose().as_bytes().ct_eq(token.as_bytes()))
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
