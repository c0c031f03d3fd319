//! Assembles a gateway from its configuration: runtime, plugins, tenants, routes.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

use crate::cache::{CacheError, Caches};
use crate::callbacks::Callbacks;
use crate::config::{Config, StoreBackendKind, TenantConfig};
use crate::dispatch::{Dispatcher, Ledger};
use crate::registry::{Registry, RegistryError};
use crate::runtime::{CompileError, Plugin, Runtime, RuntimeError};
use crate::server::{self, AppState};
use crate::store::{self, Store, StoreError, StoreEvent, Watcher};
use crate::tenant::{Tenant, TenantError, TenantId, Tenants};

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    #[error(transparent)]
    Tenant(#[from] TenantError),
    #[error("cannot read plugin {path}: {source}")]
    ReadPlugin {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("plugin {origin}: {source}")]
    Compile {
        origin: String,
        #[source]
        source: CompileError,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error("cannot create the data directory: {0}")]
    DataDir(#[from] std::io::Error),
    #[error("store.backend = \"postgres\" needs store.url")]
    NoStoreUrl,
    #[error("stored tenant {0} has unreadable settings: {1}")]
    StoredTenant(String, String),
    #[error(
        "tenant {0} names no plugin and no default plugin is available: build it with `make guest` or set runtime.default_plugin"
    )]
    NoPlugin(String),
}

/// A configured gateway, ready to serve.
pub struct Gateway {
    state: Arc<AppState>,
    body_limit_bytes: usize,
    upload_limit_bytes: usize,
    /// Follows activations made by other replicas for as long as the gateway lives.
    _watcher: Option<Watcher>,
}

impl Gateway {
    /// Opens the store (when there is a data directory), compiles or loads every plugin the
    /// tenants need (each distinct one once) and builds the tenants. Slow: this is where
    /// compilation belongs, not on a request.
    pub fn from_config(config: &Config) -> Result<Self, GatewayError> {
        let runtime = Arc::new(Runtime::new(&config.runtime)?);
        let caches = Caches::from_config(&config.cache)?;
        let registry = open_registry(config, &runtime)?;
        let mut loader = Loader {
            runtime: &runtime,
            default_path: config.runtime.default_plugin.clone(),
            compiled: HashMap::new(),
        };
        let tenants = Arc::new(Tenants::default());
        let cap = std::time::Duration::from_millis(config.runtime.outbound_cap_ms);
        let mut declared: Vec<(String, TenantConfig)> = config
            .tenants
            .iter()
            .map(|(id, tenant)| (id.clone(), tenant.clone()))
            .collect();
        if let Some(registry) = &registry {
            // The file declares its tenants; the store keeps them (for plugin versions) and
            // those created through the admin API.
            for (id, tenant) in &declared {
                registry
                    .store()
                    .put_tenant(id, &serde_json::to_value(tenant).unwrap_or_default())?;
            }
            for record in registry.store().tenants()? {
                if !config.tenants.contains_key(&record.id) {
                    let tenant = serde_json::from_value(record.settings).map_err(|err| {
                        GatewayError::StoredTenant(record.id.clone(), err.to_string())
                    })?;
                    declared.push((record.id, tenant));
                }
            }
        }
        for (id, tenant_config) in declared {
            let id = TenantId::parse(&id)?;
            let active = match &registry {
                Some(registry) => registry.store().active_version(id.as_str())?,
                None => None,
            };
            let plugin = match (&registry, active) {
                (Some(registry), Some(version)) => registry.load(&version.digest)?,
                _ => loader.load(tenant_config.plugin.as_deref(), &id)?,
            };
            tenants.insert(Tenant::from_config(
                id,
                &tenant_config,
                plugin,
                cap,
                &caches,
            )?);
        }
        let watcher = match (&registry, &config.store.url) {
            (Some(registry), Some(url)) if registry.store().is_shared() => Some(follow(
                url.expose(),
                Follower {
                    registry: Arc::clone(registry),
                    tenants: Arc::clone(&tenants),
                    caches: caches.clone(),
                    outbound_cap: cap,
                },
            )?),
            _ => None,
        };
        let default_plugin = loader.load(None, &TenantId::parse("default")?).ok();
        // Install the metrics recorder before the first call records anything.
        let _ = crate::metrics::handle();
        let callbacks = registry
            .as_ref()
            .map(|registry| Arc::new(Callbacks::new(Arc::clone(registry.store()))));
        // With a shared cache, retries landing on another replica are answered once too.
        let ledger = match &caches {
            Caches::Redis(redis) => Ledger::shared(Arc::clone(redis), cap),
            Caches::Memory => Ledger::default(),
        };
        let state = Arc::new(AppState::new(
            tenants,
            Dispatcher::new(runtime, callbacks, ledger),
            config.server.admin_token.clone(),
            registry,
            default_plugin,
            cap,
            caches,
        ));
        Ok(Self {
            state,
            body_limit_bytes: config.server.body_limit_bytes,
            upload_limit_bytes: config.server.upload_limit_bytes,
            _watcher: watcher,
        })
    }

