//! The gateway's configuration: one TOML file, every key overridable from the environment.
//!
//! Environment variables use the prefix `SLOTLINE_` and `__` between levels, so
//! `SLOTLINE_SERVER__LISTEN=0.0.0.0:8080` sets `[server] listen` and
//! `SLOTLINE_TENANTS__DEMO__LOCALE=en` sets `[tenants.demo] locale`.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Everything the gateway needs to start.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `[server]`: listening, tokens, data directory, body limits.
    pub server: ServerConfig,
    /// `[runtime]`: the sandbox's limits.
    pub runtime: RuntimeConfig,
    /// `[cache]`: in memory or Redis.
    pub cache: CacheConfig,
    /// `[store]`: SQLite or PostgreSQL.
    pub store: StoreConfig,
    /// `[call_log]`: every tool call, kept in the store.
    pub call_log: CallLogConfig,
    /// Tenants declared in the file, keyed by tenant id.
    pub tenants: BTreeMap<String, TenantConfig>,
}

/// `[server]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Webhook bodies larger than this are refused with 413 before any parsing.
    pub body_limit_bytes: usize,
    /// Bearer token of the operator: may use the admin API for every tenant.
    pub admin_token: Option<Secret>,
    /// Where plugin versions and the store live. Without it, uploads are refused and nothing
    /// survives a restart.
    pub data_dir: Option<PathBuf>,
    /// Largest plugin upload accepted.
    pub upload_limit_bytes: usize,
    /// A webhook or admin request whose body has not fully arrived this long after its
    /// headers is answered 408: a stalled client must not hold a connection.
    pub body_timeout_ms: u64,
    /// The same for plugin uploads, which are larger.
    pub upload_timeout_ms: u64,
    /// How often pending booking intents are retried against the calendar.
    pub intent_retry_ms: u64,
    /// The least time between two retried intents of one tenant, so a backlog does not
    /// spend the tenant's calendar rate limit at once.
    pub intent_pace_ms: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            body_limit_bytes: 256 * 1024,
            admin_token: None,
            data_dir: None,
            upload_limit_bytes: 20 * 1024 * 1024,
            body_timeout_ms: 10_000,
            upload_timeout_ms: 120_000,
            intent_retry_ms: 10_000,
            intent_pace_ms: 500,
        }
    }
}

/// `[runtime]`: what every plugin call may use.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RuntimeConfig {
    /// Linear memory a plugin instance may grow to.
    pub memory_limit_mib: u64,
    /// Plugin instances that may run at once across all tenants (the pooling allocator's size).
    pub max_instances: u32,
    /// The share of `max_instances` one tenant's calls may hold at once, in percent (at least
    /// one slot): a tenant whose calls all hang (a plugin that sleeps, an upstream that never
    /// answers) waits on its own share and leaves the other slots to everyone else.
    pub max_instance_share_percent: u32,
    /// Plugin used by tenants that name none; the embedded default plugin when unset.
    pub default_plugin: Option<PathBuf>,
    /// No tenant setting and no plugin wish makes an upstream exchange last longer.
    pub outbound_cap_ms: u64,
    /// Data a plugin may hand the host in one call: its reply, a cache value, a chunk of a
    /// request body. Replies are spoken sentences, so legitimate plugins stay far below it.
    pub max_hostcall_bytes: u64,
    /// A plugin's reply as sent to the voice platform: speech is read aloud, so anything near
    /// this is a runaway plugin, not an answer.
    pub max_reply_bytes: u64,
    /// Host resources (HTTP requests, streams, cache buckets) a plugin may hold at once.
    pub max_resources: u32,
    /// Tells `perf` the names of plugins' compiled functions: `perfmap` writes
    /// `/tmp/perf-<pid>.map` (for `perf report`), `jitdump` writes `jit-<pid>.dump` in the
    /// working directory (for `perf inject --jit`). Off by default: both write for every
    /// plugin version loaded.
    pub profiler: Profiler,
    /// `[runtime.compile]`: how an upload is compiled.
    pub compile: CompileConfig,
}

