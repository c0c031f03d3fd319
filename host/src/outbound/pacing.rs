//! Pacing requests by the rate limit the upstream reports, per API key.
//!
//! Cal.com allows each API key 120 requests a minute and says how many are left in every
//! answer (`X-RateLimit-Remaining-Default`, `X-RateLimit-Reset-Default` in seconds; one pair
//! per named throttler). Going over gets 429 and a block until the reset. A 429 is not an
//! outage: opening the circuit breaker for it would tell every caller of the tenant for a
//! minute that the calendar is unreachable while it is fine. Instead the key waits: while the
//! upstream says nothing is left, requests with that key are held until the reset when their
//! deadline allows it, and refused at once when it does not.
//!
//! Keys are the upstream's authority and a digest of the request's credential headers, so two
//! tenants sharing one Cal.com API key share its budget, as Cal.com counts it. Written by hand:
//! the budget is the upstream's, read from its answers, not a local token bucket (`governor`
//! would pace by a rate we guess instead of by what Cal.com says is left).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use http::{HeaderMap, StatusCode};
use sha2::{Digest, Sha256};
use tokio::time::Instant;

/// Headers that carry the credential a rate limit is counted against.
const CREDENTIAL_HEADERS: [&str; 3] = ["authorization", "x-cal-secret-key", "x-cal-client-id"];

/// How long a 429 without any reset header blocks its key: Cal.com's block length.
const DEFAULT_BLOCK: Duration = Duration::from_secs(60);

/// Keys not heard of for this long are forgotten, so the map stays small.
const FORGET_AFTER: Duration = Duration::from_secs(10 * 60);

/// One API key at one upstream.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PaceKey {
    upstream: String,
    credential: [u8; 32],
}

impl PaceKey {
    /// The key of a request to `upstream` carrying `headers`.
    pub fn of(upstream: &str, headers: &HeaderMap) -> Self {
        let mut digest = Sha256::new();
        for name in CREDENTIAL_HEADERS {
            for value in headers.get_all(name) {
                digest.update(name.as_bytes());
                digest.update([0]);
                digest.update(value.as_bytes());
                digest.update([0]);
            }
        }
        Self {
            upstream: upstream.to_owned(),
            credential: digest.finalize().into(),
        }
    }
}

/// What the upstream last said about a key's budget.
#[derive(Debug, Clone, Copy)]
struct Budget {
    /// Requests left in the current window, as last reported (minus those sent since).
    remaining: Option<u32>,
    /// When the window (or a block) ends.
    resets_at: Instant,
    /// Set after a 429: nothing goes until `resets_at`.
    blocked: bool,
    /// Last time an answer was seen, for forgetting.
    seen: Instant,
}

/// What a request must do before it may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Send now.
    Go,
    /// Wait this long first (the key's budget resets then).
    Wait(Duration),
}

/// The budgets of every key seen, shared by all tenants.
#[derive(Debug, Default)]
pub struct Pacer {
    budgets: Mutex<HashMap<PaceKey, Budget>>,
}

impl Pacer {
    /// Whether a request with `key` may go now, and takes one request of its budget when so.
    pub fn admit(&self, key: &PaceKey) -> Admission {
        self.admit_at(key, Instant::now())
    }

    fn admit_at(&self, key: &PaceKey, now: Instant) -> Admission {
        let mut budgets = self.budgets.lock().unwrap_or_else(|p| p.into_inner());
        let Some(budget) = budgets.get_mut(key) else {
            return Admission::Go;
        };
        if budget.resets_at <= now {
            // The window is over: the next answer will say how much the new one has.
            budget.blocked = false;
            budget.remaining = None;
            return Admission::Go;
        }
        if budget.blocked || budget.remaining == Some(0) {
            return Admission::Wait(budget.resets_at - now);
        }
        // Concurrent requests must not all spend the last unit the upstream reported.
        if let Some(remaining) = budget.remaining.as_mut() {
            *remaining -= 1;
        }
        Admission::Go
    }

    /// Records what an answer with `status` and `headers` says about `key`'s budget. Returns
    /// how long the key is now blocked for when the answer was a 429.
    pub fn observe(
        &self,
        key: &PaceKey,
        status: StatusCode,
        headers: &HeaderMap,
    ) -> Option<Duration> {
        self.observe_at(key, status, headers, Instant::now())
    }

    fn observe_at(
        &self,
        key: &PaceKey,
        status: StatusCode,
        headers: &HeaderMap,
        now: Instant,
    ) -> Option<Duration> {
        let reported = reported_budget(headers);
        let mut budgets = self.budgets.lock().unwrap_or_else(|p| p.into_inner());
        budgets.retain(|_, budget| now.saturating_duration_since(budget.seen) < FORGET_AFTER);
        if status == StatusCode::TOO_MANY_REQUESTS {
            let block = reported
                .map(|(_, reset)| reset)
                .or_else(|| retry_after(headers))
                .unwrap_or(DEFAULT_BLOCK);
            budgets.insert(
                key.clone(),
                Budget {
                    remaining: Some(0),
                    resets_at: now + block,
                    blocked: true,
                    seen: now,
                },
            );
            return Some(block);
        }
        match reported {
            Some((remaining, reset)) => {
                budgets.insert(
                    key.clone(),
                    Budget {
                        remaining: Some(remaining),
                        resets_at: now + reset,
                        blocked: false,
                        seen: now,
                    },
                );
            }
            None => {
                budgets.remove(key);
            }
        }
        None
    }
}

