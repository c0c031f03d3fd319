//! Canaries: a new plugin version serving a share of phone calls beside the active one, rolled
//! back by itself when it fails callers and promoted when it does not, with every phone call
//! answered by one version from its first tool call to its last.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use slotline::config::{Config, Secret, TenantCanaryConfig};
use slotline::runtime::bucket;
use slotline_e2e::{DataDir, Harness, THURSDAY, TestResult, send};

const OPERATOR: &str = slotline::demo::ADMIN_TOKEN;
const DEMO_TOKEN: &str = "demo-tenant-token";
const CALLER: &str = "+4915112345678";
const FRIDAY: &str = "2026-11-27";

/// The demo tenant on a data directory, judging canaries after `min_calls` of the
/// candidate's tool calls; with `trap`, the candidate traps on every booking.
fn configure(config: &mut Config, data: &DataDir, rules: TenantCanaryConfig, trap: bool) {
    config.server.data_dir = Some(data.0.clone());
    if let Some(demo) = config.tenants.get_mut("demo") {
        demo.hold_slots = false;
        demo.warmup.per_minute = 0;
        demo.admin_token = Some(Secret::new(DEMO_TOKEN));
        demo.canary = rules;
        if trap {
            demo.settings
                .insert("candidate_trap".into(), json!("create_booking"));
        }
    }
}

/// Uploads the default plugin (activated: the stable version) and the candidate; their
/// version numbers.
async fn stable_and_candidate(harness: &Harness) -> (u64, u64) {
    let default = slotline::DEFAULT_PLUGIN.unwrap_or_default().to_vec();
    let candidate = std::fs::read(slotline_e2e::plugins::replay_candidate_path())
        .unwrap_or_else(|err| panic!("no candidate plugin: {err}"));
    let mut versions = Vec::new();
    for (bytes, activate) in [(default, true), (candidate, false)] {
        let url = harness.url(&format!(
            "/v1/admin/tenants/demo/plugins?activate={activate}"
        ));
        let (status, reply) = send(harness.http.post(url).bearer_auth(OPERATOR).body(bytes)).await;
        assert_eq!(status, 201, "{reply}");
        versions.push(reply["version"].as_u64().unwrap_or_default());
    }
    (versions[0], versions[1])
}

async fn activate(harness: &Harness, version: u64, query: &str) -> (u16, Value) {
    let url = harness.url(&format!(
        "/v1/admin/tenants/demo/plugins/{version}/activate{query}"
    ));
    send(harness.http.post(url).bearer_auth(DEMO_TOKEN)).await
}

async fn plugins(harness: &Harness) -> Value {
    let (status, listing) = send(
        harness
            .http
            .get(harness.url("/v1/admin/tenants/demo/plugins"))
            .bearer_auth(DEMO_TOKEN),
    )
    .await;
    assert_eq!(status, 200, "{listing}");
    listing
}

/// Call ids the canary at `percent` sends to the candidate (`true`) or keeps on the stable
/// version, `count` of each, distinct per `prefix`.
fn call_ids(prefix: &str, percent: u32, candidate: bool, count: usize) -> Vec<String> {
    (0..)
        .map(|n| format!("{prefix}-{n}"))
        .filter(|id| (bucket(id) < percent) == candidate)
        .take(count)
        .collect()
}

/// One phone call: a check, then a booking of what it found.
async fn phone_call(harness: &Harness, call_id: &str, date: &str, time: &str) -> Value {
    let wish = json!({ "date": date, "time": time });
    harness
        .tool("check_availability", wish, call_id, CALLER)
        .await;
    harness
        .tool(
            "create_booking",
            json!({ "date": date, "time": time, "name": "Anna Schmidt" }),
            call_id,
            CALLER,
        )
        .await
}

