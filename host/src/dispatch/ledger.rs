//! Idempotency of mutating tool calls.
//!
//! Voice platforms retry a webhook that was slow or failed (Retell twice), sometimes while the
//! first attempt is still running, and behind a load balancer the retry may land on another
//! replica. A booking must never be made twice for that: identical mutating calls of one call
//! share one execution, and a retry within the retention period gets the first reply. Failed
//! attempts are not remembered, so a retry after a timeout tries again.
//!
//! Calls are identified by [`PluginRequest::idempotency_key`](crate::tool::PluginRequest::idempotency_key):
//! a digest of a documented serialisation of the tenant, the call id, the tool and its
//! arguments, the same on every replica and every version. In Redis the claim and the reply
//! live under `<prefix>:host:idem:<that digest>`.
//!
//! In one process, concurrent identical calls share one future (a `moka` entry). Across
//! replicas, with the Redis cache backend, the first replica claims the call in Redis
//! (`SET NX` of a token, with an expiry) and records the reply there; a replica that finds the
//! claim waits for that reply instead of running the call. Recording and releasing check the
//! token (a Lua script), so a slow claimant whose claim lapsed cannot undo a newer one.
//!
//! The ledger fails safe: when the claim cannot be made (Redis unreachable, out of memory,
//! refusing writes) or another replica's claim never ends, the call is not run here ([`NotRun`]),
//! since a retry on another replica could not see this attempt and would make it a second
//! time. The dispatcher turns a booking that was not run into a booking intent, which the store
//! (not Redis) makes exactly once. The claim ignores the cache's skip-after-failure gate: a
//! tenant's slow cache read must not switch the ledger off.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use moka::future::Cache;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cache::{CacheError, RedisBackend};
use crate::tool::{Answer, ToolReply};

/// How long a reply is kept for retries: far longer than any platform retries, far shorter
/// than a call could want to book the same slot again on purpose.
const RETENTION: Duration = Duration::from_secs(10 * 60);

/// The least a claim holds without a reply; longer when the runtime lets a call run longer
/// (see [`Ledger::shared`]), so only a replica that died mid-call lets a claim lapse.
const MIN_CLAIM: Duration = Duration::from_secs(30);

/// How often a replica waiting for another's reply looks for it.
const POLL: Duration = Duration::from_millis(20);

/// How long one idempotency command may take. Longer than the cache's budget: a booking is
/// worth a little more waiting than a cache read, and a wrong answer here books twice.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(1);

/// What a claimed call whose reply is not there yet holds: this prefix and the claimant's
/// token, so that only the claimant releases or replaces it.
const PENDING: &str = "pending:";

/// Replaces the claim with the reply when the claim is still ours or has lapsed.
const RECORD: &str = "local held = redis.call('GET', KEYS[1]) \
    if held == false or held == ARGV[1] then \
        return redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) \
    end \
    return false";

/// Drops the claim when it is still ours.
const RELEASE: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then \
        return redis.call('DEL', KEYS[1]) \
    end \
    return 0";

/// The replies one tenant's ledger keeps at most. Far above what a tenant books within
/// [`RETENTION`] (a busy practice books a few hundred calls a day), and per tenant, so that
/// one tenant booking without end cannot evict another's reply and have a platform retry
/// run a booking again.
const PER_TENANT: u64 = 10_000;

/// Replies of successful mutating calls, per tenant, keyed by call and request.
#[derive(Clone)]
pub struct Ledger {
    tenants: Arc<Mutex<HashMap<String, Cache<String, ToolReply>>>>,
    per_tenant: u64,
    shared: Option<Shared>,
}

/// The cross-replica part: Redis, and how long a claim holds.
#[derive(Clone)]
struct Shared {
    redis: Arc<RedisBackend>,
    claim: Duration,
}

