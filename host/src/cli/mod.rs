//! Subcommands of the `slotline` binary that are more than a few lines of glue.
//!
//! Each one reports typed errors; `main` turns them into the process's exit message.

pub mod agent;
#[cfg(feature = "demo")]
pub mod demo;
pub mod invoke;
pub mod new_plugin;
pub mod replay;
#[cfg(feature = "demo")]
pub mod simulator;

use std::sync::Arc;

use slotline::gateway::Gateway;
use slotline::tenant::Tenant;

/// A tenant the configuration does not serve, named with the ones it does.
#[derive(Debug, thiserror::Error)]
#[error("unknown tenant {tenant:?}; the tenants are: {known}")]
pub struct UnknownTenant {
    tenant: String,
    known: String,
}

/// The tenant `id` of `gateway`, or which tenants there are.
pub fn tenant(gateway: &Gateway, id: &str) -> Result<Arc<Tenant>, UnknownTenant> {
    gateway.tenants().get(id).ok_or_else(|| {
        let known: Vec<String> = gateway
            .tenants()
            .ids()
            .iter()
            .map(ToString::to_string)
            .collect();
        UnknownTenant {
            tenant: id.to_owned(),
            known: if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            },
        }
    })
}
