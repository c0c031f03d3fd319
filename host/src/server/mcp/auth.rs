//! Who may use a tenant's MCP endpoint: the tenant's `mcp_token` as a bearer token, checked
//! before any MCP processing, in the order the webhooks use (the tenant, 404, then the
//! credential, 401).

use std::sync::Arc;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::call::call_info;
use crate::server::{ApiError, AppState};
use crate::tenant::Tenant;
use crate::tool::CallInfo;

/// An MCP request whose bearer token is the tenant's: the tenant and the phone call the
/// request's tool calls belong to. The route puts it into the request's extensions, where the
/// MCP handler finds it for every message of the request.
#[derive(Clone)]
pub struct McpCaller {
    /// The tenant named in the path.
    pub tenant: Arc<Tenant>,
    /// The call id and caller number from the request's headers ([`call_info`]).
    pub call: CallInfo,
}

/// A request refused before MCP sees it: the gateway's JSON error body, and on 401 the
/// `WWW-Authenticate` challenge RFC 6750 asks for, so a client knows a bearer token is wanted.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct Refused(#[from] pub ApiError);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let unauthorized = self.0.status == http::StatusCode::UNAUTHORIZED;
        let mut response = self.0.into_response();
        if unauthorized {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Bearer realm="slotline-mcp""#),
            );
        }
        response
    }
}

impl FromRequestParts<Arc<AppState>> for McpCaller {
    type Rejection = Refused;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Refused> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::bad_request(rejection.body_text()))?;
        let tenant = state
            .tenants
            .get(&id)
            .ok_or_else(|| ApiError::unknown_tenant(&id))?;
        let token = tenant
            .mcp_token
            .as_ref()
            .ok_or_else(|| ApiError::unauthorized("the tenant has no MCP token configured"))?;
        let given =
            bearer(&parts.headers).ok_or_else(|| ApiError::unauthorized("missing bearer token"))?;
        if !same_secret(given, token.expose()) {
            return Err(ApiError::unauthorized("the bearer token does not match").into());
        }
        let call = call_info(&parts.headers);
        Ok(McpCaller { tenant, call })
    }
}

/// The token of an `Authorization: Bearer <token>` header (the scheme in any case, RFC 7235).
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Compares digests in constant time, so neither the content nor the length of the token
/// leaks through timing.
fn same_secret(given: &str, expected: &str) -> bool {
    let given = Sha256::digest(given.as_bytes());
    let expected = Sha256::digest(expected.as_bytes());
    bool::from(given.as_slice().ct_eq(expected.as_slice()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(authorization: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(authorization) {
            headers.insert(header::AUTHORIZATION, value);
        }
        headers
    }

    #[test]
    fn the_bearer_token_is_read_whatever_the_scheme_case() {
        assert_eq!(bearer(&headers("Bearer abc")), Some("abc"));
        assert_eq!(bearer(&headers("bearer abc")), Some("abc"));
        assert_eq!(bearer(&headers("Basic abc")), None);
        assert_eq!(bearer(&headers("Bearer ")), None);
        assert_eq!(bearer(&HeaderMap::new()), None);
    }

    #[test]
    fn only_the_same_token_matches() {
        assert!(same_secret("demo-mcp-token", "demo-mcp-token"));
        assert!(!same_secret("demo-mcp-toke", "demo-mcp-token"));
        assert!(!same_secret("", "demo-mcp-token"));
    }
}
