//! The call log: every tool call the gateway answered, with its latency waterfall, and the
//! platforms' call events, kept in the store so an operator can see why a call went as it did.
//!
//! Writing it never slows or fails a call: [`CallLog::tool_call`] and [`CallLog::event`] put
//! a record on a bounded queue and return at once; a background writer ([`writer`]) takes
//! what has gathered and writes it in one transaction. When the queue is full (the store is
//! slow or gone), records are dropped and counted in `slotline_call_log_dropped_total`,
//! never waited for. Replay recordings wait in the writer's memory ([`window`]) and only
//! each tenant's latest are written, every `call_log.recordings_every_ms`. Tenants'
//! retention is enforced by a sweep ([`CallLog::sweep`]), their redaction ([`redact`]) before
//! a record is stored, so nothing unmasked ever reaches the store.

pub mod masking;
pub mod redact;
pub mod summary;
pub mod trace;
mod window;
mod writer;

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc, oneshot};

pub use trace::Trace;

use crate::config::{CallLogConfig, TenantCallLogConfig};
use crate::store::sql::now;
use crate::store::{CallEventEntry, Store, StoreError, ToolCallEntry};
use crate::tenant::{Tenant, TenantId, Tenants};
use crate::tool::{Answer, CallInfo};

/// The call log's writer needs a tokio runtime to run on.
#[derive(Debug, thiserror::Error)]
#[error("the call log must be started within a tokio runtime")]
pub struct NoRuntime;

/// What the writer is handed.
enum Record {
    /// A tool call, and its replay recording when the tenant records its calls.
    Tool(ToolCallEntry, Option<Box<window::Recorded>>),
    Event(CallEventEntry),
    /// Answered once everything queued before it is written.
    Flush(oneshot::Sender<()>),
}

/// The handle calls log through; cheap to clone.
#[derive(Clone)]
pub struct CallLog {
    queue: mpsc::Sender<Record>,
    /// Cuts the writer's linger short for a flush.
    flush_now: Arc<Notify>,
    store: Arc<Store>,
}

/// What one tool call was, for its log record.
pub struct ToolCallSeen<'a> {
    /// The tool, by its name (a refused call's: whatever the agent called).
    pub tool: Cow<'static, str>,
    /// When it arrived (RFC 3339).
    pub at: String,
    /// The arguments as the tool read them.
    pub arguments: Value,
    /// What it answered.
    pub answer: &'a Answer,
    /// Where the time went.
    pub trace: &'a Trace,
}

