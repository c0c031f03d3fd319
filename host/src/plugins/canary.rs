//! Canaries: a candidate version serves a share of a tenant's new phone calls beside the
//! stable one, and is promoted or rolled back by what it does to callers.
//!
//! Routing is the runtime's ([`Serving`](crate::runtime::Serving)): by call id, and counted
//! per side on the request path. This module starts canaries, and runs the [`Monitor`]: every
//! [`REPORT_EVERY`] it hands each replica's counts to the store (which sums all replicas),
//! judges the totals ([`verdict`]) and ends the canary when they decide it. The store
//! announces the end, so every replica follows within a notification's latency; the monitor
//! also notices a canary ended elsewhere when the store refuses its counts.

use std::sync::Arc;
use std::time::Duration;

use super::registry::{Registry, RegistryError};
use crate::runtime::Counts;
use crate::store::{Canary, CanaryDelta, CanaryEnd, CanaryRules, SideCounts};
use crate::tenant::{Tenant, Tenants};

/// How often each replica reports its counts and a canary is judged.
pub const REPORT_EVERY: Duration = Duration::from_millis(250);

/// Without counts to report, a replica still asks the store this often whether its canary
/// still runs (in case it missed the announcement of its end).
const CHECK_EVERY_TICKS: u32 = 8;

/// Who ends a canary by itself, in the audit log.
const ACTOR: &str = "canary";

/// What a canary's totals decide: `None` while it goes on.
pub fn verdict(canary: &Canary) -> Option<CanaryEnd> {
    let CanaryRules {
        min_calls,
        promote_after,
        margin_percent,
    } = canary.rules;
    let (candidate, stable) = (canary.candidate, canary.stable);
    if candidate.calls < u64::from(min_calls) {
        return None;
    }
    let (candidate_rate, stable_rate) = (candidate.failure_percent(), stable.failure_percent());
    if candidate_rate > stable_rate + f64::from(margin_percent) {
        return Some(CanaryEnd::RolledBack(format!(
            "{candidate_rate:.1}% of its {} tool calls failed, against {stable_rate:.1}% of the \
             stable version's {} (margin {margin_percent} points)",
            candidate.calls, stable.calls
        )));
    }
    if candidate.calls >= u64::from(promote_after) {
        return Some(CanaryEnd::Promoted(format!(
            "{candidate_rate:.1}% of its {} tool calls failed, against {stable_rate:.1}% of the \
             stable version's {} (margin {margin_percent} points)",
            candidate.calls, stable.calls
        )));
    }
    None
}

impl Registry {
    /// Starts a canary of `version` at `percent` of the tenant's new phone calls, under the
    /// tenant's rules, and serves it here at once (other replicas follow the store).
    pub fn start_canary(
        &self,
        tenant: &Tenant,
        version: u32,
        percent: u32,
        actor: &str,
    ) -> Result<Canary, RegistryError> {
        let id = tenant.id.as_str();
        let record = self
            .wait(self.store().plugin_version(id, version))?
            .ok_or_else(|| RegistryError::UnknownVersion {
                tenant: id.to_owned(),
                version,
            })?;
        self.load(&record.digest)?;
        let canary =
            self.wait(
                self.store()
                    .start_canary(id, version, percent, tenant.canary, actor),
            )?;
        self.sync(tenant)?;
        tracing::info!(
            tenant = id,
            candidate = version,
            stable = canary.stable_version,
            percent,
            "canary started"
        );
        Ok(canary)
    }
}

/// Reports this replica's canary counts and ends canaries their totals decide.
pub struct Monitor {
    registry: Arc<Registry>,
    tenants: Arc<Tenants>,
}

impl Monitor {
    /// Watches the canaries of `tenants`.
    pub fn new(registry: Arc<Registry>, tenants: Arc<Tenants>) -> Self {
        Self { registry, tenants }
    }

    /// Runs until the process ends.
    pub async fn run(self) {
        let monitor = Arc::new(self);
        let mut ticker = tokio::time::interval(REPORT_EVERY);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut tick: u32 = 0;
        loop {
            ticker.tick().await;
            tick = tick.wrapping_add(1);
            let check = tick.is_multiple_of(CHECK_EVERY_TICKS);
            let monitor = Arc::clone(&monitor);
            // Serving what a canary's end decided loads plugins, which blocks: off the async
            // workers.
            if let Err(err) = tokio::task::spawn_blocking(move || monitor.report(check)).await {
                tracing::error!(error = %err, "canary monitor failed");
            }
        }
    }

