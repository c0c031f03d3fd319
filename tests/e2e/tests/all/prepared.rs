//! The caller waits on the calendar once: the host prepares the tenant's calendar when the
//! phone rings (Retell's inbound webhook and `call_started`, Vapi's `assistant-request` and
//! `status-update` `queued`, `ringing` and `in-progress`), keeps it fresh while calls last, and a plugin on the 0.1.0 contract keeps
//! working without any of it.
//!
//! Every test counts the simulator's `GET /v2/slots` requests: the mechanism, not a timing.

use std::time::{Duration, Instant};

use calsim::{Endpoint, Latency};
use serde_json::{Value, json};
use slotline::config::Config;
use slotline_e2e::plugins::test_tenant;
use slotline_e2e::{
    Harness, THURSDAY, TestResult, call_from, retell_call_event, retell_inbound, vapi_tool_calls,
};

const CALLER: &str = "+4915112345678";

/// Cal.com-like latency on the slots query, so a warm-up is still in flight when the agent's
/// first check arrives (as it is when a greeting is short).
fn calendar_latency(harness: &Harness) {
    harness
        .sim
        .sim
        .set_latency(Endpoint::Slots, Latency::Fixed(Duration::from_millis(300)));
}

/// Waits until `done` holds, polling; panics after `bound` with `what`.
async fn eventually(bound: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < bound, "gave up waiting: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `GET /v2/slots` requests for the window a check of [`THURSDAY`] reads by itself (from
/// Thursday's midnight in Berlin): a check that had to ask Cal.com. The warm-up's window
/// starts today, so its query is not one of them.
fn own_check_queries(harness: &Harness) -> usize {
    harness
        .sim
        .sim
        .requests()
        .iter()
        .filter(|request| {
            request.endpoint == Some(Endpoint::Slots)
                && request
                    .query
                    .as_deref()
                    .is_some_and(|query| query.contains("start=2026-11-25T23:00:00Z"))
        })
        .count()
}

async fn check(harness: &Harness, call_id: &str, time: &str) -> Value {
    let (status, reply) = harness
        .retell(&call_from(
            "check_availability",
            json!({"date": THURSDAY, "time": time}),
            call_id,
            CALLER,
        ))
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["success"], true, "{reply}");
    reply
}

#[tokio::test]
async fn a_check_right_after_the_inbound_webhook_makes_no_calendar_request_of_its_own() -> TestResult
{
    let harness = Harness::start().await;
    calendar_latency(&harness);
    let (status, body) = harness
        .retell_webhook("demo", "inbound", &retell_inbound(CALLER))
        .await;
    assert_eq!(status, 200, "{body}");
    // The agent greets; its first check arrives while the warm-up may still be in flight.
    let reply = check(&harness, "call-warm", "15:00").await;
    assert_eq!(reply["data"]["available"], false, "{reply}");
    assert!(
        reply["data"]["alternatives"]
            .as_array()
            .is_some_and(|alternatives| !alternatives.is_empty()),
        "{reply}"
    );
    let reply = check(&harness, "call-warm", "14:00").await;
    assert_eq!(reply["data"]["available"], true, "{reply}");
    assert_eq!(
        harness.slot_queries(),
        1,
        "the warm-up's query is the only one: {:?}",
        harness.sim.sim.requests()
    );
    assert_eq!(
        own_check_queries(&harness),
        0,
        "the check read what the warm-up fetched"
    );
    Ok(())
}

#[tokio::test]
async fn twenty_calls_starting_at_once_cause_one_slots_query() -> TestResult {
    let harness = Harness::start().await;
    calendar_latency(&harness);
    let starts = (0..20).map(|n| {
        let harness = &harness;
        async move {
            harness
                .retell_webhook(
                    "demo",
                    "events",
                    &retell_call_event("call_started", &format!("call-{n}")),
                )
                .await
        }
    });
    for (status, body) in futures::future::join_all(starts).await {
        assert_eq!(status, 204, "{body}");
    }
    let checks = (0..20).map(|n| {
        let harness = &harness;
        async move { check(harness, &format!("call-{n}"), "14:00").await }
    });
    for reply in futures::future::join_all(checks).await {
        assert_eq!(reply["data"]["available"], true, "{reply}");
    }
    assert_eq!(harness.slot_queries(), 1);
    assert_eq!(
        own_check_queries(&harness),
        0,
        "the check read what the warm-up fetched"
    );
    Ok(())
}

