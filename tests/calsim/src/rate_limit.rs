//! Cal.com's per-key rate limit, with its exact headers.
//!
//! Cal.com's v2 API runs NestJS's throttler with Redis storage (`CustomThrottlerGuard` in
//! `apps/api/v2/src/lib/throttler/throttler-guard.ts`): a fixed window of `ttl` that starts
//! with the first request; the request that goes past `limit` starts a block of
//! `blockDuration` during which everything is refused. Every answer carries
//! `X-RateLimit-Limit-Default`, `X-RateLimit-Remaining-Default` and
//! `X-RateLimit-Reset-Default`; the reset value is *seconds* until the window (or the block)
//! ends, not a timestamp. Defaults: 120 requests per 60 s per API key, 60 s block.
//!
//! Written by hand rather than with `governor` because the observable behaviour (window,
//! block, header values) must be Cal.com's, not a token bucket's.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};

/// Limit, window and block length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimitConfig {
    /// Requests allowed per window.
    pub limit: u32,
    /// Window length in seconds.
    pub window_seconds: u64,
    /// How long a key is refused after going over the limit, in seconds.
    pub block_seconds: u64,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            limit: 120,
            window_seconds: 60,
            block_seconds: 60,
        }
    }
}

/// The outcome of counting one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// `X-RateLimit-Limit-Default`.
    pub limit: u32,
    /// `X-RateLimit-Remaining-Default`.
    pub remaining: u32,
    /// `X-RateLimit-Reset-Default`: seconds until the window or block ends.
    pub reset_seconds: u64,
}

impl Decision {
    /// Adds the three rate-limit headers to an answer.
    pub fn apply(&self, headers: &mut HeaderMap) {
        headers.insert("x-ratelimit-limit-default", HeaderValue::from(self.limit));
        headers.insert(
            "x-ratelimit-remaining-default",
            HeaderValue::from(self.remaining),
        );
        headers.insert(
            "x-ratelimit-reset-default",
            HeaderValue::from(self.reset_seconds),
        );
    }
}

#[derive(Debug)]
struct Counter {
    hits: u32,
    expires_at: Instant,
    blocked_until: Option<Instant>,
}

/// Counters per tracker (`api_key_<key>`, `access_token_<token>` or `ip_<addr>`).
#[derive(Debug, Default)]
pub struct RateLimiter {
    inner: Mutex<LimiterState>,
}

#[derive(Debug, Default)]
struct LimiterState {
    config: RateLimitConfig,
    counters: HashMap<String, Counter>,
}

impl RateLimiter {
    /// A limiter with the given configuration.
    pub fn new(config: RateLimitConfig) -> RateLimiter {
        RateLimiter {
            inner: Mutex::new(LimiterState {
                config,
                counters: HashMap::new(),
            }),
        }
    }

    /// Replaces the configuration. Counters start afresh, as in Cal.com, whose Redis key
    /// includes the limit and the window.
    pub fn configure(&self, config: RateLimitConfig) {
        let mut state = self.lock();
        state.config = config;
        state.counters.clear();
    }

    /// The current configuration.
    pub fn config(&self) -> RateLimitConfig {
        self.lock().config
    }

    /// Counts one request of `tracker` at `now`.
    pub fn hit(&self, tracker: &str, now: Instant) -> Decision {
        let mut state = self.lock();
        let config = state.config;
        let ttl = Duration::from_secs(config.window_seconds.max(1));
        let block = Duration::from_secs(config.block_seconds);
        let counter = state
            .counters
            .entry(tracker.to_owned())
            .or_insert_with(|| Counter {
                hits: 0,
                expires_at: now + ttl,
                blocked_until: None,
            });
        if counter.blocked_until.is_some_and(|until| until <= now) {
            *counter = Counter {
                hits: 0,
                expires_at: now + ttl,
                blocked_until: None,
            };
        }
        if counter.blocked_until.is_none() && counter.expires_at <= now {
            counter.hits = 0;
            counter.expires_at = now + ttl;
        }
        if counter.blocked_until.is_none() {
            counter.hits = counter.hits.saturating_add(1);
            if counter.hits > config.limit {
                counter.blocked_until = Some(now + block);
            }
        }
        match counter.blocked_until {
            Some(until) => Decision {
                allowed: false,
                limit: config.limit,
                remaining: 0,
                reset_seconds: ceil_seconds(until - now).max(1),
            },
            None => Decision {
                allowed: true,
                limit: config.limit,
                remaining: config.limit.saturating_sub(counter.hits),
                reset_seconds: ceil_seconds(counter.expires_at - now).max(1),
            },
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LimiterState> {
        // A panic while holding this lock cannot leave the counters inconsistent.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn ceil_seconds(duration: Duration) -> u64 {
    let seconds = duration.as_secs();
    if duration.subsec_nanos() > 0 {
        seconds + 1
    } else {
        seconds
    }
}

/// Who a request is counted against, like Cal.com's `getTracker`: the API key when the
/// bearer token starts with `cal_`, the access token for any other bearer token, else the
/// client address.
pub fn tracker(headers: &HeaderMap, client: Option<std::net::SocketAddr>) -> String {
    match crate::routes::bearer_token(headers) {
        Some(token) if token.starts_with("cal_") => format!("api_key_{token}"),
        Some(token) => format!("access_token_{token}"),
        None => match client {
            Some(addr) => format!("ip_{}", addr.ip()),
            None => "unknown".to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_then_block() {
        let limiter = RateLimiter::new(RateLimitConfig {
            limit: 2,
            window_seconds: 60,
            block_seconds: 30,
        });
        let start = Instant::now();
        let first = limiter.hit("k", start);
        assert!(first.allowed);
        assert_eq!((first.remaining, first.reset_seconds), (1, 60));
        let second = limiter.hit("k", start + Duration::from_secs(10));
        assert_eq!(
            (second.allowed, second.remaining, second.reset_seconds),
            (true, 0, 50)
        );
        let third = limiter.hit("k", start + Duration::from_secs(11));
        assert_eq!(
            (third.allowed, third.remaining, third.reset_seconds),
            (false, 0, 30)
        );
        let other = limiter.hit("other", start + Duration::from_secs(11));
        assert!(other.allowed);
        let after = limiter.hit("k", start + Duration::from_secs(42));
        assert_eq!((after.allowed, after.remaining), (true, 1));
    }
}
