//! Authentication, versions and unknown routes, in Cal.com's error envelope.

use reqwest::StatusCode;

use crate::common::{BOOKINGS, EVENT_TYPES, Harness, assert_error, send};

#[tokio::test]
async fn missing_and_bad_api_keys_are_401() {
    let h = Harness::demo().await;
    let path = "/v2/bookings?status=upcoming";
    let none = send(
        h.client
            .get(h.url(path))
            .header("cal-api-version", BOOKINGS),
    )
    .await;
    assert_error(
        &none,
        401,
        "UnauthorizedException",
        "No authentication method provided. Either pass an API key as 'Bearer' header or OAuth client credentials as 'x-cal-secret-key' and 'x-cal-client-id' headers",
        path,
    );
    let bad = send(
        h.client
            .get(h.url(path))
            .header("cal-api-version", BOOKINGS)
            .bearer_auth("cal_live_wrong"),
    )
    .await;
    assert_error(
        &bad,
        401,
        "UnauthorizedException",
        "Your api key is not valid",
        path,
    );
    let token = send(
        h.client
            .get(h.url("/v2/event-types"))
            .header("cal-api-version", EVENT_TYPES)
            .bearer_auth("eyJhbGciOi"),
    )
    .await;
    assert_error(
        &token,
        401,
        "UnauthorizedException",
        "Invalid Access Token.",
        "/v2/event-types",
    );
    // Errors carry the rate-limit headers too (the throttler runs before authentication).
    assert_eq!(bad.headers["x-ratelimit-limit-default"], "120");
    assert_eq!(
        bad.headers["content-type"],
        "application/json; charset=utf-8"
    );
}

#[tokio::test]
async fn missing_or_other_version_is_refused_with_a_hint() {
    let h = Harness::demo().await;
    let none = send(
        h.client
            .get(h.url("/v2/bookings"))
            .bearer_auth(crate::common::KEY),
    )
    .await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
    assert_eq!(none.body["error"]["code"], "BadRequestException");
    let message = none.body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("cal-api-version") && message.contains(BOOKINGS),
        "{message}"
    );
    let other = h.get("/v2/bookings", "2024-04-15").await;
    assert_eq!(other.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn unknown_routes_are_nest_404s() {
    let h = Harness::demo().await;
    let answer = h.get("/v2/calendars", BOOKINGS).await;
    assert_error(
        &answer,
        404,
        "NotFoundException",
        "Cannot GET /v2/calendars",
        "/v2/calendars",
    );
    // Like Nest, unrouted paths never reach the throttler.
    assert!(answer.headers.get("x-ratelimit-limit-default").is_none());
}

#[tokio::test]
async fn invalid_json_is_400() {
    let h = Harness::demo().await;
    let answer = send(
        h.client
            .post(h.url("/v2/bookings"))
            .header("cal-api-version", BOOKINGS)
            .header("content-type", "application/json")
            .bearer_auth(crate::common::KEY)
            .body("{not json"),
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.body["status"], "error");
}
