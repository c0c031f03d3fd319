//! Outbound HTTP for plugins: every `wasi:http` request a plugin makes goes through here.
//!
//! [`OutboundHooks`] intercepts the request inside wasmtime. The tenant's [`TenantOutbound`]
//! decides whether it may leave ([`OutboundPolicy`]: allowlist, budgets; [`Breakers`]) and
//! shares identical concurrent GETs ([`coalesce`]); [`OutboundClient`] sends it over a pooled
//! keep-alive connection within its deadline and refuses names that resolve to private
//! addresses.

mod allowlist;
mod breaker;
mod client;
mod coalesce;
mod hooks;
mod pacing;
mod policy;

use std::sync::Arc;

use tokio::sync::Semaphore;

pub use allowlist::{Allowlist, AllowlistError};
pub use breaker::{BreakerStatus, Breakers};
pub use client::{Buffered, OutboundClient};
pub use hooks::OutboundHooks;
pub use policy::{CONNECT_TIMEOUT, DEFAULT_HOST_TIMEOUT_CAP, OutboundPolicy};

use coalesce::Coalescer;

/// A tenant's outbound rules and the state that enforces them across calls.
pub struct TenantOutbound {
    /// Allowlist, timeouts and budgets.
    pub policy: OutboundPolicy,
    /// Circuit breakers per upstream.
    pub breakers: Breakers,
    coalescer: Coalescer,
    /// Bounds the tenant's upstream requests in flight, across all its calls.
    in_flight: Arc<Semaphore>,
}

impl TenantOutbound {
    /// The outbound state of a tenant, with nothing in flight.
    pub fn new(policy: OutboundPolicy, breakers: Breakers) -> Self {
        let permits = policy.limits.concurrent_requests.max(1);
        Self {
            policy,
            breakers,
            coalescer: Coalescer::default(),
            in_flight: Arc::new(Semaphore::new(permits)),
        }
    }
}
