//! Plugin versions per tenant: upload, validation, hot swap without a failed call, restart
//! without recompiling, rollback, tokens.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use serde_json::{Value, json};
use slotline::config::{Config, Secret};
use slotline_e2e::plugins::test_plugin_path;
use slotline_e2e::{DataDir, Harness, THURSDAY, TestResult, call};

const OPERATOR: &str = slotline::demo::ADMIN_TOKEN;
const DEMO_TOKEN: &str = "demo-tenant-token";
const OTHER_TOKEN: &str = "other-tenant-token";

/// A data directory of its own for each test, removed at the end.
/// The demo tenant with a data directory and tokens; its settings also tell the test plugin
/// (version two) what to answer, which the default plugin (version one) ignores.
fn configure(config: &mut Config, data: &Path) {
    config.server.data_dir = Some(data.to_owned());
    if let Some(demo) = config.tenants.get_mut("demo") {
        demo.admin_token = Some(Secret::new(DEMO_TOKEN));
        demo.settings.insert("mode".into(), json!("echo"));
        demo.settings.insert("reply".into(), json!("version two"));
    }
    let mut other = slotline_e2e::plugins::test_tenant("echo", &[("reply", "other")], &[]);
    other.admin_token = Some(Secret::new(OTHER_TOKEN));
    config.tenants.insert("other".into(), other);
}

fn default_plugin() -> Vec<u8> {
    slotline::DEFAULT_PLUGIN.unwrap_or_default().to_vec()
}

fn test_plugin() -> Vec<u8> {
    std::fs::read(test_plugin_path()).unwrap_or_default()
}

async fn upload(
    harness: &Harness,
    token: Option<&str>,
    tenant: &str,
    bytes: Vec<u8>,
    activate: bool,
) -> (u16, Value) {
    let url = harness.url(&format!(
        "/v1/admin/tenants/{tenant}/plugins?activate={activate}"
    ));
    let mut request = harness.http.post(url).body(bytes);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    answer(request).await
}

async fn activate(harness: &Harness, tenant: &str, version: u64) -> (u16, Value) {
    let url = harness.url(&format!(
        "/v1/admin/tenants/{tenant}/plugins/{version}/activate"
    ));
    answer(harness.http.post(url).bearer_auth(OPERATOR)).await
}

/// The demo tenant's version listing, as its own token sees it.
async fn versions(harness: &Harness) -> reqwest::Result<Value> {
    harness
        .http
        .get(harness.url("/v1/admin/tenants/demo/plugins"))
        .bearer_auth(DEMO_TOKEN)
        .send()
        .await?
        .json()
        .await
}

async fn answer(request: reqwest::RequestBuilder) -> (u16, Value) {
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            (status, response.json().await.unwrap_or(Value::Null))
        }
        Err(err) => (0, json!({ "transport": err.to_string() })),
    }
}

/// Which version answered: the default plugin speaks about the day, the test plugin echoes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    One,
    Two,
}

fn which(reply: &Value) -> Option<Answer> {
    if reply["success"] != true {
        return None;
    }
    let message = reply["message"].as_str().unwrap_or_default();
    let slots = reply["data"]["slots"].as_array().map_or(0, Vec::len);
    match (message, slots) {
        ("version two", 0) => Some(Answer::Two),
        (message, slots) if slots > 0 && message.contains("14 Uhr") => Some(Answer::One),
        _ => None,
    }
}