impl CallLog {
    /// A call log on `store`, its writer running on the current tokio runtime until every
    /// handle is gone.
    pub fn start(store: Arc<Store>, config: &CallLogConfig) -> Result<Self, NoRuntime> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| NoRuntime)?;
        let (queue, records) = mpsc::channel(config.queue.max(1));
        let flush_now = Arc::new(Notify::new());
        runtime.spawn(writer::run(
            Arc::clone(&store),
            records,
            Arc::clone(&flush_now),
            writer::Pace {
                batch: config.batch.max(1),
                linger: std::time::Duration::from_millis(config.linger_ms),
                recordings_every: std::time::Duration::from_millis(config.recordings_every_ms),
            },
        ));
        Ok(Self {
            queue,
            flush_now,
            store,
        })
    }

    /// The time to stamp a tool call with when it arrives.
    pub fn arrived() -> String {
        now()
    }

    /// Queues `record` unless the queue is full; whether it was queued.
    fn enqueue(&self, record: Record, tenant: &TenantId) -> bool {
        let queued = self.queue.try_send(record).is_ok();
        if !queued {
            metrics::counter!("slotline_call_log_dropped_total", "tenant" => tenant.to_string())
                .increment(1);
        }
        queued
    }

    /// Logs one tool call of `tenant`'s.
    pub fn tool_call(&self, tenant: &Tenant, call: &CallInfo, seen: ToolCallSeen<'_>) {
        let total = seen.trace.elapsed();
        let (outcome, error_code, speech) = match seen.answer {
            Answer::Reply(reply) if reply.success => ("ok", None, reply.message.clone()),
            Answer::Reply(reply) => {
                let code = reply.code();
                let refused = matches!(
                    code,
                    Some(
                        crate::tool::ReplyCode::InvalidArguments
                            | crate::tool::ReplyCode::MissingArgument
                            | crate::tool::ReplyCode::UnknownTool
                    )
                );
                (
                    if refused { "refused" } else { "failed" },
                    code.map(crate::tool::ReplyCode::as_str),
                    reply.message.clone(),
                )
            }
            Answer::Overloaded => ("overloaded", None, String::new()),
        };
        let mut arguments = seen.arguments;
        let speech = if tenant.call_log.redact {
            let mut names = redact::arguments(&mut arguments);
            names.extend(call.caller_number.iter().cloned());
            redact::text(&speech, &names)
        } else {
            speech
        };
        // Serialized here, so the values are freed on this thread (see `ToolCallEntry`).
        let (waterfall, arguments) = match (
            seen.trace.waterfall(total),
            serde_json::to_string(&arguments),
        ) {
            (Ok(waterfall), Ok(arguments)) => (waterfall, arguments),
            (Err(err), _) | (_, Err(err)) => {
                // Plain numbers and strings: a failure here is a bug, and the call is not
                // worth failing for it.
                tracing::error!(error = %err, "call log: cannot serialize a tool call");
                return;
            }
        };
        let recording = seen.trace.take_recording().map(|call| {
            Box::new(window::Recorded {
                call,
                redact: tenant.call_log.redact,
                keep: tenant.call_log.recorded_calls,
            })
        });
        let entry = ToolCallEntry {
            tenant: tenant.id.shared(),
            platform: call.platform.as_str(),
            call_id: call.call_id.clone(),
            tool: seen.tool,
            at: seen.at,
            plugin_digest: seen.trace.take_plugin_digest(),
            outcome,
            error_code,
            speech,
            arguments,
            total_us: i64::try_from(total.as_micros()).unwrap_or(i64::MAX),
            waterfall,
        };
        self.enqueue(Record::Tool(entry, recording), &tenant.id);
    }

    /// Logs a platform's event of one of `tenant`'s calls (`call_started`, ...).
    pub fn event(&self, tenant: &Tenant, call: &CallInfo, event: &str) {
        let mask = |number: &Option<String>| match number {
            Some(_) if tenant.call_log.redact => Some(redact::MASK.to_owned()),
            other => other.clone(),
        };
        let entry = CallEventEntry {
            tenant: tenant.id.to_string(),
            platform: call.platform.as_str().to_owned(),
            call_id: call.call_id.clone(),
            event: event.to_owned(),
            at: now(),
            detail: json!({
                "caller_number": mask(&call.caller_number),
                "dialled_number": mask(&call.dialled_number),
            }),
        };
        self.enqueue(Record::Event(entry), &tenant.id);
    }

    /// Waits until every record queued before this call is written (or failed to be): for
    /// `slotline plugin invoke`, which exits right after its one call, and for tests.
    pub async fn flush(&self) {
        let (done, written) = oneshot::channel();
        // A full queue is waited on here: flushing is never on a call's path.
        if self.queue.send(Record::Flush(done)).await.is_ok() {
            self.flush_now.notify_one();
            let _ = written.await;
        }
    }

    /// The store the log is kept in.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Deletes what every tenant keeps beyond its `call_log.retention_days`; how many records
    /// went.
    /// A tenant that is no longer configured (removed from the file, or only known to the
    /// store) keeps its log for the default retention, so it is not kept forever.
    pub async fn sweep(&self, tenants: &Tenants) -> Result<u64, StoreError> {
        let mut swept = 0;
        for id in self.store.call_log_tenants().await? {
            let retention = tenants.get(&id).map_or_else(
                || TenantCallLogConfig::default().retention_days,
                |tenant| tenant.call_log.retention_days,
            );
            let keep = chrono::Duration::days(i64::from(retention));
            let before =
                (chrono::Utc::now() - keep).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            swept += self.store.sweep_call_log(&id, &before).await?;
        }
        Ok(swept)
    }

    /// Sweeps now and then every `every`, for as long as the runtime lives.
    pub fn spawn_sweeper(&self, tenants: Arc<Tenants>, every: std::time::Duration) {
        let log = self.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every.max(std::time::Duration::from_secs(1)));
            loop {
                ticks.tick().await;
                match log.sweep(&tenants).await {
                    Ok(swept) if swept > 0 => {
                        tracing::info!(swept, "call log: old records deleted");
                    }
                    Ok(_) => {}
                    Err(err) => tracing::warn!(error = %err, "call log: sweep failed"),
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_drops_and_counts_instead_of_waiting()
    -> Result<(), Box<dyn std::error::Error>> {
        let store = Arc::new(Store::open_in_memory()?);
        // The recorder first, as the gateway installs it before any call.
        let _ = crate::metrics::handle();
        // No writer: nothing leaves the queue of one.
        let (queue, _records) = mpsc::channel(1);
        let log = CallLog {
            queue,
            flush_now: Arc::new(Notify::new()),
            store,
        };
        let tenant = TenantId::parse("queue-full")?;
        let event = || {
            Record::Event(CallEventEntry {
                tenant: tenant.to_string(),
                platform: "retell".into(),
                call_id: "c".into(),
                event: "call_started".into(),
                at: now(),
                detail: Value::Null,
            })
        };
        assert!(log.enqueue(event(), &tenant));
        assert!(!log.enqueue(event(), &tenant));
        assert!(!log.enqueue(event(), &tenant));
        let metrics = crate::metrics::render();
        assert!(
            metrics.contains(r#"slotline_call_log_dropped_total{tenant="queue-full"} 2"#),
            "{metrics}"
        );
        Ok(())
    }

    #[tokio::test]
    async fn records_are_written_by_the_time_a_flush_returns()
    -> Result<(), Box<dyn std::error::Error>> {
        let store = Arc::new(Store::open_in_memory()?);
        let log = CallLog::start(Arc::clone(&store), &CallLogConfig::default())?;
        let tenant = TenantId::parse("flushed")?;
        for n in 0..20 {
            log.enqueue(
                Record::Event(CallEventEntry {
                    tenant: tenant.to_string(),
                    platform: "vapi".into(),
                    call_id: "c".into(),
                    event: format!("e{n}"),
                    at: now(),
                    detail: Value::Null,
                }),
                &tenant,
            );
        }
        log.flush().await;
        let timeline = store.call_timeline("flushed", "c").await?;
        assert_eq!(timeline.map(|t| t.events.len()), Some(20));
        Ok(())
    }

    fn tool_call(tenant: &TenantId, call_id: &str) -> ToolCallEntry {
        ToolCallEntry {
            tenant: tenant.shared(),
            platform: "retell",
            call_id: call_id.into(),
            tool: Cow::Borrowed("parse_date"),
            at: now(),
            plugin_digest: None,
            outcome: "ok",
            error_code: None,
            speech: "Morgen.".into(),
            arguments: "{}".into(),
            total_us: 1,
            waterfall: "{}".into(),
        }
    }

    #[tokio::test]
    async fn recordings_are_stored_when_due_or_at_a_flush_whichever_comes_first()
    -> Result<(), Box<dyn std::error::Error>> {
        let tenant = TenantId::parse("recorded")?;
        async fn stored(store: &Store) -> Result<Vec<String>, StoreError> {
            Ok(store
                .recordings("recorded", 10)
                .await?
                .into_iter()
                .map(|r| r.call_id)
                .collect())
        }
        // Due after 50 ms: stored without anyone asking.
        let store = Arc::new(Store::open_in_memory()?);
        let config = CallLogConfig {
            recordings_every_ms: 50,
            linger_ms: 1,
            ..CallLogConfig::default()
        };
        let log = CallLog::start(Arc::clone(&store), &config)?;
        let recorded = Box::new(window::tests::recorded("Morgen.", 10)?);
        assert!(log.enqueue(
            Record::Tool(tool_call(&tenant, "due"), Some(recorded)),
            &tenant
        ));
        let started = std::time::Instant::now();
        while stored(&store).await?.is_empty() {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(10),
                "the recording was never stored"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(stored(&store).await?, ["due"]);

        // Due in an hour: a flush stores it, with the call it belongs to.
        let store = Arc::new(Store::open_in_memory()?);
        let config = CallLogConfig {
            recordings_every_ms: 3_600_000,
            ..CallLogConfig::default()
        };
        let log = CallLog::start(Arc::clone(&store), &config)?;
        for call in ["first", "second"] {
            let recorded = Box::new(window::tests::recorded("Morgen.", 10)?);
            log.enqueue(
                Record::Tool(tool_call(&tenant, call), Some(recorded)),
                &tenant,
            );
        }
        log.flush().await;
        assert_eq!(stored(&store).await?, ["second", "first"], "newest first");
        let page = store
            .call_log(
                "recorded",
                &crate::store::CallLogQuery {
                    limit: 10,
                    ..crate::store::CallLogQuery::default()
                },
            )
            .await?;
        assert_eq!(page.calls.len(), 2);
        Ok(())
    }

    #[tokio::test]
    async fn a_tenant_no_longer_configured_is_swept_at_the_default_retention()
    -> Result<(), Box<dyn std::error::Error>> {
        let store = Arc::new(Store::open_in_memory()?);
        let log = CallLog::start(Arc::clone(&store), &CallLogConfig::default())?;
        let tenant = TenantId::parse("removed")?;
        let days_ago = |days: i64| {
            (chrono::Utc::now() - chrono::Duration::days(days))
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        };
        let default_days = i64::from(TenantCallLogConfig::default().retention_days);
        for (event, at) in [
            ("old", days_ago(default_days + 1)),
            ("recent", days_ago(default_days - 1)),
        ] {
            log.enqueue(
                Record::Event(CallEventEntry {
                    tenant: tenant.to_string(),
                    platform: "retell".into(),
                    call_id: "c".into(),
                    event: event.into(),
                    at,
                    detail: Value::Null,
                }),
                &tenant,
            );
        }
        log.flush().await;
        // No tenant is configured any more.
        assert_eq!(log.sweep(&Tenants::default()).await?, 1);
        let kept = store.call_timeline("removed", "c").await?.map(|t| t.events);
        let kept: Vec<String> = kept.into_iter().flatten().map(|e| e.event).collect();
        assert_eq!(kept, ["recent"]);
        Ok(())
    }
}
