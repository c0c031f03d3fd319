//! The call log: every tool call with where its time went, each phone call as a timeline,
//! read through the admin API as an operator (or the tenant) would.

use serde_json::{Value, json};
use slotline::config::{Config, Secret};
use slotline_e2e::{DataDir, Harness, THURSDAY, TestResult, retell_call_event};

const OPERATOR: &str = slotline::demo::ADMIN_TOKEN;
const DEMO_TOKEN: &str = "demo-tenant-token";
const OTHER_TOKEN: &str = "other-tenant-token";
const CALLER: &str = "+4915112345678";

/// The demo tenant with a store, no warm-up (it would fetch the slots at `call_started`, and
/// the first check's waterfall would have no request of its own) and no holds (detached, not
/// part of any tool call's waterfall), and a second tenant with a token of its own.
fn configure(config: &mut Config, data: &DataDir) {
    config.server.data_dir = Some(data.0.clone());
    if let Some(demo) = config.tenants.get_mut("demo") {
        demo.hold_slots = false;
        demo.warmup.per_minute = 0;
        demo.admin_token = Some(Secret::new(DEMO_TOKEN));
    }
    let mut other = slotline_e2e::plugins::test_tenant("echo", &[("reply", "other")], &[]);
    other.admin_token = Some(Secret::new(OTHER_TOKEN));
    config.tenants.insert("other".into(), other);
}

async fn get(harness: &Harness, path: &str, token: Option<&str>) -> (u16, Value) {
    let mut request = harness.http.get(harness.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            (status, response.json().await.unwrap_or(Value::Null))
        }
        Err(err) => panic!("gateway unreachable: {err}"),
    }
}

async fn tool(harness: &Harness, name: &str, args: Value, call_id: &str) -> Value {
    harness.tool(name, args, call_id, CALLER).await
}

