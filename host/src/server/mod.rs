//! The HTTP face of the gateway: webhook endpoints for voice platforms, the admin API, and
//! ops endpoints.
//!
//! Each request is authenticated by an extractor ([`auth`]) before its handler runs; a
//! handler reads its platform's wire format, hands the request to the
//! [`Dispatcher`](crate::dispatch::Dispatcher), and maps the answer back.

mod admin;
mod agent;
pub mod auth;
mod body_deadline;
pub mod calcom;
mod call_limits;
mod calls;
mod console;
mod error;
mod health;
pub mod json;
pub mod mcp;
mod oversize;
mod overview;
mod replay;
pub mod retell;
pub mod signature;
mod uploads;
pub mod vapi;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post, put};

pub use error::ApiError;

use crate::config::Secret;
use crate::dispatch::Dispatcher;
use crate::plugins::Registry;
use crate::tenant::{TenantFactory, Tenants};

/// A request header's value as text, trimmed; `None` when absent, blank or not text. For the
/// headers a call is described by when its body does not (`X-Call-Id`, `X-Caller-Number`).
pub fn header_text(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
}

/// What every handler may use.
pub struct AppState {
    /// The tenants served.
    pub tenants: Arc<Tenants>,
    /// Makes the tenants created or reconfigured through the admin API.
    pub factory: Arc<TenantFactory>,
    /// The operator's admin token.
    pub admin_token: Option<Secret>,
    /// Plugin versions; `None` without a data directory.
    pub registry: Option<Arc<Registry>>,
    /// Answers tool calls.
    pub dispatcher: Dispatcher,
    /// Tool calls per phone call.
    pub call_limiter: call_limits::PhoneCallLimiter,
    /// Retell call events already seen, so a redelivered event is acknowledged only once.
    pub seen_events: moka::sync::Cache<String, ()>,
    /// Cal.com deliveries the plugin took (tenant and body digest), so a redelivery is not
    /// run again.
    pub seen_calcom: moka::sync::Cache<String, ()>,
    /// Where tenants' caches live: `/readyz` asks Redis.
    pub caches: crate::cache::Caches,
    /// The tenants whose plugin upload is compiling.
    pub uploads: uploads::InFlight,
}

impl AppState {
    /// The state of a gateway serving `tenants`.
    pub fn new(
        tenants: Arc<Tenants>,
        factory: Arc<TenantFactory>,
        dispatcher: Dispatcher,
        admin_token: Option<Secret>,
        registry: Option<Arc<Registry>>,
    ) -> Self {
        Self {
            tenants,
            factory,
            admin_token,
            registry,
            dispatcher,
            call_limiter: call_limits::PhoneCallLimiter::default(),
            seen_events: moka::sync::Cache::builder()
                .time_to_live(std::time::Duration::from_secs(3600))
                .max_capacity(100_000)
                .build(),
            seen_calcom: moka::sync::Cache::builder()
                .time_to_live(std::time::Duration::from_secs(24 * 3600))
                .max_capacity(100_000)
                .build(),
            caches: crate::cache::Caches::Memory,
            uploads: uploads::InFlight::default(),
        }
    }

    /// The same state, its tenants' caches in `caches`.
    pub fn with_caches(mut self, caches: crate::cache::Caches) -> Self {
        self.caches = caches;
        self
    }
}

/// How much a request body may hold and how long it may take to arrive.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    /// Webhook and admin bodies.
    pub body_bytes: usize,
    /// Plugin uploads.
    pub upload_bytes: usize,
    /// Time to receive a webhook or admin body.
    pub body_timeout: Duration,
    /// Time to receive a plugin upload, which is larger.
    pub upload_timeout: Duration,
}

/// All routes, with body limits applied before any handler reads a byte.
pub fn router(state: Arc<AppState>, limits: BodyLimits) -> Router {
    let BodyLimits {
        body_bytes,
        upload_bytes,
        body_timeout,
        upload_timeout,
    } = limits;
    // Uploads get their own size and time bounds; a layer wraps only the routes added before
    // it, so the upload route joins after the others' layers.
    let uploads = Router::new()
        .route(
            "/v1/admin/tenants/{tenant}/plugins",
            post(admin::upload_plugin).get(admin::list_plugins),
        )
        .layer(DefaultBodyLimit::max(upload_bytes))
        .layer(axum::middleware::from_fn(move |request, next| {
            oversize::refuse_whole(upload_bytes, request, next)
        }))
        .layer(axum::middleware::from_fn(move |request, next| {
            body_deadline::bound(upload_timeout, request, next)
        }));
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/console", get(console::page))
        .route("/console/", get(console::page))
        .route("/console/assets/{name}", get(console::asset))
        .route("/v1/admin/session", get(overview::session))
        .route("/v1/admin/tenants/{tenant}/summary", get(overview::summary))
        .route(
            "/v1/admin/tenants/{tenant}",
            put(admin::put_tenant).get(admin::get_tenant),
        )
        .route("/v1/admin/tenants/{tenant}/agent", get(agent::export))
        .route("/v1/admin/tenants/{tenant}/breakers", get(admin::breakers))
        .route("/v1/admin/tenants/{tenant}/calls", get(calls::list))
        .route(
            "/v1/admin/tenants/{tenant}/calls/{call_id}",
            get(calls::timeline),
        )
        .route(
            "/v1/admin/tenants/{tenant}/cache",
            delete(admin::clear_cache),
        )
        .route(
            "/v1/admin/tenants/{tenant}/plugins/{version}",
            delete(admin::delete_plugin),
        )
        .route(
            "/v1/admin/tenants/{tenant}/plugins/{version}/activate",
            post(admin::activate_plugin),
        )
        .route(
            "/v1/admin/tenants/{tenant}/plugins/{version}/replay",
            post(replay::replay),
        )
        .route("/v1/retell/{tenant}", post(retell::tool_call))
        .route("/v1/retell/{tenant}/events", post(retell::call_event))
        .route("/v1/retell/{tenant}/inbound", post(retell::inbound))
        .route(
            "/v1/retell/{tenant}/{tool}",
            post(retell::tool_call_args_only),
        )
        .route(
            "/v1/admin/tenants/{tenant}/callbacks",
            get(admin::list_callbacks),
        )
        .route(
            "/v1/admin/tenants/{tenant}/callbacks/{id}/done",
            post(admin::finish_callback),
        )
        .route("/v1/vapi/{tenant}", post(vapi::tool_calls))
        .route("/v1/calcom/{tenant}/webhook", post(calcom::webhook))
        .route("/v1/mcp/{tenant}", mcp::route(&state, body_bytes))
        .layer(DefaultBodyLimit::max(body_bytes))
        .layer(axum::middleware::from_fn(move |request, next| {
            body_deadline::bound(body_timeout, request, next)
        }))
        .merge(uploads)
        .with_state(state)
}
