//! The store's resource limiter: wasmtime's `StoreLimits`, plus a note of whether it refused
//! memory, so a plugin that ran out of memory is counted as such and not as a plain trap (the
//! guest sees a failed `memory.grow` and usually aborts, which looks like any other bug).

use wasmtime::{ResourceLimiter, Result, StoreLimits, StoreLimitsBuilder};

use super::needs::Allowance;

/// Memory and table limits of one call's store, remembering a refused growth.
pub struct StoreLimiter {
    limits: StoreLimits,
    refused_memory: bool,
}

impl StoreLimiter {
    /// Limits linear memory and tables to what the tenant allows.
    pub fn new(allowance: &Allowance) -> Self {
        Self {
            limits: StoreLimitsBuilder::new()
                .memory_size(usize::try_from(allowance.memory_bytes).unwrap_or(usize::MAX))
                .table_elements(usize::try_from(allowance.table_elements).unwrap_or(usize::MAX))
                .build(),
            refused_memory: false,
        }
    }

    /// Whether the plugin asked for more memory than it may have during this call.
    pub fn refused_memory(&self) -> bool {
        self.refused_memory
    }
}

impl ResourceLimiter for StoreLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool> {
        let allowed = self.limits.memory_growing(current, desired, maximum)?;
        self.refused_memory |= !allowed;
        Ok(allowed)
    }

    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> Result<()> {
        self.refused_memory = true;
        self.limits.memory_grow_failed(error)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }

    fn instances(&self) -> usize {
        self.limits.instances()
    }

    fn tables(&self) -> usize {
        self.limits.tables()
    }

    fn memories(&self) -> usize {
        self.limits.memories()
    }
}
