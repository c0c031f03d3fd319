//! Runs tenants' plugins: one wasmtime [`Engine`], one [`Linker`], a fresh store per call.

mod bindings;
mod engine;
mod invoke;
mod keyvalue;
mod plugin;
mod state;
mod wasi_config;

use wasmtime::Engine;
use wasmtime::component::Linker;

pub use bindings::api;
pub use engine::EPOCH_TICK;
pub use invoke::{CallInfo, InvokeError};
pub use plugin::{CompileError, Plugin, WIT_VERSION, digest};
pub use state::CallState;

use crate::config::RuntimeConfig;
use crate::outbound::OutboundClient;
use engine::EpochTicker;

#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("cannot create the WebAssembly engine: {0}")]
    Engine(#[source] wasmtime::Error),
    #[error("cannot link the host interfaces: {0}")]
    Link(#[source] wasmtime::Error),
}

/// Everything needed to run any tenant's plugin. One per process.
pub struct Runtime {
    engine: Engine,
    linker: Linker<CallState>,
    client: OutboundClient,
    memory_limit: usize,
    compilations: std::sync::atomic::AtomicU64,
    /// One permit per pooled instance slot.
    instances: std::sync::Arc<tokio::sync::Semaphore>,
    _ticker: EpochTicker,
}

impl Runtime {
    pub fn new(config: &RuntimeConfig) -> Result<Self, RuntimeError> {
        let memory_limit = usize::try_from(config.memory_limit_mib.saturating_mul(1024 * 1024))
            .unwrap_or(usize::MAX);
        let engine = engine::build(memory_limit, config.max_instances)?;
        let linker = engine::linker(&engine).map_err(RuntimeError::Link)?;
        let ticker = EpochTicker::start(engine.clone());
        Ok(Self {
            engine,
            linker,
            client: OutboundClient::new(),
            memory_limit,
            compilations: std::sync::atomic::AtomicU64::new(0),
            instances: std::sync::Arc::new(tokio::sync::Semaphore::new(
                usize::try_from(config.max_instances).unwrap_or(usize::MAX),
            )),
            _ticker: ticker,
        })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}
