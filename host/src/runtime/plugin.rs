//! Plugin versions: validation, compilation, precompiled artifacts.

use super::needs::Needs;
use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::Ordering;

use sha2::{Digest, Sha256};
use wasmtime::component::{Component, InstancePre};

use super::Runtime;
use super::exports::{Contract, Exports};
use super::state::CallState;
use crate::tool::Tool;

/// Imports the host provides. Rust's standard library adds `wasi:cli`, `wasi:filesystem` and
/// friends; they are linked, but with no preopened directories and no network access.
const PROVIDED_IMPORTS: [&str; 10] = [
    "wasi:http/",
    "wasi:io/",
    "wasi:clocks/",
    "wasi:random/",
    "wasi:cli/",
    "wasi:filesystem/",
    "wasi:sockets/",
    "wasi:keyvalue/store@",
    "wasi:keyvalue/atomics@",
    "wasi:config/store@",
];

/// Whether the host provides the import `name`.
fn is_provided(name: &str) -> bool {
    PROVIDED_IMPORTS
        .iter()
        .any(|prefix| name.starts_with(prefix))
}

/// The names a component imports and exports at its top level (not those of components or
/// modules nested in it).
struct TopLevelNames {
    imports: Vec<String>,
    exports: Vec<String>,
}

/// Reads the top-level names of the component `bytes` without compiling or validating it;
/// `None` when it cannot be read.
fn top_level_names(bytes: &[u8]) -> Option<TopLevelNames> {
    use wasmparser::{Parser, Payload};
    let mut names = TopLevelNames {
        imports: Vec::new(),
        exports: Vec::new(),
    };
    // Nested modules and components come as their own payloads up to their `End`.
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.ok()? {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(imports) if depth == 0 => {
                for import in imports {
                    names.imports.push(import.ok()?.name.name.to_owned());
                }
            }
            Payload::ComponentExportSection(exports) if depth == 0 => {
                for export in exports {
                    names.exports.push(export.ok()?.name.name.to_owned());
                }
            }
            _ => {}
        }
    }
    Some(names)
}

/// A plugin version: content-addressed, compiled, and pre-linked against the host.
pub struct Plugin {
    digest: String,
    pre: InstancePre<CallState>,
    exports: Exports,
    /// What an instance of it takes, for the tenants' `plugin_limits`.
    needs: Needs,
    /// The plugin tools it answers (anything but `not-supported`), once asked
    /// ([`Runtime::supported_tools`]). Kept with the version, so every tenant on it shares
    /// the one answer and nobody asks twice.
    supported: tokio::sync::OnceCell<HashSet<Tool>>,
}

impl Plugin {
    pub(super) fn support_cell(&self) -> &tokio::sync::OnceCell<HashSet<Tool>> {
        &self.supported
    }
}

/// Why bytes are not a usable plugin. Each names what to change.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// The bytes are not WebAssembly.
    #[error("not a WebAssembly binary (it does not start with \\0asm)")]
    NotWasm,
    /// A core module, not a component.
    #[error(
        "a core WebAssembly module, not a component: build the plugin with `cargo build --target wasm32-wasip2`"
    )]
    CoreModule,
    /// wasmtime could not compile it.
    #[error("the component does not compile: {0:#}")]
    Compile(#[source] wasmtime::Error),
    /// It does not export the booking interface, or imports what the host lacks.
    #[error("the component is not a slotline:plugin/scheduler plugin: {}", describe_mismatch(.missing_exports, .unexpected_imports))]
    WrongWorld {
        /// Functions of `slotline:plugin/booking` it lacks.
        missing_exports: Vec<String>,
        /// Imports the host does not provide.
        unexpected_imports: Vec<String>,
    },
    /// It does not link against the host's imports.
    #[error("the component does not link against the host: {0:#}")]
    Link(#[source] wasmtime::Error),
    /// A precompiled artifact could not be used.
    #[error("cannot read or write a precompiled artifact: {0}")]
    Artifact(String),
    /// The compile worker gave no artifact (`runtime.compile`).
    #[error(transparent)]
    Isolated(#[from] super::compile_worker::Refusal),
}

fn describe_mismatch(missing: &[String], unexpected: &[String]) -> String {
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("missing exports: {}", missing.join(", ")));
    }
    if !unexpected.is_empty() {
        parts.push(format!("unexpected imports: {}", unexpected.join(", ")));
    }
    parts.join("; ")
}

impl Plugin {
    /// SHA-256 of the component bytes, hex.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The contract it was built against: what the host may ask of it beyond the tools.
    pub fn contract(&self) -> Contract {
        self.exports.contract
    }