#[tokio::test]
async fn activations_under_load_fail_no_call_and_mix_no_versions() -> TestResult {
    let data = DataDir::new("hot-swap");
    let harness = Arc::new(Harness::with(|config| configure(config, &data.0)).await);
    let (status, one) = upload(&harness, Some(OPERATOR), "demo", default_plugin(), true).await;
    assert_eq!(status, 201, "{one}");
    let (status, two) = upload(&harness, Some(OPERATOR), "demo", test_plugin(), false).await;
    assert_eq!(status, 201, "{two}");
    let versions = [
        one["version"].as_u64().unwrap_or(1),
        two["version"].as_u64().unwrap_or(2),
    ];

    let body = call(
        "check_availability",
        json!({"date": THURSDAY, "time": "14:00"}),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let harness = Arc::clone(&harness);
            let stop = Arc::clone(&stop);
            let body = body.clone();
            tokio::spawn(async move {
                let mut replies = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let (status, reply) = harness.retell(&body).await;
                    replies.push((status, reply));
                }
                replies
            })
        })
        .collect();

    for round in 0..20 {
        let (version, expected) = if round % 2 == 0 {
            (versions[1], Answer::Two)
        } else {
            (versions[0], Answer::One)
        };
        let (status, reply) = activate(&harness, "demo", version).await;
        assert_eq!(status, 200, "{reply}");
        // Once the activation has returned, no new call is answered by the old version.
        let (_, probe) = harness.retell(&body).await;
        assert_eq!(which(&probe), Some(expected), "round {round}: {probe}");
    }
    stop.store(true, Ordering::Relaxed);

    let mut seen = [0usize; 2];
    for client in clients {
        for (status, reply) in client.await? {
            assert_eq!(status, 200, "{reply}");
            match which(&reply) {
                Some(Answer::One) => seen[0] += 1,
                Some(Answer::Two) => seen[1] += 1,
                None => panic!("a failed or mixed reply: {reply}"),
            }
        }
    }
    assert!(seen[0] > 0 && seen[1] > 0, "both versions served: {seen:?}");
    Ok(())
}

#[tokio::test]
async fn a_restart_serves_the_active_version_without_recompiling() -> TestResult {
    let data = DataDir::new("restart");
    {
        let harness = Harness::with(|config| configure(config, &data.0)).await;
        let (status, reply) = upload(&harness, Some(OPERATOR), "demo", test_plugin(), true).await;
        assert_eq!(status, 201, "{reply}");
    }
    let restarted = Instant::now();
    let harness = Harness::with(|config| {
        configure(config, &data.0);
        // Neither tenant falls back on a plugin from the file: both come from the store.
        if let Some(other) = config.tenants.get_mut("other") {
            other.plugin = None;
        }
    })
    .await;
    let started = Instant::now();
    let (_, reply) = harness
        .retell(&call(
            "check_availability",
            json!({"date": THURSDAY, "time": "14:00"}),
        ))
        .await;
    let first_call = started.elapsed();
    assert_eq!(which(&reply), Some(Answer::Two), "{reply}");
    let compiled = harness.gateway.runtime().compilations();
    eprintln!(
        "restart to ready: {:?}, first call: {first_call:?}, compilations: {compiled}",
        started - restarted
    );
    // The demo tenant's version came from its precompiled artifact. `other` has no version
    // in the store and runs the default plugin, which is the one compilation allowed.
    assert!(
        compiled <= 1,
        "the active version was recompiled ({compiled} compilations)"
    );
    Ok(())
}

#[tokio::test]
async fn rollback_is_one_request() -> TestResult {
    let data = DataDir::new("rollback");
    let harness = Harness::with(|config| configure(config, &data.0)).await;
    let (_, one) = upload(&harness, Some(OPERATOR), "demo", default_plugin(), true).await;
    let (_, two) = upload(&harness, Some(OPERATOR), "demo", test_plugin(), true).await;
    let body = call(
        "check_availability",
        json!({"date": THURSDAY, "time": "14:00"}),
    );
    assert_eq!(which(&harness.retell(&body).await.1), Some(Answer::Two));
    let (status, _) = activate(&harness, "demo", one["version"].as_u64().unwrap_or(1)).await;
    assert_eq!(status, 200);
    assert_eq!(which(&harness.retell(&body).await.1), Some(Answer::One));

    let listing = versions(&harness).await?;
    assert_eq!(listing["active"], one["version"], "{listing}");
    assert_eq!(
        listing["versions"].as_array().map(Vec::len),
        Some(2),
        "{listing}"
    );
    // Uploading the same bytes again names the existing version.
    let (status, again) = upload(&harness, Some(OPERATOR), "demo", test_plugin(), false).await;
    assert_eq!(
        (status, &again["version"]),
        (201, &two["version"]),
        "{again}"
    );
    Ok(())
}

