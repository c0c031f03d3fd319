//! The admin API: bearer tokens, one for the operator and one per tenant (checked by the
//! [`Admin`] and [`Operator`] extractors).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::auth::{Admin, Operator};
use super::{ApiError, AppState};
use crate::dispatch::Callbacks;
use crate::plugins::{Registry, RegistryError};
use crate::runtime::compile_worker::Refusal;
use crate::runtime::{CompileError, Serving};
use crate::store::StoreError;
use crate::tenant::TenantId;

/// `GET /v1/admin/tenants/{tenant}/breakers`.
pub async fn breakers(Admin { tenant, .. }: Admin) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        json!({ "breakers": tenant.env.outbound.breakers.status() }),
    ))
}

/// `DELETE /v1/admin/tenants/{tenant}/cache`. What the last warm-up fetched is gone with it,
/// so the next call warms again instead of counting the empty cache as fresh.
pub async fn clear_cache(
    State(state): State<Arc<AppState>>,
    Admin { tenant, .. }: Admin,
) -> Result<StatusCode, ApiError> {
    state.dispatcher.calls().calendar_changed(&tenant);
    tenant.env.cache.clear().await.map_err(|err| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "cache_unavailable",
            format!("the cache could not be cleared: {err}"),
        )
    })?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) fn registry(state: &AppState) -> Result<Arc<Registry>, ApiError> {
    state.registry.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::CONFLICT,
            "no_data_dir",
            "plugin uploads need server.data_dir in the configuration",
        )
    })
}

impl From<RegistryError> for ApiError {
    fn from(err: RegistryError) -> Self {
        let message = err.to_string();
        match err {
            RegistryError::Invalid(CompileError::NotWasm) => {
                ApiError::new(StatusCode::BAD_REQUEST, "not_webassembly", message)
            }
            RegistryError::Invalid(CompileError::CoreModule) => {
                ApiError::new(StatusCode::BAD_REQUEST, "core_module", message)
            }
            RegistryError::Invalid(CompileError::WrongWorld { .. } | CompileError::Link(_)) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "wrong_world", message)
            }
            RegistryError::Invalid(CompileError::Isolated(Refusal::Budget { .. })) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "compile_budget", message)
            }
            RegistryError::Invalid(CompileError::Isolated(Refusal::Worker(_))) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "compile_worker", message)
            }
            RegistryError::Invalid(
                CompileError::Compile(_) | CompileError::Isolated(Refusal::Rejected(_)),
            ) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "does_not_compile",
                message,
            ),
            RegistryError::Limits(_) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "plugin_limits", message)
            }
            RegistryError::UnknownVersion { .. } => {
                ApiError::new(StatusCode::NOT_FOUND, "unknown_version", message)
            }
            RegistryError::Store(StoreError::UnknownTenant(_)) => {
                ApiError::new(StatusCode::NOT_FOUND, "unknown_tenant", message)
            }
            RegistryError::Store(StoreError::UnknownVersion { .. }) => {
                ApiError::new(StatusCode::NOT_FOUND, "unknown_version", message)
            }
            RegistryError::Store(StoreError::VersionQuota { .. }) => {
                ApiError::new(StatusCode::CONFLICT, "storage_quota", message)
            }
            RegistryError::Store(StoreError::VersionInUse { .. }) => {
                ApiError::new(StatusCode::CONFLICT, "version_in_use", message)
            }
            RegistryError::Store(StoreError::CanaryRefused(_)) => {
                ApiError::new(StatusCode::CONFLICT, "canary_refused", message)
            }
            other => {
                tracing::error!(error = %other, "plugin registry failure");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "storage",
                    other.to_string(),
                )
            }
        }
    }
}

/// Awaits store work, answering its failure as the registry's are.
pub(super) async fn stored<T>(
    work: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, ApiError> {
    work.await
        .map_err(|err| ApiError::from(RegistryError::from(err)))
}

/// Runs blocking registry work (compilation, fsync) off the async workers.
pub(super) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, RegistryError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                err.to_string(),
            )
        })?
        .map_err(ApiError::from)
}

/// Stops the process at a named point when `SLOTLINE_FAILPOINT` names it: how the crash
/// tests kill the gateway exactly between two steps. Only in builds with the `failpoints`
/// feature, which only the crash test uses.
#[cfg(feature = "failpoints")]
fn failpoint(name: &str) {
    if std::env::var("SLOTLINE_FAILPOINT").is_ok_and(|point| point == name) {
        tracing::error!(failpoint = name, "failpoint reached: aborting");
        std::process::abort();
    }
}

#[cfg(not(feature = "failpoints"))]
fn failpoint(_name: &str) {}

/// `?activate=true` makes the upload the active version at once.
#[derive(Debug, serde::Deserialize)]
pub struct UploadQuery {
    #[serde(default)]
    activate: bool,
}

