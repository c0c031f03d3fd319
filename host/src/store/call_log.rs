//! The call log (the `call_log` and `call_events` tables): every tool call a tenant's agent
//! made, with its latency waterfall, and the platforms' call events, read back per tenant as
//! a filtered list or as one phone call's timeline.
//!
//! Written in batches by the gateway's background writer (`crate::calllog`), never on a
//! call's path; kept for each tenant's retention and swept daily ([`Store::sweep_call_log`]).

use std::borrow::Cow;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use super::sql::{Db, Param, Row, params, parse_json};
use super::{Store, StoreError};

/// One tool call, as the gateway answered it.
///
/// Made on a call's thread and dropped on the writer's, one per tool call: what can be is
/// shared (`Arc`) or static, and the arguments and the waterfall are JSON text already, so a
/// record is a handful of allocations rather than a tree of JSON values.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCallEntry {
    /// The tenant whose agent called.
    pub tenant: Arc<str>,
    /// `retell`, `vapi`, `mcp`, `cli`.
    pub platform: &'static str,
    /// The platform's id of the phone call.
    pub call_id: String,
    /// The tool, by the name agents call it (a refused call's name may be any text).
    pub tool: Cow<'static, str>,
    /// When the call arrived: RFC 3339, UTC, milliseconds.
    pub at: String,
    /// The sha256 of the plugin version that answered; `None` when no plugin ran.
    pub plugin_digest: Option<String>,
    /// `ok`, `failed`, `refused` (unusable arguments) or `overloaded`.
    pub outcome: &'static str,
    /// The reply's `error.code` when it failed.
    pub error_code: Option<&'static str>,
    /// What the agent was given to say.
    pub speech: String,
    /// The arguments as the tool read them, or as the agent sent them when no tool could
    /// (a refusal), as JSON; redacted when the tenant asks.
    pub arguments: String,
    /// The whole call inside the gateway, in microseconds.
    pub total_us: i64,
    /// Where the time went: the plugin, each upstream request, cache reads, waiting for an
    /// instance slot; as JSON, serialized once on the way in.
    pub waterfall: String,
}

/// One event of a phone call from its platform (started, ended, analysed, ...).
#[derive(Debug, Clone, PartialEq)]
pub struct CallEventEntry {
    /// The tenant whose call it is.
    pub tenant: String,
    /// `retell` or `vapi`.
    pub platform: String,
    /// The platform's id of the phone call.
    pub call_id: String,
    /// The event, as the platform names it (`call_started`, `status-update:ended`, ...).
    pub event: String,
    /// When it arrived: RFC 3339, UTC, milliseconds.
    pub at: String,
    /// The caller's and the dialled number, as far as known (redacted when the tenant asks).
    pub detail: Value,
}

/// A logged tool call as operators read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoggedToolCall {
    /// Increasing with time; the list's order and cursor.
    pub id: i64,
    /// The platform's id of the phone call.
    pub call_id: String,
    /// `retell`, `vapi`, `mcp`, `cli`.
    pub platform: String,
    /// The tool.
    pub tool: String,
    /// When the call arrived.
    pub at: String,
    /// The tenant's number of the plugin version that answered, when it was uploaded.
    pub plugin_version: Option<i64>,
    /// Its sha256.
    pub plugin_digest: Option<String>,
    /// `ok`, `failed`, `refused` or `overloaded`.
    pub outcome: String,
    /// The reply's `error.code`.
    pub error_code: Option<String>,
    /// What the agent was given to say.
    pub speech: String,
    /// The arguments.
    pub arguments: Value,
    /// The whole call inside the gateway, in microseconds.
    pub total_us: i64,
    /// Where the time went.
    pub waterfall: Value,
}

/// A logged call event as operators read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoggedCallEvent {
    /// Increasing with time.
    pub id: i64,
    /// `retell` or `vapi`.
    pub platform: String,
    /// The event.
    pub event: String,
    /// When it arrived.
    pub at: String,
    /// What came with it.
    pub detail: Value,
}

/// Which tool calls to list, and in what order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallLogQuery {
    /// Calls at or after this instant (RFC 3339, UTC, as the store writes times).
    pub since: Option<String>,
    /// Calls before this instant.
    pub until: Option<String>,
    /// One tool only.
    pub tool: Option<String>,
    /// One outcome only.
    pub outcome: Option<String>,
    /// One phone call only.
    pub call_id: Option<String>,
    /// Slowest first instead of newest first.
    pub slowest: bool,
    /// At most this many (at least 1).
    pub limit: u32,
    /// Continue after this entry of the previous page.
    pub after: Option<CallLogCursor>,
}

/// Where a page ended: the last entry's duration (slowest first) and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallLogCursor {
    /// The last entry's `total_us`.
    pub total_us: i64,
    /// The last entry's id.
    pub id: i64,
}

/// One page of the call log, and where the next one starts when there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct CallLogPage {
    /// The entries, in the order asked for.
    pub calls: Vec<LoggedToolCall>,
    /// The cursor of the next page; `None` on the last.
    pub next: Option<CallLogCursor>,
}

