//! Tenants: who they are, how to verify their webhooks, what their plugin may do.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::Tz;

use crate::cache::{Caches, TenantCache};
use crate::config::{Secret, TenantConfig};
use crate::outbound::{Allowlist, AllowlistError, Breakers, OutboundPolicy, TenantOutbound};
use crate::runtime::Plugin;

/// A tenant id: `[a-z0-9-]{1,64}`, safe in paths, metrics labels and file names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(Arc<str>);

impl TenantId {
    pub fn parse(id: &str) -> Result<Self, TenantError> {
        let valid = (1..=64).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if valid {
            Ok(Self(id.into()))
        } else {
            Err(TenantError::InvalidId(id.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for TenantId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    #[error("invalid tenant id {0:?}: expected 1-64 characters of a-z, 0-9 and -")]
    InvalidId(String),
    #[error("tenant {tenant}: unknown timezone {timezone:?}")]
    Timezone { tenant: String, timezone: String },
    #[error("tenant {tenant}: fixed_now {value:?} is not RFC 3339")]
    FixedNow { tenant: String, value: String },
    #[error("tenant {tenant}: {source}")]
    Allowlist {
        tenant: String,
        #[source]
        source: AllowlistError,
    },
}

/// The settings a plugin reads through `wasi:config`, as flat string pairs.
pub type Settings = HashMap<String, String>;

/// A tenant as the gateway serves it.
pub struct Tenant {
    pub id: TenantId,
    pub timezone: Tz,
    pub locale: String,
    pub retell_api_key: Option<Secret>,
    pub vapi_secret: Option<Secret>,
    pub calcom_webhook_secret: Option<Secret>,
    /// Bearer token for this tenant's part of the admin API.
    pub admin_token: Option<Secret>,
    pub notify_url: Option<String>,
    pub call_limits: crate::config::CallLimits,
    /// `calls.tenant_per_second`, across all of the tenant's phone calls.
    pub call_rate: Option<governor::DefaultDirectRateLimiter>,
    pub notify_secret: Option<Secret>,
    pub settings: Arc<Settings>,
    pub outbound: Arc<TenantOutbound>,
    pub cache: Arc<TenantCache>,
    fixed_now: Option<DateTime<FixedOffset>>,
    /// The active plugin version. A call loads it once and keeps its `Arc`, so an activation
    /// never changes the plugin under a call in flight.
    plugin: ArcSwap<Plugin>,
}

impl Tenant {
    /// `outbound_cap` is the host's limit on any upstream exchange (`runtime.outbound_cap_ms`).
    pub fn from_config(
        id: TenantId,
        config: &TenantConfig,
        plugin: Arc<Plugin>,
        outbound_cap: Duration,
        caches: &Caches,
    ) -> Result<Self, TenantError> {
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
        Ok(Self {
            timezone,
            locale: config.locale.clone(),
            retell_api_key: config.retell_api_key.clone(),
            vapi_secret: config.vapi_secret.clone(),
            calcom_webhook_secret: config.calcom_webhook_secret.clone(),
            admin_token: config.admin_token.clone(),
            notify_url: config.notify_url.clone(),
            call_limits: config.calls,
            call_rate: std::num::NonZeroU32::new(config.calls.tenant_per_second)
                .map(|rate| governor::RateLimiter::direct(governor::Quota::per_second(rate))),
            notify_secret: config.notify_secret.clone(),
            settings: Arc::new(settings),
            outbound: Arc::new(TenantOutbound::new(
                OutboundPolicy::new(allowlist, config.timeouts, config.limits, outbound_cap),
                Breakers::new(id.clone(), config.breaker),
            )),
            cache: Arc::new(caches.tenant(id.as_str(), Duration::from_secs(config.cache_ttl_secs))),
            fixed_now,
            plugin: ArcSwap::new(plugin),
            id,
        })
    }

    /// The current instant as the plugin should see it.
    pub fn now(&self) -> DateTime<Tz> {
        let now = self
            .fixed_now
            .map(|fixed| fixed.with_timezone(&Utc))
            .unwrap_or_else(Utc::now);
        now.with_timezone(&self.timezone)
    }

    pub fn plugin(&self) -> Arc<Plugin> {
        self.plugin.load_full()
    }

    /// Makes `plugin` the active version; calls in flight finish on the one they loaded.
    pub fn activate(&self, plugin: Arc<Plugin>) {
        self.plugin.store(plugin);
    }
}

/// All tenants, looked up on every request.
#[derive(Default)]
pub struct Tenants {
    by_id: ArcSwap<HashMap<TenantId, Arc<Tenant>>>,
}

impl Tenants {
    pub fn get(&self, id: &str) -> Option<Arc<Tenant>> {
        let id = TenantId::parse(id).ok()?;
        self.by_id.load().get(&id).cloned()
    }

    /// Adds or replaces a tenant without blocking readers.
    pub fn insert(&self, tenant: Tenant) {
        let tenant = Arc::new(tenant);
        self.by_id.rcu(|current| {
            let mut next = HashMap::clone(current);
            next.insert(tenant.id.clone(), Arc::clone(&tenant));
            next
        });
    }

    /// Whether any tenant's admin token satisfies `matches` (to tell 403 from 401).
    pub fn any_admin_token(&self, matches: impl Fn(&Secret) -> bool) -> bool {
        self.by_id
            .load()
            .values()
            .any(|tenant| tenant.admin_token.as_ref().is_some_and(&matches))
    }

    pub fn ids(&self) -> Vec<TenantId> {
        let mut ids: Vec<_> = self.by_id.load().keys().cloned().collect();
        ids.sort();
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids_are_restricted_to_a_safe_alphabet() {
        assert!(TenantId::parse("demo-2").is_ok());
        assert!(TenantId::parse("").is_err());
        assert!(TenantId::parse("Demo").is_err());
        assert!(TenantId::parse("../etc").is_err());
        assert!(TenantId::parse(&"a".repeat(65)).is_err());
    }
}
