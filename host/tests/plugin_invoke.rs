//! `slotline plugin invoke` as a user runs it: the real binary, a configuration file, one tool
//! call, the reply on stdout and the timing on stderr.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

mod common;

use common::TestResult;

/// A scratch directory per test and process, removed when the test ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> std::io::Result<Self> {
        let dir =
            std::env::temp_dir().join(format!("slotline-invoke-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        Ok(Self(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Tenant `acme` on the default plugin, its clock frozen on Wednesday 25 November 2026, 10:00.
fn write_config(dir: &Path, calendar: Option<SocketAddr>) -> std::io::Result<PathBuf> {
    let calendar = calendar.map_or_else(|| "127.0.0.1:9".to_owned(), |addr| addr.to_string());
    let text = format!(
        r#"
[tenants.acme]
timezone = "Europe/Berlin"
locale = "de"
fixed_now = "2026-11-25T10:00:00+01:00"
allowed_outbound = ["http://{calendar}"]

[tenants.acme.settings]
calcom_base_url = "http://{calendar}/v2"
calcom_api_key = "cal_test_demo"
services = '[{{"name": "Beratung", "event_type_id": 1001, "duration": 30}}]'
"#
    );
    let path = dir.join("slotline.toml");
    std::fs::write(&path, text)?;
    Ok(path)
}

fn slotline(config: &Path, args: &[&str]) -> std::io::Result<Output> {
    Command::new(env!("CARGO_BIN_EXE_slotline"))
        .arg("--config")
        .arg(config)
        .args(["plugin", "invoke"])
        .args(args)
        // Keep the test independent of the developer's environment.
        .env_remove("SLOTLINE_LOG")
        .env_remove("SLOTLINE_CONFIG")
        .output()
}

/// The reply printed on stdout, after checking the command succeeded and timed the call.
fn reply(output: &Output) -> Result<Value, Box<dyn std::error::Error>> {
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("slotline plugin invoke failed: {stderr}").into());
    }
    assert!(
        stderr.contains(" answered in ") && stderr.contains(" ms"),
        "no timing on stderr: {stderr}"
    );
    Ok(serde_json::from_slice(&output.stdout)?)
}

#[test]
fn parse_date_prints_the_webhook_reply() -> TestResult {
    let scratch = Scratch::new("parse")?;
    let config = write_config(&scratch.0, None)?;

    let output = slotline(
        &config,
        &[
            "--tenant",
            "acme",
            "parse_date",
            r#"{"text": "morgen um 15 Uhr"}"#,
        ],
    )?;
    assert_eq!(
        reply(&output)?,
        json!({
            "success": true,
            "message": "Das wäre morgen um 15 Uhr.",
            "data": {
                "date": "2026-11-26",
                "time": "15:00",
                "start": "2026-11-26T15:00:00+01:00",
                "weekday": "thursday",
            },
        })
    );
    // Only the reply goes to stdout, so scripts can pipe it into jq.
    assert_eq!(output.stdout.iter().filter(|&&b| b == b'\n').count(), 1);

    // The WIT spelling, German argument names and a missing argument, as on the webhook.
    let wit_name = slotline(
        &config,
        &[
            "--tenant",
            "acme",
            "parse-date",
            r#"{"datum": "übermorgen"}"#,
        ],
    )?;
    assert_eq!(reply(&wit_name)?["data"]["date"], "2026-11-27");
    let missing = reply(&slotline(&config, &["--tenant", "acme", "parse_date"])?)?;
    assert_eq!(missing["success"], false);
    assert_eq!(missing["error"]["code"], "missing_argument");
    Ok(())
}

#[test]
fn mistakes_are_named_and_fail_the_command() -> TestResult {
    let scratch = Scratch::new("mistakes")?;
    let config = write_config(&scratch.0, None)?;
    let cases: [(&[&str], &str); 3] = [
        (&["--tenant", "nobody", "parse_date", "{}"], "\"nobody\""),
        (&["--tenant", "acme", "book_it", "{}"], "create_booking"),
        (&["--tenant", "acme", "parse_date", "{text"], "not JSON"),
    ];
    for (args, expected) in cases {
        let output = slotline(&config, args)?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(output.stdout.is_empty(), "{args:?} printed a reply");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_availability_asks_the_calendar() -> TestResult {
    // The demo calendar around the frozen day: Thursday the 26th is taken at 15:00.
    let calendar = common::demo_calendar().await?;
    let scratch = Scratch::new("check")?;
    let config = write_config(&scratch.0, Some(calendar.addr))?;

    let output = tokio::task::spawn_blocking(move || {
        slotline(
            &config,
            &[
                "--tenant",
                "acme",
                "--from",
                "+4915112345678",
                "check_availability",
                r#"{"datum": "2026-11-26", "uhrzeit": "15:00"}"#,
            ],
        )
    })
    .await??;
    let reply = reply(&output)?;
    assert_eq!(reply["success"], true, "{reply}");
    assert_eq!(reply["data"]["available"], false);
    assert_eq!(reply["data"]["requested"], "2026-11-26T15:00:00+01:00");
    let slots = reply["data"]["slots"].as_array().ok_or("no slots")?;
    assert!(
        slots.contains(&json!("2026-11-26T14:30:00+01:00")),
        "{reply}"
    );
    assert!(
        !slots.contains(&json!("2026-11-26T15:00:00+01:00")),
        "{reply}"
    );
    assert!(
        reply["message"]
            .as_str()
            .is_some_and(|message| message.contains("vergeben")),
        "{reply}"
    );
    Ok(())
}
