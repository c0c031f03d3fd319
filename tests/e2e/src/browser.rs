//! A real headless Chromium for the console tests, driven over WebDriver by `fantoccini`
//! through Debian's `chromedriver` (`make test` installs `chromium` and `chromium-driver` when
//! missing; see `tests/services/with-services.sh`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder};
use serde_json::json;

/// How long a page may take to show what a test waits for: generous, the machine is shared.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A `chromedriver` of this test's own; killed when dropped.
pub struct Browser {
    driver: Child,
    port: u16,
    profile: PathBuf,
}

fn find(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    if let Ok(path) = std::env::var(env) {
        return Some(PathBuf::from(path));
    }
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|path| path.is_file())
}

fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    Ok(listener.local_addr()?.port())
}

impl Browser {
    /// Starts `chromedriver` and waits until it answers.
    pub async fn start() -> Result<Self> {
        let driver_path = find(
            "SLOTLINE_TEST_CHROMEDRIVER",
            &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"],
        )
        .context(
            "chromedriver is not installed: run `make test` (it installs Debian's chromium and \
             chromium-driver), or set SLOTLINE_TEST_CHROMEDRIVER",
        )?;
        let port = free_port()?;
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start {}", driver_path.display()))?;
        let profile =
            std::env::temp_dir().join(format!("slotline-chromium-{}-{port}", std::process::id()));
        let browser = Self {
            driver,
            port,
            profile,
        };
        let status = format!("http://127.0.0.1:{port}/status");
        let http = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Ok(response) = http.get(&status).send().await
                && response.status().is_success()
            {
                return Ok(browser);
            }
            if started.elapsed() > PATIENCE {
                bail!("chromedriver did not answer on port {port} within {PATIENCE:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A new headless Chromium session of `width` × `height`.
    pub async fn session(&self, width: u32, height: u32) -> Result<Client> {
        let binary = find(
            "SLOTLINE_TEST_CHROMIUM",
            &["/usr/bin/chromium", "/usr/bin/chromium-browser"],
        )
        .context("chromium is not installed: run `make test`, or set SLOTLINE_TEST_CHROMIUM")?;
        let options = json!({
            "binary": binary,
            "args": [
                "--headless=new",
                // The tests run as root in CI, where Chromium's sandbox cannot start.
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--hide-scrollbars",
                format!("--window-size={width},{height}"),
                format!("--user-data-dir={}", self.profile.display()),
            ],
        });
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("goog:chromeOptions".into(), options);
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .context("chromedriver refused a session")?;
        Ok(client)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Where the console tests leave their screenshots: `target/console-screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("console-screenshots")
}

/// Saves what `client` shows as `<dir>/<name>.png`.
pub async fn screenshot(client: &Client, dir: &Path, name: &str) -> Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let png = client.screenshot().await?;
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, png)?;
    Ok(path)
}
