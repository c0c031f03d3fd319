//! The foundation: a signed Retell call runs the real plugin against the simulator.

use serde_json::json;
use slotline_e2e::{Harness, THURSDAY, TestResult, call, sign};

#[tokio::test]
async fn a_free_slot_is_confirmed_in_german() -> TestResult {
    let harness = Harness::start().await;
    let (status, reply) = harness
        .retell(&call(
            "check_availability",
            json!({"datum": THURSDAY, "uhrzeit": "14:00"}),
        ))
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["success"], true, "{reply}");
    assert_eq!(reply["data"]["available"], true, "{reply}");
    assert_eq!(reply["data"]["requested"], "2026-11-26T14:00:00+01:00");
    let message = reply["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("14 Uhr") && message.contains("frei"),
        "{message}"
    );
    Ok(())
}

#[tokio::test]
async fn a_taken_slot_comes_with_alternatives() -> TestResult {
    let harness = Harness::start().await;
    let (status, reply) = harness
        .retell(&call(
            "check_availability",
            json!({"date": THURSDAY, "time": "15:00"}),
        ))
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["success"], true, "{reply}");
    assert_eq!(reply["data"]["available"], false, "{reply}");
    let alternatives = reply["data"]["alternatives"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        !alternatives.is_empty() && alternatives.len() <= 3,
        "{reply}"
    );
    assert!(
        alternatives
            .iter()
            .all(|a| a["start"] != "2026-11-26T15:00:00+01:00"),
        "the taken slot is not an alternative: {reply}"
    );
    let message = reply["message"].as_str().unwrap_or_default();
    assert!(message.contains("vergeben"), "{message}");
    // The taken slots of that day are not offered.
    let slots = reply["data"]["slots"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        slots
            .iter()
            .all(|s| s != "2026-11-26T10:00:00+01:00" && s != "2026-11-26T15:00:00+01:00")
    );
    assert!(
        slots.iter().any(|s| s == "2026-11-26T14:00:00+01:00"),
        "{reply}"
    );
    Ok(())
}

#[tokio::test]
async fn a_second_identical_check_is_served_from_the_cache() -> TestResult {
    let harness = Harness::start().await;
    let body = call(
        "check_availability",
        json!({"date": THURSDAY, "time": "15:00"}),
    );
    let (_, first) = harness.retell(&body).await;
    let after_first = harness.upstream_requests();
    assert_eq!(
        after_first, 1,
        "one upstream request covers the whole search window"
    );
    let (_, second) = harness.retell(&body).await;
    assert_eq!(
        harness.upstream_requests(),
        after_first,
        "served from the cache"
    );
    assert_eq!(first["data"], second["data"]);
    Ok(())
}

#[tokio::test]
async fn requests_that_are_not_authentic_or_well_formed_get_precise_4xx() -> TestResult {
    const NEIGHBOUR_KEY: &str = "the-neighbours-retell-key";
    let harness = Harness::with(|config| {
        let mut neighbour = config.tenants["demo"].clone();
        neighbour.retell_api_key = Some(slotline::config::Secret::new(NEIGHBOUR_KEY));
        config.tenants.insert("neighbour".into(), neighbour);
    })
    .await;
    let body = call("check_availability", json!({"date": THURSDAY})).to_string();
    let key = slotline::demo::RETELL_API_KEY;

    let wrong_key = sign(&body, "not-the-key");
    let (status, reply) = harness
        .retell_raw("demo", body.clone().into_bytes(), Some(wrong_key))
        .await;
    assert_eq!(
        (status, reply["error"]["code"].as_str()),
        (401, Some("unauthorized"))
    );

    // A valid signature, but by another tenant's key.
    let (status, reply) = harness
        .retell_raw(
            "demo",
            body.clone().into_bytes(),
            Some(sign(&body, NEIGHBOUR_KEY)),
        )
        .await;
    assert_eq!(
        (status, reply["error"]["code"].as_str()),
        (401, Some("unauthorized"))
    );

    let stale_ms = chrono::Utc::now().timestamp_millis() - 10 * 60 * 1000;
    let stale = slotline::server::signature::sign(body.as_bytes(), key.as_bytes(), stale_ms);
    let (status, reply) = harness
        .retell_raw("demo", body.clone().into_bytes(), Some(stale))
        .await;
    assert_eq!(status, 401, "{reply}");
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("window")
    );

    let (status, _) = harness
        .retell_raw("demo", body.clone().into_bytes(), None)
        .await;
    assert_eq!(status, 401);

    let (status, reply) = harness
        .retell_raw("nobody", body.clone().into_bytes(), Some(sign(&body, key)))
        .await;
    assert_eq!(
        (status, reply["error"]["code"].as_str()),
        (404, Some("unknown_tenant"))
    );

    let malformed = "{\"name\": \"check_availability\", ";
    let (status, reply) = harness
        .retell_raw("demo", malformed.into(), Some(sign(malformed, key)))
        .await;
    assert_eq!(
        (status, reply["error"]["code"].as_str()),
        (400, Some("bad_request"))
    );

    let deep = format!(
        "{{\"name\": \"check_availability\", \"args\": {}1{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let (status, reply) = harness
        .retell_raw("demo", deep.clone().into_bytes(), Some(sign(&deep, key)))
        .await;
    assert_eq!(status, 400, "{reply}");
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("nested deeper"),
        "{reply}"
    );

    let unknown_tool = call("order_pizza", json!({})).to_string();
    let (status, _) = harness
        .retell_raw(
            "demo",
            unknown_tool.clone().into_bytes(),
            Some(sign(&unknown_tool, key)),
        )
        .await;
    assert_eq!(status, 400);

    let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(512 * 1024));
    let (status, reply) = harness
        .retell_raw("demo", huge.clone().into_bytes(), Some(sign(&huge, key)))
        .await;
    assert_eq!(
        (status, reply["error"]["code"].as_str()),
        (413, Some("body_too_large"))
    );

    assert_eq!(
        harness.upstream_requests(),
        0,
        "nothing reached the calendar"
    );
    Ok(())
}

