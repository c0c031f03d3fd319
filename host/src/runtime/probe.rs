//! Which tools a plugin version answers: each plugin tool called once, with neutral
//! arguments, in an environment that cannot reach anything.
//!
//! Agents should not be offered a tool the plugin answers with `not-supported` (the caller
//! would only hear "I can't do that over the phone"). The WIT world makes every plugin export
//! every function, so the only way to know is to ask. The probe's outbound HTTP is refused
//! for every host (an empty allowlist) and its cache is a throwaway in-memory one, so asking
//! never reaches a calendar, never books, and leaves nothing in the tenant's cache.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use super::Runtime;
use super::api;
use super::env::PluginEnv;
use super::invoke::InvokeError;
use super::needs::Allowance;
use super::plugin::Plugin;
use super::wasi_config::Settings;
use crate::cache::TenantCache;
use crate::config::{BreakerConfig, OutboundLimits, TimeoutConfig};
use crate::outbound::{Allowlist, Breakers, OutboundPolicy, TenantOutbound};
use crate::tenant::TenantId;
use crate::tool::{PluginRequest, Tool};

/// The probe's upstream deadline: nothing upstream can answer, so a plugin needs only the
/// time to notice the refusal (plus the runtime's grace) to say whether it supports a tool.
const PROBE_DEADLINE: Duration = Duration::from_secs(1);

/// What the probe runs with: the caller of the probe (a tenant) decides the context and the
/// neutral requests, since the runtime knows no tenant.
pub struct Probe {
    /// Labels limit hits during the probe.
    pub id: TenantId,
    /// The settings the plugin reads (`wasi:config`), so it gets as far as in a real call.
    pub settings: Arc<Settings>,
    /// What the tenant's instances may hold, so the plugin runs as in a real call.
    pub allowance: Allowance,
    /// The call the plugin is told about.
    pub context: api::CallContext,
    /// One request per plugin tool, with neutral arguments.
    pub requests: Vec<PluginRequest>,
}

impl Runtime {
    /// The plugin tools `plugin` answers with anything but `not-supported`: a success, any
    /// other error, a trap or a timeout all count as supported (the call would reach the
    /// plugin, and its failure is spoken as usual). Asked once per plugin version, on the
    /// first need; concurrent callers wait for the same answer. `probe` is built only then.
    pub async fn supported_tools<'p>(
        &self,
        plugin: &'p Arc<Plugin>,
        probe: impl FnOnce() -> Probe,
    ) -> &'p HashSet<Tool> {
        plugin
            .support_cell()
            .get_or_init(|| self.probe(plugin, probe()))
            .await
    }

    async fn probe(&self, plugin: &Arc<Plugin>, probe: Probe) -> HashSet<Tool> {
        let env = PluginEnv::new(
            probe.id.clone(),
            Arc::new(TenantOutbound::new(
                OutboundPolicy::new(
                    Allowlist::default(),
                    TimeoutConfig {
                        read_ms: millis(PROBE_DEADLINE),
                        write_ms: millis(PROBE_DEADLINE),
                    },
                    OutboundLimits::default(),
                    PROBE_DEADLINE,
                ),
                Breakers::new(probe.id.clone(), BreakerConfig::default()),
            )),
            Arc::new(TenantCache::in_memory(
                probe.id.as_str(),
                Duration::from_secs(1),
            )),
            probe.settings,
            probe.allowance,
            Arc::clone(plugin),
        );
        let asked: Vec<Tool> = probe.requests.iter().map(PluginRequest::tool).collect();
        let outcomes = futures::future::join_all(
            probe
                .requests
                .into_iter()
                .map(|request| self.call_tool(&env, Arc::clone(plugin), &probe.context, request)),
        )
        .await;
        let mut supported: HashSet<Tool> = Tool::ALL
            .into_iter()
            .filter(|tool| !tool.is_host_tool() && !asked.contains(tool))
            .collect();
        let mut refused = Vec::new();
        for (tool, outcome) in asked.into_iter().zip(outcomes) {
            match outcome {
                Err(InvokeError::Plugin(error)) if error.code == api::ErrorCode::NotSupported => {
                    refused.push(tool.name());
                }
                _ => {
                    supported.insert(tool);
                }
            }
        }
        tracing::info!(
            digest = plugin.digest(),
            not_supported = ?refused,
            "asked the plugin which tools it supports"
        );
        supported
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
