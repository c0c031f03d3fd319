//! What the console opens with: `GET /v1/admin/session` (whom the token speaks for) and
//! `GET /v1/admin/tenants/{tenant}/summary` (a tenant at a glance: its last hour of tool calls,
//! its breakers, the plugin version it serves).

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use chrono::{SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::{Admin, Holder};
use super::{ApiError, AppState};
use crate::calllog::summary::Summary;

/// The most tool calls one summary reads: an hour of a busy tenant's calls is far fewer, and
/// beyond this the figures are of the newest ones (`truncated`).
const MAX_FIGURES: u32 = 50_000;
/// The longest window a summary may cover, minutes: a day.
const MAX_WINDOW_MINUTES: i64 = 24 * 60;

/// `GET /v1/admin/session`: `{role, tenants}`, the tenants this token may see.
pub async fn session(State(state): State<Arc<AppState>>, holder: Holder) -> Json<Value> {
    let (role, tenants) = match holder {
        Holder::Operator => ("operator", state.tenants.ids()),
        Holder::Tenants(ids) => ("tenant", ids),
    };
    let tenants: Vec<String> = tenants.iter().map(ToString::to_string).collect();
    Json(json!({ "role": role, "tenants": tenants }))
}

/// `?minutes=` (1 to 1440, default 60): how far back the summary looks.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryQuery {
    minutes: Option<String>,
}

/// `GET /v1/admin/tenants/{tenant}/summary[?minutes=60]`.
pub async fn summary(
    State(state): State<Arc<AppState>>,
    query: Result<Query<SummaryQuery>, QueryRejection>,
    Admin { tenant, .. }: Admin,
) -> Result<Json<Value>, ApiError> {
    let Query(query) = query?;
    let minutes = match query.minutes.as_deref() {
        None => 60,
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|minutes| (1..=MAX_WINDOW_MINUTES).contains(minutes))
            .ok_or_else(|| {
                super::calls::invalid(
                    "minutes",
                    format!("{text:?} is not a number from 1 to {MAX_WINDOW_MINUTES}"),
                )
            })?,
    };
    let since = (Utc::now() - chrono::Duration::minutes(minutes))
        .to_rfc3339_opts(SecondsFormat::Millis, true);
    let log = state.dispatcher.call_log().cloned();
    let registry = state.registry.clone();
    let id = tenant.id.to_string();
    let window_since = since.clone();
    let (summary, active) = super::calls::read(async {
        let summary = match &log {
            Some(log) => {
                let figures = log
                    .store()
                    .call_figures(&id, &window_since, MAX_FIGURES + 1)
                    .await?;
                let truncated = figures.len() > MAX_FIGURES as usize;
                let figures = &figures[..figures.len().min(MAX_FIGURES as usize)];
                Some(Summary::of(figures, truncated))
            }
            None => None,
        };
        let active = match &registry {
            Some(registry) => registry.store().active_version(&id).await?,
            None => None,
        };
        Ok((summary, active))
    })
    .await?;
    Ok(Json(json!({
        "tenant": tenant.id.to_string(),
        "since": since,
        "minutes": minutes,
        // `null` when the gateway keeps no call log (no store, or `call_log.enabled = false`).
        "summary": summary,
        "breakers": tenant.env.outbound.breakers.status(),
        "plugin": {
            "active_version": active.map(|version| version.version),
            "serving_digest": tenant.plugin().digest(),
        },
    })))
}