fn waterfall_paths(call: &Value) -> Vec<String> {
    call["waterfall"]["upstream"]
        .as_array()
        .map(|spans| {
            spans
                .iter()
                .map(|span| {
                    format!(
                        "{} {}",
                        span["method"].as_str().unwrap_or(""),
                        span["path"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_phone_call_reads_back_as_a_timeline_with_each_tools_waterfall() -> TestResult {
    let data = DataDir::new("calllog-timeline");
    let harness = Harness::with(|config| configure(config, &data)).await;
    let (status, _) = harness
        .retell_webhook(
            "demo",
            "events",
            &retell_call_event("call_started", "log-1"),
        )
        .await;
    assert_eq!(status, 204);
    let wish = json!({ "date": THURSDAY, "time": "11:00" });
    let first = tool(&harness, "check_availability", wish.clone(), "log-1").await;
    let again = tool(&harness, "check_availability", wish, "log-1").await;
    let booked = tool(
        &harness,
        "create_booking",
        json!({ "date": THURSDAY, "time": "11:00", "name": "Anna Schmidt" }),
        "log-1",
    )
    .await;
    assert_eq!(booked["success"], true, "{booked}");
    let (status, _) = harness
        .retell_webhook("demo", "events", &retell_call_event("call_ended", "log-1"))
        .await;
    assert_eq!(status, 204);
    harness.gateway.flush_call_log().await;

    let (status, timeline) = get(
        &harness,
        "/v1/admin/tenants/demo/calls/log-1",
        Some(OPERATOR),
    )
    .await;
    assert_eq!(status, 200, "{timeline}");
    let events: Vec<&str> = timeline["events"]
        .as_array()
        .map(|events| events.iter().filter_map(|e| e["event"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(events, ["call_started", "call_ended"]);
    let calls = timeline["tool_calls"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let tools: Vec<&str> = calls.iter().filter_map(|c| c["tool"].as_str()).collect();
    assert_eq!(
        tools,
        ["check_availability", "check_availability", "create_booking"]
    );
    for (logged, reply) in calls.iter().zip([&first, &again, &booked]) {
        assert_eq!(logged["platform"], "retell");
        assert_eq!(logged["outcome"], "ok");
        // What the caller heard, word for word.
        assert_eq!(logged["speech"], reply["message"]);
        assert_eq!(logged["plugin_digest"].as_str().map(str::len), Some(64));
        let total = logged["total_us"].as_i64().unwrap_or(0);
        let plugin = logged["waterfall"]["plugin_us"]
            .as_i64()
            .unwrap_or(i64::MAX);
        assert!(total > 0 && plugin <= total, "{logged}");
    }
    assert_eq!(
        calls[0]["arguments"],
        json!({ "date": THURSDAY, "time": "11:00" })
    );
    // The first check asked Cal.com for slots; the second found them in the cache and asked
    // nothing; the booking posted one booking.
    let slots = waterfall_paths(&calls[0]);
    assert!(
        slots.iter().any(|path| path.starts_with("GET /v2/slots?")),
        "{slots:?}"
    );
    let span = &calls[0]["waterfall"]["upstream"][0];
    assert_eq!(span["status"], 200);
    assert_eq!(span["host"], harness.sim.addr.to_string());
    assert_eq!(span["coalesced"], false);
    assert!(calls[0]["waterfall"]["cache"]["misses"].as_u64() >= Some(1));
    assert_eq!(waterfall_paths(&calls[1]), Vec::<String>::new());
    assert!(calls[1]["waterfall"]["cache"]["hits"].as_u64() >= Some(1));
    let booking = waterfall_paths(&calls[2]);
    assert!(
        booking.iter().any(|path| path == "POST /v2/bookings"),
        "{booking:?}"
    );
    // The Cal.com API key travels in a header, and the log has no headers.
    assert!(
        !timeline
            .to_string()
            .contains(slotline::demo::CALCOM_API_KEY)
    );
    Ok(())
}

#[tokio::test]
async fn the_list_filters_pages_and_names_the_malformed_parameter() -> TestResult {
    let data = DataDir::new("calllog-list");
    let harness = Harness::with(|config| configure(config, &data)).await;
    for (n, text) in ["morgen um drei", "nächsten Dienstag", "übermorgen"]
        .iter()
        .enumerate()
    {
        tool(
            &harness,
            "parse_date",
            json!({ "text": text }),
            &format!("list-{n}"),
        )
        .await;
    }
    // Authentic but unusable: answered with a question, logged as refused.
    let asked = tool(
        &harness,
        "check_availability",
        json!({ "time": "15:00" }),
        "list-9",
    )
    .await;
    assert_eq!(asked["success"], false);
    harness.gateway.flush_call_log().await;

    let list = |query: &str| {
        let path = format!("/v1/admin/tenants/demo/calls{query}");
        let harness = &harness;
        async move { get(harness, &path, Some(OPERATOR)).await }
    };
    let (status, all) = list("").await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(all["calls"].as_array().map(Vec::len), Some(4));
    assert_eq!(all["calls"][0]["tool"], "check_availability");
    assert_eq!(all["calls"][0]["outcome"], "refused");
    assert_eq!(all["calls"][0]["error_code"], "missing_argument");
    assert_eq!(all["calls"][0]["speech"], asked["message"]);
    // What the agent sent, so the operator can see why it could not be used.
    assert_eq!(all["calls"][0]["arguments"], json!({ "time": "15:00" }));

    let (_, refused) = list("?outcome=refused").await;
    assert_eq!(refused["calls"].as_array().map(Vec::len), Some(1));
    let (_, dates) = list("?tool=parse_date&order=slowest").await;
    let durations: Vec<i64> = dates["calls"]
        .as_array()
        .map(|calls| {
            calls
                .iter()
                .filter_map(|c| c["total_us"].as_i64())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(durations.len(), 3);
    assert!(
        durations.windows(2).all(|pair| pair[0] >= pair[1]),
        "{durations:?}"
    );
    let (_, one) = list("?call_id=list-1").await;
    assert_eq!(one["calls"][0]["arguments"]["text"], "nächsten Dienstag");
    let (_, future) = list("?since=2099-01-01T00:00:00%2B01:00").await;
    assert_eq!(future["calls"].as_array().map(Vec::len), Some(0));

    // Pages of one, followed by their cursors, cover the list once.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(cursor) => format!("?limit=1&cursor={cursor}"),
            None => "?limit=1".to_owned(),
        };
        let (status, page) = list(&query).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(
            page["calls"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| c["id"].clone()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let ids: Vec<Value> = all["calls"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(seen, ids);

    for (query, parameter) in [
        ("?since=yesterday", "since"),
        ("?until=2026-13-01T00:00:00Z", "until"),
        ("?limit=0", "limit"),
        ("?limit=many", "limit"),
        ("?tool=book_it", "tool"),
        ("?outcome=great", "outcome"),
        ("?order=fastest", "order"),
        ("?cursor=abc", "cursor"),
        ("?colour=blue", "colour"),
    ] {
        let (status, body) = list(query).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["error"]["code"], "invalid_query", "{query}: {body}");
        let message = body["error"]["message"].as_str().unwrap_or("");
        assert!(message.contains(parameter), "{query}: {message}");
    }
    Ok(())
}

#[tokio::test]
async fn tenant_tokens_read_only_their_own_calls() -> TestResult {
    let data = DataDir::new("calllog-tokens");
    let harness = Harness::with(|config| configure(config, &data)).await;
    tool(&harness, "parse_date", json!({ "text": "morgen" }), "mine").await;
    harness.gateway.flush_call_log().await;
    let (status, own) = get(&harness, "/v1/admin/tenants/demo/calls", Some(DEMO_TOKEN)).await;
    assert_eq!(status, 200, "{own}");
    assert_eq!(own["calls"].as_array().map(Vec::len), Some(1));
    for path in [
        "/v1/admin/tenants/demo/calls",
        "/v1/admin/tenants/demo/calls/mine",
    ] {
        let (status, body) = get(&harness, path, Some(OTHER_TOKEN)).await;
        assert_eq!(status, 403, "{path}: {body}");
        assert!(!body.to_string().contains("morgen"));
        let (status, _) = get(&harness, path, None).await;
        assert_eq!(status, 401, "{path}");
    }
    let (status, body) = get(
        &harness,
        "/v1/admin/tenants/demo/calls/nobody",
        Some(DEMO_TOKEN),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "unknown_call");
    Ok(())
}

#[tokio::test]
async fn a_redacting_tenant_logs_why_but_not_who() -> TestResult {
    let data = DataDir::new("calllog-redact");
    let harness = Harness::with(|config| {
        configure(config, &data);
        if let Some(demo) = config.tenants.get_mut("demo") {
            demo.call_log.redact = true;
        }
    })
    .await;
    harness
        .retell_webhook(
            "demo",
            "events",
            &retell_call_event("call_started", "private"),
        )
        .await;
    let booked = tool(
        &harness,
        "create_booking",
        json!({
            "date": THURSDAY, "time": "11:00", "name": "Anna Schmidt",
            "phone": "+49 171 2345678", "notes": "Rückruf unter 0171 2345678",
        }),
        "private",
    )
    .await;
    assert_eq!(booked["success"], true, "{booked}");
    harness.gateway.flush_call_log().await;
    let (status, timeline) = get(
        &harness,
        "/v1/admin/tenants/demo/calls/private",
        Some(OPERATOR),
    )
    .await;
    assert_eq!(status, 200, "{timeline}");
    let text = timeline.to_string();
    for secret in ["Anna", "Schmidt", "2345678", "15112345678"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let logged = &timeline["tool_calls"][0];
    assert_eq!(logged["arguments"]["date"], THURSDAY);
    assert_eq!(logged["arguments"]["time"], "11:00");
    assert_eq!(logged["outcome"], "ok");
    assert_eq!(
        timeline["events"][0]["detail"]["caller_number"],
        slotline::calllog::redact::MASK
    );
    Ok(())
}
