//! Tenants: who they are, how to verify their webhooks, what their plugin may do.
//!
//! A [`Tenant`] is made in one place, [`TenantFactory`]: at start, for a tenant another
//! replica created, and through the admin API alike.

mod credentials;
mod factory;
mod id;

use std::collections::HashMap;
use std::sync::Arc;

use arc_swap::ArcSwap;
use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::Tz;
use slotline_speech::Lang;

use crate::config::{CallLimits, Secret, WarmupConfig};
use crate::outbound::AllowlistError;
use crate::runtime::api;
use crate::runtime::{Plugin, PluginEnv};
use crate::tool::CallInfo;

pub use crate::runtime::Settings;
pub use credentials::{CredentialError, Credentials, Secrets, VapiBearer, VapiHmac};
pub use factory::TenantFactory;
pub use id::{InvalidTenantId, TenantId};

/// Why a tenant's configuration cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    /// The id is outside the safe alphabet.
    #[error(transparent)]
    InvalidId(#[from] InvalidTenantId),
    /// `plugin_limits` above the host's ceiling, or a plugin that needs more than they give.
    #[error(transparent)]
    PluginLimits(#[from] crate::runtime::AllowanceError),
    /// `timezone` is not an IANA name.
    #[error("tenant {tenant}: unknown timezone {timezone:?}")]
    Timezone {
        /// The tenant.
        tenant: String,
        /// What it named.
        timezone: String,
    },
    /// `fixed_now` is not RFC 3339.
    #[error("tenant {tenant}: fixed_now {value:?} is not RFC 3339")]
    FixedNow {
        /// The tenant.
        tenant: String,
        /// What it gave.
        value: String,
    },
    /// A credential setting is unusable.
    #[error("tenant {tenant}: {source}")]
    Credentials {
        /// The tenant.
        tenant: String,
        /// What is wrong.
        #[source]
        source: CredentialError,
    },
    /// The canary's rules cannot be followed.
    #[error(
        "tenant {tenant}: canary.min_calls must be at least 1 and canary.promote_after_calls at least min_calls (got {min_calls} and {promote_after_calls})"
    )]
    Canary {
        /// The tenant.
        tenant: String,
        /// What it gave.
        min_calls: u32,
        /// What it gave.
        promote_after_calls: u32,
    },
    /// An `allowed_outbound` entry is not an origin.
    #[error("tenant {tenant}: {source}")]
    Allowlist {
        /// The tenant.
        tenant: String,
        /// What is wrong with the entry.
        #[source]
        source: AllowlistError,
    },
    /// The configuration cannot be written as JSON, so it could not be stored either.
    #[error("tenant {tenant}: the configuration cannot be written as JSON ({reason})")]
    Unstorable {
        /// The tenant.
        tenant: String,
        /// What serde said.
        reason: String,
    },
}

/// A tenant as the gateway serves it.
pub struct Tenant {
    /// Its id.
    pub id: TenantId,
    /// Where the business is: dates and times the caller hears are local to it.
    pub timezone: Tz,
    /// The locale tag (`de`, `en-US`, ...) the plugin is told.
    pub locale: String,
    /// The language the host speaks to the tenant's callers, from `locale`.
    pub lang: Lang,
    /// How its webhooks (Retell, Vapi, Cal.com) prove they are its own.
    pub credentials: Credentials,
    /// Bearer token for this tenant's part of the admin API.
    pub admin_token: Option<Secret>,
    /// Bearer token of the tenant's MCP endpoint.
    pub mcp_token: Option<Secret>,
    /// Where callback requests and booking intents are delivered.
    pub notify_url: Option<String>,
    /// Signs those deliveries.
    pub notify_secret: Option<Secret>,
    /// Tool calls per phone call.
    pub call_limits: CallLimits,
    /// How many plugin versions, and bytes of them, it may keep (`plugin_storage`).
    pub storage_quota: crate::store::StorageQuota,
    /// `calls.tenant_per_second`, across all of the tenant's phone calls.
    pub call_rate: Option<governor::DefaultDirectRateLimiter>,
    /// How long the plugin's cache entries live: what a warm-up prepares stays fresh this long.
    pub cache_ttl: std::time::Duration,
    /// When to prepare for calls.
    pub warmup: WarmupConfig,
    /// Whether slots found free are held for the call (`hold_slots`).
    pub hold_slots: bool,
    /// The call log's retention and redaction (`call_log`).
    pub call_log: crate::config::TenantCallLogConfig,
    /// When a canary of a new plugin version is rolled back or promoted (`canary`).
    pub canary: crate::store::CanaryRules,
    /// Vapi's `assistant-request` is answered with this assistant.
    pub vapi_assistant_id: Option<String>,
    /// What the tenant's plugin calls run with: the active plugin, outbound policy, cache
    /// and settings.
    pub env: PluginEnv,
    /// The configuration it was built from, as JSON, as the store keeps it: a replica hearing
    /// that a tenant's settings changed rebuilds the tenant only when they differ from these
    /// (its own change, announced back to it, does not rebuild it twice).
    pub configured_as: serde_json::Value,
    fixed_now: Option<DateTime<FixedOffset>>,
}

