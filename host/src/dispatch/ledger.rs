//! Idempotency of mutating tool calls.
//!
//! Voice platforms retry a webhook that was slow or failed (Retell twice), sometimes while the
//! first attempt is still running, and behind a load balancer the retry may land on another
//! replica. A booking must never be made twice for that: identical mutating calls of one call
//! share one execution, and a retry within the retention period gets the first reply. Failed
//! attempts are not remembered, so a retry after a timeout tries again.
//!
//! In one process, concurrent identical calls share one future (a `moka` entry). Across
//! replicas, with the Redis cache backend, the first replica claims the call in Redis
//! (`SET NX` with an expiry) and records the reply there; a replica that finds the claim waits
//! for that reply instead of running the call. If Redis cannot be reached the call runs
//! anyway: a caller waiting on a dead Redis is worse than the rare duplicate it prevents.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use moka::future::Cache;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::ToolReply;
use crate::cache::{CacheError, RedisBackend};

/// How long a reply is kept for retries: far longer than any platform retries, far shorter
/// than a call could want to book the same slot again on purpose.
const RETENTION: Duration = Duration::from_secs(10 * 60);

/// How long a claim holds without a reply: longer than any mutating call may run (the
/// runtime's outbound cap), so only a replica that died mid-call lets it lapse.
const CLAIM: Duration = Duration::from_secs(30);

/// How often a replica waiting for another's reply looks for it.
const POLL: Duration = Duration::from_millis(20);

/// The value of a claimed call whose reply is not there yet.
const PENDING: &str = "pending";

/// Replies of successful mutating calls, keyed by tenant, call and request.
#[derive(Clone)]
pub struct Ledger {
    replies: Cache<String, ToolReply>,
    shared: Option<Arc<RedisBackend>>,
}

impl Default for Ledger {
    fn default() -> Self {
        Self {
            replies: Cache::builder()
                .time_to_live(RETENTION)
                .max_capacity(100_000)
                .build(),
            shared: None,
        }
    }
}

/// A successful reply as recorded in Redis (failures are never recorded).
#[derive(Serialize, Deserialize)]
struct Recorded {
    message: String,
    data: Option<Value>,
}

/// What a replica learns when it tries to claim a call in Redis.
enum Claim {
    /// This replica runs the call.
    Won,
    /// Another replica finished it: its reply.
    Done(ToolReply),
    /// Another replica is running it.
    Pending,
}

impl Ledger {
    /// A ledger that also shares claims and replies with every replica through `redis`.
    pub fn shared(redis: Arc<RedisBackend>) -> Self {
        Self {
            shared: Some(redis),
            ..Self::default()
        }
    }

    /// Runs `attempt` once for all concurrent callers with the same `key`; keeps its reply
    /// when it succeeded.
    pub async fn once<F>(&self, key: String, attempt: F) -> ToolReply
    where
        F: Future<Output = ToolReply>,
    {
        let shared = self.shared.as_deref();
        let shared_key = shared.map(|redis| redis.host_key(&format!("idem:{}", hashed(&key))));
        let outcome = self
            .replies
            .try_get_with(key, async move {
                let reply = match (shared, shared_key) {
                    (Some(redis), Some(key)) => once_across_replicas(redis, &key, attempt).await,
                    _ => attempt.await,
                };
                if reply.success { Ok(reply) } else { Err(reply) }
            })
            .await;
        match outcome {
            Ok(reply) => reply,
            Err(failed) => Arc::unwrap_or_clone(failed),
        }
    }
}

/// Runs `attempt` unless another replica ran or runs it; records a success for the others.
async fn once_across_replicas<F>(redis: &RedisBackend, key: &str, attempt: F) -> ToolReply
where
    F: Future<Output = ToolReply>,
{
    let waited_since = Instant::now();
    loop {
        match claim(redis, key).await {
            Ok(Claim::Won) => break,
            Ok(Claim::Done(reply)) => return reply,
            // The claim lapses after `CLAIM`, so this wait ends either way.
            Ok(Claim::Pending) if waited_since.elapsed() < CLAIM => tokio::time::sleep(POLL).await,
            Ok(Claim::Pending) => break,
            Err(err) => {
                tracing::warn!(error = %err, "idempotency not shared: running the call on this replica alone");
                return attempt.await;
            }
        }
    }
    let reply = attempt.await;
    let recorded = if reply.success {
        let value = Recorded {
            message: reply.message.clone(),
            data: reply.data.clone(),
        };
        let millis = u64::try_from(RETENTION.as_millis()).unwrap_or(u64::MAX);
        match serde_json::to_vec(&value) {
            Ok(json) => {
                redis
                    .query::<()>(redis::cmd("SET").arg(key).arg(json).arg("PX").arg(millis))
                    .await
            }
            Err(err) => Err(CacheError::Encoding(err.to_string())),
        }
    } else {
        // Let a retry (here or elsewhere) try again at once.
        redis
            .query::<u64>(redis::cmd("DEL").arg(key))
            .await
            .map(drop)
    };
    if let Err(err) = recorded {
        tracing::warn!(error = %err, "cannot share the outcome of a mutating call");
    }
    reply
}

async fn claim(redis: &RedisBackend, key: &str) -> Result<Claim, CacheError> {
    let millis = u64::try_from(CLAIM.as_millis()).unwrap_or(u64::MAX);
    let won: Option<String> = redis
        .query(
            redis::cmd("SET")
                .arg(key)
                .arg(PENDING)
                .arg("NX")
                .arg("PX")
                .arg(millis),
        )
        .await?;
    if won.is_some() {
        return Ok(Claim::Won);
    }
    let value: Option<Vec<u8>> = redis.query(redis::cmd("GET").arg(key)).await?;
    Ok(match value {
        // Released (the other attempt failed) or expired between the two commands.
        None => Claim::Pending,
        Some(value) if value == PENDING.as_bytes() => Claim::Pending,
        Some(value) => {
            let recorded: Recorded = serde_json::from_slice(&value)
                .map_err(|err| CacheError::Encoding(err.to_string()))?;
            Claim::Done(ToolReply {
                success: true,
                message: recorded.message,
                data: recorded.data,
                error: None,
            })
        }
    })
}

/// The ledger key as a fixed-length Redis key: it holds a whole request.
fn hashed(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}
