//! Crash safety with a real process: a gateway killed between storing a new plugin version and
//! activating it comes back serving the previous version, with the store consistent.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

mod common;

use common::{Gateway, TestResult, free_port, start};

const OPERATOR: &str = "operator-token";
const RETELL_KEY: &str = "retell-key";

fn write_config(dir: &Path, port: u16, calendar: SocketAddr) -> std::io::Result<PathBuf> {
    let path = dir.join("slotline.toml");
    let text = format!(
        r#"
[server]
listen = "127.0.0.1:{port}"
data_dir = "{data}"
admin_token = "{OPERATOR}"

[tenants.demo]
retell_api_key = "{RETELL_KEY}"
allowed_outbound = ["http://{calendar}"]
fixed_now = "2026-11-25T10:00:00+01:00"

[tenants.demo.settings]
calcom_base_url = "http://{calendar}/v2"
calcom_api_key = "cal_test_demo"
services = '[{{"name": "Beratung", "event_type_id": 1001, "duration": 30}}]'
mode = "echo"
reply = "version two"
"#,
        data = dir.join("data").display(),
    );
    std::fs::write(&path, text)?;
    Ok(path)
}

async fn upload(gateway: &Gateway, bytes: Vec<u8>) -> reqwest::Result<reqwest::Response> {
    reqwest::Client::new()
        .post(format!(
            "{}/v1/admin/tenants/demo/plugins?activate=true",
            gateway.url
        ))
        .bearer_auth(OPERATOR)
        .body(bytes)
        .send()
        .await
}

async fn check(gateway: &Gateway) -> Result<Value, Box<dyn std::error::Error>> {
    let body = json!({
        "name": "check_availability",
        "args": {"date": "2026-11-26", "time": "14:00"},
        "call": {"call_id": "crash-1"},
    })
    .to_string();
    let now = chrono::Utc::now().timestamp_millis();
    let signature = slotline::server::signature::sign(body.as_bytes(), RETELL_KEY.as_bytes(), now);
    Ok(reqwest::Client::new()
        .post(format!("{}/v1/retell/demo", gateway.url))
        .header("x-retell-signature", signature)
        .body(body)
        .send()
        .await?
        .json()
        .await?)
}

#[tokio::test]
async fn a_kill_between_upload_and_activation_leaves_the_previous_version_active() -> TestResult {
    let default_plugin = slotline::DEFAULT_PLUGIN
        .ok_or("run `make guest` first")?
        .to_vec();
    let test_plugin = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../target/wasm32-wasip2/guest/slotline_test_plugin.wasm"),
    )?;
    let calendar = common::demo_calendar().await?;

    let dir = std::env::temp_dir().join(format!("slotline-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let port = free_port()?;
    let config = write_config(&dir, port, calendar.addr)?;

    // Version 1 goes live normally.
    let first = start(&config, port, &[]).await?;
    assert_eq!(upload(&first, default_plugin).await?.status(), 201);
    assert!(
        check(&first).await?["data"]["slots"]
            .as_array()
            .is_some_and(|s| !s.is_empty())
    );
    drop(first);

    // Version 2 is stored, then the process dies before activating it.
    let mut dying = start(
        &config,
        port,
        &[("SLOTLINE_FAILPOINT", "upload-before-activate")],
    )
    .await?;
    assert!(
        upload(&dying, test_plugin).await.is_err(),
        "the process died mid-request"
    );
    let status = dying.child.wait()?;
    assert!(!status.success(), "{status:?}");

    // After a restart: version 1 still serves, version 2 is known but not active.
    let restarted = start(&config, port, &[]).await?;
    let reply = check(&restarted).await?;
    assert!(
        reply["data"]["slots"]
            .as_array()
            .is_some_and(|s| !s.is_empty()),
        "{reply}"
    );
    assert_ne!(reply["message"], "version two", "{reply}");
    let listing: Value = reqwest::Client::new()
        .get(format!("{}/v1/admin/tenants/demo/plugins", restarted.url))
        .bearer_auth(OPERATOR)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(listing["active"], 1, "{listing}");
    assert_eq!(
        listing["versions"].as_array().map(Vec::len),
        Some(2),
        "{listing}"
    );
    drop(restarted);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
