//! The replay recordings the writer holds before it stores them: each tenant's latest, at most
//! `call_log.recorded_calls` of them.
//!
//! A tenant keeps only its latest recordings (1,000 by default), so at thousands of calls a
//! second a recording written at once would be deleted again within a second. Held here, a
//! recording that a newer one supersedes before the next store costs nothing but its memory:
//! it is never masked, serialized, inserted or pruned. `make bench` measured that work, done
//! for every call, at 15% of the cached call's throughput (`recording_rps_overhead_percent`).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use crate::replay::recording::RecordedCall;
use crate::store::RecordingEntry;

/// A tool call's recording on its way to the writer, with its tenant's settings.
#[derive(Debug)]
pub(super) struct Recorded {
    /// The recording, as the call made it.
    pub(super) call: RecordedCall,
    /// Whether callers are masked before it is stored.
    pub(super) redact: bool,
    /// How many of the tenant's latest recordings are kept.
    pub(super) keep: u32,
}

/// A recording whose tool call is in the log, waiting to be stored.
#[derive(Debug)]
struct Waiting {
    call_log_id: i64,
    at: String,
    recorded: Recorded,
}

/// Each tenant's latest recordings not stored yet, oldest first.
#[derive(Debug, Default)]
pub(super) struct Window {
    tenants: HashMap<Arc<str>, VecDeque<Waiting>>,
}

impl Window {
    /// Holds `recorded`, the recording of the logged tool call `call_log_id`, dropping the
    /// tenant's oldest held one when it holds its `keep` already.
    pub(super) fn hold(
        &mut self,
        tenant: &Arc<str>,
        call_log_id: i64,
        at: String,
        recorded: Recorded,
    ) {
        let keep = usize::try_from(recorded.keep).unwrap_or(usize::MAX);
        if keep == 0 {
            return;
        }
        let held = self.tenants.entry(Arc::clone(tenant)).or_default();
        while held.len() >= keep {
            held.pop_front();
        }
        held.push_back(Waiting {
            call_log_id,
            at,
            recorded,
        });
    }

    /// Whether any recording is held.
    pub(super) fn is_empty(&self) -> bool {
        self.tenants.values().all(VecDeque::is_empty)
    }

    /// Everything held, oldest first per tenant, as the store takes it: masked where the
    /// tenant redacts, serialized. A recording that cannot be serialized (a bug: it holds
    /// plain strings and numbers) is logged and left out, not worth the others.
    pub(super) fn take(&mut self) -> Vec<RecordingEntry> {
        let mut entries = Vec::new();
        for (tenant, held) in self.tenants.drain() {
            for waiting in held {
                let Waiting {
                    call_log_id,
                    at,
                    recorded,
                } = waiting;
                let mut call = recorded.call;
                if recorded.redact {
                    call.redact();
                }
                match call.encode() {
                    Ok((recording, values)) => entries.push(RecordingEntry {
                        tenant: Arc::clone(&tenant),
                        call_log_id,
                        at,
                        recording,
                        values,
                        keep: recorded.keep,
                    }),
                    Err(err) => {
                        tracing::error!(error = %err, "call log: cannot serialize a recording");
                    }
                }
            }
        }
        entries
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::replay::recording::{RecordedAnswer, Recorder};
    use crate::runtime::api;
    use crate::tool::PluginRequest;

    /// A recorded `parse_date` call that answered `speech`, its tenant keeping `keep`.
    pub(in crate::calllog) fn recorded(speech: &str, keep: u32) -> Result<Recorded, &'static str> {
        let mut recorder = Recorder::default();
        recorder.input(
            api::CallContext {
                tenant: "t".into(),
                call_id: "c".into(),
                caller_number: Some("+4915112345678".into()),
                dialled_number: None,
                now: "2026-12-04T10:00:00Z".into(),
                timezone: "Europe/Berlin".into(),
                locale: "de".into(),
            },
            PluginRequest::ParseDate(api::ParseDateRequest {
                text: "morgen".into(),
            }),
        );
        recorder.answered(
            RecordedAnswer {
                success: true,
                speech: speech.into(),
                data: None,
                code: None,
            },
            1,
        );
        Ok(Recorded {
            call: recorder.finish().ok_or("no recording")?,
            redact: true,
            keep,
        })
    }

    #[test]
    fn only_each_tenants_latest_are_stored_and_masked() -> Result<(), Box<dyn std::error::Error>> {
        let mut window = Window::default();
        let (a, b): (Arc<str>, Arc<str>) = ("a".into(), "b".into());
        for n in 0..5 {
            window.hold(&a, n, format!("at-{n}"), recorded(&format!("a{n}"), 2)?);
        }
        window.hold(&b, 9, "at-9".into(), recorded("b", 2)?);
        window.hold(&b, 10, "at-10".into(), recorded("none", 0)?);
        assert!(!window.is_empty());
        let mut taken = window.take();
        taken.sort_by_key(|entry| entry.call_log_id);
        let ids: Vec<i64> = taken.iter().map(|entry| entry.call_log_id).collect();
        assert_eq!(
            ids,
            [3, 4, 9],
            "a's latest two and b's one; keep 0 holds nothing"
        );
        assert_eq!(taken[0].at, "at-3");
        let json = String::from_utf8(taken[0].recording.clone())?;
        assert!(json.contains("a3"), "{json}");
        assert!(
            !json.contains("15112345678"),
            "the caller is masked: {json}"
        );
        assert!(window.is_empty(), "taken means gone");
        assert!(window.take().is_empty());
        Ok(())
    }
}
