//! Assembles a gateway from its configuration: runtime, caches, store, plugins, tenants,
//! dispatcher, routes. Nothing here runs on a request; each part lives in its own module.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;

use crate::cache::{CacheError, Caches};
use crate::calllog::CallLog;
use crate::calls::PhoneCalls;
use crate::config::{Config, StoreBackendKind, TenantConfig};
use crate::dispatch::{Callbacks, Dispatcher, Ledger};
use crate::plugins::{Follower, LoadError, Loader, Monitor, Registry, RegistryError};
use crate::runtime::{Runtime, RuntimeError};
use crate::server::{self, AppState};
use crate::store::{Store, StoreError, Watcher};
use crate::tenant::{InvalidTenantId, TenantError, TenantFactory, TenantId, Tenants};

/// Why a gateway could not be assembled from its configuration.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The WebAssembly runtime.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// A tenant's configuration.
    #[error(transparent)]
    Tenant(#[from] TenantError),
    /// A tenant id.
    #[error(transparent)]
    TenantId(#[from] InvalidTenantId),
    /// A plugin named in the configuration.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The store.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The cache backend.
    #[error(transparent)]
    Cache(#[from] CacheError),
    /// A stored plugin version.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The data directory.
    #[error("cannot create the data directory: {0}")]
    DataDir(#[from] std::io::Error),
    /// PostgreSQL without a URL.
    #[error("store.backend = \"postgres\" needs store.url")]
    NoStoreUrl,
    /// A stored tenant's configuration is not readable.
    #[error("stored tenant {0} has unreadable settings: {1}")]
    StoredTenant(String, String),
    /// The call log's writer.
    #[error(transparent)]
    CallLog(#[from] crate::calllog::NoRuntime),
    /// A startup step on the blocking pool did not finish (the runtime is shutting down).
    #[error("starting was interrupted: {0}")]
    Startup(String),
    /// The HTTP client that delivers notifications.
    #[error("cannot build the notification client: {0}")]
    Http(#[from] reqwest::Error),
}

/// A configured gateway, ready to serve.
pub struct Gateway {
    state: Arc<AppState>,
    body_limits: server::BodyLimits,
    intent_pace: crate::dispatch::intents::SettlePace,
    call_log_sweep: Duration,
    /// Follows activations made by other replicas for as long as the gateway lives.
    _watcher: Option<Watcher>,
}

impl Gateway {
    /// Opens the store (when there is a data directory), compiles or loads every plugin the
    /// tenants need (each distinct one once) and builds the tenants. Slow: this is where
    /// compilation belongs, not on a request.
    pub async fn from_config(config: &Config) -> Result<Self, GatewayError> {
        let runtime = Arc::new(Runtime::new(&config.runtime)?);
        let caches = Caches::from_config(&config.cache)?;
        let registry = open_registry(config, &runtime).await?;
        let mut loader = Loader::new(&runtime, config.runtime.default_plugin.clone());
        let tenants = Arc::new(Tenants::default());
        let cap = std::time::Duration::from_millis(config.runtime.outbound_cap_ms);
        // A gateway whose every tenant names its own plugin needs no default one.
        let default_plugin = loader.load(None, &TenantId::parse("default")?).ok();
        let factory = Arc::new(TenantFactory::new(
            cap,
            caches.clone(),
            config.runtime.memory_limit_mib,
            default_plugin,
        ));
        let mut declared: Vec<(String, TenantConfig)> = config
            .tenants
            .iter()
            .map(|(id, tenant)| (id.clone(), tenant.clone()))
            .collect();
        if let Some(registry) = &registry {
            // The file declares its tenants; the store keeps them (for plugin versions) and
            // those created through the admin API.
            for (id, tenant) in &declared {
                let settings = serde_json::to_value(tenant)
                    .map_err(|err| GatewayError::StoredTenant(id.clone(), err.to_string()))?;
                registry.store().put_tenant(id, &settings).await?;
            }
            for record in registry.store().tenants().await? {
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
                Some(registry) => registry.store().active_version(id.as_str()).await?,
                None => None,
            };
            let plugin = match (&registry, active) {
                (Some(registry), Some(version)) => {
                    let registry = Arc::clone(registry);
                    off_runtime(move || Ok(registry.load(&version.digest)?)).await?
                }
                _ => loader.load(tenant_config.plugin.as_deref(), &id)?,
            };
            tenants.insert(factory.build(id.clone(), &tenant_config, plugin)?);
            // The version numbers served and a canary running, as the store has them.
            if let (Some(registry), Some(tenant)) = (&registry, tenants.get(id.as_str())) {
                let registry = Arc::clone(registry);
                off_runtime(move || Ok(registry.sync(&tenant)?)).await?;
            }
        }
        let watcher = match (&registry, &config.store.url) {
            (Some(registry), Some(url)) if registry.store().is_shared() => {
                let follower = Follower::new(
                    Arc::clone(registry),
                    Arc::clone(&tenants),
                    Arc::clone(&factory),
                );
                let url = url.expose().to_owned();
                Some(off_runtime(move || Ok(follower.follow(&url)?)).await?)
            }
            _ => None,
        };
        // Install the metrics recorder before the first call records anything.
        let _ = crate::metrics::handle();
        let callbacks = match &registry {
            Some(registry) => Some(Arc::new(Callbacks::new(Arc::clone(registry.store()))?)),
            None => None,
        };
        // With a shared cache, retries landing on another replica are answered once too.
        let ledger = match &caches {
            Caches::Redis(redis) => Ledger::shared(Arc::clone(redis), cap),
            Caches::Memory => Ledger::default(),
        };
        let call_log = match &registry {
            Some(registry) if config.call_log.enabled => Some(CallLog::start(
                Arc::clone(registry.store()),
                &config.call_log,
            )?),
            _ => None,
        };
        let dispatcher = Dispatcher::new(
            Arc::clone(&runtime),
            PhoneCalls::new(
                runtime,
                Arc::clone(&tenants),
                match &caches {
                    Caches::Redis(redis) => Some(Arc::clone(redis)),
                    Caches::Memory => None,
                },
            ),
            callbacks,
            ledger,
        );
        let dispatcher = match call_log {
            Some(call_log) => dispatcher.with_call_log(call_log),
            None => dispatcher,
        };
        let state = Arc::new(
            AppState::new(
                Arc::clone(&tenants),
                factory,
                dispatcher,
                config.server.admin_token.clone(),
                registry,
            )
            .with_caches(caches.clone()),
        );
        Ok(Self {
            state,
            intent_pace: crate::dispatch::intents::SettlePace {
                every: Duration::from_millis(config.server.intent_retry_ms.max(1)),
                between: Duration::from_millis(config.server.intent_pace_ms),
            },
            call_log_sweep: Duration::from_secs(config.call_log.sweep_every_secs),
            body_limits: server::BodyLimits {
                body_bytes: config.server.body_limit_bytes,
                upload_bytes: config.server.upload_limit_bytes,
                body_timeout: Duration::from_millis(config.server.body_timeout_ms),
                upload_timeout: Duration::from_millis(config.server.upload_timeout_ms),
            },
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

    /// Every route, with body limits.
    pub fn router(&self) -> Router {
        server::router(Arc::clone(&self.state), self.body_limits)
    }

    /// The tenants served.
    pub fn tenants(&self) -> &Tenants {
        &self.state.tenants
    }

    /// The runtime plugins run on.
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
        if let Some(callbacks) = self.state.dispatcher.callbacks()
            && let Err(err) = callbacks.resume(&self.state.tenants).await
        {
            tracing::warn!(error = %err, "cannot resume notifications");
        }
        // Booking intents recorded while the calendar was away are booked once it is back.
        crate::dispatch::intents::spawn_settler(
            self.state.dispatcher.clone(),
            Arc::clone(&self.state.tenants),
            self.intent_pace,
        );
        // What tenants keep beyond their retention goes, now and then daily.
        if let Some(call_log) = self.state.dispatcher.call_log() {
            call_log.spawn_sweeper(Arc::clone(&self.state.tenants), self.call_log_sweep);
        }
        let router = self.router();
        match self.state.registry.clone() {
            // Canaries are reported and judged for as long as the gateway serves, and stop
            // with it.
            Some(registry) => {
                let monitor = Monitor::new(registry, Arc::clone(&self.state.tenants));
                tokio::select! {
                    served = axum::serve(listener, router) => served,
                    () = monitor.run() => Ok(()),
                }
            }
            None => axum::serve(listener, router).await,
        }
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
    /// Where it listens.
    pub addr: SocketAddr,
    state: Arc<AppState>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningGateway {
    /// The tenants served.
    pub fn tenants(&self) -> &Tenants {
        &self.state.tenants
    }

    /// The runtime plugins run on.
    pub fn runtime(&self) -> &Arc<Runtime> {
        self.state.dispatcher.runtime()
    }

    /// Live phone calls, warm-ups and holds.
    pub fn calls(&self) -> &Arc<PhoneCalls> {
        self.state.dispatcher.calls()
    }

    /// Waits until the call log has written every record of the calls answered so far
    /// (tests, and a graceful stop); at once when calls are not logged.
    pub async fn flush_call_log(&self) {
        if let Some(call_log) = self.state.dispatcher.call_log() {
            call_log.flush().await;
        }
    }
}

impl Drop for RunningGateway {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Runs registry work that blocks (loading and compiling plugins, waiting for the store from
/// the registry's blocking code: [`Registry::wait`]) on the blocking pool, so that starting
/// works on either kind of tokio runtime ([`crate::blocking::run`]).
async fn off_runtime<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, GatewayError> + Send + 'static,
) -> Result<T, GatewayError> {
    crate::blocking::run(work)
        .await
        .map_err(|err| GatewayError::Startup(err.to_string()))?
}

/// The store the configuration names and the registry on it; `None` when plugin versions are
/// not kept (SQLite without a data directory).
async fn open_registry(
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
            (Store::connect(url.expose()).await?, dir)
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
