//! `wasi:keyvalue` for plugins, on the tenant's [`TenantCache`].
//!
//! Plugins open the default bucket `""`; the host maps it to the calling tenant's cache, so
//! there is no name a plugin could use to reach another tenant's keys.

use std::sync::Arc;

use wasmtime::component::{HasData, Resource, ResourceTable};

use super::bindings::wasi::keyvalue::{atomics, store};
use crate::cache::TenantCache;

/// The guest's handle on its tenant's cache.
pub struct Bucket {
    cache: Arc<TenantCache>,
}

/// What the keyvalue host functions see of a call's state.
pub struct KeyValueView<'a> {
    pub table: &'a mut ResourceTable,
    pub cache: &'a Arc<TenantCache>,
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

impl store::Host for KeyValueView<'_> {
    fn open(&mut self, identifier: String) -> Outcome<Resource<Bucket>> {
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
    fn get(&mut self, bucket: Resource<Bucket>, key: String) -> Outcome<Option<Vec<u8>>> {
        Ok(Ok(self
            .cache(&bucket)?
            .get(&key)
            .map(|value| value.to_vec())))
    }

    fn set(&mut self, bucket: Resource<Bucket>, key: String, value: Vec<u8>) -> Outcome<()> {
        self.cache(&bucket)?.set(key, value);
        Ok(Ok(()))
    }

    fn delete(&mut self, bucket: Resource<Bucket>, key: String) -> Outcome<()> {
        self.cache(&bucket)?.delete(&key);
        Ok(Ok(()))
    }

    fn exists(&mut self, bucket: Resource<Bucket>, key: String) -> Outcome<bool> {
        Ok(Ok(self.cache(&bucket)?.exists(&key)))
    }

    fn list_keys(
        &mut self,
        bucket: Resource<Bucket>,
        cursor: Option<u64>,
    ) -> Outcome<store::KeyResponse> {
        /// Keys per page: large enough for any plugin's working set, small enough to bound a call.
        const PAGE: usize = 1_000;
        let mut keys = self.cache(&bucket)?.keys();
        keys.sort_unstable();
        let start = usize::try_from(cursor.unwrap_or(0)).unwrap_or(usize::MAX);
        let page: Vec<String> = keys.iter().skip(start).take(PAGE).cloned().collect();
        let next = start.saturating_add(page.len());
        let cursor = (next < keys.len()).then(|| u64::try_from(next).unwrap_or(u64::MAX));
        Ok(Ok(store::KeyResponse { keys: page, cursor }))
    }

    fn drop(&mut self, bucket: Resource<Bucket>) -> wasmtime::Result<()> {
        self.table.delete(bucket)?;
        Ok(())
    }
}

impl atomics::Host for KeyValueView<'_> {
    fn increment(&mut self, bucket: Resource<Bucket>, key: String, delta: u64) -> Outcome<u64> {
        Ok(Ok(self.cache(&bucket)?.increment(&key, delta)))
    }
}
