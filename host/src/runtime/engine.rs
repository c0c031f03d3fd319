//! The engine's configuration, the linker, and the clock that interrupts runaway plugins.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use wasmtime::component::Linker;
use wasmtime::{
    Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, ProfilingStrategy,
};

use super::RuntimeError;
use super::bindings::wasi;
use super::keyvalue::HasKeyValue;
use super::state::CallState;
use super::wasi_config::HasConfig;
use crate::config::{PluginLimits, Profiler};

/// How often the epoch advances: the granularity of plugin deadlines and of the yields that
/// keep a busy plugin from starving other calls on the same worker thread.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Memory the pool keeps resident per slot between instances. Without it every instance drop
/// `madvise`s its memory away, and on two cores that cut throughput from 38k to 11k calls/s.
const KEEP_RESIDENT: usize = 4 * 1024 * 1024;

/// What one instance slot of the pool holds at most, and so what one component may hold: a
/// component that nests others to hold more (2,000 memories, the whole pool, held by one
/// sleeping call) fails to instantiate on its own, and a tenant holding its whole share of the
/// slots (`runtime.max_instance_share_percent`) holds no more than that share of anything.
/// A Rust, JavaScript or Python plugin needs one memory, a table or two and a few core
/// instances (its module and the adapters' shims).
/// The pool's totals are sized for that; one component may hold up to the ceiling any tenant
/// may be given (`PluginLimits::CEILING`), each tenant being held to its own `plugin_limits`.
const CORE_INSTANCES_PER_SLOT: u32 = 8;
const MEMORIES_PER_SLOT: u32 = 2;
const TABLES_PER_SLOT: u32 = 8;
const CEILING: PluginLimits = PluginLimits::CEILING;

/// Builds the engine, pooling instances when the machine lets us reserve the address space and
/// falling back to on-demand allocation when it does not (e.g. under a tight `ulimit -v`).
pub(super) fn build(
    memory_limit: usize,
    max_instances: u32,
    profiler: Profiler,
) -> Result<Engine, RuntimeError> {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);
    config.profiler(match profiler {
        Profiler::None => ProfilingStrategy::None,
        Profiler::PerfMap => ProfilingStrategy::PerfMap,
        Profiler::JitDump => ProfilingStrategy::JitDump,
    });

    let mut pool = PoolingAllocationConfig::default();
    pool.total_component_instances(max_instances)
        .total_core_instances(max_instances.saturating_mul(CORE_INSTANCES_PER_SLOT))
        .total_memories(max_instances.saturating_mul(MEMORIES_PER_SLOT))
        .total_tables(max_instances.saturating_mul(TABLES_PER_SLOT))
        .max_core_instances_per_component(CEILING.core_instances)
        .max_memories_per_component(CEILING.memories)
        .max_tables_per_component(CEILING.tables)
        .table_elements(CEILING.table_elements as usize)
        .total_stacks(max_instances)
        .max_memory_size(memory_limit)
        .linear_memory_keep_resident(KEEP_RESIDENT)
        .table_keep_resident(KEEP_RESIDENT)
        .async_stack_keep_resident(KEEP_RESIDENT)
        // Linux 6.7+: reset only the pages an instance wrote instead of all `KEEP_RESIDENT`
        // bytes; elsewhere wasmtime falls back to the plain reset.
        .pagemap_scan(Enabled::Auto);
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    match Engine::new(&config) {
        Ok(engine) => Ok(engine),
        Err(err) => {
            tracing::warn!(error = %err, "pooling allocator unavailable; allocating instances on demand");
            config.allocation_strategy(InstanceAllocationStrategy::OnDemand);
            Engine::new(&config).map_err(RuntimeError::Engine)
        }
    }
}

/// The imports every plugin gets: WASI (no preopened directories, no sockets), `wasi:http`
/// through the host's hooks, and the host's `wasi:keyvalue` and `wasi:config`.
pub(super) fn linker(engine: &Engine) -> wasmtime::Result<Linker<CallState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    wasi::keyvalue::store::add_to_linker::<_, HasKeyValue>(&mut linker, CallState::keyvalue)?;
    wasi::keyvalue::atomics::add_to_linker::<_, HasKeyValue>(&mut linker, CallState::keyvalue)?;
    wasi::config::store::add_to_linker::<_, HasConfig>(&mut linker, CallState::config)?;
    Ok(linker)
}

/// Advances the engine's epoch every [`EPOCH_TICK`] on its own thread, so deadlines fire even
/// when every async worker is busy. Stops when dropped.
pub(super) struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    pub(super) fn start(engine: Engine) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("slotline-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })
            .map_err(|err| tracing::error!(error = %err, "cannot start the epoch ticker"))
            .ok();
        Self { stop, thread }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use wasmtime::Store;
    use wasmtime::component::{Component, Linker};

    /// A component whose core instances each define a memory, `count` of them.
    pub(in crate::runtime) fn memories(count: usize) -> String {
        let instances = "(core instance (instantiate $m))\n".repeat(count);
        format!("(component (core module $m (memory 1)) {instances})")
    }

    #[tokio::test]
    async fn a_component_holding_more_than_a_slot_fails_alone_and_the_pool_serves_others()
    -> Result<(), Box<dyn std::error::Error>> {
        let engine = build(1 << 20, 4, Profiler::None)?;
        let linker = Linker::<()>::new(&engine);
        // 100 core instances, or 5 memories in 5 of them: more than any slot holds, refused when
        // compiled (an upload) or else when instantiated.
        for greedy in [memories(100), memories(5)] {
            let refused = match Component::new(&engine, &greedy) {
                Err(err) => format!("{err:?}"),
                Ok(component) => {
                    match linker
                        .instantiate_async(&mut Store::new(&engine, ()), &component)
                        .await
                    {
                        Ok(_) => return Err(format!("instantiated: {greedy}").into()),
                        Err(err) => format!("{err:?}"),
                    }
                }
            };
            assert!(
                refused.contains("exceeds the configured maximum"),
                "{refused}"
            );
        }
        // Every slot is still there for components that keep to theirs.
        let fair = Component::new(&engine, memories(usize::try_from(MEMORIES_PER_SLOT)?))?;
        let mut stores = Vec::new();
        for _ in 0..4 {
            let mut store = Store::new(&engine, ());
            linker.instantiate_async(&mut store, &fair).await?;
            stores.push(store);
        }
        Ok(())
    }
}
