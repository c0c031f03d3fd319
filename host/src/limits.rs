//! The limits that keep one tenant's plugin or callers from hurting anyone else, named once so
//! every place that enforces one counts it the same way in `slotline_limit_hits_total`.

/// A limit that fired. Its [`label`](Limit::label) is the `limit` label of
/// `slotline_limit_hits_total`, so an operator can alert on exactly the one that matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// The plugin tried to grow its memory past `runtime.memory_limit_mib`.
    Memory,
    /// The plugin was still running at its wall-clock deadline.
    Deadline,
    /// The plugin's reply, as sent to the voice platform, was larger than
    /// `runtime.max_reply_bytes`.
    ReplySize,
    /// The plugin recursed past its stack.
    Stack,
    /// The plugin handed the host more data in one call (its reply, a cache value, a request
    /// body chunk) than `runtime.max_hostcall_bytes`.
    HostcallData,
    /// The plugin held more host resources (requests, streams, cache buckets) than
    /// `runtime.max_resources`.
    ResourceTable,
    /// Every plugin instance slot stayed busy for the call's whole deadline.
    InstancePool,
    /// The tenant's calls held their whole share of the instance slots
    /// (`runtime.max_instance_share_percent`) for the call's whole deadline.
    InstanceShare,
    /// The call used up its outbound request budget (`limits.requests_per_call`).
    OutboundBudget,
    /// A request to an origin that is not on the tenant's `allowed_outbound`.
    OutboundAllowlist,
    /// A request whose host resolved to a loopback, private or link-local address.
    OutboundAddress,
    /// The tenant's concurrent upstream requests (`limits.concurrent_requests`) stayed in use.
    OutboundConcurrency,
    /// An upstream response larger than `limits.max_response_bytes`.
    ResponseSize,
    /// A request body larger than `limits.max_request_bytes`, or not written within the
    /// request's deadline.
    RequestSize,
    /// A phone call made more tool calls than `calls.max_tool_calls`.
    ToolCallsPerCall,
    /// A phone call made more tool calls within a minute than `calls.per_minute`.
    ToolCallsPerMinute,
    /// The tenant's phone calls together made more than `calls.tenant_per_second`.
    ToolCallsPerTenant,
    /// The upstream's rate limit for the request's API key had nothing left, and its reset
    /// was further off than the request's deadline.
    UpstreamRateLimit,
    /// A cache write past the bytes the tenant may hold in the shared cache (values written
    /// within two TTLs, or counters).
    CacheBytes,
    /// A cache write past the values the tenant may write within two TTLs.
    CacheKeys,
    /// An upload still compiling at `runtime.compile.time_limit_ms`.
    CompileTime,
    /// An upload whose compilation needed more than `runtime.compile.memory_limit_mib`.
    CompileMemory,
}

impl Limit {
    /// Every limit, for documentation and tests.
    pub const ALL: [Limit; 22] = [
        Limit::Memory,
        Limit::Deadline,
        Limit::ReplySize,
        Limit::Stack,
        Limit::HostcallData,
        Limit::ResourceTable,
        Limit::InstancePool,
        Limit::InstanceShare,
        Limit::OutboundBudget,
        Limit::OutboundAllowlist,
        Limit::OutboundAddress,
        Limit::OutboundConcurrency,
        Limit::ResponseSize,
        Limit::RequestSize,
        Limit::ToolCallsPerCall,
        Limit::ToolCallsPerMinute,
        Limit::ToolCallsPerTenant,
        Limit::UpstreamRateLimit,
        Limit::CacheBytes,
        Limit::CacheKeys,
        Limit::CompileTime,
        Limit::CompileMemory,
    ];

    /// The `limit` label of `slotline_limit_hits_total`.
    pub const fn label(self) -> &'static str {
        match self {
            Limit::Memory => "memory",
            Limit::Deadline => "deadline",
            Limit::ReplySize => "reply_size",
            Limit::Stack => "stack",
            Limit::HostcallData => "hostcall_data",
            Limit::ResourceTable => "resource_table",
            Limit::InstancePool => "instance_pool",
            Limit::InstanceShare => "instance_share",
            Limit::OutboundBudget => "outbound_budget",
            Limit::OutboundAllowlist => "outbound_allowlist",
            Limit::OutboundAddress => "outbound_address",
            Limit::OutboundConcurrency => "outbound_concurrency",
            Limit::ResponseSize => "response_size",
            Limit::RequestSize => "request_size",
            Limit::ToolCallsPerCall => "tool_calls_per_call",
            Limit::ToolCallsPerMinute => "tool_calls_per_minute",
            Limit::ToolCallsPerTenant => "tool_calls_per_tenant",
            Limit::UpstreamRateLimit => "upstream_rate_limit",
            Limit::CacheBytes => "cache_bytes",
            Limit::CacheKeys => "cache_keys",
            Limit::CompileTime => "compile_time",
            Limit::CompileMemory => "compile_memory",
        }
    }

    /// Counts one hit for `tenant`. Hits are rare, so the label allocation does not matter.
    pub fn record(self, tenant: &(impl std::fmt::Display + ?Sized)) {
        tracing::debug!(%tenant, limit = self.label(), "limit hit");
        metrics::counter!(
            "slotline_limit_hits_total",
            "tenant" => tenant.to_string(),
            "limit" => self.label()
        )
        .increment(1);
    }
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}
