//! `wasi:keyvalue` for plugins, on the tenant's [`TenantCache`].
//!
//! Plugins open the default bucket `""`; the host maps it to the calling tenant's cache, so
//! there is no name a plugin could use to reach another tenant's keys.

use std::sync::Arc;

use wasmtime::component::{HasData, Resource, ResourceTable};

use super::bindings::wasi::keyvalue::{atomics, store};
use super::types::Bucket;
use crate::cache::{CacheError, TenantCache};
use crate::calllog::Trace;

/// What the keyvalue host functions see of a call's state.
pub struct KeyValueView<'a> {
    pub table: &'a mut ResourceTable,
    pub cache: &'a Arc<TenantCache>,
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
    fn cache(&self, bucket: &Resource<Bucket>) -> wasmtime::Result<Arc<TenantCache>> {
        Ok(Arc::clone(&self.table.get(bucket)?.cache))
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
            cache: Arc::clone(self.cache),
        };
        Ok(Ok(self.table.push(bucket)?))
    }
}

impl store::HostBucket for KeyValueView<'_> {
    async fn get(&mut self, bucket: Resource<Bucket>, key: String) -> Outcome<Option<Vec<u8>>> {
        let started = std::time::Instant::now();
        let found = self.cache(&bucket)?.get(&key).await;
        if let Some(trace) = self.trace {
            trace.cache_read(started, &key, matches!(found, Ok(Some(_))));
        }
        outcome(found)
    }

    async fn set(&mut self, bucket: Resource<Bucket>, key: String, value: Vec<u8>) -> Outcome<()> {
        outcome(self.cache(&bucket)?.set(key, value).await)
    }

    async fn delete(&mut self, bucket: Resource<Bucket>, key: String) -> Outcome<()> {
        outcome(self.cache(&bucket)?.delete(&key).await)
    }

    async fn exists(&mut self, bucket: Resource<Bucket>, key: String) -> Outcome<bool> {
        outcome(self.cache(&bucket)?.exists(&key).await)
    }

    async fn list_keys(
        &mut self,
        bucket: Resource<Bucket>,
        cursor: Option<u64>,
    ) -> Outcome<store::KeyResponse> {
        /// Keys per page: large enough for any plugin's working set, small enough to bound a call.
        const PAGE: usize = 1_000;
        let mut keys = match self.cache(&bucket)?.keys().await {
            Ok(keys) => keys,
            Err(err) => return outcome(Err(err)),
        };
        keys.sort_unstable();
        let start = usize::try_from(cursor.unwrap_or(0)).unwrap_or(usize::MAX);
        let page: Vec<String> = keys.iter().skip(start).take(PAGE).cloned().collect();
        let next = start.saturating_add(page.len());
        let cursor = (next < keys.len()).then(|| u64::try_from(next).unwrap_or(u64::MAX));
        Ok(Ok(store::KeyResponse { keys: page, cursor }))
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
        outcome(self.cache(&bucket)?.increment(&key, delta).await)
    }
}
