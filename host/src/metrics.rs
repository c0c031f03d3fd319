//! Prometheus metrics, rendered by `GET /metrics`.
//!
//! | metric | labels | what |
//! |---|---|---|
//! | `slotline_tool_calls_total` | tenant, tool, outcome | tool calls by how they ended |
//! | `slotline_tool_call_duration_seconds` | tenant, tool | time from request to reply |
//! | `slotline_cache_requests_total` | tenant, result | plugin cache reads: hit or miss |
//! | `slotline_upstream_requests_total` | tenant, upstream, outcome | plugin HTTP requests |
//! | `slotline_breaker_state` | tenant, upstream | 0 closed, 1 half-open, 2 open |
//! | `slotline_limit_hits_total` | tenant, limit | limits that fired, by [`Limit`](crate::limits::Limit) label |
//! | `slotline_plugin_instances_busy` | | plugin instances running, out of `runtime.max_instances` |

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Latency buckets from 50 µs (a cached answer) to 10 s (the host's upstream cap).
const DURATION_BUCKETS: &[f64] = &[
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
    1.0, 2.5, 5.0, 10.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process-wide recorder on first use and returns its handle. `None` when another
/// recorder was installed first (an embedding application's).
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Suffix("duration_seconds".into()),
                    DURATION_BUCKETS,
                )
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            Some(handle)
        })
        .as_ref()
}

/// The metrics in Prometheus' text format; empty, with an error logged, when this process's
/// metrics go to a recorder installed by someone else (an application embedding the gateway).
pub fn render() -> String {
    match handle() {
        Some(handle) => handle.render(),
        None => {
            tracing::error!("metrics are recorded by another recorder: /metrics is empty");
            String::new()
        }
    }
}