    /// Answers `tenant`'s tool calls with native code instead of its plugin (see
    /// [`Builtin`](crate::dispatch::Builtin)). Only before the gateway serves: afterwards the
    /// state is shared and this returns `false`.
    pub fn set_builtin(
        &mut self,
        tenant: &str,
        builtin: Arc<dyn crate::dispatch::Builtin>,
    ) -> bool {
        match Arc::get_mut(&mut self.state) {
            Some(state) => {
                state.dispatcher.set_builtin(tenant, builtin);
                true
            }
            None => false,
        }
    }

    pub fn router(&self) -> Router {
        server::router(
            Arc::clone(&self.state),
            self.body_limit_bytes,
            self.upload_limit_bytes,
        )
    }

    pub fn tenants(&self) -> &Tenants {
        &self.state.tenants
    }

    pub fn runtime(&self) -> &Arc<Runtime> {
        self.state.dispatcher.runtime()
    }

    /// The dispatcher the webhooks use, so a tool call can be answered without a server
    /// (`slotline plugin invoke`) exactly as a platform's call would be.
    pub fn dispatcher(&self) -> &Dispatcher {
        &self.state.dispatcher
    }

    /// Serves on `listener` until the process ends.
    pub async fn serve(self, listener: TcpListener) -> std::io::Result<()> {
        // Notifications that were not confirmed before the last stop go out again.
        if let Some(Err(err)) = self
            .state
            .dispatcher
            .callbacks()
            .map(|callbacks| callbacks.resume(&self.state.tenants))
        {
            tracing::warn!(error = %err, "cannot resume notifications");
        }
        axum::serve(listener, self.router()).await
    }

    /// Binds `addr` (port 0 picks a free one) and serves in the background.
    pub async fn spawn(self, addr: SocketAddr) -> std::io::Result<RunningGateway> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = Arc::clone(&self.state);
        let task = tokio::spawn(async move {
            if let Err(err) = self.serve(listener).await {
                tracing::error!(error = %err, "gateway stopped");
            }
        });
        Ok(RunningGateway { addr, state, task })
    }
}