/// `[runtime.compile]`: an upload compiles in a child process of `slotline serve`, killed when
/// it runs out of time or memory, so that no component can hold the gateway's cores or memory
/// by being expensive to compile (`runtime/compile_worker.rs`). Measured on two busy cores: the
/// default plugin 1 s and 138 MiB, the JavaScript example 18.5 s and 533 MiB, the Python one
/// 13.4 s and 498 MiB; the defaults leave them three times that.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CompileConfig {
    /// Compile in a child process. Off, uploads compile inside the gateway with no budget.
    pub isolate: bool,
    /// Wall-clock time one compilation may take.
    pub time_limit_ms: u64,
    /// Peak resident memory of the compiling process.
    pub memory_limit_mib: u64,
}

impl Default for CompileConfig {
    fn default() -> Self {
        Self {
            isolate: true,
            time_limit_ms: 60_000,
            memory_limit_mib: 2048,
        }
    }
}

/// `runtime.profiler`: how plugins' compiled code is named to a profiler.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profiler {
    /// No profiler is told anything.
    #[default]
    None,
    /// Linux `perf` map files.
    PerfMap,
    /// Linux `perf` jitdump files.
    JitDump,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        Self {
            memory_limit_mib: 64,
            max_instances: 1000,
            max_instance_share_percent: 50,
            default_plugin: None,
            outbound_cap_ms: 10_000,
            max_hostcall_bytes: 1024 * 1024,
            max_reply_bytes: 64 * 1024,
            max_resources: 1024,
            profiler: Profiler::None,
            compile: CompileConfig::default(),
        }
    }
}

/// Where plugins' cache entries live.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheConfig {
    /// `memory` (default) or `redis`.
    pub backend: CacheBackendKind,
    /// `redis://[:password@]host:port[/db]` for the `redis` backend.
    pub url: Option<Secret>,
    /// Prefix of every key, so deployments can share one Redis.
    pub prefix: String,
    /// Longest wait for one Redis command; a slower Redis counts as down.
    pub timeout_ms: u64,
    /// After Redis failed, how long calls skip it (and go upstream) before it is tried again.
    pub retry_after_ms: u64,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            backend: CacheBackendKind::Memory,
            url: None,
            prefix: "slotline".to_owned(),
            timeout_ms: 100,
            retry_after_ms: 1_000,
        }
    }
}

/// Where tenant caches live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheBackendKind {
    /// In this process: right for one replica.
    Memory,
    /// Shared by every replica.
    Redis,
}

/// `[call_log]`: every tool call with its latency waterfall, and the platforms' call events,
/// written to the store in the background (a gateway without a store keeps none).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CallLogConfig {
    /// Whether tool calls are logged at all.
    pub enabled: bool,
    /// Records waiting for the writer; when it is full, new ones are dropped and counted
    /// (`slotline_call_log_dropped_total`) rather than slowing a call.
    pub queue: usize,
    /// Records the writer puts in one transaction.
    pub batch: usize,
    /// How long the writer lets records gather after the first before it commits them,
    /// milliseconds: a commit is a disk sync, so one per hundreds of calls rather than one
    /// per call keeps the log off the calls' CPU. A record is visible that much later.
    pub linger_ms: u64,
    /// How often the writer stores the replay recordings that have gathered, milliseconds.
    /// Only each tenant's latest `recorded_calls` are kept, so at a high rate most recordings
    /// are superseded within this time and never written at all; a crash loses at most this
    /// much of the recordings (never of the log).
    pub recordings_every_ms: u64,
    /// How often records older than each tenant's `call_log.retention_days` are deleted.
    pub sweep_every_secs: u64,
}

impl Default for CallLogConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            queue: 10_000,
            batch: 512,
            linger_ms: 200,
            recordings_every_ms: 5_000,
            sweep_every_secs: 24 * 3600,
        }
    }
}

/// A tenant's `call_log`: how long its calls are kept and whether callers are masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TenantCallLogConfig {
    /// Days a tool call or call event is kept.
    pub retention_days: u32,
    /// Masks callers' names and phone numbers (arguments, replies, call events) before they
    /// are written.
    pub redact: bool,
    /// How many of the tenant's latest plugin tool calls keep a recording (the call's
    /// context, the cache values it read and each upstream response) that a new plugin
    /// version can be replayed against; 0 records none.
    pub recorded_calls: u32,
}

impl Default for TenantCallLogConfig {
    fn default() -> Self {
        Self {
            retention_days: 30,
            redact: false,
            recorded_calls: 1_000,
        }
    }
}

