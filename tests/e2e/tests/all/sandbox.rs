//! Hostile plugins: each is answered with a spoken fallback within its limit, the gateway
//! stays up, and a well-behaved tenant served at the same time keeps getting right answers.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use slotline_e2e::plugins::test_tenant;
use slotline_e2e::{Harness, THURSDAY, TestResult, call};

const HOSTILE: [&str; 6] = ["loop", "alloc", "recurse", "trap", "big-reply", "sleep"];

#[tokio::test]
async fn hostile_plugins_get_a_fallback_and_harm_no_one_else() -> TestResult {
    let harness = Harness::with(|config| {
        for mode in HOSTILE {
            let mut tenant = test_tenant(mode, &[], &[]);
            // Short limits keep the test fast; the mechanism is the same at the defaults.
            tenant.timeouts.read_ms = 500;
            config.tenants.insert(mode.to_owned(), tenant);
        }
    })
    .await;
    let good = call(
        "check_availability",
        json!({"date": THURSDAY, "time": "14:00"}),
    );
    let (_, expected) = harness.retell(&good).await;
    assert_eq!(expected["data"]["available"], true, "{expected}");

    for mode in HOSTILE {
        let started = Instant::now();
        let ask = call("check_availability", json!({"date": THURSDAY}));
        let hostile = harness.retell_to(mode, &ask);
        let neighbour = async {
            let mut replies = Vec::new();
            for _ in 0..5 {
                replies.push(harness.retell(&good).await);
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
        for (status, answer) in replies {
            assert_eq!(status, 200, "{mode}: neighbour: {answer}");
            assert_eq!(
                answer["data"], expected["data"],
                "{mode}: neighbour harmed: {answer}"
            );
        }
    }
    let health = harness.http.get(harness.url("/healthz")).send().await?;
    assert_eq!(health.status(), 200);
    let metrics = harness
        .http
        .get(harness.url("/metrics"))
        .send()
        .await?
        .text()
        .await?;
    for mode in HOSTILE {
        assert!(
            metrics.contains(&format!("slotline_tool_calls_total{{tenant=\"{mode}\"")),
            "{mode} counted: {metrics}"
        );
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
