//! The in-process cache backend: one bounded [`moka`] cache per tenant.
//!
//! Every tenant gets its own cache instead of a prefix in a shared one: a plugin cannot name
//! another tenant's keys, and one tenant filling its cache evicts only its own entries.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use moka::notification::RemovalCause;
use moka::sync::Cache;

use super::pages::{Cursor, KeyIndex, PAGE, Phase};
use crate::limits::Limit;

/// Bytes a tenant's cached values may occupy before the least useful ones are evicted.
pub const DEFAULT_TENANT_CAPACITY_BYTES: u64 = 16 * 1024 * 1024;

/// Bytes a tenant's counters may occupy, weighed as values are.
const COUNTER_CAPACITY_BYTES: u64 = 1024 * 1024;

/// What one entry costs beyond its key's and value's bytes: moka's node and its bookkeeping,
/// the key's `String` and the value's `Arc`, and its place in the key index. Weighing it
/// keeps a million empty entries from fitting a cap meant for kilobytes (each still costs the
/// host a few hundred bytes).
const ENTRY_OVERHEAD: usize = 256;

/// The weight of an entry of `key_len` and `value_len` bytes; the key is held twice (in
/// moka and in the key index).
fn weight(key_len: usize, value_len: usize) -> u32 {
    u32::try_from(
        key_len
            .saturating_mul(2)
            .saturating_add(value_len)
            .saturating_add(ENTRY_OVERHEAD),
    )
    .unwrap_or(u32::MAX)
}

/// A value and the id of the entry that holds it (see [`KeyIndex`]).
#[derive(Clone)]
struct Value {
    bytes: Arc<[u8]>,
    id: u64,
}

/// A counter and the id of the entry that holds it.
#[derive(Clone, Copy)]
struct Counter {
    count: u64,
    id: u64,
}

/// One tenant's cache: values with the tenant's TTL, and counters for `wasi:keyvalue/atomics`,
/// each with an index of its keys for listing them a page at a time.
pub struct MemoryCache {
    values: Cache<String, Value>,
    /// Counters live apart from values and without a TTL: a counter that expired and restarted
    /// at zero could make stale values keyed by an old generation visible again.
    counters: Cache<String, Counter>,
    value_keys: Arc<KeyIndex>,
    counter_keys: Arc<KeyIndex>,
    next_id: AtomicU64,
}

impl MemoryCache {
    /// `tenant`'s namespace, whose entries live `ttl`, holding at most `capacity_bytes` of keys
    /// and values. Entries evicted because the namespace is full count as the tenant's
    /// `cache_bytes` limit hits.
    pub fn new(tenant: &str, ttl: Duration, capacity_bytes: u64) -> Self {
        let tenant: Arc<str> = Arc::from(tenant);
        let value_keys = Arc::new(KeyIndex::default());
        let counter_keys = Arc::new(KeyIndex::default());
        let (listening, full) = (Arc::clone(&value_keys), Arc::clone(&tenant));
        let values = Cache::builder()
            .time_to_live(ttl)
            .max_capacity(capacity_bytes)
            .weigher(|key: &String, value: &Value| weight(key.len(), value.bytes.len()))
            .eviction_listener(move |key: Arc<String>, value: Value, cause| {
                if cause == RemovalCause::Size {
                    Limit::CacheBytes.record(&*full);
                }
                if cause != RemovalCause::Replaced {
                    listening.remove(&key, value.id);
                }
            })
            .build();
        let (listening, full) = (Arc::clone(&counter_keys), tenant);
        let counters = Cache::builder()
            .max_capacity(COUNTER_CAPACITY_BYTES)
            .weigher(|key: &String, _: &Counter| weight(key.len(), std::mem::size_of::<u64>()))
            .eviction_listener(move |key: Arc<String>, counter: Counter, cause| {
                if cause == RemovalCause::Size {
                    Limit::CacheBytes.record(&*full);
                }
                if cause != RemovalCause::Replaced {
                    listening.remove(&key, counter.id);
                }
            })
            .build();
        Self {
            values,
            counters,
            value_keys,
            counter_keys,
            next_id: AtomicU64::new(0),
        }
    }

    fn new_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// The value of `key`, if present and not expired.
    pub fn get(&self, key: &str) -> Option<Arc<[u8]>> {
        self.values.get(key).map(|value| value.bytes)
    }

    /// Stores `value` under `key` for the namespace's TTL.
    pub fn set(&self, key: String, value: Vec<u8>) {
        let id = self.new_id();
        // Indexed first: the entry it replaces is told with its own id, and leaves this one.
        self.value_keys.insert(&key, id);
        self.values.insert(
            key,
            Value {
                bytes: value.into(),
                id,
            },
        );
    }

    /// Removes `key` and its counter.
    pub fn delete(&self, key: &str) {
        self.values.invalidate(key);
        self.counters.invalidate(key);
    }

    /// Whether `key` holds a value or a counter.
    pub fn exists(&self, key: &str) -> bool {
        self.values.contains_key(key) || self.counters.contains_key(key)
    }

    /// One page of the keys held (values, then counters) from `cursor` on, and the cursor of
    /// the next page (`None` after the last); `None` for a cursor this cache never gave.
    /// Bounded by [`PAGE`] whatever the cache holds.
    pub fn keys_page(&self, cursor: Option<u64>) -> Option<(Vec<String>, Option<u64>)> {
        let cursor = Cursor::decode(cursor)?;
        let (index, phase_next): (&KeyIndex, Option<Cursor>) = match cursor.phase {
            Phase::Values => (&self.value_keys, Some(Cursor::COUNTERS_START)),
            Phase::Counters => (&self.counter_keys, None),
        };
        let (mut keys, next) = index.page(cursor.position, PAGE);
        // Outside the index's lock (see `KeyIndex`): entries expired but not yet evicted.
        keys.retain(|key| match cursor.phase {
            Phase::Values => self.values.contains_key(key),
            Phase::Counters => self.counters.contains_key(key),
        });
        let next = match next {
            Some(position) => Some(Cursor {
                phase: cursor.phase,
                position,
            }),
            None => phase_next,
        };
        Some((keys, next.and_then(Cursor::encode)))
    }

