//! The call log (the `call_log` and `call_events` tables): every tool call a tenant's agent
//! made, with its latency waterfall, and the platforms' call events, read back per tenant as
//! a filtered list or as one phone call's timeline.
//!
//! Written in batches by the gateway's background writer (`crate::calllog`), never on a
//! call's path; kept for each tenant's retention and swept daily ([`Store::sweep_call_log`]).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use bytes::Bytes;

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

/// A logged tool call's replay recording (`crate::replay`), as the store keeps it. The store
/// does not read it: it keeps each value once per tenant (compressed), and the tenant's
/// latest `keep` recordings.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordingEntry {
    /// The tenant whose call it is.
    pub tenant: Arc<str>,
    /// The logged tool call it belongs to ([`Store::append_call_log`]'s id for it).
    pub call_log_id: i64,
    /// When the call arrived (the retention sweep goes by it).
    pub at: String,
    /// The recording, as JSON.
    pub recording: Vec<u8>,
    /// The values it refers to, by their hash.
    pub values: Vec<(String, Bytes)>,
    /// How many of the tenant's latest recordings are kept.
    pub keep: u32,
}

/// A recording read back, newest first, with the logged call it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecording {
    /// The logged tool call's id.
    pub call_log_id: i64,
    /// The phone call's id.
    pub call_id: String,
    /// The tool.
    pub tool: String,
    /// The plugin version that answered it.
    pub plugin_digest: Option<String>,
    /// When it arrived.
    pub at: String,
    /// The recording, as JSON.
    pub recording: Vec<u8>,
}

/// zstd's level for recordings and values: its fastest tier, as the writer compresses on the
/// gateway's CPU; recordings are JSON and compress well at any level.
const COMPRESSION_LEVEL: i32 = 1;

