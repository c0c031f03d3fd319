//! What the host itself hears and answers (issue "a receptionist's ear"): questions that
//! name what is missing or misheard, bodies that stall, the demo calendar's own webhooks,
//! Cal.com's rate limit, and booking intents that settle once the calendar is back.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use slotline_e2e::{Harness, THURSDAY, TestResult, call, vapi_tool_calls};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The spoken sentence of a Retell reply.
fn said(reply: &Value) -> &str {
    reply["message"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn a_missing_argument_is_asked_for_by_name() -> TestResult {
    let harness = Harness::start().await;
    let (status, reply) = harness
        .retell(&call(
            "create_booking",
            json!({"datum": THURSDAY, "uhrzeit": "11:00"}),
        ))
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["error"]["code"], "missing_argument", "{reply}");
    assert!(said(&reply).contains("Namen"), "asks for the name: {reply}");
    assert!(
        !said(&reply).contains("Uhrzeit"),
        "not for the day and time the caller gave: {reply}"
    );
    assert_eq!(harness.upstream_requests(), 0);
    Ok(())
}

#[tokio::test]
async fn an_argument_of_the_wrong_type_gets_a_spoken_question_not_a_400() -> TestResult {
    let harness = Harness::start().await;
    // Retell: a name sent as a list, a date as an object.
    for (args, words) in [
        (
            json!({"datum": THURSDAY, "uhrzeit": "11:00", "name": ["Anna", "Berg"]}),
            "Namen",
        ),
        (json!({"datum": {"tag": 26}}), "Tag"),
        (json!({"datum": THURSDAY, "dauer": "eine Stunde"}), "dauern"),
    ] {
        let tool = if args.get("name").is_some() {
            "create_booking"
        } else {
            "check_availability"
        };
        let (status, reply) = harness.retell(&call(tool, args.clone())).await;
        assert_eq!(status, 200, "{args}: {reply}");
        assert_eq!(reply["error"]["code"], "invalid_arguments", "{reply}");
        assert!(said(&reply).contains(words), "{args}: {reply}");
    }
    // Vapi: the same refusal, in the result of its own item.
    let body = vapi_tool_calls(
        "vapi-wrong-type",
        "+4915112345678",
        vec![
            json!({"id": "a", "type": "function", "function": {"name": "create_booking", "arguments": {"date": THURSDAY, "time": "11:00", "name": {"first": "Anna"}}}}),
        ],
    );
    let (status, reply) = harness.vapi(&body).await;
    assert_eq!(status, 200, "{reply}");
    let result = reply["results"][0]["result"].as_str().unwrap_or_default();
    assert!(result.contains("Namen"), "{reply}");
    assert_eq!(harness.upstream_requests(), 0, "nothing was booked");
    Ok(())
}

#[tokio::test]
async fn a_stalled_body_gets_408_and_a_prompt_one_is_still_served() -> TestResult {
    let harness = Harness::with(|config| config.server.body_timeout_ms = 300).await;
    let mut stream = tokio::net::TcpStream::connect(harness.gateway.addr).await?;
    let head = "POST /v1/retell/demo HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"name\":";
    stream.write_all(head.as_bytes()).await?;
    let started = Instant::now();
    let mut answer = Vec::new();
    // The server answers and closes; a generous bound only guards against a hang.
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut answer)).await??;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("body_timeout"), "{answer}");
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "not before the bound"
    );

    let (status, reply) = harness.retell(&call("list_services", json!({}))).await;
    assert_eq!(status, 200, "{reply}");
    Ok(())
}

