//! `POST /v1/admin/tenants/{tenant}/plugins/{version}/replay`: the tenant's latest recorded
//! calls run again on a version, nothing reaching the calendar, and what it would have
//! answered differently ([`crate::replay`]).

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::Value;

use super::admin::{blocking, registry};
use super::auth::Admin;
use super::{ApiError, AppState};
use crate::plugins::RegistryError;
use crate::replay::{MAX_REPLAYED, PluginOf, ReplayError, Replayer};

/// The replay's parameters.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayQuery {
    /// How many of the latest recorded calls; all the tenant keeps when absent.
    last: Option<u32>,
}

/// Replays the tenant's latest `last` recorded calls on `version` and answers the report.
pub async fn replay(
    State(state): State<Arc<AppState>>,
    Path((_, version)): Path<(String, u32)>,
    Admin { tenant, .. }: Admin,
    query: Result<Query<ReplayQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(query) = query?;
    let last = query.last.unwrap_or(tenant.call_log.recorded_calls);
    if !(1..=MAX_REPLAYED).contains(&last) {
        return Err(ApiError::invalid_query(format!(
            "`last` must be between 1 and {MAX_REPLAYED}"
        )));
    }
    let Some(call_log) = state.dispatcher.call_log() else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "no_call_log",
            "replays run on recorded calls: turn the call log on (call_log.enabled)",
        ));
    };
    // The latest calls' recordings are held by the writer until they are due: stored now, so
    // a replay covers every call answered before it.
    call_log.flush().await;
    let registry = registry(&state)?;
    let (id, loader) = (tenant.id.to_string(), Arc::clone(&registry));
    let candidate = blocking(move || {
        let record = loader
            .wait(loader.store().plugin_version(&id, version))?
            .ok_or(RegistryError::UnknownVersion {
                tenant: id.clone(),
                version,
            })?;
        loader.load(&record.digest)
    })
    .await?;
    let (serving, default) = (tenant.plugin(), state.factory.default_plugin());
    let plugin_of: PluginOf = Arc::new(move |digest: &str| {
        if serving.digest() == digest {
            return Some(Arc::clone(&serving));
        }
        if let Some(default) = default.as_ref().filter(|p| p.digest() == digest) {
            return Some(Arc::clone(default));
        }
        registry.load(digest).ok()
    });
    let replayer = Replayer {
        tenant: &tenant,
        runtime: state.dispatcher.runtime(),
        store: call_log.store(),
        plugin_of,
    };
    let report = replayer.replay(&candidate, last).await.map_err(|err| {
        let status = match err {
            ReplayError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
            ReplayError::Task(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError::new(status, "replay_failed", err.to_string())
    })?;
    tracing::info!(
        tenant = %tenant.id, version, calls = report.totals.calls,
        different = report.totals.different, "replay done"
    );
    let mut body = serde_json::to_value(&report).map_err(|err| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            err.to_string(),
        )
    })?;
    if let Value::Object(map) = &mut body {
        map.insert("version".into(), Value::from(version));
    }
    Ok(Json(body))
}
