//! The call log's background writer: whatever has gathered on the queue, in one transaction.
//!
//! No timer: the writer takes everything waiting (up to a batch) the moment it is free, so at
//! low rates a record is written at once and under load batches grow by themselves while the
//! previous one commits.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::Record;
use crate::store::Store;

/// Writes records from `records` to `store` until every sender is gone.
pub(super) async fn run(store: Arc<Store>, mut records: mpsc::Receiver<Record>, batch: usize) {
    let mut taken = Vec::with_capacity(batch);
    loop {
        taken.clear();
        if records.recv_many(&mut taken, batch).await == 0 {
            return;
        }
        let (mut tools, mut events, mut flushes) = (Vec::new(), Vec::new(), Vec::new());
        for record in taken.drain(..) {
            match record {
                Record::Tool(entry) => tools.push(entry),
                Record::Event(entry) => events.push(entry),
                Record::Flush(done) => flushes.push(done),
            }
        }
        let count = tools.len() + events.len();
        if count > 0 {
            let store = Arc::clone(&store);
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
}
