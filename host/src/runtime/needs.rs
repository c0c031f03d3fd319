//! What a component needs of an instance slot, and whether a tenant's `plugin_limits` give it.
//!
//! The engine's slots are built for the largest plugin any tenant may run
//! ([`PluginLimits::CEILING`]); each tenant is held to its own limits on top, so a JavaScript
//! or Python tenant can be given room without giving it to every Rust plugin. A version that
//! does not fit is refused when it is uploaded, naming the setting to raise, rather than
//! failing to instantiate during a phone call.

use wasmparser::{Instance, Parser, Payload};
use wasmtime::component::Component;

use crate::config::PluginLimits;

/// Bytes in a WebAssembly page.
const PAGE: u64 = 64 * 1024;

/// What instantiating a component takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    /// Core module instances, adapters included. `None` for a plugin loaded from its
    /// precompiled artifact, which holds no count: its version was counted when uploaded, and
    /// wasmtime refuses more than the ceiling whenever it compiles.
    pub core_instances: Option<u32>,
    /// Linear memories the component defines.
    pub memories: u32,
    /// Tables the component defines.
    pub tables: u32,
    /// The largest memory's initial size, in bytes: the least an instance occupies.
    pub initial_memory_bytes: u64,
    /// The largest table's initial size, in elements.
    pub initial_table_elements: u64,
}

impl Needs {
    /// What `component` needs, with its core instances counted from `bytes` when given.
    pub(super) fn of(component: &Component, bytes: Option<&[u8]>) -> Self {
        let resources = component.resources_required();
        Self {
            core_instances: bytes.map(core_instances),
            memories: resources.as_ref().map_or(0, |r| r.num_memories),
            tables: resources.as_ref().map_or(0, |r| r.num_tables),
            initial_memory_bytes: resources
                .as_ref()
                .and_then(|r| r.max_initial_memory_size)
                .map_or(0, |pages| pages.saturating_mul(PAGE)),
            initial_table_elements: resources
                .as_ref()
                .and_then(|r| r.max_initial_table_size)
                .unwrap_or(0),
        }
    }
}

/// Core module instantiations in a component, nested components included: what wasmtime
/// counts against `max_core_instances_per_component`. wasmtime does not expose its own count,
/// so the binary is walked here (no validation, code bodies skipped); a nested component
/// instantiated twice would count once, which no componentizer emits.
fn core_instances(bytes: &[u8]) -> u32 {
    let mut count = 0u32;
    for payload in Parser::new(0).parse_all(bytes) {
        let Ok(payload) = payload else {
            // Malformed: wasmtime, which compiled it, would have said so.
            break;
        };
        if let Payload::InstanceSection(section) = payload {
            for instance in section.into_iter().flatten() {
                if matches!(instance, Instance::Instantiate { .. }) {
                    count = count.saturating_add(1);
                }
            }
        }
    }
    count
}

/// A tenant's `plugin_limits` with its defaults filled in: what one of its instances may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowance {
    /// Linear memory one instance may grow to.
    pub memory_bytes: u64,
    /// Core module instances per component.
    pub core_instances: u32,
    /// Memories per component.
    pub memories: u32,
    /// Tables per component.
    pub tables: u32,
    /// Elements per table.
    pub table_elements: u32,
}

/// A limit set higher than the host allows, or a plugin that needs more than it is given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllowanceError {
    /// `plugin_limits.<setting>` is above [`PluginLimits::CEILING`].
    #[error(
        "tenant {tenant}: plugin_limits.{setting} = {value} is above the host's ceiling of {ceiling}"
    )]
    AboveCeiling {
        /// The tenant.
        tenant: String,
        /// The key under `[tenants.<id>.plugin_limits]`.
        setting: &'static str,
        /// What it is set to.
        value: u64,
        /// The most it may be.
        ceiling: u64,
    },
    /// The component needs more than the tenant's limit.
    #[error(
        "the plugin needs {needed} {what}, more than tenant {tenant} allows: raise \
         tenants.{tenant}.plugin_limits.{setting} (now {allowed}; the host allows up to {ceiling})"
    )]
    Exceeded {
        /// The tenant.
        tenant: String,
        /// What it needs, in words (`core module instances`).
        what: &'static str,
        /// The key under `[tenants.<id>.plugin_limits]`.
        setting: &'static str,
        /// How many it needs.
        needed: u64,
        /// How many the tenant allows.
        allowed: u64,
        /// The most the tenant could be given.
        ceiling: u64,
    },
}

