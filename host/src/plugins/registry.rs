//! Plugin versions of every tenant: validated, stored by digest, precompiled, activated.
//!
//! Bytes live in `<data_dir>/plugins/<digest>.wasm`, precompiled code in
//! `<data_dir>/artifacts/<digest>-<engine>.cwasm`, and the versions and the active one per
//! tenant in the store. Every file is written to a temporary name and renamed, and the store
//! row comes last, so a process killed at any point leaves either the old state or the new
//! one: the active version only ever changes in one store transaction.
//!
//! With a shared store (PostgreSQL) the component's bytes go into the store too, before its
//! version row, and the local files are only this replica's cache of them: a replica that
//! learns of a version it has never seen fetches the component from the store and compiles its
//! own artifact (artifacts are specific to the engine and CPU, so they are never shared).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

use crate::limits::Limit;
use crate::runtime::compile_worker::{Budget, Refusal};
use crate::runtime::{
    Allowance, AllowanceError, CanaryRoute, CompileError, Plugin, Runtime, Served, digest,
};
use crate::store::{CanaryState, DeletedVersion, PluginVersion, StorageQuota, Store, StoreError};
use crate::tenant::Tenant;

/// Why a version could not be uploaded, loaded or activated.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The bytes are not a usable plugin.
    #[error(transparent)]
    Invalid(#[from] CompileError),
    /// The version needs more than the tenant's `plugin_limits` give.
    #[error(transparent)]
    Limits(#[from] AllowanceError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The data directory failed.
    #[error("plugin storage: {0}")]
    Io(#[from] std::io::Error),
    /// A version whose component is nowhere to be found.
    #[error("component sha256:{0} is in neither this replica's data directory nor the store")]
    MissingComponent(String),
    /// The tenant has no such version.
    #[error("tenant {tenant} has no plugin version {version}")]
    UnknownVersion {
        /// The tenant.
        tenant: String,
        /// The version asked for.
        version: u32,
    },
}

/// Every tenant's plugin versions, on disk and in the store.
pub struct Registry {
    plugins_dir: PathBuf,
    artifacts_dir: PathBuf,
    store: Arc<Store>,
    runtime: Arc<Runtime>,
    /// Plugins in memory by digest, so tenants sharing a version share its code.
    loaded: Mutex<HashMap<String, Weak<Plugin>>>,
    /// The runtime the store's operations are awaited on from this blocking code (see
    /// [`Registry::wait`]).
    handle: tokio::runtime::Handle,
}

impl Registry {
    /// A registry keeping files under `data_dir` and versions in `store`.
    ///
    /// Must be made inside a tokio runtime: the store's operations are driven by it.
    pub fn new(data_dir: &Path, store: Arc<Store>, runtime: Arc<Runtime>) -> std::io::Result<Self> {
        let handle = tokio::runtime::Handle::try_current().map_err(|err| {
            std::io::Error::other(format!("the plugin registry needs a tokio runtime ({err})"))
        })?;
        let plugins_dir = data_dir.join("plugins");
        let artifacts_dir = data_dir.join("artifacts");
        std::fs::create_dir_all(&plugins_dir)?;
        std::fs::create_dir_all(&artifacts_dir)?;
        Ok(Self {
            plugins_dir,
            artifacts_dir,
            store,
            runtime,
            loaded: Mutex::new(HashMap::new()),
            handle,
        })
    }

    /// Waits for a store operation from the registry's blocking code (which compiles plugins
    /// and writes files, and so runs on the blocking pool or on a thread of its own, such as
    /// the store watcher's), driving it on the gateway's runtime. On a worker of the
    /// multi-threaded runtime, the worker's other tasks move to another thread first.
    ///
    /// Must not be called on the thread of a current-thread runtime (tokio panics there): the
    /// async callers reach the registry through `spawn_blocking`.
    pub(crate) fn wait<T>(&self, operation: impl Future<Output = T>) -> T {
        match tokio::runtime::Handle::try_current() {
            Ok(current)
                if current.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread =>
            {
                tokio::task::block_in_place(|| self.handle.block_on(operation))
            }
            _ => self.handle.block_on(operation),
        }
    }

    /// The store versions are recorded in.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    fn component_path(&self, digest: &str) -> PathBuf {
        self.plugins_dir.join(format!("{digest}.wasm"))
    }

    fn artifact_path(&self, digest: &str) -> PathBuf {
        let tag = self.runtime.artifact_tag();
        self.artifacts_dir.join(format!("{digest}-{tag}.cwasm"))
    }

    /// Validates and compiles `bytes`, stores them and their precompiled code, and records a
    /// new version of `tenant` (the existing one when the tenant uploaded these bytes before).
    /// Blocking and slow: run it off the async workers.
    ///
    /// A new component that would take the tenant past `quota` is refused before it is
    /// compiled ([`StoreError::VersionQuota`]); the store checks again as it records the
    /// version, for uploads racing on other replicas.
    pub fn upload(
        &self,
        tenant: &str,
        allowance: &Allowance,
        quota: StorageQuota,
        bytes: &[u8],
        actor: &str,
    ) -> Result<(PluginVersion, Arc<Plugin>), RegistryError> {
        let digest = digest(bytes);
        let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        let kept = self
            .wait(self.store.plugin_versions(tenant))?
            .iter()
            .any(|version| version.digest == digest);
        if !kept {
            self.wait(self.store.storage_usage(tenant))?
                .admit(tenant, size, &quota)?;
        }
        let (plugin, artifact) = self.runtime.precompile(bytes).inspect_err(|err| {
            if let CompileError::Isolated(Refusal::Budget { budget, .. }) = err {
                match budget {
                    Budget::Time => Limit::CompileTime,
                    Budget::Memory => Limit::CompileMemory,
                }
                .record(tenant);
            }
        })?;
        // Refused before anything is stored: a version the tenant could not run is no version.
        allowance.admits(tenant, plugin.needs())?;
        write_atomically(&self.component_path(&digest), bytes)?;
        write_atomically(&self.artifact_path(&digest), &artifact)?;
        if self.store.is_shared() {
            self.wait(self.store.put_component(&digest, bytes))?;
        }
        let version = match self.wait(self.store.add_plugin_version_within(
            tenant,
            &digest,
            size,
            plugin.contract().version(),
            quota,
        )) {
            Ok(version) => version,
            Err(err) => {
                // Refused (another replica's upload took the room first): its bytes go too.
                self.forget_if_unused(&digest);
                return Err(err.into());
            }
        };
        if self.store.is_shared() && !self.wait(self.store.has_component(&digest))? {
            // A deletion elsewhere collected these bytes between their write above and the
            // version row naming them; now that the row is in, they stay.
            self.wait(self.store.put_component(&digest, bytes))?;
        }
        self.wait(self.store.audit(
            actor,
            Some(tenant),
            "plugin.upload",
            &format!("version {} sha256:{digest}", version.version),
        ))?;
        Ok((version, self.remember(plugin)))
    }

    /// Deletes the tenant's `version` (refused while it is active or in a running canary), and
    /// its component's bytes and files when no version of any tenant names it any more.
    pub fn delete(
        &self,
        tenant: &str,
        version: u32,
        actor: &str,
    ) -> Result<DeletedVersion, RegistryError> {
        let deleted = self.wait(self.store.delete_plugin_version(tenant, version, actor))?;
        if deleted.unreferenced {
            self.remove_files(&deleted.version.digest);
        }
        Ok(deleted)
    }

    /// Removes the component `digest` from the store and this replica's data directory,
    /// unless a version names it; failures are logged (what is left is only disk space).
    pub fn forget_if_unused(&self, digest: &str) {
        match self.wait(self.store.remove_unused_component(digest)) {
            Ok(true) => self.remove_files(digest),
            Ok(false) => {}
            Err(err) => tracing::warn!(digest, error = %err, "cannot remove an unused component"),
        }
    }

    /// This replica's files of component `digest` (the component and its artifact).
    fn remove_files(&self, digest: &str) {
        for path in [self.component_path(digest), self.artifact_path(digest)] {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => {
                    tracing::warn!(path = %path.display(), error = %err, "cannot remove a deleted plugin's file")
                }
            }
        }
    }

    /// The plugin with `digest`: already in memory, else from its precompiled artifact, else
    /// compiled from the stored component (and the artifact written for next time).
    pub fn load(&self, digest: &str) -> Result<Arc<Plugin>, RegistryError> {
        if let Some(plugin) = self.cached(digest) {
            return Ok(plugin);
        }
        let artifact = self.artifact_path(digest);
        if artifact.is_file() {
            match self.runtime.load_precompiled(digest, &artifact) {
                Ok(plugin) => return Ok(self.remember(plugin)),
                Err(err) => {
                    tracing::warn!(digest, error = %err, "precompiled artifact unusable; compiling")
                }
            }
        }
        let bytes = self.component(digest)?;
        let (plugin, artifact_bytes) = self.runtime.precompile(&bytes)?;
        write_atomically(&artifact, &artifact_bytes)?;
        Ok(self.remember(plugin))
    }

    /// Makes sure this replica has the precompiled artifact of `digest`, compiling the stored
    /// component when it has not, without loading it: a version uploaded elsewhere is then
    /// only a swap when activated here. Returns whether it compiled.
    pub fn prepare(&self, digest: &str) -> Result<bool, RegistryError> {
        let artifact = self.artifact_path(digest);
        if artifact.is_file() {
            return Ok(false);
        }
        let bytes = self.component(digest)?;
        let (_, artifact_bytes) = self.runtime.precompile(&bytes)?;
        write_atomically(&artifact, &artifact_bytes)?;
        Ok(true)
    }

    /// Makes `version` the tenant's active plugin: in the store first (the durable truth),
    /// then in memory. Calls in flight finish on the version they started with; a canary
    /// running stops.
    pub fn activate(
        &self,
        tenant: &Tenant,
        version: u32,
        actor: &str,
    ) -> Result<PluginVersion, RegistryError> {
        let id = tenant.id.as_str();
        let record = self
            .wait(self.store.plugin_version(id, version))?
            .ok_or_else(|| RegistryError::UnknownVersion {
                tenant: id.to_owned(),
                version,
            })?;
        // Compiled before the store says it is active, so that serving it is only a swap; and
        // held to the tenant's limits as they are now, which may be lower than at its upload.
        let plugin = self.load(&record.digest)?;
        tenant.env.allowance.admits(id, plugin.needs())?;
        let record = self.wait(self.store.activate(id, version, actor))?;
        self.sync(tenant)?;
        tracing::info!(tenant = id, version, digest = %record.digest, "plugin version activated");
        Ok(record)
    }

    /// Brings `tenant` to what the store says it serves (the active version and a running
    /// canary), after a change here or on another replica. Returns whether anything changed.
    pub fn sync(&self, tenant: &Tenant) -> Result<bool, RegistryError> {
        let id = tenant.id.as_str();
        let Some(active) = self.wait(self.store.active_version(id))? else {
            return Ok(false);
        };
        let latest = self.wait(self.store.canary(id))?;
        let running = latest
            .as_ref()
            .filter(|canary| canary.state == CanaryState::Running);
        let current = tenant.env.serving();
        let stable_same = current.stable.plugin.digest() == active.digest
            && current.stable.version == Some(active.version);
        let canary_same = match (&current.canary, running) {
            (None, None) => true,
            (Some(serving), Some(stored)) => {
                serving.id == stored.id && serving.percent == stored.percent
            }
            _ => false,
        };
        if stable_same && canary_same {
            return Ok(false);
        }
        let stable = Served {
            plugin: self.load(&active.digest)?,
            version: Some(active.version),
        };
        let canary = match running {
            Some(stored) => {
                let candidate = self
                    .wait(self.store.plugin_version(id, stored.candidate_version))?
                    .ok_or_else(|| RegistryError::UnknownVersion {
                        tenant: id.to_owned(),
                        version: stored.candidate_version,
                    })?;
                Some(CanaryRoute {
                    id: stored.id,
                    candidate: Served {
                        plugin: self.load(&candidate.digest)?,
                        version: Some(candidate.version),
                    },
                    percent: stored.percent,
                    tally: Arc::default(),
                })
            }
            None => None,
        };
        // Phone calls under way stay on their version when a canary ends by itself; an
        // activation by hand moves them all.
        let ending = running.is_none()
            && latest.as_ref().is_some_and(|ended| {
                current
                    .canary
                    .as_ref()
                    .is_some_and(|was| was.id == ended.id)
                    && matches!(ended.state, CanaryState::Promoted | CanaryState::RolledBack)
            });
        tenant
            .env
            .serve(|now| now.next(stable.clone(), canary.clone(), ending));
        if current.stable.plugin.digest() != active.digest {
            tracing::info!(tenant = id, version = active.version, digest = %active.digest, "serving plugin version");
        }
        if !canary_same {
            match running {
                Some(stored) => tracing::info!(
                    tenant = id,
                    candidate = stored.candidate_version,
                    percent = stored.percent,
                    "serving a canary"
                ),
                None => tracing::info!(tenant = id, "canary over"),
            }
        }
        Ok(true)
    }

    /// The component's bytes: this replica's copy, else the shared store's (kept locally).
    fn component(&self, digest: &str) -> Result<Vec<u8>, RegistryError> {
        let path = self.component_path(digest);
        match std::fs::read(&path) {
            Ok(bytes) => return Ok(bytes),
            Err(err) if err.kind() != std::io::ErrorKind::NotFound || !self.store.is_shared() => {
                return Err(err.into());
            }
            Err(_) => {}
        }
        let bytes = self
            .wait(self.store.component(digest))?
            .ok_or_else(|| RegistryError::MissingComponent(digest.to_owned()))?;
        write_atomically(&path, &bytes)?;
        Ok(bytes)
    }

    fn cached(&self, digest: &str) -> Option<Arc<Plugin>> {
        let loaded = self.loaded.lock().unwrap_or_else(|p| p.into_inner());
        loaded.get(digest).and_then(Weak::upgrade)
    }

    fn remember(&self, plugin: Plugin) -> Arc<Plugin> {
        let mut loaded = self.loaded.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(existing) = loaded.get(plugin.digest()).and_then(Weak::upgrade) {
            return existing;
        }
        let plugin = Arc::new(plugin);
        loaded.insert(plugin.digest().to_owned(), Arc::downgrade(&plugin));
        plugin
    }
}

/// Writes `bytes` to `path` so that `path` never holds a partial file: a temporary file,
/// flushed to disk, renamed over the target.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    // Unique per writer: the watcher thread and an upload may write the same file at once.
    let temporary = path.with_extension(format!(
        "tmp-{}-{}",
        std::process::id(),
        hex::encode(rand::random::<[u8; 6]>())
    ));
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)?;
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}
