//! Shared test harness: a simulator with a frozen clock and a small HTTP client.

use calsim::{RunningSimulator, Seed, Simulator};
use chrono::{DateTime, NaiveDate, Utc};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;

pub const KEY: &str = "cal_test_demo";
pub const SLOTS: &str = "2024-09-04";
pub const BOOKINGS: &str = "2024-08-13";
pub const EVENT_TYPES: &str = "2024-06-14";

/// Monday 2026-11-30: the demo's bookings fall on Tue 12-01, Wed 12-02 and Thu 12-03.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).expect("valid date")
}

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("RFC 3339 in test")
        .with_timezone(&Utc)
}

/// The demo seed as of `today()`, clock frozen at 08:00 Berlin that Monday.
pub fn demo_seed() -> Seed {
    let mut seed = Seed::demo(today());
    seed.now = Some(at("2026-11-30T07:00:00Z"));
    seed
}

pub struct Harness {
    pub running: RunningSimulator,
    pub client: reqwest::Client,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    /// The body as sent, for checks of key order.
    pub text: String,
}

impl Harness {
    pub async fn start(seed: Seed) -> Harness {
        let running = Simulator::new(seed)
            .spawn(([127, 0, 0, 1], 0).into())
            .await
            .expect("simulator starts");
        Harness {
            running,
            client: reqwest::Client::new(),
        }
    }

    pub async fn demo() -> Harness {
        Harness::start(demo_seed()).await
    }

    pub fn sim(&self) -> &Simulator {
        &self.running.sim
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.url())
    }

    pub async fn get(&self, path: &str, version: &str) -> Answer {
        let request = self
            .client
            .get(self.url(path))
            .header("cal-api-version", version)
            .bearer_auth(KEY);
        send(request).await
    }

    pub async fn post(&self, path: &str, version: &str, body: Value) -> Answer {
        let request = self
            .client
            .post(self.url(path))
            .header("cal-api-version", version)
            .bearer_auth(KEY)
            .json(&body);
        send(request).await
    }

    /// Books `start` (UTC) for event type 1001 as a caller with a phone number.
    pub async fn book(&self, start: &str) -> Answer {
        self.post(
            "/v2/bookings",
            BOOKINGS,
            serde_json::json!({
                "start": start,
                "eventTypeId": 1001,
                "attendee": {"name": "Max Muster", "timeZone": "Europe/Berlin", "phoneNumber": "+491761112223"}
            }),
        )
        .await
    }

    /// Reserves `start` (UTC) of an event type without credentials, as Cal.com's booker
    /// does; returns the `reservationUid`.
    pub async fn reserve(&self, event_type: i64, start: &str) -> String {
        let answer = send(
            self.client
                .post(self.url("/v2/slots/reservations"))
                .header("cal-api-version", SLOTS)
                .json(&serde_json::json!({"eventTypeId": event_type, "slotStart": start})),
        )
        .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        answer.body["data"]["reservationUid"]
            .as_str()
            .expect("reservationUid")
            .to_owned()
    }

    /// The slot starts of one Berlin day for an event type.
    pub async fn day_slots(&self, event_type: i64, date: &str) -> Vec<String> {
        let answer = self
            .get(
                &format!("/v2/slots?eventTypeId={event_type}&start={date}&end={date}&timeZone=Europe/Berlin"),
                SLOTS,
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        answer.body["data"][date]
            .as_array()
            .map(|slots| {
                slots
                    .iter()
                    .filter_map(|slot| slot["start"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub async fn send(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.expect("request answered");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body read");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.clone()))
    };
    Answer {
        status,
        headers,
        body,
        text,
    }
}

/// Asserts that `"key":` occurrences follow each other in `text` in this order (the first
/// occurrence after the previous key), as Cal.com's classes order their fields.
pub fn assert_keys_in_order(text: &str, keys: &[&str]) {
    let mut from = 0;
    for key in keys {
        let needle = format!("\"{key}\":");
        match text[from..].find(&needle) {
            Some(at) => from += at + needle.len(),
            None => panic!("`{key}` missing or out of order in {text}"),
        }
    }
}

/// Asserts Cal.com's error envelope.
pub fn assert_error(answer: &Answer, status: u16, code: &str, message: &str, path: &str) {
    assert_eq!(answer.status.as_u16(), status, "{}", answer.body);
    let body = &answer.body;
    assert_eq!(body["status"], "error", "{body}");
    assert_eq!(body["path"], path, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert_eq!(body["error"]["message"], message, "{body}");
    let timestamp = body["timestamp"].as_str().expect("timestamp");
    assert!(
        timestamp.ends_with('Z') && DateTime::parse_from_rfc3339(timestamp).is_ok(),
        "{timestamp}"
    );
    assert_eq!(
        body.as_object().map(|object| object.len()),
        Some(4),
        "exactly status, timestamp, path, error: {body}"
    );
}
