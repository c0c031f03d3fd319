//! Connecting voice agents: the tool definitions a platform needs, written once
//! ([`catalogue`]) and offered per tenant for the tools its active plugin supports.

pub mod catalogue;

pub use catalogue::{ToolDefinition, definition, definitions};

use crate::tenant::Tenant;
use crate::tool::Tool;

/// The tools `tenant` offers agents: the host's own, and those its active plugin supports.
pub fn offered_tools(tenant: &Tenant) -> Vec<Tool> {
    let plugin = tenant.plugin();
    Tool::ALL
        .into_iter()
        .filter(|tool| plugin.supports(*tool))
        .collect()
}

/// The definitions of the tools `tenant` offers, in its language.
pub fn offered_definitions(tenant: &Tenant) -> Vec<ToolDefinition> {
    offered_tools(tenant)
        .into_iter()
        .map(|tool| definition(tool, tenant.lang))
        .collect()
}
