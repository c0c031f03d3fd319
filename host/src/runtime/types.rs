//! The host-side types the generated bindings map WIT resources to. They live apart from the
//! host functions that use them (as wasmtime keeps its own in `types.rs`), so the bindings
//! never import an implementation.

use std::sync::Arc;

use crate::cache::TenantCache;
use crate::replay::source::ReplayCache;

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
    Replay(Arc<ReplayCache>),
}
