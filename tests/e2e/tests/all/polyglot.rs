//! The JavaScript and Python example plugins, uploaded through the admin API as a tenant's
//! web developer would: the same call as the Rust plugin's, with the same `data` in every
//! reply, and the plugin limits a Python component needs given to its tenant only.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Value, json};
use slotline::config::{Config, PluginLimits};
use slotline_e2e::plugins::{
    UNLIMITED_CALLS, hostile_js_plugin_path, hostile_python_plugin_path, js_plugin_path,
    python_plugin_path,
};
use slotline_e2e::{DataDir, Harness, THURSDAY, TestResult, call as tool_call};

const OPERATOR: &str = slotline::demo::ADMIN_TOKEN;
/// A caller with no bookings.
const CALLER: &str = "+4915112345678";
/// Where the call moves its booking to.
const FRIDAY: &str = "2026-11-27";

/// Room for a componentize-py component (14 core instances).
const PYTHON_LIMITS: PluginLimits = PluginLimits {
    core_instances: 16,
    ..PluginLimits::DEFAULTS
};

fn with_data(config: &mut Config, data: &Path, locale: &str, limits: PluginLimits) {
    config.server.data_dir = Some(data.to_owned());
    if let Some(demo) = config.tenants.get_mut("demo") {
        demo.locale = locale.to_owned();
        demo.plugin_limits = limits;
    }
}

async fn upload(harness: &Harness, bytes: Vec<u8>) -> (u16, Value) {
    let url = harness.url("/v1/admin/tenants/demo/plugins?activate=true");
    let response = harness
        .http
        .post(url)
        .bearer_auth(OPERATOR)
        .body(bytes)
        .send()
        .await;
    match response {
        Ok(response) => {
            let status = response.status().as_u16();
            (status, response.json().await.unwrap_or(Value::Null))
        }
        Err(err) => (0, json!({ "transport": err.to_string() })),
    }
}

/// A whole call: check a taken time, ask for alternatives, book the first one (the platform
/// retries the booking), list, move it to Friday 09:00, cancel it, list again, the services.
/// Returns each reply's `success` and `data`, booking ids (random at the calendar) replaced
/// by the order they first appeared in.
async fn call(harness: &Harness, call_id: &str) -> Result<Vec<Value>, String> {
    let mut replies = Vec::new();
    let wish = json!({"date": THURSDAY, "time": "15:00"});
    replies.push(tool(harness, "check_availability", wish.clone(), call_id).await);
    let found = tool(harness, "find_alternatives", wish, call_id).await;
    let first = found["data"]["alternatives"][0]["start"]
        .as_str()
        .ok_or_else(|| format!("no alternative offered: {found}"))?
        .to_owned();
    replies.push(found);
    let booking = json!({"start": first, "name": "Max Mustermann"});
    let booked = tool(harness, "create_booking", booking.clone(), call_id).await;
    let id = booked["data"]["booking_id"]
        .as_str()
        .ok_or_else(|| format!("not booked: {booked}"))?
        .to_owned();
    replies.push(booked);
    replies.push(tool(harness, "create_booking", booking, call_id).await);
    replies.push(tool(harness, "list_bookings", json!({}), call_id).await);
    let moved = json!({"booking_id": id, "new_date": FRIDAY, "new_time": "09:00"});
    replies.push(tool(harness, "reschedule_booking", moved, call_id).await);
    replies.push(tool(harness, "cancel_booking", json!({"date": FRIDAY}), call_id).await);
    replies.push(tool(harness, "list_bookings", json!({}), call_id).await);
    replies.push(tool(harness, "list_services", json!({}), call_id).await);
    Ok(anonymised(replies))
}

async fn tool(harness: &Harness, name: &str, args: Value, call_id: &str) -> Value {
    let reply = harness.tool(name, args, call_id, CALLER).await;
    json!({"tool": name, "success": reply["success"], "data": reply["data"]})
}

