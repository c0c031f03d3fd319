//! Tool calls per phone call: a total, and a sliding 60-second window.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use moka::sync::Cache;

use super::ApiError;
use crate::limits::Limit;
use crate::tenant::Tenant;

const WINDOW: Duration = Duration::from_secs(60);

#[derive(Default)]
struct Usage {
    total: u32,
    recent: VecDeque<Instant>,
}

/// Usage per (tenant, call id), forgotten an hour after the call's last tool call.
pub struct PhoneCallLimiter {
    usage: Cache<String, Arc<Mutex<Usage>>>,
}

impl Default for PhoneCallLimiter {
    fn default() -> Self {
        Self {
            usage: Cache::builder()
                .time_to_idle(Duration::from_secs(3600))
                .max_capacity(1_000_000)
                .build(),
        }
    }
}

impl PhoneCallLimiter {
    /// Counts `calls` more tool calls of `call_id`, or refuses them (429) when they would go
    /// over the tenant's limits. A window written by hand: it is a log of at most
    /// `per_minute` instants, exact and tiny.
    pub fn admit(&self, tenant: &Tenant, call_id: &str, calls: usize) -> Result<(), ApiError> {
        let limits = tenant.call_limits;
        if let Some(rate) = &tenant.call_rate {
            let admitted = std::num::NonZeroU32::new(u32::try_from(calls).unwrap_or(u32::MAX))
                .is_none_or(|calls| matches!(rate.check_n(calls), Ok(Ok(()))));
            if !admitted {
                Limit::ToolCallsPerTenant.record(&tenant.id);
                return Err(ApiError::rate_limited(format!(
                    "tenant {} is over its {} tool calls per second",
                    tenant.id, limits.tenant_per_second
                )));
            }
        }
        let key = format!("{}\u{0}{call_id}", tenant.id);
        let usage = self.usage.get_with(key, Default::default);
        let mut usage = usage.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        while usage
            .recent
            .front()
            .is_some_and(|at| now.duration_since(*at) >= WINDOW)
        {
            usage.recent.pop_front();
        }
        let calls = u32::try_from(calls).unwrap_or(u32::MAX);
        let in_window = u32::try_from(usage.recent.len()).unwrap_or(u32::MAX);
        if usage.total.saturating_add(calls) > limits.max_tool_calls {
            Limit::ToolCallsPerCall.record(&tenant.id);
            return Err(ApiError::rate_limited(format!(
                "call {call_id} made its {} tool calls",
                limits.max_tool_calls
            )));
        }
        if in_window.saturating_add(calls) > limits.per_minute {
            Limit::ToolCallsPerMinute.record(&tenant.id);
            return Err(ApiError::rate_limited(format!(
                "call {call_id} made {} tool calls within a minute",
                limits.per_minute
            )));
        }
        usage.total += calls;
        for _ in 0..calls {
            usage.recent.push_back(now);
        }
        Ok(())
    }
}
