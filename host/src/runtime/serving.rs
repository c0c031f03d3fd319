//! Which plugin version answers a phone call: the stable version, or, under a canary, a
//! candidate for a share of the phone calls.
//!
//! The share is decided by the call id's hash, so every tool call of one phone call lands on
//! the same version on every replica without any coordination. When the canary ends (rolled
//! back, promoted or replaced), a phone call already under way stays on the version it
//! started with: the version that answered a call id first is remembered (pinned) while
//! the canary runs, and the pins outlive the canary for as long as a phone call plausibly
//! lasts.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::plugin::Plugin;

/// A phone call idle this long has ended: its pin may go.
const PIN_IDLE: Duration = Duration::from_secs(15 * 60);

/// The most phone calls pinned at once per tenant; beyond it the least recently seen go
/// first (and fall back to the hash, which is the same answer while the canary runs).
const MAX_PINS: u64 = 100_000;

/// A plugin version as served: its code and, when it was uploaded, its version number.
#[derive(Clone)]
pub struct Served {
    /// The compiled plugin.
    pub plugin: Arc<Plugin>,
    /// The tenant's number for it; `None` for a plugin named in the configuration file.
    pub version: Option<u32>,
}

impl Served {
    /// The label metrics carry for this version: its number, or `config`.
    pub fn label(&self) -> String {
        self.version
            .map_or_else(|| "config".to_owned(), |version| version.to_string())
    }
}

/// A running canary as one replica serves it.
#[derive(Clone)]
pub struct CanaryRoute {
    /// The canary's id in the store.
    pub id: i64,
    /// The version under test.
    pub candidate: Served,
    /// Share of new phone calls sent to it, 1 to 100.
    pub percent: u32,
    /// This replica's outcomes since the last time they were handed to the store.
    pub tally: Arc<Tally>,
}

/// Which version of a canary answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The version that was active before the canary.
    Stable,
    /// The version under test.
    Candidate,
}

/// Tool calls and failures of both sides of a canary, counted lock-free on the request path
/// and taken (reset) by whoever reports them.
#[derive(Debug, Default)]
pub struct Tally {
    stable_calls: AtomicU64,
    stable_failures: AtomicU64,
    candidate_calls: AtomicU64,
    candidate_failures: AtomicU64,
}

/// What a [`Tally`] held when it was taken.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Tool calls the stable version answered.
    pub stable_calls: u64,
    /// Of those, failures.
    pub stable_failures: u64,
    /// Tool calls the candidate answered.
    pub candidate_calls: u64,
    /// Of those, failures.
    pub candidate_failures: u64,
}

impl Counts {
    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.stable_calls == 0 && self.candidate_calls == 0
    }
}

