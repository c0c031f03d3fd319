//! A gateway process's memory after 1,000 hostile plugin calls returns close to where it was
//! before them: nothing a plugin allocated, copied or opened outlives its call.

use std::path::{Path, PathBuf};

use futures::StreamExt;
use serde_json::{Value, json};

mod common;

use common::{Gateway, TestResult, free_port, start};

const RETELL_KEY: &str = "retell-key";
/// Hostile calls run at once; also the instance pool's size, so the pool cannot grow past it.
const CONCURRENCY: usize = 4;
/// `runtime.memory_limit_mib` in this test: small, so 1,000 allocating calls stay quick.
const MEMORY_LIMIT_MIB: u64 = 16;
/// What the pool deliberately keeps warm per instance slot (linear memory, tables and stack,
/// `KEEP_RESIDENT` each in `runtime/engine.rs`), so reuse does not fault pages in again.
const KEEP_RESIDENT_KIB: u64 = 3 * 4 * 1024;
/// Modes of the test plugin that end at a limit or trap without waiting for a deadline.
const HOSTILE: [&str; 8] = [
    "alloc",
    "big-reply",
    "wide-reply",
    "long-reply",
    "big-value",
    "handles",
    "recurse",
    "trap",
];

fn write_config(dir: &Path, port: u16) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let plugin = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/wasm32-wasip2/guest/slotline_test_plugin.wasm");
    if !plugin.is_file() {
        return Err("the test plugin is not built: run `make guest` (or `make test`)".into());
    }
    let mut text = format!(
        "[server]\nlisten = \"127.0.0.1:{port}\"\n\n\
         [runtime]\nmemory_limit_mib = {MEMORY_LIMIT_MIB}\nmax_instances = {CONCURRENCY}\n"
    );
    for mode in HOSTILE.iter().chain(&["echo"]) {
        text.push_str(&format!(
            "\n[tenants.{mode}]\nplugin = \"{plugin}\"\nretell_api_key = \"{RETELL_KEY}\"\n\
             calls = {{ max_tool_calls = 100000, per_minute = 100000 }}\n\
             settings = {{ mode = \"{mode}\" }}\n",
            plugin = plugin.display(),
        ));
    }
    let path = dir.join("slotline.toml");
    std::fs::write(&path, text)?;
    Ok(path)
}

/// Resident memory of `pid` in KiB, from `/proc`.
fn rss_kib(pid: u32) -> Result<u64, Box<dyn std::error::Error>> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmRSS in /proc/<pid>/status".into())
}

