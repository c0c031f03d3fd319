//! Replaying recorded calls on a plugin version before it goes live: the recorded calls run
//! again, answered from their recordings, and the report names every call the version would
//! have answered otherwise. The calendar hears nothing of it.

use serde_json::{Value, json};
use slotline::config::{Config, Secret};
use slotline_e2e::{DataDir, Harness, THURSDAY, TestResult, send};

const OPERATOR: &str = slotline::demo::ADMIN_TOKEN;
const DEMO_TOKEN: &str = "demo-tenant-token";
const CALLER: &str = "+4915112345678";

/// Phrases a caller says to `parse_date`; those with "halb" are the ones the candidate
/// (`tests/plugins/candidate`) misreads.
const PHRASES: &[(&str, bool)] = &[
    ("morgen um zehn", false),
    ("morgen um halb drei", true),
    ("nächsten Dienstag", false),
    ("übermorgen halb vier", true),
    ("Donnerstag um 15 Uhr", false),
];

fn configure(config: &mut Config, data: &DataDir) {
    config.server.data_dir = Some(data.0.clone());
    if let Some(demo) = config.tenants.get_mut("demo") {
        demo.hold_slots = false;
        demo.warmup.per_minute = 0;
        demo.admin_token = Some(Secret::new(DEMO_TOKEN));
    }
}

async fn upload(harness: &Harness, bytes: Vec<u8>, activate: bool) -> u64 {
    let url = harness.url(&format!(
        "/v1/admin/tenants/demo/plugins?activate={activate}"
    ));
    let (status, reply) = send(harness.http.post(url).bearer_auth(OPERATOR).body(bytes)).await;
    assert_eq!(status, 201, "{reply}");
    reply["version"].as_u64().unwrap_or_default()
}

async fn replay(harness: &Harness, version: u64, query: &str, token: &str) -> (u16, Value) {
    let url = harness.url(&format!(
        "/v1/admin/tenants/demo/plugins/{version}/replay{query}"
    ));
    send(harness.http.post(url).bearer_auth(token)).await
}

async fn tool(harness: &Harness, name: &str, args: Value, call_id: &str) -> Value {
    harness.tool(name, args, call_id, CALLER).await
}

/// A morning's calls: dates in many phrasings, a check that asks Cal.com, one that finds the
/// slots cached, alternatives, a booking, and a refusal (nothing for a plugin to replay).
async fn make_calls(harness: &Harness) -> usize {
    let mut plugin_calls = 0;
    for (n, (text, _)) in PHRASES.iter().enumerate() {
        tool(
            harness,
            "parse_date",
            json!({ "text": text }),
            &format!("rp-{n}"),
        )
        .await;
        plugin_calls += 1;
    }
    let wish = json!({ "date": THURSDAY, "time": "11:00" });
    for _ in 0..2 {
        tool(harness, "check_availability", wish.clone(), "rp-check").await;
        plugin_calls += 1;
    }
    tool(harness, "find_alternatives", wish, "rp-check").await;
    let booked = tool(
        harness,
        "create_booking",
        json!({ "date": THURSDAY, "time": "11:00", "name": "Anna Schmidt" }),
        "rp-check",
    )
    .await;
    assert_eq!(booked["success"], true, "{booked}");
    plugin_calls += 2;
    // No date: refused before any plugin runs, so nothing is recorded.
    tool(harness, "check_availability", json!({}), "rp-refused").await;
    harness.gateway.flush_call_log().await;
    plugin_calls
}

