//! `slotline agent export` as an operator runs it (the real binary, a configuration file)
//! gives the same definitions as `GET /v1/admin/tenants/{tenant}/agent` on a gateway serving
//! that file; a tool the tenant's configured plugin does not support is in neither.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod common;

use common::TestResult;

const TOKEN: &str = "operator-token";

/// A scratch directory per process, removed when the test ends.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Tenant `acme` on the default plugin (English), tenant `hours` on the opening-hours
/// example, which answers parse-date, reschedule-booking and list-bookings with
/// `not-supported`.
fn write_config(dir: &Path, port: u16) -> std::io::Result<PathBuf> {
    let hours = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/wasm32-wasip2/guest/slotline_example_opening_hours.wasm");
    assert!(
        hours.is_file(),
        "the example plugins are not built: run `make guest` (or `make test`)"
    );
    let text = format!(
        r#"
[server]
listen = "127.0.0.1:{port}"
admin_token = "{TOKEN}"

[tenants.acme]
timezone = "Europe/Berlin"
locale = "en"
allowed_outbound = ["http://127.0.0.1:9"]
timeouts = {{ read_ms = 2000, write_ms = 4000 }}

[tenants.acme.settings]
calcom_base_url = "http://127.0.0.1:9/v2"

[tenants.hours]
timezone = "Europe/Berlin"
plugin = "{}"
"#,
        hours.display()
    );
    let path = dir.join("slotline.toml");
    std::fs::write(&path, text)?;
    Ok(path)
}

/// Runs `slotline agent export` for `tenant` on `platform`, with `extra` arguments.
fn run_export(
    config: &Path,
    tenant: &str,
    platform: &str,
    extra: &[&str],
) -> std::io::Result<std::process::Output> {
    Command::new(env!("CARGO_BIN_EXE_slotline"))
        .arg("--config")
        .arg(config)
        .args([
            "agent",
            "export",
            "--tenant",
            tenant,
            "--platform",
            platform,
        ])
        .args(extra)
        .env_remove("SLOTLINE_LOG")
        .env_remove("SLOTLINE_CONFIG")
        .output()
}

fn cli_export(
    config: &Path,
    tenant: &str,
    platform: &str,
) -> Result<Value, Box<dyn std::error::Error>> {
    let output = run_export(config, tenant, platform, &[])?;
    if !output.status.success() {
        return Err(format!(
            "slotline agent export failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(serde_json::from_slice(&output.stdout)?)
}

#[tokio::test]
async fn the_cli_and_the_admin_endpoint_export_the_same_definitions() -> TestResult {
    let dir =
        Scratch(std::env::temp_dir().join(format!("slotline-agent-export-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&dir.0);
    std::fs::create_dir_all(&dir.0)?;
    let port = common::free_port()?;
    let config = write_config(&dir.0, port)?;
    let gateway = common::start(&config, port, &[]).await?;
    let http = reqwest::Client::new();
    for tenant in ["acme", "hours"] {
        for platform in ["retell", "vapi", "mcp"] {
            let served: Value = http
                .get(format!(
                    "{}/v1/admin/tenants/{tenant}/agent?platform={platform}",
                    gateway.url
                ))
                .bearer_auth(TOKEN)
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            let printed = cli_export(&config, tenant, platform)?;
            assert_eq!(printed, served, "{tenant} {platform}");
        }
    }
    let retell = cli_export(&config, "acme", "retell")?;
    let tools = retell["general_tools"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(tools.len(), 10);
    let booking = tools
        .iter()
        .find(|tool| tool["name"] == "create_booking")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        booking["url"],
        format!("http://127.0.0.1:{port}/v1/retell/acme")
    );
    // 4 s to write, the runtime's 1 s grace, 1 s for the network.
    assert_eq!(booking["timeout_ms"], 6000);
    assert_eq!(
        booking["execution_message_description"],
        "One moment, let me check."
    );

    let hours: BTreeSet<String> = cli_export(&config, "hours", "mcp")?["tools"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|tool| tool["name"].as_str().map(str::to_owned))
        .collect();
    for absent in ["parse_date", "reschedule_booking", "list_bookings"] {
        assert!(!hours.contains(absent), "{absent} exported: {hours:?}");
    }
    for present in [
        "check_availability",
        "create_booking",
        "request_callback",
        "get_context",
    ] {
        assert!(hours.contains(present), "{present} missing: {hours:?}");
    }

    let other = run_export(
        &config,
        "acme",
        "vapi",
        &["--url", "https://gw.example.com"],
    )?;
    let vapi: Value = serde_json::from_slice(&other.stdout)?;
    assert_eq!(
        vapi[0]["server"]["url"],
        "https://gw.example.com/v1/vapi/acme"
    );
    let unknown = run_export(&config, "acme", "dialogflow", &[])?;
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("retell, vapi and mcp"));
    Ok(())
}