/// One phone call, its events and tool calls in the order they happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallTimeline {
    /// The platform's events (start, end, analysed).
    pub events: Vec<LoggedCallEvent>,
    /// The tool calls.
    pub tool_calls: Vec<LoggedToolCall>,
}

/// One tool call as a summary counts it: no speech, no arguments, only the numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolCallFigures {
    /// The platform's call id.
    pub call_id: String,
    /// The tool.
    pub tool: String,
    /// `ok`, `failed`, `refused` or `overloaded`.
    pub outcome: String,
    /// Its total time, microseconds.
    pub total_us: i64,
    /// Cache reads that found what they asked for.
    pub cache_hits: u64,
    /// Cache reads that did not.
    pub cache_misses: u64,
}

const TOOL_COLUMNS: &str = "c.id, c.call_id, c.platform, c.tool, c.at, v.version, \
     c.plugin_digest, c.outcome, c.error_code, c.speech, c.arguments, c.total_us, c.waterfall";

/// The version number comes from the tenant's plugin versions by digest: a plugin named in
/// the configuration file has none.
const TOOL_FROM: &str = "FROM call_log c LEFT JOIN plugin_versions v \
     ON v.tenant = c.tenant AND v.digest = c.plugin_digest";

fn tool_row(row: &Row) -> Result<LoggedToolCall, StoreError> {
    let id: i64 = row.get(0)?;
    let arguments: String = row.get(10)?;
    let waterfall: String = row.get(12)?;
    Ok(LoggedToolCall {
        call_id: row.get(1)?,
        platform: row.get(2)?,
        tool: row.get(3)?,
        at: row.get(4)?,
        plugin_version: row.get(5)?,
        plugin_digest: row.get(6)?,
        outcome: row.get(7)?,
        error_code: row.get(8)?,
        speech: row.get(9)?,
        arguments: parse_json(&arguments, || format!("arguments of logged call {id}"))?,
        total_us: row.get(11)?,
        waterfall: parse_json(&waterfall, || format!("waterfall of logged call {id}"))?,
        id,
    })
}

fn event_row(row: &Row) -> Result<LoggedCallEvent, StoreError> {
    let id: i64 = row.get(0)?;
    let detail: String = row.get(4)?;
    Ok(LoggedCallEvent {
        platform: row.get(1)?,
        event: row.get(2)?,
        at: row.get(3)?,
        detail: parse_json(&detail, || format!("detail of call event {id}"))?,
        id,
    })
}

fn insert_tool_call(db: &mut dyn Db, entry: &ToolCallEntry) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO call_log (tenant, platform, call_id, tool, at, plugin_digest, outcome,
             error_code, speech, arguments, total_us, waterfall)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        params![
            &*entry.tenant,
            entry.platform,
            &entry.call_id,
            &*entry.tool,
            &entry.at,
            &entry.plugin_digest,
            entry.outcome,
            entry.error_code,
            &entry.speech,
            &entry.arguments,
            entry.total_us,
            &entry.waterfall,
        ],
    )?;
    Ok(())
}

fn insert_event(db: &mut dyn Db, entry: &CallEventEntry) -> Result<(), StoreError> {
    let detail = entry.detail.to_string();
    db.execute(
        "INSERT INTO call_events (tenant, platform, call_id, event, at, detail)
         VALUES ($1, $2, $3, $4, $5, $6)",
        params![
            &entry.tenant,
            &entry.platform,
            &entry.call_id,
            &entry.event,
            &entry.at,
            &detail,
        ],
    )?;
    Ok(())
}

impl Store {
    /// Writes a batch of tool calls and call events in one transaction: all of them or, on
    /// an error, none.
    pub fn append_call_log(
        &self,
        tool_calls: Vec<ToolCallEntry>,
        events: Vec<CallEventEntry>,
    ) -> Result<(), StoreError> {
        self.write(move |db| {
            for entry in &tool_calls {
                insert_tool_call(db, entry)?;
            }
            for entry in &events {
                insert_event(db, entry)?;
            }
            Ok(())
        })
    }

