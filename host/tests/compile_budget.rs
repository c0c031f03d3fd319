//! Uploads compile in a child process held to `runtime.compile`'s time and memory budget: a
//! component crafted to be expensive to compile is refused with a 422 naming the budget, the
//! limit is counted, no worker is left behind, the neighbour tenant's calls are answered
//! throughout, and an ordinary upload still compiles through the same worker and serves.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod common;

use common::{Gateway, TestResult, free_port, start};

const RETELL_KEY: &str = "retell-key";
const OPERATOR: &str = "operator-token";

fn test_plugin() -> Result<PathBuf, Box<dyn std::error::Error>> {
    let plugin = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/wasm32-wasip2/guest/slotline_test_plugin.wasm");
    if !plugin.is_file() {
        return Err("the test plugin is not built: run `make guest` (or `make test`)".into());
    }
    Ok(plugin)
}

/// A gateway whose uploads compile within `time_limit_ms` and `memory_limit_mib`, with the
/// tenants `uploader` (where uploads go) and `neighbour` (calling throughout).
async fn gateway(
    dir: &Path,
    time_limit_ms: u64,
    memory_limit_mib: u64,
) -> Result<Gateway, Box<dyn std::error::Error>> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)?;
    let port = free_port()?;
    let plugin = test_plugin()?;
    let mut text = format!(
        "[server]\nlisten = \"127.0.0.1:{port}\"\ndata_dir = \"{data}\"\nadmin_token = \"{OPERATOR}\"\n\n\
         [runtime.compile]\ntime_limit_ms = {time_limit_ms}\nmemory_limit_mib = {memory_limit_mib}\n",
        data = dir.join("data").display(),
    );
    for (tenant, reply) in [("uploader", "uploader-ok"), ("neighbour", "neighbour-ok")] {
        text.push_str(&format!(
            "\n[tenants.{tenant}]\nplugin = \"{plugin}\"\nretell_api_key = \"{RETELL_KEY}\"\n\
             calls = {{ max_tool_calls = 100000, per_minute = 100000, tenant_per_second = 0 }}\n\
             settings = {{ mode = \"echo\", reply = \"{reply}\" }}\n",
            plugin = plugin.display(),
        ));
    }
    let config = dir.join("slotline.toml");
    std::fs::write(&config, text)?;
    start(&config, port, &[]).await
}

/// A component that passes every check made before compiling (its only export is named as
/// the booking interface, it imports nothing) and whose one core module holds 3,000 functions
/// of 1,200 instructions each: seconds of Cranelift and hundreds of MiB to compile.
fn compile_bomb() -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut module = String::from("(core module $m\n");
    for f in 0..3_000u64 {
        module.push_str(&format!(
            "(func $f{f} (param i64) (result i64) (local.get 0)"
        ));
        for i in 0..300u64 {
            module.push_str(&format!(
                " (i64.const {}) i64.mul (local.get 0) i64.xor",
                i * f + 1
            ));
        }
        module.push_str(")\n");
    }
    module.push_str("(func (export \"f\")))\n");
    let text = format!(
        "(component {module}\
         (core instance $i (instantiate $m))\
         (func $f (canon lift (core func $i \"f\")))\
         (instance $booking (export \"parse-date\" (func $f)))\
         (export \"slotline:plugin/booking@0.2.0\" (instance $booking)))"
    );
    Ok(wat::parse_str(text)?)
}

