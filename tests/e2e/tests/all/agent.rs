//! Connecting an agent: the exported tool definitions, read by the platforms' own SDKs
//! (retell-sdk, vapi-server-sdk; `tests/python`), a Vapi tool call built by the Vapi SDK
//! answered as the gateway answers it, and only the tools the plugin supports exported.
//!
//! The SDK tests need `SLOTLINE_TEST_PYTHON`, the interpreter `tests/python/venv.sh` prints
//! (`make test` sets it).

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use slotline::config::Config;
use slotline_e2e::plugins::opening_hours_plugin_path;
use slotline_e2e::{Harness, THURSDAY, TestResult, call};

/// The interpreter with the SDKs installed.
fn python() -> String {
    std::env::var("SLOTLINE_TEST_PYTHON").unwrap_or_else(|_| {
        panic!(
            "SLOTLINE_TEST_PYTHON is not set: run these tests through `make test`, or with \
             SLOTLINE_TEST_PYTHON=$(./tests/python/venv.sh)"
        )
    })
}

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../python")
        .join(name)
}

/// What a script printed, after checking it succeeded.
struct Ran {
    stdout: String,
}

/// Runs a script of `tests/python` with `args`, `stdin` on its standard input, off the test's
/// runtime (the gateway it may call runs there).
async fn run_script(name: &str, args: Vec<String>, stdin: String) -> Result<Ran, String> {
    let path = script(name);
    let python = python();
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(&python)
            .arg(&path)
            .args(&args)
            .current_dir(path.parent().unwrap_or(Path::new(".")))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|err| format!("cannot run {python}: {err}"))?;
        if let Some(mut input) = child.stdin.take() {
            input
                .write_all(stdin.as_bytes())
                .map_err(|err| format!("cannot feed {}: {err}", path.display()))?;
        }
        let output = child
            .wait_with_output()
            .map_err(|err| format!("{}: {err}", path.display()))?;
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        if !output.status.success() {
            return Err(format!(
                "{} failed ({}):\n{stdout}\n{}",
                path.display(),
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(Ran { stdout })
    })
    .await
    .map_err(|err| err.to_string())?
}

