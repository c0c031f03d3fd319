//! The bookings endpoints and event types.

use std::collections::BTreeSet;
use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{BOOKINGS, EVENT_TYPES, Harness, assert_error};

#[tokio::test]
async fn create_answers_201_with_cal_com_shape() {
    let h = Harness::demo().await;
    let answer = h
        .post(
            "/v2/bookings",
            BOOKINGS,
            json!({
                "start": "2026-12-01T08:00:00Z",
                "eventTypeId": 1001,
                "attendee": {"name": "Max Muster", "timeZone": "Europe/Berlin", "phoneNumber": "+491761112223", "language": "de"},
                "metadata": {"callId": "call-1", "attempt": 1},
                "bookingFieldsResponses": {"notes": "Rückenschmerzen"}
            }),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert_eq!(answer.body["status"], "success");
    let data = &answer.body["data"];
    let uid = data["uid"].as_str().expect("uid");
    assert_eq!(uid.len(), 22);
    let expected = json!({
        "id": data["id"],
        "uid": uid,
        "title": "Beratung between Praxis Demo and Max Muster",
        "description": "",
        "hosts": [{"id": 1, "name": "Praxis Demo", "email": "praxis@example.com", "username": "praxis-demo", "timeZone": "Europe/Berlin"}],
        "status": "accepted",
        "start": "2026-12-01T08:00:00.000Z",
        "end": "2026-12-01T08:30:00.000Z",
        "duration": 30,
        "eventTypeId": 1001,
        "eventType": {"id": 1001, "slug": "beratung"},
        "absentHost": false,
        "createdAt": "2026-11-30T07:00:00.000Z",
        "updatedAt": "2026-11-30T07:00:00.000Z",
        "metadata": {"callId": "call-1", "attempt": 1},
        "rating": null,
        "icsUid": format!("{uid}@Cal.com"),
        "attendees": [{"name": "Max Muster", "email": "491761112223@sms.cal.com", "timeZone": "Europe/Berlin", "language": "de", "absent": false, "phoneNumber": "+491761112223"}],
        "guests": [],
        "bookingFieldsResponses": {"name": "Max Muster", "email": "491761112223@sms.cal.com", "attendeePhoneNumber": "+491761112223", "guests": [], "notes": "Rückenschmerzen"}
    });
    assert_eq!(data, &expected);

    // The slot is gone, and the booking reads back the same.
    assert!(
        !h.day_slots(1001, "2026-12-01")
            .await
            .contains(&"2026-12-01T09:00:00.000+01:00".to_owned())
    );
    let read = h.get(&format!("/v2/bookings/{uid}"), BOOKINGS).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body["data"], expected);
    assert_eq!(h.sim().bookings().len(), 6);
}

#[tokio::test]
async fn taken_closed_and_past_times_are_refused() {
    let h = Harness::demo().await;
    let taken = "User either already has booking at this time or is not available";
    // 10:00 Berlin on Tuesday is taken; 10:15 overlaps it; 20:00 is after hours; Saturday is closed.
    for start in [
        "2026-12-01T09:00:00Z",
        "2026-12-01T09:15:00Z",
        "2026-12-01T19:00:00Z",
        "2026-12-05T09:00:00Z",
    ] {
        assert_error(
            &h.book(start).await,
            400,
            "BadRequestException",
            taken,
            "/v2/bookings",
        );
    }
    assert_error(
        &h.book("2026-11-30T06:00:00Z").await,
        400,
        "BadRequestException",
        "Attempting to book a meeting in the past.",
        "/v2/bookings",
    );
    let unknown = h
        .post(
            "/v2/bookings",
            BOOKINGS,
            json!({"start": "2026-12-01T08:00:00Z", "eventTypeId": 4242, "attendee": {"name": "A", "timeZone": "UTC", "email": "a@b.de"}}),
        )
        .await;
    assert_error(
        &unknown,
        404,
        "NotFoundException",
        "Event type with id 4242 not found.",
        "/v2/bookings",
    );
}

#[tokio::test]
async fn validation_names_the_fields() {
    let h = Harness::demo().await;
    let answer = h
        .post(
            "/v2/bookings",
            BOOKINGS,
            json!({"start": "morgen", "eventTypeId": 1001, "attendee": {"name": "A", "phoneNumber": "+491761112223"}, "phone": "x"}),
        )
        .await;
    assert_error(
        &answer,
        400,
        "BadRequestException",
        "phone property is wrong,property phone should not exist , start property is wrong,start must be a valid ISO 8601 date string , attendee property is wrong, timeZone property is wrong,timeZone must be a valid IANA time-zone ",
        "/v2/bookings",
    );
    let answer = h
        .post(
            "/v2/bookings",
            BOOKINGS,
            json!({"start": "2026-12-01T08:00:00Z", "eventTypeId": 1001}),
        )
        .await;
    assert_error(
        &answer,
        400,
        "BadRequestException",
        "attendee property is wrong,nested property attendee must be either object or array ",
        "/v2/bookings",
    );
    let answer = h
        .post(
            "/v2/bookings",
            BOOKINGS,
            json!({"start": "2026-12-01T08:00:00Z", "eventTypeId": 1001, "attendee": {"name": "A", "timeZone": "Europe/Berlin"}}),
        )
        .await;
    assert_error(
        &answer,
        400,
        "BadRequestException",
        "attendee property is wrong, email property is wrong,At least one contact method (email or phone number) must be provided ",
        "/v2/bookings",
    );
}

