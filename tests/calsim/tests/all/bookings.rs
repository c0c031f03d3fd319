//! The bookings endpoints and event types.

use std::collections::BTreeSet;
use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{BOOKINGS, EVENT_TYPES, Harness, assert_error, assert_keys_in_order, send};

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
    // Every field of Cal.com's `BookingOutput_2024_08_13`, as `OutputBookingsService_2024_08_13`
    // fills it for a fresh booking of an event type without locations (a Cal Video room).
    let room = format!("https://app.cal.com/video/{uid}");
    let expected = json!({
        "id": data["id"],
        "uid": uid,
        "title": "Beratung between Praxis Demo and Max Muster",
        "description": "",
        "hosts": [{"id": 1, "name": "Praxis Demo", "email": "praxis@example.com", "displayEmail": "praxis@example.com", "username": "praxis-demo", "timeZone": "Europe/Berlin"}],
        "status": "accepted",
        "cancellationReason": "",
        "cancelledByEmail": "",
        "rescheduledByEmail": null,
        "start": "2026-12-01T08:00:00.000Z",
        "end": "2026-12-01T08:30:00.000Z",
        "duration": 30,
        "eventTypeId": 1001,
        "eventType": {"id": 1001, "slug": "beratung"},
        "meetingUrl": room,
        "location": room,
        "absentHost": false,
        "createdAt": "2026-11-30T07:00:00.000Z",
        "updatedAt": "2026-11-30T07:00:00.000Z",
        "metadata": {"callId": "call-1", "attempt": 1},
        "rating": null,
        "icsUid": format!("{uid}@Cal.com"),
        "attendees": [{"name": "Max Muster", "email": "491761112223@sms.cal.com", "displayEmail": "491761112223@sms.cal.com", "timeZone": "Europe/Berlin", "language": "de", "absent": false, "phoneNumber": "+491761112223"}],
        "guests": [],
        "bookingFieldsResponses": {"name": "Max Muster", "email": "491761112223@sms.cal.com", "attendeePhoneNumber": "+491761112223", "guests": [], "notes": "Rückenschmerzen", "displayEmail": "491761112223@sms.cal.com", "displayGuests": []}
    });
    assert_eq!(data, &expected);
    // In the class's key order, as class-transformer writes it.
    let raw = send(
        h.client
            .get(h.url(&format!("/v2/bookings/{uid}")))
            .header("cal-api-version", BOOKINGS)
            .bearer_auth(crate::common::KEY),
    )
    .await;
    assert_keys_in_order(
        &raw.text,
        &[
            "id",
            "uid",
            "title",
            "description",
            "hosts",
            "status",
            "cancellationReason",
            "cancelledByEmail",
            "rescheduledByEmail",
            "start",
            "end",
            "duration",
            "eventTypeId",
            "eventType",
            "meetingUrl",
            "location",
            "absentHost",
            "createdAt",
            "updatedAt",
            "metadata",
            "rating",
            "icsUid",
            "attendees",
            "guests",
            "bookingFieldsResponses",
        ],
    );

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

// Reservations and bookings: `createBookingWithReservedSlot` and the 2024-08-13
// `reserved-slot-bookings.e2e-spec.ts` of Cal.com.

const HELD: &str = "2026-12-01T08:00:00Z";

fn booking_body(reserved_slot_uid: Option<&str>) -> Value {
    let mut body = json!({
        "start": HELD,
        "eventTypeId": 1001,
        "attendee": {"name": "Max Muster", "timeZone": "Europe/Berlin", "phoneNumber": "+491761112223"}
    });
    if let Some(uid) = reserved_slot_uid {
        body["reservedSlotUid"] = json!(uid);
    }
    body
}

fn someone_else_first(seconds: i64) -> String {
    format!(
        "Someone else reserved this booking time slot before you. This time slot will be freed up in {seconds} seconds."
    )
}

#[tokio::test]
async fn the_holder_books_its_reserved_slot_and_uses_the_reservation_up() {
    let h = Harness::demo().await;
    let uid = h.reserve(1001, HELD).await;
    let answer = h
        .post("/v2/bookings", BOOKINGS, booking_body(Some(&uid)))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert_eq!(answer.body["data"]["start"], "2026-12-01T08:00:00.000Z");
    assert!(h.sim().reservations().is_empty());
    let read = h
        .get(
            &format!("/v2/slots/reservations/{uid}"),
            crate::common::SLOTS,
        )
        .await;
    assert_eq!(read.body["data"], Value::Null);
}

