//! Hostile plugins: each is answered with a spoken fallback within its limit, the gateway
//! stays up, and a well-behaved tenant served at the same time keeps getting right answers.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use slotline_e2e::plugins::test_tenant;
use slotline_e2e::{Harness, THURSDAY, TestResult, call};

/// Each hostile mode of the test plugin, and the limit that must stop it (`None`: a plain
/// trap, which is a bug rather than a limit).
const HOSTILE: [(&str, Option<&str>); 11] = [
    ("loop", Some("deadline")),
    ("alloc", Some("memory")),
    ("recurse", Some("stack")),
    ("trap", None),
    ("big-reply", Some("memory")),
    ("long-reply", Some("reply_size")),
    // An error's speech and detail count as sent, escaped: 20 KB raw, 120 KB as JSON.
    ("escaped-error", Some("reply_size")),
    ("wide-reply", Some("hostcall_data")),
    ("big-value", Some("hostcall_data")),
    ("handles", Some("resource_table")),
    ("sleep", Some("deadline")),
];

/// The value of `metric` for the label set containing every one of `labels`, if reported.
fn metric_value(metrics: &str, metric: &str, labels: &[(&str, &str)]) -> Option<f64> {
    metrics
        .lines()
        .filter_map(|line| line.strip_prefix(metric))
        .filter(|rest| rest.starts_with(['{', ' ']))
        .filter(|rest| {
            labels
                .iter()
                .all(|(key, value)| rest.contains(&format!("{key}=\"{value}\"")))
        })
        .find_map(|rest| rest.rsplit(' ').next()?.parse().ok())
}

/// Whether `tenant` hit `limit` at least once (`slotline_limit_hits_total`).
fn limit_hit(metrics: &str, tenant: &str, limit: &str) -> bool {
    metric_value(
        metrics,
        "slotline_limit_hits_total",
        &[("tenant", tenant), ("limit", limit)],
    )
    .is_some_and(|hits| hits >= 1.0)
}

