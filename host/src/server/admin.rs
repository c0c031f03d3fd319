//! The admin API: bearer tokens, one for the operator and one per tenant.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use super::{ApiError, AppState};
use crate::registry::{Registry, RegistryError};
use crate::runtime::CompileError;
use crate::store::StoreError;
use crate::tenant::Tenant;

/// Finds `tenant_id` and checks that the bearer token may act on it: the operator's token
/// for every tenant, a tenant's own token for that tenant only.
pub fn authorize(
    state: &AppState,
    headers: &HeaderMap,
    tenant_id: &str,
) -> Result<Arc<Tenant>, ApiError> {
    authorize_as(state, headers, tenant_id).map(|(tenant, _)| tenant)
}

/// Like [`authorize`], also naming who acts, for the audit log.
fn authorize_as(
    state: &AppState,
    headers: &HeaderMap,
    tenant_id: &str,
) -> Result<(Arc<Tenant>, String), ApiError> {
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
    let actor = if operator {
        "operator".to_owned()
    } else {
        format!("tenant:{tenant_id}")
    };
    match (tenant, operator || own, known) {
        (Some(tenant), true, _) => Ok((tenant, actor)),
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
    tenant.cache.clear().await.map_err(|err| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "cache_unavailable",
            format!("the cache could not be cleared: {err}"),
        )
    })?;
    Ok(StatusCode::NO_CONTENT)
}

fn registry(state: &AppState) -> Result<Arc<Registry>, ApiError> {
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
            RegistryError::Invalid(CompileError::Compile(_)) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "does_not_compile",
                message,
            ),
            RegistryError::UnknownVersion { .. } => {
                ApiError::new(StatusCode::NOT_FOUND, "unknown_version", message)
            }
            RegistryError::Store(StoreError::UnknownTenant(_)) => {
                ApiError::new(StatusCode::NOT_FOUND, "unknown_tenant", message)
            }
            RegistryError::Store(StoreError::UnknownVersion { .. }) => {
                ApiError::new(StatusCode::NOT_FOUND, "unknown_version", message)
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

/// Runs blocking registry work (compilation, fsync) off the async workers.
async fn blocking<T: Send + 'static>(
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
/// tests kill the gateway exactly between two steps.
fn failpoint(name: &str) {
    if std::env::var("SLOTLINE_FAILPOINT").is_ok_and(|point| point == name) {
        tracing::error!(failpoint = name, "failpoint reached: aborting");
        std::process::abort();
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct UploadQuery {
    #[serde(default)]
    activate: bool,
}

/// `POST /v1/admin/tenants/{tenant}/plugins` with the component as the body.
pub async fn upload_plugin(
    State(state): State<Arc<AppState>>,
    Path(tenant_id): Path<String>,
    Query(query): Query<UploadQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (tenant, actor) = authorize_as(&state, &headers, &tenant_id)?;
    let registry = registry(&state)?;
    let bytes = body?;
    let started = std::time::Instant::now();
    let (version, _plugin) = {
        let registry = Arc::clone(&registry);
        let id = tenant.id.to_string();
        let actor = actor.clone();
        blocking(move || registry.upload(&id, &bytes, &actor)).await?
    };
    let compile_ms = started.elapsed().as_secs_f64() * 1000.0;
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
    Path(tenant_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let tenant = authorize(&state, &headers, &tenant_id)?;
    let registry = registry(&state)?;
    let store = Arc::clone(registry.store());
    let id = tenant.id.to_string();
    let (versions, active) =
        blocking(move || Ok((store.plugin_versions(&id)?, store.active_version(&id)?))).await?;
    Ok(Json(json!({
        "versions": versions,
        "active": active.map(|version| version.version),
        "serving": tenant.plugin().digest(),
    })))
}

/// `POST /v1/admin/tenants/{tenant}/plugins/{version}/activate`: also the rollback.
pub async fn activate_plugin(
    State(state): State<Arc<AppState>>,
    Path((tenant_id, version)): Path<(String, u32)>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let (tenant, actor) = authorize_as(&state, &headers, &tenant_id)?;
    let registry = registry(&state)?;
    let started = std::time::Instant::now();
    let record = blocking(move || registry.activate(&tenant, version, &actor)).await?;
    Ok(Json(json!({
        "version": record.version,
        "digest": record.digest,
        "activated_ms": started.elapsed().as_secs_f64() * 1000.0,
    })))
}

/// Whether the bearer token is the operator's.
fn is_operator(state: &AppState, headers: &HeaderMap) -> bool {
    let token = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    match (token, state.admin_token.as_ref()) {
        (Some(token), Some(secret)) => {
            bool::from(secret.expose().as_bytes().ct_eq(token.as_bytes()))
        }
        _ => false,
    }
}

/// `PUT /v1/admin/tenants/{tenant}`: creates or reconfigures a tenant (operator only). The
/// body is the tenant's configuration as JSON, with the same keys as in `slotline.toml`.
/// The tenant keeps its active plugin version; a new tenant starts on the default plugin.
pub async fn put_tenant(
    State(state): State<Arc<AppState>>,
    Path(tenant_id): Path<String>,
    headers: HeaderMap,
    Json(config): Json<crate::config::TenantConfig>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    if !is_operator(&state, &headers) {
        return Err(match state.tenants.get(&tenant_id) {
            Some(_) if authorize(&state, &headers, &tenant_id).is_ok() => ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "only the operator may configure tenants",
            ),
            _ => ApiError::unauthorized("the operator's token is required"),
        });
    }
    let id = crate::tenant::TenantId::parse(&tenant_id)
        .map_err(|err| ApiError::bad_request(err.to_string()))?;
    let existing = state.tenants.get(&tenant_id);
    let plugin = existing
        .as_ref()
        .map(|tenant| tenant.plugin())
        .or_else(|| state.default_plugin.clone())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::CONFLICT,
                "no_plugin",
                "no default plugin to start the tenant on",
            )
        })?;
    let tenant = Tenant::from_config(
        id.clone(),
        &config,
        plugin,
        state.outbound_cap,
        &state.caches,
    )
    .map_err(|err| ApiError::bad_request(err.to_string()))?;
    if let Some(registry) = &state.registry {
        let store = Arc::clone(registry.store());
        let settings = serde_json::to_value(&config).unwrap_or_default();
        let key = id.to_string();
        blocking(move || {
            store.put_tenant(&key, &settings)?;
            store.audit(
                "operator",
                Some(&key),
                "tenant.put",
                "configuration replaced",
            )?;
            Ok(())
        })
        .await?;
    }
    state.tenants.insert(tenant);
    let status = if existing.is_some() {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(json!({ "tenant": id.to_string() }))))
}

