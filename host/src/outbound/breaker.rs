//! Circuit breakers, one per (tenant, upstream authority).
//!
//! Written by hand because the semantics are the contract inherited from the system Slotline
//! replaces, and the crates we looked at count failure *rates* in windows rather than
//! consecutive failures with a success threshold for closing: N consecutive failures open the
//! circuit for a while, requests then fail at once, the first request after the pause is a
//! trial ("half-open"), M consecutive successes close it, one failure reopens it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::config::BreakerConfig;
use crate::tenant::TenantId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Closed { failures: u32 },
    Open { until: Instant },
    HalfOpen { successes: u32 },
}

impl State {
    fn name(self) -> &'static str {
        match self {
            State::Closed { .. } => "closed",
            State::Open { .. } => "open",
            State::HalfOpen { .. } => "half_open",
        }
    }

    /// The value of the `slotline_breaker_state` gauge.
    fn gauge(self) -> f64 {
        match self {
            State::Closed { .. } => 0.0,
            State::HalfOpen { .. } => 1.0,
            State::Open { .. } => 2.0,
        }
    }
}

/// A breaker's state as the admin API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct BreakerStatus {
    /// `host:port`.
    pub upstream: String,
    /// `closed`, `open` or `half_open`.
    pub state: &'static str,
    /// Failures in a row.
    pub consecutive_failures: u32,
    /// While open: how long until a trial request is let through.
    pub retry_in_ms: Option<u64>,
}

/// All breakers of one tenant.
pub struct Breakers {
    tenant: TenantId,
    config: BreakerConfig,
    states: Mutex<HashMap<String, State>>,
}

impl Breakers {
    /// The breakers of `tenant`, all closed.
    pub fn new(tenant: TenantId, config: BreakerConfig) -> Self {
        Self {
            tenant,
            config,
            states: Mutex::new(HashMap::new()),
        }
    }

    /// Whether a request to `upstream` may go now. An open circuit whose pause has passed
    /// becomes half-open and lets requests through as trials.
    pub fn admit(&self, upstream: &str) -> bool {
        let now = Instant::now();
        self.with_state(upstream, |state| match *state {
            State::Open { until } if now < until => false,
            State::Open { .. } => {
                self.change(upstream, state, State::HalfOpen { successes: 0 });
                true
            }
            State::Closed { .. } | State::HalfOpen { .. } => true,
        })
    }

    /// The upstreams, when this tenant has any and every one's circuit is open with its pause
    /// still running: nothing the tenant's plugin could ask would be let through, so a call
    /// that needs the calendar can be answered without running the plugin. `None` as soon as
    /// one upstream is closed, half-open or due for its trial (that call is the trial).
    pub fn all_open(&self) -> Option<Vec<String>> {
        let now = Instant::now();
        let states = self
            .states
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let open = !states.is_empty()
            && states
                .values()
                .all(|state| matches!(state, State::Open { until } if now < *until));
        open.then(|| {
            let mut upstreams: Vec<String> = states.keys().cloned().collect();
            upstreams.sort();
            upstreams
        })
    }

    /// Runs `f` on the breaker of `upstream` (a closed one when it has none yet). Allocates the
    /// key only for an upstream seen for the first time: this runs on every request.
    fn with_state<R>(&self, upstream: &str, f: impl FnOnce(&mut State) -> R) -> R {
        let mut states = self
            .states
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(state) = states.get_mut(upstream) {
            return f(state);
        }
        f(states
            .entry(upstream.to_owned())
            .or_insert(State::Closed { failures: 0 }))
    }

    /// Records how a request to `upstream` ended.
    pub fn record(&self, upstream: &str, success: bool) {
        self.with_state(upstream, |state| {
            let open = State::Open {
                until: Instant::now() + Duration::from_millis(self.config.open_ms),
            };
            let next = match (*state, success) {
                (State::Closed { .. }, true) => State::Closed { failures: 0 },
                (State::Closed { failures }, false)
                    if failures + 1 >= self.config.failure_threshold =>
                {
                    open
                }
                (State::Closed { failures }, false) => State::Closed {
                    failures: failures + 1,
                },
                (State::HalfOpen { successes }, true)
                    if successes + 1 >= self.config.success_threshold =>
                {
                    State::Closed { failures: 0 }
                }
                (State::HalfOpen { successes }, true) => State::HalfOpen {
                    successes: successes + 1,
                },
                (State::HalfOpen { .. }, false) => open,
                // Requests admitted before the circuit opened may still finish; they change nothing.
                (State::Open { .. }, _) => *state,
            };
            self.change(upstream, state, next);
        });
    }