/// Waits (bounded) until `slots` instance slots are busy; `never` says what did not happen.
async fn until_busy(harness: &Harness, slots: usize, never: &str) {
    let started = Instant::now();
    while harness.gateway.runtime().busy_instances() < slots {
        assert!(started.elapsed() < Duration::from_secs(10), "{never}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn hostile_plugins_get_a_fallback_and_harm_no_one_else() -> TestResult {
    let harness = Harness::with(|config| {
        for (mode, _) in HOSTILE {
            let mut tenant = test_tenant(mode, &[], &[]);
            // Short limits keep the test fast; the mechanism is the same at the defaults.
            tenant.timeouts.read_ms = 500;
            config.tenants.insert(format!("hostile-{mode}"), tenant);
        }
    })
    .await;
    let good = call(
        "check_availability",
        json!({"date": THURSDAY, "time": "14:00"}),
    );
    let (_, expected) = harness.retell(&good).await;
    assert_eq!(expected["data"]["available"], true, "{expected}");
    let timed = || async {
        let started = Instant::now();
        let reply = harness.retell(&good).await;
        (reply, started.elapsed())
    };
    let mut idle = Vec::new();
    for _ in 0..5 {
        idle.push(timed().await.1);
    }
    let mut attacked = Vec::new();

    for (mode, _) in HOSTILE {
        let started = Instant::now();
        let ask = call("check_availability", json!({"date": THURSDAY}));
        let tenant = format!("hostile-{mode}");
        let hostile = harness.retell_to(&tenant, &ask);
        let neighbour = async {
            let mut replies = Vec::new();
            for _ in 0..5 {
                replies.push(timed().await);
            }
            replies
        };
        let ((status, reply), replies) = tokio::join!(hostile, neighbour);
        let elapsed = started.elapsed();
        assert_eq!(status, 200, "{mode}: {reply}");
        assert_eq!(reply["success"], false, "{mode}: {reply}");
        let message = reply["message"].as_str().unwrap_or_default();
        assert!(
            message.to_lowercase().contains("rückruf"),
            "{mode}: a spoken fallback: {reply}"
        );
        // The deadline is the read timeout (0.5 s) plus 1 s of grace.
        assert!(elapsed < Duration::from_secs(5), "{mode}: took {elapsed:?}");
        for ((status, answer), took) in replies {
            attacked.push(took);
            assert_eq!(status, 200, "{mode}: neighbour: {answer}");
            assert_eq!(
                answer["data"], expected["data"],
                "{mode}: neighbour harmed: {answer}"
            );
        }
    }
    idle.sort();
    attacked.sort();
    // For the record (this machine is shared, so no assertion): the neighbour's latency.
    eprintln!(
        "neighbour check: median {:?} idle, {:?} during the attacks (max {:?})",
        idle[idle.len() / 2],
        attacked[attacked.len() / 2],
        attacked.last()
    );
    let health = harness.http.get(harness.url("/healthz")).send().await?;
    assert_eq!(health.status(), 200);
    let metrics = harness.metrics().await;
    for (mode, limit) in HOSTILE {
        let tenant = format!("hostile-{mode}");
        let hits = |limit| {
            metric_value(
                &metrics,
                "slotline_limit_hits_total",
                &[("tenant", &tenant), ("limit", limit)],
            )
        };
        match limit {
            Some(limit) => assert_eq!(hits(limit), Some(1.0), "{mode} hits {limit}: {metrics}"),
            None => {
                assert!(
                    metric_value(
                        &metrics,
                        "slotline_limit_hits_total",
                        &[("tenant", &tenant)]
                    )
                    .is_none(),
                    "{mode} is a bug, not a limit: {metrics}"
                );
                let traps = metric_value(
                    &metrics,
                    "slotline_tool_calls_total",
                    &[("tenant", &tenant), ("outcome", "trap")],
                );
                assert_eq!(traps, Some(1.0), "{mode} counted as a trap: {metrics}");
            }
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_plugin_stuck_in_a_loop_is_stopped_at_its_deadline() -> TestResult {
    let harness = Harness::with(|config| {
        let mut tenant = test_tenant("loop", &[], &[]);
        tenant.timeouts.read_ms = 300;
        config.tenants.insert("spin".into(), tenant);
    })
    .await;
    let started = Instant::now();
    let (_, reply): (u16, Value) = harness
        .retell_to(
            "spin",
            &call("check_availability", json!({"date": THURSDAY})),
        )
        .await;
    let elapsed = started.elapsed();
    assert_eq!(reply["error"]["code"], "deadline_exceeded", "{reply}");
    assert!(
        elapsed >= Duration::from_millis(1_300),
        "stopped early: {elapsed:?}"
    );
    assert!(
        elapsed < Duration::from_millis(3_000),
        "stopped late: {elapsed:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_full_instance_pool_answers_503_with_retry_after_and_recovers() -> TestResult {
    let harness = Harness::with(|config| {
        config.runtime.max_instances = 2;
        // One tenant may take the whole pool here: what everyone else hears then.
        config.runtime.max_instance_share_percent = 100;
        let mut sleeper = test_tenant("sleep", &[], &[]);
        sleeper.timeouts.read_ms = 2_000;
        config.tenants.insert("sleeper".into(), sleeper);
        // The caller's deadline ends well before the sleepers give their slots back.
        if let Some(demo) = config.tenants.get_mut("demo") {
            demo.timeouts.read_ms = 100;
        }
    })
    .await;
    let ask = call("check_availability", json!({"date": THURSDAY}));
    let sleepers = futures::future::join(
        harness.retell_to("sleeper", &ask),
        harness.retell_to("sleeper", &ask),
    );
    let probe = async {
        until_busy(&harness, 2, "the sleepers never held both slots").await;
        let body = call(
            "check_availability",
            json!({"date": THURSDAY, "time": "14:00"}),
        )
        .to_string();
        let response = harness
            .http
            .post(harness.url("/v1/retell/demo"))
            .header("content-type", "application/json")
            .header(
                "x-retell-signature",
                slotline_e2e::sign(&body, slotline::demo::RETELL_API_KEY),
            )
            .body(body)
            .send()
            .await?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let reply: Value = response.json().await?;
        Ok::<_, Box<dyn std::error::Error>>((status, retry_after, reply))
    };
    let (_, probed) = tokio::join!(sleepers, probe);
    let (status, retry_after, reply) = probed?;
    assert_eq!(status, 503, "{reply}");
    assert!(
        retry_after
            .as_deref()
            .is_some_and(|seconds| seconds.parse::<u64>().is_ok()),
        "Retry-After in seconds: {retry_after:?}"
    );
    assert_eq!(reply["error"]["code"], "overloaded", "{reply}");

    // Once the sleepers are gone, the same call is served.
    let (status, reply) = harness
        .retell(&call(
            "check_availability",
            json!({"date": THURSDAY, "time": "14:00"}),
        ))
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["data"]["available"], true, "{reply}");
    let metrics = harness.metrics().await;
    assert!(limit_hit(&metrics, "demo", "instance_pool"), "{metrics}");
    // Other gateways in this test process share the recorder, so only its presence is certain.
    assert!(
        metric_value(&metrics, "slotline_plugin_instances_busy", &[]).is_some(),
        "{metrics}"
    );
    Ok(())
}

#[tokio::test]
async fn a_tenant_whose_calls_hang_holds_only_its_share_of_the_instance_slots() -> TestResult {
    let harness = Harness::with(|config| {
        config.runtime.max_instances = 4;
        config.runtime.max_instance_share_percent = 50;
        let mut sleeper = test_tenant("sleep", &[], &[]);
        // Its bookings hang for 4 s; its checks give up after 2 s.
        sleeper.timeouts.read_ms = 1_000;
        sleeper.timeouts.write_ms = 3_000;
        config.tenants.insert("sleeper".into(), sleeper);
        // The neighbour cannot wait for a slot to come free.
        if let Some(demo) = config.tenants.get_mut("demo") {
            demo.timeouts.read_ms = 100;
        }
    })
    .await;
    // Two phone calls' bookings (one call's same booking twice would be one booking).
    let book = |call_id: &str, time: &str| {
        slotline_e2e::call_from(
            "create_booking",
            json!({"date": THURSDAY, "time": time, "name": "Anna Schmidt"}),
            call_id,
            "+4915112345678",
        )
    };
    let (one, two) = (book("hang-1", "10:00"), book("hang-2", "11:00"));
    let hanging = futures::future::join(
        harness.retell_to("sleeper", &one),
        harness.retell_to("sleeper", &two),
    );
    let meanwhile = async {
        until_busy(&harness, 2, "the hanging bookings never held their slots").await;
        // A third call of the hanging tenant waits on the tenant's share, not in the pool: the
        // neighbour's two calls at the same time find the two slots left.
        let check = |time: &str| {
            call(
                "check_availability",
                json!({"date": THURSDAY, "time": time}),
            )
        };
        let (late, first, second) = (check("15:00"), check("14:00"), check("16:00"));
        let third = harness.retell_to("sleeper", &late);
        let neighbour = futures::future::join(harness.retell(&first), harness.retell(&second));
        tokio::join!(third, neighbour)
    };
    let (_, ((third_status, third), ((a_status, a), (b_status, b)))) =
        tokio::join!(hanging, meanwhile);
    for (status, reply) in [(a_status, &a), (b_status, &b)] {
        assert_eq!(status, 200, "the neighbour is served: {reply}");
        assert!(reply["data"]["available"].is_boolean(), "{reply}");
    }
    assert_eq!(third_status, 503, "{third}");
    assert_eq!(third["error"]["code"], "overloaded", "{third}");
    let metrics = harness.metrics().await;
    assert!(
        limit_hit(&metrics, "sleeper", "instance_share"),
        "{metrics}"
    );
    Ok(())
}
