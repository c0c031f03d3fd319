//! Replaying real calls against a plugin version before it goes live.
//!
//! A tenant's latest tool calls are recorded as they are answered ([`recording`]; the call log
//! keeps them): the plugin's input, the cache values it read and every upstream response. A
//! replay runs those calls again on a candidate version in the same sandbox, with the cache and
//! the upstream answered from the recording ([`source`]): deterministic, since every input of a
//! plugin passes through the host, and harmless, since nothing is written to the tenant's cache
//! and no request leaves the host. The report says per call whether the candidate answers as
//! the caller was answered, and where not, what changed ([`compare`]); and how fast both
//! versions ran the same calls.

pub mod compare;
pub mod recording;
pub mod source;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use serde::Serialize;

use compare::Difference;
use recording::{ExchangeReply, FORMAT, RecordedAnswer, Recording};
use source::{ReplayCache, ReplayHttp};

use crate::dispatch::plugin_call;
use crate::runtime::{InvokeError, Plugin, RecordedCache, Runtime};
use crate::store::{Store, StoreError, StoredRecording};
use crate::tenant::Tenant;
use crate::tool::Answer;

/// The most calls one replay runs.
pub const MAX_REPLAYED: u32 = 10_000;

/// Why a replay could not run at all (a call that cannot be replayed is reported instead).
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A blocking task died.
    #[error("the replay's store task failed: {0}")]
    Task(String),
}

/// A replay's outcome: totals first, then every call.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The candidate's digest.
    pub digest: String,
    /// The figures.
    pub totals: Totals,
    /// Each call, newest first.
    pub calls: Vec<ReplayedCall>,
}

/// A replay's figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    /// Recorded calls replayed (or found not replayable).
    pub calls: usize,
    /// The candidate answered as the caller was answered.
    pub same: usize,
    /// The candidate answered otherwise.
    pub different: usize,
    /// Of all calls, those where the candidate failed as a plugin (trap, limit, deadline).
    pub errors: usize,
    /// Recordings this version of Slotline cannot read, or whose values are gone.
    pub not_replayable: usize,
    /// Requests the candidate made that the recordings had no answer for.
    pub missing_requests: usize,
    /// The candidate's median time per call, microseconds.
    pub candidate_p50_us: Option<u64>,
    /// The median time of the versions that answered, on the same calls.
    pub recorded_version_p50_us: Option<u64>,
    /// Calls replayed per second, both versions' runs included.
    pub calls_per_second: f64,
}

/// What one call's replay found.
#[derive(Debug, Clone, Serialize)]
pub struct ReplayedCall {
    /// The logged tool call (`GET .../calls/{call_id}` shows it).
    pub call_log_id: i64,
    /// The phone call.
    pub call_id: String,
    /// The tool.
    pub tool: String,
    /// When it was made.
    pub at: String,
    /// The version that answered it then.
    pub recorded_version: Option<String>,
    /// `same`, `different` or `not_replayable`.
    pub verdict: &'static str,
    /// What the caller got.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded: Option<RecordedAnswer>,
    /// What the candidate answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate: Option<RecordedAnswer>,
    /// Where they differ.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<Difference>,
    /// The candidate's failure as a plugin (`trap: ...`, `limit memory: ...`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Requests the recording had no answer for (`GET https://...`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_requests: Vec<String>,
    /// The candidate's time, microseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate_us: Option<u64>,
    /// The recorded version's time on the same replay, microseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_version_us: Option<u64>,
    /// Why it could not be replayed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What replays run on: the tenant, the runtime, the store with the recordings, and how to
/// find the plugin of a version that answered a recorded call.
pub struct Replayer<'a> {
    /// The tenant whose calls are replayed.
    pub tenant: &'a Tenant,
    /// Runs the plugins.
    pub runtime: &'a Runtime,
    /// Holds the recordings.
    pub store: &'a Arc<Store>,
    /// The plugin with a digest, when it can be had (for the recorded version's timing). It
    /// may block (load or compile a version): it is called off the async workers.
    pub plugin_of: PluginOf,
}

/// Finds the plugin of a version by its digest.
pub type PluginOf = Arc<dyn Fn(&str) -> Option<Arc<Plugin>> + Send + Sync>;

