//! What one tenant's plugin calls run with, handed to the runtime as one value.
//!
//! The runtime knows no tenant: it gets a [`PluginEnv`] (the active plugin version, the
//! outbound policy and breakers, the cache namespace, the settings, and the id that labels
//! metrics), the way Spin hands each factor its instance state. The tenant owns its
//! environment; the runtime only borrows it for a call.

use std::sync::Arc;

use arc_swap::ArcSwap;

use super::plugin::Plugin;
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
    /// The active plugin version. A call loads it once and keeps its `Arc`, so an activation
    /// never changes the plugin under a call in flight.
    plugin: ArcSwap<Plugin>,
}

impl PluginEnv {
    /// An environment serving `plugin` until another version is activated.
    pub fn new(
        id: TenantId,
        outbound: Arc<TenantOutbound>,
        cache: Arc<TenantCache>,
        settings: Arc<Settings>,
        plugin: Arc<Plugin>,
    ) -> Self {
        Self {
            id,
            outbound,
            cache,
            settings,
            plugin: ArcSwap::new(plugin),
        }
    }

    /// The active plugin version.
    pub fn plugin(&self) -> Arc<Plugin> {
        self.plugin.load_full()
    }

    /// Makes `plugin` the active version; calls in flight finish on the one they loaded.
    pub fn activate(&self, plugin: Arc<Plugin>) {
        self.plugin.store(plugin);
    }
}
