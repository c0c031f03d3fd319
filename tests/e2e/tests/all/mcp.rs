//! The MCP endpoint, `/v1/mcp/{tenant}`: raw JSON-RPC over Streamable HTTP as a client would
//! send it, and the official Python SDK as the client (tests/python/mcp_client.py).

use std::time::Duration;

use serde_json::{Value, json};
use slotline_e2e::{Harness, THURSDAY, TestResult};

const ACCEPT: &str = "application/json, text/event-stream";
const CALLER: &str = "+4915112345678";

/// One MCP POST's answer: the status, the session id the server assigned, and the JSON-RPC
/// messages of the body (a JSON body or the `data:` events of an SSE stream).
struct Answer {
    status: u16,
    session: Option<String>,
    messages: Vec<Value>,
    body: String,
}

impl Answer {
    /// The response to the request with `id`.
    fn response(&self, id: u64) -> Value {
        self.messages
            .iter()
            .find(|message| message["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no response {id} in {:?}", self.body))
    }
}

async fn post(
    harness: &Harness,
    tenant: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: &Value,
) -> Answer {
    let mut request = harness
        .http
        .post(harness.url(&format!("/v1/mcp/{tenant}")))
        .header("content-type", "application/json")
        .header("accept", ACCEPT)
        .body(body.to_string());
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|err| panic!("gateway unreachable: {err}"));
    let status = response.status().as_u16();
    let session = response
        .headers()
        .get("mcp-session-id")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = response.text().await.unwrap_or_default();
    let messages = match serde_json::from_str::<Value>(&body) {
        Ok(message) => vec![message],
        Err(_) => body
            .lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .filter_map(|data| serde_json::from_str(data.trim()).ok())
            .collect(),
    };
    Answer {
        status,
        session,
        messages,
        body,
    }
}

fn rpc(id: u64, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

fn initialize() -> Value {
    rpc(
        1,
        "initialize",
        json!({
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "slotline-e2e", "version": "1"},
        }),
    )
}

/// An MCP session of the demo tenant, opened with `initialize` and `initialized`.
async fn session(harness: &Harness, headers: &[(&str, &str)]) -> String {
    let token = Some(slotline::demo::MCP_TOKEN);
    let opened = post(harness, "demo", token, headers, &initialize()).await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    let result = &opened.response(1)["result"];
    assert_eq!(result["protocolVersion"], "2025-11-25", "{result}");
    assert_eq!(result["serverInfo"]["name"], "slotline", "{result}");
    assert!(result["capabilities"]["tools"].is_object(), "{result}");
    let session = opened
        .session
        .unwrap_or_else(|| panic!("initialize assigned no session: {}", opened.body));
    let mut with_session = headers.to_vec();
    with_session.push(("mcp-session-id", &session));
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let acknowledged = post(harness, "demo", token, &with_session, &initialized).await;
    assert_eq!(acknowledged.status, 202, "{}", acknowledged.body);
    session
}

