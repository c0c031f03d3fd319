//! Ops endpoints: liveness, readiness, metrics.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::AppState;
use crate::cache::Caches;

/// The process is up and serving HTTP.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// How long `/readyz` waits for the store or Redis before it calls them unavailable: a load
/// balancer's health check times out in a few seconds.
const READY_CHECK: Duration = Duration::from_secs(1);

/// Ready to serve tool calls: at least one tenant to serve, and the store and the shared cache
/// (when there are) answering, so a load balancer drains a replica that lost either. Each is
/// named in the answer: `ok`, `unavailable`, or `none`/`memory` when not used.
pub async fn readyz(State(state): State<Arc<AppState>>) -> (StatusCode, Json<Value>) {
    let tenants = state.tenants.ids().len();
    let store = match &state.registry {
        None => "none",
        Some(registry) => {
            match tokio::time::timeout(READY_CHECK, registry.store().schema_version()).await {
                Ok(Ok(_)) => "ok",
                _ => "unavailable",
            }
        }
    };
    let cache = match &state.caches {
        Caches::Memory => "memory",
        Caches::Redis(redis) => match tokio::time::timeout(READY_CHECK, redis.ping()).await {
            Ok(Ok(())) => "ok",
            _ => "unavailable",
        },
    };
    let ready = tenants > 0 && store != "unavailable" && cache != "unavailable";
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({ "tenants": tenants, "store": store, "cache": cache })),
    )
}

/// Prometheus text format.
pub async fn metrics(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    // Sampled here rather than on every call: the hot path stays free of gauge updates.
    let busy = state.dispatcher.runtime().busy_instances();
    metrics::gauge!("slotline_plugin_instances_busy").set(busy as f64);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::metrics::render(),
    )
}
