//! How much outbound HTTP a plugin may do, and for how long.

use std::time::Duration;

use http::{Method, Uri};
use wasmtime_wasi_http::RequestOptions;

use super::Allowlist;
use crate::config::{OutboundLimits, TimeoutConfig};

/// The default of `runtime.outbound_cap_ms`: no tenant setting and no plugin wish can make an
/// upstream exchange last longer.
pub const DEFAULT_HOST_TIMEOUT_CAP: Duration = Duration::from_secs(10);
/// Establishing a connection may take at most this long.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// A tenant's outbound rules.
#[derive(Debug, Clone)]
pub struct OutboundPolicy {
    allowlist: Allowlist,
    timeouts: TimeoutConfig,
    /// Budgets per call and per tenant.
    pub limits: OutboundLimits,
    cap: Duration,
}

impl OutboundPolicy {
    /// The policy of one tenant, its timeouts capped at `cap`.
    pub fn new(
        allowlist: Allowlist,
        timeouts: TimeoutConfig,
        limits: OutboundLimits,
        cap: Duration,
    ) -> Self {
        Self {
            allowlist,
            timeouts,
            limits,
            cap,
        }
    }

    /// Whether the allowlist names `uri`'s origin.
    pub fn allows(&self, uri: &Uri) -> bool {
        self.allowlist.allows(uri)
    }

    /// `uri`'s upstream name when the tenant may call it ([`Allowlist::upstream`]).
    pub fn upstream(&self, uri: &Uri) -> Option<String> {
        self.allowlist.upstream(uri)
    }

    /// The deadline for a whole exchange, body included: the tenant's limit for this kind of
    /// call, lowered (never raised) by the plugin's own `request-options`, capped by the host.
    pub fn deadline(&self, method: &Method, options: Option<&RequestOptions>) -> Duration {
        let tenant_ms = if method == Method::GET || method == Method::HEAD {
            self.timeouts.read_ms
        } else {
            self.timeouts.write_ms
        };
        let mut deadline = Duration::from_millis(tenant_ms).min(self.cap);
        if let Some(options) = options {
            let wishes = [options.first_byte_timeout, options.between_bytes_timeout];
            for wish in wishes.into_iter().flatten() {
                deadline = deadline.min(wish);
            }
        }
        deadline
    }

    /// The longest a plugin's upstream work for one tool call may take: the limit of the
    /// slowest kind of request the call makes.
    pub fn deadline_for_call(&self, mutating: bool) -> Duration {
        let ms = if mutating {
            self.timeouts.write_ms.max(self.timeouts.read_ms)
        } else {
            self.timeouts.read_ms
        };
        Duration::from_millis(ms).min(self.cap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(read_ms: u64, write_ms: u64) -> OutboundPolicy {
        OutboundPolicy::new(
            Allowlist::default(),
            TimeoutConfig { read_ms, write_ms },
            OutboundLimits::default(),
            DEFAULT_HOST_TIMEOUT_CAP,
        )
    }

    #[test]
    fn reads_and_writes_get_their_own_limits() {
        let policy = policy(3_000, 5_000);
        assert_eq!(policy.deadline(&Method::GET, None), Duration::from_secs(3));
        assert_eq!(policy.deadline(&Method::POST, None), Duration::from_secs(5));
    }

    #[test]
    fn plugins_can_only_lower_the_deadline() {
        let policy = policy(3_000, 5_000);
        let patient = RequestOptions {
            first_byte_timeout: Some(Duration::from_secs(600)),
            between_bytes_timeout: Some(Duration::from_secs(600)),
            connect_timeout: Some(Duration::from_secs(600)),
        };
        assert_eq!(
            policy.deadline(&Method::GET, Some(&patient)),
            Duration::from_secs(3)
        );
        let hasty = RequestOptions {
            first_byte_timeout: Some(Duration::from_millis(200)),
            ..RequestOptions::default()
        };
        assert_eq!(
            policy.deadline(&Method::GET, Some(&hasty)),
            Duration::from_millis(200)
        );
    }

    #[test]
    fn the_host_cap_beats_a_generous_tenant() {
        let policy = policy(60_000, 60_000);
        assert_eq!(
            policy.deadline(&Method::GET, None),
            DEFAULT_HOST_TIMEOUT_CAP
        );
    }
}
