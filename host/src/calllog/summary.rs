//! A tenant at a glance: what its last hour of tool calls adds up to (calls, error rate,
//! p50 and p95 per tool, cache hit rate), computed from the call log so that every replica
//! sharing a store shows the same figures.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::store::ToolCallFigures;

/// One tool's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolFigures {
    /// The tool.
    pub tool: String,
    /// Tool calls answered.
    pub calls: u64,
    /// Those not answered `ok`.
    pub failed: u64,
    /// The median time, milliseconds.
    pub p50_ms: f64,
    /// The 95th percentile, milliseconds.
    pub p95_ms: f64,
}

/// What a window of tool calls adds up to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Phone calls (distinct call ids) that used a tool.
    pub calls: u64,
    /// Tool calls.
    pub tool_calls: u64,
    /// Tool calls not answered `ok`.
    pub failed: u64,
    /// `failed / tool_calls`; 0 with no tool calls.
    pub error_rate: f64,
    /// Per tool, by name.
    pub tools: Vec<ToolFigures>,
    /// Cache reads that hit.
    pub cache_hits: u64,
    /// Cache reads that missed.
    pub cache_misses: u64,
    /// `hits / (hits + misses)`; `None` with no cache reads.
    pub cache_hit_rate: Option<f64>,
    /// Whether the window held more tool calls than were read: the figures are those of the
    /// newest ones.
    pub truncated: bool,
}

/// The value at quantile `q` of `sorted` by nearest rank (the smallest value with at least
/// `q` of the values at or below it), in milliseconds.
fn quantile_ms(sorted: &[i64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    let index = rank.clamp(1, sorted.len()) - 1;
    sorted[index] as f64 / 1000.0
}

impl Summary {
    /// Adds up `figures`; `truncated` says the store had more than were read.
    pub fn of(figures: &[ToolCallFigures], truncated: bool) -> Self {
        let mut calls = HashSet::new();
        let mut by_tool: BTreeMap<&str, (Vec<i64>, u64)> = BTreeMap::new();
        let (mut failed, mut cache_hits, mut cache_misses) = (0, 0, 0);
        for call in figures {
            calls.insert(call.call_id.as_str());
            let entry = by_tool.entry(call.tool.as_str()).or_default();
            entry.0.push(call.total_us);
            if call.outcome != "ok" {
                entry.1 += 1;
                failed += 1;
            }
            cache_hits += call.cache_hits;
            cache_misses += call.cache_misses;
        }
        let tools = by_tool
            .into_iter()
            .map(|(tool, (mut times, failed))| {
                times.sort_unstable();
                ToolFigures {
                    tool: tool.to_owned(),
                    calls: times.len() as u64,
                    failed,
                    p50_ms: quantile_ms(&times, 0.5),
                    p95_ms: quantile_ms(&times, 0.95),
                }
            })
            .collect();
        let tool_calls = figures.len() as u64;
        let reads = cache_hits + cache_misses;
        Self {
            calls: calls.len() as u64,
            tool_calls,
            failed,
            error_rate: if tool_calls == 0 {
                0.0
            } else {
                failed as f64 / tool_calls as f64
            },
            tools,
            cache_hits,
            cache_misses,
            cache_hit_rate: (reads > 0).then(|| cache_hits as f64 / reads as f64),
            truncated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(call_id: &str, tool: &str, outcome: &str, ms: i64, hits: u64) -> ToolCallFigures {
        ToolCallFigures {
            call_id: call_id.into(),
            tool: tool.into(),
            outcome: outcome.into(),
            total_us: ms * 1000,
            cache_hits: hits,
            cache_misses: 1,
        }
    }

    #[test]
    fn percentiles_are_per_tool_and_by_nearest_rank() {
        let mut figures: Vec<_> = (1..=20)
            .map(|ms| call("a", "check_availability", "ok", ms, 0))
            .collect();
        figures.push(call("b", "create_booking", "failed", 300, 1));
        let summary = Summary::of(&figures, false);
        assert_eq!(summary.calls, 2);
        assert_eq!(summary.tool_calls, 21);
        assert_eq!(summary.failed, 1);
        assert!((summary.error_rate - 1.0 / 21.0).abs() < 1e-9);
        let check = &summary.tools[0];
        assert_eq!(check.tool, "check_availability");
        assert_eq!((check.calls, check.failed), (20, 0));
        assert_eq!((check.p50_ms, check.p95_ms), (10.0, 19.0));
        let booking = &summary.tools[1];
        assert_eq!((booking.calls, booking.failed), (1, 1));
        assert_eq!((booking.p50_ms, booking.p95_ms), (300.0, 300.0));
        assert_eq!((summary.cache_hits, summary.cache_misses), (1, 21));
        assert_eq!(summary.cache_hit_rate, Some(1.0 / 22.0));
    }

    #[test]
    fn an_empty_window_has_no_rates_to_divide_by_zero() {
        let summary = Summary::of(&[], false);
        assert_eq!((summary.calls, summary.tool_calls), (0, 0));
        assert_eq!(summary.error_rate, 0.0);
        assert_eq!(summary.cache_hit_rate, None);
        assert!(summary.tools.is_empty());
    }
}
