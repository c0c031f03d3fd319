//! The Redis cache backend: every replica reads and invalidates the same entries.
//!
//! Keys are `<prefix>:t:<tenant>:v:<key>` for values; counters are fields of the hash
//! `<prefix>:t:<tenant>:c`, and the tenant's quota tallies live beside them. Tenant ids are
//! `[a-z0-9-]`, so no tenant's namespace is a prefix of another's and a plugin (which only
//! chooses `<key>`) cannot reach outside its own. Values expire by Redis (`SET ... PX <ttl>`),
//! counters a day after their last use, and `HINCRBY` keeps them exact across replicas; every
//! write counts against the tenant's quota in one script, so replicas enforce it together
//! (see [`RedisCache`]).
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
use super::pages::{Cursor, PAGE, Phase};
use crate::config::CacheConfig;
use crate::limits::Limit;

/// Keys one round of a clear walks at most.
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

    /// Runs one command bounded by `timeout`, whatever any gate says: for the host's own
    /// state, which must ask Redis rather than assume (a booking's idempotency claim), and
    /// under each tenant's own gate for its cache.
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

/// Bytes one tenant's values written within two of its TTLs may weigh: what can be alive at
/// once, since a value lives one TTL. The same cap as the in-memory backend's.
const MAX_VALUE_BYTES: u64 = super::DEFAULT_TENANT_CAPACITY_BYTES;

/// Values one tenant may write within two of its TTLs.
const MAX_VALUE_KEYS: u64 = 65_536;

/// Bytes one tenant's counters may weigh, keys included, as in memory.
const MAX_COUNTER_BYTES: u64 = 1024 * 1024;

/// What an entry costs Redis beyond its key's and value's bytes (its dict entry, object header
/// and expiry), so that a million empty entries do not fit a cap meant for kilobytes.
const ENTRY_OVERHEAD: u64 = 96;

/// The least time a counter lives after its last increment. Far longer than any value's TTL,
/// so that a counter restarting at zero cannot make values keyed by an old generation visible
/// again (those expired long before); finite, so Redis can evict and forget a tenant's counters.
const COUNTER_IDLE_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// Stores a value if the tenant's writes of this and the previous window leave room for it.
/// KEYS: the value, this window's tally, the previous window's. ARGV: the value, its TTL in
/// ms, its weight, the byte cap, the key cap. Returns 0 (stored), 1 (bytes) or 2 (keys).
const SET_WITHIN_QUOTA: &str = "\
    local function used(key, field) return tonumber(redis.call('HGET', key, field) or '0') end \
    local weight = tonumber(ARGV[3]) \
    if used(KEYS[2], 'b') + used(KEYS[3], 'b') + weight > tonumber(ARGV[4]) then return 1 end \
    if used(KEYS[2], 'k') + used(KEYS[3], 'k') + 1 > tonumber(ARGV[5]) then return 2 end \
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) \
    redis.call('HINCRBY', KEYS[2], 'b', weight) \
    redis.call('HINCRBY', KEYS[2], 'k', 1) \
    redis.call('PEXPIRE', KEYS[2], 2 * tonumber(ARGV[2]) + 1000) \
    return 0";

/// Adds to a counter (a field of the tenant's counters hash) if a new one fits the byte cap.
/// KEYS: the counters hash, its byte tally. ARGV: the counter, the delta, its weight, the
/// byte cap, the idle TTL in ms. Returns the new value as text (exact: Lua's numbers are
/// doubles), or false when a new counter does not fit.
const INCREMENT_WITHIN_QUOTA: &str = "\
    if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then \
        local used = tonumber(redis.call('GET', KEYS[2]) or '0') \
        if used + tonumber(ARGV[3]) > tonumber(ARGV[4]) then return false end \
        redis.call('INCRBY', KEYS[2], ARGV[3]) \
    end \
    redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2]) \
    redis.call('PEXPIRE', KEYS[1], ARGV[5]) \
    redis.call('PEXPIRE', KEYS[2], ARGV[5]) \
    return redis.call('HGET', KEYS[1], ARGV[1])";

/// Drops a value and a counter, giving the counter's weight back.
/// KEYS: the value, the counters hash, its byte tally. ARGV: the counter, its weight.
const DELETE: &str = "\
    redis.call('DEL', KEYS[1]) \
    if redis.call('HDEL', KEYS[2], ARGV[1]) == 1 then redis.call('DECRBY', KEYS[3], ARGV[2]) end \
    return 0";

/// Whether a value or a counter is there. KEYS: the value, the counters hash. ARGV: the counter.
const EXISTS: &str =
    "return redis.call('EXISTS', KEYS[1]) + redis.call('HEXISTS', KEYS[2], ARGV[1])";

