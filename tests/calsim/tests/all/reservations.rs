//! Slot reservations (`/v2/slots/reservations`), checked against Cal.com's
//! `slots-2024-09-04` controller, service, repository and its e2e spec
//! (`user-event-type-slots.controller.e2e-spec.ts`).

use calsim::{ReserveRequest, Seed};
use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Answer, Harness, KEY, SLOTS, assert_error, at, demo_seed, send};

/// Tuesday 09:00 Berlin: free for both demo event types.
const NINE: &str = "2026-12-01T08:00:00.000Z";

/// A request without credentials, as Cal.com's booker widget sends it.
async fn anonymous(h: &Harness, method: Method, path: &str, body: Option<Value>) -> Answer {
    let mut request = h
        .client
        .request(method, h.url(path))
        .header("cal-api-version", SLOTS);
    if let Some(body) = body {
        request = request.json(&body);
    }
    send(request).await
}

async fn reserve(h: &Harness, body: Value) -> Answer {
    anonymous(h, Method::POST, "/v2/slots/reservations", Some(body)).await
}

async fn reserve_nine(h: &Harness) -> String {
    let answer = reserve(h, json!({"eventTypeId": 1001, "slotStart": NINE})).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.body["data"]["reservationUid"]
        .as_str()
        .expect("reservationUid")
        .to_owned()
}

async fn get_reservation(h: &Harness, uid: &str) -> Answer {
    anonymous(
        h,
        Method::GET,
        &format!("/v2/slots/reservations/{uid}"),
        None,
    )
    .await
}