/// Sends `count` calls, `CONCURRENCY` at a time, to the tenants returned by `tenant` for each
/// index, and returns the replies.
async fn calls(
    gateway: &Gateway,
    count: usize,
    tenant: impl Fn(usize) -> &'static str,
) -> Vec<(u16, Value)> {
    let client = reqwest::Client::new();
    futures::stream::iter(0..count)
        .map(|i| {
            let client = client.clone();
            let tenant = tenant(i);
            let body = json!({
                "name": "check_availability",
                "args": {"date": "2026-11-26"},
                "call": {"call_id": format!("memory-{i}")},
            })
            .to_string();
            let now = chrono::Utc::now().timestamp_millis();
            let signature =
                slotline::server::signature::sign(body.as_bytes(), RETELL_KEY.as_bytes(), now);
            let url = format!("{}/v1/retell/{tenant}", gateway.url);
            async move {
                let Ok(response) = client
                    .post(url)
                    .header("x-retell-signature", signature)
                    .body(body)
                    .send()
                    .await
                else {
                    return (0, Value::Null);
                };
                let status = response.status().as_u16();
                (status, response.json().await.unwrap_or(Value::Null))
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await
}

#[tokio::test]
async fn memory_after_a_thousand_hostile_calls_returns_to_its_baseline() -> TestResult {
    let dir = std::env::temp_dir().join(format!("slotline-memory-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let port = free_port()?;
    let config = write_config(&dir, port)?;
    let gateway = start(&config, port, &[]).await?;
    let pid = gateway.child.id();

    // Warm up with well-behaved calls on every slot, then take the baseline.
    let warm = calls(&gateway, 200, |_| "echo").await;
    assert!(
        warm.iter()
            .all(|(status, reply)| *status == 200 && reply["success"] == true)
    );
    let baseline = rss_kib(pid)?;

    let replies = calls(&gateway, 1_000, |i| HOSTILE[i % HOSTILE.len()]).await;
    for (status, reply) in &replies {
        assert_eq!(*status, 200, "{reply}");
        assert_eq!(reply["success"], false, "{reply}");
        let message = reply["message"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "a spoken fallback: {reply}");
    }
    let after = calls(&gateway, 200, |_| "echo").await;
    assert!(
        after
            .iter()
            .all(|(status, reply)| *status == 200 && reply["message"] == "echo")
    );
    let end = rss_kib(pid)?;

    let growth = end.saturating_sub(baseline);
    eprintln!(
        "gateway RSS: baseline {baseline} KiB, after 1,000 hostile calls {end} KiB \
         (+{growth} KiB); each call could reach {MEMORY_LIMIT_MIB} MiB"
    );
    // At most what the pool keeps warm per slot, plus allocator slack; a leak of one call's
    // memory (16 MiB) per hostile call would be 16 GiB.
    let bound = CONCURRENCY as u64 * KEEP_RESIDENT_KIB + 16 * 1024;
    assert!(
        growth <= bound,
        "RSS grew by {growth} KiB (baseline {baseline} KiB, now {end} KiB, bound {bound} KiB)"
    );
    drop(gateway);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Values the flooding plugin writes: far more than its 16 MiB cache holds once each entry is
/// weighed at what it costs.
const FLOOD: u64 = 120_000;

fn write_flood_config(dir: &Path, port: u16) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let plugin = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/wasm32-wasip2/guest/slotline_test_plugin.wasm");
    if !plugin.is_file() {
        return Err("the test plugin is not built: run `make guest` (or `make test`)".into());
    }
    let mut text = format!("[server]\nlisten = \"127.0.0.1:{port}\"\n");
    for (tenant, settings) in [
        (
            "flooder",
            format!("mode = \"flood-cache\", count = \"{FLOOD}\""),
        ),
        ("neighbour", "mode = \"echo\", reply = \"here\"".to_owned()),
    ] {
        text.push_str(&format!(
            "\n[tenants.{tenant}]\nplugin = \"{plugin}\"\nretell_api_key = \"{RETELL_KEY}\"\n\
             calls = {{ max_tool_calls = 100000, per_minute = 100000 }}\n\
             settings = {{ {settings} }}\n",
            plugin = plugin.display(),
        ));
    }
    let path = dir.join("slotline.toml");
    std::fs::write(&path, text)?;
    Ok(path)
}

/// One signed check of `tenant`: the status, the reply and how long it took.
async fn timed_call(
    client: &reqwest::Client,
    gateway: &Gateway,
    tenant: &str,
    call_id: &str,
) -> Result<(u16, Value, std::time::Duration), String> {
    let body = json!({
        "name": "check_availability",
        "args": {"date": "2026-11-26"},
        "call": {"call_id": call_id},
    })
    .to_string();
    let now = chrono::Utc::now().timestamp_millis();
    let signature = slotline::server::signature::sign(body.as_bytes(), RETELL_KEY.as_bytes(), now);
    let started = std::time::Instant::now();
    let response = client
        .post(format!("{}/v1/retell/{tenant}", gateway.url))
        .header("x-retell-signature", signature)
        .body(body)
        .send()
        .await
        .map_err(|err| err.to_string())?;
    let status = response.status().as_u16();
    let reply = response.json().await.unwrap_or(Value::Null);
    Ok((status, reply, started.elapsed()))
}

/// The numbers in the flooding plugin's report, in order.
fn numbers(report: &str) -> Vec<u64> {
    report
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect()
}

#[tokio::test]
async fn a_plugin_flooding_its_cache_keeps_to_its_bytes_lists_in_pages_and_its_neighbour_answers()
-> TestResult {
    let dir = std::env::temp_dir().join(format!("slotline-flood-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let port = free_port()?;
    let config = write_flood_config(&dir, port)?;
    let gateway = std::sync::Arc::new(start(&config, port, &[]).await?);
    let pid = gateway.child.id();
    let client = reqwest::Client::new();
    for n in 0..20 {
        let (status, reply, _) =
            timed_call(&client, &gateway, "neighbour", &format!("warm-{n}")).await?;
        assert_eq!(
            (status, &reply["message"]),
            (200, &json!("here")),
            "{reply}"
        );
    }
    let baseline = rss_kib(pid)?;

    // The neighbour calls throughout the flood, one call after another.
    let flooding = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let neighbour = {
        let (gateway, client, flooding) = (
            std::sync::Arc::clone(&gateway),
            client.clone(),
            std::sync::Arc::clone(&flooding),
        );
        tokio::spawn(async move {
            let mut worst = std::time::Duration::ZERO;
            let mut calls = 0;
            while flooding.load(std::sync::atomic::Ordering::Relaxed) || calls < 5 {
                let (status, reply, took) =
                    timed_call(&client, &gateway, "neighbour", &format!("n-{calls}")).await?;
                if status != 200 || reply["message"] != "here" {
                    return Err(format!("the neighbour got {status} {reply}"));
                }
                worst = worst.max(took);
                calls += 1;
                // A busy caller, not a load test: the flood gets the cores it wants.
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            Ok::<_, String>((calls, worst))
        })
    };
    let (status, reply, took) = timed_call(&client, &gateway, "flooder", "flood").await?;
    flooding.store(false, std::sync::atomic::Ordering::Relaxed);
    let (calls, worst) = neighbour.await??;
    let end = rss_kib(pid)?;
    eprintln!(
        "flood: {took:?}, {reply}; neighbour: {calls} calls, worst {worst:?}; \
         RSS {baseline} -> {end} KiB"
    );

    assert_eq!(status, 200, "{reply}");
    // Within the check's 3 s deadline and a second, whether it finished or was cut.
    assert!(took < std::time::Duration::from_secs(4), "{took:?}");
    let report = reply["message"].as_str().unwrap_or_default();
    let [written, listed, pages, largest] = numbers(report)[..] else {
        return Err(format!("not the flood's report: {reply}").into());
    };
    assert_eq!(written, FLOOD, "writes are evicted, not refused: {report}");
    // 16 MiB, each empty entry weighed at its overhead and its key twice; moka evicts in
    // batches, so a few writes of the last batch may still be there.
    let held = 16 * 1024 * 1024 / (256 + 2 * 32) * 102 / 100;
    assert!(
        listed > 1_000 && listed <= held,
        "{listed} keys listed, at most {held} held: {report}"
    );
    assert!(largest <= 1_001, "pages are bounded: {report}");
    assert!(pages >= listed / 1_001, "{report}");
    assert!(
        worst < std::time::Duration::from_millis(250),
        "the neighbour waited {worst:?}"
    );
    let metrics = reqwest::get(format!("{}/metrics", gateway.url))
        .await?
        .text()
        .await?;
    assert!(
        metrics
            .lines()
            .any(|line| line.starts_with("slotline_limit_hits_total")
                && line.contains("tenant=\"flooder\"")
                && line.contains("limit=\"cache_bytes\"")),
        "the evictions are counted as the flooder's cache_bytes"
    );
    assert!(
        !metrics
            .lines()
            .any(|line| line.contains("tenant=\"neighbour\"") && line.contains("limit_hits")),
        "the neighbour hit no limit"
    );
    // The cache's 16 MiB, as moka and the key index hold it, and allocator slack.
    let growth = end.saturating_sub(baseline);
    assert!(
        growth <= 96 * 1024,
        "RSS grew by {growth} KiB (baseline {baseline} KiB, now {end} KiB)"
    );
    drop(gateway);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