/// One tenant's view of the shared Redis.
///
/// Values are keys of their own with the tenant's TTL. Their quota counts what the tenant
/// wrote in the current and the previous window of one TTL each (a tally per window, expiring
/// with it): everything still alive was written then, so the tally bounds the tenant's live
/// bytes and keys from above, overwrites and deletes included, without Redis reporting each
/// expiry. Counters are fields of one hash per tenant, weighed exactly (key, 8 bytes and the
/// overhead) and expiring a day after the tenant's last increment. Writes past a quota are
/// refused ([`CacheError::Quota`]); the plugin sees a failed write and goes on.
///
/// Each tenant has its own gate: one tenant's slow or huge commands that time out skip Redis
/// for that tenant only, never for its neighbours.
pub struct RedisCache {
    backend: Arc<RedisBackend>,
    values: String,
    counters: String,
    counter_bytes: String,
    tallies: String,
    namespace: String,
    ttl: Duration,
    gate: Gate,
}

impl RedisCache {
    /// The namespace of `tenant` on `backend`, whose values expire after `ttl`.
    pub fn new(backend: Arc<RedisBackend>, tenant: &str, ttl: Duration) -> Self {
        let namespace = backend.namespace(tenant);
        Self {
            values: format!("{namespace}v:"),
            counters: format!("{namespace}c"),
            counter_bytes: format!("{namespace}cb"),
            tallies: format!("{namespace}q:"),
            gate: Gate::quiet(backend.gate.retry_after),
            namespace,
            backend,
            ttl,
        }
    }

    /// Runs one of the tenant's commands, bounded in time and skipped while this tenant's
    /// commands fail to reach Redis.
    async fn query<T: redis::FromRedisValue>(&self, command: &redis::Cmd) -> Result<T, CacheError> {
        if !self.gate.admit() {
            return Err(CacheError::Unavailable);
        }
        let outcome = self
            .backend
            .query_within(command, self.backend.timeout)
            .await;
        match &outcome {
            Ok(_) => self.gate.succeeded(),
            Err(err) if err.is_unreachable() => self.gate.failed(err),
            Err(_) => {}
        }
        outcome
    }