/// `POST /v1/admin/tenants/{tenant}/plugins` with the component as the body.
pub async fn upload_plugin(
    State(state): State<Arc<AppState>>,
    Query(query): Query<UploadQuery>,
    Admin { tenant, actor }: Admin,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let registry = registry(&state)?;
    let bytes = body?;
    let Some(turn) = state.uploads.begin(tenant.id.as_str()) else {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "upload_in_progress",
            "another upload of this tenant is being compiled; retry when it is done",
        ));
    };
    let started = std::time::Instant::now();
    let (version, plugin) = {
        let registry = Arc::clone(&registry);
        let id = tenant.id.to_string();
        let allowance = tenant.env.allowance;
        let quota = tenant.storage_quota;
        let actor = actor.clone();
        // The turn goes with the compile: a client that hangs up does not free it early.
        blocking(move || {
            let _turn = turn;
            registry.upload(&id, &allowance, quota, &bytes, &actor)
        })
        .await?
    };
    let compile_ms = started.elapsed().as_secs_f64() * 1000.0;
    // Ask the new version which tools it supports now, beside the upload's answer, so an
    // export right after finds the answer ready (an export sooner waits for the same probe).
    let runtime = Arc::clone(state.dispatcher.runtime());
    let probed = Arc::clone(&tenant);
    tokio::spawn(async move {
        crate::agent::supported_tools(&runtime, &probed, &plugin).await;
    });
    failpoint("upload-before-activate");
    let active = if query.activate {
        let number = version.version;
        let tenant = Arc::clone(&tenant);
        blocking(move || registry.activate(&tenant, number, &actor)).await?;
        true
    } else {
        false
    };
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "version": version.version,
            "digest": version.digest,
            "size": version.size,
            "wit_version": version.wit_version,
            "uploaded_at": version.uploaded_at,
            "active": active,
            "upload_ms": compile_ms,
        })),
    ))
}

/// `GET /v1/admin/tenants/{tenant}/plugins`.
pub async fn list_plugins(
    State(state): State<Arc<AppState>>,
    Admin { tenant, .. }: Admin,
) -> Result<Json<Value>, ApiError> {
    let registry = registry(&state)?;
    let store = Arc::clone(registry.store());
    let id = tenant.id.to_string();
    let (versions, active, canary) = stored(async {
        Ok::<_, StoreError>((
            store.plugin_versions(&id).await?,
            store.active_version(&id).await?,
            store.canary(&id).await?,
        ))
    })
    .await?;
    let serving = tenant.env.serving();
    Ok(Json(json!({
        "versions": versions,
        "active": active.map(|version| version.version),
        "serving": serving.stable.plugin.digest(),
        // The latest canary, running or how it ended; `serving_canary` is whether this
        // replica routes calls to it.
        "canary": canary,
        "serving_canary": serving.canary.as_ref().map(|canary| json!({
            "version": canary.candidate.version,
            "digest": canary.candidate.plugin.digest(),
            "percent": canary.percent,
        })),
    })))
}

/// `DELETE /v1/admin/tenants/{tenant}/plugins/{version}`: the version is gone from the
/// listing and can no longer be activated; its bytes go once no tenant's version names them.
/// 409 `version_in_use` while it is active or in a running canary.
pub async fn delete_plugin(
    State(state): State<Arc<AppState>>,
    Path((_, version)): Path<(String, u32)>,
    Admin { tenant, actor }: Admin,
) -> Result<Json<Value>, ApiError> {
    let registry = registry(&state)?;
    let id = tenant.id.to_string();
    let deleted = blocking(move || registry.delete(&id, version, &actor)).await?;
    Ok(Json(json!({
        "deleted": deleted.version.version,
        "digest": deleted.version.digest,
        "component_removed": deleted.unreferenced,
    })))
}

/// `?canary=PERCENT` starts a canary instead of activating.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivateQuery {
    canary: Option<String>,
}

/// `POST /v1/admin/tenants/{tenant}/plugins/{version}/activate`: also the rollback. With
/// `?canary=PERCENT` (1 to 100), the version serves that share of new phone calls beside the
/// active one until it is promoted or rolled back by itself (the tenant's `canary` rules).
pub async fn activate_plugin(
    State(state): State<Arc<AppState>>,
    Path((_, version)): Path<(String, u32)>,
    query: Result<Query<ActivateQuery>, QueryRejection>,
    Admin { tenant, actor }: Admin,
) -> Result<Json<Value>, ApiError> {
    let Query(query) = query.map_err(|err| ApiError::invalid_query(err.body_text()))?;
    let percent = query
        .canary
        .map(|text| match text.parse::<u32>() {
            Ok(percent @ 1..=100) => Ok(percent),
            _ => Err(ApiError::invalid_query(format!(
                "query parameter `canary`: {text:?} is not a share of calls from 1 to 100 (percent)"
            ))),
        })
        .transpose()?;
    let registry = registry(&state)?;
    let started = std::time::Instant::now();
    if let Some(percent) = percent {
        let canary =
            blocking(move || registry.start_canary(&tenant, version, percent, &actor)).await?;
        return Ok(Json(json!({
            "version": version,
            "canary": canary,
            "activated_ms": started.elapsed().as_secs_f64() * 1000.0,
        })));
    }
    let record = blocking(move || registry.activate(&tenant, version, &actor)).await?;
    Ok(Json(json!({
        "version": record.version,
        "digest": record.digest,
        "activated_ms": started.elapsed().as_secs_f64() * 1000.0,
    })))
}

