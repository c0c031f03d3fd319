//! The in-process cache backend: one bounded [`moka`] cache per tenant.
//!
//! Every tenant gets its own cache instead of a prefix in a shared one: a plugin cannot name
//! another tenant's keys, and one tenant filling its cache evicts only its own entries.

use std::sync::Arc;
use std::time::Duration;

use moka::sync::Cache;

/// Bytes a tenant's cached values may occupy before the least useful ones are evicted.
pub const DEFAULT_TENANT_CAPACITY_BYTES: u64 = 16 * 1024 * 1024;

/// Bytes a tenant's counters may occupy, weighed as values are.
const COUNTER_CAPACITY_BYTES: u64 = 1024 * 1024;

/// What one entry costs beyond its key's and value's bytes: moka's node and its bookkeeping,
/// the key's `String` and the value's `Arc`. Weighing it keeps a million empty entries from
/// fitting a cap meant for kilobytes (each still costs the host a few hundred bytes).
const ENTRY_OVERHEAD: usize = 256;

/// The weight of an entry of `key_len` and `value_len` bytes.
fn weight(key_len: usize, value_len: usize) -> u32 {
    u32::try_from(
        key_len
            .saturating_add(value_len)
            .saturating_add(ENTRY_OVERHEAD),
    )
    .unwrap_or(u32::MAX)
}

/// One tenant's cache: values with the tenant's TTL, and counters for `wasi:keyvalue/atomics`.
pub struct MemoryCache {
    values: Cache<String, Arc<[u8]>>,
    /// Counters live apart from values and without a TTL: a counter that expired and restarted
    /// at zero could make stale values keyed by an old generation visible again.
    counters: Cache<String, u64>,
}

impl MemoryCache {
    /// A namespace whose entries live `ttl`, holding at most `capacity_bytes` of keys and values.
    pub fn new(ttl: Duration, capacity_bytes: u64) -> Self {
        let values = Cache::builder()
            .time_to_live(ttl)
            .max_capacity(capacity_bytes)
            .weigher(|key: &String, value: &Arc<[u8]>| weight(key.len(), value.len()))
            .build();
        let counters = Cache::builder()
            .max_capacity(COUNTER_CAPACITY_BYTES)
            .weigher(|key: &String, _: &u64| weight(key.len(), std::mem::size_of::<u64>()))
            .build();
        Self { values, counters }
    }

    /// The value of `key`, if present and not expired.
    pub fn get(&self, key: &str) -> Option<Arc<[u8]>> {
        self.values.get(key)
    }

    /// Stores `value` under `key` for the namespace's TTL.
    pub fn set(&self, key: String, value: Vec<u8>) {
        self.values.insert(key, value.into());
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

    /// Keys currently held, values and counters, in no particular order.
    pub fn keys(&self) -> Vec<String> {
        self.values
            .iter()
            .map(|(key, _)| key.as_ref().clone())
            .chain(self.counters.iter().map(|(key, _)| key.as_ref().clone()))
            .collect()
    }

    /// Adds `delta` to the counter `key` (missing counters start at zero) atomically.
    pub fn increment(&self, key: &str, delta: u64) -> u64 {
        self.counters
            .entry_by_ref(key)
            .and_upsert_with(|current| {
                current
                    .map(|entry| entry.into_value())
                    .unwrap_or(0)
                    .wrapping_add(delta)
            })
            .into_value()
    }

    /// Drops everything the tenant cached (admin `DELETE .../cache`).
    pub fn clear(&self) {
        self.values.invalidate_all();
        self.counters.invalidate_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_expire_after_the_ttl_but_counters_do_not() {
        let cache = MemoryCache::new(Duration::from_millis(0), DEFAULT_TENANT_CAPACITY_BYTES);
        cache.set("slots".into(), b"[]".to_vec());
        assert_eq!(cache.increment("gen", 1), 1);
        assert!(cache.get("slots").is_none());
        assert_eq!(cache.increment("gen", 2), 3);
    }

    #[test]
    fn empty_entries_and_long_counter_keys_are_weighed_as_what_they_cost() {
        let cache = MemoryCache::new(Duration::from_secs(60), DEFAULT_TENANT_CAPACITY_BYTES);
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

    #[test]
    fn concurrent_increments_are_not_lost() {
        let cache = Arc::new(MemoryCache::new(Duration::from_secs(60), 1024));
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
