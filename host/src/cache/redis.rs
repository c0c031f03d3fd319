//! The Redis cache backend: every replica reads and invalidates the same entries.
//!
//! Keys are `<prefix>:t:<tenant>:v:<key>` for values and `<prefix>:t:<tenant>:n:<key>` for
//! counters. Tenant ids are `[a-z0-9-]`, so no tenant's namespace is a prefix of another's and a
//! plugin (which only chooses `<key>`) cannot reach outside its own. Values expire by Redis
//! (`SET ... PX <ttl>`); counters have no expiry, as in memory, and `INCRBY` keeps them exact
//! across replicas.
//!
//! The client is `redis`' [`ConnectionManager`]: one multiplexed connection per replica that
//! pipelines every tenant's commands and reconnects by itself. A pool of connections would add
//! nothing on a multiplexed protocol but a round trip to check each connection out.
//!
//! Redis is a cache here, never the truth: when it fails, a call must not wait for it. Every
//! command is bounded by `cache.timeout_ms`, and after a failure the backend is skipped for
//! `cache.retry_after_ms` (reads miss, writes are dropped), so a replica whose Redis is gone
//! answers from upstream at upstream speed instead of paying a timeout per cache access.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::CacheError;
use crate::config::CacheConfig;

/// Keys a `list-keys` (or one round of a clear) walks at most: a plugin's working set is far
/// smaller.
const MAX_SCANNED_KEYS: usize = 100_000;

/// The replica's connection to Redis, shared by every tenant.
pub struct RedisBackend {
    connection: ConnectionManager,
    prefix: String,
    timeout: Duration,
    gate: Gate,
}

impl RedisBackend {
    /// Prepares the client without connecting: a replica starts (and serves from upstream)
    /// while Redis is still coming up.
    pub fn new(config: &CacheConfig) -> Result<Self, CacheError> {
        let url = config.url.as_ref().ok_or(CacheError::Config(
            "cache.backend = \"redis\" needs cache.url",
        ))?;
        let client = redis::Client::open(url.expose())?;
        let timeout = Duration::from_millis(config.timeout_ms.max(1));
        let settings = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            // The gate below decides when to try again; the manager should not queue commands
            // behind its own reconnection back-off.
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(10))
            .set_max_delay(Duration::from_millis(100));
        let connection = ConnectionManager::new_lazy_with_config(client, settings)?;
        Ok(Self {
            connection,
            prefix: config.prefix.clone(),
            timeout,
            gate: Gate::new(Duration::from_millis(config.retry_after_ms)),
        })
    }

    /// Whether the last command succeeded (for `/metrics` and health).
    pub fn is_up(&self) -> bool {
        self.gate.is_up()
    }

    /// Asks Redis whether it answers now (`/readyz`), whatever the gate says; a success opens
    /// the gate again.
    pub async fn ping(&self) -> Result<(), CacheError> {
        let pong: String = self.query_within(&redis::cmd("PING"), self.timeout).await?;
        if pong == "PONG" {
            Ok(())
        } else {
            Err(CacheError::Unavailable)
        }
    }

    /// The namespace of `tenant`'s keys.
    fn namespace(&self, tenant: &str) -> String {
        format!("{}:t:{tenant}:", self.prefix)
    }

    /// A key outside every tenant's namespace, for the host's own shared state.
    pub fn host_key(&self, name: &str) -> String {
        format!("{}:host:{name}", self.prefix)
    }

    /// Runs one command, bounded in time and skipped while Redis is known to be down.
    pub async fn query<T: redis::FromRedisValue>(
        &self,
        command: &redis::Cmd,
    ) -> Result<T, CacheError> {
        if !self.gate.admit() {
            return Err(CacheError::Unavailable);
        }
        self.query_within(command, self.timeout).await
    }

    /// Runs one command bounded by `timeout`, whatever the gate says: for the host's own
    /// state, which must ask Redis rather than assume (a booking's idempotency claim).
    pub async fn query_within<T: redis::FromRedisValue>(
        &self,
        command: &redis::Cmd,
        timeout: Duration,
    ) -> Result<T, CacheError> {
        let mut connection = self.connection.clone();
        let outcome = tokio::time::timeout(timeout, command.query_async(&mut connection))
            .await
            .map_err(|_| CacheError::Timeout(timeout))
            .and_then(|result| result.map_err(CacheError::from));
        match &outcome {
            Ok(_) => self.gate.succeeded(),
            // Only an unreachable Redis closes the gate: an error Redis answered (a counter
            // overflow a plugin provoked) says nothing about Redis' health, and must not let
            // one tenant switch the shared cache off for everyone.
            Err(err) if err.is_unreachable() => self.gate.failed(err),
            Err(_) => {}
        }
        outcome
    }
}