/// One version's run of one recorded call.
struct Run {
    answer: Option<RecordedAnswer>,
    error: Option<String>,
    missing: Vec<String>,
    us: u64,
}

impl Replayer<'_> {
    /// Replays the tenant's latest `last` recorded calls on `candidate`.
    pub async fn replay(&self, candidate: &Arc<Plugin>, last: u32) -> Result<Report, ReplayError> {
        let started = Instant::now();
        let stored = self
            .store
            .recordings(self.tenant.id.as_str(), last.min(MAX_REPLAYED))
            .await?;
        let decoded: Vec<(StoredRecording, Result<Recording, String>)> = stored
            .into_iter()
            .map(|stored| {
                let recording = decode(&stored.recording);
                (stored, recording)
            })
            .collect();
        let values = Arc::new(self.values(&decoded).await?);
        let mut report = Report {
            digest: candidate.digest().to_owned(),
            totals: Totals::default(),
            calls: Vec::with_capacity(decoded.len()),
        };
        let (mut candidate_times, mut recorded_times) = (Vec::new(), Vec::new());
        let mut plugins: HashMap<String, Option<Arc<Plugin>>> = HashMap::new();
        for (stored, recording) in decoded {
            let recording = recording.and_then(|recording| {
                has_values(&recording, &values)?;
                Ok(recording)
            });
            let recording = match recording {
                Ok(recording) => recording,
                Err(reason) => {
                    report.totals.not_replayable += 1;
                    report.calls.push(not_replayable(stored, reason));
                    continue;
                }
            };
            let run = self.run(candidate, &recording, &values).await;
            let recorded_run = match &stored.plugin_digest {
                Some(digest) => {
                    if !plugins.contains_key(digest) {
                        let (find, wanted) = (Arc::clone(&self.plugin_of), digest.clone());
                        let found = tokio::task::spawn_blocking(move || find(&wanted))
                            .await
                            .map_err(|err| ReplayError::Task(err.to_string()))?;
                        plugins.insert(digest.clone(), found);
                    }
                    match plugins.get(digest).cloned().flatten() {
                        Some(plugin) => Some(self.run(&plugin, &recording, &values).await),
                        None => None,
                    }
                }
                None => None,
            };
            candidate_times.push(run.us);
            if let Some(recorded) = &recorded_run {
                recorded_times.push(recorded.us);
            }
            let differences = match &run.answer {
                Some(answer) => compare::differences(&recording.answer, answer),
                None => Vec::new(),
            };
            let same = run.answer.is_some() && differences.is_empty();
            if same {
                report.totals.same += 1;
            } else {
                report.totals.different += 1;
            }
            report.totals.errors += usize::from(run.error.is_some());
            report.totals.missing_requests += run.missing.len();
            report.calls.push(ReplayedCall {
                call_log_id: stored.call_log_id,
                call_id: stored.call_id,
                tool: stored.tool,
                at: stored.at,
                recorded_version: stored.plugin_digest,
                verdict: if same { "same" } else { "different" },
                recorded: Some(recording.answer),
                candidate: run.answer,
                differences,
                error: run.error,
                missing_requests: run.missing,
                candidate_us: Some(run.us),
                recorded_version_us: recorded_run.map(|run| run.us),
                reason: None,
            });
        }
        report.totals.calls = report.calls.len();
        report.totals.candidate_p50_us = median(&mut candidate_times);
        report.totals.recorded_version_p50_us = median(&mut recorded_times);
        let elapsed = started.elapsed().as_secs_f64();
        report.totals.calls_per_second = if elapsed > 0.0 {
            report.totals.calls as f64 / elapsed
        } else {
            0.0
        };
        Ok(report)
    }

    /// The values every recording refers to, in one read.
    async fn values(
        &self,
        decoded: &[(StoredRecording, Result<Recording, String>)],
    ) -> Result<HashMap<String, Bytes>, ReplayError> {
        let digests: BTreeSet<String> = decoded
            .iter()
            .filter_map(|(_, recording)| recording.as_ref().ok())
            .flat_map(value_digests)
            .collect();
        let digests = digests.into_iter().collect();
        Ok(self
            .store
            .recorded_values(self.tenant.id.as_str(), digests)
            .await?)
    }

    /// Runs `recording` on `plugin`, answered from the recording.
    async fn run(
        &self,
        plugin: &Arc<Plugin>,
        recording: &Recording,
        values: &Arc<HashMap<String, Bytes>>,
    ) -> Run {
        let http = Arc::new(ReplayHttp::new(recording, Arc::clone(values)));
        let cache: Arc<dyn RecordedCache> =
            Arc::new(ReplayCache::new(recording, Arc::clone(values)));
        let request = recording.request.clone();
        let tool = request.tool();
        let started = Instant::now();
        let outcome = self
            .runtime
            .replay_tool(
                &self.tenant.env,
                Arc::clone(plugin),
                &recording.context,
                request,
                (Arc::clone(&http), cache),
            )
            .await;
        let us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        let error = match &outcome {
            Err(err @ (InvokeError::Plugin(_) | InvokeError::Overloaded)) => {
                // A plugin's own error is an answer; no capacity is the gateway's, not the
                // candidate's, and is reported as such.
                matches!(err, InvokeError::Overloaded).then(|| err.to_string())
            }
            Err(err) => Some(err.to_string()),
            Ok(_) => None,
        };
        let outcome = match outcome.and_then(|response| {
            plugin_call::within_reply_limit(self.runtime, self.tenant, response)
        }) {
            Err(InvokeError::Plugin(error)) => Err(plugin_call::error_within_reply_limit(
                self.runtime,
                self.tenant,
                error,
            )),
            other => other,
        };
        let (answer, _) = plugin_call::answer(self.tenant, tool, us, outcome);
        let answer = match answer {
            Answer::Reply(reply) => {
                let mut answer = plugin_call::recorded_answer(&reply);
                if recording.redacted {
                    // The recorded answer was masked before it was kept. The candidate saw
                    // masked names already; numbers it may have made up are masked too.
                    answer.speech = crate::calllog::redact::phone_numbers(&answer.speech);
                }
                Some(answer)
            }
            Answer::Overloaded => None,
        };
        Run {
            answer,
            error,
            missing: http.missing(),
            us,
        }
    }
}