/// A tenant's `canary`: when a candidate version serving a share of calls
/// (`activate?canary=PERCENT`) is judged, rolled back or promoted. The numbers are stored
/// with each canary when it starts, so a change here applies to the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TenantCanaryConfig {
    /// The candidate's tool calls, over all replicas, before its failure rate is judged.
    pub min_calls: u32,
    /// The candidate's tool calls without regression after which it becomes the active
    /// version; at least `min_calls`.
    pub promote_after_calls: u32,
    /// Percentage points by which the candidate's failure rate (traps, sandbox limits,
    /// deadlines, its own `internal` errors, per tool call) may exceed the stable version's
    /// before it is rolled back.
    pub failure_margin_percent: u32,
}

impl Default for TenantCanaryConfig {
    fn default() -> Self {
        Self {
            min_calls: 100,
            promote_after_calls: 1_000,
            failure_margin_percent: 5,
        }
    }
}

/// Where tenants, plugin versions and callers' requests are kept.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// SQLite in `server.data_dir` (default) or a shared PostgreSQL.
    pub backend: StoreBackendKind,
    /// `postgres://user[:password]@host[:port]/database` for the `postgres` backend.
    pub url: Option<Secret>,
}

/// Where tenants, plugin versions and caller requests are kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreBackendKind {
    /// `<server.data_dir>/slotline.db`: right for one replica.
    #[default]
    Sqlite,
    /// Shared by every replica; activations reach all of them.
    Postgres,
}

/// One tenant: a business with its own calendar, plugin, secrets and limits.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TenantConfig {
    /// Path of the tenant's plugin component; the default plugin when unset.
    pub plugin: Option<PathBuf>,
    /// IANA timezone of the business.
    pub timezone: String,
    /// Language the agent speaks: `de` or `en`.
    pub locale: String,
    /// Key Retell signs its webhooks with (the tenant's Retell API key).
    pub retell_api_key: Option<Secret>,
    /// The Retell key before the current one, still accepted while Retell switches over.
    pub retell_api_key_previous: Option<Secret>,
    /// Shared secret Vapi sends in `x-vapi-secret` (Vapi's legacy server secret).
    pub vapi_secret: Option<Secret>,
    /// The `x-vapi-secret` before the current one, still accepted while rotating.
    pub vapi_secret_previous: Option<Secret>,
    /// Vapi's credential-based server authentication (bearer token, HMAC), beside or
    /// instead of the legacy secret.
    pub vapi_auth: VapiAuthConfig,
    /// Secret Cal.com signs its webhooks with.
    pub calcom_webhook_secret: Option<Secret>,
    /// The Cal.com secret before the current one, still accepted while rotating.
    pub calcom_webhook_secret_previous: Option<Secret>,
    /// Bearer token that may use the admin API for this tenant only.
    pub admin_token: Option<Secret>,
    /// Bearer token MCP clients send to `/v1/mcp/{tenant}` (docs/mcp.md); without it the
    /// tenant's MCP endpoint refuses every request.
    pub mcp_token: Option<Secret>,
    /// Where each new callback request or booking intent is POSTed, signed with
    /// `notify_secret` (`X-Slotline-Signature-256`, hex HMAC-SHA256 of the body).
    pub notify_url: Option<String>,
    /// Signs notifications (`X-Slotline-Signature-256`).
    pub notify_secret: Option<Secret>,
    /// Origins the plugin may call, e.g. `https://api.cal.com`. Nothing else is reachable.
    pub allowed_outbound: Vec<String>,
    /// Upstream timeouts per kind of call.
    pub timeouts: TimeoutConfig,
    /// The circuit breaker per upstream.
    pub breaker: BreakerConfig,
    /// Outbound budgets: requests per call, concurrency, response size.
    pub limits: OutboundLimits,
    /// What one instance of the tenant's plugin may hold: JavaScript and Python components
    /// need more than a Rust one, and only their tenants are given it.
    pub plugin_limits: PluginLimits,
    /// How many plugin versions, and how many bytes of them, the tenant may keep.
    pub plugin_storage: PluginStorage,
    /// Tool calls per phone call and per tenant.
    pub calls: CallLimits,
    /// How long the plugin's cache entries live.
    pub cache_ttl_secs: u64,
    /// Preparing for calls (0.2.0 plugins): the warm-up when the phone rings, the refresh
    /// while calls last.
    pub warmup: WarmupConfig,
    /// Whether a slot a check found free is reserved at the calendar for the call until it
    /// books (0.2.0 plugins).
    pub hold_slots: bool,
    /// The Vapi assistant that answers the tenant's calls, returned to Vapi's
    /// `assistant-request` (sent when the phone number names Slotline as its server).
    pub vapi_assistant_id: Option<String>,
    /// Freezes the clock the plugin is told about (RFC 3339), for demos and tests.
    pub fixed_now: Option<String>,
    /// The call log's retention and redaction.
    pub call_log: TenantCallLogConfig,
    /// When a canary of a new plugin version is rolled back or promoted.
    pub canary: TenantCanaryConfig,
    /// Passed to the plugin through `wasi:config`; non-string values as JSON text.
    pub settings: BTreeMap<String, serde_json::Value>,
}

