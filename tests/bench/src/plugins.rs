//! Plugin versions: compiling one, swapping the demo tenant onto a new one through the admin
//! API, the first call after a restart (the active version loads from its precompiled
//! artifact), and the memory one more tenant on a plugin version of its own costs.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use bytes::Bytes;
use serde_json::json;

use crate::control::{self, Connection, SignedCall};
use crate::processes::{Pinning, Stack};

/// Where `make guest` leaves the plugins, from the `target/release` directory of this binary.
pub fn guest_dir(bin_dir: &Path) -> Result<PathBuf> {
    let target = bin_dir.parent().context("target/release has no parent")?;
    Ok(target.join("wasm32-wasip2").join("guest"))
}

/// Reads a plugin `make guest` built.
pub fn read_plugin(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}: run `make guest`", path.display()))
}

/// `component` with a custom section `name` holding `payload` appended: the same plugin, as a
/// version with a digest of its own (a component may carry custom sections anywhere).
pub fn with_custom_section(component: &[u8], name: &str, payload: &[u8]) -> Vec<u8> {
    let mut content = leb128(name.len());
    content.extend_from_slice(name.as_bytes());
    content.extend_from_slice(payload);
    let mut out = component.to_vec();
    // Section id 0 (custom), its size, its content.
    out.push(0);
    out.extend(leb128(content.len()));
    out.extend(content);
    out
}

/// Unsigned LEB128, as WebAssembly writes sizes.
fn leb128(mut value: usize) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

/// Compiles `plugin` with `slotline plugin check` on the gateway's CPU, `runs` times; returns
/// the median of the compile times it reports.
pub fn compile_ms(slotline: &Path, pinning: &Pinning, plugin: &Path, runs: usize) -> Result<f64> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let mut command: Command = pinning.command(slotline, 0);
        let output = command
            .args(["plugin", "check"])
            .arg(plugin)
            .output()
            .context("cannot run `slotline plugin check`")?;
        let text = String::from_utf8_lossy(&output.stdout);
        ensure!(
            output.status.success(),
            "`slotline plugin check` failed: {text}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        // "  compiled in 362.7 ms"
        let millis = text
            .lines()
            .find_map(|line| line.trim().strip_prefix("compiled in "))
            .and_then(|rest| rest.strip_suffix(" ms"))
            .and_then(|number| number.parse::<f64>().ok())
            .with_context(|| {
                format!("no compile time in `slotline plugin check`'s output: {text}")
            })?;
        times.push(millis);
    }
    times.sort_by(f64::total_cmp);
    times
        .get(times.len() / 2)
        .copied()
        .context("no compile runs")
}

/// What swapping and restarting measured.
pub struct Swap {
    /// Upload until active, as the admin API's client waits for it (compilation included).
    pub swap: Duration,
    /// From starting the gateway process again until `/readyz` answers.
    pub restart_ready: Duration,
    /// The first tool call after the restart, on a fresh connection.
    pub first_call: Duration,
}

/// Uploads `component` (the default plugin, as a new version) to the demo tenant and activates
/// it; restarts the gateway and times the first call, which must run the uploaded version.
pub async fn swap_and_restart(stack: &mut Stack, component: &[u8]) -> Result<Swap> {
    let started = Instant::now();
    let uploaded = control::upload_and_activate(
        stack.gateway,
        control::TENANT,
        Bytes::copy_from_slice(component),
    )
    .await?;
    let swap = started.elapsed();
    let digest = uploaded["digest"]
        .as_str()
        .with_context(|| format!("the upload has no digest: {uploaded}"))?
        .to_owned();
    ensure!(
        control::plugin_digest(stack.gateway, control::TENANT).await? == digest,
        "the demo tenant does not run the uploaded version"
    );
    parse_date(stack, "swap").await?;

    let restart_ready = stack.restart_gateway().await?;
    let first_call = parse_date(stack, "restart").await?;
    ensure!(
        control::plugin_digest(stack.gateway, control::TENANT).await? == digest,
        "after the restart, the demo tenant does not run the uploaded version"
    );
    Ok(Swap {
        swap,
        restart_ready,
        first_call,
    })
}

/// One `parse_date` (no calendar involved) on a fresh connection, timed from sending.
async fn parse_date(stack: &Stack, call_id: &str) -> Result<Duration> {
    let mut connection = Connection::open(stack.gateway).await?;
    let call = SignedCall::new("parse_date", &json!({"text": "morgen um 15 Uhr"}), call_id)?;
    let started = Instant::now();
    let (status, reply) = connection.reply(&call).await?;
    let elapsed = started.elapsed();
    ensure!(
        status.is_success() && reply["success"] == true,
        "parse_date failed: {status} {reply}"
    );
    Ok(elapsed)
}

/// What one more tenant, on a plugin version of its own, costs in memory.
pub struct TenantsMemory {
    /// Tenants created (fewer than asked for when the time budget ran out).
    pub tenants: usize,
    /// The gateway's resident memory before, with the demo tenant only.
    pub baseline_kib: u64,
    /// The gateway's resident memory after every tenant answered one call.
    pub after_kib: u64,
    /// How long creating, uploading and calling took.
    pub elapsed: Duration,
}

impl TenantsMemory {
    pub fn per_tenant_kib(&self) -> f64 {
        let added = self.after_kib.saturating_sub(self.baseline_kib) as f64;
        added / self.tenants.max(1) as f64
    }
}

/// Creates up to `count` tenants through the admin API, each on its own version of the test
/// plugin (`component` with a distinct custom section, so a distinct digest, compiled and kept
/// apart), makes one call to each, and reads the gateway's resident memory before and after.
/// Stops adding tenants once `budget` has passed.
pub async fn tenants_memory(
    stack: &Stack,
    component: &[u8],
    count: usize,
    budget: Duration,
) -> Result<TenantsMemory> {
    // The demo tenant has answered calls before: its instance and cache are warm.
    parse_date(stack, "baseline").await?;
    let baseline_kib = resident_kib(stack.gateway_pid())?;
    let started = Instant::now();
    let mut tenants = 0;
    while tenants < count && started.elapsed() < budget {
        let tenant = format!("bench-{tenants:04}");
        let config = json!({
            "timezone": "Europe/Berlin",
            "locale": "de",
            "retell_api_key": slotline::demo::RETELL_API_KEY,
            "settings": {"mode": "echo", "reply": "ok"},
        });
        control::put_tenant(stack.gateway, &tenant, &config).await?;
        let version = with_custom_section(component, "slotline-bench", tenant.as_bytes());
        control::upload_and_activate(stack.gateway, &tenant, Bytes::from(version)).await?;
        let args = json!({"date": "2026-11-26", "time": "15:00"});
        let call = SignedCall::to(&tenant, "check_availability", &args, &tenant)?;
        let (status, reply) = Connection::open(stack.gateway).await?.reply(&call).await?;
        ensure!(
            status.is_success() && reply["success"] == true,
            "tenant {tenant}'s call failed: {status} {reply}"
        );
        tenants += 1;
    }
    let elapsed = started.elapsed();
    let after_kib = resident_kib(stack.gateway_pid())?;
    Ok(TenantsMemory {
        tenants,
        baseline_kib,
        after_kib,
        elapsed,
    })
}

/// `VmRSS` of process `pid`, from Linux's `/proc/<pid>/status`.
pub fn resident_kib(pid: u32) -> Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|number| number.trim().parse().ok())
        .with_context(|| format!("no VmRSS in {path}"))
}