/// The `.wasm` files in the data directory: the components this gateway keeps.
fn stored_components(data: &Path) -> usize {
    std::fs::read_dir(data.join("plugins")).map_or(0, |dir| {
        dir.filter_map(Result::ok)
            .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "wasm"))
            .count()
    })
}

async fn delete_version(harness: &Harness, token: &str, version: u64) -> (u16, Value) {
    let url = harness.url(&format!("/v1/admin/tenants/demo/plugins/{version}"));
    answer(harness.http.delete(url).bearer_auth(token)).await
}

#[tokio::test]
async fn a_tenant_keeps_versions_within_its_quota_and_deletes_old_ones_to_make_room() -> TestResult
{
    let data = DataDir::new("quota");
    let harness = Harness::with(|config| {
        configure(config, &data.0);
        if let Some(demo) = config.tenants.get_mut("demo") {
            demo.plugin_storage.max_versions = 2;
        }
    })
    .await;
    let (status, one) = upload(&harness, Some(DEMO_TOKEN), "demo", default_plugin(), true).await;
    assert_eq!(status, 201, "{one}");
    let (status, two) = upload(&harness, Some(DEMO_TOKEN), "demo", test_plugin(), false).await;
    assert_eq!(status, 201, "{two}");
    assert_eq!(stored_components(&data.0), 2);

    let salon = std::fs::read(slotline_e2e::plugins::salon_plugin_path())?;
    let (status, refused) = upload(&harness, Some(DEMO_TOKEN), "demo", salon.clone(), false).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"]["code"], "storage_quota", "{refused}");
    let message = refused["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("tenants.demo.plugin_storage.max_versions")
            && message.contains("DELETE /v1/admin/tenants/demo/plugins/"),
        "the refusal says how to make room: {message}"
    );
    assert_eq!(
        stored_components(&data.0),
        2,
        "the refused upload was neither compiled nor stored"
    );

    // The active version serves calls: it cannot go.
    let (status, in_use) = delete_version(&harness, DEMO_TOKEN, 1).await;
    assert_eq!(
        (status, &in_use["error"]["code"]),
        (409, &json!("version_in_use")),
        "{in_use}"
    );
    let body = call(
        "check_availability",
        json!({"date": THURSDAY, "time": "14:00"}),
    );
    assert_eq!(which(&harness.retell(&body).await.1), Some(Answer::One));

    let (status, _) = activate(&harness, "demo", 2).await;
    assert_eq!(status, 200);
    let (status, deleted) = delete_version(&harness, DEMO_TOKEN, 1).await;
    assert_eq!(status, 200, "{deleted}");
    assert_eq!(deleted["deleted"], 1, "{deleted}");
    assert_eq!(deleted["component_removed"], true, "{deleted}");
    assert_eq!(stored_components(&data.0), 1, "its file is gone");
    let (status, gone) = delete_version(&harness, DEMO_TOKEN, 1).await;
    assert_eq!(
        (status, &gone["error"]["code"]),
        (404, &json!("unknown_version")),
        "{gone}"
    );
    let (status, _) = activate(&harness, "demo", 1).await;
    assert_eq!(status, 404, "a deleted version cannot be activated");
    assert_eq!(which(&harness.retell(&body).await.1), Some(Answer::Two));

    // Room again; the new version takes a new number, never the deleted one's.
    let (status, three) = upload(&harness, Some(DEMO_TOKEN), "demo", salon, false).await;
    assert_eq!((status, &three["version"]), (201, &json!(3)), "{three}");
    let listing = versions(&harness).await?;
    let numbers: Vec<&Value> = listing["versions"]
        .as_array()
        .map(|versions| versions.iter().map(|v| &v["version"]).collect())
        .unwrap_or_default();
    assert_eq!(numbers, [&json!(2), &json!(3)], "{listing}");
    // Another tenant's token cannot delete this tenant's versions.
    let (status, _) = delete_version(&harness, OTHER_TOKEN, 3).await;
    assert!(status == 401 || status == 403 || status == 404, "{status}");
    assert_eq!(stored_components(&data.0), 2);
    Ok(())
}

