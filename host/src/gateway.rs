//! Assembles a gateway from its configuration: runtime, plugins, tenants, routes.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::dispatch::Dispatcher;
use crate::runtime::{CompileError, Plugin, Runtime, RuntimeError};
use crate::server::{self, AppState};
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
    #[error(
        "tenant {0} names no plugin and no default plugin is available: build it with `make guest` or set runtime.default_plugin"
    )]
    NoPlugin(String),
}

/// A configured gateway, ready to serve.
pub struct Gateway {
    state: Arc<AppState>,
    body_limit_bytes: usize,
}

impl Gateway {
    /// Compiles every plugin the configuration names (each distinct one once) and builds the
    /// tenants. Slow: this is where compilation belongs, not on a request.
    pub fn from_config(config: &Config) -> Result<Self, GatewayError> {
        let runtime = Arc::new(Runtime::new(&config.runtime)?);
        let tenants = Arc::new(Tenants::default());
        let mut compiled: HashMap<Option<PathBuf>, Arc<Plugin>> = HashMap::new();
        for (id, tenant_config) in &config.tenants {
            let id = TenantId::parse(id)?;
            let source = tenant_config
                .plugin
                .clone()
                .or_else(|| config.runtime.default_plugin.clone());
            let plugin = match compiled.get(&source) {
                Some(plugin) => Arc::clone(plugin),
                None => {
                    let plugin = Arc::new(load_plugin(&runtime, source.as_deref(), &id)?);
                    compiled.insert(source, Arc::clone(&plugin));
                    plugin
                }
            };
            let cap = std::time::Duration::from_millis(config.runtime.outbound_cap_ms);
            tenants.insert(Tenant::from_config(id, tenant_config, plugin, cap)?);
        }
        // Install the metrics recorder before the first call records anything.
        let _ = crate::metrics::handle();
        let state = Arc::new(AppState::new(
            tenants,
            Dispatcher::new(runtime),
            config.server.admin_token.clone(),
        ));
        Ok(Self {
            state,
            body_limit_bytes: config.server.body_limit_bytes,
        })
    }

    pub fn router(&self) -> Router {
        server::router(Arc::clone(&self.state), self.body_limit_bytes)
    }

    pub fn tenants(&self) -> &Tenants {
        &self.state.tenants
    }

    pub fn runtime(&self) -> &Arc<Runtime> {
        self.state.dispatcher.runtime()
    }

    /// Serves on `listener` until the process ends.
    pub async fn serve(self, listener: TcpListener) -> std::io::Result<()> {
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
