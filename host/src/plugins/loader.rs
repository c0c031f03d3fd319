//! Plugins named in the configuration: compiled at start from a path, or the embedded default
//! plugin, each distinct one once.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use crate::runtime::{CompileError, Plugin, Runtime};
use crate::tenant::TenantId;

/// Why a configured plugin cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file named by `plugin` or `runtime.default_plugin` cannot be read.
    #[error("cannot read plugin {path}: {source}")]
    ReadPlugin {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The component is not a usable plugin.
    #[error("plugin {origin}: {source}")]
    Compile {
        /// The file, or "default plugin".
        origin: String,
        /// What is wrong with it.
        #[source]
        source: CompileError,
    },
    /// The tenant names no plugin and this binary embeds none.
    #[error(
        "tenant {0} names no plugin and no default plugin is available: build it with `make guest` or set runtime.default_plugin"
    )]
    NoPlugin(String),
}

/// Compiles plugins named by path (or the default plugin), each distinct one once.
pub struct Loader<'a> {
    runtime: &'a Runtime,
    default_path: Option<PathBuf>,
    compiled: HashMap<Option<PathBuf>, Arc<Plugin>>,
}

impl<'a> Loader<'a> {
    /// A loader whose default plugin is `default_path` (`runtime.default_plugin`), or the
    /// embedded one.
    pub fn new(runtime: &'a Runtime, default_path: Option<PathBuf>) -> Self {
        Self {
            runtime,
            default_path,
            compiled: HashMap::new(),
        }
    }

    /// The plugin at `path`, or the default plugin, for `tenant` (named in errors).
    pub fn load(
        &mut self,
        path: Option<&Path>,
        tenant: &TenantId,
    ) -> Result<Arc<Plugin>, LoadError> {
        let source = path
            .map(Path::to_owned)
            .or_else(|| self.default_path.clone());
        if let Some(plugin) = self.compiled.get(&source) {
            return Ok(Arc::clone(plugin));
        }
        let plugin = Arc::new(compile(self.runtime, source.as_deref(), tenant)?);
        self.compiled.insert(source, Arc::clone(&plugin));
        Ok(plugin)
    }
}

fn compile(runtime: &Runtime, path: Option<&Path>, tenant: &TenantId) -> Result<Plugin, LoadError> {
    let (bytes, origin) = match path {
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|source| LoadError::ReadPlugin {
                path: path.to_owned(),
                source,
            })?;
            (Cow::Owned(bytes), path.display().to_string())
        }
        None => {
            let bytes =
                crate::DEFAULT_PLUGIN.ok_or_else(|| LoadError::NoPlugin(tenant.to_string()))?;
            (Cow::Borrowed(bytes), "default plugin".to_owned())
        }
    };
    let started = Instant::now();
    let plugin = runtime
        .compile(&bytes)
        .map_err(|source| LoadError::Compile { origin, source })?;
    tracing::info!(
        digest = plugin.digest(),
        elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        "plugin compiled"
    );
    Ok(plugin)
}