impl Default for TenantConfig {
    fn default() -> Self {
        Self {
            plugin: None,
            timezone: "Europe/Berlin".to_owned(),
            locale: "de".to_owned(),
            retell_api_key: None,
            retell_api_key_previous: None,
            vapi_secret: None,
            vapi_secret_previous: None,
            vapi_auth: VapiAuthConfig::default(),
            calcom_webhook_secret: None,
            calcom_webhook_secret_previous: None,
            admin_token: None,
            mcp_token: None,
            notify_url: None,
            notify_secret: None,
            allowed_outbound: Vec::new(),
            timeouts: TimeoutConfig::default(),
            breaker: BreakerConfig::default(),
            limits: OutboundLimits::default(),
            plugin_limits: PluginLimits::default(),
            plugin_storage: PluginStorage::default(),
            calls: CallLimits::default(),
            cache_ttl_secs: 60,
            warmup: WarmupConfig::default(),
            hold_slots: true,
            vapi_assistant_id: None,
            fixed_now: None,
            call_log: TenantCallLogConfig::default(),
            canary: TenantCanaryConfig::default(),
            settings: BTreeMap::new(),
        }
    }
}

/// When the host asks a tenant's plugin to prepare (`prepare-call`): once when the phone rings,
/// and again shortly before what it prepared expires for as long as the tenant has live calls.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WarmupConfig {
    /// Warm-ups and refreshes within any 60 seconds, across all of the tenant's calls. Each
    /// costs the default plugin one Cal.com request, and Cal.com allows 120
    /// requests a minute per API key; `0` turns warm-ups off.
    pub per_minute: u32,
    /// How long before the cache's TTL runs out the refresh starts.
    pub refresh_lead_secs: u64,
    /// A call without an end event counts as live this long after it started.
    pub max_call_secs: u64,
}

impl Default for WarmupConfig {
    fn default() -> Self {
        Self {
            per_minute: 6,
            refresh_lead_secs: 10,
            max_call_secs: 3_600,
        }
    }
}

/// Upstream time limits, per kind of call. The defaults are the ones that took the system
/// Slotline replaces from 15-20 s to 4-6 s per booking attempt.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TimeoutConfig {
    /// Reading (GET): slots, bookings lists.
    pub read_ms: u64,
    /// Writing: creating, moving and cancelling bookings.
    pub write_ms: u64,
}

impl Default for TimeoutConfig {
    fn default() -> Self {
        Self {
            read_ms: 3_000,
            write_ms: 5_000,
        }
    }
}

/// When to stop calling an upstream that keeps failing, and when to try again.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BreakerConfig {
    /// Consecutive failures (connect error, timeout, 5xx, 429) that open the circuit.
    pub failure_threshold: u32,
    /// How long an open circuit fails requests at once before trying again.
    pub open_ms: u64,
    /// Successful trial requests that close a half-open circuit.
    pub success_threshold: u32,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self {
            failure_threshold: 5,
            open_ms: 60_000,
            success_threshold: 2,
        }
    }
}

/// How much outbound HTTP one tenant's plugin may do.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutboundLimits {
    /// Upstream requests one tool call may make.
    pub requests_per_call: usize,
    /// Upstream requests of the tenant in flight at once, across all calls.
    pub concurrent_requests: usize,
    /// Larger responses are cut with an error.
    pub max_response_bytes: usize,
    /// Larger request bodies are refused before anything is sent: a booking is a few hundred
    /// bytes, and the host reads a body whole before sending it.
    pub max_request_bytes: usize,
}