impl Tally {
    /// Counts one tool call answered by `side`.
    pub fn record(&self, side: Side, failed: bool) {
        let (calls, failures) = match side {
            Side::Stable => (&self.stable_calls, &self.stable_failures),
            Side::Candidate => (&self.candidate_calls, &self.candidate_failures),
        };
        calls.fetch_add(1, Ordering::Relaxed);
        if failed {
            failures.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// What was counted since the last take, resetting it. A call counted while this runs
    /// lands in this take or the next, never in neither.
    pub fn take(&self) -> Counts {
        Counts {
            stable_calls: self.stable_calls.swap(0, Ordering::Relaxed),
            stable_failures: self.stable_failures.swap(0, Ordering::Relaxed),
            candidate_calls: self.candidate_calls.swap(0, Ordering::Relaxed),
            candidate_failures: self.candidate_failures.swap(0, Ordering::Relaxed),
        }
    }

    /// Puts `counts` back, when handing them over failed: they are reported next time.
    pub fn restore(&self, counts: Counts) {
        self.stable_calls
            .fetch_add(counts.stable_calls, Ordering::Relaxed);
        self.stable_failures
            .fetch_add(counts.stable_failures, Ordering::Relaxed);
        self.candidate_calls
            .fetch_add(counts.candidate_calls, Ordering::Relaxed);
        self.candidate_failures
            .fetch_add(counts.candidate_failures, Ordering::Relaxed);
    }
}

/// The version that answers one call, and where its outcome is counted.
pub struct Route {
    /// The version.
    pub served: Served,
    /// Under a running canary: the tally and the side this call counts for.
    counted: Option<(Arc<Tally>, Side)>,
}

impl Route {
    /// The plugin to run.
    pub fn plugin(&self) -> &Arc<Plugin> {
        &self.served.plugin
    }

    /// Which side of a running canary answers, if one runs.
    pub fn side(&self) -> Option<Side> {
        self.counted.as_ref().map(|(_, side)| *side)
    }

    /// Counts the call's outcome for the canary, if one runs.
    pub fn outcome(&self, failed: bool) {
        if let Some((tally, side)) = &self.counted {
            tally.record(*side, failed);
        }
    }
}

/// Phone calls and the version each started on.
type Pins = moka::sync::Cache<String, Served>;

/// What a tenant serves: one version, or two under a canary.
#[derive(Clone)]
pub struct Serving {
    /// The active version.
    pub stable: Served,
    /// The canary, while one runs.
    pub canary: Option<CanaryRoute>,
    /// Phone calls that started while a canary ran, and their version.
    pins: Option<Pins>,
}

impl Serving {
    /// `stable` for every call.
    pub fn only(stable: Served) -> Self {
        Self {
            stable,
            canary: None,
            pins: None,
        }
    }

    /// What comes after `self` when the store says `stable` is active and `canary` runs (or
    /// none): phone calls under way keep their version whenever a canary starts, runs or
    /// ends; a plain activation (`ending_canary` false, no canary) moves every call.
    pub fn next(&self, stable: Served, canary: Option<CanaryRoute>, ending_canary: bool) -> Self {
        let keeps_pins = canary.is_some() || ending_canary;
        let pins = keeps_pins.then(|| {
            self.pins.clone().unwrap_or_else(|| {
                Pins::builder()
                    .max_capacity(MAX_PINS)
                    .time_to_idle(PIN_IDLE)
                    .build()
            })
        });
        // A canary that goes on keeps its counts not yet reported.
        let canary = canary.map(|mut next| {
            if let Some(current) = self.canary.as_ref().filter(|current| current.id == next.id) {
                next.tally = Arc::clone(&current.tally);
            }
            next
        });
        Self {
            stable,
            canary,
            pins,
        }
    }

    /// The version that answers `call_id`.
    pub fn route(&self, call_id: &str) -> Route {
        let pinned = self
            .pins
            .as_ref()
            .filter(|_| !call_id.is_empty())
            .and_then(|pins| pins.get(call_id));
        let served = match (pinned, &self.canary) {
            (Some(served), _) => served,
            (None, Some(canary)) if bucket(call_id) < canary.percent => canary.candidate.clone(),
            (None, _) => self.stable.clone(),
        };
        let counted = self.canary.as_ref().and_then(|canary| {
            let side = if served.plugin.digest() == canary.candidate.plugin.digest() {
                Side::Candidate
            } else if served.plugin.digest() == self.stable.plugin.digest() {
                Side::Stable
            } else {
                // Pinned to a version that is neither (from an earlier canary): not counted.
                return None;
            };
            Some((Arc::clone(&canary.tally), side))
        });
        if let (Some(pins), Some(_), false) = (&self.pins, &self.canary, call_id.is_empty()) {
            pins.get_with_by_ref(call_id, || served.clone());
        }
        Route { served, counted }
    }
}

/// The call id's place among 100 buckets: a canary at `p` percent takes buckets below `p`.
/// xxh3 is fixed across platforms and releases, so replicas agree on every call id.
pub fn bucket(call_id: &str) -> u32 {
    let hash = xxhash_rust::xxh3::xxh3_64(call_id.as_bytes());
    // The remainder is below 100, so the conversion cannot fail.
    u32::try_from(hash % 100).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_spread_call_ids_evenly() {
        let mut counts = [0u32; 100];
        for n in 0..100_000 {
            counts[bucket(&format!("call_{n:08x}")) as usize] += 1;
        }
        let (min, max) = (
            counts.iter().min().copied().unwrap_or(0),
            counts.iter().max().copied().unwrap_or(0),
        );
        assert!(min > 850 && max < 1150, "uneven buckets: {min}..{max}");
    }

    #[test]
    fn a_bucket_is_the_same_for_the_same_call_id() {
        assert_eq!(bucket("call_abc"), bucket("call_abc"));
        // Pinned across releases: replicas of different builds must agree.
        assert_eq!(bucket(""), (xxhash_rust::xxh3::xxh3_64(b"") % 100) as u32);
    }

    #[test]
    fn a_tally_taken_is_reset_and_a_restored_one_reported_again() {
        let tally = Tally::default();
        tally.record(Side::Candidate, true);
        tally.record(Side::Stable, false);
        let taken = tally.take();
        assert_eq!(
            taken,
            Counts {
                stable_calls: 1,
                stable_failures: 0,
                candidate_calls: 1,
                candidate_failures: 1
            }
        );
        assert!(tally.take().is_empty());
        tally.restore(taken);
        assert_eq!(tally.take(), taken);
    }
}
