//! The `/_sim` control plane.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{BOOKINGS, Harness, SLOTS};

async fn put(h: &Harness, path: &str, body: Value) -> StatusCode {
    h.client
        .put(h.url(path))
        .json(&body)
        .send()
        .await
        .expect("answered")
        .status()
}

#[tokio::test]
async fn requests_are_logged_and_reset_restores_the_seed() {
    let h = Harness::demo().await;
    assert_eq!(
        h.book("2026-12-01T13:00:00Z").await.status,
        StatusCode::CREATED
    );
    let _ = h.get("/v2/bookings/unknown", BOOKINGS).await;
    let log: Value = h
        .client
        .get(h.url("/_sim/requests"))
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("json");
    assert_eq!(log["count"], 2);
    let first = &log["requests"][0];
    assert_eq!(first["method"], "POST");
    assert_eq!(first["path"], "/v2/bookings");
    assert_eq!(first["endpoint"], "createBooking");
    assert_eq!(first["apiKey"], crate::common::KEY);
    assert_eq!(first["apiVersion"], BOOKINGS);
    assert_eq!(first["status"], 201);
    assert!(
        first["body"]
            .as_str()
            .is_some_and(|b| b.contains("+491761112223"))
    );
    assert_eq!(log["requests"][1]["status"], 404);
    // Control-plane calls are not counted.
    assert_eq!(h.sim().request_count(), 2);

    let reset = h
        .client
        .post(h.url("/_sim/reset"))
        .send()
        .await
        .expect("answered");
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    assert_eq!(h.sim().request_count(), 0);
    assert_eq!(h.sim().bookings().len(), 5);
}

