//! The one place tenants are made from their configuration.
//!
//! Gateway start, a tenant another replica created, and `PUT /v1/admin/tenants/{tenant}` all
//! go through [`TenantFactory::build`], so a tenant made any of those ways is the same tenant:
//! the same cache backend, the same host cap on outbound exchanges, the same default plugin.

use std::sync::Arc;
use std::time::Duration;

use chrono::DateTime;
use chrono_tz::Tz;
use slotline_speech::Lang;

use super::{Credentials, Tenant, TenantError, TenantId};
use crate::cache::Caches;
use crate::config::TenantConfig;
use crate::outbound::{Allowlist, Breakers, OutboundPolicy, TenantOutbound};
use crate::runtime::{Allowance, Plugin, PluginEnv};

/// What every tenant is made with, besides its own configuration.
pub struct TenantFactory {
    /// The host's limit on any upstream exchange (`runtime.outbound_cap_ms`).
    outbound_cap: Duration,
    caches: Caches,
    /// `runtime.memory_limit_mib`: an instance's memory unless `plugin_limits` say otherwise.
    memory_limit_mib: u64,
    /// The plugin of tenants that name none and have no active version.
    default_plugin: Option<Arc<Plugin>>,
}

impl TenantFactory {
    /// A factory for tenants capped at `outbound_cap`, caching in `caches`.
    pub fn new(
        outbound_cap: Duration,
        caches: Caches,
        memory_limit_mib: u64,
        default_plugin: Option<Arc<Plugin>>,
    ) -> Self {
        Self {
            outbound_cap,
            caches,
            memory_limit_mib,
            default_plugin,
        }
    }

    /// The plugin a new tenant starts on when it names none.
    pub fn default_plugin(&self) -> Option<Arc<Plugin>> {
        self.default_plugin.clone()
    }

    /// The tenant `id` as `config` describes it, serving `plugin`.
    pub fn build(
        &self,
        id: TenantId,
        config: &TenantConfig,
        plugin: Arc<Plugin>,
    ) -> Result<Tenant, TenantError> {
        let timezone: Tz = config.timezone.parse().map_err(|_| TenantError::Timezone {
            tenant: id.to_string(),
            timezone: config.timezone.clone(),
        })?;
        let fixed_now = config
            .fixed_now
            .as_deref()
            .map(|value| {
                DateTime::parse_from_rfc3339(value).map_err(|_| TenantError::FixedNow {
                    tenant: id.to_string(),
                    value: value.to_owned(),
                })
            })
            .transpose()?;
        let allowlist = Allowlist::parse(&config.allowed_outbound).map_err(|source| {
            TenantError::Allowlist {
                tenant: id.to_string(),
                source,
            }
        })?;
        let canary = config.canary;
        if canary.min_calls == 0 || canary.promote_after_calls < canary.min_calls {
            return Err(TenantError::Canary {
                tenant: id.to_string(),
                min_calls: canary.min_calls,
                promote_after_calls: canary.promote_after_calls,
            });
        }
        // A tenant is not made on a plugin that would not fit its instances: a configured
        // plugin fails at start, a lowered limit is refused while the version needs more.
        let configured_as =
            serde_json::to_value(config).map_err(|err| TenantError::Unstorable {
                tenant: id.to_string(),
                reason: err.to_string(),
            })?;
        let allowance =
            Allowance::resolve(id.as_str(), &config.plugin_limits, self.memory_limit_mib)?;
        allowance.admits(id.as_str(), plugin.needs())?;
        let settings = config
            .settings
            .iter()
            .map(|(key, value)| {
                let text = match value {
                    serde_json::Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                (key.clone(), text)
            })
            .collect();
        let outbound = Arc::new(TenantOutbound::new(
            OutboundPolicy::new(allowlist, config.timeouts, config.limits, self.outbound_cap),
            Breakers::new(id.clone(), config.breaker),
        ));
        let cache = Arc::new(
            self.caches
                .tenant(id.as_str(), Duration::from_secs(config.cache_ttl_secs)),
        );
        Ok(Tenant {
            timezone,
            locale: config.locale.clone(),
            lang: Lang::of(&config.locale),
            credentials: Credentials::from_config(config).map_err(|source| {
                TenantError::Credentials {
                    tenant: id.to_string(),
                    source,
                }
            })?,
            admin_token: config.admin_token.clone(),
            mcp_token: config.mcp_token.clone(),
            notify_url: config.notify_url.clone(),
            notify_secret: config.notify_secret.clone(),
            call_limits: config.calls,
            storage_quota: config.plugin_storage.quota(),
            cache_ttl: Duration::from_secs(config.cache_ttl_secs),
            warmup: config.warmup,
            hold_slots: config.hold_slots,
            call_log: config.call_log,
            canary: crate::store::CanaryRules {
                min_calls: canary.min_calls,
                promote_after: canary.promote_after_calls,
                margin_percent: canary.failure_margin_percent,
            },
            vapi_assistant_id: config.vapi_assistant_id.clone(),
            call_rate: std::num::NonZeroU32::new(config.calls.tenant_per_second)
                .map(|rate| governor::RateLimiter::direct(governor::Quota::per_second(rate))),
            env: PluginEnv::new(
                id.clone(),
                outbound,
                cache,
                Arc::new(settings),
                allowance,
                plugin,
            ),
            configured_as,
            fixed_now,
            id,
        })
    }
}