    fn change(&self, upstream: &str, state: &mut State, next: State) {
        if state.name() != next.name() {
            tracing::warn!(
                tenant = %self.tenant,
                upstream,
                from = state.name(),
                to = next.name(),
                "circuit breaker changed state"
            );
            metrics::gauge!(
                "slotline_breaker_state",
                "tenant" => self.tenant.to_string(),
                "upstream" => upstream.to_owned()
            )
            .set(next.gauge());
        }
        *state = next;
    }

    /// Every upstream's breaker, for the admin API.
    pub fn status(&self) -> Vec<BreakerStatus> {
        let now = Instant::now();
        let states = self
            .states
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut list: Vec<BreakerStatus> = states
            .iter()
            .map(|(upstream, state)| BreakerStatus {
                upstream: upstream.clone(),
                // An open circuit whose pause has passed lets the next request through as a
                // trial: that is half-open, even before a request has come to make it so.
                state: match state {
                    State::Open { until } if *until <= now => "half_open",
                    other => other.name(),
                },
                consecutive_failures: match state {
                    State::Closed { failures } => *failures,
                    _ => 0,
                },
                retry_in_ms: match state {
                    State::Open { until } if *until > now => Some(
                        u64::try_from(until.saturating_duration_since(now).as_millis())
                            .unwrap_or(u64::MAX),
                    ),
                    _ => None,
                },
            })
            .collect();
        list.sort_by(|a, b| a.upstream.cmp(&b.upstream));
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breakers(open_ms: u64) -> Breakers {
        let tenant = TenantId::parse("t").unwrap_or_else(|_| unreachable!());
        Breakers::new(
            tenant,
            BreakerConfig {
                failure_threshold: 5,
                open_ms,
                success_threshold: 2,
            },
        )
    }

    fn state(b: &Breakers) -> &'static str {
        b.status().first().map_or("none", |s| s.state)
    }

    #[test]
    fn five_consecutive_failures_open_the_circuit() {
        let b = breakers(60_000);
        for _ in 0..4 {
            assert!(b.admit("cal"));
            b.record("cal", false);
        }
        assert_eq!(state(&b), "closed");
        b.record("cal", false);
        assert_eq!(state(&b), "open");
        assert!(!b.admit("cal"));
        assert!(b.admit("other"), "breakers are per upstream");
    }

    #[test]
    fn all_open_only_while_every_upstream_is_open_and_paused() {
        let b = breakers(60_000);
        assert_eq!(b.all_open(), None, "no upstream yet");
        for _ in 0..5 {
            b.record("cal", false);
        }
        assert_eq!(b.all_open(), Some(vec!["cal".to_owned()]));
        b.record("hooks", false);
        assert_eq!(b.all_open(), None, "another upstream is still closed");
        for _ in 0..4 {
            b.record("hooks", false);
        }
        assert_eq!(
            b.all_open(),
            Some(vec!["cal".to_owned(), "hooks".to_owned()])
        );
        let paused = breakers(0);
        for _ in 0..5 {
            paused.record("cal", false);
        }
        assert_eq!(paused.all_open(), None, "the pause is over: a trial is due");
    }

    #[test]
    fn a_success_resets_the_count() {
        let b = breakers(60_000);
        for _ in 0..4 {
            b.record("cal", false);
        }
        b.record("cal", true);
        for _ in 0..4 {
            b.record("cal", false);
        }
        assert_eq!(state(&b), "closed");
    }

    #[test]
    fn after_the_pause_two_successes_close_and_a_failure_reopens() {
        let b = breakers(0);
        for _ in 0..5 {
            b.record("cal", false);
        }
        assert_eq!(state(&b), "half_open", "shown as such before any request");
        assert_eq!(b.status().first().and_then(|s| s.retry_in_ms), None);
        assert!(b.admit("cal"), "the pause is over: a trial goes through");
        assert_eq!(state(&b), "half_open");
        b.record("cal", true);
        assert_eq!(state(&b), "half_open");
        b.record("cal", true);
        assert_eq!(state(&b), "closed");
    }

    #[test]
    fn a_failed_trial_reopens_the_circuit() {
        let b = breakers(60_000);
        b.states
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert("cal".to_owned(), State::HalfOpen { successes: 1 });
        b.record("cal", false);
        assert_eq!(state(&b), "open");
        assert!(!b.admit("cal"));
    }
}
