//! Cal.com's rate limit: 120 requests per 60 s per API key, then 429.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{EVENT_TYPES, Harness, KEY, assert_error, demo_seed, send};

fn header(answer: &crate::common::Answer, name: &str) -> u64 {
    answer.headers[name]
        .to_str()
        .ok()
        .and_then(|value| value.parse().ok())
        .expect("numeric rate-limit header")
}

#[tokio::test]
async fn default_limit_is_120_per_minute_per_key() {
    let mut seed = demo_seed();
    seed.api_keys.push("cal_test_other".to_owned());
    let h = Harness::start(seed).await;
    for i in 1..=120u64 {
        let answer = h.get("/v2/event-types", EVENT_TYPES).await;
        assert_eq!(answer.status, StatusCode::OK, "request {i}");
        assert_eq!(header(&answer, "x-ratelimit-limit-default"), 120);
        assert_eq!(header(&answer, "x-ratelimit-remaining-default"), 120 - i);
        let reset = header(&answer, "x-ratelimit-reset-default");
        assert!((1..=60).contains(&reset), "reset {reset}");
    }
    let refused = h.get("/v2/event-types", EVENT_TYPES).await;
    assert_error(
        &refused,
        429,
        "ThrottlerException",
        "Too many requests. Please try again later.",
        "/v2/event-types",
    );
    assert_eq!(header(&refused, "x-ratelimit-remaining-default"), 0);
    assert_eq!(header(&refused, "x-ratelimit-reset-default"), 60);
    // Another key has its own budget; this one stays blocked.
    for (key, status) in [
        ("cal_test_other", StatusCode::OK),
        (KEY, StatusCode::TOO_MANY_REQUESTS),
    ] {
        let answer = send(
            h.client
                .get(h.url("/v2/event-types"))
                .header("cal-api-version", EVENT_TYPES)
                .bearer_auth(key),
        )
        .await;
        assert_eq!(answer.status, status, "{key}");
    }
}

#[tokio::test]
async fn the_control_plane_can_lower_the_limit() {
    let h = Harness::demo().await;
    let set = h
        .client
        .put(h.url("/_sim/rate-limit"))
        .json(&json!({"limit": 2, "windowSeconds": 60, "blockSeconds": 5}))
        .send()
        .await
        .expect("answered");
    assert_eq!(set.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        h.get("/v2/event-types", EVENT_TYPES).await.status,
        StatusCode::OK
    );
    assert_eq!(
        h.get("/v2/event-types", EVENT_TYPES).await.status,
        StatusCode::OK
    );
    let refused = h.get("/v2/bookings/x", crate::common::BOOKINGS).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&refused, "x-ratelimit-limit-default"), 2);
    assert_eq!(header(&refused, "x-ratelimit-reset-default"), 5);
}