#[tokio::test]
async fn clock_faults_latency_and_direct_bookings_over_http() {
    let h = Harness::demo().await;
    assert_eq!(
        put(&h, "/_sim/clock", json!({"now": "2026-12-01T16:05:00Z"})).await,
        StatusCode::NO_CONTENT
    );
    // 17:05 in Berlin: only the 17:30 slot is left today.
    assert_eq!(
        h.day_slots(1001, "2026-12-01").await,
        ["2026-12-01T17:30:00.000+01:00"]
    );

    let fault = json!({"endpoint": "slots", "fault": {"kind": "status", "code": 500, "rate": 1.0}});
    assert_eq!(put(&h, "/_sim/fault", fault).await, StatusCode::NO_CONTENT);
    let path = "/v2/slots?eventTypeId=1001&start=2026-12-02&end=2026-12-02";
    assert_eq!(
        h.get(path, SLOTS).await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        put(
            &h,
            "/_sim/fault",
            json!({"endpoint": "slots", "fault": null})
        )
        .await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(h.get(path, SLOTS).await.status, StatusCode::OK);
    let latency = json!({"endpoint": "all", "latency": {"minMs": 1, "maxMs": 2}});
    assert_eq!(
        put(&h, "/_sim/latency", latency).await,
        StatusCode::NO_CONTENT
    );
    let bad = json!({"endpoint": "everything", "latency": null});
    assert_eq!(put(&h, "/_sim/latency", bad).await, StatusCode::BAD_REQUEST);

    let booked = h
        .client
        .post(h.url("/_sim/bookings"))
        .json(&json!({"eventTypeId": 1001, "start": "2026-12-01T16:30:00Z", "name": "Anruf", "phoneNumber": "+491700000001"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(booked.status(), StatusCode::CREATED);
    assert!(h.day_slots(1001, "2026-12-01").await.is_empty());
    let again = h
        .client
        .post(h.url("/_sim/bookings"))
        .json(&json!({"eventTypeId": 1001, "start": "2026-12-01T16:30:00Z", "name": "Zweiter"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_example_seed_file_loads_and_means_what_it_says() {
    let seed = calsim::Seed::from_json(include_str!("../../seed.example.json"))
        .expect("valid example seed");
    let h = Harness::start(seed.clone()).await;
    // Two override ranges on 12-23; 60-minute slots every 30 minutes.
    let day = |hours: &[&str]| -> Vec<String> {
        hours
            .iter()
            .map(|h| format!("2026-12-23T{h}:00.000+01:00"))
            .collect()
    };
    assert_eq!(
        h.day_slots(1002, "2026-12-23").await,
        day(&["10:00", "10:30", "11:00", "14:00", "14:30", "15:00"])
    );
    assert!(h.day_slots(1001, "2026-12-24").await.is_empty());
    assert_eq!(h.day_slots(1001, "2026-12-04").await.len(), 8);
    // 60 minutes of notice from 08:30 Berlin, and the seeded 10:00 booking.
    assert_eq!(
        h.day_slots(1002, "2026-12-01")
            .await
            .first()
            .map(String::as_str),
        Some("2026-12-01T10:30:00.000+01:00")
    );
    let seeded = h.get("/v2/bookings/seeded-booking-1", BOOKINGS).await;
    assert_eq!(seeded.body["data"]["metadata"], json!({"source": "seed"}));
    assert_eq!(seeded.body["data"]["attendees"][0]["language"], "de");

    // The same file through the control plane.
    let demo = Harness::demo().await;
    let loaded = demo
        .client
        .put(demo.url("/_sim/seed"))
        .body(include_str!("../../seed.example.json"))
        .send()
        .await
        .expect("answered");
    assert_eq!(loaded.status(), StatusCode::NO_CONTENT);
    assert_eq!(demo.sim().bookings().len(), 2);
    assert_eq!(demo.sim().now(), seed.now.expect("seed has now"));
}

async fn control(
    h: &Harness,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = h.client.request(method, h.url(path));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("answered");
    let status = response.status();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn reservations_and_the_clock_over_http() {
    use reqwest::Method;
    let h = Harness::demo().await;
    let (status, clock) = control(&h, Method::GET, "/_sim/clock", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        clock,
        json!({"now": "2026-11-30T07:00:00.000Z", "frozen": true})
    );

    // Someone else holds Tuesday 09:00 Berlin for ten minutes.
    let (status, held) = control(
        &h,
        Method::POST,
        "/_sim/reservations",
        Some(json!({"eventTypeId": 1001, "slotStart": "2026-12-01T08:00:00Z", "reservationDuration": 10})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{held}");
    let uid = held["data"]["reservationUid"]
        .as_str()
        .expect("uid")
        .to_owned();
    assert_eq!(held["data"]["reservationUntil"], "2026-11-30T07:10:00.000Z");
    let (status, taken) = control(
        &h,
        Method::POST,
        "/_sim/reservations",
        Some(json!({"eventTypeId": 1001, "slotStart": "2026-12-01T08:15:00Z"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        taken["error"],
        "This time slot is already reserved by another user. Please choose a different time."
    );

    let (_, listed) = control(&h, Method::GET, "/_sim/reservations", None).await;
    assert_eq!(
        listed,
        json!({"now": "2026-11-30T07:00:00.000Z", "reservations": [{
            "reservationUid": uid, "eventTypeId": 1001, "slotStart": "2026-12-01T08:00:00.000Z",
            "slotEnd": "2026-12-01T08:30:00.000Z", "slotDuration": 30,
            "reservationUntil": "2026-11-30T07:10:00.000Z", "live": true
        }]})
    );

    // A direct booking without the reservation is refused; with it, it goes through.
    let booking = json!({"eventTypeId": 1001, "start": "2026-12-01T08:00:00Z", "name": "Anruf"});
    let (status, refused) =
        control(&h, Method::POST, "/_sim/bookings", Some(booking.clone())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        refused["error"],
        "Someone else reserved this booking time slot before you. This time slot will be freed up in 600 seconds."
    );

    let (status, moved) = control(
        &h,
        Method::POST,
        "/_sim/clock/advance",
        Some(json!({"seconds": 600})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(moved, json!({"now": "2026-11-30T07:10:00.000Z"}));
    let (_, listed) = control(&h, Method::GET, "/_sim/reservations", None).await;
    assert_eq!(listed["reservations"][0]["live"], false);

    let mut holding = booking;
    holding["reservedSlotUid"] = json!(uid);
    let (status, booked) = control(&h, Method::POST, "/_sim/bookings", Some(holding)).await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");
    let (_, listed) = control(&h, Method::GET, "/_sim/reservations", None).await;
    assert_eq!(listed["reservations"], json!([]));
}

#[tokio::test]
async fn reservation_endpoints_have_their_own_fault_names() {
    let h = Harness::demo().await;
    let fault =
        json!({"endpoint": "reserveSlot", "fault": {"kind": "status", "code": 503, "rate": 1.0}});
    assert_eq!(put(&h, "/_sim/fault", fault).await, StatusCode::NO_CONTENT);
    let refused = crate::common::send(
        h.client
            .post(h.url("/v2/slots/reservations"))
            .header("cal-api-version", SLOTS)
            .json(&json!({"eventTypeId": 1001, "slotStart": "2026-12-01T08:00:00Z"})),
    )
    .await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(h.sim().reservations().is_empty());
    // Releasing still works while reserving is broken.
    let released = crate::common::send(
        h.client
            .delete(h.url("/v2/slots/reservations/any"))
            .header("cal-api-version", SLOTS),
    )
    .await;
    assert_eq!(released.status, StatusCode::OK);
    let endpoints: Vec<Option<calsim::Endpoint>> =
        h.sim().requests().iter().map(|r| r.endpoint).collect();
    assert_eq!(
        endpoints,
        [
            Some(calsim::Endpoint::ReserveSlot),
            Some(calsim::Endpoint::DeleteReservation)
        ]
    );
}