/// One tenant's view of the shared Redis.
pub struct RedisCache {
    backend: Arc<RedisBackend>,
    values: String,
    counters: String,
    namespace: String,
    ttl: Duration,
}

impl RedisCache {
    /// The namespace of `tenant` on `backend`, whose values expire after `ttl`.
    pub fn new(backend: Arc<RedisBackend>, tenant: &str, ttl: Duration) -> Self {
        let namespace = backend.namespace(tenant);
        Self {
            values: format!("{namespace}v:"),
            counters: format!("{namespace}n:"),
            namespace,
            backend,
            ttl,
        }
    }

    /// The value of `key`, if present.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        self.backend
            .query(redis::cmd("GET").arg(format!("{}{key}", self.values)))
            .await
    }

    /// Stores `value` under `key` with the namespace's TTL (`SET ... PX`).
    pub async fn set(&self, key: &str, value: &[u8]) -> Result<(), CacheError> {
        let ttl_ms = u64::try_from(self.ttl.as_millis()).unwrap_or(u64::MAX);
        if ttl_ms == 0 {
            // Expired on arrival, as in memory; Redis refuses `PX 0`.
            return Ok(());
        }
        self.backend
            .query(
                redis::cmd("SET")
                    .arg(format!("{}{key}", self.values))
                    .arg(value)
                    .arg("PX")
                    .arg(ttl_ms),
            )
            .await
    }

    /// Removes `key` and its counter.
    pub async fn delete(&self, key: &str) -> Result<(), CacheError> {
        self.backend
            .query::<u64>(
                redis::cmd("DEL")
                    .arg(format!("{}{key}", self.values))
                    .arg(format!("{}{key}", self.counters)),
            )
            .await
            .map(drop)
    }

    /// Whether `key` holds a value or a counter.
    pub async fn exists(&self, key: &str) -> Result<bool, CacheError> {
        let found: u64 = self
            .backend
            .query(
                redis::cmd("EXISTS")
                    .arg(format!("{}{key}", self.values))
                    .arg(format!("{}{key}", self.counters)),
            )
            .await?;
        Ok(found > 0)
    }

    /// Adds `delta` to the counter `key` (`INCRBY`), exact across replicas.
    pub async fn increment(&self, key: &str, delta: u64) -> Result<u64, CacheError> {
        let delta = i64::try_from(delta)
            .map_err(|_| CacheError::OutOfRange("a counter delta above 2^63 - 1"))?;
        let value: i64 = self
            .backend
            .query(
                redis::cmd("INCRBY")
                    .arg(format!("{}{key}", self.counters))
                    .arg(delta),
            )
            .await?;
        // Counters only ever grow from zero, so a negative value is someone else's key.
        u64::try_from(value).map_err(|_| CacheError::OutOfRange("a counter below zero"))
    }

    /// The tenant's keys, values and counters, without their namespace, each once.
    pub async fn keys(&self) -> Result<Vec<String>, CacheError> {
        let mut keys: Vec<String> = self
            .scan(MAX_SCANNED_KEYS)
            .await?
            .into_iter()
            .filter_map(|full| {
                let rest = full.strip_prefix(&self.namespace)?;
                rest.strip_prefix("v:")
                    .or_else(|| rest.strip_prefix("n:"))
                    .map(str::to_owned)
            })
            .collect();
        // `SCAN` may return a key twice.
        keys.sort_unstable();
        keys.dedup();
        Ok(keys)
    }

    /// Drops every key of the tenant, however many.
    pub async fn clear(&self) -> Result<(), CacheError> {
        loop {
            let keys = self.scan(MAX_SCANNED_KEYS).await?;
            if keys.is_empty() {
                return Ok(());
            }
            for batch in keys.chunks(500) {
                self.backend
                    .query::<u64>(redis::cmd("UNLINK").arg(batch))
                    .await?;
            }
        }
    }

    /// Keys in the tenant's namespace, up to about `limit` (`SCAN`, so Redis is never blocked
    /// by a `KEYS`).
    async fn scan(&self, limit: usize) -> Result<Vec<String>, CacheError> {
        let pattern = format!("{}*", glob_escape(&self.namespace));
        let mut keys = Vec::new();
        let mut cursor: u64 = 0;
        loop {
            let (next, page): (u64, Vec<String>) = self
                .backend
                .query(
                    redis::cmd("SCAN")
                        .arg(cursor)
                        .arg("MATCH")
                        .arg(&pattern)
                        .arg("COUNT")
                        .arg(1000),
                )
                .await?;
            keys.extend(page);
            if next == 0 || keys.len() >= limit {
                return Ok(keys);
            }
            cursor = next;
        }
    }
}

