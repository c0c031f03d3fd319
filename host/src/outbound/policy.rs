//! How much outbound HTTP a plugin may do, and for how long.

use std::time::Duration;

use http::{Method, Uri};
use wasmtime_wasi_http::RequestOptions;

use super::Allowlist;
use crate::config::TimeoutConfig;

/// No tenant setting and no plugin wish can make an upstream exchange last longer.
pub const HOST_TIMEOUT_CAP: Duration = Duration::from_secs(10);
/// Establishing a connection may take at most this long.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// Upstream requests one tool call may make.
pub const DEFAULT_MAX_REQUESTS_PER_CALL: usize = 16;
/// Responses larger than this are cut with an error rather than buffered.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// A tenant's outbound rules.
#[derive(Debug, Clone)]
pub struct OutboundPolicy {
    allowlist: Allowlist,
    timeouts: TimeoutConfig,
    pub max_requests_per_call: usize,
    pub max_response_bytes: usize,
}

impl OutboundPolicy {
    pub fn new(allowlist: Allowlist, timeouts: TimeoutConfig) -> Self {
        Self {
            allowlist,
            timeouts,
            max_requests_per_call: DEFAULT_MAX_REQUESTS_PER_CALL,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    pub fn allows(&self, uri: &Uri) -> bool {
        self.allowlist.allows(uri)
    }

    /// The deadline for a whole exchange, body included: the tenant's limit for this kind of
    /// call, lowered (never raised) by the plugin's own `request-options`, capped by the host.
    pub fn deadline(&self, method: &Method, options: Option<&RequestOptions>) -> Duration {
        let tenant_ms = if method == Method::GET || method == Method::HEAD {
            self.timeouts.read_ms
        } else {
            self.timeouts.write_ms
        };
        let mut deadline = Duration::from_millis(tenant_ms).min(HOST_TIMEOUT_CAP);
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
        Duration::from_millis(ms).min(HOST_TIMEOUT_CAP)
    }

    /// The connect timeout: the host's, or the plugin's when that is shorter.
    pub fn connect_timeout(&self, options: Option<&RequestOptions>) -> Duration {
        options
            .and_then(|options| options.connect_timeout)
            .map_or(CONNECT_TIMEOUT, |wish| wish.min(CONNECT_TIMEOUT))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(read_ms: u64, write_ms: u64) -> OutboundPolicy {
        OutboundPolicy::new(Allowlist::default(), TimeoutConfig { read_ms, write_ms })
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
        assert_eq!(policy.connect_timeout(Some(&patient)), CONNECT_TIMEOUT);
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
        assert_eq!(policy.deadline(&Method::GET, None), HOST_TIMEOUT_CAP);
    }
}
