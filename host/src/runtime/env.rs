//! What one tenant's plugin calls run with, handed to the runtime as one value.
//!
//! The runtime knows no tenant: it gets a [`PluginEnv`] (the active plugin version, the
//! outbound policy and breakers, the cache namespace, the settings, and the id that labels
//! metrics), the way Spin hands each factor its instance state. The tenant owns its
//! environment; the runtime only borrows it for a call.

use std::sync::{Arc, OnceLock};

use arc_swap::ArcSwap;
use tokio::sync::Semaphore;

use super::needs::Allowance;
use super::plugin::Plugin;
use super::serving::{Route, Served, Serving};
use super::wasi_config::Settings;
use crate::cache::TenantCache;
use crate::outbound::TenantOutbound;
use crate::tenant::TenantId;

/// Everything a plugin call of one tenant needs from the host.
pub struct PluginEnv {
    /// Labels metrics and limit hits; never shown to the plugin as a way to reach others.
    pub id: TenantId,
    /// Allowlist, timeouts, budgets and circuit breakers of outbound HTTP.
    pub outbound: Arc<TenantOutbound>,
    /// The tenant's cache namespace (`wasi:keyvalue`).
    pub cache: Arc<TenantCache>,
    /// The tenant's settings (`wasi:config`).
    pub settings: Arc<Settings>,
    /// What one of its instances may hold (`plugin_limits`).
    pub allowance: Allowance,
    /// The versions served. A call routes once and keeps its plugin's `Arc`, so an
    /// activation never changes the plugin under a call in flight.
    serving: ArcSwap<Serving>,
    /// The instance slots this tenant's calls hold; sized by the runtime at the first call.
    instance_share: OnceLock<Semaphore>,
}

impl PluginEnv {
    /// An environment serving `plugin` until another version is activated.
    pub fn new(
        id: TenantId,
        outbound: Arc<TenantOutbound>,
        cache: Arc<TenantCache>,
        settings: Arc<Settings>,
        allowance: Allowance,
        plugin: Arc<Plugin>,
    ) -> Self {
        Self {
            id,
            outbound,
            cache,
            settings,
            allowance,
            instance_share: OnceLock::new(),
            serving: ArcSwap::from_pointee(Serving::only(Served {
                plugin,
                version: None,
            })),
        }
    }

    /// The tenant's share of the instance slots, `permits` of them: a call holds one of
    /// these before it takes one of the pool's.
    pub(super) fn instance_share(&self, permits: usize) -> &Semaphore {
        self.instance_share.get_or_init(|| Semaphore::new(permits))
    }

    /// The active plugin version (the stable one, under a canary).
    pub fn plugin(&self) -> Arc<Plugin> {
        Arc::clone(&self.serving.load().stable.plugin)
    }

    /// What is served now.
    pub fn serving(&self) -> Arc<Serving> {
        self.serving.load_full()
    }

    /// The version that answers the phone call `call_id`.
    pub fn route(&self, call_id: &str) -> Route {
        self.serving.load().route(call_id)
    }

    /// Makes `plugin` the only version served, for every call; calls in flight finish on the
    /// one they loaded.
    pub fn activate(&self, plugin: Arc<Plugin>) {
        self.serve(|_| {
            Serving::only(Served {
                plugin: Arc::clone(&plugin),
                version: None,
            })
        });
    }

    /// Replaces what is served with what `next` makes of it (atomically: `next` may run
    /// again when another change raced it).
    pub fn serve(&self, next: impl Fn(&Serving) -> Serving) {
        self.serving.rcu(|current| next(current));
    }
}