#[tokio::test]
async fn a_held_slot_refuses_bookers_without_the_reservation_with_409() {
    let h = Harness::demo().await;
    let uid = h.reserve(1001, HELD).await;
    assert_error(
        &h.post("/v2/bookings", BOOKINGS, booking_body(None)).await,
        409,
        "ConflictException",
        &someone_else_first(300),
        "/v2/bookings",
    );
    h.sim().advance_clock(chrono::Duration::seconds(121));
    assert_error(
        &h.post(
            "/v2/bookings",
            BOOKINGS,
            booking_body(Some("3b241101-e2bb-4255-8caf-4136c566a962")),
        )
        .await,
        409,
        "ConflictException",
        &someone_else_first(179),
        "/v2/bookings",
    );
    // The booking page and its bookers are "someone else" too.
    let direct = h.sim().book_directly(calsim::DirectBooking {
        event_type_id: 1001,
        start: crate::common::at(HELD),
        length_in_minutes: None,
        name: "Walk-in".to_owned(),
        email: Some("walk-in@example.com".to_owned()),
        phone_number: None,
        time_zone: None,
    });
    assert_eq!(
        direct.map(|booking| booking.uid),
        Err(calsim::BookingError::ReservedByOther { seconds: 179 })
    );
    assert_eq!(h.sim().bookings().len(), 5);
    assert_eq!(h.sim().reservations()[0].uid, uid);

    // Once the hold has run out, anyone books it.
    h.sim().advance_clock(chrono::Duration::seconds(179));
    let answer = h.post("/v2/bookings", BOOKINGS, booking_body(None)).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
}