#[tokio::test]
async fn metadata_limits() {
    let h = Harness::demo().await;
    let message = "metadata property is wrong,Metadata must have at most 50 keys, each key up to 40 characters, and string values up to 500 characters. ";
    let many: serde_json::Map<String, Value> =
        (0..51).map(|i| (format!("k{i}"), json!("v"))).collect();
    let long_key = json!({"k".repeat(41): "v"});
    let long_value = json!({"k": "v".repeat(501)});
    let nested = json!({"k": {"deep": true}});
    for metadata in [Value::Object(many), long_key, long_value, nested] {
        let answer = h
            .post(
                "/v2/bookings",
                BOOKINGS,
                json!({"start": "2026-12-01T08:00:00Z", "eventTypeId": 1001, "metadata": metadata,
                       "attendee": {"name": "A", "timeZone": "Europe/Berlin", "email": "a@example.com"}}),
            )
            .await;
        assert_error(&answer, 400, "BadRequestException", message, "/v2/bookings");
    }
    // Exactly at the limits is fine.
    let mut limit: serde_json::Map<String, Value> =
        (0..49).map(|i| (format!("k{i}"), json!(i))).collect();
    limit.insert("k".repeat(40), json!("v".repeat(500)));
    let answer = h
        .post(
            "/v2/bookings",
            BOOKINGS,
            json!({"start": "2026-12-01T08:00:00Z", "eventTypeId": 1001, "metadata": limit,
                   "attendee": {"name": "A", "timeZone": "Europe/Berlin", "email": "a@example.com"}}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
}

#[tokio::test]
async fn unknown_uid_is_404() {
    let h = Harness::demo().await;
    let message = "Booking with uid=nope was not found in the database";
    assert_error(
        &h.get("/v2/bookings/nope", BOOKINGS).await,
        404,
        "NotFoundException",
        message,
        "/v2/bookings/nope",
    );
    let cancel = h
        .post("/v2/bookings/nope/cancel", BOOKINGS, json!({}))
        .await;
    assert_error(
        &cancel,
        404,
        "NotFoundException",
        message,
        "/v2/bookings/nope/cancel",
    );
    let reschedule = h
        .post(
            "/v2/bookings/nope/reschedule",
            BOOKINGS,
            json!({"start": "2026-12-01T08:00:00Z"}),
        )
        .await;
    assert_error(
        &reschedule,
        404,
        "NotFoundException",
        message,
        "/v2/bookings/nope/reschedule",
    );
}

#[tokio::test]
async fn list_filters_and_pagination() {
    let h = Harness::demo().await;
    let uids = |answer: &crate::common::Answer| -> Vec<String> {
        answer.body["data"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|b| b["uid"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let upcoming = h.get("/v2/bookings?status=upcoming", BOOKINGS).await;
    assert_eq!(
        uids(&upcoming),
        [
            "demo202612011000",
            "demo202612011500",
            "demo202612021100",
            "demo202612030900"
        ]
    );
    assert_eq!(
        upcoming.body["pagination"],
        json!({"totalItems": 4, "remainingItems": 0, "returnedItems": 4, "itemsPerPage": 100,
               "currentPage": 1, "totalPages": 1, "hasNextPage": false, "hasPreviousPage": false})
    );
    let cancelled = h.get("/v2/bookings?status=cancelled", BOOKINGS).await;
    assert_eq!(uids(&cancelled), ["demo202612011200"]);
    assert_eq!(
        uids(&h.get("/v2/bookings?status=past", BOOKINGS).await),
        Vec::<String>::new()
    );
    let both = h
        .get("/v2/bookings?status=upcoming,cancelled", BOOKINGS)
        .await;
    assert_eq!(both.body["pagination"]["totalItems"], 5);

    let anna = h
        .get("/v2/bookings?attendeeName=Anna%20Schmidt", BOOKINGS)
        .await;
    assert_eq!(uids(&anna), ["demo202612011000", "demo202612021100"]);
    let lea = h
        .get("/v2/bookings?attendeeEmail=lea@example.com", BOOKINGS)
        .await;
    assert_eq!(uids(&lea), ["demo202612030900"]);
    let treatment = h.get("/v2/bookings?eventTypeId=1002", BOOKINGS).await;
    assert_eq!(uids(&treatment), ["demo202612021100"]);
    let window = h
        .get(
            "/v2/bookings?afterStart=2026-12-01T12:00:00Z&beforeEnd=2026-12-02T23:00:00Z",
            BOOKINGS,
        )
        .await;
    assert_eq!(uids(&window), ["demo202612011500", "demo202612021100"]);

    let page = h
        .get(
            "/v2/bookings?status=upcoming&take=2&skip=2&sortStart=desc",
            BOOKINGS,
        )
        .await;
    assert_eq!(uids(&page), ["demo202612011500", "demo202612011000"]);
    assert_eq!(
        page.body["pagination"],
        json!({"totalItems": 4, "remainingItems": 0, "returnedItems": 2, "itemsPerPage": 2,
               "currentPage": 2, "totalPages": 2, "hasNextPage": false, "hasPreviousPage": true})
    );

    // No phone filter in Cal.com: a caller's bookings are found through attendees[].phoneNumber.
    let by_phone: Vec<&Value> = upcoming.body["data"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|b| {
                    b["attendees"]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|a| a["phoneNumber"] == "+491701234567"))
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(by_phone.len(), 2);

    let bad = h.get("/v2/bookings?status=soon", BOOKINGS).await;
    assert_error(
        &bad,
        400,
        "BadRequestException",
        "status property is wrong,Invalid status. Allowed are upcoming, recurring, past, cancelled, unconfirmed ",
        "/v2/bookings?status=soon",
    );
}

#[tokio::test]
async fn cancel_frees_the_slot() {
    let h = Harness::demo().await;
    let answer = h
        .post(
            "/v2/bookings/demo202612011000/cancel",
            BOOKINGS,
            json!({"cancellationReason": "Krank"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["data"]["status"], "cancelled");
    assert_eq!(answer.body["data"]["cancellationReason"], "Krank");
    assert!(
        h.day_slots(1001, "2026-12-01")
            .await
            .contains(&"2026-12-01T10:00:00.000+01:00".to_owned())
    );
    let again = h
        .post("/v2/bookings/demo202612011000/cancel", BOOKINGS, json!({}))
        .await;
    assert_error(
        &again,
        400,
        "BadRequestException",
        "This booking has already been cancelled.",
        "/v2/bookings/demo202612011000/cancel",
    );
}

#[tokio::test]
async fn reschedule_makes_a_new_booking_and_cancels_the_old() {
    let h = Harness::demo().await;
    // Moving by 15 minutes overlaps the booking's own time, which counts as free.
    let answer = h
        .post(
            "/v2/bookings/demo202612011000/reschedule",
            BOOKINGS,
            json!({"start": "2026-12-01T09:15:00Z", "reschedulingReason": "Später"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let new = &answer.body["data"];
    let new_uid = new["uid"].as_str().expect("uid");
    assert_ne!(new_uid, "demo202612011000");
    assert_eq!(new["rescheduledFromUid"], "demo202612011000");
    assert_eq!(new["reschedulingReason"], "Später");
    assert_eq!(new["start"], "2026-12-01T09:15:00.000Z");
    assert_eq!(new["status"], "accepted");
    assert_eq!(new["attendees"][0]["phoneNumber"], "+491701234567");
    let old = h.get("/v2/bookings/demo202612011000", BOOKINGS).await;
    assert_eq!(old.body["data"]["status"], "cancelled");
    assert_eq!(old.body["data"]["rescheduledToUid"], new_uid);

    let onto_taken = h
        .post(
            &format!("/v2/bookings/{new_uid}/reschedule"),
            BOOKINGS,
            json!({"start": "2026-12-01T14:00:00Z"}),
        )
        .await;
    assert_error(
        &onto_taken,
        400,
        "BadRequestException",
        "User either already has booking at this time or is not available",
        &format!("/v2/bookings/{new_uid}/reschedule"),
    );
}

#[tokio::test]
async fn fifty_concurrent_bookings_of_one_slot_one_wins() {
    let h = Arc::new(Harness::demo().await);
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let h = h.clone();
        tasks.push(tokio::spawn(async move {
            h.book("2026-12-02T13:00:00Z").await.status
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("task"));
    }
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::BAD_REQUEST)
        .count();
    assert_eq!((created, refused), (1, 49), "{statuses:?}");
    let at_that_time: Vec<_> = h
        .sim()
        .bookings()
        .into_iter()
        .filter(|b| b.start.to_rfc3339() == "2026-12-02T13:00:00+00:00")
        .collect();
    assert_eq!(at_that_time.len(), 1);
}

#[tokio::test]
async fn event_types() {
    let h = Harness::demo().await;
    let answer = h.get("/v2/event-types", EVENT_TYPES).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body["status"], "success");
    let data = answer.body["data"].as_array().expect("array");
    let summary: BTreeSet<(i64, String, i64, String)> = data
        .iter()
        .map(|et| {
            (
                et["id"].as_i64().unwrap_or_default(),
                et["slug"].as_str().unwrap_or_default().to_owned(),
                et["lengthInMinutes"].as_i64().unwrap_or_default(),
                et["title"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        BTreeSet::from([
            (1001, "beratung".to_owned(), 30, "Beratung".to_owned()),
            (1002, "behandlung".to_owned(), 60, "Behandlung".to_owned())
        ])
    );
    let one = h.get("/v2/event-types/1002", EVENT_TYPES).await;
    assert_eq!(one.body["data"]["slug"], "behandlung");
    assert_eq!(one.body["data"]["ownerId"], 1);
}