/// Booking ids as `booking-N`, N their order of first appearance.
fn anonymised(replies: Vec<Value>) -> Vec<Value> {
    fn walk(value: &mut Value, seen: &mut HashMap<String, usize>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    match value {
                        Value::String(id) if key == "booking_id" => {
                            let next = seen.len() + 1;
                            let n = *seen.entry(id.clone()).or_insert(next);
                            *id = format!("booking-{n}");
                        }
                        other => walk(other, seen),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| walk(item, seen)),
            _ => {}
        }
    }
    let mut seen = HashMap::new();
    replies
        .into_iter()
        .map(|mut reply| {
            walk(&mut reply, &mut seen);
            reply
        })
        .collect()
}

/// The call on the embedded Rust plugin, then on `plugin` uploaded to a fresh gateway given
/// `limits`, in `locale`: every reply alike.
async fn answers_as_rust(
    name: &str,
    plugin: &Path,
    locale: &str,
    limits: PluginLimits,
) -> TestResult {
    let rust_data = DataDir::new(&format!("polyglot-rust-{name}-{locale}"));
    let rust = Harness::with(|config| with_data(config, &rust_data.0, locale, limits)).await;
    let expected = call(&rust, "call-polyglot").await?;
    assert!(
        expected.iter().all(|reply| reply["success"] == true),
        "the Rust plugin's call went wrong: {expected:#?}"
    );

    let data = DataDir::new(&format!("polyglot-{name}-{locale}"));
    let harness = Harness::with(|config| with_data(config, &data.0, locale, limits)).await;
    let (status, uploaded) = upload(&harness, std::fs::read(plugin)?).await;
    assert_eq!(status, 201, "{uploaded}");
    assert_eq!(uploaded["active"], true, "{uploaded}");
    let got = call(&harness, "call-polyglot").await?;
    for (step, (got, expected)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(
            got, expected,
            "step {step} of the {name} plugin's call ({locale})"
        );
    }
    assert_eq!(got.len(), expected.len());
    Ok(())
}

#[tokio::test]
async fn the_javascript_plugin_answers_a_german_call_as_the_rust_one_does() -> TestResult {
    answers_as_rust("js", &js_plugin_path(), "de", PluginLimits::DEFAULTS).await
}

#[tokio::test]
async fn the_javascript_plugin_answers_an_english_call_as_the_rust_one_does() -> TestResult {
    answers_as_rust("js", &js_plugin_path(), "en", PluginLimits::DEFAULTS).await
}

#[tokio::test]
async fn the_python_plugin_answers_a_german_call_as_the_rust_one_does() -> TestResult {
    answers_as_rust("python", &python_plugin_path(), "de", PYTHON_LIMITS).await
}

#[tokio::test]
async fn the_python_plugin_answers_an_english_call_as_the_rust_one_does() -> TestResult {
    answers_as_rust("python", &python_plugin_path(), "en", PYTHON_LIMITS).await
}

