//! The host-side types the generated bindings map WIT resources to. They live apart from the
//! host functions that use them (as wasmtime keeps its own in `types.rs`), so the bindings
//! never import an implementation.

use std::sync::Arc;

use crate::cache::TenantCache;

/// `wasi:keyvalue/store.bucket`: the guest's handle on its tenant's cache.
pub struct Bucket {
    pub(super) cache: CallCache,
}

/// The cache a call's plugin reaches: the tenant's, or a replayed call's recording of it.
#[derive(Clone)]
pub enum CallCache {
    /// The tenant's cache.
    Live(Arc<TenantCache>),
    /// What a recorded call read; writes stay within the replay.
    Replay(Arc<dyn RecordedCache>),
}

/// The cache of a call run again from its recording (`crate::replay::source::ReplayCache`):
/// reads answer what the recorded call read, writes stay within the call. A trait, so the
/// runtime does not depend on the replay that runs on it.
pub trait RecordedCache: Send + Sync {
    /// `get`.
    fn get(&self, key: &str) -> Option<Vec<u8>>;
    /// `set`.
    fn set(&self, key: String, value: Vec<u8>);
    /// `delete`.
    fn delete(&self, key: &str);
    /// `exists`.
    fn exists(&self, key: &str) -> bool;
    /// `list-keys`: every key.
    fn keys(&self) -> Vec<String>;
    /// `increment`: the counter after it.
    fn increment(&self, key: &str, delta: u64) -> u64;
}