/// The plugin versions that answered each phone call, from the call log.
async fn versions_by_call(harness: &Harness) -> BTreeMap<String, Vec<u64>> {
    harness.gateway.flush_call_log().await;
    let mut by_call: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut request = harness
            .http
            .get(harness.url("/v1/admin/tenants/demo/calls?limit=500"))
            .bearer_auth(DEMO_TOKEN);
        if let Some(cursor) = &cursor {
            request = request.query(&[("cursor", cursor)]);
        }
        let (status, page) = send(request).await;
        assert_eq!(status, 200, "{page}");
        for call in page["calls"].as_array().into_iter().flatten() {
            let versions = by_call
                .entry(call["call_id"].as_str().unwrap_or_default().to_owned())
                .or_default();
            versions.push(call["plugin_version"].as_u64().unwrap_or_default());
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    by_call
}

#[tokio::test]
async fn a_candidate_that_traps_on_bookings_is_rolled_back_by_itself_and_no_call_is_split()
-> TestResult {
    let data = DataDir::new("canary-rollback");
    let rules = TenantCanaryConfig {
        min_calls: 10,
        promote_after_calls: 10_000,
        failure_margin_percent: 10,
    };
    let harness = Harness::with(|config| configure(config, &data, rules, true)).await;
    let (stable, candidate) = stable_and_candidate(&harness).await;

    let (status, started) = activate(&harness, candidate, "?canary=20").await;
    assert_eq!(status, 200, "{started}");
    assert_eq!(started["canary"]["state"], "running", "{started}");
    assert_eq!(started["canary"]["stable_version"], stable, "{started}");
    let listing = plugins(&harness).await;
    assert_eq!(listing["active"], stable, "a canary is not an activation");
    assert_eq!(listing["serving_canary"]["version"], candidate, "{listing}");
    assert_eq!(listing["serving_canary"]["percent"], 20, "{listing}");

    // Phone calls one after another, a fifth of them on the candidate, until it is rolled
    // back: each books a different half hour, so the stable version's bookings succeed.
    let times: Vec<String> = (9..17)
        .flat_map(|hour| [format!("{hour:02}:00"), format!("{hour:02}:30")])
        .collect();
    let mut made = Vec::new();
    // The phone call during which the monitor (on its own clock) rolled the canary back: it
    // may have begun before or after, so either version may have answered it, but only one.
    let mut on_candidate = 0;
    let (rolled_back, last) = loop {
        let n = made.len();
        assert!(n < 400, "never rolled back: {}", plugins(&harness).await);
        let call_id = format!("cn-{n}");
        let booked = phone_call(&harness, &call_id, THURSDAY, &times[n % times.len()]).await;
        let shared = bucket(&call_id) < 20;
        if shared && booked["success"] == false {
            on_candidate += 1;
        }
        let listing = plugins(&harness).await;
        // Rolled back in the store and no longer routed here (the store's word comes first;
        // a call in between still meets the candidate, and fails as the ones before it).
        if listing["canary"]["state"] == "rolled_back" && listing["serving_canary"].is_null() {
            break (listing, call_id);
        }
        if shared {
            assert_eq!(booked["success"], false, "the candidate booked: {booked}");
        }
        made.push(call_id);
        // The monitor reports every 250 ms: give it the time a caller would take.
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let canary = &rolled_back["canary"];
    assert!(
        on_candidate >= 5,
        "rolled back on {on_candidate} phone calls: {canary}"
    );
    assert!(
        canary["candidate"]["calls"].as_u64() >= Some(10),
        "{canary}"
    );
    assert!(
        canary["candidate"]["failures"].as_u64() >= Some(5),
        "{canary}"
    );
    assert_eq!(canary["stable"]["failures"], 0, "{canary}");
    let reason = canary["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("% of its"), "{canary}");
    assert_eq!(rolled_back["active"], stable, "{rolled_back}");
    assert_eq!(rolled_back["serving_canary"], Value::Null, "{rolled_back}");

    // New phone calls whose ids the canary would have taken go to the stable version, and
    // book (on Friday: Thursday is taken by now).
    let after = call_ids("after", 20, true, 3);
    for (call_id, time) in after.iter().zip(["09:30", "10:30", "12:00"]) {
        let booked = phone_call(&harness, call_id, FRIDAY, time).await;
        assert_eq!(booked["success"], true, "{booked}");
    }

    let by_call = versions_by_call(&harness).await;
    for (call_id, versions) in &by_call {
        assert!(
            versions.windows(2).all(|pair| pair[0] == pair[1]),
            "phone call {call_id} was split across versions {versions:?}"
        );
    }
    for call_id in &made {
        let expected = if bucket(call_id) < 20 {
            candidate
        } else {
            stable
        };
        assert_eq!(by_call[call_id], [expected, expected], "{call_id}");
    }
    for call_id in &after {
        assert_eq!(by_call[call_id], [stable, stable], "{call_id}");
    }
    let answered = &by_call[&last];
    let allowed = if bucket(&last) < 20 {
        vec![[candidate, candidate], [stable, stable]]
    } else {
        vec![[stable, stable]]
    };
    assert!(
        allowed.iter().any(|versions| answered == versions),
        "{last}: {answered:?}"
    );
    let metrics = harness.metrics().await;
    assert!(
        metrics.contains(&format!("version=\"{candidate}\"")),
        "tool call metrics carry the version"
    );
    Ok(())
}

#[tokio::test]
async fn a_candidate_without_regression_is_promoted_and_calls_under_way_keep_their_version()
-> TestResult {
    let data = DataDir::new("canary-promote");
    let rules = TenantCanaryConfig {
        min_calls: 4,
        promote_after_calls: 6,
        failure_margin_percent: 5,
    };
    let harness = Harness::with(|config| configure(config, &data, rules, false)).await;
    let (stable, candidate) = stable_and_candidate(&harness).await;
    let (status, started) = activate(&harness, candidate, "?canary=50").await;
    assert_eq!(status, 200, "{started}");

    // A phone call on the stable version starts before the promotion...
    let under_way = call_ids("pinned", 50, false, 1).remove(0);
    let text = json!({ "text": "morgen um zehn" });
    harness
        .tool("parse_date", text.clone(), &under_way, CALLER)
        .await;
    // ...and others run until the candidate has answered enough.
    let mut n = 0;
    let promoted = loop {
        assert!(n < 400, "never promoted: {}", plugins(&harness).await);
        harness
            .tool("parse_date", text.clone(), &format!("pr-{n}"), CALLER)
            .await;
        n += 1;
        let listing = plugins(&harness).await;
        // Promoted in the store and no longer routed here: the store's word comes first,
        // and a new call routed between the two would still meet the canary's split.
        if listing["canary"]["state"] == "promoted" && listing["serving_canary"].is_null() {
            break listing;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(promoted["active"], candidate, "{promoted}");
    assert!(promoted["canary"]["candidate"]["calls"].as_u64() >= Some(6));

    // The call under way ends on the version it began with; a new one starts on the new.
    harness
        .tool("parse_date", text.clone(), &under_way, CALLER)
        .await;
    let fresh = call_ids("fresh", 50, false, 1).remove(0);
    harness.tool("parse_date", text, &fresh, CALLER).await;
    let by_call = versions_by_call(&harness).await;
    assert_eq!(by_call[&under_way], [stable, stable]);
    assert_eq!(by_call[&fresh], [candidate]);
    Ok(())
}

#[tokio::test]
async fn a_canary_is_refused_with_a_precise_error_and_stopped_by_an_activation() -> TestResult {
    let data = DataDir::new("canary-refused");
    let harness =
        Harness::with(|config| configure(config, &data, TenantCanaryConfig::default(), false))
            .await;
    // No active version yet: nothing to compare a candidate with.
    let default = slotline::DEFAULT_PLUGIN.unwrap_or_default().to_vec();
    let (status, uploaded) = send(
        harness
            .http
            .post(harness.url("/v1/admin/tenants/demo/plugins"))
            .bearer_auth(OPERATOR)
            .body(default),
    )
    .await;
    assert_eq!(status, 201, "{uploaded}");
    let (status, reply) = activate(&harness, 1, "?canary=10").await;
    assert_eq!(
        (status, &reply["error"]["code"]),
        (409, &json!("canary_refused")),
        "{reply}"
    );
    let (stable, candidate) = stable_and_candidate(&harness).await;
    for query in [
        "?canary=0",
        "?canary=101",
        "?canary=half",
        "?canary=",
        "?canari=5",
    ] {
        let (status, reply) = activate(&harness, candidate, query).await;
        assert_eq!(
            (status, &reply["error"]["code"]),
            (400, &json!("invalid_query")),
            "{query}: {reply}"
        );
    }
    let (status, reply) = activate(&harness, stable, "?canary=10").await;
    assert_eq!(
        (status, &reply["error"]["code"]),
        (409, &json!("canary_refused")),
        "{reply}"
    );
    let (status, reply) = activate(&harness, 9, "?canary=10").await;
    assert_eq!(status, 404, "{reply}");

    let (status, _) = activate(&harness, candidate, "?canary=30").await;
    assert_eq!(status, 200);
    // Activating by hand decides for every call: the canary stops.
    let (status, reply) = activate(&harness, stable, "").await;
    assert_eq!(status, 200, "{reply}");
    let listing = plugins(&harness).await;
    assert_eq!(listing["canary"]["state"], "stopped", "{listing}");
    assert_eq!(listing["serving_canary"], Value::Null, "{listing}");
    let routed = call_ids("stopped", 30, true, 1).remove(0);
    harness
        .tool("parse_date", json!({ "text": "morgen" }), &routed, CALLER)
        .await;
    assert_eq!(versions_by_call(&harness).await[&routed], [stable]);
    Ok(())
}
