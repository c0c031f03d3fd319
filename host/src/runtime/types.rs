//! The host-side types the generated bindings map WIT resources to. They live apart from the
//! host functions that use them (as wasmtime keeps its own in `types.rs`), so the bindings
//! never import an implementation.

use std::sync::Arc;

use crate::cache::TenantCache;

/// `wasi:keyvalue/store.bucket`: the guest's handle on its tenant's cache.
pub struct Bucket {
    pub(super) cache: Arc<TenantCache>,
}