#[tokio::test]
async fn a_python_plugin_is_refused_by_a_tenant_without_room_for_it_naming_the_setting()
-> TestResult {
    let data = DataDir::new("polyglot-refused");
    let harness =
        Harness::with(|config| with_data(config, &data.0, "de", PluginLimits::DEFAULTS)).await;
    let (status, refused) = upload(&harness, std::fs::read(python_plugin_path())?).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"]["code"], "plugin_limits", "{refused}");
    let message = refused["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("raise tenants.demo.plugin_limits.core_instances (now 8"),
        "{refused}"
    );
    // Nothing was stored, and the tenant still answers on its Rust plugin.
    let listed = harness
        .http
        .get(harness.url("/v1/admin/tenants/demo/plugins"))
        .bearer_auth(OPERATOR)
        .send()
        .await?
        .json::<Value>()
        .await?;
    assert_eq!(listed["versions"], json!([]), "{listed}");
    let services = harness
        .tool("list_services", json!({}), "call-refused", CALLER)
        .await;
    assert_eq!(services["success"], true, "{services}");
    Ok(())
}

/// Each way the hostile JS and Python test plugins misbehave, and the limit that must stop it
/// (`None`: an uncaught exception, a bug rather than a limit).
const HOSTILE: [(&str, Option<&str>); 3] = [
    ("loop", Some("deadline")),
    ("alloc", Some("memory")),
    ("throw", None),
];

#[tokio::test]
async fn hostile_javascript_and_python_plugins_get_a_fallback_and_harm_no_one_else() -> TestResult {
    let plugins = [
        ("js", hostile_js_plugin_path()),
        ("python", hostile_python_plugin_path()),
    ];
    let harness = Harness::with(|config| {
        for (lang, plugin) in &plugins {
            for (mode, _) in HOSTILE {
                let mut tenant = slotline::config::TenantConfig {
                    plugin: Some(plugin.clone()),
                    retell_api_key: Some(slotline::config::Secret::new(
                        slotline::demo::RETELL_API_KEY,
                    )),
                    plugin_limits: PYTHON_LIMITS,
                    calls: UNLIMITED_CALLS,
                    ..Default::default()
                };
                // A short deadline keeps the loop's test fast (the mechanism is the same at the
                // default); the others keep the default, so a loaded machine still sees the
                // allocation refused before the deadline.
                if mode == "loop" {
                    tenant.timeouts.read_ms = 500;
                }
                tenant.settings.insert("mode".into(), json!(mode));
                config.tenants.insert(format!("{lang}-{mode}"), tenant);
            }
        }
    })
    .await;
    let good = tool_call(
        "check_availability",
        json!({"date": THURSDAY, "time": "14:00"}),
    );
    let (_, expected) = harness.retell(&good).await;
    assert_eq!(expected["data"]["available"], true, "{expected}");
    for (lang, _) in &plugins {
        for (mode, _) in HOSTILE {
            let tenant = format!("{lang}-{mode}");
            let ask = tool_call("check_availability", json!({"date": THURSDAY}));
            let hostile = harness.retell_to(&tenant, &ask);
            let neighbour = async {
                let mut replies = Vec::new();
                for _ in 0..3 {
                    replies.push(harness.retell(&good).await);
                }
                replies
            };
            let ((status, reply), replies) = tokio::join!(hostile, neighbour);
            assert_eq!(status, 200, "{tenant}: {reply}");
            assert_eq!(reply["success"], false, "{tenant}: {reply}");
            let message = reply["message"].as_str().unwrap_or_default();
            assert!(
                message.to_lowercase().contains("rückruf"),
                "{tenant}: a spoken fallback: {reply}"
            );
            for (status, answer) in replies {
                assert_eq!(status, 200, "{tenant}: neighbour: {answer}");
                assert_eq!(
                    answer["data"], expected["data"],
                    "{tenant}: neighbour harmed: {answer}"
                );
            }
        }
    }
    let metrics = harness.metrics().await;
    for (lang, _) in &plugins {
        for (mode, limit) in HOSTILE {
            let tenant = format!("{lang}-{mode}");
            // The sum over the series of `metric` labelled with the tenant and `label`.
            let series = |metric: &str, label: &str| {
                metrics
                    .lines()
                    .filter(|line| line.starts_with(&format!("{metric}{{")))
                    .filter(|line| line.contains(&format!("tenant=\"{tenant}\"")))
                    .filter(|line| line.contains(label))
                    .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
                    .sum::<f64>()
            };
            match limit {
                Some(limit) => assert_eq!(
                    series("slotline_limit_hits_total", &format!("limit=\"{limit}\"")),
                    1.0,
                    "{tenant} hits {limit}: {metrics}"
                ),
                None => assert_eq!(
                    series("slotline_tool_calls_total", "outcome=\"trap\""),
                    1.0,
                    "{tenant} counted as a trap: {metrics}"
                ),
            }
        }
    }
    Ok(())
}
