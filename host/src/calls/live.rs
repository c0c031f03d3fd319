//! One tenant's live phone calls, and whether its refresher runs.
//!
//! A call is live from its start event to its end event, or for at most `max_call` when the
//! end never comes (a lost webhook must not keep a refresher running for ever).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

#[derive(Default)]
struct State {
    started: HashMap<String, Instant>,
    refreshing: bool,
}

#[derive(Default)]
pub(super) struct LiveCalls {
    state: Mutex<State>,
}

impl LiveCalls {
    fn state(&self) -> MutexGuard<'_, State> {
        // A map and a flag, valid whatever a panicking holder was doing.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Marks `call_id` live. `true` when the caller must start the refresher (none runs).
    pub(super) fn start(&self, call_id: &str) -> bool {
        let mut state = self.state();
        state
            .started
            .entry(call_id.to_owned())
            .or_insert_with(Instant::now);
        !std::mem::replace(&mut state.refreshing, true)
    }

    /// Marks `call_id` ended.
    pub(super) fn end(&self, call_id: &str) {
        self.state().started.remove(call_id);
    }

    /// Whether the refresher should go on: some call is live (those past `max_call` are
    /// dropped). When none is, the refresher is marked stopped under the same lock, so a call
    /// starting right after starts a new one.
    pub(super) fn keep_refreshing(&self, max_call: Duration) -> bool {
        let mut state = self.state();
        let now = Instant::now();
        state
            .started
            .retain(|_, started| now.duration_since(*started) < max_call);
        if state.started.is_empty() {
            state.refreshing = false;
            false
        } else {
            true
        }
    }

    /// How many calls are live right now.
    pub(super) fn count(&self) -> usize {
        self.state().started.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refresher_starts_with_the_first_call_and_stops_after_the_last() {
        let live = LiveCalls::default();
        assert!(live.start("a"));
        assert!(!live.start("b"));
        assert!(!live.start("a"));
        live.end("a");
        assert!(live.keep_refreshing(Duration::from_secs(60)));
        live.end("b");
        assert!(!live.keep_refreshing(Duration::from_secs(60)));
        assert!(
            live.start("c"),
            "a call after the stop starts a new refresher"
        );
    }

    #[test]
    fn a_call_whose_end_never_came_stops_counting_after_the_longest_call() {
        let live = LiveCalls::default();
        live.start("lost");
        assert!(!live.keep_refreshing(Duration::ZERO));
        assert_eq!(live.count(), 0);
    }
}
