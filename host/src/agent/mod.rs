//! Connecting voice agents: the tool definitions a platform needs, written once
//! ([`catalogue`]) and offered per tenant for the tools its active plugin supports, rendered
//! for Retell ([`retell`]), Vapi ([`vapi`]) and MCP clients ([`mcp`]).
//!
//! Operators get them from `slotline agent export` or `GET
//! /v1/admin/tenants/{tenant}/agent?platform=...`; both call [`export`], so they cannot
//! disagree.

pub mod catalogue;
pub mod mcp;
pub mod retell;
pub mod vapi;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

pub use catalogue::{ToolDefinition, definition, definitions};
pub use mcp::mcp_tools;
pub use retell::retell_tools;
pub use vapi::vapi_tools;

use crate::runtime::{PLUGIN_GRACE, Probe, Runtime};
use crate::tenant::Tenant;
use crate::tool::{CallInfo, Tool, ToolRequest};

/// What a platform waits beyond the gateway's own deadline for a tool call: the network both
/// ways and a moment in the gateway's queue. A platform that gives up first makes the agent
/// say the tool failed while the gateway still answers.
const PLATFORM_MARGIN: Duration = Duration::from_secs(1);

/// The platforms definitions are rendered for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Retell AI: custom functions of a Retell LLM (`general_tools`).
    Retell,
    /// Vapi: function tools (`POST /tool` bodies).
    Vapi,
    /// MCP clients: the result of `tools/list`.
    Mcp,
}

impl Platform {
    /// Every platform, in the order they are documented.
    pub const ALL: [Platform; 3] = [Platform::Retell, Platform::Vapi, Platform::Mcp];

    /// The name operators type (`retell`, `vapi`, `mcp`).
    pub fn name(self) -> &'static str {
        match self {
            Platform::Retell => "retell",
            Platform::Vapi => "vapi",
            Platform::Mcp => "mcp",
        }
    }
}

/// A platform name that is none of [`Platform::ALL`].
#[derive(Debug, thiserror::Error)]
#[error("unknown platform {0:?}; the platforms are retell, vapi and mcp")]
pub struct UnknownPlatform(pub String);

impl FromStr for Platform {
    type Err = UnknownPlatform;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Platform::ALL
            .into_iter()
            .find(|platform| platform.name().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| UnknownPlatform(name.to_owned()))
    }
}

/// The tools `tenant` offers agents: the host's own, and those its active plugin supports.
/// The plugin is asked once per version (see [`Runtime::supported_tools`]); later calls
/// read the stored answer.
pub async fn offered_tools(runtime: &Runtime, tenant: &Tenant) -> Vec<Tool> {
    let plugin = tenant.plugin();
    let supported = supported_tools(runtime, tenant, &plugin).await;
    Tool::ALL
        .into_iter()
        .filter(|tool| tool.is_host_tool() || supported.contains(tool))
        .collect()
}

/// The definitions of the tools `tenant` offers, in its language.
pub async fn offered_definitions(runtime: &Runtime, tenant: &Tenant) -> Vec<ToolDefinition> {
    offered_tools(runtime, tenant)
        .await
        .into_iter()
        .map(|tool| definition(tool, tenant.lang))
        .collect()
}

/// Asks `plugin` which tools it supports, on `tenant`'s settings and clock, unless it was
/// asked before. The admin upload calls it right after an upload, so the answer is ready
/// before anyone exports.
pub async fn supported_tools<'p>(
    runtime: &Runtime,
    tenant: &Tenant,
    plugin: &'p Arc<crate::runtime::Plugin>,
) -> &'p std::collections::HashSet<Tool> {
    runtime.supported_tools(plugin, || probe(tenant)).await
}

