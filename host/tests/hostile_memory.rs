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
