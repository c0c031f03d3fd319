//! The tenant-isolated cache behind the plugins' `wasi:keyvalue`.
//!
//! Two backends (`cache.backend`): `memory`, a bounded cache per tenant inside the process
//! (one replica), and `redis`, shared by every replica so that what one replica learned from
//! the calendar serves the others and a booking on one invalidates for all. Either way the
//! cache belongs to the tenant, not to a plugin version, so it survives hot swaps; and either
//! way a plugin only chooses keys inside its tenant's namespace.

mod memory;
mod pages;
mod redis;

pub use memory::{DEFAULT_TENANT_CAPACITY_BYTES, MemoryCache};
pub use pages::PAGE as KEYS_PAGE;
pub use redis::{RedisBackend, RedisCache};

use std::sync::Arc;
use std::time::Duration;

use crate::config::{CacheBackendKind, CacheConfig};

/// Why a cache operation did not happen. Plugins see it as `wasi:keyvalue`'s `other` error
/// and treat it as a miss; the call goes on upstream.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// Redis answered with an error, or the connection failed.
    #[error("redis: {0}")]
    Redis(#[from] ::redis::RedisError),
    /// Redis did not answer within the command budget.
    #[error("redis did not answer within {0:?}")]
    Timeout(Duration),
    /// Redis failed recently; it is not asked again before `cache.retry_after_ms`.
    #[error("the shared cache is unavailable; retrying shortly")]
    Unavailable,
    /// The configuration cannot work (e.g. Redis without a URL).
    #[error("cache: {0}")]
    Config(&'static str),
    /// A value Redis cannot hold, or one it holds that the host never writes.
    #[error("cache: {0}")]
    OutOfRange(&'static str),
    /// The write would take the tenant past one of its cache quotas.
    #[error("cache: the tenant's {} quota is used up", .0.label())]
    Quota(crate::limits::Limit),
    /// A `list-keys` cursor this cache never gave.
    #[error("cache: not a cursor of list-keys")]
    Cursor,
    /// A stored value could not be encoded or decoded.
    #[error("cache: a stored value is not what the host writes: {0}")]
    Encoding(String),
}

impl CacheError {
    /// Whether Redis could not be reached or did not answer in time (as opposed to answering
    /// with an error, or being skipped after an earlier failure).
    pub fn is_unreachable(&self) -> bool {
        match self {
            Self::Redis(err) => {
                err.is_io_error()
                    || err.is_timeout()
                    || err.is_connection_dropped()
                    || err.is_connection_refusal()
            }
            Self::Timeout(_) => true,
            Self::Unavailable
            | Self::Config(_)
            | Self::OutOfRange(_)
            | Self::Quota(_)
            | Self::Cursor
            | Self::Encoding(_) => false,
        }
    }
}

/// Where tenants' caches live; makes each tenant's cache.
#[derive(Clone)]
pub enum Caches {
    /// In this process only (moka).
    Memory,
    /// In Redis, shared by every replica.
    Redis(Arc<RedisBackend>),
}

impl Caches {
    /// The backend `[cache]` names; Redis connects lazily, so this does not wait for it.
    pub fn from_config(config: &CacheConfig) -> Result<Self, CacheError> {
        Ok(match config.backend {
            CacheBackendKind::Memory => Self::Memory,
            CacheBackendKind::Redis => Self::Redis(Arc::new(RedisBackend::new(config)?)),
        })
    }

    /// The cache of `tenant`, whose values live for `ttl`.
    pub fn tenant(&self, tenant: &str, ttl: Duration) -> TenantCache {
        let backend = match self {
            Self::Memory => {
                Backend::Memory(MemoryCache::new(tenant, ttl, DEFAULT_TENANT_CAPACITY_BYTES))
            }
            Self::Redis(redis) => Backend::Redis(RedisCache::new(Arc::clone(redis), tenant, ttl)),
        };
        TenantCache {
            tenant: tenant.to_owned(),
            backend,
        }
    }

    /// Whether the shared backend answered its last command (always true in memory).
    pub fn is_up(&self) -> bool {
        match self {
            Self::Memory => true,
            Self::Redis(redis) => redis.is_up(),
        }
    }
}

/// One tenant's cache: values with the tenant's TTL, and counters for `wasi:keyvalue/atomics`.
pub struct TenantCache {
    /// The tenant's id, as a metrics label.
    tenant: String,
    backend: Backend,
}

enum Backend {
    Memory(MemoryCache),
    Redis(RedisCache),
}

impl TenantCache {
    /// A cache in this process only (tests, benches, native built-ins).
    pub fn in_memory(tenant: &str, ttl: Duration) -> Self {
        Caches::Memory.tenant(tenant, ttl)
    }

    /// The in-process cache, when that is the backend: read synchronously by native code.
    pub fn local(&self) -> Option<&MemoryCache> {
        match &self.backend {
            Backend::Memory(memory) => Some(memory),
            Backend::Redis(_) => None,
        }
    }

    /// The value of `key`, if present and not expired.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let value = match &self.backend {
            Backend::Memory(memory) => Ok(memory.get(key).map(|value| value.to_vec())),
            Backend::Redis(redis) => redis.get(key).await,
        };
        let result = match &value {
            Ok(Some(_)) => "hit",
            Ok(None) => "miss",
            Err(_) => "error",
        };
        metrics::counter!("slotline_cache_requests_total", "tenant" => self.tenant.clone(), "result" => result)
            .increment(1);
        value
    }

    /// Stores `value` under `key` for the tenant's TTL.
    pub async fn set(&self, key: String, value: Vec<u8>) -> Result<(), CacheError> {
        match &self.backend {
            Backend::Memory(memory) => {
                memory.set(key, value);
                Ok(())
            }
            Backend::Redis(redis) => self.counted(redis.set(&key, &value).await),
        }
    }

    /// `outcome`, with a refused quota counted as the tenant's limit hit.
    fn counted<T>(&self, outcome: Result<T, CacheError>) -> Result<T, CacheError> {
        if let Err(CacheError::Quota(limit)) = &outcome {
            limit.record(&self.tenant);
        }
        outcome
    }

    /// Removes `key`.
    pub async fn delete(&self, key: &str) -> Result<(), CacheError> {
        match &self.backend {
            Backend::Memory(memory) => {
                memory.delete(key);
                Ok(())
            }
            Backend::Redis(redis) => redis.delete(key).await,
        }
    }

    /// Whether `key` is present.
    pub async fn exists(&self, key: &str) -> Result<bool, CacheError> {
        match &self.backend {
            Backend::Memory(memory) => Ok(memory.exists(key)),
            Backend::Redis(redis) => redis.exists(key).await,
        }
    }

    /// One page of the keys held, values and counters, in no particular order, from `cursor`
    /// on (`None`: the first page), and the cursor of the next page (`None` after the last).
    /// Bounded per page whatever the tenant keeps. A cursor this cache never gave is
    /// [`CacheError::Cursor`].
    pub async fn keys_page(
        &self,
        cursor: Option<u64>,
    ) -> Result<(Vec<String>, Option<u64>), CacheError> {
        let page = match &self.backend {
            Backend::Memory(memory) => memory.keys_page(cursor),
            Backend::Redis(redis) => redis.keys_page(cursor).await?,
        };
        page.ok_or(CacheError::Cursor)
    }

    /// Adds `delta` to the counter `key` (missing counters start at zero) atomically, across
    /// replicas too when the backend is shared.
    pub async fn increment(&self, key: &str, delta: u64) -> Result<u64, CacheError> {
        match &self.backend {
            Backend::Memory(memory) => Ok(memory.increment(key, delta)),
            Backend::Redis(redis) => self.counted(redis.increment(key, delta).await),
        }
    }

    /// Drops everything the tenant cached (admin `DELETE .../cache`).
    pub async fn clear(&self) -> Result<(), CacheError> {
        match &self.backend {
            Backend::Memory(memory) => {
                memory.clear();
                Ok(())
            }
            Backend::Redis(redis) => redis.clear().await,
        }
    }
}