fn decode(json: &[u8]) -> Result<Recording, String> {
    #[derive(serde::Deserialize)]
    struct Format {
        format: u32,
    }
    let format: Format = serde_json::from_slice(json)
        .map_err(|err| format!("the recording cannot be read: {err}"))?;
    if format.format != FORMAT {
        return Err(format!(
            "recorded in format {}; this Slotline replays format {FORMAT}",
            format.format
        ));
    }
    serde_json::from_slice(json).map_err(|err| format!("the recording cannot be read: {err}"))
}

fn value_digests(recording: &Recording) -> impl Iterator<Item = String> + '_ {
    let bodies = recording
        .exchanges
        .iter()
        .filter_map(|exchange| match &exchange.reply {
            ExchangeReply::Response { body, .. } => Some(body.clone()),
            ExchangeReply::Error { .. } => None,
        });
    let reads = recording.cache.iter().filter_map(|op| match op {
        recording::CacheOp::Get { value, .. } => value.clone(),
        _ => None,
    });
    bodies.chain(reads)
}

fn has_values(recording: &Recording, values: &HashMap<String, Bytes>) -> Result<(), String> {
    match value_digests(recording).find(|digest| !values.contains_key(digest)) {
        Some(digest) => Err(format!("the recorded value {digest} is gone")),
        None => Ok(()),
    }
}

fn not_replayable(stored: StoredRecording, reason: String) -> ReplayedCall {
    ReplayedCall {
        call_log_id: stored.call_log_id,
        call_id: stored.call_id,
        tool: stored.tool,
        at: stored.at,
        recorded_version: stored.plugin_digest,
        verdict: "not_replayable",
        recorded: None,
        candidate: None,
        differences: Vec::new(),
        error: None,
        missing_requests: Vec::new(),
        candidate_us: None,
        recorded_version_us: None,
        reason: Some(reason),
    }
}

fn median(times: &mut [u64]) -> Option<u64> {
    times.sort_unstable();
    times.get(times.len() / 2).copied()
}
