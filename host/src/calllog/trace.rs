//! Where one tool call's time went, collected while it runs: the wait for an instance slot,
//! the plugin, each upstream request and each cache read.
//!
//! A [`Trace`] is made for a tool call by the dispatcher and made current for the task that
//! answers it ([`Trace::scope`]); the runtime picks it up when it builds the call's store
//! ([`Trace::current`]) and hands it to the outbound hooks and the keyvalue host. A task-local
//! rather than a parameter: between the dispatcher and the store lie the ledger, intents and
//! holds, which have nothing to do with tracing; and a detached task (a hold after a check, a
//! warm-up) is simply not traced, which is what the log wants: it is not the tool call.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::masking::masked_path;
use crate::replay::recording::{RecordedCall, Recorder};

/// Spans of each kind kept per tool call; more are counted, not kept (a plugin making
/// hundreds of requests must not make a log record of megabytes).
const MAX_SPANS: usize = 32;

/// The longest cache key or path kept in a span.
const MAX_TEXT: usize = 200;

tokio::task_local! {
    static CURRENT: Trace;
}

/// The trace of one tool call; cheap to clone (shared).
#[derive(Clone, Debug)]
pub struct Trace {
    started: Instant,
    spans: Arc<Mutex<Spans>>,
}

#[derive(Debug, Default)]
struct Spans {
    /// What a replay needs, when the call is recorded.
    recorder: Option<Recorder>,
    plugin_digest: Option<String>,
    slot_wait: Option<Duration>,
    plugin: Option<Duration>,
    upstream: Vec<UpstreamSpan>,
    upstream_more: u32,
    cache_reads: Vec<CacheRead>,
    cache_hits: u32,
    cache_misses: u32,
}

/// One request the plugin sent upstream, as the host saw it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UpstreamSpan {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The upstream's host (and port when not the scheme's).
    pub host: String,
    /// The path, with the values of query parameters that look like secrets masked.
    pub path: String,
    /// The HTTP status the plugin got; `None` when it got none (refused, timed out).
    pub status: Option<u16>,
    /// `ok`, or why there was no answer (`denied`, `circuit_open`, `timeout`, `error`).
    pub outcome: String,
    /// When it started, in microseconds after the tool call arrived.
    pub start_us: u64,
    /// How long it took, in microseconds.
    pub us: u64,
    /// Whether it joined an identical request in flight instead of going out itself.
    pub coalesced: bool,
}

/// One cache read of the plugin's.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CacheRead {
    /// The key, as the plugin named it.
    pub key: String,
    /// Whether it was there.
    pub hit: bool,
    /// When it started, in microseconds after the tool call arrived.
    pub start_us: u64,
    /// How long it took, in microseconds.
    pub us: u64,
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