#[tokio::test]
async fn vapi_calls_are_prepared_from_their_start_messages() -> TestResult {
    let harness = Harness::with(|config: &mut Config| {
        if let Some(demo) = config.tenants.get_mut("demo") {
            demo.vapi_assistant_id = Some("asst_demo".into());
        }
    })
    .await;
    calendar_latency(&harness);
    let (status, reply) = harness
        .vapi(&json!({"message": {"type": "assistant-request", "call": {"id": "vapi-1", "customer": {"number": CALLER}}}}))
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply, json!({"assistantId": "asst_demo"}));
    let (status, _) = harness
        .vapi(&json!({"message": {"type": "status-update", "status": "in-progress", "call": {"id": "vapi-1"}}}))
        .await;
    assert_eq!(status, 200);
    let item = json!({"id": "tc-1", "type": "function", "function": {"name": "check_availability", "arguments": {"date": THURSDAY, "time": "14:00"}}});
    let (status, reply) = harness
        .vapi(&vapi_tool_calls("vapi-1", CALLER, vec![item]))
        .await;
    assert_eq!(status, 200, "{reply}");
    let result: Value = serde_json::from_str(reply["results"][0]["result"].as_str().unwrap_or(""))?;
    assert_eq!(result["data"]["available"], true, "{result}");
    assert_eq!(harness.slot_queries(), 1);
    assert_eq!(
        own_check_queries(&harness),
        0,
        "the check read what the warm-up fetched"
    );
    let (status, _) = harness
        .vapi(&json!({"message": {"type": "end-of-call-report", "call": {"id": "vapi-1"}}}))
        .await;
    assert_eq!(status, 200);
    Ok(())
}

#[tokio::test]
async fn a_vapi_call_with_a_fixed_assistant_is_prepared_when_it_rings() -> TestResult {
    // No `assistant-request`: the number names its assistant itself, and Vapi only reports
    // the call's status.
    let harness = Harness::start().await;
    calendar_latency(&harness);
    for status in ["queued", "ringing"] {
        let (status, reply) = harness
            .vapi(&json!({"message": {"type": "status-update", "status": status, "call": {"id": "vapi-fixed"}}}))
            .await;
        assert_eq!(status, 200, "{reply}");
    }
    let item = json!({"id": "tc-1", "type": "function", "function": {"name": "check_availability", "arguments": {"date": THURSDAY, "time": "14:00"}}});
    let (status, reply) = harness
        .vapi(&vapi_tool_calls("vapi-fixed", CALLER, vec![item]))
        .await;
    assert_eq!(status, 200, "{reply}");
    let result: Value = serde_json::from_str(reply["results"][0]["result"].as_str().unwrap_or(""))?;
    assert_eq!(result["data"]["available"], true, "{result}");
    assert_eq!(
        harness.slot_queries(),
        1,
        "the warm-up's query is the only one"
    );
    assert_eq!(
        own_check_queries(&harness),
        0,
        "the check read what the warm-up fetched"
    );
    Ok(())
}

#[tokio::test]
async fn an_assistant_request_for_a_tenant_without_an_assistant_is_refused_aloud() -> TestResult {
    let harness = Harness::start().await;
    let (status, reply) = harness
        .vapi(&json!({"message": {"type": "assistant-request", "call": {"id": "vapi-2"}}}))
        .await;
    assert_eq!(status, 200, "{reply}");
    assert!(
        reply["error"].as_str().is_some_and(|said| !said.is_empty()),
        "Vapi speaks `error` to the caller: {reply}"
    );
    Ok(())
}