/// The neutral calls the probe makes: tomorrow at 10:00, a made-up name, nothing a real
/// calendar could confuse with a caller (and it never reaches one).
fn probe(tenant: &Tenant) -> Probe {
    let tomorrow = (tenant.now().date_naive() + chrono::Days::new(1))
        .format("%Y-%m-%d")
        .to_string();
    let args = json!({
        "text": tenant.lang.pick("morgen um 10 Uhr", "tomorrow at 10 am"),
        "date": tomorrow,
        "time": "10:00",
        "name": "Slotline Probe",
        "new_date": tomorrow,
        "new_time": "11:00",
    });
    let requests = Tool::ALL
        .into_iter()
        .filter_map(|tool| match ToolRequest::from_args(tool, &args) {
            Ok(ToolRequest::Plugin(request)) => Some(request),
            _ => None,
        })
        .collect();
    let call = CallInfo::host("slotline-probe");
    Probe {
        id: tenant.id.clone(),
        settings: Arc::clone(&tenant.env.settings),
        allowance: tenant.env.allowance,
        context: tenant.call_context(&call),
        requests,
    }
}

/// Where and how a platform calls one tenant: what a renderer needs of the tenant, so
/// renderers can be tested without one.
#[derive(Debug, Clone)]
pub struct Webhook {
    /// The URL the platform posts tool calls to.
    pub url: String,
    /// The language of what the agent says while it waits.
    pub lang: slotline_speech::Lang,
    /// How long to wait for a tool that changes nothing.
    pub read_timeout: Duration,
    /// How long to wait for a tool that books, moves or cancels.
    pub write_timeout: Duration,
}

impl Webhook {
    /// `tenant`'s webhook of `platform` (`retell`, `vapi`) under `base_url`
    /// (`<base>/v1/<platform>/<tenant>`). The timeouts are the tenant's upstream deadline,
    /// the runtime's grace for the plugin to answer after an upstream timeout, and
    /// [`PLATFORM_MARGIN`].
    pub fn of(tenant: &Tenant, platform: &str, base_url: &str) -> Self {
        let timeout = |mutating| {
            tenant.env.outbound.policy.deadline_for_call(mutating) + PLUGIN_GRACE + PLATFORM_MARGIN
        };
        Self {
            url: format!(
                "{}/v1/{platform}/{}",
                base_url.trim_end_matches('/'),
                tenant.id
            ),
            lang: tenant.lang,
            read_timeout: timeout(false),
            write_timeout: timeout(true),
        }
    }

    /// How long the platform should wait for an answer to `definition`.
    pub fn timeout(&self, definition: &ToolDefinition) -> Duration {
        if definition.mutating {
            self.write_timeout
        } else {
            self.read_timeout
        }
    }
}

/// `tenant`'s offered tools as `platform` takes them, its webhooks under `base_url`
/// (`http://host:port`). What `slotline agent export` prints and the admin endpoint answers.
pub async fn export(
    runtime: &Runtime,
    tenant: &Tenant,
    platform: Platform,
    base_url: &str,
) -> Value {
    let definitions = offered_definitions(runtime, tenant).await;
    render(tenant, platform, &definitions, base_url)
}

/// `definitions` as `platform` takes them, for `tenant` under `base_url`.
pub fn render(
    tenant: &Tenant,
    platform: Platform,
    definitions: &[ToolDefinition],
    base_url: &str,
) -> Value {
    match platform {
        Platform::Retell => retell_tools(definitions, &Webhook::of(tenant, "retell", base_url)),
        Platform::Vapi => vapi_tools(definitions, &Webhook::of(tenant, "vapi", base_url)),
        Platform::Mcp => mcp_tools(definitions),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_are_read_by_name() {
        for platform in Platform::ALL {
            assert!(matches!(platform.name().parse::<Platform>(), Ok(p) if p == platform));
        }
        assert!(matches!("Retell".parse::<Platform>(), Ok(Platform::Retell)));
        let unknown = "dialogflow".parse::<Platform>().map_err(|e| e.to_string());
        assert!(matches!(unknown, Err(message) if message.contains("retell, vapi and mcp")));
    }
}