/// The tightest budget among the throttlers an answer reports: requests left and the time
/// until that throttler's window resets. Every `X-RateLimit-Remaining[-NAME]` header is read
/// with its `X-RateLimit-Reset[-NAME]`, so throttlers Cal.com adds later count too.
fn reported_budget(headers: &HeaderMap) -> Option<(u32, Duration)> {
    const REMAINING: &str = "x-ratelimit-remaining";
    const RESET: &str = "x-ratelimit-reset";
    headers
        .iter()
        .filter_map(|(name, value)| {
            let suffix = name.as_str().strip_prefix(REMAINING)?;
            let remaining: u32 = value.to_str().ok()?.trim().parse().ok()?;
            let reset = headers
                .get(format!("{RESET}{suffix}"))
                .and_then(|value| value.to_str().ok())
                .and_then(|text| text.trim().parse::<f64>().ok())
                .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
                .map(|seconds| Duration::from_secs_f64(seconds.min(3600.0)))?;
            Some((remaining, reset))
        })
        .min_by_key(|(remaining, reset)| (*remaining, std::cmp::Reverse(*reset)))
}

/// `Retry-After` in seconds (the HTTP-date form is not used by the calendars we know).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(|seconds| Duration::from_secs(seconds.min(3600)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn key(token: &'static str) -> PaceKey {
        PaceKey::of("api.cal.com", &headers(&[("authorization", token)]))
    }

    #[test]
    fn a_key_with_nothing_left_waits_for_its_reset_and_others_do_not() {
        let pacer = Pacer::default();
        let now = Instant::now();
        let ours = key("Bearer cal_a");
        let answer = headers(&[
            ("x-ratelimit-limit-default", "120"),
            ("x-ratelimit-remaining-default", "1"),
            ("x-ratelimit-reset-default", "30"),
        ]);
        assert_eq!(pacer.observe_at(&ours, StatusCode::OK, &answer, now), None);
        assert_eq!(pacer.admit_at(&ours, now), Admission::Go, "one is left");
        assert_eq!(
            pacer.admit_at(&ours, now),
            Admission::Wait(Duration::from_secs(30)),
            "the last one was taken by the request before"
        );
        let other = key("Bearer cal_b");
        assert_eq!(pacer.admit_at(&other, now), Admission::Go, "another key");
        let later = now + Duration::from_secs(30);
        assert_eq!(
            pacer.admit_at(&ours, later),
            Admission::Go,
            "the window reset"
        );
    }

    #[test]
    fn a_429_blocks_the_key_for_the_reset_it_names_or_retry_after_or_a_minute() {
        let pacer = Pacer::default();
        let ours = key("Bearer cal_a");
        let named = headers(&[
            ("x-ratelimit-remaining-default", "0"),
            ("x-ratelimit-reset-default", "2"),
        ]);
        let now = Instant::now();
        let blocked = pacer.observe_at(&ours, StatusCode::TOO_MANY_REQUESTS, &named, now);
        assert_eq!(blocked, Some(Duration::from_secs(2)));
        assert_eq!(
            pacer.admit_at(&ours, now),
            Admission::Wait(Duration::from_secs(2))
        );

        let retry = headers(&[("retry-after", "7")]);
        assert_eq!(
            pacer.observe(&ours, StatusCode::TOO_MANY_REQUESTS, &retry),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            pacer.observe(&ours, StatusCode::TOO_MANY_REQUESTS, &HeaderMap::new()),
            Some(DEFAULT_BLOCK)
        );
    }

    #[test]
    fn the_tightest_of_several_throttlers_counts() {
        let answer = headers(&[
            ("x-ratelimit-remaining-default", "100"),
            ("x-ratelimit-reset-default", "50"),
            ("x-ratelimit-remaining-short", "0"),
            ("x-ratelimit-reset-short", "1"),
        ]);
        assert_eq!(reported_budget(&answer), Some((0, Duration::from_secs(1))));
        assert_eq!(
            reported_budget(&headers(&[("x-ratelimit-remaining", "x")])),
            None
        );
    }

    #[test]
    fn the_credential_decides_the_key_not_the_other_headers() {
        let a = PaceKey::of(
            "h",
            &headers(&[("authorization", "Bearer 1"), ("x-other", "1")]),
        );
        let b = PaceKey::of(
            "h",
            &headers(&[("authorization", "Bearer 1"), ("x-other", "2")]),
        );
        let c = PaceKey::of("h", &headers(&[("authorization", "Bearer 2")]));
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
