//! Nothing lost when the calendar is down: booking intents, callback requests and their
//! delivery, and the call context the agent gets before the caller speaks.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use calsim::{Endpoint, Fault};
use serde_json::{Value, json};
use slotline::config::{Config, Secret};
use slotline_e2e::{
    DataDir, Harness, THURSDAY, TestResult, call, call_from, sign, vapi_tool_calls,
};

const OPERATOR: &str = slotline::demo::ADMIN_TOKEN;
const NOTIFY_SECRET: &str = "notify-secret";

fn with_store(config: &mut Config, data: &Path) {
    config.server.data_dir = Some(data.to_owned());
}

async fn callbacks(harness: &Harness, status: &str) -> Result<Vec<Value>, reqwest::Error> {
    let listing: Value = harness
        .http
        .get(harness.url(&format!("/v1/admin/tenants/demo/callbacks?status={status}")))
        .bearer_auth(OPERATOR)
        .send()
        .await?
        .json()
        .await?;
    Ok(listing["callbacks"].as_array().cloned().unwrap_or_default())
}

#[tokio::test]
async fn a_booking_while_the_breaker_is_open_becomes_a_pending_intent_that_survives_a_restart()
-> TestResult {
    let data = DataDir::new("cb-intent");
    let tweak = |config: &mut Config| {
        with_store(config, &data.0);
        // Not about settling (its own test): the intent must still be pending after the restart.
        config.server.intent_retry_ms = 3_600_000;
        if let Some(demo) = config.tenants.get_mut("demo") {
            demo.breaker.failure_threshold = 1;
        }
    };
    {
        let harness = Harness::with(tweak).await;
        harness.sim.sim.set_fault(
            Endpoint::All,
            Some(Fault::Status {
                code: 503,
                rate: 1.0,
            }),
        );
        let (_, reply) = harness
            .retell(&call("check_availability", json!({"date": THURSDAY})))
            .await;
        assert_eq!(reply["error"]["code"], "upstream_unavailable", "{reply}");
        let before = harness.upstream_requests();
        let (status, reply) = harness
            .retell(&call(
                "create_booking",
                json!({"date": THURSDAY, "time": "14:00", "name": "Anna Müller"}),
            ))
            .await;
        assert_eq!(status, 200);
        assert_eq!(
            harness.upstream_requests(),
            before,
            "the open breaker kept the request home"
        );
        assert_eq!(reply["success"], true, "{reply}");
        assert_eq!(reply["data"]["status"], "pending", "{reply}");
        let message = reply["message"].as_str().unwrap_or_default();
        assert!(message.contains("Terminanfrage aufgenommen"), "{message}");
        let pending = callbacks(&harness, "pending").await?;
        assert_eq!(pending.len(), 1, "{pending:?}");
        assert_eq!(pending[0]["kind"], "booking_intent");
        assert_eq!(pending[0]["phone"], "+4915112345678", "the caller's number");
        assert_eq!(pending[0]["details"]["said"]["time"], "14:00");
        assert_eq!(
            pending[0]["details"]["start"], "2026-11-26T14:00:00+01:00",
            "kept as the instant meant"
        );
        assert_eq!(
            pending[0]["details"]["service"], "Beratung",
            "the default service"
        );
        assert_eq!(pending[0]["id"], reply["data"]["intent_id"]);
    }
    let restarted = Harness::with(tweak).await;
    let pending = callbacks(&restarted, "pending").await?;
    assert_eq!(
        pending.len(),
        1,
        "the intent survived the restart: {pending:?}"
    );
    assert_eq!(pending[0]["name"], "Anna Müller");

    // The operator works it.
    let id = pending[0]["id"].as_str().unwrap_or_default();
    let done = restarted
        .http
        .post(restarted.url(&format!("/v1/admin/tenants/demo/callbacks/{id}/done")))
        .bearer_auth(OPERATOR)
        .send()
        .await?;
    assert_eq!(done.status(), 200);
    assert!(callbacks(&restarted, "pending").await?.is_empty());
    assert_eq!(callbacks(&restarted, "done").await?.len(), 1);
    Ok(())
}

