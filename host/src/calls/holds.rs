//! The slots a tenant's calls hold: at most one per call, the last start a check found free.
//!
//! A hold is asked for after the check's reply went out, so the booking that follows may
//! arrive while it is still being made; [`Holds::wait`] lets it wait for that one (briefly).
//! This map is the host's memory of holds on this replica; the calendar's own expiry
//! releases any hold whose call ended elsewhere.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use futures::FutureExt;
use futures::channel::oneshot;
use futures::future::{BoxFuture, Shared};

use crate::runtime::api;

/// Completes when the hold asked for is in place or refused.
pub(super) type Asked = Shared<BoxFuture<'static, ()>>;

struct CallHold {
    /// The start asked for, RFC 3339 as the check reported it.
    start: String,
    /// Completes when the plugin answered.
    asked: Asked,
    held: Option<api::SlotHold>,
}

/// The right to fill in the hold asked for; see [`Holds::placed`].
pub(super) struct Request {
    call_id: String,
    start: String,
    done: oneshot::Sender<()>,
}

impl Request {
    pub(super) fn start(&self) -> &str {
        &self.start
    }
}

/// Holds by call id.
#[derive(Default)]
pub(super) struct Holds {
    by_call: Mutex<HashMap<String, CallHold>>,
}

impl Holds {
    fn map(&self) -> MutexGuard<'_, HashMap<String, CallHold>> {
        // Entries are whole values; a panicking holder cannot leave one half-written.
        self.by_call.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Claims the call's hold for `start`. `None` when the call holds or is asking for that
    /// start already; otherwise the hold it had (to release) is returned beside the request.
    pub(super) fn ask(
        &self,
        call_id: &str,
        start: &str,
    ) -> Option<(Request, Option<api::SlotHold>)> {
        let mut map = self.map();
        if map
            .get(call_id)
            .is_some_and(|hold| same_instant(&hold.start, start))
        {
            return None;
        }
        let (done, asked) = oneshot::channel::<()>();
        let previous = map.insert(
            call_id.to_owned(),
            CallHold {
                start: start.to_owned(),
                asked: asked.map(drop).boxed().shared(),
                held: None,
            },
        );
        Some((
            Request {
                call_id: call_id.to_owned(),
                start: start.to_owned(),
                done,
            },
            previous.and_then(|previous| previous.held),
        ))
    }

    /// The plugin answered `request`. A hold that is no longer wanted (the call ended, or
    /// moved on to another start meanwhile) is handed back to be released.
    pub(super) fn placed(
        &self,
        request: Request,
        hold: Option<api::SlotHold>,
    ) -> Option<api::SlotHold> {
        let mut map = self.map();
        let unwanted = match map.get_mut(&request.call_id) {
            Some(entry) if entry.start == request.start => match hold {
                Some(hold) => {
                    entry.held = Some(hold);
                    None
                }
                None => {
                    map.remove(&request.call_id);
                    None
                }
            },
            _ => hold,
        };
        drop(map);
        let _ = request.done.send(());
        unwanted
    }

    /// The call's hold, once the one being asked for (if any) is in place.
    pub(super) fn asked(&self, call_id: &str) -> Option<Asked> {
        let map = self.map();
        let entry = map.get(call_id)?;
        entry.held.is_none().then(|| entry.asked.clone())
    }

    /// The call's hold, if one is in place.
    pub(super) fn held(&self, call_id: &str) -> Option<api::SlotHold> {
        self.map().get(call_id).and_then(|entry| entry.held.clone())
    }

    /// Forgets the call's hold and hands it back (to release, or because a booking used it).
    pub(super) fn take(&self, call_id: &str) -> Option<api::SlotHold> {
        self.map().remove(call_id).and_then(|entry| entry.held)
    }
}

/// Whether two RFC 3339 texts name the same instant (`15:00+01:00` is `14:00Z`); texts that
/// do not parse are compared as they are.
pub(super) fn same_instant(a: &str, b: &str) -> bool {
    match (
        chrono::DateTime::parse_from_rfc3339(a),
        chrono::DateTime::parse_from_rfc3339(b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hold(uid: &str, start: &str) -> api::SlotHold {
        api::SlotHold {
            uid: uid.into(),
            start: start.into(),
            end: start.into(),
            until: start.into(),
        }
    }

    #[test]
    fn one_hold_per_call_and_a_new_start_hands_back_the_old_hold() {
        let holds = Holds::default();
        let (request, previous) = holds
            .ask("call-1", "2026-12-03T15:00:00+01:00")
            .expect("a first ask");
        assert!(previous.is_none());
        assert!(holds.ask("call-1", "2026-12-03T14:00:00Z").is_none());
        assert!(
            holds
                .placed(request, Some(hold("r1", "2026-12-03T15:00:00+01:00")))
                .is_none()
        );
        assert_eq!(holds.held("call-1").map(|h| h.uid), Some("r1".into()));
        let (request, previous) = holds
            .ask("call-1", "2026-12-03T16:00:00+01:00")
            .expect("another start");
        assert_eq!(previous.map(|h| h.uid), Some("r1".into()));
        assert!(holds.held("call-1").is_none());
        holds.placed(request, Some(hold("r2", "2026-12-03T16:00:00+01:00")));
        assert_eq!(holds.take("call-1").map(|h| h.uid), Some("r2".into()));
        assert!(holds.take("call-1").is_none());
    }

    #[tokio::test]
    async fn a_hold_placed_after_its_call_ended_is_handed_back_and_waiters_wake() {
        let holds = Holds::default();
        let (request, _) = holds
            .ask("call-1", "2026-12-03T15:00:00+01:00")
            .expect("a first ask");
        let asked = holds.asked("call-1").expect("asked, not yet held");
        assert!(holds.take("call-1").is_none());
        let unwanted = holds.placed(request, Some(hold("r1", "2026-12-03T15:00:00+01:00")));
        assert_eq!(unwanted.map(|h| h.uid), Some("r1".into()));
        asked.await;
        assert!(holds.held("call-1").is_none());
    }

    #[test]
    fn a_refused_hold_leaves_the_call_free_to_ask_again() {
        let holds = Holds::default();
        let (request, _) = holds
            .ask("call-1", "2026-12-03T15:00:00+01:00")
            .expect("a first ask");
        assert!(holds.placed(request, None).is_none());
        assert!(holds.ask("call-1", "2026-12-03T15:00:00+01:00").is_some());
    }
}