/// `GET /v1/admin/tenants/{tenant}/agent?{query}` with `token`: status and body.
async fn export(harness: &Harness, tenant: &str, query: &str, token: &str) -> (u16, Value) {
    let response = harness
        .http
        .get(harness.url(&format!("/v1/admin/tenants/{tenant}/agent?{query}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap_or_else(|err| panic!("gateway unreachable: {err}"));
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The exported definitions of the demo tenant for `platform`, after checking the answer.
async fn demo_export(harness: &Harness, platform: &str) -> Value {
    let (status, body) = export(
        harness,
        "demo",
        &format!("platform={platform}"),
        slotline::demo::ADMIN_TOKEN,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The tool names of an export of any platform.
fn names(platform: &str, export: &Value) -> BTreeSet<String> {
    let (list, pointer) = match platform {
        "retell" => (&export["general_tools"], "/name"),
        "vapi" => (export, "/function/name"),
        _ => (&export["tools"], "/name"),
    };
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|tool| tool.pointer(pointer).and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}

fn every_tool() -> BTreeSet<String> {
    slotline::tool::Tool::ALL
        .iter()
        .map(|tool| tool.name().to_owned())
        .collect()
}

#[tokio::test]
async fn retell_sdk_reads_the_exported_custom_functions_as_a_retell_llm() -> TestResult {
    let harness = Harness::start().await;
    let definitions = demo_export(&harness, "retell").await;
    let tools = definitions["general_tools"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for tool in &tools {
        assert_eq!(tool["url"], json!(harness.url("/v1/retell/demo")));
        assert_eq!(
            tool["execution_message_description"],
            "Einen Moment, ich schaue kurz nach."
        );
    }
    let ran = run_script("retell_definitions.py", Vec::new(), definitions.to_string()).await?;
    assert_eq!(tools_read(&ran.stdout), every_tool(), "{}", ran.stdout);
    Ok(())
}

#[tokio::test]
async fn vapi_sdk_reads_the_exported_function_tools() -> TestResult {
    let harness = Harness::start().await;
    let definitions = demo_export(&harness, "vapi").await;
    for tool in definitions.as_array().into_iter().flatten() {
        assert_eq!(tool["server"]["url"], json!(harness.url("/v1/vapi/demo")));
    }
    let ran = run_script("vapi_definitions.py", Vec::new(), definitions.to_string()).await?;
    assert_eq!(tools_read(&ran.stdout), every_tool(), "{}", ran.stdout);
    Ok(())
}

#[tokio::test]
async fn a_tool_call_serialised_by_the_vapi_sdk_gets_the_gateways_answer() -> TestResult {
    let harness = Harness::start().await;
    let args = json!({"datum": THURSDAY, "uhrzeit": "15:00"});
    let ran = run_script(
        "vapi_tool_call.py",
        vec![
            harness.url("/v1/vapi/demo"),
            slotline::demo::VAPI_SECRET.to_owned(),
            "check_availability".to_owned(),
            args.to_string(),
        ],
        String::new(),
    )
    .await?;
    let answer: Value = serde_json::from_str(ran.stdout.trim())?;
    let result: Value =
        serde_json::from_str(answer["results"][0]["result"].as_str().unwrap_or_default())?;
    // The same question over Retell: the reply the gateway gives for that tool.
    let (status, expected) = harness.retell(&call("check_availability", args)).await;
    assert_eq!(status, 200);
    assert_eq!(result, expected);
    assert_eq!(
        result["data"]["available"], false,
        "15:00 is taken: {result}"
    );
    assert!(
        result["message"]
            .as_str()
            .is_some_and(|message| message.contains("15 Uhr")),
        "{result}"
    );
    Ok(())
}

#[tokio::test]
async fn the_export_is_refused_for_an_unknown_platform_or_a_wrong_token() -> TestResult {
    let harness = Harness::start().await;
    let (status, body) = export(
        &harness,
        "demo",
        "platform=dialogflow",
        slotline::demo::ADMIN_TOKEN,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "unknown_platform");
    let (status, _) = export(&harness, "demo", "", slotline::demo::ADMIN_TOKEN).await;
    assert_eq!(status, 400, "no platform");
    // Refused as another tenant's token would be: nothing tells that a token is valid elsewhere.
    let (status, body) = export(&harness, "demo", "platform=retell", "not-the-token").await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "forbidden", "{body}");
    let (status, body) = export(
        &harness,
        "demo",
        "platform=retell&url=ftp://gw",
        slotline::demo::ADMIN_TOKEN,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = export(
        &harness,
        "demo",
        "platform=mcp&url=https://gw.example.com/",
        slotline::demo::ADMIN_TOKEN,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, retell) = export(
        &harness,
        "demo",
        "platform=retell&url=https://gw.example.com/",
        slotline::demo::ADMIN_TOKEN,
    )
    .await;
    assert_eq!(
        retell["general_tools"][0]["url"],
        "https://gw.example.com/v1/retell/demo"
    );
    Ok(())
}

/// A data directory of its own (uploads need one), removed at the end.
struct DataDir(PathBuf);

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn tools_the_plugin_does_not_support_are_not_exported_and_asking_reaches_no_calendar()
-> TestResult {
    let data =
        DataDir(std::env::temp_dir().join(format!("slotline-e2e-agent-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&data.0);
    let harness = Harness::with(|config: &mut Config| {
        config.server.data_dir = Some(data.0.clone());
        // The demo tenant's calendar settings and allowlist: a probe that used them would
        // reach the simulator.
        let hours = config.tenants["demo"].clone();
        config.tenants.insert("hours".into(), hours);
    })
    .await;
    let before = harness.upstream_requests();
    // The default plugin answers every tool (it only fails to reach the calendar).
    for platform in ["retell", "vapi", "mcp"] {
        let (status, body) = export(
            &harness,
            "hours",
            &format!("platform={platform}"),
            slotline::demo::ADMIN_TOKEN,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(names(platform, &body), every_tool(), "{platform}");
    }
    assert_eq!(
        harness.upstream_requests(),
        before,
        "asking the plugin which tools it supports reached the calendar"
    );
    // A real call does reach it: the counter counts what the plugin could have sent.
    let (_, reply) = harness
        .retell_to("hours", &call("list_services", json!({})))
        .await;
    assert_eq!(reply["success"], true, "{reply}");
    let (_, reply) = harness
        .retell_to(
            "hours",
            &call("check_availability", json!({"date": THURSDAY})),
        )
        .await;
    assert_eq!(reply["success"], true, "{reply}");
    assert!(harness.upstream_requests() > before);

    // The opening-hours example answers parse-date, reschedule-booking and list-bookings
    // with `not-supported`.
    let response = harness
        .http
        .post(harness.url("/v1/admin/tenants/hours/plugins?activate=true"))
        .bearer_auth(slotline::demo::ADMIN_TOKEN)
        .body(std::fs::read(opening_hours_plugin_path())?)
        .send()
        .await?;
    assert_eq!(response.status().as_u16(), 201);
    let calendar = harness.upstream_requests();
    let mut expected = every_tool();
    for absent in ["parse_date", "reschedule_booking", "list_bookings"] {
        expected.remove(absent);
    }
    for platform in ["retell", "vapi", "mcp"] {
        let (status, body) = export(
            &harness,
            "hours",
            &format!("platform={platform}"),
            slotline::demo::ADMIN_TOKEN,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(names(platform, &body), expected, "{platform}");
    }
    assert_eq!(harness.upstream_requests(), calendar);
    // The demo tenant, still on the default plugin, keeps every tool.
    assert_eq!(
        names("mcp", &demo_export(&harness, "mcp").await),
        every_tool()
    );
    Ok(())
}

/// The tools an SDK script says it read: its output is `ok <tool> <tool> ...`.
fn tools_read(stdout: &str) -> BTreeSet<String> {
    stdout
        .trim()
        .strip_prefix("ok ")
        .unwrap_or_default()
        .split(' ')
        .map(str::to_owned)
        .collect()
}