    /// The value of `key`, if present.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        self.query(redis::cmd("GET").arg(format!("{}{key}", self.values)))
            .await
    }

    /// Stores `value` under `key` with the namespace's TTL, within the tenant's quota.
    pub async fn set(&self, key: &str, value: &[u8]) -> Result<(), CacheError> {
        let ttl_ms = millis(self.ttl);
        if ttl_ms == 0 {
            // Expired on arrival, as in memory; Redis refuses `PX 0`.
            return Ok(());
        }
        let window = now_ms() / ttl_ms;
        let weight = weight(key.len(), value.len());
        let refused: u8 = self
            .query(
                redis::cmd("EVAL")
                    .arg(SET_WITHIN_QUOTA)
                    .arg(3)
                    .arg(format!("{}{key}", self.values))
                    .arg(format!("{}{window}", self.tallies))
                    .arg(format!("{}{}", self.tallies, window.saturating_sub(1)))
                    .arg(value)
                    .arg(ttl_ms)
                    .arg(weight)
                    .arg(MAX_VALUE_BYTES)
                    .arg(MAX_VALUE_KEYS),
            )
            .await?;
        match refused {
            0 => Ok(()),
            1 => Err(CacheError::Quota(Limit::CacheBytes)),
            _ => Err(CacheError::Quota(Limit::CacheKeys)),
        }
    }

    /// Removes `key` and its counter.
    pub async fn delete(&self, key: &str) -> Result<(), CacheError> {
        self.query::<u64>(
            redis::cmd("EVAL")
                .arg(DELETE)
                .arg(3)
                .arg(format!("{}{key}", self.values))
                .arg(&self.counters)
                .arg(&self.counter_bytes)
                .arg(key)
                .arg(weight(key.len(), COUNTER_BYTES)),
        )
        .await
        .map(drop)
    }

    /// Whether `key` holds a value or a counter.
    pub async fn exists(&self, key: &str) -> Result<bool, CacheError> {
        let found: u64 = self
            .query(
                redis::cmd("EVAL")
                    .arg(EXISTS)
                    .arg(2)
                    .arg(format!("{}{key}", self.values))
                    .arg(&self.counters)
                    .arg(key),
            )
            .await?;
        Ok(found > 0)
    }

    /// Adds `delta` to the counter `key` (`HINCRBY`), exact across replicas.
    pub async fn increment(&self, key: &str, delta: u64) -> Result<u64, CacheError> {
        let delta = i64::try_from(delta)
            .map_err(|_| CacheError::OutOfRange("a counter delta above 2^63 - 1"))?;
        let value: Option<String> = self
            .query(
                redis::cmd("EVAL")
                    .arg(INCREMENT_WITHIN_QUOTA)
                    .arg(2)
                    .arg(&self.counters)
                    .arg(&self.counter_bytes)
                    .arg(key)
                    .arg(delta)
                    .arg(weight(key.len(), COUNTER_BYTES))
                    .arg(MAX_COUNTER_BYTES)
                    .arg(millis(COUNTER_IDLE_TTL.max(self.ttl.saturating_mul(2)))),
            )
            .await?;
        let value = value.ok_or(CacheError::Quota(Limit::CacheBytes))?;
        // Counters only ever grow from zero, so anything else is someone else's key.
        value
            .parse::<u64>()
            .map_err(|_| CacheError::OutOfRange("a counter below zero"))
    }

    /// One page of the tenant's keys (values, then counters), without their namespace, from
    /// `cursor` on, and the next page's cursor (`None` after the last); `None` for a cursor
    /// this host never gave. One `SCAN` or `HSCAN` round trip per page, so Redis is never
    /// blocked and the host call is bounded whatever the tenant keeps. A key may be listed
    /// twice (Redis' `SCAN` promises only that every key present throughout is listed).
    pub async fn keys_page(
        &self,
        cursor: Option<u64>,
    ) -> Result<Option<(Vec<String>, Option<u64>)>, CacheError> {
        let Some(cursor) = Cursor::decode(cursor) else {
            return Ok(None);
        };
        let count = u64::try_from(PAGE).unwrap_or(u64::MAX);
        let (next, keys) = match cursor.phase {
            Phase::Values => {
                let (next, full): (u64, Vec<String>) = self
                    .query(
                        redis::cmd("SCAN")
                            .arg(cursor.position)
                            .arg("MATCH")
                            .arg(format!("{}*", glob_escape(&self.values)))
                            .arg("COUNT")
                            .arg(count),
                    )
                    .await?;
                let keys = full
                    .into_iter()
                    .filter_map(|full| full.strip_prefix(&self.values).map(str::to_owned))
                    .collect();
                let next = match next {
                    0 => Some(Cursor::COUNTERS_START),
                    position => Some(Cursor {
                        phase: Phase::Values,
                        position,
                    }),
                };
                (next, keys)
            }
            Phase::Counters => {
                let (next, pairs): (u64, Vec<String>) = self
                    .query(
                        redis::cmd("HSCAN")
                            .arg(&self.counters)
                            .arg(cursor.position)
                            .arg("COUNT")
                            .arg(count),
                    )
                    .await?;
                // Field, value, field, value...
                let keys = pairs.into_iter().step_by(2).collect();
                let next = (next != 0).then_some(Cursor {
                    phase: Phase::Counters,
                    position: next,
                });
                (next, keys)
            }
        };
        let next = match next {
            Some(next) => Some(
                next.encode()
                    .ok_or(CacheError::OutOfRange("a Redis cursor past 2^62"))?,
            ),
            None => None,
        };
        Ok(Some((keys, next)))
    }

    /// Drops every key of the tenant, however many, with its tallies.
    pub async fn clear(&self) -> Result<(), CacheError> {
        let pattern = format!("{}*", glob_escape(&self.namespace));
        loop {
            let keys = self.scan(&pattern, MAX_SCANNED_KEYS).await?;
            if keys.is_empty() {
                return Ok(());
            }
            for batch in keys.chunks(500) {
                self.query::<u64>(redis::cmd("UNLINK").arg(batch)).await?;
            }
        }
    }

    /// Keys matching `pattern`, up to about `limit` (`SCAN`, so Redis is never blocked by a
    /// `KEYS`).
    async fn scan(&self, pattern: &str, limit: usize) -> Result<Vec<String>, CacheError> {
        let mut keys = Vec::new();
        let mut cursor: u64 = 0;
        loop {
            let (next, page): (u64, Vec<String>) = self
                .query(
                    redis::cmd("SCAN")
                        .arg(cursor)
                        .arg("MATCH")
                        .arg(pattern)
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

/// The bytes a counter's value is weighed at.
const COUNTER_BYTES: usize = std::mem::size_of::<u64>();

/// The weight of an entry of `key_len` and `value_len` bytes.
fn weight(key_len: usize, value_len: usize) -> u64 {
    u64::try_from(key_len.saturating_add(value_len))
        .unwrap_or(u64::MAX)
        .saturating_add(ENTRY_OVERHEAD)
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Milliseconds since the Unix epoch: the quota windows must be the same on every replica.
fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, millis)
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
    /// Whether this gate logs and counts failures: the replica's does, a tenant's does not
    /// (the same failure reaches the replica's gate too).
    reports: bool,
}

impl Gate {
    fn new(retry_after: Duration) -> Self {
        Self {
            origin: Instant::now(),
            closed_until_ms: AtomicU64::new(0),
            retry_after,
            up: AtomicBool::new(true),
            reports: true,
        }
    }

    /// A gate that neither logs nor counts its failures.
    fn quiet(retry_after: Duration) -> Self {
        Self {
            reports: false,
            ..Self::new(retry_after)
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
            if !self.reports {
                return;
            }
            tracing::info!("redis reachable again: cache shared again");
        }
    }

    fn failed(&self, err: &CacheError) {
        let retry_ms = u64::try_from(self.retry_after.as_millis()).unwrap_or(u64::MAX);
        self.closed_until_ms
            .store(self.now_ms().saturating_add(retry_ms), Ordering::Relaxed);
        if !self.reports {
            self.up.store(false, Ordering::Relaxed);
            return;
        }
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
