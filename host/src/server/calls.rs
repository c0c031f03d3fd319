//! The call log's API: `GET /v1/admin/tenants/{tenant}/calls` (the tenant's tool calls,
//! filtered and paginated) and `GET /v1/admin/tenants/{tenant}/calls/{call_id}` (one phone
//! call as a timeline). Tenant tokens see their own tenant only (the [`Admin`] extractor).

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::Admin;
use super::{ApiError, AppState};
use crate::calllog::CallLog;
use crate::store::{CallLogCursor, CallLogQuery, StoreError};
use crate::tool::Tool;

/// Entries per page when `limit` is not given.
const DEFAULT_LIMIT: u32 = 50;
/// The most entries one page may ask for.
const MAX_LIMIT: u32 = 500;

/// The outcomes a tool call is logged with.
const OUTCOMES: &[&str] = &["ok", "failed", "refused", "overloaded"];

/// The query string of the list, as sent: every value is checked below, so that a malformed
/// one is refused naming the parameter rather than silently ignored.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallsQuery {
    since: Option<String>,
    until: Option<String>,
    tool: Option<String>,
    outcome: Option<String>,
    call_id: Option<String>,
    order: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

/// 400 `invalid_query` naming `parameter` and what is wrong with it.
pub(super) fn invalid(parameter: &str, why: impl std::fmt::Display) -> ApiError {
    ApiError::invalid_query(format!("query parameter `{parameter}`: {why}"))
}

/// An RFC 3339 instant, as the store writes times (UTC, milliseconds), so text order is time
/// order.
fn instant(parameter: &str, value: &str) -> Result<String, ApiError> {
    DateTime::parse_from_rfc3339(value)
        .map(|at| {
            at.with_timezone(&Utc)
                .to_rfc3339_opts(SecondsFormat::Millis, true)
        })
        .map_err(|err| {
            invalid(
                parameter,
                format!("{value:?} is not an RFC 3339 time such as 2026-12-02T09:00:00Z ({err})"),
            )
        })
}

fn cursor_text(cursor: CallLogCursor) -> String {
    format!("{}.{}", cursor.total_us, cursor.id)
}

fn parse_cursor(value: &str) -> Result<CallLogCursor, ApiError> {
    let parsed = value.split_once('.').and_then(|(us, id)| {
        Some(CallLogCursor {
            total_us: us.parse().ok()?,
            id: id.parse().ok()?,
        })
    });
    parsed.ok_or_else(|| {
        invalid(
            "cursor",
            "not a cursor this API gave (use `next_cursor` of the previous page)",
        )
    })
}

impl CallsQuery {
    fn read(self) -> Result<CallLogQuery, ApiError> {
        let since = self
            .since
            .as_deref()
            .map(|v| instant("since", v))
            .transpose()?;
        let until = self
            .until
            .as_deref()
            .map(|v| instant("until", v))
            .transpose()?;
        if let (Some(since), Some(until)) = (&since, &until)
            && since > until
        {
            return Err(invalid("until", "lies before `since`"));
        }
        let tool = match self.tool {
            Some(name) => Some(
                Tool::from_name(&name)
                    .map(|tool| tool.name().to_owned())
                    .ok_or_else(|| invalid("tool", format!("no tool is called {name:?}")))?,
            ),
            None => None,
        };
        if let Some(outcome) = &self.outcome
            && !OUTCOMES.contains(&outcome.as_str())
        {
            return Err(invalid(
                "outcome",
                format!("{outcome:?} is not one of {}", OUTCOMES.join(", ")),
            ));
        }
        let slowest = match self.order.as_deref() {
            None | Some("newest") => false,
            Some("slowest") => true,
            Some(other) => {
                return Err(invalid(
                    "order",
                    format!("{other:?} is not `newest` or `slowest`"),
                ));
            }
        };
        let limit = match self.limit {
            None => DEFAULT_LIMIT,
            Some(text) => match text.parse::<u32>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => {
                    return Err(invalid(
                        "limit",
                        format!("{text:?} is not a number from 1 to {MAX_LIMIT}"),
                    ));
                }
            },
        };
        let after = self.cursor.as_deref().map(parse_cursor).transpose()?;
        if self.call_id.as_deref().is_some_and(str::is_empty) {
            return Err(invalid("call_id", "is empty"));
        }
        Ok(CallLogQuery {
            since,
            until,
            tool,
            outcome: self.outcome,
            call_id: self.call_id,
            slowest,
            limit,
            after,
        })
    }
}

fn call_log(state: &AppState) -> Result<CallLog, ApiError> {
    state.dispatcher.call_log().cloned().ok_or_else(|| {
        ApiError::new(
            StatusCode::CONFLICT,
            "no_call_log",
            "the call log needs server.data_dir (or a PostgreSQL store) and call_log.enabled",
        )
    })
}

/// Awaits a store read; 503 `store_unavailable` when it fails.
pub(super) async fn read<T>(
    work: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, ApiError> {
    work.await.map_err(|err| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "store_unavailable",
            format!("the store could not be read: {err}"),
        )
    })
}

/// `GET /v1/admin/tenants/{tenant}/calls[?since&until&tool&outcome&call_id&order&limit&cursor]`:
/// the tenant's tool calls, newest (or `order=slowest`) first, `limit` at a time; the next
/// page is asked for with `cursor` set to the answer's `next_cursor`.
pub async fn list(
    State(state): State<Arc<AppState>>,
    query: Result<Query<CallsQuery>, QueryRejection>,
    Admin { tenant, .. }: Admin,
) -> Result<Json<Value>, ApiError> {
    let Query(query) = query?;
    let query = query.read()?;
    let log = call_log(&state)?;
    let id = tenant.id.to_string();
    let page = read(log.store().call_log(&id, &query)).await?;
    Ok(Json(json!({
        "calls": page.calls,
        "next_cursor": page.next.map(cursor_text),
    })))
}

/// `GET /v1/admin/tenants/{tenant}/calls/{call_id}`: one phone call, its platform events and
/// tool calls, oldest first.
pub async fn timeline(
    State(state): State<Arc<AppState>>,
    Path((_, call_id)): Path<(String, String)>,
    Admin { tenant, .. }: Admin,
) -> Result<Json<Value>, ApiError> {
    let log = call_log(&state)?;
    let id = tenant.id.to_string();
    let wanted = call_id.clone();
    let timeline = read(log.store().call_timeline(&id, &wanted)).await?;
    let timeline = timeline.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_call",
            format!("the call log has nothing of call {call_id:?}"),
        )
    })?;
    Ok(Json(json!({
        "call_id": call_id,
        "events": timeline.events,
        "tool_calls": timeline.tool_calls,
    })))
}
