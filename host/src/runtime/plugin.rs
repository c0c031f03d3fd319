//! A compiled plugin version, ready to instantiate.

use sha2::{Digest, Sha256};
use wasmtime::component::Component;

use super::Runtime;
use super::bindings::SchedulerPre;
use super::state::CallState;

/// A plugin version: content-addressed, compiled, and pre-linked against the host.
pub struct Plugin {
    digest: String,
    pre: SchedulerPre<CallState>,
}

#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    #[error("not a WebAssembly component: {0}")]
    Compile(#[source] wasmtime::Error),
    #[error("the component does not fit the slotline:plugin/scheduler world: {0}")]
    World(#[source] wasmtime::Error),
}

impl Plugin {
    /// SHA-256 of the component bytes, hex.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    pub(super) fn pre(&self) -> &SchedulerPre<CallState> {
        &self.pre
    }
}

impl Runtime {
    /// Compiles `bytes` and links it against the host's imports. Slow (tens of milliseconds):
    /// keep it off the request path.
    pub fn compile(&self, bytes: &[u8]) -> Result<Plugin, CompileError> {
        let digest = hex::encode(Sha256::digest(bytes));
        let component = Component::new(&self.engine, bytes).map_err(CompileError::Compile)?;
        let instance_pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(CompileError::World)?;
        let pre = SchedulerPre::new(instance_pre).map_err(CompileError::World)?;
        Ok(Plugin { digest, pre })
    }
}