/// `PUT /v1/admin/tenants/{tenant}`: creates or reconfigures a tenant (operator only). The
/// body is the tenant's configuration as JSON, with the same keys as in `slotline.toml`.
/// The tenant keeps its active plugin version; a new tenant starts on the default plugin.
pub async fn put_tenant(
    State(state): State<Arc<AppState>>,
    Path(tenant_id): Path<String>,
    _operator: Operator,
    Json(config): Json<crate::config::TenantConfig>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id = TenantId::parse(&tenant_id).map_err(|err| ApiError::bad_request(err.to_string()))?;
    let existing = state.tenants.get(&tenant_id);
    let plugin = existing
        .as_ref()
        .map(|tenant| tenant.plugin())
        .or_else(|| state.factory.default_plugin())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::CONFLICT,
                "no_plugin",
                "no default plugin to start the tenant on",
            )
        })?;
    let tenant = state
        .factory
        .build(id.clone(), &config, plugin)
        .map_err(|err| ApiError::bad_request(err.to_string()))?;
    // A canary running (and the calls pinned to their version) goes on under the new
    // configuration.
    if let Some(existing) = &existing {
        let serving = existing.env.serving();
        tenant.env.serve(|_| Serving::clone(&serving));
    }
    // Served before it is stored: the store announces the change to every replica, this one
    // included, and this replica must already run it when it hears (else it would rebuild
    // the tenant a second time). Put back as it was when the store refuses.
    state.tenants.insert(tenant);
    if let Some(registry) = &state.registry {
        let store = Arc::clone(registry.store());
        let key = id.to_string();
        let stored = match serde_json::to_value(&config) {
            Ok(settings) => {
                stored(async {
                    store.put_tenant(&key, &settings).await?;
                    store
                        .audit(
                            "operator",
                            Some(&key),
                            "tenant.put",
                            "configuration replaced",
                        )
                        .await?;
                    Ok::<_, StoreError>(())
                })
                .await
            }
            Err(err) => Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                format!("the configuration cannot be stored: {err}"),
            )),
        };
        if let Err(err) = stored {
            match &existing {
                Some(previous) => state.tenants.restore(Arc::clone(previous)),
                None => state.tenants.remove(&id),
            }
            return Err(err);
        }
    }
    let status = if existing.is_some() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(json!({ "tenant": id.to_string() }))))
}

/// `GET /v1/admin/tenants/{tenant}`: what the gateway serves for the tenant (no secrets).
pub async fn get_tenant(Admin { tenant, .. }: Admin) -> Result<Json<Value>, ApiError> {
    let mut settings: Vec<&String> = tenant.env.settings.keys().collect();
    settings.sort();
    Ok(Json(json!({
        "tenant": tenant.id.to_string(),
        "timezone": tenant.timezone.name(),
        "locale": tenant.locale,
        "plugin_digest": tenant.plugin().digest(),
        "settings": settings,
        "retell": tenant.credentials.retell.is_configured(),
        "vapi": tenant.credentials.vapi_configured(),
        "calcom_webhook": tenant.credentials.calcom.is_configured(),
        "mcp": tenant.mcp_token.is_some(),
    })))
}

/// `?status=open|pending|done` filters the callbacks listed.
#[derive(Debug, serde::Deserialize)]
pub struct CallbackQuery {
    status: Option<String>,
}

fn callbacks(state: &AppState) -> Result<Arc<Callbacks>, ApiError> {
    state.dispatcher.callbacks().cloned().ok_or_else(|| {
        ApiError::new(
            StatusCode::CONFLICT,
            "no_data_dir",
            "callbacks need server.data_dir in the configuration",
        )
    })
}

/// `GET /v1/admin/tenants/{tenant}/callbacks[?status=open|pending|done]`: callback requests
/// and booking intents, newest first.
pub async fn list_callbacks(
    State(state): State<Arc<AppState>>,
    Query(query): Query<CallbackQuery>,
    Admin { tenant, .. }: Admin,
) -> Result<Json<Value>, ApiError> {
    let store = Arc::clone(callbacks(&state)?.store());
    let id = tenant.id.to_string();
    let list = stored(store.requests(&id, query.status.as_deref())).await?;
    Ok(Json(json!({ "callbacks": list })))
}

/// `POST /v1/admin/tenants/{tenant}/callbacks/{id}/done`.
pub async fn finish_callback(
    State(state): State<Arc<AppState>>,
    Path((_, request_id)): Path<(String, String)>,
    Admin { tenant, actor }: Admin,
) -> Result<Json<Value>, ApiError> {
    let store = Arc::clone(callbacks(&state)?.store());
    let id = tenant.id.to_string();
    let done = stored(async {
        let done = store.finish_request(&id, &request_id).await?;
        if let Some(done) = &done {
            store
                .audit(&actor, Some(&id), "callback.done", &done.id)
                .await?;
        }
        Ok::<_, StoreError>(done)
    })
    .await?;
    let done = done.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_callback",
            "no such callback",
        )
    })?;
    Ok(Json(json!(done)))
}