impl Tenant {
    /// The current instant as the plugin should see it.
    pub fn now(&self) -> DateTime<Tz> {
        let now = self
            .fixed_now
            .map(|fixed| fixed.with_timezone(&Utc))
            .unwrap_or_else(Utc::now);
        now.with_timezone(&self.timezone)
    }

    /// What a plugin is told about the call it answers.
    pub fn call_context(&self, call: &CallInfo) -> api::CallContext {
        api::CallContext {
            tenant: self.id.to_string(),
            call_id: call.call_id.clone(),
            caller_number: call.caller_number.clone(),
            dialled_number: call.dialled_number.clone(),
            now: self.now().to_rfc3339(),
            timezone: self.timezone.name().to_owned(),
            locale: self.locale.clone(),
        }
    }

    /// The active plugin version.
    pub fn plugin(&self) -> Arc<Plugin> {
        self.env.plugin()
    }

    /// Makes `plugin` the active version; calls in flight finish on the one they loaded.
    pub fn activate(&self, plugin: Arc<Plugin>) {
        self.env.activate(plugin);
    }
}

/// All tenants, looked up on every request.
#[derive(Default)]
pub struct Tenants {
    by_id: ArcSwap<HashMap<TenantId, Arc<Tenant>>>,
}

impl Tenants {
    /// The tenant `id`, if the gateway serves it.
    pub fn get(&self, id: &str) -> Option<Arc<Tenant>> {
        let id = TenantId::parse(id).ok()?;
        self.by_id.load().get(&id).cloned()
    }

    /// Adds or replaces a tenant without blocking readers.
    pub fn insert(&self, tenant: Tenant) {
        self.restore(Arc::new(tenant));
    }

    /// Puts a tenant that was served before back in place (an admin change undone).
    pub fn restore(&self, tenant: Arc<Tenant>) {
        self.by_id.rcu(|current| {
            let mut next = HashMap::clone(current);
            next.insert(tenant.id.clone(), Arc::clone(&tenant));
            next
        });
    }

    /// Stops serving the tenant `id` (a creation undone).
    pub fn remove(&self, id: &TenantId) {
        self.by_id.rcu(|current| {
            let mut next = HashMap::clone(current);
            next.remove(id);
            next
        });
    }

    /// The ids of the tenants whose admin token satisfies `matches`, sorted: whom a tenant
    /// token speaks for.
    pub fn with_admin_token(&self, matches: impl Fn(&Secret) -> bool) -> Vec<TenantId> {
        let mut ids: Vec<_> = self
            .by_id
            .load()
            .values()
            .filter(|tenant| tenant.admin_token.as_ref().is_some_and(&matches))
            .map(|tenant| tenant.id.clone())
            .collect();
        ids.sort();
        ids
    }

    /// Every tenant's id, sorted.
    pub fn ids(&self) -> Vec<TenantId> {
        let mut ids: Vec<_> = self.by_id.load().keys().cloned().collect();
        ids.sort();
        ids
    }
}