#[tokio::test]
async fn the_reservation_uid_may_come_in_the_uid_cookie() {
    let h = Harness::demo().await;
    let uid = h.reserve(1001, HELD).await;
    let answer = send(
        h.client
            .post(h.url("/v2/bookings"))
            .header("cal-api-version", BOOKINGS)
            .header("cookie", format!("theme=dark; uid={uid}"))
            .bearer_auth(crate::common::KEY)
            .json(&booking_body(None)),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert!(h.sim().reservations().is_empty());
}

#[tokio::test]
async fn an_expired_own_reservation_books_and_is_deleted() {
    let h = Harness::demo().await;
    let uid = h.reserve(1001, HELD).await;
    h.sim().advance_clock(chrono::Duration::minutes(6));
    assert_eq!(h.sim().reservations().len(), 1, "not cleaned up yet");
    let answer = h
        .post("/v2/bookings", BOOKINGS, booking_body(Some(&uid)))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert!(h.sim().reservations().is_empty());
}

#[tokio::test]
async fn only_the_earliest_live_reservation_of_the_exact_slot_may_book() {
    let h = Harness::demo().await;
    let first = h.reserve(1001, HELD).await;
    // The first hold runs out; a second caller holds the same slot.
    h.sim().advance_clock(chrono::Duration::minutes(5));
    let second = h.reserve(1001, HELD).await;
    assert_eq!(h.sim().reservations().len(), 2);
    assert_error(
        &h.post("/v2/bookings", BOOKINGS, booking_body(Some(&first)))
            .await,
        409,
        "ConflictException",
        &someone_else_first(300),
        "/v2/bookings",
    );
    let answer = h
        .post("/v2/bookings", BOOKINGS, booking_body(Some(&second)))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    // Only the booker's own reservation is used up.
    let left: Vec<String> = h.sim().reservations().into_iter().map(|r| r.uid).collect();
    assert_eq!(left, [first]);
}

#[tokio::test]
async fn a_reservation_of_another_length_or_type_does_not_guard_the_booking() {
    let h = Harness::demo().await;
    // 1002 holds 09:00-10:00; a 1001 booking of 09:00-09:30 is another slot to Cal.com.
    h.reserve(1002, HELD).await;
    let answer = h.post("/v2/bookings", BOOKINGS, booking_body(None)).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert_eq!(h.sim().reservations().len(), 1);
}

#[tokio::test]
async fn reschedules_respect_and_use_up_reservations() {
    let h = Harness::demo().await;
    let path = "/v2/bookings/demo202612011000/reschedule";
    let uid = h.reserve(1001, HELD).await;
    assert_error(
        &h.post(path, BOOKINGS, json!({"start": HELD})).await,
        409,
        "ConflictException",
        &someone_else_first(300),
        path,
    );
    let answer = h
        .post(
            path,
            BOOKINGS,
            json!({"start": HELD, "reservedSlotUid": uid, "rescheduledBy": "anna@example.com"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert_eq!(
        answer.body["data"]["rescheduledByEmail"],
        "anna@example.com"
    );
    assert!(h.sim().reservations().is_empty());
    let old = h.get("/v2/bookings/demo202612011000", BOOKINGS).await;
    assert_eq!(old.body["data"]["rescheduledByEmail"], "anna@example.com");
    assert_eq!(
        old.body["data"]["rescheduledToUid"],
        answer.body["data"]["uid"]
    );
}

#[tokio::test]
async fn a_wrongly_typed_reserved_slot_uid_is_a_validation_error() {
    let h = Harness::demo().await;
    let mut body = booking_body(None);
    body["reservedSlotUid"] = json!(42);
    assert_error(
        &h.post("/v2/bookings", BOOKINGS, body).await,
        400,
        "BadRequestException",
        "reservedSlotUid property is wrong,reservedSlotUid must be a string ",
        "/v2/bookings",
    );
}

#[tokio::test]
async fn every_booking_output_carries_cal_com_s_fields() {
    let h = Harness::demo().await;
    let cancelled = h
        .post(
            "/v2/bookings/demo202612011500/cancel",
            BOOKINGS,
            json!({"cancellationReason": "Krank"}),
        )
        .await;
    let rescheduled = h
        .post(
            "/v2/bookings/demo202612011000/reschedule",
            BOOKINGS,
            json!({"start": "2026-12-01T13:00:00Z"}),
        )
        .await;
    let listed = h.get("/v2/bookings?take=250", BOOKINGS).await;
    let created = h.book("2026-12-02T13:00:00Z").await;
    let mut outputs = vec![
        cancelled.body["data"].clone(),
        rescheduled.body["data"].clone(),
        created.body["data"].clone(),
    ];
    outputs.extend(listed.body["data"].as_array().cloned().unwrap_or_default());
    assert_eq!(outputs.len(), 9);
    for output in &outputs {
        for field in [
            "id",
            "uid",
            "title",
            "description",
            "hosts",
            "status",
            "cancellationReason",
            "cancelledByEmail",
            "rescheduledByEmail",
            "start",
            "end",
            "duration",
            "eventTypeId",
            "eventType",
            "meetingUrl",
            "location",
            "absentHost",
            "createdAt",
            "updatedAt",
            "metadata",
            "rating",
            "icsUid",
            "attendees",
            "guests",
            "bookingFieldsResponses",
        ] {
            assert!(output.get(field).is_some(), "{field} missing in {output}");
        }
        let uid = output["uid"].as_str().expect("uid");
        assert_eq!(
            output["location"],
            format!("https://app.cal.com/video/{uid}")
        );
        assert_eq!(output["meetingUrl"], output["location"]);
        assert_eq!(output["hosts"][0]["displayEmail"], "praxis@example.com");
        assert_eq!(
            output["attendees"][0]["displayEmail"],
            output["attendees"][0]["email"]
        );
        assert_eq!(
            output["bookingFieldsResponses"]["displayEmail"],
            output["bookingFieldsResponses"]["email"]
        );
    }
    assert_eq!(cancelled.body["data"]["cancellationReason"], "Krank");
    assert_eq!(created.body["data"]["cancellationReason"], "");
    assert_eq!(created.body["data"]["rescheduledByEmail"], Value::Null);
    assert!(created.body["data"].get("rescheduledFromUid").is_none());
    assert_eq!(
        rescheduled.body["data"]["rescheduledFromUid"],
        "demo202612011000"
    );
}