async fn call_tool(
    harness: &Harness,
    headers: &[(&str, &str)],
    id: u64,
    name: &str,
    arguments: Value,
) -> Value {
    let body = rpc(
        id,
        "tools/call",
        json!({"name": name, "arguments": arguments}),
    );
    let answer = post(
        harness,
        "demo",
        Some(slotline::demo::MCP_TOKEN),
        headers,
        &body,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.response(id)["result"].clone()
}

#[tokio::test]
async fn a_json_rpc_client_lists_the_tools_and_books_in_its_session() -> TestResult {
    let harness = Harness::start().await;
    let caller = [("x-caller-number", CALLER)];
    let session = session(&harness, &caller).await;
    let headers = [("mcp-session-id", session.as_str()), caller[0]];

    let listed = post(
        &harness,
        "demo",
        Some(slotline::demo::MCP_TOKEN),
        &headers,
        &rpc(2, "tools/list", json!({})),
    )
    .await;
    let tools = listed.response(2)["result"]["tools"].clone();
    let tool = |name: &str| {
        tools
            .as_array()
            .and_then(|tools| tools.iter().find(|tool| tool["name"] == name))
            .cloned()
            .unwrap_or_else(|| panic!("{name} is not offered: {tools}"))
    };
    let create = tool("create_booking");
    // The demo tenant speaks German: the schema names the arguments as its agents do.
    assert!(
        create["inputSchema"]["properties"]["datum"].is_object(),
        "{create}"
    );
    assert_eq!(create["annotations"]["readOnlyHint"], false, "{create}");
    assert_eq!(create["annotations"]["destructiveHint"], false, "{create}");
    assert_eq!(
        tool("cancel_booking")["annotations"]["destructiveHint"],
        true
    );
    assert_eq!(
        tool("check_availability")["annotations"]["readOnlyHint"],
        true
    );

    let checked = call_tool(
        &harness,
        &headers,
        3,
        "check_availability",
        json!({"datum": THURSDAY, "uhrzeit": "14:00"}),
    )
    .await;
    assert_eq!(checked["isError"], false, "{checked}");
    assert_eq!(checked["structuredContent"]["available"], true, "{checked}");
    let said = checked["content"][0]["text"].as_str().unwrap_or_default();
    assert!(said.contains("14 Uhr") && said.contains("frei"), "{said}");

    let booking = json!({"datum": THURSDAY, "uhrzeit": "14:00", "name": "Jonas Session"});
    let booked = call_tool(&harness, &headers, 4, "create_booking", booking.clone()).await;
    assert_eq!(booked["isError"], false, "{booked}");
    let id = booked["structuredContent"]["booking_id"].clone();
    assert!(id.is_string(), "{booked}");
    // The session is the call: asking again books nothing new.
    let again = call_tool(&harness, &headers, 5, "create_booking", booking).await;
    assert_eq!(again["structuredContent"]["booking_id"], id, "{again}");
    let uid = id.as_str().unwrap_or_default();
    let made = harness.sim.sim.booking(uid);
    assert!(
        made.as_ref()
            .is_some_and(|booking| booking.has_phone(CALLER)),
        "the booking is in the calendar under the caller's number: {made:?}"
    );
    let at_two = harness
        .sim
        .sim
        .bookings()
        .into_iter()
        .filter(|booking| booking.attendees.iter().any(|a| a.name == "Jonas Session"))
        .count();
    assert_eq!(at_two, 1, "one booking, however often it was asked for");
    Ok(())
}

#[tokio::test]
async fn a_failed_call_is_an_error_result_with_a_sentence_to_say() -> TestResult {
    let harness = Harness::start().await;
    let session = session(&harness, &[]).await;
    let headers = [("mcp-session-id", session.as_str())];

    let taken = call_tool(
        &harness,
        &headers,
        2,
        "create_booking",
        // A number to reach her by: without one Cal.com refuses any booking, taken or not.
        json!({"datum": THURSDAY, "uhrzeit": "15:00", "name": "Lena Late", "telefon": "+4915112345678"}),
    )
    .await;
    assert_eq!(taken["isError"], true, "{taken}");
    assert_eq!(taken["structuredContent"]["code"], "conflict", "{taken}");
    let said = taken["content"][0]["text"].as_str().unwrap_or_default();
    assert!(said.contains("vergeben"), "{said}");

    let unknown = call_tool(&harness, &headers, 3, "order_pizza", json!({})).await;
    assert_eq!(unknown["isError"], true, "{unknown}");
    assert_eq!(
        unknown["structuredContent"]["code"], "unknown_tool",
        "{unknown}"
    );
    assert!(unknown["content"][0]["text"].is_string(), "{unknown}");
    Ok(())
}

#[tokio::test]
async fn the_call_id_header_makes_requests_of_one_call() -> TestResult {
    let harness = Harness::start().await;
    let session = session(&harness, &[]).await;
    let booking = json!({"datum": THURSDAY, "uhrzeit": "11:00", "name": "Ida Header"});
    // Two sessions, one phone call: the booking is made once.
    let other = self::session(&harness, &[]).await;
    let first = call_tool(
        &harness,
        &[
            ("mcp-session-id", session.as_str()),
            ("x-call-id", "phone-call-9"),
            ("x-caller-number", CALLER),
        ],
        2,
        "create_booking",
        booking.clone(),
    )
    .await;
    let second = call_tool(
        &harness,
        &[
            ("mcp-session-id", other.as_str()),
            ("x-call-id", "phone-call-9"),
            ("x-caller-number", CALLER),
        ],
        2,
        "create_booking",
        booking,
    )
    .await;
    assert_eq!(first["isError"], false, "{first}");
    assert_eq!(
        first["structuredContent"]["booking_id"], second["structuredContent"]["booking_id"],
        "{second}"
    );
    let made = harness
        .sim
        .sim
        .bookings()
        .into_iter()
        .filter(|booking| booking.attendees.iter().any(|a| a.name == "Ida Header"))
        .count();
    assert_eq!(made, 1, "one booking for the one phone call");
    Ok(())
}

#[tokio::test]
async fn a_call_over_its_limit_gets_an_mcp_error_and_other_calls_go_on() -> TestResult {
    let harness = Harness::with(|config| {
        for tenant in config.tenants.values_mut() {
            tenant.calls.max_tool_calls = 2;
        }
    })
    .await;
    let session = session(&harness, &[]).await;
    let call = |id: u64, call_id: &'static str| {
        let (harness, session) = (&harness, session.clone());
        async move {
            let body = rpc(
                id,
                "tools/call",
                json!({"name": "check_availability", "arguments": {"datum": THURSDAY, "uhrzeit": "14:00"}}),
            );
            let headers = [("mcp-session-id", session.as_str()), ("x-call-id", call_id)];
            post(
                harness,
                "demo",
                Some(slotline::demo::MCP_TOKEN),
                &headers,
                &body,
            )
            .await
            .response(id)
        }
    };
    for id in [2, 3] {
        let answer = call(id, "busy-call").await;
        assert_eq!(answer["result"]["isError"], false, "{answer}");
    }
    let refused = call(4, "busy-call").await;
    assert_eq!(refused["error"]["code"], -32000, "{refused}");
    assert_eq!(
        refused["error"]["data"]["code"], "rate_limited",
        "{refused}"
    );
    let other = call(5, "another-call").await;
    assert_eq!(other["result"]["isError"], false, "{other}");
    Ok(())
}

