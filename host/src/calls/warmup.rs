//! One tenant's warm-up: `prepare-call` run once for all the calls that want it, never more
//! often than the tenant's budget allows.
//!
//! A warm-up in flight is joined, not repeated: twenty calls ringing at once cause one. One
//! that succeeded keeps what it fetched fresh until the cache's TTL runs out (counted from
//! when it started, since the calendar answered no earlier); calls ringing before then need
//! none.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use futures::FutureExt;
use futures::channel::oneshot;
use futures::future::{BoxFuture, Shared};

use crate::config::WarmupConfig;

/// Completes when a warm-up ends: `true` when the plugin prepared.
pub(super) type Prepared = Shared<BoxFuture<'static, bool>>;

/// Why no warm-up starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Skipped {
    /// What the last one prepared stays fresh for longer than the refresh lead.
    Fresh,
    /// The tenant used its warm-ups of the last minute, or has none (`per_minute = 0`).
    OverBudget,
}

impl Skipped {
    pub(super) fn label(self) -> &'static str {
        match self {
            Self::Fresh => "fresh",
            Self::OverBudget => "over_budget",
        }
    }
}

/// The right to run the one warm-up in flight; [`Warmup::finish`] hands its outcome to
/// everyone who joined.
pub(super) struct Ticket {
    started: Instant,
    done: oneshot::Sender<bool>,
}

/// What to do, decided under the lock.
pub(super) enum Decision {
    /// Run `prepare-call`, then [`Warmup::finish`] the ticket.
    Start(Ticket),
    /// One is in flight: wait for it where an answer depends on it.
    Join(Prepared),
    /// None is needed or allowed.
    Skip(Skipped),
}

#[derive(Default)]
struct State {
    fresh_until: Option<Instant>,
    in_flight: Option<Prepared>,
    /// The last calendar change: a warm-up that started before it may have fetched what it
    /// changed, so its end makes nothing fresh.
    forgotten_at: Option<Instant>,
}

/// A tenant's warm-up state and budget.
pub(super) struct Warmup {
    state: Mutex<State>,
    budget: Option<governor::DefaultDirectRateLimiter>,
}

impl Warmup {
    pub(super) fn new(config: &WarmupConfig) -> Self {
        let budget = std::num::NonZeroU32::new(config.per_minute)
            .map(|n| governor::RateLimiter::direct(governor::Quota::per_minute(n)));
        Self {
            state: Mutex::default(),
            budget,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Two plain fields, valid whatever a panicking holder was doing.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether to start one now, wanting what was prepared at least `lead` from expiring.
    pub(super) fn decide(&self, lead: Duration) -> Decision {
        let mut state = self.state();
        if let Some(in_flight) = &state.in_flight {
            return Decision::Join(in_flight.clone());
        }
        if state
            .fresh_until
            .is_some_and(|until| Instant::now() + lead < until)
        {
            return Decision::Skip(Skipped::Fresh);
        }
        if self
            .budget
            .as_ref()
            .is_none_or(|budget| budget.check().is_err())
        {
            return Decision::Skip(Skipped::OverBudget);
        }
        let (done, outcome) = oneshot::channel::<bool>();
        // A dropped ticket (the task was cancelled) counts as a failed warm-up.
        state.in_flight = Some(outcome.map(|ok| ok.unwrap_or(false)).boxed().shared());
        Decision::Start(Ticket {
            started: Instant::now(),
            done,
        })
    }

    /// The warm-up in flight, if any.
    pub(super) fn in_flight(&self) -> Option<Prepared> {
        self.state().in_flight.clone()
    }

    /// Ends the warm-up of `ticket`: what it prepared is fresh for `ttl` from its start.
    pub(super) fn finish(&self, ticket: Ticket, prepared: bool, ttl: Duration) {
        let mut state = self.state();
        state.in_flight = None;
        let current = state
            .forgotten_at
            .is_none_or(|forgotten| ticket.started >= forgotten);
        if prepared && current {
            state.fresh_until = Some(ticket.started + ttl);
        }
        drop(state);
        // Nobody waiting is fine.
        let _ = ticket.done.send(prepared);
    }

    /// When a refresh is due: `lead` before what was prepared expires; now when nothing is.
    pub(super) fn refresh_due(&self, lead: Duration) -> Instant {
        let now = Instant::now();
        self.state()
            .fresh_until
            .map_or(now, |until| until.checked_sub(lead).unwrap_or(now).max(now))
    }

    /// The calendar changed: what was prepared may be stale, so the next call warms again.
    pub(super) fn forget(&self) {
        let mut state = self.state();
        state.fresh_until = None;
        state.forgotten_at = Some(Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(per_minute: u32) -> WarmupConfig {
        WarmupConfig {
            per_minute,
            ..WarmupConfig::default()
        }
    }

    #[tokio::test]
    async fn concurrent_wishes_join_the_one_in_flight_and_learn_its_outcome() {
        let warmup = Warmup::new(&config(6));
        let Decision::Start(ticket) = warmup.decide(Duration::ZERO) else {
            panic!("the first wish starts a warm-up");
        };
        let joined: Vec<Prepared> = (0..19)
            .map(|_| match warmup.decide(Duration::ZERO) {
                Decision::Join(prepared) => prepared,
                _ => panic!("a wish during a warm-up joins it"),
            })
            .collect();
        warmup.finish(ticket, true, Duration::from_secs(60));
        for prepared in joined {
            assert!(prepared.await);
        }
        assert!(matches!(
            warmup.decide(Duration::from_secs(10)),
            Decision::Skip(Skipped::Fresh)
        ));
    }

    #[test]
    fn a_failed_warm_up_leaves_nothing_fresh_and_the_budget_bounds_retries() {
        let warmup = Warmup::new(&config(2));
        for _ in 0..2 {
            let Decision::Start(ticket) = warmup.decide(Duration::ZERO) else {
                panic!("within the budget a warm-up starts");
            };
            warmup.finish(ticket, false, Duration::from_secs(60));
        }
        assert!(matches!(
            warmup.decide(Duration::ZERO),
            Decision::Skip(Skipped::OverBudget)
        ));
    }

    #[test]
    fn what_expires_within_the_lead_is_refreshed_and_a_calendar_change_forgets_it() {
        let warmup = Warmup::new(&config(6));
        let Decision::Start(ticket) = warmup.decide(Duration::ZERO) else {
            panic!("the first wish starts a warm-up");
        };
        warmup.finish(ticket, true, Duration::from_secs(5));
        assert!(warmup.refresh_due(Duration::from_secs(10)) <= Instant::now());
        assert!(matches!(
            warmup.decide(Duration::from_secs(10)),
            Decision::Start(_)
        ));
        warmup.forget();
        assert!(warmup.refresh_due(Duration::ZERO) <= Instant::now());
    }

    #[test]
    fn a_warm_up_that_started_before_a_calendar_change_makes_nothing_fresh() {
        let warmup = Warmup::new(&config(6));
        let Decision::Start(ticket) = warmup.decide(Duration::ZERO) else {
            panic!("the first wish starts a warm-up");
        };
        warmup.forget();
        warmup.finish(ticket, true, Duration::from_secs(60));
        assert!(matches!(warmup.decide(Duration::ZERO), Decision::Start(_)));
    }

    #[test]
    fn no_budget_means_no_warm_up() {
        let warmup = Warmup::new(&config(0));
        assert!(matches!(
            warmup.decide(Duration::ZERO),
            Decision::Skip(Skipped::OverBudget)
        ));
    }
}
