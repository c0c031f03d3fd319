//! `/v1/mcp/{tenant}`: the tenant's tools for Model Context Protocol clients, over MCP's
//! Streamable HTTP transport (POST for messages; GET and DELETE for the sessions of the
//! protocol revisions that have them), served by the official SDK, `rmcp`.
//!
//! A request is authenticated first ([`auth`]: the tenant's `mcp_token` as a bearer token;
//! 404 for an unknown tenant, 401 for a wrong or missing token, the gateway's JSON error
//! body), its call read from its headers ([`call`]), and only then handed to MCP
//! ([`handler`]), whose tool calls go through the same dispatcher as the webhooks
//! ([`tools`] maps the catalogue and the replies). See docs/mcp.md.

pub mod auth;
pub mod call;
pub mod handler;
pub mod tools;

use std::sync::Arc;

use axum::Extension;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, any};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

pub use auth::McpCaller;
pub use handler::SlotlineMcp;

use crate::server::AppState;

/// The SDK's Streamable HTTP service, with sessions kept in this process.
type McpService = StreamableHttpService<SlotlineMcp, LocalSessionManager>;

/// The route of `/v1/mcp/{tenant}`, every method (the transport answers those it does not
/// serve with 405), with request bodies limited to `body_limit_bytes` like the webhooks'.
pub fn route(state: &Arc<AppState>, body_limit_bytes: usize) -> MethodRouter<Arc<AppState>> {
    let handler_state = Arc::clone(state);
    let config = StreamableHttpServerConfig::default()
        // The SDK's default admits only loopback `Host`s, a guard for unauthenticated servers
        // on a developer's machine against DNS rebinding. The gateway serves the internet
        // under its own names, and every request carries the tenant's token.
        .disable_allowed_hosts()
        // The router's body limit covers axum's extractors, not a body handed on whole.
        .with_max_request_body_bytes(body_limit_bytes);
    let service: McpService = StreamableHttpService::new(
        move || Ok(SlotlineMcp::new(Arc::clone(&handler_state))),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    any(serve).layer(Extension(service))
}

/// Hands an authenticated request to the MCP service, its caller in its extensions.
async fn serve(
    caller: McpCaller,
    Extension(service): Extension<McpService>,
    mut request: Request,
) -> Response {
    request.extensions_mut().insert(caller);
    service.handle(request).await.into_response()
}