fn verdicts(report: &Value) -> Vec<(String, String)> {
    report["calls"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|call| {
            (
                call["call_id"].as_str().unwrap_or_default().to_owned(),
                call["verdict"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_active_version_replayed_on_its_own_recordings_answers_every_call_the_same()
-> TestResult {
    let data = DataDir::new("replay-same");
    let harness = Harness::with(|config| configure(config, &data)).await;
    let default = slotline::DEFAULT_PLUGIN.unwrap_or_default().to_vec();
    let active = upload(&harness, default, true).await;
    let plugin_calls = make_calls(&harness).await;
    let before = harness.upstream_requests();

    let (status, report) = replay(&harness, active, "", DEMO_TOKEN).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        harness.upstream_requests(),
        before,
        "the replay reached Cal.com"
    );
    let totals = &report["totals"];
    assert_eq!(totals["calls"], plugin_calls, "{report}");
    assert_eq!(totals["same"], plugin_calls, "{report}");
    assert_eq!(totals["different"], 0, "{report}");
    assert_eq!(totals["missing_requests"], 0, "{report}");
    assert_eq!(totals["errors"], 0, "{report}");
    assert!(totals["candidate_p50_us"].as_u64() > Some(0), "{report}");
    assert!(
        totals["recorded_version_p50_us"].as_u64() > Some(0),
        "{report}"
    );
    // Newest first: the booking, which was a POST answered from its recording.
    let booking = &report["calls"][0];
    assert_eq!(booking["tool"], "create_booking", "{report}");
    assert_eq!(booking["candidate"]["success"], true, "{report}");
    assert_eq!(booking["candidate"], booking["recorded"], "{report}");
    // Replaying wrote nothing: the log still has the calls that were made, no more.
    let (status, page) = send(
        harness
            .http
            .get(harness.url("/v1/admin/tenants/demo/calls?limit=100"))
            .bearer_auth(OPERATOR),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        page["calls"].as_array().map(Vec::len),
        Some(plugin_calls + 1)
    );
    Ok(())
}

#[tokio::test]
async fn a_candidate_that_misreads_one_phrase_differs_on_exactly_the_calls_that_use_it()
-> TestResult {
    let data = DataDir::new("replay-candidate");
    let harness = Harness::with(|config| configure(config, &data)).await;
    make_calls(&harness).await;
    let candidate = std::fs::read(slotline_e2e::plugins::replay_candidate_path())?;
    let version = upload(&harness, candidate, false).await;
    let before = harness.upstream_requests();

    let (status, report) = replay(&harness, version, "", OPERATOR).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        harness.upstream_requests(),
        before,
        "the replay reached Cal.com"
    );
    let expected: Vec<(String, String)> = {
        let mut calls: Vec<(String, String)> = PHRASES
            .iter()
            .enumerate()
            .map(|(n, (_, misread))| {
                let verdict = if *misread { "different" } else { "same" };
                (format!("rp-{n}"), verdict.to_owned())
            })
            .collect();
        calls.extend((0..4).map(|_| ("rp-check".to_owned(), "same".to_owned())));
        calls.reverse();
        calls
    };
    assert_eq!(verdicts(&report), expected, "{report}");
    assert_eq!(report["totals"]["different"], 2, "{report}");
    // "morgen um halb drei": the caller meant 14:30, the candidate hears 15:30; the report says so.
    let halb = report["calls"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|call| call["call_id"] == "rp-1")
        .cloned()
        .unwrap_or_default();
    let fields: Vec<&str> = halb["differences"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["field"].as_str())
        .collect();
    assert!(fields.contains(&"data.time"), "{halb}");
    let time = halb["differences"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|d| d["field"] == "data.time")
        .cloned()
        .unwrap_or_default();
    assert_eq!(time["recorded"], "14:30", "{halb}");
    assert_eq!(time["candidate"], "15:30", "{halb}");
    assert_eq!(halb["recorded_version"].as_str().map(str::len), Some(64));
    assert_ne!(halb["recorded_version"], report["digest"]);
    // The candidate was never made active: callers still get the right time.
    let reply = tool(
        &harness,
        "parse_date",
        json!({ "text": "morgen um halb drei" }),
        "rp-after",
    )
    .await;
    assert_eq!(reply["data"]["time"], "14:30", "{reply}");
    Ok(())
}

#[tokio::test]
async fn a_replay_is_refused_with_a_precise_error_for_bad_input() -> TestResult {
    let data = DataDir::new("replay-refused");
    let harness = Harness::with(|config| configure(config, &data)).await;
    let (status, reply) = replay(&harness, 1, "?last=0", OPERATOR).await;
    assert_eq!(
        (status, reply["error"]["code"].clone()),
        (400, json!("invalid_query")),
        "{reply}"
    );
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("last"),
        "{reply}"
    );
    let (status, reply) = replay(&harness, 1, "?lats=3", OPERATOR).await;
    assert_eq!(status, 400, "{reply}");
    let (status, reply) = replay(&harness, 9, "", OPERATOR).await;
    assert_eq!(status, 404, "{reply}");
    let (status, _) = replay(&harness, 1, "", "wrong-token").await;
    assert_eq!(status, 403, "a token that does not speak for the tenant");
    Ok(())
}
