//! A real `slotline serve` process on loopback, for the tests that need one: a crash, or the
//! process's own memory; and the demo calendar they talk to.

#![allow(
    dead_code,
    reason = "each test binary uses its own part of this module"
)]

pub mod services;

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A gateway process, killed when dropped.
pub struct Gateway {
    pub child: Child,
    pub url: String,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Starts `slotline serve --config config` with `env` set, and waits (bounded) until it
/// answers `/healthz` on `port`.
pub async fn start(
    config: &Path,
    port: u16,
    env: &[(&str, &str)],
) -> Result<Gateway, Box<dyn std::error::Error>> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_slotline"));
    command
        .arg("serve")
        .arg("--config")
        .arg(config)
        .env("SLOTLINE_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    let gateway = Gateway {
        child: command.spawn()?,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if reqwest::get(format!("{}/healthz", gateway.url))
            .await
            .is_ok()
        {
            return Ok(gateway);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err("the gateway did not come up".into())
}

/// The simulated demo calendar as of the frozen now of every test (Wednesday 25 November 2026,
/// 10:00 in Berlin): Thursday the 26th has 10:00 and 15:00 taken.
pub async fn demo_calendar() -> std::io::Result<calsim::RunningSimulator> {
    let mut seed =
        calsim::Seed::demo(chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default());
    seed.now = chrono::DateTime::parse_from_rfc3339("2026-11-25T10:00:00+01:00")
        .ok()
        .map(|now| now.with_timezone(&chrono::Utc));
    calsim::Simulator::new(seed)
        .spawn(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
}