    /// What an instance of it takes.
    pub fn needs(&self) -> &Needs {
        &self.needs
    }

    pub(super) fn pre(&self) -> &InstancePre<CallState> {
        &self.pre
    }

    pub(super) fn exports(&self) -> &Exports {
        &self.exports
    }
}

/// SHA-256 of `bytes`, hex: a plugin version's identity.
pub fn digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Runtime {
    /// Checks that `bytes` look like a component before the (slow) compiler sees them.
    fn preflight(bytes: &[u8]) -> Result<(), CompileError> {
        let header = bytes.get(..8).ok_or(CompileError::NotWasm)?;
        if &header[..4] != b"\0asm" {
            return Err(CompileError::NotWasm);
        }
        // Bytes 6-7 are the layer: 0 for a core module, 1 for a component.
        if header[6..8] == [0, 0] {
            return Err(CompileError::CoreModule);
        }
        Ok(())
    }

    /// What an upload is checked for before it is compiled: a component, whose world by name
    /// is the host's.
    fn precheck(bytes: &[u8]) -> Result<(), CompileError> {
        Self::preflight(bytes)?;
        // The world by name before compiling: a component that imports what the host lacks,
        // or exports no booking interface, is refused in microseconds, not after a compile
        // that may take seconds. Types are checked after compiling, by `check_world`.
        let Some(names) = top_level_names(bytes) else {
            // Malformed: the compiler names what is wrong.
            return Ok(());
        };
        let unexpected_imports: Vec<String> = names
            .imports
            .into_iter()
            .filter(|name| !is_provided(name))
            .collect();
        let has_booking = names
            .exports
            .iter()
            .any(|name| super::exports::Contract::of_booking_export(name).is_some());
        if unexpected_imports.is_empty() && has_booking {
            return Ok(());
        }
        Err(CompileError::WrongWorld {
            missing_exports: if has_booking {
                Vec::new()
            } else {
                vec![super::exports::missing_booking()]
            },
            unexpected_imports,
        })
    }

    /// Compiles `bytes` and links it against the host's imports. Slow (tens of milliseconds):
    /// keep it off the request path.
    pub fn compile(&self, bytes: &[u8]) -> Result<Plugin, CompileError> {
        Self::preflight(bytes)?;
        let component = Component::new(&self.engine, bytes).map_err(CompileError::Compile)?;
        self.compilations.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("slotline_plugin_compilations_total").increment(1);
        self.link(digest(bytes), &component, Some(bytes))
    }

    /// Compiles `bytes` once into an artifact [`Runtime::load_precompiled`] can load in
    /// milliseconds, and the plugin from that same artifact, after checking it is a plugin.
    pub fn precompile(&self, bytes: &[u8]) -> Result<(Plugin, Vec<u8>), CompileError> {
        Self::precheck(bytes)?;
        let artifact = match super::compile_worker::executable() {
            Some(worker) if self.compile.isolate => {
                super::compile_worker::compile(worker, &self.engine_settings, &self.compile, bytes)?
            }
            _ => self
                .engine
                .precompile_component(bytes)
                .map_err(CompileError::Compile)?,
        };
        self.compilations.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("slotline_plugin_compilations_total").increment(1);
        // SAFETY: the artifact was produced just above by this engine from `bytes`.
        #[expect(unsafe_code, reason = "loading the artifact we just compiled")]
        let component = unsafe { Component::deserialize(&self.engine, &artifact) }
            .map_err(CompileError::Compile)?;
        let plugin = self.link(digest(bytes), &component, Some(bytes))?;
        Ok((plugin, artifact))
    }

    /// Loads an artifact written by [`Runtime::precompile`] for the plugin `digest`.
    pub fn load_precompiled(&self, digest: &str, path: &Path) -> Result<Plugin, CompileError> {
        // SAFETY: wasmtime trusts precompiled code. The artifact is one this gateway wrote
        // into its own data directory, named by the component's digest and the engine's
        // compatibility hash; nothing else writes there.
        #[expect(unsafe_code, reason = "loading our own precompiled artifacts")]
        let component = unsafe { Component::deserialize_file(&self.engine, path) }
            .map_err(|err| CompileError::Artifact(format!("{}: {err:#}", path.display())))?;
        self.link(digest.to_owned(), &component, None)
    }

    /// A name for artifacts of this engine: artifacts of another wasmtime or another
    /// configuration are not loaded.
    pub fn artifact_tag(&self) -> String {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.engine
            .precompile_compatibility_hash()
            .hash(&mut hasher);
        format!("{:016x}", hasher.finish())
    }

    /// How many components this runtime has compiled (not loaded from artifacts).
    pub fn compilations(&self) -> u64 {
        self.compilations.load(Ordering::Relaxed)
    }

    fn link(
        &self,
        digest: String,
        component: &Component,
        bytes: Option<&[u8]>,
    ) -> Result<Plugin, CompileError> {
        let exports = self.check_world(component)?;
        let pre = self
            .linker
            .instantiate_pre(component)
            .map_err(CompileError::Link)?;
        Ok(Plugin {
            digest,
            pre,
            exports,
            needs: Needs::of(component, bytes),
            supported: tokio::sync::OnceCell::new(),
        })
    }

    /// Names every missing export and unexpected import, instead of the first one wasmtime
    /// trips over; finds the exports the contract promises.
    fn check_world(&self, component: &Component) -> Result<Exports, CompileError> {
        let ty = component.component_type();
        let exports = Exports::find(&self.engine, component);
        let unexpected_imports: Vec<String> = ty
            .imports(&self.engine)
            .map(|(name, _)| name)
            .filter(|name| !is_provided(name))
            .map(str::to_owned)
            .collect();
        match exports {
            Ok(exports) if unexpected_imports.is_empty() => Ok(exports),
            outcome => Err(CompileError::WrongWorld {
                missing_exports: outcome.err().map(|missing| missing.0).unwrap_or_default(),
                unexpected_imports,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::engine::tests::memories;
    use super::*;
    use crate::config::RuntimeConfig;

    #[test]
    fn a_component_of_another_world_is_refused_before_it_is_compiled()
    -> Result<(), Box<dyn std::error::Error>> {
        let runtime = Runtime::new(&RuntimeConfig::default())?;
        // What a nested component imports is the outer one's business; only the top level
        // faces the host.
        let foreign = wat::parse_str(
            r#"(component
                (import "acme:evil/thing" (func))
                (component (import "acme:nested/fine" (func)))
            )"#,
        )?;
        match runtime.precompile(&foreign) {
            Err(CompileError::WrongWorld {
                missing_exports,
                unexpected_imports,
            }) => {
                assert_eq!(unexpected_imports, ["acme:evil/thing"]);
                assert_eq!(missing_exports.len(), 1, "{missing_exports:?}");
                assert!(
                    missing_exports[0].contains("booking"),
                    "{missing_exports:?}"
                );
            }
            Err(other) => return Err(format!("refused for another reason: {other}").into()),
            Ok(_) => return Err("a component of another world compiled".into()),
        }
        assert_eq!(runtime.compilations(), 0, "refused without compiling");
        Ok(())
    }

    #[test]
    fn a_component_nesting_more_than_an_instance_slot_holds_is_refused_when_compiled()
    -> Result<(), Box<dyn std::error::Error>> {
        let runtime = Runtime::new(&RuntimeConfig::default())?;
        let greedy = wat::parse_str(memories(500))?;
        match runtime.compile(&greedy) {
            Err(CompileError::Compile(err)) => {
                let err = format!("{err:?}");
                assert!(err.contains("exceeds the configured maximum"), "{err}");
            }
            Err(other) => return Err(format!("refused for another reason: {other}").into()),
            Ok(_) => return Err("a component of 500 memories compiled".into()),
        }
        Ok(())
    }

    #[test]
    fn what_a_component_needs_is_counted_and_held_to_the_tenants_limits()
    -> Result<(), Box<dyn std::error::Error>> {
        let runtime = Runtime::new(&RuntimeConfig::default())?;
        // Three instances of a module with one memory: more memories than a Rust plugin's
        // two, within what a tenant may be given.
        let component =
            wasmtime::component::Component::new(runtime.engine(), wat::parse_str(memories(3))?)?;
        let bytes = wat::parse_str(memories(3))?;
        let needs = Needs::of(&component, Some(&bytes));
        assert_eq!(needs.core_instances, Some(3));
        assert_eq!(needs.memories, 3);
        assert_eq!(needs.initial_memory_bytes, 64 * 1024);
        let defaults = runtime.allowance("salon", &crate::config::PluginLimits::default())?;
        let refused = defaults.admits("salon", &needs).err().ok_or("admitted")?;
        assert!(
            refused
                .to_string()
                .contains("raise tenants.salon.plugin_limits.memories (now 2"),
            "{refused}"
        );
        let raised = runtime.allowance(
            "salon",
            &crate::config::PluginLimits {
                memories: 3,
                ..crate::config::PluginLimits::default()
            },
        )?;
        assert_eq!(raised.admits("salon", &needs), Ok(()));
        Ok(())
    }
}