#[tokio::test]
async fn a_wrong_or_missing_token_is_refused_before_mcp() -> TestResult {
    let harness = Harness::start().await;
    for token in [
        None,
        Some("not-the-token"),
        Some(slotline::demo::ADMIN_TOKEN),
    ] {
        let refused = post(&harness, "demo", token, &[], &initialize()).await;
        assert_eq!(refused.status, 401, "{token:?}: {}", refused.body);
        assert_eq!(
            refused
                .messages
                .first()
                .map(|body| body["error"]["code"].clone()),
            Some(json!("unauthorized")),
            "{token:?}: the gateway's error body: {}",
            refused.body
        );
        assert!(refused.session.is_none(), "no session for {token:?}");
    }
    // A session id is no way around the token.
    let session = session(&harness, &[]).await;
    let listed = post(
        &harness,
        "demo",
        Some("not-the-token"),
        &[("mcp-session-id", session.as_str())],
        &rpc(2, "tools/list", json!({})),
    )
    .await;
    assert_eq!(listed.status, 401, "{}", listed.body);
    Ok(())
}

#[tokio::test]
async fn an_unknown_tenant_is_not_found() -> TestResult {
    let harness = Harness::start().await;
    let answer = post(
        &harness,
        "nobody",
        Some(slotline::demo::MCP_TOKEN),
        &[],
        &initialize(),
    )
    .await;
    assert_eq!(answer.status, 404, "{}", answer.body);
    assert_eq!(
        answer
            .messages
            .first()
            .map(|body| body["error"]["code"].clone()),
        Some(json!("unknown_tenant")),
        "{}",
        answer.body
    );
    Ok(())
}

#[tokio::test]
async fn the_python_sdk_books_through_the_mcp_endpoint() -> TestResult {
    let python = std::env::var("SLOTLINE_TEST_PYTHON").map_err(|_| {
        "SLOTLINE_TEST_PYTHON is not set: run `make test`, or set it to the interpreter \
         tests/python/venv.sh prints"
    })?;
    let harness = Harness::start().await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../python/mcp_client.py");
    let url = harness.url("/v1/mcp/demo");
    let run = tokio::process::Command::new(&python)
        .args([
            script,
            &url,
            slotline::demo::MCP_TOKEN,
            "python-call-1",
            THURSDAY,
            "16:00",
        ])
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .map_err(|_| "mcp_client.py ran for more than two minutes")??;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "mcp_client.py failed: {stderr}");
    let report: Value = serde_json::from_slice(&output.stdout)
        .map_err(|err| format!("mcp_client.py printed no JSON ({err}); stderr: {stderr}"))?;

    // The SDK probes `server/discover` and takes the current, stateless revision, so the call
    // is the `X-Call-Id` it sends (the JSON-RPC tests above cover the session revisions).
    assert_eq!(report["protocol_version"], "2026-07-28", "{report}");
    assert_eq!(report["check"]["structured"]["available"], true, "{report}");
    let booking = &report["booking"];
    assert_eq!(booking["is_error"], false, "{report}");
    let said = booking["text"].as_str().unwrap_or_default();
    assert!(
        said.contains("Mia Python") && said.contains("16 Uhr"),
        "{said}"
    );
    let id = booking["structured"]["booking_id"].clone();
    assert_eq!(
        report["booking_again"]["structured"]["booking_id"], id,
        "{report}"
    );
    let made = harness.sim.sim.booking(id.as_str().unwrap_or_default());
    let made = made.ok_or_else(|| format!("booking {id} is not in the calendar"))?;
    assert_eq!(
        made.start.to_rfc3339(),
        "2026-11-26T15:00:00+00:00",
        "16:00 in Berlin"
    );
    assert!(made.has_phone("+4915199988877"), "{made:?}");
    let statuses = report["wrong_token"]["statuses"].as_array();
    assert!(
        statuses.is_some_and(|s| !s.is_empty() && s.iter().all(|status| status == 401)),
        "every request with the wrong token got 401: {report}"
    );
    Ok(())
}