    /// Adds `delta` to the counter `key` (missing counters start at zero) atomically.
    pub fn increment(&self, key: &str, delta: u64) -> u64 {
        let fresh = self.new_id();
        let counter = self
            .counters
            .entry_by_ref(key)
            .and_upsert_with(|current| match current {
                Some(entry) => {
                    let counter = entry.into_value();
                    Counter {
                        count: counter.count.wrapping_add(delta),
                        id: counter.id,
                    }
                }
                None => Counter {
                    count: delta,
                    id: fresh,
                },
            })
            .into_value();
        if counter.id == fresh {
            self.counter_keys.insert(key, fresh);
        }
        counter.count
    }

    /// Drops everything the tenant cached (admin `DELETE .../cache`).
    pub fn clear(&self) {
        self.values.invalidate_all();
        // Their keys leave the indexes as moka tells of each entry (a set racing the clear
        // keeps its key), and are not listed meanwhile: `keys_page` checks each.
        self.counters.invalidate_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_expire_after_the_ttl_but_counters_do_not() {
        let cache = MemoryCache::new(
            "acme",
            Duration::from_millis(0),
            DEFAULT_TENANT_CAPACITY_BYTES,
        );
        cache.set("slots".into(), b"[]".to_vec());
        assert_eq!(cache.increment("gen", 1), 1);
        assert!(cache.get("slots").is_none());
        assert_eq!(cache.increment("gen", 2), 3);
    }

    #[test]
    fn empty_entries_and_long_counter_keys_are_weighed_as_what_they_cost() {
        let cache = MemoryCache::new(
            "acme",
            Duration::from_secs(60),
            DEFAULT_TENANT_CAPACITY_BYTES,
        );
        for n in 0..200_000 {
            cache.set(format!("k{n}"), Vec::new());
        }
        let long = "x".repeat(1024);
        for n in 0..10_000 {
            cache.increment(&format!("{long}{n}"), 1);
        }
        cache.values.run_pending_tasks();
        cache.counters.run_pending_tasks();
        let values = cache.values.entry_count();
        assert!(
            values <= DEFAULT_TENANT_CAPACITY_BYTES / ENTRY_OVERHEAD as u64,
            "{values} empty values kept in a 16 MiB cap"
        );
        let counters = cache.counters.entry_count();
        assert!(
            counters <= COUNTER_CAPACITY_BYTES / 1024,
            "{counters} counters of 1 KiB keys kept in 1 MiB"
        );
        assert!(cache.counters.weighted_size() <= COUNTER_CAPACITY_BYTES);
    }

    /// Every key, page by page, as a plugin lists them.
    fn all_keys(cache: &MemoryCache) -> Vec<String> {
        let mut keys = Vec::new();
        let mut cursor = None;
        loop {
            let Some((page, next)) = cache.keys_page(cursor) else {
                panic!("a cursor the cache gave was refused");
            };
            assert!(page.len() <= PAGE + 1, "{} keys in a page", page.len());
            keys.extend(page);
            match next {
                Some(next) => cursor = Some(next),
                None => return keys,
            }
        }
    }

    #[test]
    fn keys_are_listed_a_page_at_a_time_values_and_counters_each_once() {
        let cache = MemoryCache::new(
            "acme",
            Duration::from_secs(60),
            DEFAULT_TENANT_CAPACITY_BYTES,
        );
        for n in 0..2_500 {
            cache.set(format!("slots:{n}"), b"[]".to_vec());
        }
        // Written twice: still one key.
        cache.set("slots:7".into(), b"[1]".to_vec());
        cache.increment("gen", 1);
        cache.increment("gen", 1);
        cache.delete("slots:8");
        let mut keys = all_keys(&cache);
        keys.sort();
        assert_eq!(keys.len(), 2_500, "2,499 values and one counter");
        assert!(keys.iter().any(|key| key == "gen"));
        assert!(!keys.iter().any(|key| key == "slots:8"));
        keys.dedup();
        assert_eq!(keys.len(), 2_500, "no key twice");
        assert!(
            cache.keys_page(Some(1 << 62)).is_none(),
            "an invented cursor"
        );
    }

    #[test]
    fn expired_and_cleared_keys_are_not_listed() {
        let cache = MemoryCache::new(
            "acme",
            Duration::from_millis(0),
            DEFAULT_TENANT_CAPACITY_BYTES,
        );
        cache.set("slots".into(), b"[]".to_vec());
        cache.increment("gen", 1);
        assert_eq!(all_keys(&cache), ["gen"], "the value expired at once");
        cache.clear();
        assert!(all_keys(&cache).is_empty());
        cache.increment("gen", 1);
        assert_eq!(
            all_keys(&cache),
            ["gen"],
            "a counter after the clear is listed"
        );
    }

    #[test]
    fn concurrent_increments_are_not_lost() {
        let cache = Arc::new(MemoryCache::new("acme", Duration::from_secs(60), 1024));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let cache = Arc::clone(&cache);
                std::thread::spawn(move || {
                    for _ in 0..250 {
                        cache.increment("gen", 1);
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().ok();
        }
        assert_eq!(cache.increment("gen", 0), 1000);
    }
}