/// A gateway serving in the background; stops when dropped.
pub struct RunningGateway {
    pub addr: SocketAddr,
    state: Arc<AppState>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningGateway {
    pub fn tenants(&self) -> &Tenants {
        &self.state.tenants
    }

    pub fn runtime(&self) -> &Arc<Runtime> {
        self.state.dispatcher.runtime()
    }
}

impl Drop for RunningGateway {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The store the configuration names and the registry on it; `None` when plugin versions are
/// not kept (SQLite without a data directory).
fn open_registry(
    config: &Config,
    runtime: &Arc<Runtime>,
) -> Result<Option<Arc<Registry>>, GatewayError> {
    let (store, dir) = match (config.store.backend, &config.server.data_dir) {
        (StoreBackendKind::Sqlite, None) => return Ok(None),
        (StoreBackendKind::Sqlite, Some(dir)) => (Store::open(dir)?, dir.clone()),
        (StoreBackendKind::Postgres, dir) => {
            let url = config.store.url.as_ref().ok_or(GatewayError::NoStoreUrl)?;
            // The data directory only caches components and this replica's artifacts, so a
            // replica without one can use a scratch directory: its own, readable by nobody
            // else, since artifacts found there are loaded as machine code.
            let dir = match dir {
                Some(dir) => dir.clone(),
                None => scratch_dir()?,
            };
            (Store::connect(url.expose())?, dir)
        }
    };
    Ok(Some(Arc::new(Registry::new(
        &dir,
        Arc::new(store),
        Arc::clone(runtime),
    )?)))
}

/// A fresh directory of this process alone (mode 0700), for a replica without a data
/// directory.
fn scratch_dir() -> std::io::Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let dir = std::env::temp_dir().join(format!(
        "slotline-replica-{}-{}",
        std::process::id(),
        hex::encode(rand::random::<[u8; 6]>())
    ));
    std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
    Ok(dir)
}

/// Applies the activations other replicas make to this one's tenants, as the shared store
/// announces them (and all of them after a reconnection, when some may have been missed).
/// A tenant this replica does not know yet (created on another replica) is adopted from the
/// store at its first activation.
fn follow(url: &str, follower: Follower) -> Result<Watcher, StoreError> {
    let follower = Arc::new(follower);
    let listening = Arc::clone(&follower);
    let watcher = store::watch(url, move |event| {
        let affected = match event {
            StoreEvent::Activated { tenant } => vec![tenant],
            StoreEvent::Uploaded { tenant, digest } => {
                // Compiled now, the version's activation will only be a swap. The replica
                // that received the upload already has the artifact.
                match listening.registry.prepare(&digest) {
                    Ok(true) => {
                        metrics::counter!("slotline_plugin_uploads_precompiled_total").increment(1)
                    }
                    Ok(false) => {}
                    Err(err) => {
                        tracing::warn!(tenant, digest, error = %err, "cannot precompile an upload from another replica")
                    }
                }
                return;
            }
            _ => listening.every_tenant(),
        };
        listening.sync_all(affected);
    })?;
    // What was activated while this replica loaded its plugins, before it listened.
    follower.sync_all(follower.every_tenant());
    Ok(watcher)
}

/// What following other replicas' activations needs.
struct Follower {
    registry: Arc<Registry>,
    tenants: Arc<Tenants>,
    caches: Caches,
    outbound_cap: std::time::Duration,
}

impl Follower {
    /// Every tenant this replica serves or the store knows.
    fn every_tenant(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.tenants.ids().iter().map(ToString::to_string).collect();
        match self.registry.store().tenants() {
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

    fn sync(&self, id: &str) -> Result<(), GatewayError> {
        if let Some(tenant) = self.tenants.get(id) {
            self.registry.sync(&tenant)?;
            return Ok(());
        }
        let store = self.registry.store();
        let (Some(record), Some(active)) = (store.tenant(id)?, store.active_version(id)?) else {
            return Ok(());
        };
        let config: TenantConfig = serde_json::from_value(record.settings)
            .map_err(|err| GatewayError::StoredTenant(id.to_owned(), err.to_string()))?;
        let plugin = self.registry.load(&active.digest)?;
        let tenant = Tenant::from_config(
            TenantId::parse(id)?,
            &config,
            plugin,
            self.outbound_cap,
            &self.caches,
        )?;
        self.tenants.insert(tenant);
        tracing::info!(
            tenant = id,
            version = active.version,
            "tenant created on another replica adopted"
        );
        Ok(())
    }
}

/// Compiles plugins named by path (or the default plugin), each distinct one once.
struct Loader<'a> {
    runtime: &'a Runtime,
    default_path: Option<PathBuf>,
    compiled: HashMap<Option<PathBuf>, Arc<Plugin>>,
}

impl Loader<'_> {
    fn load(
        &mut self,
        path: Option<&Path>,
        tenant: &TenantId,
    ) -> Result<Arc<Plugin>, GatewayError> {
        let source = path
            .map(Path::to_owned)
            .or_else(|| self.default_path.clone());
        if let Some(plugin) = self.compiled.get(&source) {
            return Ok(Arc::clone(plugin));
        }
        let plugin = Arc::new(load_plugin(self.runtime, source.as_deref(), tenant)?);
        self.compiled.insert(source, Arc::clone(&plugin));
        Ok(plugin)
    }
}

fn load_plugin(
    runtime: &Runtime,
    path: Option<&Path>,
    tenant: &TenantId,
) -> Result<Plugin, GatewayError> {
    let (bytes, origin) = match path {
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|source| GatewayError::ReadPlugin {
                path: path.to_owned(),
                source,
            })?;
            (std::borrow::Cow::Owned(bytes), path.display().to_string())
        }
        None => {
            let bytes =
                crate::DEFAULT_PLUGIN.ok_or_else(|| GatewayError::NoPlugin(tenant.to_string()))?;
            (
                std::borrow::Cow::Borrowed(bytes),
                "default plugin".to_owned(),
            )
        }
    };
    let started = std::time::Instant::now();
    let plugin = runtime
        .compile(&bytes)
        .map_err(|source| GatewayError::Compile { origin, source })?;
    tracing::info!(
        digest = plugin.digest(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "plugin compiled"
    );
    Ok(plugin)
}
