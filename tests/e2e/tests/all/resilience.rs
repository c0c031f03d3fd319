//! Host resilience: timeouts, the circuit breaker, the allowlist, request coalescing and
//! tenant isolation of the cache, whatever the plugin does.

use std::time::{Duration, Instant};

use calsim::{Endpoint, Fault, Latency};
use serde_json::{Value, json};
use slotline_e2e::plugins::test_tenant;
use slotline_e2e::{Harness, THURSDAY, TestResult, call};

fn message(reply: &Value) -> &str {
    reply["message"].as_str().unwrap_or_default()
}

/// "Rückruf", "zurückrufen": the caller is offered a callback.
fn offers_callback(reply: &Value) -> bool {
    message(reply).to_lowercase().contains("rückruf")
}

fn detail(reply: &Value) -> &str {
    reply["error"]["detail"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn a_hanging_calendar_gets_the_caller_a_callback_offer_within_the_timeout() -> TestResult {
    let harness = Harness::with(|config| {
        if let Some(demo) = config.tenants.get_mut("demo") {
            demo.timeouts.read_ms = 1_000;
        }
    })
    .await;
    harness
        .sim
        .sim
        .set_fault(Endpoint::Slots, Some(Fault::Hang));
    let started = Instant::now();
    let (status, reply) = harness
        .retell(&call(
            "check_availability",
            json!({"date": THURSDAY, "time": "15:00"}),
        ))
        .await;
    let elapsed = started.elapsed();
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["success"], false, "{reply}");
    assert_eq!(reply["error"]["code"], "upstream_unavailable", "{reply}");
    assert!(offers_callback(&reply), "{reply}");
    assert!(
        elapsed >= Duration::from_millis(1_000),
        "answered before the timeout: {elapsed:?}"
    );
    assert!(
        elapsed < Duration::from_millis(2_500),
        "not cut at the timeout: {elapsed:?}"
    );
    Ok(())
}

#[tokio::test]
async fn five_failures_open_the_breaker_and_two_successes_close_it() -> TestResult {
    let harness = Harness::with(|config| {
        if let Some(demo) = config.tenants.get_mut("demo") {
            demo.breaker.open_ms = 800;
        }
    })
    .await;
    let upstream = harness.sim.addr.to_string();
    let breakers = || harness.breakers();
    harness.sim.sim.set_fault(
        Endpoint::Slots,
        Some(Fault::Status {
            code: 503,
            rate: 1.0,
        }),
    );
    for attempt in 1..=5 {
        let (_, reply) = harness
            .retell(&call("check_availability", json!({"date": THURSDAY})))
            .await;
        assert_eq!(
            reply["error"]["code"], "upstream_unavailable",
            "attempt {attempt}: {reply}"
        );
    }
    assert_eq!(harness.upstream_requests(), 5);
    assert_eq!(breakers().await?["breakers"][0]["state"], "open");
    assert_eq!(
        breakers().await?["breakers"][0]["upstream"],
        upstream.as_str()
    );

    // Open: the sixth call is answered without asking the calendar.
    let started = Instant::now();
    let (_, reply) = harness
        .retell(&call("check_availability", json!({"date": THURSDAY})))
        .await;
    let fast = started.elapsed();
    assert_eq!(
        harness.upstream_requests(),
        5,
        "no upstream request while open"
    );
    assert_eq!(reply["error"]["code"], "upstream_unavailable");
    assert!(detail(&reply).contains("DestinationUnavailable"), "{reply}");
    assert!(offers_callback(&reply), "{reply}");
    assert!(fast < Duration::from_millis(500), "fast fail took {fast:?}");
    let metrics = harness.metrics().await;
    let gauge = format!("slotline_breaker_state{{tenant=\"demo\",upstream=\"{upstream}\"}} 2");
    assert!(metrics.contains(&gauge), "{metrics}");

    // After the pause, two successful trials close it.
    harness.sim.sim.set_fault(Endpoint::Slots, None);
    tokio::time::sleep(Duration::from_millis(900)).await;
    let (_, reply) = harness
        .retell(&call("check_availability", json!({"date": THURSDAY})))
        .await;
    assert_eq!(reply["success"], true, "{reply}");
    assert_eq!(breakers().await?["breakers"][0]["state"], "half_open");
    // Another window, so the cache cannot answer it.
    let (_, reply) = harness
        .retell(&call("check_availability", json!({"date": "2026-12-14"})))
        .await;
    assert_eq!(reply["success"], true, "{reply}");
    assert_eq!(breakers().await?["breakers"][0]["state"], "closed");
    assert_eq!(harness.upstream_requests(), 7);
    Ok(())
}

#[tokio::test]
async fn while_every_upstream_is_open_the_host_answers_without_running_the_plugin() -> TestResult {
    let harness = Harness::with(|config| {
        if let Some(demo) = config.tenants.get_mut("demo") {
            demo.breaker.failure_threshold = 1;
        }
    })
    .await;
    let fault = Fault::Status {
        code: 503,
        rate: 1.0,
    };
    harness.sim.sim.set_fault(Endpoint::All, Some(fault));
    let (_, reply) = harness
        .retell(&call("check_availability", json!({"date": THURSDAY})))
        .await;
    assert_eq!(reply["error"]["code"], "upstream_unavailable", "{reply}");
    assert!(
        !detail(&reply).contains("without running the plugin"),
        "{reply}"
    );
    assert_eq!(harness.breakers().await?["breakers"][0]["state"], "open");
    let asked = harness.upstream_requests();

    // Every tool about the calendar is refused by the host, in the plugin's words: the
    // calendar is away, a callback is offered.
    for (tool, args) in [
        (
            "check_availability",
            json!({"date": "2026-12-14", "time": "10:00"}),
        ),
        (
            "find_alternatives",
            json!({"date": THURSDAY, "time": "10:00"}),
        ),
        ("cancel_booking", json!({"booking_id": "some-booking"})),
        (
            "reschedule_booking",
            json!({"booking_id": "some-booking", "new_date": THURSDAY, "new_time": "11:00"}),
        ),
        ("list_bookings", json!({})),
    ] {
        let (status, reply) = harness.retell(&call(tool, args)).await;
        assert_eq!(status, 200, "{tool}: {reply}");
        assert_eq!(reply["success"], false, "{tool}: {reply}");
        assert_eq!(
            reply["error"]["code"], "upstream_unavailable",
            "{tool}: {reply}"
        );
        assert!(offers_callback(&reply), "{tool}: {reply}");
        assert!(
            detail(&reply).contains("without running the plugin"),
            "{tool}: {reply}"
        );
    }
    assert_eq!(
        harness.upstream_requests(),
        asked,
        "nothing reached the calendar"
    );
    // Counted as such, apart from the plugin's own answers. The registry is the process's,
    // shared with the other tests, so each tool's series is looked for by its labels.
    let metrics = harness.metrics().await;
    for tool in [
        "check_availability",
        "find_alternatives",
        "cancel_booking",
        "reschedule_booking",
        "list_bookings",
    ] {
        let series = format!("tool=\"{tool}\",outcome=\"breaker_open\"");
        assert!(
            metrics.lines().any(
                |line| line.starts_with("slotline_tool_calls_total{") && line.contains(&series)
            ),
            "{tool}: {metrics}"
        );
    }

    // The words of a date and the services need no calendar: still the plugin's.
    let (_, reply) = harness
        .retell(&call("parse_date", json!({"text": "morgen um 15 Uhr"})))
        .await;
    assert_eq!(reply["success"], true, "{reply}");
    assert!(reply["data"]["start"].is_string(), "{reply}");
    let (_, reply) = harness.retell(&call("list_services", json!({}))).await;
    assert_eq!(reply["success"], true, "{reply}");
    Ok(())
}

/// The simulator's origin, as the demo tenant's allowlist names it (`http://127.0.0.1:PORT`).
fn simulator_origin(config: &slotline::config::Config) -> String {
    config.tenants["demo"].allowed_outbound[0].clone()
}

#[tokio::test]
async fn requests_off_the_allowlist_or_to_internal_addresses_are_denied() -> TestResult {
    let slots = format!("/v2/slots?eventTypeId=1001&start={THURSDAY}&end={THURSDAY}");
    let harness = Harness::with(|config| {
        let origin = simulator_origin(config);
        let port = origin.rsplit(':').next().unwrap_or_default().to_owned();
        let cases = [
            // Not on the allowlist at all.
            ("off-list", format!("http://example.com{slots}"), vec![]),
            // The simulator itself, on loopback, but not named by this tenant's allowlist.
            ("loopback", format!("{origin}{slots}"), vec![]),
            (
                "metadata",
                "http://169.254.169.254/latest/meta-data/".to_owned(),
                vec![],
            ),
            // Private ranges: refused before any connection is attempted.
            ("private-10", "http://10.0.0.1/v2/slots".to_owned(), vec![]),
            (
                "private-192",
                "http://192.168.1.1/v2/slots".to_owned(),
                vec![],
            ),
            // Allowed by name, but the name resolves to loopback.
            (
                "by-name",
                format!("http://localhost:{port}{slots}"),
                vec![format!("http://localhost:{port}")],
            ),
        ];
        for (id, url, allowed) in cases {
            config.tenants.insert(
                id.to_owned(),
                test_tenant("fetch", &[("url", &url)], &allowed),
            );
        }
    })
    .await;
    for (id, denial) in [
        ("off-list", "HttpRequestDenied"),
        ("loopback", "HttpRequestDenied"),
        ("metadata", "HttpRequestDenied"),
        ("private-10", "HttpRequestDenied"),
        ("private-192", "HttpRequestDenied"),
        ("by-name", "DestinationIpProhibited"),
    ] {
        let (status, reply) = harness
            .retell_to(id, &call("check_availability", json!({"date": THURSDAY})))
            .await;
        assert_eq!(status, 200, "{id}: {reply}");
        assert_eq!(reply["success"], false, "{id}: {reply}");
        assert!(
            detail(&reply).contains(denial),
            "{id}: expected {denial}: {reply}"
        );
        assert!(
            offers_callback(&reply),
            "{id}: the caller hears a fallback: {reply}"
        );
    }
    assert_eq!(
        harness.upstream_requests(),
        0,
        "nothing reached the simulator"
    );
    Ok(())
}

#[tokio::test]
async fn a_plugin_asking_for_600_seconds_is_cut_at_the_host_cap() -> TestResult {
    let harness = Harness::with(|config| {
        config.runtime.outbound_cap_ms = 1_000;
        let origin = simulator_origin(config);
        let url = format!("{origin}/v2/slots?eventTypeId=1001&start={THURSDAY}&end={THURSDAY}");
        let mut tenant = test_tenant(
            "fetch",
            &[("url", &url), ("timeout_ms", "600000")],
            &[origin],
        );
        tenant.timeouts.read_ms = 60_000;
        config.tenants.insert("patient".into(), tenant);
    })
    .await;
    harness
        .sim
        .sim
        .set_fault(Endpoint::Slots, Some(Fault::Hang));
    let started = Instant::now();
    let (_, reply) = harness
        .retell_to(
            "patient",
            &call("check_availability", json!({"date": THURSDAY})),
        )
        .await;
    let elapsed = started.elapsed();
    assert_eq!(reply["success"], false, "{reply}");
    assert!(
        detail(&reply).contains("HttpResponseTimeout"),
        "the exchange itself was cut: {reply}"
    );
    assert!(elapsed >= Duration::from_millis(1_000), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(2_500), "{elapsed:?}");
    assert_eq!(
        harness.upstream_requests(),
        1,
        "the request did reach the (hanging) calendar"
    );
    Ok(())
}

#[tokio::test]
async fn a_hundred_identical_cold_checks_make_one_upstream_request() -> TestResult {
    let harness = Harness::with(|config| config.runtime.max_instances = 128).await;
    // Cal.com's real latency: long enough for every call to be in flight at once.
    harness
        .sim
        .sim
        .set_latency(Endpoint::Slots, Latency::Fixed(Duration::from_millis(400)));
    let body = call(
        "check_availability",
        json!({"date": THURSDAY, "time": "15:00"}),
    );
    let replies = futures::future::join_all((0..100).map(|_| harness.retell(&body))).await;
    for (status, reply) in &replies {
        assert_eq!(*status, 200, "{reply}");
        assert_eq!(reply["success"], true, "{reply}");
        assert_eq!(reply["data"], replies[0].1["data"]);
    }
    assert_eq!(harness.upstream_requests(), 1);
    Ok(())
}

#[tokio::test]
async fn a_probing_plugin_cannot_read_another_tenants_cache() -> TestResult {
    let harness = Harness::with(|config| {
        let probe = test_tenant(
            "probe-cache",
            &[
                (
                    "probe_keys",
                    "slots:v2:1001:2026-11-26,slots:v2:1001:2026-11-27,demo:slots:v2:1001:2026-11-26",
                ),
                ("probe_buckets", "demo,tenant:demo,../demo,*"),
            ],
            &[],
        );
        config.tenants.insert("probe".into(), probe);
    })
    .await;
    // The demo tenant fills its cache.
    let (_, reply) = harness
        .retell(&call("check_availability", json!({"date": THURSDAY})))
        .await;
    assert_eq!(reply["success"], true, "{reply}");
    let demo = harness
        .gateway
        .tenants()
        .get("demo")
        .ok_or("no demo tenant")?;
    let mut keys = Vec::new();
    let mut cursor = None;
    loop {
        let (page, next) = demo.env.cache.keys_page(cursor).await?;
        keys.extend(page);
        match next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert!(
        keys.iter().any(|key| key == "slots:v2:1001:2026-11-26"),
        "there is something to find: {keys:?}"
    );

    let (_, reply) = harness
        .retell_to(
            "probe",
            &call("check_availability", json!({"date": THURSDAY})),
        )
        .await;
    let seen: Value = serde_json::from_str(message(&reply))?;
    assert_eq!(seen, json!({"found": [], "opened": []}), "{reply}");
    Ok(())
}

#[tokio::test]
async fn a_plugin_making_a_thousand_requests_gets_its_budget_and_no_more() -> TestResult {
    let harness = Harness::with(|config| {
        let origin = simulator_origin(config);
        let url = format!("{origin}/v2/event-types");
        config.tenants.insert(
            "greedy".into(),
            test_tenant("many-requests", &[("url", &url)], &[origin]),
        );
    })
    .await;
    let (_, reply) = harness
        .retell_to(
            "greedy",
            &call("check_availability", json!({"date": THURSDAY})),
        )
        .await;
    assert_eq!(message(&reply), "sent 16", "{reply}");
    assert_eq!(harness.upstream_requests(), 16);
    Ok(())
}

#[tokio::test]
async fn a_plugin_trying_a_thousand_origins_is_stopped_by_its_budget_in_one_metric_series()
-> TestResult {
    let harness = Harness::with(|config| {
        config
            .tenants
            .insert("scanner".into(), test_tenant("many-origins", &[], &[]));
    })
    .await;
    let (_, reply) = harness
        .retell_to(
            "scanner",
            &call("check_availability", json!({"date": THURSDAY})),
        )
        .await;
    // Refused requests spend the budget as sent ones do: 16, then the budget refuses.
    assert_eq!(message(&reply), "denied 16", "{reply}");
    let metrics = harness.metrics().await;
    let series: Vec<&str> = metrics
        .lines()
        .filter(|line| {
            line.starts_with("slotline_upstream_requests_total")
                && line.contains("tenant=\"scanner\"")
        })
        .collect();
    assert!(
        series
            .iter()
            .all(|line| line.contains("upstream=\"other\"")),
        "origins off the allowlist share one label: {series:?}"
    );
    assert!(
        series
            .iter()
            .any(|line| line.contains("outcome=\"denied\"") && line.ends_with(" 16")),
        "{series:?}"
    );
    assert!(
        series
            .iter()
            .any(|line| line.contains("outcome=\"budget_exceeded\"")),
        "{series:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_request_body_past_the_cap_is_refused_before_anything_is_sent() -> TestResult {
    let harness = Harness::with(|config| {
        let origin = simulator_origin(config);
        let url = format!("{origin}/v2/bookings");
        config.tenants.insert(
            "streamer".into(),
            test_tenant(
                "post-body",
                &[("url", &url), ("body_mib", "64")],
                std::slice::from_ref(&origin),
            ),
        );
        config.tenants.insert(
            "modest".into(),
            test_tenant("post-body", &[("url", &url), ("body_mib", "0")], &[origin]),
        );
    })
    .await;
    let (_, reply) = harness
        .retell_to(
            "streamer",
            &call("check_availability", json!({"date": THURSDAY})),
        )
        .await;
    assert_eq!(reply["success"], false, "{reply}");
    assert!(
        detail(&reply).contains("HttpRequestBodySize"),
        "refused for its size: {reply}"
    );
    assert!(
        offers_callback(&reply),
        "the caller hears a fallback: {reply}"
    );
    assert_eq!(
        harness.upstream_requests(),
        0,
        "nothing of it reached the calendar"
    );
    let metrics = harness.metrics().await;
    assert!(
        metrics
            .lines()
            .any(|line| line.starts_with("slotline_limit_hits_total")
                && line.contains("tenant=\"streamer\"")
                && line.contains("limit=\"request_size\"")),
        "counted as `request_size`"
    );
    // A small body is sent as before.
    let (_, reply) = harness
        .retell_to(
            "modest",
            &call("check_availability", json!({"date": THURSDAY})),
        )
        .await;
    assert!(message(&reply).starts_with("status "), "{reply}");
    assert_eq!(harness.upstream_requests(), 1);
    Ok(())
}