impl Default for Ledger {
    fn default() -> Self {
        Self {
            tenants: Arc::default(),
            per_tenant: PER_TENANT,
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

/// Why a mutating call was not run: running it could have made it twice.
#[derive(Debug, Clone, thiserror::Error)]
pub enum NotRun {
    /// The claim could not be written (Redis unreachable, out of memory, refusing writes).
    #[error(
        "the idempotency ledger cannot be written ({0}): not run, so that a retry cannot make it twice"
    )]
    Unwritable(String),
    /// Another replica claimed the call and neither answered nor let its claim lapse.
    #[error(
        "another replica's attempt of this call never ended: not run again, so that it cannot be made twice"
    )]
    Stuck,
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
    /// `longest_call` bounds how long a mutating call can run (the runtime's outbound cap):
    /// a claim holds twice that, and at least [`MIN_CLAIM`].
    pub fn shared(redis: Arc<RedisBackend>, longest_call: Duration) -> Self {
        Self {
            shared: Some(Shared {
                redis,
                claim: MIN_CLAIM.max(longest_call.saturating_mul(2)),
            }),
            ..Self::default()
        }
    }

    /// `tenant`'s replies (made on first use).
    fn replies(&self, tenant: &str) -> Cache<String, ToolReply> {
        let mut tenants = self.tenants.lock().unwrap_or_else(PoisonError::into_inner);
        tenants
            .entry(tenant.to_owned())
            .or_insert_with(|| {
                Cache::builder()
                    .time_to_live(RETENTION)
                    .max_capacity(self.per_tenant)
                    .build()
            })
            .clone()
    }

    /// Runs `attempt` once for all concurrent callers of `tenant` with the same `key` (an
    /// idempotency key: a fixed-length digest); keeps its reply when it succeeded. `NotRun`
    /// when running it could make it twice.
    pub async fn once<F>(&self, tenant: &str, key: String, attempt: F) -> Result<Answer, NotRun>
    where
        F: Future<Output = Answer>,
    {
        let shared = self.shared.as_ref();
        let shared_key = shared.map(|shared| shared.redis.host_key(&format!("idem:{key}")));
        let outcome = self
            .replies(tenant)
            .try_get_with(key, async move {
                let answer = match (shared, shared_key) {
                    (Some(shared), Some(key)) => shared.once(&key, attempt).await,
                    _ => Ok(attempt.await),
                };
                match answer {
                    Ok(Answer::Reply(reply)) if reply.success => Ok(reply),
                    other => Err(other),
                }
            })
            .await;
        match outcome {
            Ok(reply) => Ok(Answer::Reply(reply)),
            Err(failed) => Arc::unwrap_or_clone(failed),
        }
    }
}

impl Shared {
    /// Runs `attempt` unless another replica ran or runs it; records a success for the
    /// others. Not run when the claim cannot be made or another replica's never ends.
    async fn once<F>(&self, key: &str, attempt: F) -> Result<Answer, NotRun>
    where
        F: Future<Output = Answer>,
    {
        let token = format!("{PENDING}{}", hex::encode(rand::random::<[u8; 12]>()));
        // A claim lapses after `self.claim`, so a waiter wins one by then at the latest; the
        // extra time covers a Redis that answers claims but not reads.
        let deadline = Instant::now() + self.claim.saturating_mul(2);
        loop {
            match self.claim(key, &token).await {
                Ok(Claim::Won) => break,
                Ok(Claim::Done(reply)) => return Ok(Answer::Reply(reply)),
                Ok(Claim::Pending) if Instant::now() < deadline => tokio::time::sleep(POLL).await,
                Ok(Claim::Pending) => {
                    tracing::warn!("a mutating call's claim never ended: not run");
                    return Err(NotRun::Stuck);
                }
                Err(err) => {
                    tracing::warn!(error = %err, "a mutating call cannot be claimed: not run");
                    return Err(NotRun::Unwritable(err.to_string()));
                }
            }
        }
        let answer = attempt.await;
        let outcome = if let Answer::Reply(reply @ ToolReply { success: true, .. }) = &answer {
            let recorded = Recorded {
                message: reply.message.clone(),
                data: reply.data.clone(),
            };
            match serde_json::to_vec(&recorded) {
                Ok(json) => self
                    .command::<Option<String>>(
                        redis::cmd("EVAL")
                            .arg(RECORD)
                            .arg(1)
                            .arg(key)
                            .arg(&token)
                            .arg(json)
                            .arg(millis(RETENTION)),
                    )
                    .await
                    .map(drop),
                Err(err) => Err(CacheError::Encoding(err.to_string())),
            }
        } else {
            // Let a retry (here or elsewhere) try again at once.
            self.command::<u64>(redis::cmd("EVAL").arg(RELEASE).arg(1).arg(key).arg(&token))
                .await
                .map(drop)
        };
        if let Err(err) = outcome {
            tracing::error!(error = %err, "cannot record the outcome of a mutating call; holding its claim");
            // A claim that lapsed now would let a retry on another replica run the call a
            // second time; held for the retention instead, such a retry is not run (`Stuck`).
            // A plain PEXPIRE: it is allowed when Redis is out of memory, where a script is
            // not, and only ever lengthens a pending claim, which errs on the safe side.
            if let Err(err) = self
                .command::<u64>(redis::cmd("PEXPIRE").arg(key).arg(millis(RETENTION)))
                .await
            {
                tracing::error!(error = %err, "cannot hold the claim of a mutating call");
            }
        }
        Ok(answer)
    }