    /// One page of `tenant`'s tool calls, newest (or slowest) first.
    pub fn call_log(&self, tenant: &str, query: &CallLogQuery) -> Result<CallLogPage, StoreError> {
        let tenant = tenant.to_owned();
        let query = query.clone();
        let limit = query.limit.max(1);
        // Keyset pagination: the page continues strictly after the cursor in the list's
        // order, so entries written meanwhile neither repeat nor shift the page.
        let (order, after) = if query.slowest {
            (
                "c.total_us DESC, c.id DESC",
                "(CAST($7 AS BIGINT) IS NULL OR c.total_us < $7 OR (c.total_us = $7 AND c.id < $8))",
            )
        } else {
            // Ids grow with time, so newest first is by id; the cursor's duration is unused.
            (
                "c.id DESC",
                "(CAST($8 AS BIGINT) IS NULL OR c.id < $8) AND CAST($7 AS BIGINT) IS NULL",
            )
        };
        let sql = format!(
            "SELECT {TOOL_COLUMNS} {TOOL_FROM}
             WHERE c.tenant = $1
               AND (CAST($2 AS TEXT) IS NULL OR c.at >= $2)
               AND (CAST($3 AS TEXT) IS NULL OR c.at < $3)
               AND (CAST($4 AS TEXT) IS NULL OR c.tool = $4)
               AND (CAST($5 AS TEXT) IS NULL OR c.outcome = $5)
               AND (CAST($6 AS TEXT) IS NULL OR c.call_id = $6)
               AND {after}
             ORDER BY {order} LIMIT $9"
        );
        let mut calls: Vec<LoggedToolCall> = self.read(move |db| {
            let (after_us, after_id) = match query.after {
                Some(cursor) if query.slowest => {
                    (Param::Int(cursor.total_us), Param::Int(cursor.id))
                }
                Some(cursor) => (Param::Null, Param::Int(cursor.id)),
                None => (Param::Null, Param::Null),
            };
            let params = [
                Param::from(&tenant),
                Param::from(&query.since),
                Param::from(&query.until),
                Param::from(&query.tool),
                Param::from(&query.outcome),
                Param::from(&query.call_id),
                after_us,
                after_id,
                // One more than asked: whether it exists says whether there is a next page.
                Param::Int(i64::from(limit) + 1),
            ];
            db.query(&sql, &params)?.iter().map(tool_row).collect()
        })?;
        let more = calls.len() > limit as usize;
        calls.truncate(limit as usize);
        let next = match (more, calls.last()) {
            (true, Some(last)) => Some(CallLogCursor {
                total_us: last.total_us,
                id: last.id,
            }),
            _ => None,
        };
        Ok(CallLogPage { calls, next })
    }

    /// The figures of `tenant`'s tool calls since `since` (RFC 3339, UTC), newest first, at
    /// most `max` of them: what a summary of the last hour is computed from.
    pub fn call_figures(
        &self,
        tenant: &str,
        since: &str,
        max: u32,
    ) -> Result<Vec<ToolCallFigures>, StoreError> {
        let (tenant, since) = (tenant.to_owned(), since.to_owned());
        self.read(move |db| {
            db.query(
                "SELECT id, call_id, tool, outcome, total_us, waterfall FROM call_log
                 WHERE tenant = $1 AND at >= $2 ORDER BY id DESC LIMIT $3",
                params![&tenant, &since, i64::from(max)],
            )?
            .iter()
            .map(|row| {
                let id: i64 = row.get(0)?;
                let waterfall: String = row.get(5)?;
                let waterfall =
                    parse_json(&waterfall, || format!("waterfall of logged call {id}"))?;
                let count = |key: &str| waterfall["cache"][key].as_u64().unwrap_or(0);
                Ok(ToolCallFigures {
                    call_id: row.get(1)?,
                    tool: row.get(2)?,
                    outcome: row.get(3)?,
                    total_us: row.get(4)?,
                    cache_hits: count("hits"),
                    cache_misses: count("misses"),
                })
            })
            .collect()
        })
    }

    /// One phone call of `tenant`'s: its events and tool calls, oldest first; `None` when
    /// the log has nothing of it.
    pub fn call_timeline(
        &self,
        tenant: &str,
        call_id: &str,
    ) -> Result<Option<CallTimeline>, StoreError> {
        let (tenant, call_id) = (tenant.to_owned(), call_id.to_owned());
        let timeline = self.read(move |db| {
            let events = db
                .query(
                    "SELECT id, platform, event, at, detail FROM call_events
                     WHERE tenant = $1 AND call_id = $2 ORDER BY id",
                    params![&tenant, &call_id],
                )?
                .iter()
                .map(event_row)
                .collect::<Result<Vec<_>, _>>()?;
            let tool_calls = db
                .query(
                    &format!(
                        "SELECT {TOOL_COLUMNS} {TOOL_FROM}
                         WHERE c.tenant = $1 AND c.call_id = $2 ORDER BY c.id"
                    ),
                    params![&tenant, &call_id],
                )?
                .iter()
                .map(tool_row)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(CallTimeline { events, tool_calls })
        })?;
        let empty = timeline.events.is_empty() && timeline.tool_calls.is_empty();
        Ok((!empty).then_some(timeline))
    }

    /// Every tenant with something in the call log, including tenants no longer configured.
    pub fn call_log_tenants(&self) -> Result<Vec<String>, StoreError> {
        self.read(|db| {
            db.query(
                "SELECT tenant FROM call_log UNION SELECT tenant FROM call_events",
                params![],
            )?
            .iter()
            .map(|row| row.get(0))
            .collect()
        })
    }

    /// Deletes `tenant`'s call log from before `before` (RFC 3339, UTC); how many tool calls
    /// and events went.
    pub fn sweep_call_log(&self, tenant: &str, before: &str) -> Result<u64, StoreError> {
        let (tenant, before) = (tenant.to_owned(), before.to_owned());
        self.write(move |db| {
            let calls = db.execute(
                "DELETE FROM call_log WHERE tenant = $1 AND at < $2",
                params![&tenant, &before],
            )?;
            let events = db.execute(
                "DELETE FROM call_events WHERE tenant = $1 AND at < $2",
                params![&tenant, &before],
            )?;
            Ok(calls + events)
        })
    }
}
