//! The call log's background writer: what has gathered on the queue, in transactions of up
//! to a batch.
//!
//! The writer wakes for the first record, then sleeps for `linger` without listening to the
//! queue, and then takes everything that arrived meanwhile. Two costs are avoided that way,
//! both measured by `make bench` at saturation: a wake-up of the writer for every record (a
//! scheduler round trip, and often a parked worker thread unparked, per tool call), and a
//! commit per record (with the store's `synchronous = FULL`, a disk sync each). A flush (a
//! test, or `slotline plugin invoke` about to exit) cuts the sleep short.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, mpsc};

use super::Record;
use crate::store::Store;

/// Writes records from `records` to `store` until every sender is gone.
pub(super) async fn run(
    store: Arc<Store>,
    mut records: mpsc::Receiver<Record>,
    flush_now: Arc<Notify>,
    batch: usize,
    linger: Duration,
) {
    let mut taken = Vec::with_capacity(batch);
    loop {
        taken.clear();
        if records.recv_many(&mut taken, batch).await == 0 {
            return;
        }
        if !has_flush(&taken) && taken.len() < batch {
            tokio::select! {
                () = tokio::time::sleep(linger) => {}
                () = flush_now.notified() => {}
            }
        }
        // Everything that gathered, a batch per transaction, without waiting for more.
        loop {
            while taken.len() < batch {
                match records.try_recv() {
                    Ok(record) => taken.push(record),
                    Err(_) => break,
                }
            }
            let full = taken.len() >= batch;
            write(&store, taken.drain(..)).await;
            if !full {
                break;
            }
        }
    }
}

fn has_flush(records: &[Record]) -> bool {
    records
        .iter()
        .any(|record| matches!(record, Record::Flush(_)))
}

/// Writes one batch, then answers the flushes in it: everything queued before them is in
/// this batch or an earlier one.
async fn write(store: &Arc<Store>, records: impl Iterator<Item = Record>) {
    let (mut tools, mut events, mut flushes) = (Vec::new(), Vec::new(), Vec::new());
    for record in records {
        match record {
            Record::Tool(entry) => tools.push(entry),
            Record::Event(entry) => events.push(entry),
            Record::Flush(done) => flushes.push(done),
        }
    }
    let count = tools.len() + events.len();
    if count > 0 {
        let store = Arc::clone(store);
        let written =
            tokio::task::spawn_blocking(move || store.append_call_log(tools, events)).await;
        let failed = match written {
            Ok(Ok(())) => None,
            Ok(Err(err)) => Some(err.to_string()),
            Err(err) => Some(err.to_string()),
        };
        if let Some(error) = failed {
            tracing::warn!(records = count, %error, "call log: a batch could not be written");
            metrics::counter!("slotline_call_log_write_failures_total")
                .increment(u64::try_from(count).unwrap_or(u64::MAX));
        } else {
            metrics::counter!("slotline_call_log_written_total")
                .increment(u64::try_from(count).unwrap_or(u64::MAX));
        }
    }
    for done in flushes {
        let _ = done.send(());
    }
}
