//! `wasi:keyvalue` for plugins, on the tenant's [`TenantCache`](crate::cache::TenantCache).
//!
//! Plugins open the default bucket `""`; the host maps it to the calling tenant's cache, so
//! there is no name a plugin could use to reach another tenant's keys. A replayed call's
//! bucket is its recording instead ([`CallCache::Replay`]). A recorded call's reads are kept
//! with the values they returned.

use wasmtime::component::{HasData, Resource, ResourceTable};

use super::bindings::wasi::keyvalue::{atomics, store};
use super::types::{Bucket, CallCache};
use crate::cache::{CacheError, KEYS_PAGE as PAGE};
use crate::calllog::Trace;
use crate::replay::recording::CacheOp;

/// What the keyvalue host functions see of a call's state.
pub struct KeyValueView<'a> {
    pub table: &'a mut ResourceTable,
    pub cache: &'a CallCache,
    /// The tool call's trace, when it is logged.
    pub trace: Option<&'a Trace>,
}

/// Marker tying the generated `add_to_linker` functions to [`KeyValueView`].
pub struct HasKeyValue;

impl HasData for HasKeyValue {
    type Data<'a> = KeyValueView<'a>;
}

type Outcome<T> = wasmtime::Result<Result<T, store::Error>>;

impl KeyValueView<'_> {
    fn cache(&self, bucket: &Resource<Bucket>) -> wasmtime::Result<CallCache> {
        Ok(self.table.get(bucket)?.cache.clone())
    }

    fn record(&self, op: impl FnOnce() -> CacheOp) {
        if let Some(trace) = self.trace {
            trace.record(|recording| recording.cache_op(op()));
        }
    }
}

/// A cache that could not answer is the guest's `other` error, which plugins treat as a miss:
/// the call goes on upstream rather than failing.
fn outcome<T>(result: Result<T, CacheError>) -> Outcome<T> {
    Ok(result.map_err(|err| store::Error::Other(err.to_string())))
}

impl store::Host for KeyValueView<'_> {
    async fn open(&mut self, identifier: String) -> Outcome<Resource<Bucket>> {
        if !identifier.is_empty() {
            return Ok(Err(store::Error::NoSuchStore));
        }
        let bucket = Bucket {
            cache: self.cache.clone(),
        };
        Ok(Ok(self.table.push(bucket)?))
    }
}

impl store::HostBucket for KeyValueView<'_> {
    async fn get(&mut self, bucket: Resource<Bucket>, key: String) -> Outcome<Option<Vec<u8>>> {
        let started = std::time::Instant::now();
        let found = match self.cache(&bucket)? {
            CallCache::Live(cache) => cache.get(&key).await,
            CallCache::Replay(replay) => Ok(replay.get(&key)),
        };
        if let Some(trace) = self.trace {
            trace.cache_read(started, &key, matches!(found, Ok(Some(_))));
            let value = found.as_ref().ok().and_then(Option::as_deref);
            trace.record(|recording| recording.get(&key, value));
        }
        outcome(found)
    }

    async fn set(&mut self, bucket: Resource<Bucket>, key: String, value: Vec<u8>) -> Outcome<()> {
        match self.cache(&bucket)? {
            CallCache::Live(cache) => outcome(cache.set(key, value).await),
            CallCache::Replay(replay) => {
                replay.set(key, value);
                Ok(Ok(()))
            }
        }
    }

    async fn delete(&mut self, bucket: Resource<Bucket>, key: String) -> Outcome<()> {
        match self.cache(&bucket)? {
            CallCache::Live(cache) => outcome(cache.delete(&key).await),
            CallCache::Replay(replay) => {
                replay.delete(&key);
                Ok(Ok(()))
            }
        }
    }

    async fn exists(&mut self, bucket: Resource<Bucket>, key: String) -> Outcome<bool> {
        let found = match self.cache(&bucket)? {
            CallCache::Live(cache) => cache.exists(&key).await,
            CallCache::Replay(replay) => Ok(replay.exists(&key)),
        };
        if let Ok(found) = found {
            self.record(|| CacheOp::Exists { key, found });
        }
        outcome(found)
    }

    async fn list_keys(
        &mut self,
        bucket: Resource<Bucket>,
        cursor: Option<u64>,
    ) -> Outcome<store::KeyResponse> {
        let (keys, cursor) = match self.cache(&bucket)? {
            CallCache::Live(cache) => match cache.keys_page(cursor).await {
                Ok(page) => page,
                Err(err) => return outcome(Err(err)),
            },
            CallCache::Replay(replay) => {
                // What a recording holds is small (the pages the call listed): paged here.
                let mut keys = replay.keys();
                keys.sort_unstable();
                keys.dedup();
                let start = usize::try_from(cursor.unwrap_or(0)).unwrap_or(usize::MAX);
                let page: Vec<String> = keys.iter().skip(start).take(PAGE).cloned().collect();
                let next = start.saturating_add(page.len());
                let cursor = (next < keys.len()).then(|| u64::try_from(next).unwrap_or(u64::MAX));
                (page, cursor)
            }
        };
        self.record(|| CacheOp::Keys { keys: keys.clone() });
        Ok(Ok(store::KeyResponse { keys, cursor }))
    }

    async fn drop(&mut self, bucket: Resource<Bucket>) -> wasmtime::Result<()> {
        self.table.delete(bucket)?;
        Ok(())
    }
}

impl atomics::Host for KeyValueView<'_> {
    async fn increment(
        &mut self,
        bucket: Resource<Bucket>,
        key: String,
        delta: u64,
    ) -> Outcome<u64> {
        let value = match self.cache(&bucket)? {
            CallCache::Live(cache) => cache.increment(&key, delta).await,
            CallCache::Replay(replay) => Ok(replay.increment(&key, delta)),
        };
        if let Ok(value) = value {
            self.record(|| CacheOp::Increment { key, value });
        }
        outcome(value)
    }
}