fn clipped(text: &str) -> String {
    match text.char_indices().nth(MAX_TEXT) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

impl Trace {
    /// A trace whose clock starts now, when the tool call arrived.
    pub fn start() -> Self {
        Self {
            started: Instant::now(),
            spans: Arc::default(),
        }
    }

    /// A trace that also records what a replay of the call needs ([`crate::replay`]).
    pub fn start_recording() -> Self {
        let trace = Self::start();
        trace.with(|spans| spans.recorder = Some(Recorder::default()));
        trace
    }

    /// Whether the call is recorded for replay: then the host feeds [`Trace::record`].
    pub fn is_recording(&self) -> bool {
        self.spans
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .recorder
            .is_some()
    }

    /// Adds to the call's recording, when it is recorded.
    pub fn record(&self, what: impl FnOnce(&mut Recorder)) {
        self.with(|spans| {
            if let Some(recorder) = &mut spans.recorder {
                what(recorder);
            }
        });
    }

    /// The call's recording, when it was recorded and ran a plugin; taken.
    pub fn take_recording(&self) -> Option<RecordedCall> {
        self.spans
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .recorder
            .take()?
            .finish()
    }

    /// Runs `work` with this trace current.
    pub async fn scope<F: Future>(self, work: F) -> F::Output {
        CURRENT.scope(self, work).await
    }

    /// The trace of the tool call the current task answers, if it is traced.
    pub fn current() -> Option<Trace> {
        CURRENT.try_with(Trace::clone).ok()
    }

    /// Time since the tool call arrived.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    fn offset(&self, at: Instant) -> u64 {
        micros(at.saturating_duration_since(self.started))
    }

    fn with(&self, record: impl FnOnce(&mut Spans)) {
        // A panic elsewhere while holding the lock leaves spans that are still spans.
        record(&mut self.spans.lock().unwrap_or_else(|p| p.into_inner()));
    }

    /// The plugin version the call ran on, the wait for its instance slot and the plugin's
    /// own time (instantiation and the export).
    pub fn plugin_ran(&self, digest: &str, slot_wait: Duration, plugin: Duration) {
        self.with(|spans| {
            spans.plugin_digest = Some(digest.to_owned());
            spans.slot_wait = Some(slot_wait);
            spans.plugin = Some(plugin);
        });
    }

    /// A request upstream that started at `started`, ended now.
    pub fn upstream(&self, started: Instant, request: UpstreamRequest<'_>) {
        let span = UpstreamSpan {
            method: request.method.as_str().to_owned(),
            host: request
                .uri
                .authority()
                .map_or_else(String::new, |a| a.to_string()),
            path: clipped(&masked_path(request.uri)),
            status: request.status,
            outcome: request.outcome.to_owned(),
            start_us: self.offset(started),
            us: micros(started.elapsed()),
            coalesced: request.coalesced,
        };
        self.with(|spans| {
            if spans.upstream.len() < MAX_SPANS {
                spans.upstream.push(span);
            } else {
                spans.upstream_more = spans.upstream_more.saturating_add(1);
            }
        });
    }

    /// A cache read of `key` that started at `started`, ended now.
    pub fn cache_read(&self, started: Instant, key: &str, hit: bool) {
        let read = CacheRead {
            key: clipped(key),
            hit,
            start_us: self.offset(started),
            us: micros(started.elapsed()),
        };
        self.with(|spans| {
            if hit {
                spans.cache_hits = spans.cache_hits.saturating_add(1);
            } else {
                spans.cache_misses = spans.cache_misses.saturating_add(1);
            }
            if spans.cache_reads.len() < MAX_SPANS {
                spans.cache_reads.push(read);
            }
        });
    }

    /// The plugin digest, if a plugin ran; taken, as the log needs it once.
    pub fn take_plugin_digest(&self) -> Option<String> {
        self.spans
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .plugin_digest
            .take()
    }

    /// The waterfall as the call log keeps it, for a call that took `total`.
    ///
    /// Serialized straight from the spans, as the store keeps it: building a JSON value first
    /// (maps of strings) cost a logged call more than the rest of its record.
    pub fn waterfall(&self, total: Duration) -> Result<String, serde_json::Error> {
        let spans = self.spans.lock().unwrap_or_else(|p| p.into_inner());
        serde_json::to_string(&Waterfall {
            total_us: micros(total),
            slot_wait_us: spans.slot_wait.map(micros),
            plugin_us: spans.plugin.map(micros),
            upstream: &spans.upstream,
            upstream_not_shown: spans.upstream_more,
            cache: CacheFigures {
                hits: spans.cache_hits,
                misses: spans.cache_misses,
                reads: &spans.cache_reads,
            },
        })
    }
}

/// A tool call's waterfall as the call log stores and answers it.
#[derive(Serialize)]
struct Waterfall<'a> {
    total_us: u64,
    slot_wait_us: Option<u64>,
    plugin_us: Option<u64>,
    upstream: &'a [UpstreamSpan],
    upstream_not_shown: u32,
    cache: CacheFigures<'a>,
}

#[derive(Serialize)]
struct CacheFigures<'a> {
    hits: u32,
    misses: u32,
    reads: &'a [CacheRead],
}

/// What the outbound hooks know of a finished upstream request.
#[derive(Debug, Clone, Copy)]
pub struct UpstreamRequest<'a> {
    /// Its method.
    pub method: &'a http::Method,
    /// Its URI.
    pub uri: &'a http::Uri,
    /// The status the plugin got.
    pub status: Option<u16>,
    /// `ok` or why not.
    pub outcome: &'a str,
    /// Whether it joined one in flight.
    pub coalesced: bool,
}

#[cfg(test)]
mod tests {
    use super::super::masking::masked_path;
    use super::*;
    use serde_json::Value;

    #[test]
    fn secrets_in_the_query_are_masked_and_the_rest_kept() {
        let uri: http::Uri =
            "https://api.cal.com/v2/slots?eventTypeId=7&apiKey=cal_live_x&start=2026-12-03&access_token=t"
                .parse()
                .unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(
            masked_path(&uri),
            "/v2/slots?eventTypeId=7&apiKey=***&start=2026-12-03&access_token=***"
        );
    }

    #[tokio::test]
    async fn the_trace_is_current_only_inside_its_scope_and_bounded()
    -> Result<(), Box<dyn std::error::Error>> {
        assert!(Trace::current().is_none());
        let trace = Trace::start();
        let seen = trace
            .clone()
            .scope(async {
                let trace = Trace::current();
                if let Some(trace) = &trace {
                    for n in 0..(MAX_SPANS + 5) {
                        trace.cache_read(Instant::now(), &format!("k{n}"), n % 2 == 0);
                    }
                }
                trace.is_some()
            })
            .await;
        assert!(seen);
        let waterfall: Value = serde_json::from_str(&trace.waterfall(Duration::from_millis(3))?)?;
        assert_eq!(waterfall["total_us"], 3000);
        assert_eq!(waterfall["cache"]["hits"], 19);
        assert_eq!(waterfall["cache"]["misses"], 18);
        assert_eq!(
            waterfall["cache"]["reads"].as_array().map(Vec::len),
            Some(MAX_SPANS)
        );
        Ok(())
    }
}
