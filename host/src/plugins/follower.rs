//! Following other replicas: the activations, uploads and settings they make reach this
//! replica's tenants, as the shared store announces them (and all of them after a
//! reconnection, when some may have been missed). A tenant this replica does not know yet
//! (created on another replica) is adopted from the store at its first activation.

use std::sync::Arc;

use super::registry::{Registry, RegistryError};
use crate::config::TenantConfig;
use crate::runtime::Serving;
use crate::store::{self, StoreError, StoreEvent, Watcher};
use crate::tenant::{InvalidTenantId, TenantError, TenantFactory, TenantId, Tenants};

/// Why another replica's change could not be applied here.
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    /// Loading the version failed.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The stored tenant's configuration cannot be served.
    #[error(transparent)]
    Tenant(#[from] TenantError),
    /// The store holds a tenant id that is not one.
    #[error(transparent)]
    Id(#[from] InvalidTenantId),
    /// The stored settings are not a tenant configuration.
    #[error("stored tenant {0} has unreadable settings: {1}")]
    StoredTenant(String, String),
}

/// What following other replicas' changes needs.
pub struct Follower {
    registry: Arc<Registry>,
    tenants: Arc<Tenants>,
    factory: Arc<TenantFactory>,
}

impl Follower {
    /// Follows changes to `tenants` recorded in `registry`'s shared store.
    pub fn new(
        registry: Arc<Registry>,
        tenants: Arc<Tenants>,
        factory: Arc<TenantFactory>,
    ) -> Self {
        Self {
            registry,
            tenants,
            factory,
        }
    }

    /// Listens to the store at `url` for as long as the returned watcher lives, after
    /// applying what was activated while this replica loaded its plugins.
    pub fn follow(self, url: &str) -> Result<Watcher, StoreError> {
        let follower = Arc::new(self);
        let listening = Arc::clone(&follower);
        let watcher = store::watch(url, move |event| {
            let affected = match event {
                StoreEvent::Activated { tenant } => vec![tenant],
                StoreEvent::Uploaded { tenant, digest } => {
                    listening.prepare(&tenant, &digest);
                    return;
                }
                StoreEvent::Settings { tenant } => {
                    listening.resettle_all(vec![tenant]);
                    return;
                }
                _ => {
                    let every = listening.every_tenant();
                    listening.resettle_all(every.clone());
                    every
                }
            };
            listening.sync_all(affected);
        })?;
        // What was activated while this replica loaded its plugins, before it listened.
        follower.sync_all(follower.every_tenant());
        Ok(watcher)
    }

    /// Compiled now, the version's activation will only be a swap. The replica that received
    /// the upload already has the artifact.
    fn prepare(&self, tenant: &str, digest: &str) {
        match self.registry.prepare(digest) {
            Ok(true) => metrics::counter!("slotline_plugin_uploads_precompiled_total").increment(1),
            Ok(false) => {}
            Err(err) => {
                tracing::warn!(tenant, digest, error = %err, "cannot precompile an upload from another replica")
            }
        }
    }

    /// Every tenant this replica serves or the store knows.
    fn every_tenant(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.tenants.ids().iter().map(ToString::to_string).collect();
        match self.registry.wait(self.registry.store().tenants()) {
            Ok(stored) => ids.extend(stored.into_iter().map(|record| record.id)),
            Err(err) => tracing::warn!(error = %err, "cannot list the stored tenants"),
        }
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    fn sync_all(&self, tenants: Vec<String>) {
        for tenant in tenants {
            if let Err(err) = self.sync(&tenant) {
                tracing::error!(tenant, error = %err, "cannot follow an activation on another replica");
            }
        }
    }

    fn resettle_all(&self, tenants: Vec<String>) {
        for tenant in tenants {
            if let Err(err) = self.resettle(&tenant) {
                tracing::error!(tenant, error = %err, "cannot follow a settings change on another replica");
            }
        }
    }

    /// Rebuilds the tenant on its stored settings when they are not what it runs on, keeping
    /// its plugin and what it serves (a canary, calls pinned to a version), as a `PUT` of the
    /// tenant on this replica does. A tenant not served here is left to its first activation.
    fn resettle(&self, id: &str) -> Result<(), FollowError> {
        let Some(existing) = self.tenants.get(id) else {
            return Ok(());
        };
        let Some(record) = self.registry.wait(self.registry.store().tenant(id))? else {
            return Ok(());
        };
        let config: TenantConfig = serde_json::from_value(record.settings)
            .map_err(|err| FollowError::StoredTenant(id.to_owned(), err.to_string()))?;
        let wanted = serde_json::to_value(&config)
            .map_err(|err| FollowError::StoredTenant(id.to_owned(), err.to_string()))?;
        if wanted == existing.configured_as {
            return Ok(());
        }
        let tenant = self
            .factory
            .build(TenantId::parse(id)?, &config, existing.plugin())?;
        let serving = existing.env.serving();
        tenant.env.serve(|_| Serving::clone(&serving));
        self.tenants.insert(tenant);
        metrics::counter!("slotline_tenant_settings_followed_total").increment(1);
        tracing::info!(tenant = id, "settings changed on another replica applied");
        Ok(())
    }

    fn sync(&self, id: &str) -> Result<(), FollowError> {
        if let Some(tenant) = self.tenants.get(id) {
            self.registry.sync(&tenant)?;
            return Ok(());
        }
        let store = self.registry.store();
        let (Some(record), Some(active)) = (
            self.registry.wait(store.tenant(id))?,
            self.registry.wait(store.active_version(id))?,
        ) else {
            return Ok(());
        };
        let config: TenantConfig = serde_json::from_value(record.settings)
            .map_err(|err| FollowError::StoredTenant(id.to_owned(), err.to_string()))?;
        let plugin = self.registry.load(&active.digest)?;
        let tenant = self.factory.build(TenantId::parse(id)?, &config, plugin)?;
        self.tenants.insert(tenant);
        if let Some(tenant) = self.tenants.get(id) {
            self.registry.sync(&tenant)?;
        }
        tracing::info!(
            tenant = id,
            version = active.version,
            "tenant created on another replica adopted"
        );
        Ok(())
    }
}