#[tokio::test]
async fn a_reservation_answers_201_with_cal_com_fields_in_their_order() {
    let h = Harness::demo().await;
    let answer = reserve(
        &h,
        json!({"eventTypeId": 1001, "slotStart": "2026-12-01T08:00:00Z", "unknown": "dropped"}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let uid = answer.body["data"]["reservationUid"].as_str().expect("uid");
    assert_eq!(uid.len(), 36, "a UUID: {uid}");
    // Five minutes from the frozen now (07:00Z), Cal.com's default hold.
    assert_eq!(
        answer.text,
        format!(
            r#"{{"status":"success","data":{{"eventTypeId":1001,"slotStart":"2026-12-01T08:00:00.000Z","slotEnd":"2026-12-01T08:30:00.000Z","slotDuration":30,"reservationUid":"{uid}","reservationDuration":5,"reservationUntil":"2026-11-30T07:05:00.000Z"}}}}"#
        )
    );
    assert_eq!(calsim::DEFAULT_RESERVATION_MINUTES, 5);

    // GET has the same fields but `reservationDuration` (as the e2e spec compares them).
    let read = get_reservation(&h, uid).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(
        read.text,
        format!(
            r#"{{"status":"success","data":{{"reservationUid":"{uid}","eventTypeId":1001,"slotStart":"2026-12-01T08:00:00.000Z","slotEnd":"2026-12-01T08:30:00.000Z","slotDuration":30,"reservationUntil":"2026-11-30T07:05:00.000Z"}}}}"#
        )
    );
    let unknown = get_reservation(&h, "no-such-reservation").await;
    assert_eq!(unknown.status, StatusCode::OK);
    assert_eq!(unknown.text, r#"{"status":"success","data":null}"#);
}

#[tokio::test]
async fn a_held_slot_leaves_the_slots_of_every_caller_and_every_event_type() {
    let h = Harness::demo().await;
    reserve_nine(&h).await;
    let beratung = h.day_slots(1001, "2026-12-01").await;
    assert!(!beratung.contains(&"2026-12-01T09:00:00.000+01:00".to_owned()));
    assert!(beratung.contains(&"2026-12-01T09:30:00.000+01:00".to_owned()));
    // One host, one calendar: the hour-long 09:00 slot of 1002 overlaps the held half hour.
    let behandlung = h.day_slots(1002, "2026-12-01").await;
    assert!(!behandlung.contains(&"2026-12-01T09:00:00.000+01:00".to_owned()));
    assert!(behandlung.contains(&"2026-12-01T11:00:00.000+01:00".to_owned()));
    // Even the holder does not see it: Cal.com's v2 slots service knows no booker uid.
    let with_cookie = send(
        h.client
            .get(h.url(
                "/v2/slots?eventTypeId=1001&start=2026-12-01&end=2026-12-01&timeZone=Europe/Berlin",
            ))
            .header("cal-api-version", SLOTS)
            .header("cookie", "uid=whatever"),
    )
    .await;
    assert_eq!(
        with_cookie.body["data"]["2026-12-01"][0]["start"],
        "2026-12-01T09:30:00.000+01:00"
    );
}

#[tokio::test]
async fn a_reservation_expires_by_the_simulator_clock() {
    let h = Harness::demo().await;
    let uid = reserve_nine(&h).await;
    let nine = "2026-12-01T09:00:00.000+01:00".to_owned();

    h.sim().advance_clock(Duration::seconds(4 * 60 + 59));
    assert!(!h.day_slots(1001, "2026-12-01").await.contains(&nine));

    // At reservationUntil it holds nothing any more (`releaseAt > now` is live).
    h.sim().advance_clock(Duration::seconds(1));
    assert_eq!(h.sim().now(), at("2026-11-30T07:05:00Z"));
    let expired = get_reservation(&h, &uid).await;
    assert_eq!(
        expired.body["data"]["reservationUntil"], "2026-11-30T07:05:00.000Z",
        "expired rows stay readable until a slots query cleans them up"
    );
    assert!(h.day_slots(1001, "2026-12-01").await.contains(&nine));
    // `deleteManyExpiredSlots` deletes `releaseAt < now`: not yet at the very instant...
    assert_eq!(
        get_reservation(&h, &uid).await.body["data"]["reservationUid"],
        uid
    );
    // ...but a second later the next slots query of the event type does.
    h.sim().advance_clock(Duration::seconds(1));
    assert_eq!(h.sim().reservations().len(), 1);
    assert!(h.day_slots(1001, "2026-12-01").await.contains(&nine));
    assert_eq!(get_reservation(&h, &uid).await.body["data"], Value::Null);
    assert!(h.sim().reservations().is_empty());
}

#[tokio::test]
async fn overlapping_reservations_and_booked_slots_are_refused_with_422() {
    let h = Harness::demo().await;
    reserve_nine(&h).await;
    let reserved =
        "This time slot is already reserved by another user. Please choose a different time.";
    // Starts inside, ends inside, lies inside (the e2e spec's three cases, 30 minutes).
    for start in [
        "2026-12-01T08:15:00Z",
        "2026-12-01T07:45:00Z",
        "2026-12-01T08:00:00Z",
    ] {
        assert_error(
            &reserve(&h, json!({"eventTypeId": 1001, "slotStart": start})).await,
            422,
            "UnprocessableEntityException",
            reserved,
            "/v2/slots/reservations",
        );
    }
    // Touching is no overlap, and another event type keeps its own reservations.
    let next = reserve(
        &h,
        json!({"eventTypeId": 1001, "slotStart": "2026-12-01T08:30:00Z"}),
    )
    .await;
    assert_eq!(next.status, StatusCode::CREATED, "{}", next.body);
    let other_type = reserve(&h, json!({"eventTypeId": 1002, "slotStart": NINE})).await;
    assert_eq!(
        other_type.status,
        StatusCode::CREATED,
        "{}",
        other_type.body
    );

    // 10:00 Berlin is booked (1001): no reservation of 1001 over it.
    assert_error(
        &reserve(
            &h,
            json!({"eventTypeId": 1001, "slotStart": "2026-12-01T09:00:00Z"}),
        )
        .await,
        422,
        "UnprocessableEntityException",
        "Can't reserve a slot if the event is already booked.",
        "/v2/slots/reservations",
    );
    // Cal.com looks at bookings of the same event type only.
    let over_other_booking = reserve(
        &h,
        json!({"eventTypeId": 1002, "slotStart": "2026-12-01T09:00:00Z"}),
    )
    .await;
    assert_eq!(over_other_booking.status, StatusCode::CREATED);
}

#[tokio::test]
async fn invalid_requests_get_cal_com_errors() {
    let h = Harness::demo().await;
    let path = "/v2/slots/reservations";
    for body in [
        json!({"slotStart": NINE}),
        json!({"eventTypeId": "1001", "slotStart": NINE}),
        json!({"eventTypeId": 1001, "slotStart": "morgen"}),
        json!({"eventTypeId": 1001, "slotStart": NINE, "slotDuration": "30"}),
    ] {
        assert_error(
            &reserve(&h, body).await,
            400,
            "BadRequestException",
            "Bad Request Exception",
            path,
        );
    }
    assert_error(
        &reserve(&h, json!({"eventTypeId": 4242, "slotStart": NINE})).await,
        404,
        "NotFoundException",
        "Event Type with ID=4242 not found",
        path,
    );
    assert_error(
        &reserve(
            &h,
            json!({"eventTypeId": 1001, "slotStart": NINE, "slotDuration": 45}),
        )
        .await,
        400,
        "BadRequestException",
        "You passed 'slotDuration' but this event type is not a variable length event type.",
        path,
    );
    assert_error(
        &reserve(
            &h,
            json!({"eventTypeId": 1001, "slotStart": NINE, "reservationDuration": 10}),
        )
        .await,
        401,
        "UnauthorizedException",
        "reservationDuration can only be used for authenticated requests - use access token, api key or OAuth credentials",
        path,
    );
    let bad_key = send(
        h.client
            .post(h.url(path))
            .header("cal-api-version", SLOTS)
            .bearer_auth("cal_test_wrong")
            .json(&json!({"eventTypeId": 1001, "slotStart": NINE})),
    )
    .await;
    assert_error(
        &bad_key,
        401,
        "UnauthorizedException",
        "Your api key is not valid",
        path,
    );
    assert!(h.sim().reservations().is_empty());
}

#[tokio::test]
async fn an_api_key_may_choose_the_hold_length() {
    let h = Harness::demo().await;
    let answer = h
        .post(
            "/v2/slots/reservations",
            SLOTS,
            json!({"eventTypeId": 1001, "slotStart": NINE, "reservationDuration": 10}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert_eq!(answer.body["data"]["reservationDuration"], 10);
    assert_eq!(
        answer.body["data"]["reservationUntil"],
        "2026-11-30T07:10:00.000Z"
    );
}

#[tokio::test]
async fn variable_length_event_types_take_a_slot_duration() {
    let mut seed: Seed = demo_seed();
    if let Some(beratung) = seed.event_types.iter_mut().find(|et| et.id == 1001) {
        beratung.length_in_minutes_options = vec![60];
    }
    let h = Harness::start(seed).await;
    let answer = reserve(
        &h,
        json!({"eventTypeId": 1001, "slotStart": NINE, "slotDuration": 60}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert_eq!(answer.body["data"]["slotEnd"], "2026-12-01T09:00:00.000Z");
    assert_eq!(answer.body["data"]["slotDuration"], 60);
    assert_error(
        &reserve(
            &h,
            json!({"eventTypeId": 1001, "slotStart": "2026-12-01T13:00:00Z", "slotDuration": 45}),
        )
        .await,
        400,
        "BadRequestException",
        "Provided 'slotDuration' is not one of the possible lengths for the event type. The possible lengths for this variable length event type are: 30, 60",
        "/v2/slots/reservations",
    );
}

#[tokio::test]
async fn patch_moves_and_renews_a_reservation_but_not_onto_itself() {
    let h = Harness::demo().await;
    let uid = reserve_nine(&h).await;
    let path = format!("/v2/slots/reservations/{uid}");
    h.sim().advance_clock(Duration::minutes(2));

    // Renewing in place overlaps the reservation itself, which Cal.com counts.
    assert_error(
        &anonymous(
            &h,
            Method::PATCH,
            &path,
            Some(json!({"eventTypeId": 1001, "slotStart": NINE})),
        )
        .await,
        422,
        "UnprocessableEntityException",
        "This time slot is already reserved by another user. Please choose a different time.",
        &path,
    );

    let moved = anonymous(
        &h,
        Method::PATCH,
        &path,
        Some(json!({"eventTypeId": 1001, "slotStart": "2026-12-01T12:00:00Z", "reservationDuration": 3})),
    )
    .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(
        moved.text,
        format!(
            r#"{{"status":"success","data":{{"eventTypeId":1001,"slotStart":"2026-12-01T12:00:00.000Z","slotEnd":"2026-12-01T12:30:00.000Z","slotDuration":30,"reservationUid":"{uid}","reservationDuration":3,"reservationUntil":"2026-11-30T07:05:00.000Z"}}}}"#
        )
    );
    let slots = h.day_slots(1001, "2026-12-01").await;
    assert!(slots.contains(&"2026-12-01T09:00:00.000+01:00".to_owned()));
    assert!(!slots.contains(&"2026-12-01T13:00:00.000+01:00".to_owned()));

    // Once expired, the same reservation can be renewed where it was.
    h.sim().advance_clock(Duration::minutes(4));
    let renewed = anonymous(
        &h,
        Method::PATCH,
        &path,
        Some(json!({"eventTypeId": 1001, "slotStart": "2026-12-01T12:00:00Z"})),
    )
    .await;
    assert_eq!(renewed.status, StatusCode::OK, "{}", renewed.body);
    assert_eq!(
        renewed.body["data"]["reservationUntil"],
        "2026-11-30T07:11:00.000Z"
    );

    let unknown = anonymous(
        &h,
        Method::PATCH,
        "/v2/slots/reservations/nope",
        Some(json!({"eventTypeId": 1001, "slotStart": NINE})),
    )
    .await;
    assert_error(
        &unknown,
        404,
        "NotFoundException",
        "Slot with uid=nope not found",
        "/v2/slots/reservations/nope",
    );
}

#[tokio::test]
async fn delete_releases_the_slot_and_unknown_uids_are_fine() {
    let h = Harness::demo().await;
    let uid = reserve_nine(&h).await;
    let deleted = anonymous(
        &h,
        Method::DELETE,
        &format!("/v2/slots/reservations/{uid}"),
        None,
    )
    .await;
    assert_eq!(deleted.status, StatusCode::OK);
    assert_eq!(deleted.text, r#"{"status":"success"}"#);
    assert!(
        h.day_slots(1001, "2026-12-01")
            .await
            .contains(&"2026-12-01T09:00:00.000+01:00".to_owned())
    );
    assert_eq!(get_reservation(&h, &uid).await.body["data"], Value::Null);
    let again = anonymous(
        &h,
        Method::DELETE,
        &format!("/v2/slots/reservations/{uid}"),
        None,
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.text, r#"{"status":"success"}"#);
}

#[tokio::test]
async fn reservations_need_the_slots_api_version() {
    let h = Harness::demo().await;
    let answer = send(
        h.client
            .post(h.url("/v2/slots/reservations"))
            .bearer_auth(KEY)
            .json(&json!({"eventTypeId": 1001, "slotStart": NINE})),
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(h.sim().reservations().is_empty());
}

#[tokio::test]
async fn someone_elses_reservation_through_the_library() {
    let h = Harness::demo().await;
    let (held, minutes) = h
        .sim()
        .reserve_directly(&ReserveRequest {
            event_type_id: 1001,
            slot_start: at("2026-12-01T08:00:00Z"),
            slot_duration: None,
            reservation_duration: Some(15),
        })
        .expect("reserved");
    assert_eq!(minutes, 15);
    assert_eq!(held.release_at, at("2026-11-30T07:15:00Z"));
    assert_error(
        &reserve(&h, json!({"eventTypeId": 1001, "slotStart": NINE})).await,
        422,
        "UnprocessableEntityException",
        "This time slot is already reserved by another user. Please choose a different time.",
        "/v2/slots/reservations",
    );
}
