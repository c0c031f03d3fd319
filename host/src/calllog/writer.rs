//! The call log's background writer: what has gathered on the queue, in transactions of up
//! to a batch, and every so often the replay recordings its [`Window`] holds.
//!
//! The writer wakes for the first record, then sleeps for `linger` without listening to the
//! queue, and then takes everything that arrived meanwhile. Two costs are avoided that way,
//! both measured by `make bench` at saturation: a wake-up of the writer for every record (a
//! scheduler round trip, and often a parked worker thread unparked, per tool call), and a
//! commit per record (with the store's `synchronous = FULL`, a disk sync each). A flush (a
//! test, a replay, or `slotline plugin invoke` about to exit) cuts the sleep short, and stores
//! the recordings held.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, mpsc};
use tokio::time::Instant;

use super::Record;
use super::window::Window;
use crate::store::Store;

/// How the writer paces its work.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pace {
    /// Records in one transaction, at most.
    pub(super) batch: usize,
    /// How long records gather after the first.
    pub(super) linger: Duration,
    /// How long recordings are held before they are stored.
    pub(super) recordings_every: Duration,
}

/// Writes records from `records` to `store` until every sender is gone.
pub(super) async fn run(
    store: Arc<Store>,
    mut records: mpsc::Receiver<Record>,
    flush_now: Arc<Notify>,
    pace: Pace,
) {
    let mut taken = Vec::with_capacity(pace.batch);
    let mut window = Window::default();
    // When the recordings held are due to be stored; `None` while none are held.
    let mut due: Option<Instant> = None;
    loop {
        taken.clear();
        let received = tokio::select! {
            received = records.recv_many(&mut taken, pace.batch) => received,
            () = sleep_until(due), if due.is_some() => {
                store_recordings(&store, &mut window).await;
                due = None;
                continue;
            }
        };
        if received == 0 {
            store_recordings(&store, &mut window).await;
            return;
        }
        if !has_flush(&taken) && taken.len() < pace.batch {
            tokio::select! {
                () = tokio::time::sleep(pace.linger) => {}
                () = flush_now.notified() => {}
            }
        }
        // Everything that gathered, a batch per transaction, without waiting for more.
        loop {
            while taken.len() < pace.batch {
                match records.try_recv() {
                    Ok(record) => taken.push(record),
                    Err(_) => break,
                }
            }
            let full = taken.len() >= pace.batch;
            let flushes = write(&store, taken.drain(..), &mut window).await;
            if !flushes.is_empty() {
                // Everything queued before a flush includes its recordings.
                store_recordings(&store, &mut window).await;
                for done in flushes {
                    let _ = done.send(());
                }
            }
            if !full {
                break;
            }
        }
        if window.is_empty() {
            due = None;
        } else if due.is_none() {
            due = Some(Instant::now() + pace.recordings_every);
        }
    }
}

async fn sleep_until(due: Option<Instant>) {
    if let Some(due) = due {
        tokio::time::sleep_until(due).await;
    }
}

fn has_flush(records: &[Record]) -> bool {
    records
        .iter()
        .any(|record| matches!(record, Record::Flush(_)))
}

/// Writes one batch and holds its recordings in `window`; the flushes found in it, for the
/// caller to answer once the recordings are stored too.
async fn write(
    store: &Arc<Store>,
    records: impl Iterator<Item = Record>,
    window: &mut Window,
) -> Vec<tokio::sync::oneshot::Sender<()>> {
    let (mut tools, mut events, mut flushes) = (Vec::new(), Vec::new(), Vec::new());
    let mut recorded = Vec::new();
    for record in records {
        match record {
            Record::Tool(entry, recording) => {
                if let Some(recording) = recording {
                    recorded.push((
                        tools.len(),
                        Arc::clone(&entry.tenant),
                        entry.at.clone(),
                        *recording,
                    ));
                }
                tools.push(entry);
            }
            Record::Event(entry) => events.push(entry),
            Record::Flush(done) => flushes.push(done),
        }
    }
    let count = tools.len() + events.len();
    if count == 0 {
        return flushes;
    }
    match store.append_call_log(tools, events).await {
        Ok(ids) => {
            metrics::counter!("slotline_call_log_written_total")
                .increment(u64::try_from(count).unwrap_or(u64::MAX));
            for (index, tenant, at, recording) in recorded {
                // A recording refers to its logged call: without the call, none.
                if let Some(&id) = ids.get(index) {
                    window.hold(&tenant, id, at, recording);
                }
            }
        }
        Err(error) => {
            tracing::warn!(records = count, %error, "call log: a batch could not be written");
            metrics::counter!("slotline_call_log_write_failures_total")
                .increment(u64::try_from(count).unwrap_or(u64::MAX));
        }
    }
    flushes
}

/// Stores the recordings `window` holds, in one transaction.
async fn store_recordings(store: &Arc<Store>, window: &mut Window) {
    if window.is_empty() {
        return;
    }
    let mut held = std::mem::take(window);
    // Masking and serializing are CPU work: off the runtime's threads.
    let entries = match tokio::task::spawn_blocking(move || held.take()).await {
        Ok(entries) => entries,
        Err(err) => {
            tracing::error!(error = %err, "call log: preparing recordings panicked");
            metrics::counter!("slotline_call_log_write_failures_total").increment(1);
            return;
        }
    };
    let count = entries.len();
    match store.append_recordings(entries).await {
        Ok(()) => {
            metrics::counter!("slotline_call_log_recordings_written_total")
                .increment(u64::try_from(count).unwrap_or(u64::MAX));
        }
        Err(err) => {
            tracing::warn!(error = %err, "call log: recordings could not be written");
            metrics::counter!("slotline_call_log_write_failures_total").increment(1);
        }
    }
}
