//! Idempotency of mutating tool calls.
//!
//! Voice platforms retry a webhook that was slow or failed (Retell twice), sometimes while the
//! first attempt is still running. A booking must never be made twice for that: identical
//! mutating calls of one call share one execution, and a retry within the retention period gets
//! the first reply. Failed attempts are not remembered, so a retry after a timeout tries again.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use moka::future::Cache;

use super::ToolReply;

/// How long a reply is kept for retries: far longer than any platform retries, far shorter
/// than a call could want to book the same slot again on purpose.
const RETENTION: Duration = Duration::from_secs(10 * 60);

/// Replies of successful mutating calls, keyed by tenant, call and request.
#[derive(Clone)]
pub struct Ledger {
    replies: Cache<String, ToolReply>,
}

impl Default for Ledger {
    fn default() -> Self {
        Self {
            replies: Cache::builder()
                .time_to_live(RETENTION)
                .max_capacity(100_000)
                .build(),
        }
    }
}

impl Ledger {
    /// Runs `attempt` once for all concurrent callers with the same `key`; keeps its reply
    /// when it succeeded.
    pub async fn once<F>(&self, key: String, attempt: F) -> ToolReply
    where
        F: Future<Output = ToolReply>,
    {
        let outcome = self
            .replies
            .try_get_with(key, async move {
                let reply = attempt.await;
                if reply.success { Ok(reply) } else { Err(reply) }
            })
            .await;
        match outcome {
            Ok(reply) => reply,
            Err(failed) => Arc::unwrap_or_clone(failed),
        }
    }
}
