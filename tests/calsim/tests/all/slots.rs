//! `GET /v2/slots`.

use calsim::{DateOverride, Seed};
use chrono::NaiveDate;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{Harness, SLOTS, assert_error, at, demo_seed, send};

fn berlin_day(hours: &[&str], date: &str) -> Vec<String> {
    hours
        .iter()
        .map(|hour| format!("{date}T{hour}:00.000+01:00"))
        .collect()
}

#[tokio::test]
async fn a_berlin_day_without_the_taken_slots() {
    let h = Harness::demo().await;
    let slots = h.day_slots(1001, "2026-12-01").await;
    // 09:00-18:00 in 30-minute slots, minus 10:00 and 15:00; 12:00 was cancelled, so free.
    let mut expected = Vec::new();
    for hour in 9..18 {
        for minute in [0, 30] {
            if (hour, minute) != (10, 0) && (hour, minute) != (15, 0) {
                expected.push(format!("2026-12-01T{hour:02}:{minute:02}:00.000+01:00"));
            }
        }
    }
    assert_eq!(slots, expected);
}

#[tokio::test]
async fn exact_body_and_no_api_key_needed() {
    let h = Harness::demo().await;
    let response = h
        .client
        .get(h.url("/v2/slots?eventTypeId=1002&start=2026-12-03T08:00:00Z&end=2026-12-03T09:00:00Z&timeZone=Europe/Berlin"))
        .header("cal-api-version", SLOTS)
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    // 09:00 Berlin is taken by a 1001 booking until 09:30 (one host, one calendar), so the
    // 60-minute event type starts at 10:00 (its slot grid is hourly).
    assert_eq!(
        response.text().await.expect("body"),
        r#"{"data":{"2026-12-03":[{"start":"2026-12-03T10:00:00.000+01:00"}]},"status":"success"}"#
    );
}

#[tokio::test]
async fn range_format_and_utc_default() {
    let h = Harness::demo().await;
    for format in ["format=range", "slotFormat=range"] {
        let answer = h
            .get(
                &format!("/v2/slots?eventTypeId=1001&start=2026-12-03T08:00:00Z&end=2026-12-03T09:00:00Z&{format}"),
                SLOTS,
            )
            .await;
        assert_eq!(
            answer.body,
            json!({"data": {"2026-12-03": [
                {"start": "2026-12-03T08:30:00.000Z", "end": "2026-12-03T09:00:00.000Z"},
                {"start": "2026-12-03T09:00:00.000Z", "end": "2026-12-03T09:30:00.000Z"}
            ]}, "status": "success"})
        );
    }
}

#[tokio::test]
async fn slots_follow_daylight_saving_time() {
    let mut seed = demo_seed();
    seed.now = Some(at("2026-03-01T00:00:00Z"));
    let h = Harness::start(seed).await;
    // Summer time starts Sunday 2026-03-29, ends Sunday 2026-10-25.
    for (date, offset) in [
        ("2026-03-27", "+01:00"),
        ("2026-03-30", "+02:00"),
        ("2026-10-23", "+02:00"),
        ("2026-10-26", "+01:00"),
    ] {
        let slots = h.day_slots(1002, date).await;
        assert_eq!(slots.len(), 9, "{date}: {slots:?}");
        assert_eq!(slots[0], format!("{date}T09:00:00.000{offset}"));
        assert_eq!(slots[8], format!("{date}T17:00:00.000{offset}"));
    }
    // The weekend of the switch has no slots at all.
    let answer = h
        .get(
            "/v2/slots?eventTypeId=1001&start=2026-10-24&end=2026-10-25&timeZone=Europe/Berlin",
            SLOTS,
        )
        .await;
    assert_eq!(answer.body, json!({"data": {}, "status": "success"}));
    // In UTC the same 09:00 is 07:00 in summer and 08:00 in winter.
    let answer = h
        .get(
            "/v2/slots?eventTypeId=1002&start=2026-10-23&end=2026-10-26&timeZone=UTC",
            SLOTS,
        )
        .await;
    assert_eq!(
        answer.body["data"]["2026-10-23"][0]["start"],
        "2026-10-23T07:00:00.000Z"
    );
    assert_eq!(
        answer.body["data"]["2026-10-26"][0]["start"],
        "2026-10-26T08:00:00.000Z"
    );
}

#[tokio::test]
async fn no_slots_in_the_past() {
    let mut seed = demo_seed();
    seed.now = Some(at("2026-12-01T10:10:00Z")); // 11:10 in Berlin
    let h = Harness::start(seed).await;
    let slots = h.day_slots(1001, "2026-12-01").await;
    assert_eq!(
        slots.first().map(String::as_str),
        Some("2026-12-01T11:30:00.000+01:00")
    );
}

#[tokio::test]
async fn date_overrides_close_days_or_change_hours() {
    let mut seed: Seed = demo_seed();
    let date = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date");
    seed.schedule.overrides = vec![
        DateOverride {
            date: date("2026-12-04"),
            start_time: None,
            end_time: None,
        },
        DateOverride {
            date: date("2026-12-07"),
            start_time: Some("10:00".to_owned()),
            end_time: Some("12:00".to_owned()),
        },
    ];
    let h = Harness::start(seed).await;
    assert!(h.day_slots(1001, "2026-12-04").await.is_empty());
    assert_eq!(
        h.day_slots(1002, "2026-12-07").await,
        berlin_day(&["10:00", "11:00"], "2026-12-07")
    );
}

#[tokio::test]
async fn bookings_block_every_event_type_and_cancelled_ones_do_not() {
    let h = Harness::demo().await;
    // 1002 (60 min) on Tuesday: 10:00 and 15:00 are taken by 30-minute bookings; the
    // cancelled 12:00 booking does not block.
    assert_eq!(
        h.day_slots(1002, "2026-12-01").await,
        berlin_day(
            &[
                "09:00", "11:00", "12:00", "13:00", "14:00", "16:00", "17:00"
            ],
            "2026-12-01"
        )
    );
    // 1001 on Wednesday: the 60-minute booking at 11:00 blocks 11:00 and 11:30.
    let wednesday = h.day_slots(1001, "2026-12-02").await;
    assert!(wednesday.contains(&"2026-12-02T10:30:00.000+01:00".to_owned()));
    assert!(!wednesday.contains(&"2026-12-02T11:00:00.000+01:00".to_owned()));
    assert!(!wednesday.contains(&"2026-12-02T11:30:00.000+01:00".to_owned()));
    assert!(wednesday.contains(&"2026-12-02T12:00:00.000+01:00".to_owned()));
}

#[tokio::test]
async fn bad_queries() {
    let h = Harness::demo().await;
    let path = "/v2/slots?eventTypeId=999&start=2026-12-01&end=2026-12-01";
    assert_error(
        &h.get(path, SLOTS).await,
        404,
        "NotFoundException",
        "Event Type not found",
        path,
    );
    let path = "/v2/slots?eventTypeId=1001&end=2026-12-01&timeZone=Mars/Base";
    assert_error(
        &h.get(path, SLOTS).await,
        400,
        "BadRequestException",
        "start property is wrong,start must be a valid ISO 8601 date string , timeZone property is wrong,timeZone must be a valid IANA time-zone ",
        path,
    );
    // Without cal-api-version Cal.com would answer from an older handler; calsim refuses.
    let path = "/v2/slots?eventTypeId=1001&start=2026-12-01&end=2026-12-01";
    let answer = send(h.client.get(h.url(path))).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let message = answer.body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("cal-api-version") && message.contains(SLOTS),
        "{message}"
    );
}