impl Default for OutboundLimits {
    fn default() -> Self {
        Self {
            requests_per_call: 16,
            concurrent_requests: 32,
            max_response_bytes: 4 * 1024 * 1024,
            max_request_bytes: 1024 * 1024,
        }
    }
}

/// What one instance of a tenant's plugin may hold, checked when a version is uploaded (and
/// when a configured plugin is loaded), so a component that would not fit is refused with the
/// setting to raise instead of failing on the phone. The defaults fit a Rust plugin; a
/// JavaScript (StarlingMonkey) or Python (CPython) component carries an interpreter and its
/// adapters and needs more. Each is capped by the host's ceiling (`PluginLimits::CEILING`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PluginLimits {
    /// Linear memory one instance may grow to; `runtime.memory_limit_mib` when unset.
    pub memory_mib: Option<u64>,
    /// Core module instances in the component, adapters included.
    pub core_instances: u32,
    /// Linear memories defined in the component.
    pub memories: u32,
    /// Tables defined in the component.
    pub tables: u32,
    /// Elements one table may grow to.
    pub table_elements: u32,
}

impl PluginLimits {
    /// The most any tenant may be given: what the engine's instance slots are built for.
    pub const CEILING: PluginLimits = PluginLimits {
        memory_mib: Some(1024),
        core_instances: 32,
        memories: 4,
        tables: 32,
        table_elements: 100_000,
    };
}

impl PluginLimits {
    /// What a tenant is given unless it says otherwise: room for a Rust plugin.
    pub const DEFAULTS: PluginLimits = PluginLimits {
        memory_mib: None,
        core_instances: 8,
        memories: 2,
        tables: 8,
        table_elements: 20_000,
    };
}

impl Default for PluginLimits {
    fn default() -> Self {
        Self::DEFAULTS
    }
}

/// What one tenant may keep of its uploads: every version is a component in the store (and a
/// compiled artifact on each replica), so a tenant uploading in a loop would otherwise fill
/// the disk every tenant shares. Deleting old versions (`DELETE
/// /v1/admin/tenants/{id}/plugins/{version}`) makes room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PluginStorage {
    /// Versions kept (deleted ones do not count).
    pub max_versions: u32,
    /// MiB of the distinct components those versions name.
    pub max_stored_mib: u64,
}

impl Default for PluginStorage {
    fn default() -> Self {
        // Twenty releases of a Rust plugin (2 MB) or ten of a Python one (20 MB).
        Self {
            max_versions: 20,
            max_stored_mib: 256,
        }
    }
}

impl PluginStorage {
    /// The quota the store enforces.
    pub fn quota(&self) -> crate::store::StorageQuota {
        crate::store::StorageQuota {
            max_versions: self.max_versions,
            max_bytes: self.max_stored_mib.saturating_mul(1024 * 1024),
        }
    }
}

/// How many tool calls one phone call may make: a runaway agent loop (or a replayed call id)
/// stops here instead of hammering the calendar. Defaults from the system Slotline replaces.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CallLimits {
    /// Tool calls over the whole call.
    pub max_tool_calls: u32,
    /// Tool calls within any 60 seconds.
    pub per_minute: u32,
    /// Tool calls per second across all of the tenant's phone calls, so one tenant's flood
    /// cannot take the instance slots everyone shares; `0` turns it off.
    pub tenant_per_second: u32,
}

impl Default for CallLimits {
    fn default() -> Self {
        Self {
            max_tool_calls: 50,
            per_minute: 20,
            tenant_per_second: 1000,
        }
    }
}

/// Vapi's server credentials (`[tenants.<id>.vapi_auth]`), as configured in Vapi's custom
/// credentials: a bearer token in a header, or an HMAC signature of `{timestamp}.{body}`.
/// Each scheme accepts a current and a previous secret, so secrets rotate without a gap.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VapiAuthConfig {
    /// The Bearer Token credential's token.
    pub bearer_token: Option<Secret>,
    /// The token before the current one, still accepted while rotating.
    pub bearer_token_previous: Option<Secret>,
    /// The credential's "Header Name" (Vapi's default: `Authorization`).
    pub bearer_header: String,
    /// Whether the token is sent as `Bearer <token>` ("Include Bearer Prefix").
    pub bearer_prefix: bool,
    /// The HMAC credential's secret key (HMAC-SHA256).
    pub hmac_secret: Option<Secret>,
    /// The HMAC secret before the current one, still accepted while rotating.
    pub hmac_secret_previous: Option<Secret>,
    /// Where the hex signature comes (Vapi's default: `x-signature`).
    pub hmac_signature_header: String,
    /// Where the timestamp comes (Vapi's default: `x-timestamp`); unix seconds or ms.
    pub hmac_timestamp_header: String,
    /// A prefix before the hex digest, e.g. `sha256=` (none by default).
    pub hmac_signature_prefix: String,
}