    /// One round over every tenant with a canary.
    fn report(&self, check: bool) {
        for id in self.tenants.ids() {
            let Some(tenant) = self.tenants.get(id.as_str()) else {
                continue;
            };
            let Some(canary) = tenant.env.serving().canary.clone() else {
                continue;
            };
            let counts = canary.tally.take();
            if counts.is_empty() && !check {
                continue;
            }
            if let Err(err) = self.report_one(&tenant, canary.id, counts) {
                // Counted again next round; the canary goes on meanwhile.
                canary.tally.restore(counts);
                tracing::warn!(tenant = %tenant.id, error = %err, "cannot report canary counts");
            }
        }
    }

    fn report_one(&self, tenant: &Tenant, id: i64, counts: Counts) -> Result<(), RegistryError> {
        let store = self.registry.store();
        let delta = CanaryDelta {
            stable: SideCounts {
                calls: counts.stable_calls,
                failures: counts.stable_failures,
            },
            candidate: SideCounts {
                calls: counts.candidate_calls,
                failures: counts.candidate_failures,
            },
        };
        let Some(totals) = self.registry.wait(store.tally_canary(id, delta))? else {
            // Ended elsewhere (or by hand): serve what the store says.
            self.registry.sync(tenant)?;
            return Ok(());
        };
        let Some(end) = verdict(&totals) else {
            return Ok(());
        };
        let outcome = match &end {
            CanaryEnd::Promoted(_) => "promoted",
            CanaryEnd::RolledBack(_) => "rolled_back",
            CanaryEnd::Stopped(_) => "stopped",
        };
        let ended = self
            .registry
            .wait(store.end_canary(tenant.id.as_str(), id, end, ACTOR))?;
        if let Some(ended) = &ended {
            metrics::counter!("slotline_canaries_ended_total", "tenant" => tenant.id.to_string(), "outcome" => outcome).increment(1);
            let reason = ended.reason.as_deref().unwrap_or_default();
            match outcome {
                "rolled_back" => tracing::warn!(
                    tenant = %tenant.id, candidate = ended.candidate_version,
                    stable = ended.stable_version, reason, "canary rolled back"
                ),
                _ => tracing::info!(
                    tenant = %tenant.id, candidate = ended.candidate_version,
                    stable = ended.stable_version, reason, "canary promoted"
                ),
            }
        }
        self.registry.sync(tenant)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::CanaryState;

    fn canary(candidate: (u64, u64), stable: (u64, u64)) -> Canary {
        Canary {
            id: 1,
            tenant: "acme".into(),
            candidate_version: 2,
            stable_version: 1,
            percent: 20,
            rules: CanaryRules {
                min_calls: 20,
                promote_after: 100,
                margin_percent: 5,
            },
            state: CanaryState::Running,
            reason: None,
            stable: SideCounts {
                calls: stable.0,
                failures: stable.1,
            },
            candidate: SideCounts {
                calls: candidate.0,
                failures: candidate.1,
            },
            started_at: String::new(),
            started_by: String::new(),
            ended_at: None,
        }
    }

    #[test]
    fn nothing_is_decided_before_the_minimum_sample() {
        assert_eq!(verdict(&canary((19, 19), (100, 0))), None);
    }

    #[test]
    fn a_failure_rate_past_the_margin_rolls_back() {
        let Some(CanaryEnd::RolledBack(reason)) = verdict(&canary((20, 10), (80, 0))) else {
            panic!("not rolled back");
        };
        assert!(
            reason.starts_with("50.0% of its 20 tool calls failed"),
            "{reason}"
        );
    }

    #[test]
    fn a_rate_within_the_margin_of_the_stable_one_goes_on_then_is_promoted() {
        // 10% against 6%: within 5 points.
        assert_eq!(verdict(&canary((50, 5), (100, 6))), None);
        assert!(matches!(
            verdict(&canary((100, 10), (400, 24))),
            Some(CanaryEnd::Promoted(_))
        ));
        // 11% against 5%: past it, even at the promotion count.
        assert!(matches!(
            verdict(&canary((100, 11), (400, 20))),
            Some(CanaryEnd::RolledBack(_))
        ));
    }
}
