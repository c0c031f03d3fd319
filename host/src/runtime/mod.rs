//! Runs plugins: one wasmtime [`Engine`], one [`Linker`], a fresh store per call.
//!
//! The runtime knows no tenant. A call is handed a [`PluginEnv`] (the active plugin, the
//! outbound policy, the cache, the settings) and an `api::CallContext`, and returns the
//! plugin's typed answer or an [`InvokeError`]; what the caller hears of either is decided by
//! the dispatcher.

mod bindings;
pub mod compile_worker;
mod engine;
mod env;
mod exports;
mod invoke;
mod keyvalue;
mod limiter;
mod needs;
mod plugin;
mod probe;
mod serving;
mod state;
mod types;
mod wasi_config;

use wasmtime::Engine;
use wasmtime::component::Linker;

pub use bindings::{api, calls_api};
pub use engine::EPOCH_TICK;
pub use env::PluginEnv;
pub use exports::Contract;
pub use invoke::{InvokeError, PLUGIN_GRACE};
pub use needs::{Allowance, AllowanceError, Needs};
pub use plugin::{CompileError, Plugin, digest};
pub use probe::Probe;
pub use serving::{CanaryRoute, Counts, Route, Served, Serving, Side, Tally, bucket};
pub use state::CallState;
pub use types::RecordedCache;
pub use wasi_config::Settings;

use crate::config::RuntimeConfig;
use crate::outbound::OutboundClient;
use engine::EpochTicker;

/// Why the runtime could not be built.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// wasmtime refused the engine configuration.
    #[error("cannot create the WebAssembly engine: {0}")]
    Engine(#[source] wasmtime::Error),
    /// The host interfaces could not be added to the linker.
    #[error("cannot link the host interfaces: {0}")]
    Link(#[source] wasmtime::Error),
    /// `runtime.max_instance_share_percent` is not a share.
    #[error("runtime.max_instance_share_percent must be between 1 and 100, not {0}")]
    InstanceShare(u32),
}

/// Everything needed to run any tenant's plugin. One per process.
pub struct Runtime {
    engine: Engine,
    linker: Linker<CallState>,
    client: OutboundClient,
    /// `runtime.memory_limit_mib`: what a tenant's instance may grow to unless its
    /// `plugin_limits.memory_mib` says otherwise.
    memory_limit_mib: u64,
    hostcall_bytes: usize,
    max_reply_bytes: usize,
    max_resources: usize,
    max_instances: usize,
    compilations: std::sync::atomic::AtomicU64,
    /// `runtime.compile`: where uploads compile and within what budget.
    compile: crate::config::CompileConfig,
    /// What the compile worker builds its engine from.
    engine_settings: compile_worker::EngineSettings,
    /// One permit per pooled instance slot.
    instances: std::sync::Arc<tokio::sync::Semaphore>,
    /// The slots one tenant's calls may hold at once (`runtime.max_instance_share_percent`).
    tenant_instances: usize,
    _ticker: EpochTicker,
}

impl Runtime {
    /// Builds the engine, the linker and the epoch ticker from `runtime.*` settings.
    pub fn new(config: &RuntimeConfig) -> Result<Self, RuntimeError> {
        if !(1..=100).contains(&config.max_instance_share_percent) {
            return Err(RuntimeError::InstanceShare(
                config.max_instance_share_percent,
            ));
        }
        // The pool's slots fit the largest instance any tenant may be given; each store is
        // held to its tenant's own limit.
        let memory_ceiling = usize::try_from(
            needs::memory_ceiling_mib(config.memory_limit_mib).saturating_mul(1024 * 1024),
        )
        .unwrap_or(usize::MAX);
        let engine_settings = compile_worker::EngineSettings {
            memory_ceiling,
            max_instances: config.max_instances,
            profiler: config.profiler,
        };
        let engine = engine::build(memory_ceiling, config.max_instances, config.profiler)?;
        let linker = engine::linker(&engine).map_err(RuntimeError::Link)?;
        let ticker = EpochTicker::start(engine.clone());
        let max_instances = usize::try_from(config.max_instances).unwrap_or(usize::MAX);
        Ok(Self {
            engine,
            linker,
            client: OutboundClient::new(),
            memory_limit_mib: config.memory_limit_mib,
            hostcall_bytes: usize::try_from(config.max_hostcall_bytes).unwrap_or(usize::MAX),
            max_reply_bytes: usize::try_from(config.max_reply_bytes).unwrap_or(usize::MAX),
            max_resources: usize::try_from(config.max_resources).unwrap_or(usize::MAX),
            max_instances,
            compilations: std::sync::atomic::AtomicU64::new(0),
            compile: config.compile.clone(),
            engine_settings,
            instances: std::sync::Arc::new(tokio::sync::Semaphore::new(max_instances)),
            tenant_instances: (max_instances
                .saturating_mul(config.max_instance_share_percent as usize)
                / 100)
                .max(1),
            _ticker: ticker,
        })
    }

    /// `limits` of `tenant` with the runtime's defaults filled in.
    pub fn allowance(
        &self,
        tenant: &str,
        limits: &crate::config::PluginLimits,
    ) -> Result<Allowance, AllowanceError> {
        Allowance::resolve(tenant, limits, self.memory_limit_mib)
    }

    /// The process's one engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The largest reply, in bytes of JSON, a plugin may give (`runtime.max_reply_bytes`).
    pub fn max_reply_bytes(&self) -> usize {
        self.max_reply_bytes
    }

    /// Plugin instances running right now, out of `runtime.max_instances`.
    pub fn busy_instances(&self) -> usize {
        self.max_instances
            .saturating_sub(self.instances.available_permits())
    }
}