#[tokio::test]
async fn a_live_call_keeps_the_calendar_fresh_until_it_ends() -> TestResult {
    let harness = Harness::with(|config: &mut Config| {
        if let Some(demo) = config.tenants.get_mut("demo") {
            // Short-lived cache entries, so a refresh is due every second.
            demo.cache_ttl_secs = 2;
            demo.warmup.refresh_lead_secs = 1;
            demo.warmup.per_minute = 600;
        }
    })
    .await;
    let (status, body) = harness
        .retell_webhook(
            "demo",
            "events",
            &retell_call_event("call_started", "call-long"),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    eventually(Duration::from_secs(20), "three refreshes", || {
        harness.slot_queries() >= 3
    })
    .await;
    // Between two refreshes the calendar is fresh: a check asks it nothing.
    let before = harness.slot_queries();
    let reply = check(&harness, "call-long", "14:00").await;
    assert_eq!(reply["data"]["available"], true, "{reply}");
    assert!(
        harness.slot_queries() <= before + 1,
        "at most a refresh that came due meanwhile"
    );

    let (status, body) = harness
        .retell_webhook(
            "demo",
            "events",
            &retell_call_event("call_ended", "call-long"),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let ended = harness.slot_queries();
    // Watching for something not to happen takes time: four TTLs, in which a live call would
    // have been refreshed about six times. A refresh already under way may still land.
    tokio::time::sleep(Duration::from_secs(8)).await;
    assert!(
        harness.slot_queries() <= ended + 1,
        "refreshes stopped with the last call: {} after the end, {} now",
        ended,
        harness.slot_queries()
    );
    Ok(())
}

#[tokio::test]
async fn a_call_whose_end_never_arrives_stops_being_refreshed_after_the_longest_call() -> TestResult
{
    let harness = Harness::with(|config: &mut Config| {
        if let Some(demo) = config.tenants.get_mut("demo") {
            demo.cache_ttl_secs = 2;
            demo.warmup.refresh_lead_secs = 1;
            demo.warmup.per_minute = 600;
            demo.warmup.max_call_secs = 3;
        }
    })
    .await;
    harness
        .retell_webhook(
            "demo",
            "events",
            &retell_call_event("call_started", "call-lost"),
        )
        .await;
    eventually(Duration::from_secs(20), "the warm-up", || {
        harness.slot_queries() >= 1
    })
    .await;
    // The call counts as live for 3 s; then at most one refresh more, and no more after it.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let settled = harness.slot_queries();
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        harness.slot_queries(),
        settled,
        "no refresh after the longest call"
    );
    assert!(settled <= 4, "{settled} queries for a call of at most 3 s");
    Ok(())
}

/// How often the gateway counted `outcome` for `tenant`'s warm-ups (metrics are shared by
/// every gateway of the test process: each test names its tenant apart).
async fn warmups(harness: &Harness, tenant: &str, outcome: &str) -> u64 {
    let metrics = harness.metrics().await;
    metrics
        .lines()
        .filter(|line| {
            line.starts_with("slotline_warmups_total")
                && line.contains(&format!("tenant=\"{tenant}\""))
                && line.contains(&format!("outcome=\"{outcome}\""))
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

#[tokio::test]
async fn warm_ups_stay_within_the_tenants_budget() -> TestResult {
    let harness = Harness::with(|config: &mut Config| {
        if let Some(mut tenant) = config.tenants.get("demo").cloned() {
            tenant.warmup.per_minute = 2;
            config.tenants.insert("budget".into(), tenant);
        }
    })
    .await;
    let tenant = harness
        .gateway
        .tenants()
        .get("budget")
        .ok_or("no tenant budget")?;
    for n in 0..2u64 {
        let (status, body) = harness
            .retell_webhook(
                "budget",
                "events",
                &retell_call_event("call_started", &format!("call-b{n}")),
            )
            .await;
        assert_eq!(status, 204, "{body}");
        let started = Instant::now();
        while warmups(&harness, "budget", "prepared").await < n + 1 {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "warm-up {n} never ended"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // The calendar changed (a Cal.com webhook): the next call would warm again.
        harness.gateway.calls().calendar_changed(&tenant);
    }
    for n in 2..5 {
        harness
            .retell_webhook(
                "budget",
                "events",
                &retell_call_event("call_started", &format!("call-b{n}")),
            )
            .await;
    }
    // Decided before the event was acknowledged.
    assert_eq!(warmups(&harness, "budget", "over_budget").await, 3);
    assert_eq!(harness.slot_queries(), 2);
    Ok(())
}

#[tokio::test]
async fn a_plugin_on_the_0_1_contract_serves_unchanged_beside_0_2_plugins() -> TestResult {
    let harness = Harness::with(|config: &mut Config| {
        let mut old = test_tenant("echo", &[("reply", "Alles klar.")], &[]);
        old.fixed_now = Some(slotline_e2e::NOW.to_owned());
        config.tenants.insert("legacy".into(), old);
    })
    .await;
    let old = harness
        .gateway
        .tenants()
        .get("legacy")
        .ok_or("no tenant legacy")?;
    assert_eq!(old.plugin().contract().version(), "0.1.0");
    let demo = harness
        .gateway
        .tenants()
        .get("demo")
        .ok_or("no tenant demo")?;
    assert_eq!(demo.plugin().contract().version(), "0.2.0");

    for tenant in ["legacy", "demo"] {
        let (status, body) = harness
            .retell_webhook(
                tenant,
                "events",
                &retell_call_event("call_started", "call-both"),
            )
            .await;
        assert_eq!(status, 204, "{body}");
    }
    let (status, reply) = harness
        .retell_to(
            "legacy",
            &call_from(
                "check_availability",
                json!({"date": THURSDAY, "time": "14:00"}),
                "call-both",
                CALLER,
            ),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["message"], "Alles klar.", "{reply}");
    let (status, reply) = harness
        .retell_to(
            "legacy",
            &call_from(
                "create_booking",
                json!({"date": THURSDAY, "time": "14:00", "name": "Alte Version"}),
                "call-both",
                CALLER,
            ),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    // The test plugin refuses every booking with its reply as the error's detail: the 0.1.0
    // booking request reached it and its answer came back.
    assert_eq!(reply["success"], false, "{reply}");
    assert_eq!(reply["error"]["detail"], "Alles klar.", "{reply}");
    // The demo tenant's call was prepared; the old plugin was asked for nothing new.
    let reply = check(&harness, "call-both", "14:00").await;
    assert_eq!(reply["data"]["available"], true, "{reply}");
    assert_eq!(harness.slot_queries(), 1);
    assert_eq!(
        own_check_queries(&harness),
        0,
        "the check read what the warm-up fetched"
    );
    for outcome in ["prepared", "failed", "joined", "fresh", "over_budget"] {
        assert_eq!(warmups(&harness, "legacy", outcome).await, 0, "{outcome}");
    }
    Ok(())
}