/// `text` as a `SCAN MATCH` pattern that matches only itself.
fn glob_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Skips Redis for a while after it failed, so a dead Redis costs one timeout per
/// `retry_after`, not one per cache access.
struct Gate {
    origin: Instant,
    /// Milliseconds since `origin` before which commands are not sent.
    closed_until_ms: AtomicU64,
    retry_after: Duration,
    up: AtomicBool,
}

impl Gate {
    fn new(retry_after: Duration) -> Self {
        Self {
            origin: Instant::now(),
            closed_until_ms: AtomicU64::new(0),
            retry_after,
            up: AtomicBool::new(true),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Whether a command may go to Redis now. Once the wait after a failure is over, one
    /// command goes as a probe and the others keep skipping Redis until it succeeded, so a
    /// still-dead Redis costs one timeout per period, not one per call in flight.
    fn admit(&self) -> bool {
        let now = self.now_ms();
        let until = self.closed_until_ms.load(Ordering::Relaxed);
        if now < until {
            return false;
        }
        if self.is_up() {
            return true;
        }
        let retry_ms = u64::try_from(self.retry_after.as_millis()).unwrap_or(u64::MAX);
        self.closed_until_ms
            .compare_exchange(
                until,
                now.saturating_add(retry_ms),
                Ordering::Relaxed,
                Ordering::Relaxed,
            )
            .is_ok()
    }

    fn is_up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    fn succeeded(&self) {
        if !self.up.swap(true, Ordering::Relaxed) {
            self.closed_until_ms.store(0, Ordering::Relaxed);
            tracing::info!("redis reachable again: cache shared again");
        }
    }

    fn failed(&self, err: &CacheError) {
        let retry_ms = u64::try_from(self.retry_after.as_millis()).unwrap_or(u64::MAX);
        self.closed_until_ms
            .store(self.now_ms().saturating_add(retry_ms), Ordering::Relaxed);
        metrics::counter!("slotline_cache_backend_errors_total").increment(1);
        if self.up.swap(false, Ordering::Relaxed) {
            tracing::warn!(error = %err, retry_after_ms = retry_ms, "redis failed: calls go upstream until it is back");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_only_the_literal_namespace() {
        assert_eq!(glob_escape("slotline:t:a-1:"), "slotline:t:a-1:");
        assert_eq!(glob_escape("x*?[]\\"), "x\\*\\?\\[\\]\\\\");
    }

    #[test]
    fn after_a_failure_the_gate_stays_closed_for_the_retry_period() {
        let gate = Gate::new(Duration::from_secs(3600));
        assert!(gate.admit() && gate.is_up());
        gate.failed(&CacheError::Unavailable);
        assert!(!gate.admit());
        assert!(!gate.is_up());
        gate.succeeded();
        assert!(gate.is_up() && gate.admit(), "open again after a success");
    }

    #[test]
    fn after_the_wait_one_probe_goes_and_the_others_wait_for_it() {
        let gate = Gate::new(Duration::ZERO);
        gate.failed(&CacheError::Unavailable);
        // A zero wait is over at once, but only for one command while Redis is still down...
        let gate = Gate {
            retry_after: Duration::from_secs(3600),
            ..gate
        };
        assert!(gate.admit(), "the probe");
        assert!(
            !gate.admit(),
            "the others skip Redis while the probe is out"
        );
        // ...and for everyone once the probe succeeded.
        gate.succeeded();
        assert!(gate.admit() && gate.admit());
    }
}