impl Default for VapiAuthConfig {
    fn default() -> Self {
        Self {
            bearer_token: None,
            bearer_token_previous: None,
            bearer_header: "authorization".to_owned(),
            bearer_prefix: true,
            hmac_secret: None,
            hmac_secret_previous: None,
            hmac_signature_header: "x-signature".to_owned(),
            hmac_timestamp_header: "x-timestamp".to_owned(),
            hmac_signature_prefix: String::new(),
        }
    }
}

/// A secret string that never shows up in logs or `Debug` output.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// A secret with this value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret's value, for comparing or signing; never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A configuration file or variable that cannot be read, with the key at fault.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(#[from] Box<figment::Error>);

impl Config {
    /// Loads defaults, then the TOML file (when given), then `SLOTLINE_*` variables.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = path {
            figment = figment.merge(Toml::file_exact(path));
        }
        // Only `SLOTLINE_<SECTION>__...` configures: other `SLOTLINE_*` variables (the log
        // filter, the CLI's URL and token) belong to other parts of the program.
        let sections = ["server__", "runtime__", "cache__", "store__", "tenants__"];
        let env = Env::prefixed("SLOTLINE_")
            .filter(move |key| {
                let key = key.as_str().to_ascii_lowercase();
                sections.iter().any(|section| key.starts_with(section))
            })
            .split("__");
        figment
            .merge(env)
            .extract()
            .map_err(|err| ConfigError(Box::new(err)))
    }

    /// Parses a TOML document on top of the defaults, without the environment.
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::string(text))
            .extract()
            .map_err(|err| ConfigError(Box::new(err)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_defaults_fill_what_the_file_leaves_out() -> Result<(), ConfigError> {
        let config = Config::from_toml(
            r#"
            [tenants.acme]
            retell_api_key = "k"
            [tenants.acme.settings]
            calcom_api_key = "cal_x"
            services = [{ name = "Beratung", event_type_id = 1 }]
            "#,
        )?;
        let acme = &config.tenants["acme"];
        assert_eq!(acme.timeouts.read_ms, 3_000);
        assert_eq!(acme.cache_ttl_secs, 60);
        assert_eq!(acme.retell_api_key.as_ref().map(Secret::expose), Some("k"));
        assert!(acme.settings["services"].is_array());
        assert_eq!(format!("{:?}", acme.retell_api_key), "Some(Secret(***))");
        Ok(())
    }

    #[test]
    #[expect(
        clippy::result_large_err,
        reason = "figment's Jail dictates the closure's type"
    )]
    fn environment_variables_override_the_file_and_others_are_ignored() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("slotline.toml", "[tenants.acme]\nlocale = \"de\"\n")?;
            jail.set_env("SLOTLINE_TENANTS__ACME__LOCALE", "en");
            jail.set_env("SLOTLINE_SERVER__LISTEN", "127.0.0.1:9999");
            jail.set_env("SLOTLINE_LOG", "debug");
            let config =
                Config::load(Some(Path::new("slotline.toml"))).map_err(|err| err.to_string())?;
            assert_eq!(config.tenants["acme"].locale, "en");
            assert_eq!(config.server.listen.port(), 9999);
            Ok(())
        });
    }

    #[test]
    fn the_documented_example_is_a_valid_configuration() -> Result<(), ConfigError> {
        let readme = include_str!("../../docs/configuration.md");
        let example = readme
            .split("```toml\n")
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .unwrap_or_default();
        let config = Config::from_toml(example)?;
        let acme = &config.tenants["acme"];
        assert_eq!(acme.calls.max_tool_calls, 50);
        assert_eq!(acme.breaker.failure_threshold, 5);
        assert!(acme.notify_url.is_some());
        assert_eq!(config.runtime.outbound_cap_ms, 10_000);
        Ok(())
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = Config::from_toml("[server]\nlisten = \"127.0.0.1:1\"\nlisen = 2\n");
        assert!(err.is_err());
    }
}
