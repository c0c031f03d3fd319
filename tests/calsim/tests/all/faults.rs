//! Injected latency and faults.

use std::time::{Duration, Instant};

use calsim::{Endpoint, Fault, Latency};
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{EVENT_TYPES, Harness, SLOTS, assert_error};

const SLOTS_PATH: &str =
    "/v2/slots?eventTypeId=1001&start=2026-12-01&end=2026-12-01&timeZone=Europe/Berlin";

#[tokio::test]
async fn status_faults_at_a_rate() {
    let h = Harness::demo().await;
    h.sim().set_fault(
        Endpoint::Slots,
        Some(Fault::Status {
            code: 503,
            rate: 1.0,
        }),
    );
    assert_error(
        &h.get(SLOTS_PATH, SLOTS).await,
        503,
        "ServiceUnavailableException",
        "Service Unavailable",
        SLOTS_PATH,
    );
    // Other endpoints are untouched.
    assert_eq!(
        h.get("/v2/event-types", EVENT_TYPES).await.status,
        StatusCode::OK
    );
    h.sim().set_fault(
        Endpoint::All,
        Some(Fault::Status {
            code: 500,
            rate: 1.0,
        }),
    );
    assert_eq!(
        h.get("/v2/event-types", EVENT_TYPES).await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    // A specific setting wins over `All`; rate 0 never fires.
    h.sim().set_fault(
        Endpoint::Slots,
        Some(Fault::Status {
            code: 503,
            rate: 0.0,
        }),
    );
    assert_eq!(h.get(SLOTS_PATH, SLOTS).await.status, StatusCode::OK);
    h.sim().set_fault(Endpoint::All, None);
    h.sim().set_fault(Endpoint::Slots, None);
    // A rate in between fires sometimes: of 200 requests at 0.5, both outcomes occur.
    h.sim().set_fault(
        Endpoint::EventTypes,
        Some(Fault::Status {
            code: 502,
            rate: 0.5,
        }),
    );
    let mut seen = (0, 0);
    for _ in 0..100 {
        match h.get("/v2/event-types", EVENT_TYPES).await.status.as_u16() {
            200 => seen.0 += 1,
            502 => seen.1 += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert!(seen.0 > 10 && seen.1 > 10, "{seen:?}");
}

#[tokio::test]
async fn hang_never_answers() {
    let h = Harness::demo().await;
    h.sim().set_fault(Endpoint::Slots, Some(Fault::Hang));
    let error = h
        .client
        .get(h.url(SLOTS_PATH))
        .header("cal-api-version", SLOTS)
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .expect_err("no answer");
    assert!(error.is_timeout(), "{error}");
    let records = h.sim().requests();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].status, None);
    assert_eq!(records[0].endpoint, Some(Endpoint::Slots));
    // Clearing the fault serves new requests normally.
    h.sim().set_fault(Endpoint::Slots, None);
    assert_eq!(h.get(SLOTS_PATH, SLOTS).await.status, StatusCode::OK);
    // Shutting down releases hung requests instead of waiting for them.
    h.sim().set_fault(Endpoint::Slots, Some(Fault::Hang));
    let url = h.url(SLOTS_PATH);
    let client = h.client.clone();
    let hung = tokio::spawn(async move {
        client
            .get(url)
            .header("cal-api-version", SLOTS)
            .send()
            .await
    });
    while h.sim().request_count() < 3 {
        tokio::task::yield_now().await;
    }
    let Harness { running, .. } = h;
    tokio::time::timeout(Duration::from_secs(5), running.shutdown())
        .await
        .expect("shutdown does not wait for hung requests");
    let outcome = hung.await.expect("task");
    assert!(outcome.is_err(), "hung request got no answer: {outcome:?}");
}

#[tokio::test]
async fn reset_closes_the_connection_without_answer() {
    let h = Harness::demo().await;
    h.sim()
        .set_fault(Endpoint::CreateBooking, Some(Fault::Reset));
    let error = h
        .client
        .post(h.url("/v2/bookings"))
        .header("cal-api-version", crate::common::BOOKINGS)
        .bearer_auth(crate::common::KEY)
        .json(&json!({}))
        .send()
        .await
        .expect_err("connection reset");
    assert!(!error.is_timeout(), "{error}");
    assert!(error.status().is_none(), "{error}");
    assert_eq!(h.sim().request_count(), 1);
    assert_eq!(h.sim().requests()[0].status, None);
    // The server keeps serving.
    assert_eq!(h.get(SLOTS_PATH, SLOTS).await.status, StatusCode::OK);
}

#[tokio::test]
async fn slow_body_trickles() {
    let h = Harness::demo().await;
    let normal = h.get(SLOTS_PATH, SLOTS).await.body;
    let size = serde_json::to_vec(&normal).expect("json").len();
    let chunk_size = size.div_ceil(4);
    h.sim().set_fault(
        Endpoint::Slots,
        Some(Fault::SlowBody {
            chunk_delay: Duration::from_millis(100),
            chunk_size,
        }),
    );
    let started = Instant::now();
    let response = h
        .client
        .get(h.url(SLOTS_PATH))
        .header("cal-api-version", SLOTS)
        .send()
        .await
        .expect("headers");
    let to_headers = started.elapsed();
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.expect("whole body");
    let total = started.elapsed();
    assert_eq!(body, normal);
    assert!(
        to_headers < Duration::from_millis(100),
        "headers after {to_headers:?}"
    );
    assert!(total >= Duration::from_millis(400), "body after {total:?}");

    // A client with a between-bytes timeout below the delay gives up.
    let impatient = reqwest::Client::builder()
        .read_timeout(Duration::from_millis(30))
        .build()
        .expect("client");
    let outcome = async {
        let response = impatient
            .get(h.url(SLOTS_PATH))
            .header("cal-api-version", SLOTS)
            .send()
            .await?;
        response.bytes().await
    }
    .await;
    assert!(outcome.is_err(), "read timeout expected");
}

#[tokio::test]
async fn latency_fixed_and_uniform() {
    let h = Harness::demo().await;
    h.sim()
        .set_latency(Endpoint::Slots, Latency::Fixed(Duration::from_millis(250)));
    let started = Instant::now();
    assert_eq!(h.get(SLOTS_PATH, SLOTS).await.status, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(250));
    let started = Instant::now();
    assert_eq!(
        h.get("/v2/event-types", EVENT_TYPES).await.status,
        StatusCode::OK
    );
    assert!(started.elapsed() < Duration::from_millis(250));

    h.sim().set_latency(
        Endpoint::All,
        Latency::Uniform(Duration::from_millis(100), Duration::from_millis(150)),
    );
    let started = Instant::now();
    assert_eq!(
        h.get("/v2/event-types", EVENT_TYPES).await.status,
        StatusCode::OK
    );
    assert!(started.elapsed() >= Duration::from_millis(100));
    h.sim().clear_latency(Endpoint::All);
    h.sim().clear_latency(Endpoint::Slots);
}
