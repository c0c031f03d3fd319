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

/// Where the streaming attacker may send (allowed, never reached: its body is refused first).
const STREAM_ORIGIN: &str = "http://127.0.0.1:9";

/// One attack: the test plugin in `mode` with `settings` (TOML inline-table entries) as tenant
/// `attacker`, called `calls` times, while tenant `neighbour` calls throughout.
struct Attack {
    name: &'static str,
    settings: String,
    calls: usize,
}

/// What the gateway showed during an attack.
struct Seen {
    /// The attacker's replies, with how long each took.
    replies: Vec<(u16, Value, std::time::Duration)>,
    /// The neighbour's calls, and the slowest of them.
    neighbour_calls: usize,
    worst: std::time::Duration,
    /// How much the gateway's resident memory grew, in KiB.
    growth_kib: u64,
    /// `/metrics` afterwards.
    metrics: String,
}

fn write_attack_config(
    dir: &Path,
    port: u16,
    attack: &Attack,
) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let plugin = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/wasm32-wasip2/guest/slotline_test_plugin.wasm");
    if !plugin.is_file() {
        return Err("the test plugin is not built: run `make guest` (or `make test`)".into());
    }
    let mut text = format!("[server]\nlisten = \"127.0.0.1:{port}\"\n");
    for (tenant, settings) in [
        ("attacker", attack.settings.clone()),
        ("neighbour", "mode = \"echo\", reply = \"here\"".to_owned()),
    ] {
        text.push_str(&format!(
            "\n[tenants.{tenant}]\nplugin = \"{plugin}\"\nretell_api_key = \"{RETELL_KEY}\"\n\
             allowed_outbound = [\"{STREAM_ORIGIN}\"]\n\
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

/// Runs `attack` on a gateway of its own, the neighbour calling one call after another
/// throughout (and at least five times), and reports what was seen.
async fn under_attack(attack: Attack) -> Result<Seen, Box<dyn std::error::Error>> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    let dir = std::env::temp_dir().join(format!(
        "slotline-attack-{}-{}",
        attack.name,
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let port = free_port()?;
    let config = write_attack_config(&dir, port, &attack)?;
    let gateway = Arc::new(start(&config, port, &[]).await?);
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

    let attacking = Arc::new(AtomicBool::new(true));
    let neighbour = {
        let (gateway, client, attacking) =
            (Arc::clone(&gateway), client.clone(), Arc::clone(&attacking));
        tokio::spawn(async move {
            let mut worst = std::time::Duration::ZERO;
            let mut calls = 0;
            while attacking.load(Ordering::Relaxed) || calls < 5 {
                let (status, reply, took) =
                    timed_call(&client, &gateway, "neighbour", &format!("n-{calls}")).await?;
                if status != 200 || reply["message"] != "here" {
                    return Err(format!("the neighbour got {status} {reply}"));
                }
                worst = worst.max(took);
                calls += 1;
                // A busy caller, not a load test: the attacker gets the cores it wants.
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            Ok::<_, String>((calls, worst))
        })
    };
    let mut replies = Vec::new();
    for n in 0..attack.calls {
        replies.push(timed_call(&client, &gateway, "attacker", &format!("attack-{n}")).await?);
    }
    attacking.store(false, Ordering::Relaxed);
    let (neighbour_calls, worst) = neighbour.await??;
    let end = rss_kib(pid)?;
    let metrics = reqwest::get(format!("{}/metrics", gateway.url))
        .await?
        .text()
        .await?;
    eprintln!(
        "{}: last reply {:?}; neighbour {neighbour_calls} calls, worst {worst:?}; RSS {baseline} -> {end} KiB; /metrics {} bytes",
        attack.name,
        replies
            .last()
            .map(|(_, reply, took)| (reply.to_string(), *took)),
        metrics.len(),
    );
    drop(gateway);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Seen {
        replies,
        neighbour_calls,
        worst,
        growth_kib: end.saturating_sub(baseline),
        metrics,
    })
}

impl Seen {
    /// What every attack must leave: the neighbour answered throughout within 250 ms, each
    /// attacking call ended within its check's 3 s deadline and a second with something to
    /// say, the neighbour hit no limit, and the gateway grew by at most `rss_bound_mib`.
    fn assert_harmless(&self, rss_bound_mib: u64) {
        assert!(self.neighbour_calls >= 5);
        assert!(
            self.worst < std::time::Duration::from_millis(250),
            "the neighbour waited {:?}",
            self.worst
        );
        for (status, reply, took) in &self.replies {
            assert_eq!(*status, 200, "{reply}");
            assert!(
                *took < std::time::Duration::from_secs(4),
                "the attacker's call took {took:?}"
            );
            assert!(
                !reply["message"].as_str().unwrap_or_default().is_empty(),
                "something to say: {reply}"
            );
        }
        assert!(
            !self
                .metrics
                .lines()
                .any(|line| line.starts_with("slotline_limit_hits_total")
                    && line.contains("tenant=\"neighbour\"")),
            "the neighbour hit no limit"
        );
        assert!(
            self.growth_kib <= rss_bound_mib * 1024,
            "RSS grew by {} KiB, bound {rss_bound_mib} MiB",
            self.growth_kib
        );
    }

    /// [`Seen::assert_harmless`], and the attack was stopped by `limit`, counted for the
    /// attacker.
    fn assert_contained(&self, limit: &str, rss_bound_mib: u64) {
        self.assert_harmless(rss_bound_mib);
        assert!(
            self.metrics
                .lines()
                .any(|line| line.starts_with("slotline_limit_hits_total")
                    && line.contains("tenant=\"attacker\"")
                    && line.contains(&format!("limit=\"{limit}\""))),
            "counted as the attacker's {limit}"
        );
    }
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
    let seen = under_attack(Attack {
        name: "flood",
        settings: format!("mode = \"flood-cache\", count = \"{FLOOD}\""),
        calls: 1,
    })
    .await?;
    // The cache's 16 MiB, as moka and the key index hold it, and allocator slack.
    seen.assert_contained("cache_bytes", 96);
    let report = seen.replies[0].1["message"].as_str().unwrap_or_default();
    let [written, listed, pages, largest] = numbers(report)[..] else {
        return Err(format!("not the flood's report: {report}").into());
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
    Ok(())
}

#[tokio::test]
async fn plugins_streaming_a_gigabyte_request_body_are_cut_at_the_cap_and_hold_no_memory()
-> TestResult {
    let seen = under_attack(Attack {
        name: "stream",
        settings: format!(
            "mode = \"post-body\", url = \"{STREAM_ORIGIN}/bookings\", body_mib = \"1024\""
        ),
        calls: 8,
    })
    .await?;
    // Each call may hold its 1 MiB cap at most; a body collected whole would be 1 GiB.
    seen.assert_contained("request_size", 48);
    for (_, reply, _) in &seen.replies {
        assert_eq!(reply["success"], false, "{reply}");
    }
    Ok(())
}

#[tokio::test]
async fn plugins_trying_thousands_of_origins_keep_the_metrics_small() -> TestResult {
    let seen = under_attack(Attack {
        name: "origins",
        settings: "mode = \"many-origins\"".to_owned(),
        calls: 50,
    })
    .await?;
    seen.assert_contained("outbound_budget", 32);
    for (_, reply, _) in &seen.replies {
        assert_eq!(reply["message"], "denied 16", "{reply}");
    }
    let series = seen
        .metrics
        .lines()
        .filter(|line| !line.starts_with('#') && line.contains("tenant=\"attacker\""))
        .count();
    // 50,000 host names tried: a label each would be 50,000 series.
    assert!(series < 100, "{series} series for the attacker");
    assert!(
        seen.metrics.len() < 256 * 1024,
        "/metrics is {} bytes",
        seen.metrics.len()
    );
    Ok(())
}

#[tokio::test]
async fn plugins_writing_bodies_they_never_send_are_held_to_the_streams_buffers() -> TestResult {
    let seen = under_attack(Attack {
        name: "unsent",
        settings: format!(
            "mode = \"unsent-body\", url = \"{STREAM_ORIGIN}/bookings\", body_mib = \"64\""
        ),
        calls: 8,
    })
    .await?;
    for (_, reply, _) in &seen.replies {
        let report = reply["message"].as_str().unwrap_or_default();
        let taken = numbers(report).first().copied().unwrap_or(u64::MAX);
        // 16 bodies of 64 MiB would be 1 GiB: each stream takes what its buffer holds, never
        // more than the 1 MiB a request body may have.
        assert!(taken <= 16 * 1024 * 1024, "{report}");
    }
    // Nothing is refused (the streams only stop taking more): no limit to count.
    seen.assert_harmless(48);
    Ok(())
}