    /// Claims the call for this replica, or finds out who did and how far they got.
    ///
    /// A failed `SET NX` is an error (the caller runs the call alone); a failed read after a
    /// lost claim is [`Claim::Pending`]: someone holds the claim, so running now could book
    /// twice.
    async fn claim(&self, key: &str, token: &str) -> Result<Claim, CacheError> {
        let won: Option<String> = self
            .command(
                redis::cmd("SET")
                    .arg(key)
                    .arg(token)
                    .arg("NX")
                    .arg("PX")
                    .arg(millis(self.claim)),
            )
            .await?;
        if won.is_some() {
            return Ok(Claim::Won);
        }
        let Ok(value) = self
            .command::<Option<Vec<u8>>>(redis::cmd("GET").arg(key))
            .await
        else {
            return Ok(Claim::Pending);
        };
        Ok(match value {
            // Released (the other attempt failed) or lapsed between the two commands: the
            // next round claims it.
            None => Claim::Pending,
            Some(value) if value.starts_with(PENDING.as_bytes()) => Claim::Pending,
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

    async fn command<T: redis::FromRedisValue>(
        &self,
        command: &redis::Cmd,
    ) -> Result<T, CacheError> {
        self.redis.query_within(command, COMMAND_TIMEOUT).await
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::tool::ReplyCode;

    fn booked(n: usize) -> Answer {
        Answer::Reply(ToolReply::success(format!("booked {n}"), Value::Null))
    }

    #[tokio::test]
    async fn a_tenant_booking_without_end_evicts_none_of_anothers_replies() -> Result<(), NotRun> {
        let ledger = Ledger {
            per_tenant: 50,
            ..Ledger::default()
        };
        let runs = AtomicUsize::new(0);
        // Counted when the attempt runs, not when it is made.
        let run = |n| {
            let runs = &runs;
            async move {
                runs.fetch_add(1, Ordering::SeqCst);
                booked(n)
            }
        };
        ledger.once("quiet", "k-quiet".into(), run(0)).await?;
        for n in 0..1_000 {
            ledger.once("busy", format!("k-{n}"), run(n)).await?;
        }
        let caches: Vec<Cache<String, ToolReply>> = ledger
            .tenants
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect();
        for cache in caches {
            cache.run_pending_tasks().await;
        }
        let before = runs.load(Ordering::SeqCst);
        let Answer::Reply(retried) = ledger.once("quiet", "k-quiet".into(), run(1)).await? else {
            panic!("a reply");
        };
        assert_eq!(retried.message, "booked 0", "the first reply, kept");
        assert_eq!(runs.load(Ordering::SeqCst), before, "not run again");
        let busy = ledger.replies("busy");
        assert!(busy.entry_count() <= 50, "{}", busy.entry_count());
        Ok(())
    }

    #[tokio::test]
    async fn a_failed_attempt_is_not_kept() -> Result<(), NotRun> {
        let ledger = Ledger::default();
        let failed = || async {
            Answer::Reply(ToolReply::failure(
                "später".into(),
                ReplyCode::UpstreamUnavailable,
                String::new(),
            ))
        };
        ledger.once("t", "k".into(), failed()).await?;
        let Answer::Reply(again) = ledger.once("t", "k".into(), async { booked(2) }).await? else {
            panic!("a reply");
        };
        assert_eq!(again.message, "booked 2");
        Ok(())
    }

    #[tokio::test]
    async fn a_call_that_cannot_be_claimed_is_not_run() -> Result<(), Box<dyn std::error::Error>> {
        // Nothing listens there: every claim fails as with a Redis that is gone.
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let redis = RedisBackend::new(&crate::config::CacheConfig {
            backend: crate::config::CacheBackendKind::Redis,
            url: Some(crate::config::Secret::new(format!(
                "redis://127.0.0.1:{port}/"
            ))),
            ..crate::config::CacheConfig::default()
        })?;
        let ledger = Ledger::shared(Arc::new(redis), Duration::from_secs(5));
        let runs = AtomicUsize::new(0);
        let attempt = async {
            runs.fetch_add(1, Ordering::SeqCst);
            booked(1)
        };
        let outcome = ledger.once("t", "k".into(), attempt).await;
        assert!(
            matches!(outcome, Err(NotRun::Unwritable(_))),
            "{:?}",
            outcome.err()
        );
        assert_eq!(
            runs.load(Ordering::SeqCst),
            0,
            "the booking was not attempted"
        );
        Ok(())
    }
}