#[tokio::test]
async fn invalid_uploads_and_foreign_tokens_get_precise_errors() -> TestResult {
    let data = DataDir::new("invalid");
    let harness = Harness::with(|config| configure(config, &data.0)).await;
    let random: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let core = b"\0asm\x01\0\0\0".to_vec();
    let empty_component = wat::parse_str("(component)")?;
    let foreign = wat::parse_str(r#"(component (import "acme:evil/thing" (func)))"#)?;
    let cases = [
        ("random bytes", random, 400, "not_webassembly"),
        ("core module", core, 400, "core_module"),
        ("empty component", empty_component, 422, "wrong_world"),
        ("foreign import", foreign, 422, "wrong_world"),
        ("30 MiB", vec![0u8; 30 * 1024 * 1024], 413, "body_too_large"),
    ];
    for (what, bytes, status, code) in cases {
        let (got, reply) = upload(&harness, Some(OPERATOR), "demo", bytes, true).await;
        assert_eq!(
            (got, reply["error"]["code"].as_str()),
            (status, Some(code)),
            "{what}: {reply}"
        );
    }
    let (_, reply) = upload(
        &harness,
        Some(OPERATOR),
        "demo",
        wat::parse_str("(component)")?,
        true,
    )
    .await;
    let message = reply["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("missing exports") && message.contains("booking"),
        "{message}"
    );
    let foreign = wat::parse_str(r#"(component (import "acme:evil/thing" (func)))"#)?;
    let (_, reply) = upload(&harness, Some(OPERATOR), "demo", foreign, true).await;
    let message = reply["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("unexpected imports: acme:evil/thing"),
        "{message}"
    );

    let (status, foreign) = upload(&harness, Some(OTHER_TOKEN), "demo", test_plugin(), true).await;
    assert_eq!(status, 403, "a tenant's token cannot touch another tenant");
    let (status, _) = upload(&harness, None, "demo", test_plugin(), true).await;
    assert_eq!(status, 401);
    // A guessed token is answered exactly as another tenant's: the answer tells no one that
    // a token is valid somewhere, nor that a tenant exists.
    let (status, guessed) = upload(&harness, Some("guess"), "demo", test_plugin(), true).await;
    assert_eq!((status, &guessed), (403, &foreign));
    let (status, nowhere) = upload(
        &harness,
        Some(OTHER_TOKEN),
        "no-such-tenant",
        test_plugin(),
        true,
    )
    .await;
    assert_eq!((status, &nowhere), (403, &foreign));
    let (status, reply) = upload(&harness, Some(DEMO_TOKEN), "demo", test_plugin(), true).await;
    assert_eq!(status, 201, "a tenant's own token may: {reply}");
    Ok(())
}

#[tokio::test]
async fn a_tenant_compiles_one_upload_at_a_time_and_its_neighbour_is_not_held_up() -> TestResult {
    let data = DataDir::new("one-upload");
    let harness = Harness::with(|config| configure(config, &data.0)).await;
    // Three uploads at once: two of one tenant, one of its neighbour. Compiling the default
    // plugin takes far longer than the second request takes to arrive.
    let (first, second, neighbour) = tokio::join!(
        upload(&harness, Some(DEMO_TOKEN), "demo", default_plugin(), false),
        upload(&harness, Some(DEMO_TOKEN), "demo", default_plugin(), false),
        upload(
            &harness,
            Some(OTHER_TOKEN),
            "other",
            default_plugin(),
            false
        ),
    );
    let mut statuses = [first.0, second.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 429], "{first:?} {second:?}");
    let refused = if first.0 == 429 { &first.1 } else { &second.1 };
    assert_eq!(refused["error"]["code"], "upload_in_progress", "{refused}");
    assert_eq!(neighbour.0, 201, "the neighbour's upload: {}", neighbour.1);
    // Once the compile is done, the tenant's next upload goes through.
    let (status, reply) = upload(&harness, Some(DEMO_TOKEN), "demo", default_plugin(), false).await;
    assert_eq!(status, 201, "{reply}");
    Ok(())
}