#[tokio::test]
async fn a_missing_argument_is_answered_with_a_question() -> TestResult {
    let harness = Harness::start().await;
    let (status, reply) = harness
        .retell(&call("check_availability_v2", json!({"uhrzeit": "15:00"})))
        .await;
    assert_eq!(status, 200);
    assert_eq!(reply["success"], false);
    assert_eq!(reply["error"]["code"], "missing_argument");
    assert!(
        reply["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Tag"),
        "{reply}"
    );
    Ok(())
}

#[test]
fn the_default_plugin_is_a_component_of_the_scheduler_world() -> TestResult {
    let bytes = slotline::DEFAULT_PLUGIN.ok_or("the default plugin is not built")?;
    // A component's preamble: magic, then version 0x0d and layer 1 (a core module has layer 0).
    assert_eq!(&bytes[..4], b"\0asm");
    assert_eq!(&bytes[4..8], &[0x0d, 0x00, 0x01, 0x00], "not a component");
    let runtime = slotline::runtime::Runtime::new(&slotline::config::RuntimeConfig {
        max_instances: 4,
        ..Default::default()
    })?;
    let plugin = runtime.compile(bytes)?;
    assert_eq!(plugin.digest().len(), 64);
    // A core module is refused, as is a component of another world.
    let core = b"\0asm\x01\0\0\0";
    assert!(runtime.compile(core).is_err());
    Ok(())
}

#[tokio::test]
async fn a_call_over_its_tool_call_limits_is_refused_and_others_are_not() -> TestResult {
    let harness = Harness::with(|config| {
        if let Some(demo) = config.tenants.get_mut("demo") {
            demo.calls = slotline::config::CallLimits {
                max_tool_calls: 6,
                per_minute: 4,
                tenant_per_second: 0,
            };
        }
    })
    .await;
    let ask =
        |call_id: &str| json!({"name": "list_services", "args": {}, "call": {"call_id": call_id}});
    for _ in 0..4 {
        assert_eq!(harness.retell(&ask("busy")).await.0, 200);
    }
    let (status, reply) = harness.retell(&ask("busy")).await;
    assert_eq!(
        (status, reply["error"]["code"].as_str()),
        (429, Some("rate_limited")),
        "{reply}"
    );
    // Another call of the same tenant is not affected.
    assert_eq!(harness.retell(&ask("calm")).await.0, 200);
    Ok(())
}

#[tokio::test]
async fn a_tenant_over_its_rate_is_refused_and_other_tenants_are_not() -> TestResult {
    let harness = Harness::with(|config| {
        let neighbour = config.tenants["demo"].clone();
        config.tenants.insert("neighbour".into(), neighbour);
        if let Some(demo) = config.tenants.get_mut("demo") {
            demo.calls.tenant_per_second = 1;
        }
    })
    .await;
    // Every tool call in its own phone call: only the tenant-wide rate applies.
    let ask = |i: usize| json!({"name": "list_services", "args": {}, "call": {"call_id": format!("flood-{i}")}});
    let started = std::time::Instant::now();
    let bodies: Vec<_> = (0..4).map(ask).collect();
    let replies = futures::future::join_all(bodies.iter().map(|body| harness.retell(body))).await;
    let elapsed = started.elapsed();
    let refused = replies
        .iter()
        .filter(|(status, reply)| *status == 429 && reply["error"]["code"] == "rate_limited")
        .count();
    let served = replies.iter().filter(|(status, _)| *status == 200).count();
    assert_eq!(refused + served, 4, "{replies:?}");
    // One call a second, with a burst of one: of four at once, at most one more than the
    // seconds that passed gets through.
    let allowed = 1 + usize::try_from(elapsed.as_secs()).unwrap_or(usize::MAX);
    assert!(
        served >= 1 && served <= allowed,
        "{served} served in {elapsed:?}: {replies:?}"
    );
    // The neighbour's calls are not counted against the flooding tenant.
    for i in 0..4 {
        let (status, reply) = harness.retell_to("neighbour", &ask(i)).await;
        assert_eq!(status, 200, "{reply}");
    }
    Ok(())
}