/// A notification receiver that refuses the first delivery of every id.
#[derive(Clone, Default)]
struct Receiver {
    attempts: Arc<Mutex<Vec<(String, bool)>>>,
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let signature = headers
        .get("x-slotline-signature-256")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if signature != slotline::dispatch::callbacks::sign(NOTIFY_SECRET.as_bytes(), &body) {
        return StatusCode::UNAUTHORIZED;
    }
    let id = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|value| value["id"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let mut attempts = receiver.attempts.lock().unwrap_or_else(|p| p.into_inner());
    let first = !attempts.iter().any(|(seen, _)| *seen == id);
    attempts.push((id, !first));
    if first {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

#[tokio::test]
async fn callback_requests_through_retell_and_vapi_reach_the_notification_url_once() -> TestResult {
    let receiver = Receiver::default();
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(receiver.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let data = DataDir::new("cb-notify");
    let harness = Harness::with(|config| {
        with_store(config, &data.0);
        if let Some(demo) = config.tenants.get_mut("demo") {
            demo.notify_url = Some(url.clone());
            demo.notify_secret = Some(Secret::new(NOTIFY_SECRET));
        }
    })
    .await;
    let (_, retell) = harness
        .retell(&call(
            "request_callback",
            json!({"name": "Jonas", "grund": "Frage zur Rechnung", "wunschzeit": "nachmittags"}),
        ))
        .await;
    assert_eq!(retell["success"], true, "{retell}");
    assert!(
        retell["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Rückrufwunsch"),
        "{retell}"
    );
    let body = vapi_tool_calls(
        "vapi-cb",
        "+491709876543",
        vec![
            json!({"id": "t1", "type": "function", "function": {"name": "request_callback", "arguments": {"name": "Lea"}}}),
        ],
    );
    let (status, vapi) = harness.vapi(&body).await;
    assert_eq!(status, 200, "{vapi}");
    let vapi: Value =
        serde_json::from_str(vapi["results"][0]["result"].as_str().unwrap_or("null"))?;
    assert_eq!(vapi["success"], true, "{vapi}");
    let ids = [
        retell["data"]["callback_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        vapi["data"]["callback_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    ];

    let open = callbacks(&harness, "open").await?;
    assert_eq!(open.len(), 2, "{open:?}");
    assert!(
        open.iter()
            .any(|c| c["phone"] == "+491709876543" && c["name"] == "Lea")
    );
    assert!(
        open.iter()
            .any(|c| c["details"]["reason"] == "Frage zur Rechnung")
    );

    // Each is delivered exactly once, after a refused first attempt (bounded wait).
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let accepted: Vec<String> = {
            let attempts = receiver.attempts.lock().unwrap_or_else(|p| p.into_inner());
            attempts
                .iter()
                .filter(|(_, ok)| *ok)
                .map(|(id, _)| id.clone())
                .collect()
        };
        if ids.iter().all(|id| accepted.contains(id)) {
            for id in &ids {
                assert_eq!(
                    accepted.iter().filter(|a| *a == id).count(),
                    1,
                    "{id} accepted once"
                );
            }
            break;
        }
        assert!(Instant::now() < deadline, "not delivered: {accepted:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

#[tokio::test]
async fn call_inbound_gives_the_date_where_the_business_is_and_a_known_callers_name() -> TestResult
{
    let data = DataDir::new("cb-inbound");
    let harness = Harness::with(|config| {
        with_store(config, &data.0);
        if let Some(demo) = config.tenants.get_mut("demo") {
            // 23:30 UTC on Wednesday is already Thursday 00:30 in Berlin.
            demo.fixed_now = Some("2026-11-25T23:30:00Z".into());
        }
    })
    .await;
    let inbound = |from: &str| json!({"event": "call_inbound", "call_inbound": {"from_number": from, "to_number": "+4930123456", "agent_id": "agent_1"}});
    let post = |body: Value| {
        let body = body.to_string();
        let signature = sign(&body, slotline::demo::RETELL_API_KEY);
        harness
            .http
            .post(harness.url("/v1/retell/demo/inbound"))
            .header("x-retell-signature", signature)
            .body(body)
            .send()
    };
    let reply: Value = post(inbound("+4915100000000")).await?.json().await?;
    let vars = &reply["call_inbound"]["dynamic_variables"];
    assert_eq!(vars["current_date"], "2026-11-26", "{reply}");
    assert_eq!(vars["current_weekday"], "Donnerstag", "{reply}");
    assert_eq!(vars["current_time"], "00:30", "{reply}");
    assert_eq!(
        vars["opening_hours"], "Montag bis Freitag von 9 bis 18 Uhr",
        "{reply}"
    );
    assert_eq!(vars["caller_name"], "", "{reply}");

    // A caller who booked before is greeted by name.
    let (_, booked) = harness
        .retell(&call_from(
            "create_booking",
            json!({"date": "2026-11-27", "time": "14:00", "name": "Anna Müller"}),
            "call-9",
            "+4915100000000",
        ))
        .await;
    assert_eq!(booked["success"], true, "{booked}");
    let reply: Value = post(inbound("+4915100000000")).await?.json().await?;
    assert_eq!(
        reply["call_inbound"]["dynamic_variables"]["caller_name"], "Anna Müller",
        "{reply}"
    );

    // The same through the `get_context` tool.
    let (_, context) = harness
        .retell(&call_from(
            "get_context",
            json!({}),
            "call-10",
            "+4915100000000",
        ))
        .await;
    assert_eq!(context["data"]["current_date"], "2026-11-26", "{context}");
    assert_eq!(context["data"]["caller_name"], "Anna Müller", "{context}");
    Ok(())
}

/// A notification receiver that takes everything and keeps the bodies.
#[derive(Clone, Default)]
struct Inbox {
    bodies: Arc<Mutex<Vec<Value>>>,
}

async fn keep(State(inbox): State<Inbox>, body: Bytes) -> StatusCode {
    if let Ok(body) = serde_json::from_slice::<Value>(&body) {
        inbox
            .bodies
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(body);
    }
    StatusCode::OK
}

impl Inbox {
    async fn serve(&self) -> std::io::Result<String> {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let url = format!("http://{}/hook", listener.local_addr()?);
        let app = Router::new()
            .route("/hook", post(keep))
            .with_state(self.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(url)
    }

    fn statuses(&self, id: &str) -> Vec<String> {
        self.bodies
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|body| body["id"] == id)
            .filter_map(|body| body["status"].as_str().map(str::to_owned))
            .collect()
    }
}

/// Polls `probe` every 20 ms until it yields something, for at most `limit`.
async fn within<T, F: std::future::Future<Output = Option<T>>>(
    limit: Duration,
    mut probe: impl FnMut() -> F,
) -> Option<T> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(found) = probe().await {
            return Some(found);
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The demo tenant with a store, a breaker that opens at the first failure and retries after
/// 200 ms, intents retried every 100 ms, and notifications to `url`.
fn settling(config: &mut Config, data: &Path, url: &str) {
    with_store(config, data);
    config.server.intent_retry_ms = 100;
    config.server.intent_pace_ms = 0;
    if let Some(demo) = config.tenants.get_mut("demo") {
        demo.breaker.failure_threshold = 1;
        demo.breaker.open_ms = 200;
        demo.notify_url = Some(url.to_owned());
    }
}

/// Books with the calendar answering 503 to everything (an intent is recorded), then runs
/// `meanwhile` and lets the calendar answer again.
async fn intent_of(harness: &Harness, caller_words: Value, meanwhile: impl FnOnce()) -> Value {
    harness.sim.sim.set_fault(
        Endpoint::All,
        Some(Fault::Status {
            code: 503,
            rate: 1.0,
        }),
    );
    let (_, reply) = harness.retell(&call("create_booking", caller_words)).await;
    meanwhile();
    harness.sim.sim.set_fault(Endpoint::All, None);
    reply
}

#[tokio::test]
async fn a_booking_intent_is_booked_once_the_calendar_is_back_and_the_callers_retry_gets_that_booking()
-> TestResult {
    let inbox = Inbox::default();
    let url = inbox.serve().await?;
    let data = DataDir::new("cb-settle");
    let harness = Harness::with(|config| settling(config, &data.0, &url)).await;
    // The caller's own words, as the agent forwarded them: Friday the 27th at 13:00.
    let words = json!({"datum": "übermorgen", "uhrzeit": "13 Uhr", "name": "Ida Intent", "dienstleistung": "Behandlung"});
    let reply = intent_of(&harness, words.clone(), || {}).await;
    assert_eq!(reply["data"]["status"], "pending", "{reply}");
    let id = reply["data"]["intent_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let booked = within(Duration::from_secs(10), || async {
        callbacks(&harness, "booked").await.ok()?.into_iter().next()
    })
    .await
    .ok_or("the intent was not booked within 10 s of the calendar's return")?;
    assert_eq!(booked["id"], id.as_str());
    assert_eq!(
        booked["details"]["start"], "2026-11-27T13:00:00+01:00",
        "{booked}"
    );
    assert_eq!(
        booked["details"]["said"]["date"], "übermorgen",
        "the words are kept"
    );
    let booking_id = booked["details"]["booking"]["booking_id"]
        .as_str()
        .unwrap_or_default();
    let in_calendar = harness
        .sim
        .sim
        .bookings()
        .into_iter()
        .filter(|b| b.attendees.iter().any(|a| a.name == "Ida Intent"))
        .collect::<Vec<_>>();
    assert_eq!(in_calendar.len(), 1, "booked once: {in_calendar:?}");
    assert_eq!(in_calendar[0].uid, booking_id);
    assert_eq!(in_calendar[0].event_type_id, 1002, "the service said");
    assert!(callbacks(&harness, "pending").await?.is_empty());

    // The platform retries the caller's request now: it gets the booking, not the intent.
    let (_, retry) = harness.retell(&call("create_booking", words)).await;
    assert_eq!(retry["success"], true, "{retry}");
    assert_eq!(retry["data"]["booking_id"], booking_id, "{retry}");
    assert_eq!(
        harness
            .sim
            .sim
            .bookings()
            .iter()
            .filter(|b| b.attendees.iter().any(|a| a.name == "Ida Intent"))
            .count(),
        1,
        "still one booking"
    );
    let told = within(Duration::from_secs(5), || async {
        let statuses = inbox.statuses(&id);
        statuses.contains(&"booked".to_owned()).then_some(statuses)
    })
    .await
    .ok_or("the receiver never heard that the intent was booked")?;
    assert_eq!(
        told.first().map(String::as_str),
        Some("pending"),
        "{told:?}"
    );
    Ok(())
}

#[tokio::test]
async fn an_intent_whose_slot_was_taken_meanwhile_becomes_a_callback_with_alternatives()
-> TestResult {
    let inbox = Inbox::default();
    let url = inbox.serve().await?;
    let data = DataDir::new("cb-settle-taken");
    let harness = Harness::with(|config| settling(config, &data.0, &url)).await;
    let start = chrono::DateTime::parse_from_rfc3339("2026-11-26T11:00:00+01:00")?.into();
    let mut direct = None;
    let reply = intent_of(
        &harness,
        json!({"date": THURSDAY, "time": "11:00", "name": "Tom Taken"}),
        // While the API is down, someone takes 11:00 on the booking page.
        || {
            direct = Some(harness.sim.sim.book_directly(calsim::DirectBooking {
                event_type_id: 1001,
                start,
                length_in_minutes: None,
                name: "Someone Else".to_owned(),
                email: Some("else@example.com".to_owned()),
                phone_number: None,
                time_zone: Some("Europe/Berlin".to_owned()),
            }))
        },
    )
    .await;
    assert_eq!(reply["data"]["status"], "pending", "{reply}");
    direct.ok_or("not booked directly")??;

    let open = within(Duration::from_secs(10), || async {
        callbacks(&harness, "open").await.ok()?.into_iter().next()
    })
    .await
    .ok_or("the intent did not become a callback")?;
    assert_eq!(open["kind"], "booking_intent");
    assert_eq!(open["details"]["outcome"], "slot_taken", "{open}");
    let alternatives = open["details"]["alternatives"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!alternatives.is_empty(), "{open}");
    assert!(
        alternatives
            .iter()
            .all(|a| a["start"] != "2026-11-26T11:00:00+01:00"),
        "{open}"
    );
    assert!(
        !harness
            .sim
            .sim
            .bookings()
            .iter()
            .any(|b| b.attendees.iter().any(|a| a.name == "Tom Taken")),
        "nothing booked for the caller"
    );
    Ok(())
}

#[tokio::test]
async fn an_intent_is_closed_as_booked_when_the_caller_books_that_start_in_the_same_call()
-> TestResult {
    let inbox = Inbox::default();
    let url = inbox.serve().await?;
    let data = DataDir::new("cb-settle-caller");
    let harness = Harness::with(|config| {
        settling(config, &data.0, &url);
        config.server.intent_retry_ms = 3_600_000;
        if let Some(demo) = config.tenants.get_mut("demo") {
            demo.breaker.open_ms = 0;
        }
    })
    .await;
    let reply = intent_of(
        &harness,
        json!({"date": THURSDAY, "time": "12:00", "name": "Clara Caller"}),
        || {},
    )
    .await;
    assert_eq!(reply["data"]["status"], "pending", "{reply}");
    // The agent tries again with the instant, in other words, once the calendar answers.
    let (_, booked) = harness
        .retell(&call(
            "create_booking",
            json!({"start": "2026-11-26T12:00:00+01:00", "name": "Clara Caller"}),
        ))
        .await;
    assert_eq!(booked["success"], true, "{booked}");
    assert!(callbacks(&harness, "pending").await?.is_empty());
    let closed = callbacks(&harness, "booked").await?;
    assert_eq!(closed.len(), 1, "{closed:?}");
    assert_eq!(
        closed[0]["details"]["booking"]["booking_id"],
        booked["data"]["booking_id"]
    );
    Ok(())
}