/// Compresses what one transaction writes with one zstd context: making a context allocates
/// and clears its tables, which for a body of a few kilobytes costs more than compressing it.
struct Compressor(Option<zstd::bulk::Compressor<'static>>);

impl Compressor {
    fn compress(&mut self, bytes: &[u8]) -> Result<Vec<u8>, StoreError> {
        let failed = |err: std::io::Error| StoreError::Corrupt(format!("cannot compress: {err}"));
        let compressor = match &mut self.0 {
            Some(compressor) => compressor,
            empty => empty.insert(zstd::bulk::Compressor::new(COMPRESSION_LEVEL).map_err(failed)?),
        };
        compressor.compress(bytes).map_err(failed)
    }
}

/// Values larger than this are refused when read back: a corrupt length must not allocate
/// gigabytes (recorded values are capped far below it).
const MAX_DECOMPRESSED: usize = 64 << 20;

/// Decompresses what one read returns with one zstd context.
struct Decompressor(Option<zstd::bulk::Decompressor<'static>>);

impl Decompressor {
    fn decompress(&mut self, bytes: &[u8], what: &str) -> Result<Vec<u8>, StoreError> {
        let failed =
            |err: std::io::Error| StoreError::Corrupt(format!("{what} does not decompress: {err}"));
        let decompressor = match &mut self.0 {
            Some(decompressor) => decompressor,
            empty => empty.insert(zstd::bulk::Decompressor::new().map_err(failed)?),
        };
        decompressor
            .decompress(bytes, MAX_DECOMPRESSED)
            .map_err(failed)
    }
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

const INSERT_TOOL_CALL: &str = "INSERT INTO call_log (tenant, platform, call_id, tool, at,
         plugin_digest, outcome, error_code, speech, arguments, total_us, waterfall)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

/// Inserts one tool call; its id.
async fn insert_tool_call(db: &mut dyn Db, entry: &ToolCallEntry) -> Result<i64, StoreError> {
    let params = [
        Param::from(&*entry.tenant),
        Param::from(entry.platform),
        Param::from(&entry.call_id),
        Param::from(&*entry.tool),
        Param::from(&entry.at),
        Param::from(&entry.plugin_digest),
        Param::from(entry.outcome),
        Param::from(entry.error_code),
        Param::from(&entry.speech),
        Param::from(&entry.arguments),
        Param::from(entry.total_us),
        Param::from(&entry.waterfall),
    ];
    db.insert(INSERT_TOOL_CALL, &params).await
}

/// Inserts one recording, and those of its values the tenant does not have yet.
async fn insert_recording(
    db: &mut dyn Db,
    entry: &RecordingEntry,
    values_kept: &mut HashSet<(Arc<str>, String)>,
    compressor: &mut Compressor,
) -> Result<(), StoreError> {
    for (digest, bytes) in &entry.values {
        // Values recur (the same day's slots, read by every check): compressed and written
        // only when the tenant does not have them yet.
        let key = (Arc::clone(&entry.tenant), digest.clone());
        if values_kept.contains(&key) {
            continue;
        }
        let known = db
            .query_opt(
                "SELECT 1 FROM recorded_values WHERE tenant = $1 AND digest = $2",
                params![&*entry.tenant, digest],
            )
            .await?
            .is_some();
        if !known {
            db.execute(
                "INSERT INTO recorded_values (tenant, digest, bytes) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                params![&*entry.tenant, digest, &compressor.compress(bytes)?[..]],
            )
            .await?;
        }
        values_kept.insert(key);
    }
    let digests: Vec<&str> = entry.values.iter().map(|(d, _)| d.as_str()).collect();
    db.execute(
        "INSERT INTO call_recordings (tenant, call_log_id, at, recording, value_digests)
         VALUES ($1, $2, $3, $4, $5)",
        params![
            &*entry.tenant,
            entry.call_log_id,
            &entry.at,
            // Not compressed: a recording is a kilobyte or two of JSON, its bulk (bodies, cache
            // values) is out of line, and zstd's tables for so small an input cost a recorded
            // call more than the bytes saved (`make bench`, recording_cpu_overhead_percent).
            &entry.recording[..],
            &digests.join(" "),
        ],
    )
    .await?;
    Ok(())
}

/// Keeps `tenant`'s latest `keep` recordings, deleting the older ones.
async fn prune_recordings(db: &mut dyn Db, tenant: &str, keep: u32) -> Result<(), StoreError> {
    db.execute(
        "DELETE FROM call_recordings WHERE tenant = $1 AND id <= (
             SELECT id FROM call_recordings WHERE tenant = $1
             ORDER BY id DESC LIMIT 1 OFFSET $2)",
        params![tenant, i64::from(keep)],
    )
    .await?;
    Ok(())
}

async fn insert_event(db: &mut dyn Db, entry: &CallEventEntry) -> Result<(), StoreError> {
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
    )
    .await?;
    Ok(())
}

impl Store {
    /// Writes a batch of tool calls and call events in one transaction: all of them or, on
    /// an error, none. The tool calls' ids, in their order (what their recordings refer to).
    pub async fn append_call_log(
        &self,
        tool_calls: Vec<ToolCallEntry>,
        events: Vec<CallEventEntry>,
    ) -> Result<Vec<i64>, StoreError> {
        // Shared, not copied, by a retry (`Store::write`).
        let batch = Arc::new((tool_calls, events));
        self.write(batch, |db, batch| {
            Box::pin(async move {
                let (tool_calls, events) = &*batch;
                let mut ids = Vec::with_capacity(tool_calls.len());
                for entry in tool_calls {
                    ids.push(insert_tool_call(db, entry).await?);
                }
                for entry in events {
                    insert_event(db, entry).await?;
                }
                Ok(ids)
            })
        })
        .await
    }