/// `GET /v1/admin/tenants/{tenant}`: what the gateway serves for the tenant (no secrets).
pub async fn get_tenant(
    State(state): State<Arc<AppState>>,
    Path(tenant_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let tenant = authorize(&state, &headers, &tenant_id)?;
    let mut settings: Vec<&String> = tenant.settings.keys().collect();
    settings.sort();
    Ok(Json(json!({
        "tenant": tenant.id.to_string(),
        "timezone": tenant.timezone.name(),
        "locale": tenant.locale,
        "plugin_digest": tenant.plugin().digest(),
        "settings": settings,
        "retell": tenant.retell_api_key.is_some(),
        "vapi": tenant.vapi_secret.is_some(),
        "calcom_webhook": tenant.calcom_webhook_secret.is_some(),
    })))
}

#[derive(Debug, serde::Deserialize)]
pub struct CallbackQuery {
    status: Option<String>,
}

fn callbacks(state: &AppState) -> Result<Arc<crate::callbacks::Callbacks>, ApiError> {
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
    Path(tenant_id): Path<String>,
    Query(query): Query<CallbackQuery>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let tenant = authorize(&state, &headers, &tenant_id)?;
    let store = Arc::clone(callbacks(&state)?.store());
    let id = tenant.id.to_string();
    let list = blocking(move || Ok(store.requests(&id, query.status.as_deref())?)).await?;
    Ok(Json(json!({ "callbacks": list })))
}

/// `POST /v1/admin/tenants/{tenant}/callbacks/{id}/done`.
pub async fn finish_callback(
    State(state): State<Arc<AppState>>,
    Path((tenant_id, request_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let (tenant, actor) = authorize_as(&state, &headers, &tenant_id)?;
    let store = Arc::clone(callbacks(&state)?.store());
    let id = tenant.id.to_string();
    let done = blocking(move || {
        let done = store.finish_request(&id, &request_id)?;
        if let Some(done) = &done {
            store.audit(&actor, Some(&id), "callback.done", &done.id)?;
        }
        Ok(done)
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