#[tokio::test]
async fn the_demo_calendar_signs_its_webhooks_so_a_direct_booking_is_not_offered() -> TestResult {
    // The demo configuration as `make run` uses it: nothing added by the test.
    let harness = Harness::start().await;
    slotline::demo::subscribe(&harness.sim.sim, harness.gateway.addr);
    let check = call(
        "check_availability",
        json!({"date": THURSDAY, "time": "14:00"}),
    );
    let (_, before) = harness.retell(&check).await;
    assert_eq!(before["data"]["available"], true, "{before}");
    // The caller hangs up without booking: the slot held for them is let go, and the website
    // may take it.
    let (status, body) = harness
        .retell_webhook(
            "demo",
            "events",
            &slotline_e2e::retell_call_event("call_ended", "call-1"),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !harness.sim.sim.reservations().is_empty() {
        assert!(Instant::now() < deadline, "the hold was not released");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let direct = harness.sim.sim.book_directly(slotline_e2e::booking_page(
        1001,
        "2026-11-26T14:00:00+01:00",
    ))?;
    let deadline = Instant::now() + Duration::from_secs(5);
    let delivered = loop {
        let found = harness
            .sim
            .sim
            .webhook_deliveries()
            .into_iter()
            .find(|d| d.uid == direct.uid && d.status.is_some());
        if let Some(found) = found {
            break found;
        }
        assert!(Instant::now() < deadline, "no webhook within 5 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(
        delivered.status,
        Some(200),
        "signed with the demo tenant's secret: {delivered:?}"
    );

    let (_, after) = harness.retell(&check).await;
    assert_eq!(after["data"]["available"], false, "{after}");
    Ok(())
}

/// Uses up the demo API key's budget at the simulator, as the tenant's other software would.
async fn spend_the_api_key(harness: &Harness, requests: u32) -> TestResult {
    for _ in 0..requests {
        let status = harness
            .http
            .get(format!("{}/v2/bookings", harness.sim.url()))
            .bearer_auth(slotline::demo::CALCOM_API_KEY)
            .header("cal-api-version", calsim::VERSION_BOOKINGS)
            .send()
            .await?
            .status();
        assert_eq!(status, 200, "within the limit");
    }
    Ok(())
}

/// Statuses of the simulator's answers to `POST /v2/bookings`, in order.
fn booking_statuses(harness: &Harness) -> Vec<Option<u16>> {
    harness
        .sim
        .sim
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/v2/bookings")
        .map(|r| r.status)
        .collect()
}

#[tokio::test]
async fn a_booking_refused_for_the_rate_limit_is_sent_again_after_the_reset_within_its_deadline()
-> TestResult {
    let harness = Harness::start().await;
    harness.sim.sim.set_rate_limit(calsim::RateLimitConfig {
        limit: 2,
        window_seconds: 60,
        block_seconds: 1,
    });
    spend_the_api_key(&harness, 2).await?;

    let (status, reply) = harness
        .retell(&call(
            "create_booking",
            json!({"date": THURSDAY, "time": "11:00", "name": "Rita Rate"}),
        ))
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["success"], true, "booked despite the 429: {reply}");
    // Whichever of the booking's requests met the limit was sent again after the block.
    let statuses: Vec<Option<u16>> = harness
        .sim
        .sim
        .requests()
        .into_iter()
        .skip(2)
        .map(|r| r.status)
        .collect();
    let refused = statuses.iter().filter(|s| **s == Some(429)).count();
    assert_eq!(refused, 1, "refused once: {statuses:?}");
    assert_eq!(
        booking_statuses(&harness),
        [Some(201)],
        "booked once: {statuses:?}"
    );
    let breaker = &harness.breakers().await?["breakers"][0];
    assert_eq!(breaker["state"], "closed", "{breaker}");
    assert_eq!(
        breaker["consecutive_failures"], 0,
        "a 429 is no failure: {breaker}"
    );
    Ok(())
}

#[tokio::test]
async fn a_key_blocked_for_longer_than_a_call_can_wait_fails_fast_and_never_opens_the_breaker()
-> TestResult {
    let harness = Harness::start().await;
    harness.sim.sim.set_rate_limit(calsim::RateLimitConfig {
        limit: 1,
        window_seconds: 60,
        block_seconds: 60,
    });
    spend_the_api_key(&harness, 1).await?;
    let before = harness.sim.sim.request_count();

    // Far more calls than the breaker's threshold of five failures.
    for (n, time) in [
        "09:00", "09:30", "11:00", "11:30", "12:00", "12:30", "13:00",
    ]
    .into_iter()
    .enumerate()
    {
        let (status, reply) = harness
            .retell(&call(
                "create_booking",
                json!({"date": THURSDAY, "time": time, "name": format!("Caller {n}")}),
            ))
            .await;
        assert_eq!(status, 200, "{reply}");
        assert_eq!(reply["success"], false, "{reply}");
        assert!(
            said(&reply).contains("Moment"),
            "a moment, not an unreachable calendar: {reply}"
        );
    }
    assert_eq!(
        harness.sim.sim.request_count() - before,
        1,
        "only the first learned of the block; the others waited for nothing"
    );
    let breaker = &harness.breakers().await?["breakers"][0];
    assert_eq!(breaker["state"], "closed", "{breaker}");
    let metrics = harness.metrics().await;
    assert!(
        metrics.contains("limit=\"upstream_rate_limit\""),
        "counted by name"
    );
    Ok(())
}