impl Allowance {
    /// `limits` of `tenant`, with memory defaulting to `default_memory_mib`
    /// (`runtime.memory_limit_mib`), checked against the host's ceiling.
    pub fn resolve(
        tenant: &str,
        limits: &PluginLimits,
        default_memory_mib: u64,
    ) -> Result<Self, AllowanceError> {
        let ceiling = PluginLimits::CEILING;
        let memory_mib = limits.memory_mib.unwrap_or(default_memory_mib);
        let memory_ceiling = memory_ceiling_mib(default_memory_mib);
        let checks = [
            ("memory_mib", limits.memory_mib.unwrap_or(0), memory_ceiling),
            (
                "core_instances",
                u64::from(limits.core_instances),
                u64::from(ceiling.core_instances),
            ),
            (
                "memories",
                u64::from(limits.memories),
                u64::from(ceiling.memories),
            ),
            (
                "tables",
                u64::from(limits.tables),
                u64::from(ceiling.tables),
            ),
            (
                "table_elements",
                u64::from(limits.table_elements),
                u64::from(ceiling.table_elements),
            ),
        ];
        for (setting, value, ceiling) in checks {
            if value > ceiling {
                return Err(AllowanceError::AboveCeiling {
                    tenant: tenant.to_owned(),
                    setting,
                    value,
                    ceiling,
                });
            }
        }
        Ok(Self {
            memory_bytes: memory_mib.saturating_mul(1024 * 1024),
            core_instances: limits.core_instances,
            memories: limits.memories,
            tables: limits.tables,
            table_elements: limits.table_elements,
        })
    }

    /// Whether a component needing `needs` fits one of `tenant`'s instances.
    pub fn admits(&self, tenant: &str, needs: &Needs) -> Result<(), AllowanceError> {
        let ceiling = PluginLimits::CEILING;
        let mib = 1024 * 1024;
        let checks = [
            (
                "core module instances",
                "core_instances",
                needs.core_instances.map_or(0, u64::from),
                u64::from(self.core_instances),
                u64::from(ceiling.core_instances),
            ),
            (
                "linear memories",
                "memories",
                u64::from(needs.memories),
                u64::from(self.memories),
                u64::from(ceiling.memories),
            ),
            (
                "tables",
                "tables",
                u64::from(needs.tables),
                u64::from(self.tables),
                u64::from(ceiling.tables),
            ),
            (
                "MiB of memory to start",
                "memory_mib",
                needs.initial_memory_bytes.div_ceil(mib),
                self.memory_bytes / mib,
                ceiling.memory_mib.unwrap_or(0).max(self.memory_bytes / mib),
            ),
            (
                "table elements to start",
                "table_elements",
                needs.initial_table_elements,
                u64::from(self.table_elements),
                u64::from(ceiling.table_elements),
            ),
        ];
        for (what, setting, needed, allowed, ceiling) in checks {
            if needed > allowed {
                return Err(AllowanceError::Exceeded {
                    tenant: tenant.to_owned(),
                    what,
                    setting,
                    needed,
                    allowed,
                    ceiling,
                });
            }
        }
        Ok(())
    }
}

/// The most memory any instance may be given: the ceiling, or `runtime.memory_limit_mib`
/// when the operator set that higher for everyone.
pub(super) fn memory_ceiling_mib(default_memory_mib: u64) -> u64 {
    PluginLimits::CEILING
        .memory_mib
        .unwrap_or(0)
        .max(default_memory_mib)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUST_LIKE: Needs = Needs {
        core_instances: Some(4),
        memories: 1,
        tables: 2,
        initial_memory_bytes: 2 * 1024 * 1024,
        initial_table_elements: 300,
    };

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn the_defaults_fit_a_rust_plugin_and_name_the_setting_a_python_one_needs() -> TestResult {
        let defaults = Allowance::resolve("acme", &PluginLimits::default(), 64)?;
        assert_eq!(defaults.memory_bytes, 64 * 1024 * 1024);
        assert_eq!(defaults.admits("acme", &RUST_LIKE), Ok(()));
        let python = Needs {
            core_instances: Some(14),
            ..RUST_LIKE
        };
        let refused = defaults.admits("acme", &python).err().ok_or("accepted")?;
        assert_eq!(
            refused.to_string(),
            "the plugin needs 14 core module instances, more than tenant acme allows: raise \
             tenants.acme.plugin_limits.core_instances (now 8; the host allows up to 32)"
        );
        let raised = PluginLimits {
            core_instances: 16,
            ..PluginLimits::default()
        };
        let given = Allowance::resolve("acme", &raised, 64)?;
        assert_eq!(given.admits("acme", &python), Ok(()));
        Ok(())
    }

    #[test]
    fn a_plugin_starting_above_its_memory_is_refused() -> TestResult {
        let defaults = Allowance::resolve("acme", &PluginLimits::default(), 64)?;
        let big = Needs {
            initial_memory_bytes: 80 * 1024 * 1024,
            ..RUST_LIKE
        };
        assert!(matches!(
            defaults.admits("acme", &big),
            Err(AllowanceError::Exceeded {
                setting: "memory_mib",
                needed: 80,
                allowed: 64,
                ..
            })
        ));
        Ok(())
    }

    #[test]
    fn limits_above_the_ceiling_are_refused_by_name() -> TestResult {
        let greedy = PluginLimits {
            memories: 9,
            ..PluginLimits::default()
        };
        assert_eq!(
            Allowance::resolve("acme", &greedy, 64)
                .err()
                .ok_or("accepted")?
                .to_string(),
            "tenant acme: plugin_limits.memories = 9 is above the host's ceiling of 4"
        );
        let huge = PluginLimits {
            memory_mib: Some(4096),
            ..PluginLimits::default()
        };
        assert!(Allowance::resolve("acme", &huge, 64).is_err());
        // An operator who gives every plugin more raises the memory ceiling with it.
        assert!(Allowance::resolve("acme", &huge, 4096).is_ok());
        Ok(())
    }
}
