//! Signed webhooks, received by a tiny axum server.

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use calsim::DirectBooking;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::mpsc;

use crate::common::{BOOKINGS, Harness, at};

const SECRET: &str = "whsec_test";

struct Received {
    signature: String,
    body: Bytes,
}

impl Received {
    fn verified_json(&self) -> Value {
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("hmac key");
        mac.update(&self.body);
        let signature = hex::decode(&self.signature).expect("hex signature");
        mac.verify_slice(&signature)
            .expect("signature matches the raw body");
        serde_json::from_slice(&self.body).expect("json body")
    }
}

/// A receiver that forwards every delivery to a channel, answering after `delay`.
async fn receiver(delay: Duration) -> (String, mpsc::UnboundedReceiver<Received>) {
    let (sender, deliveries) = mpsc::unbounded_channel();
    let app = Router::new()
        .route(
            "/hook",
            post(
                |State((sender, delay)): State<(mpsc::UnboundedSender<Received>, Duration)>,
                 headers: HeaderMap,
                 body: Bytes| async move {
                    let signature = headers
                        .get("x-cal-signature-256")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    let _ = sender.send(Received { signature, body });
                    tokio::time::sleep(delay).await;
                    "ok"
                },
            ),
        )
        .with_state((sender, delay));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, deliveries)
}

async fn next(deliveries: &mut mpsc::UnboundedReceiver<Received>) -> Value {
    let received = tokio::time::timeout(Duration::from_secs(5), deliveries.recv())
        .await
        .expect("a webhook within 5 s")
        .expect("receiver open");
    received.verified_json()
}

#[tokio::test]
async fn booking_changes_are_signed_and_delivered_in_order() {
    let h = Harness::demo().await;
    let (url, mut deliveries) = receiver(Duration::ZERO).await;
    h.sim().add_webhook(url, SECRET.to_owned());

    let created = h.book("2026-12-01T13:00:00Z").await;
    assert_eq!(created.status, StatusCode::CREATED);
    let uid = created.body["data"]["uid"]
        .as_str()
        .expect("uid")
        .to_owned();
    let hook = next(&mut deliveries).await;
    assert_eq!(hook["triggerEvent"], "BOOKING_CREATED");
    assert_eq!(hook["createdAt"], "2026-11-30T07:00:00.000Z");
    let payload = &hook["payload"];
    assert_eq!(payload["uid"], uid.as_str());
    assert_eq!(payload["bookingId"], created.body["data"]["id"]);
    assert_eq!(payload["eventTypeId"], 1001);
    assert_eq!(payload["startTime"], "2026-12-01T13:00:00Z");
    assert_eq!(payload["endTime"], "2026-12-01T13:30:00Z");
    assert_eq!(payload["status"], "ACCEPTED");
    assert_eq!(
        payload["title"],
        "Beratung between Praxis Demo and Max Muster"
    );
    assert_eq!(payload["attendees"][0]["phoneNumber"], "+491761112223");
    assert_eq!(payload["organizer"]["timeZone"], "Europe/Berlin");

    let moved = h
        .post(
            &format!("/v2/bookings/{uid}/reschedule"),
            BOOKINGS,
            json!({"start": "2026-12-01T13:30:00Z"}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::CREATED);
    let new_uid = moved.body["data"]["uid"].as_str().expect("uid").to_owned();
    let hook = next(&mut deliveries).await;
    assert_eq!(hook["triggerEvent"], "BOOKING_RESCHEDULED");
    assert_eq!(hook["payload"]["uid"], new_uid.as_str());
    assert_eq!(hook["payload"]["rescheduleUid"], uid.as_str());
    assert_eq!(
        hook["payload"]["rescheduleStartTime"],
        "2026-12-01T13:00:00Z"
    );

    let cancelled = h
        .post(
            &format!("/v2/bookings/{new_uid}/cancel"),
            BOOKINGS,
            json!({"cancellationReason": "Termin passt nicht"}),
        )
        .await;
    assert_eq!(cancelled.status, StatusCode::OK);
    let hook = next(&mut deliveries).await;
    assert_eq!(hook["triggerEvent"], "BOOKING_CANCELLED");
    assert_eq!(hook["payload"]["status"], "CANCELLED");
    assert_eq!(hook["payload"]["cancellationReason"], "Termin passt nicht");

    // A person booking on Cal.com's own page fires the same webhook.
    let direct = h
        .sim()
        .book_directly(DirectBooking {
            event_type_id: 1002,
            start: at("2026-12-03T13:00:00Z"),
            length_in_minutes: None,
            name: "Walk-in".to_owned(),
            email: Some("walk-in@example.com".to_owned()),
            phone_number: None,
            time_zone: None,
        })
        .expect("free slot");
    let hook = next(&mut deliveries).await;
    assert_eq!(hook["triggerEvent"], "BOOKING_CREATED");
    assert_eq!(hook["payload"]["uid"], direct.uid.as_str());
    assert_eq!(hook["payload"]["length"], 60);

    let recorded = h.sim().webhook_deliveries();
    let triggers: Vec<&str> = recorded.iter().map(|d| d.trigger_event.as_str()).collect();
    // The fourth delivery may still be in flight when its body arrives; wait for the log.
    assert!(triggers.starts_with(&[
        "BOOKING_CREATED",
        "BOOKING_RESCHEDULED",
        "BOOKING_CANCELLED"
    ]));
}

#[tokio::test]
async fn a_slow_subscriber_never_delays_the_api() {
    let h = Harness::demo().await;
    let (url, mut deliveries) = receiver(Duration::from_secs(3)).await;
    h.sim().add_webhook(url, SECRET.to_owned());
    let started = Instant::now();
    assert_eq!(
        h.book("2026-12-01T13:00:00Z").await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        h.book("2026-12-01T13:30:00Z").await.status,
        StatusCode::CREATED
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        next(&mut deliveries).await["triggerEvent"],
        "BOOKING_CREATED"
    );
}

#[tokio::test]
async fn unsigned_subscriptions_say_so() {
    assert_eq!(calsim::signature("", b"{}"), "no-secret-provided");
    let expected = {
        let mut mac = Hmac::<Sha256>::new_from_slice(b"k").expect("key");
        mac.update(b"{}");
        hex::encode(mac.finalize().into_bytes())
    };
    assert_eq!(calsim::signature("k", b"{}"), expected);
}