async fn upload(gateway: &Gateway, bytes: Vec<u8>) -> Result<(u16, Value), reqwest::Error> {
    let response = reqwest::Client::new()
        .post(format!(
            "{}/v1/admin/tenants/uploader/plugins?activate=true",
            gateway.url
        ))
        .bearer_auth(OPERATOR)
        .body(bytes)
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

/// One signed tool call to `tenant`: its status, reply and time taken.
async fn call(
    client: &reqwest::Client,
    gateway_url: &str,
    tenant: &str,
    call_id: &str,
) -> Result<(u16, String, Duration), reqwest::Error> {
    let body = json!({
        "name": "check_availability",
        "args": {"date": "2026-11-26"},
        "call": {"call_id": call_id},
    })
    .to_string();
    let now = chrono::Utc::now().timestamp_millis();
    let signature = slotline::server::signature::sign(body.as_bytes(), RETELL_KEY.as_bytes(), now);
    let started = Instant::now();
    let response = client
        .post(format!("{gateway_url}/v1/retell/{tenant}"))
        .header("x-retell-signature", signature)
        .body(body)
        .send()
        .await?;
    let status = response.status().as_u16();
    let text = response.text().await?;
    Ok((status, text, started.elapsed()))
}

/// Children of `pid` still alive: compile workers left behind.
fn children(pid: u32) -> Vec<String> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok())
        .flat_map(|list| {
            list.split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// What happened to a bomb's upload and to the neighbour meanwhile.
struct Bombed {
    status: u16,
    body: Value,
    /// The upload's time until its answer.
    took: Duration,
    /// The neighbour's slowest call, and how many it made.
    worst: Duration,
    calls: usize,
}

impl Bombed {
    /// The upload was refused for the budget set by `key` and counted as `limit`, no worker
    /// is left, and the neighbour was answered quickly throughout. Returns the upload's time.
    async fn assert_stopped_at(
        &self,
        gateway: &Gateway,
        key: &str,
        limit: &str,
    ) -> Result<Duration, reqwest::Error> {
        let Self {
            status,
            body,
            worst,
            calls,
            ..
        } = self;
        assert_eq!(*status, 422, "{body}");
        assert_eq!(body["error"]["code"], "compile_budget", "{body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(key), "{message}");
        assert!(
            *worst < Duration::from_millis(250),
            "the neighbour waited {worst:?} ({calls} calls)"
        );
        assert!(
            children(gateway.child.id()).is_empty(),
            "a compile worker was left behind"
        );
        assert!(counted(&metrics(gateway).await?, limit), "{limit} counted");
        Ok(self.took)
    }
}

/// Uploads the bomb to `gateway` while the neighbour calls.
async fn bomb_with_neighbour(gateway: &Gateway) -> Result<Bombed, Box<dyn std::error::Error>> {
    let bomb = compile_bomb()?;
    let done = Arc::new(AtomicBool::new(false));
    let neighbour = {
        let done = Arc::clone(&done);
        let url = gateway.url.clone();
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut worst = Duration::ZERO;
            let mut calls = 0usize;
            while !done.load(Ordering::Relaxed) || calls < 5 {
                let (status, text, took) =
                    call(&client, &url, "neighbour", &format!("n-{calls}")).await?;
                assert_eq!(status, 200, "{text}");
                assert!(
                    text.contains("neighbour-ok"),
                    "the neighbour's own answer: {text}"
                );
                worst = worst.max(took);
                calls += 1;
            }
            Ok::<_, reqwest::Error>((worst, calls))
        })
    };
    let started = Instant::now();
    let answer = upload(gateway, bomb).await;
    let took = started.elapsed();
    done.store(true, Ordering::Relaxed);
    let (worst, calls) = neighbour.await??;
    let (status, body) = answer?;
    Ok(Bombed {
        status,
        body,
        took,
        worst,
        calls,
    })
}

async fn metrics(gateway: &Gateway) -> Result<String, reqwest::Error> {
    reqwest::get(format!("{}/metrics", gateway.url))
        .await?
        .text()
        .await
}

fn counted(metrics: &str, limit: &str) -> bool {
    metrics.lines().any(|line| {
        line.starts_with("slotline_limit_hits_total")
            && line.contains(&format!("limit=\"{limit}\""))
            && line.contains("tenant=\"uploader\"")
            && !line.ends_with(" 0")
    })
}

#[tokio::test]
async fn a_compile_past_its_time_limit_is_stopped_and_the_neighbour_is_served() -> TestResult {
    let dir = std::env::temp_dir().join(format!("slotline-compile-time-{}", std::process::id()));
    let gateway = gateway(&dir, 300, 4096).await?;
    let took = bomb_with_neighbour(&gateway)
        .await?
        .assert_stopped_at(&gateway, "runtime.compile.time_limit_ms", "compile_time")
        .await?;
    // Killed at its limit, not compiled to the end (seconds): bounded generously.
    assert!(took < Duration::from_secs(3), "the refusal took {took:?}");
    // Nothing was stored: the tenant has no uploaded version.
    let versions: Value = reqwest::Client::new()
        .get(format!("{}/v1/admin/tenants/uploader/plugins", gateway.url))
        .bearer_auth(OPERATOR)
        .send()
        .await?
        .json()
        .await?;
    assert!(
        versions["versions"].as_array().is_none_or(Vec::is_empty),
        "{versions}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

#[tokio::test]
async fn a_compile_past_its_memory_limit_is_stopped_and_an_ordinary_upload_still_serves()
-> TestResult {
    let dir = std::env::temp_dir().join(format!("slotline-compile-memory-{}", std::process::id()));
    let gateway = gateway(&dir, 60_000, 160).await?;
    bomb_with_neighbour(&gateway)
        .await?
        .assert_stopped_at(
            &gateway,
            "runtime.compile.memory_limit_mib",
            "compile_memory",
        )
        .await?;

    // The same worker, within the same budget, compiles a real plugin, which then answers.
    let mut plugin = std::fs::read(test_plugin()?)?;
    // A custom section makes these bytes a new digest, so nothing precompiled is reused.
    plugin.extend_from_slice(&[0, 7, 6, b'f', b'r', b'e', b's', b'h', b'!']);
    let (status, body) = upload(&gateway, plugin).await?;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["active"], true, "{body}");
    let (status, text, _) = call(
        &reqwest::Client::new(),
        &gateway.url,
        "uploader",
        "after-upload",
    )
    .await?;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("uploader-ok"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