    /// Writes a batch of recordings in one transaction, then keeps each tenant's latest
    /// `keep` of them.
    pub async fn append_recordings(
        &self,
        recordings: Vec<RecordingEntry>,
    ) -> Result<(), StoreError> {
        let recordings = Arc::new(recordings);
        self.write(recordings, |db, recordings| {
            Box::pin(async move {
                let mut values_kept = HashSet::new();
                let mut compressor = Compressor(None);
                let mut recorded: HashMap<&str, u32> = HashMap::new();
                for entry in recordings.iter() {
                    insert_recording(db, entry, &mut values_kept, &mut compressor).await?;
                    recorded.insert(&entry.tenant, entry.keep);
                }
                for (tenant, keep) in recorded {
                    prune_recordings(db, tenant, keep).await?;
                }
                Ok(())
            })
        })
        .await
    }

    /// One page of `tenant`'s tool calls, newest (or slowest) first.
    pub async fn call_log(
        &self,
        tenant: &str,
        query: &CallLogQuery,
    ) -> Result<CallLogPage, StoreError> {
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
        let mut calls: Vec<LoggedToolCall> = self
            .read((tenant, query, sql), move |db, (tenant, query, sql)| {
                Box::pin(async move {
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
                    db.query(&sql, &params)
                        .await?
                        .iter()
                        .map(tool_row)
                        .collect()
                })
            })
            .await?;
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
    pub async fn call_figures(
        &self,
        tenant: &str,
        since: &str,
        max: u32,
    ) -> Result<Vec<ToolCallFigures>, StoreError> {
        let (tenant, since) = (tenant.to_owned(), since.to_owned());
        self.read((tenant, since), move |db, (tenant, since)| {
            Box::pin(async move {
                db.query(
                    "SELECT id, call_id, tool, outcome, total_us, waterfall FROM call_log
                 WHERE tenant = $1 AND at >= $2 ORDER BY id DESC LIMIT $3",
                    params![&tenant, &since, i64::from(max)],
                )
                .await?
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
        })
        .await
    }

    /// One phone call of `tenant`'s: its events and tool calls, oldest first; `None` when
    /// the log has nothing of it.
    pub async fn call_timeline(
        &self,
        tenant: &str,
        call_id: &str,
    ) -> Result<Option<CallTimeline>, StoreError> {
        let (tenant, call_id) = (tenant.to_owned(), call_id.to_owned());
        let timeline = self
            .read((tenant, call_id), move |db, (tenant, call_id)| {
                Box::pin(async move {
                    let events = db
                        .query(
                            "SELECT id, platform, event, at, detail FROM call_events
                     WHERE tenant = $1 AND call_id = $2 ORDER BY id",
                            params![&tenant, &call_id],
                        )
                        .await?
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
                        )
                        .await?
                        .iter()
                        .map(tool_row)
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(CallTimeline { events, tool_calls })
                })
            })
            .await?;
        let empty = timeline.events.is_empty() && timeline.tool_calls.is_empty();
        Ok((!empty).then_some(timeline))
    }

    /// Every tenant with something in the call log, including tenants no longer configured.
    pub async fn call_log_tenants(&self) -> Result<Vec<String>, StoreError> {
        self.read((), move |db, ()| {
            Box::pin(async move {
                db.query(
                    "SELECT tenant FROM call_log UNION SELECT tenant FROM call_events",
                    params![],
                )
                .await?
                .iter()
                .map(|row| row.get(0))
                .collect()
            })
        })
        .await
    }

    /// Deletes `tenant`'s call log from before `before` (RFC 3339, UTC); how many tool calls
    /// and events went.
    pub async fn sweep_call_log(&self, tenant: &str, before: &str) -> Result<u64, StoreError> {
        let (tenant, before) = (tenant.to_owned(), before.to_owned());
        self.write((tenant, before), move |db, (tenant, before)| {
            Box::pin(async move {
                // By id, as the log has no index by time (each costs every logged call): ids grow
                // with time, so everything before the first call kept is older. A call stamped
                // out of order (another replica's clock) waits for a later sweep.
                let calls = db
                    .execute(
                        "DELETE FROM call_log WHERE tenant = $1 AND at < $2 AND id < COALESCE(
                     (SELECT id FROM call_log WHERE tenant = $1 AND at >= $2 ORDER BY id LIMIT 1),
                     9223372036854775807)",
                        params![&tenant, &before],
                    )
                    .await?;
                let events = db
                    .execute(
                        "DELETE FROM call_events WHERE tenant = $1 AND at < $2",
                        params![&tenant, &before],
                    )
                    .await?;
                let recordings = db
                    .execute(
                        "DELETE FROM call_recordings WHERE tenant = $1 AND at < $2",
                        params![&tenant, &before],
                    )
                    .await?;
                sweep_recorded_values(db, &tenant).await?;
                Ok(calls + events + recordings)
            })
        })
        .await
    }

    /// `tenant`'s latest `last` recordings, newest first.
    pub async fn recordings(
        &self,
        tenant: &str,
        last: u32,
    ) -> Result<Vec<StoredRecording>, StoreError> {
        let tenant = tenant.to_owned();
        self.read(tenant, move |db, tenant| {
            Box::pin(async move {
                db.query(
                    "SELECT r.call_log_id, c.call_id, c.tool, c.plugin_digest, c.at, r.recording
                 FROM call_recordings r JOIN call_log c ON c.id = r.call_log_id
                 WHERE r.tenant = $1 ORDER BY r.id DESC LIMIT $2",
                    params![&tenant, i64::from(last)],
                )
                .await?
                .iter()
                .map(|row| {
                    let call_log_id: i64 = row.get(0)?;
                    let recording: Vec<u8> = row.get(5)?;
                    Ok(StoredRecording {
                        call_log_id,
                        call_id: row.get(1)?,
                        tool: row.get(2)?,
                        plugin_digest: row.get(3)?,
                        at: row.get(4)?,
                        recording,
                    })
                })
                .collect()
            })
        })
        .await
    }

    /// The values of `tenant`'s recordings with these hashes (those it has), decompressed.
    pub async fn recorded_values(
        &self,
        tenant: &str,
        digests: Vec<String>,
    ) -> Result<HashMap<String, Bytes>, StoreError> {
        let tenant = tenant.to_owned();
        self.read((tenant, digests), move |db, (tenant, digests)| {
            Box::pin(async move {
                let mut decompressor = Decompressor(None);
                let mut values = HashMap::with_capacity(digests.len());
                for digest in &digests {
                    let row = db
                        .query_opt(
                            "SELECT bytes FROM recorded_values WHERE tenant = $1 AND digest = $2",
                            params![&tenant, digest],
                        )
                        .await?;
                    if let Some(row) = row {
                        let compressed: Vec<u8> = row.get(0)?;
                        let bytes = decompressor
                            .decompress(&compressed, &format!("recorded value {digest}"))?;
                        values.insert(digest.clone(), Bytes::from(bytes));
                    }
                }
                Ok(values)
            })
        })
        .await
    }
}

/// Deletes the values of `tenant`'s that no recording refers to any more; in the sweep's
/// write transaction, so no recording written meanwhile can lose one.
async fn sweep_recorded_values(db: &mut dyn Db, tenant: &str) -> Result<u64, StoreError> {
    let mut referenced = HashSet::new();
    for row in db
        .query(
            "SELECT value_digests FROM call_recordings WHERE tenant = $1",
            params![tenant],
        )
        .await?
    {
        let digests: String = row.get(0)?;
        referenced.extend(digests.split_whitespace().map(str::to_owned));
    }
    let mut swept = 0;
    for row in db
        .query(
            "SELECT digest FROM recorded_values WHERE tenant = $1",
            params![tenant],
        )
        .await?
    {
        let digest: String = row.get(0)?;
        if !referenced.contains(&digest) {
            swept += db
                .execute(
                    "DELETE FROM recorded_values WHERE tenant = $1 AND digest = $2",
                    params![tenant, &digest],
                )
                .await?;
        }
    }
    Ok(swept)
}
