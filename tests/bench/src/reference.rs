//! The cached call next to references: the same logic compiled natively into the gateway,
//! and stock `wasmtime serve` answering a constant. Both run on the gateway's CPU, driven by the
//! same load generator with the same connections as the cached call at saturation.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use serde_json::json;

use crate::control::{self, Connection, RepeatedCall, Simulator};
use crate::processes::{self, Pinning};
use crate::report::{Goal, Row};
use crate::{Cli, Plan, load, plugins};

/// The same cached call served by the default plugin as WebAssembly and by its logic compiled
/// natively into the gateway (`slotline-native-gateway`, `tests/bench/native`), in one
/// process on the gateway's CPU: the gateway's CPU time per call of each, at saturation.
pub async fn native_phase(
    bin_dir: &Path,
    pinning: &Pinning,
    sim: Simulator,
    cli: &Cli,
    plan: &Plan,
) -> Result<Vec<Row>> {
    let goal = Goal::AtMost(1.5);
    let binary = bin_dir.join("slotline-native-gateway");
    if !binary.is_file() {
        let reason = format!(
            "{} is missing: `cargo build --release -p slotline-native` (`make bench` does)",
            binary.display()
        );
        return Ok(vec![Row::not_measured(
            "wasm_vs_native_ratio",
            &reason,
            goal,
        )]);
    }
    let args = |addr: SocketAddr, dir: &Path| {
        let config = dir.join("native.toml");
        std::fs::write(&config, processes::native_config_toml(addr, sim.0)?)
            .context("cannot write the native gateway's configuration")?;
        Ok(vec![OsString::from("--config"), config.into_os_string()])
    };
    let server = processes::Server::start("native", &binary, pinning, "/readyz", args).await?;
    let args = json!({"date": "2026-11-26", "time": "15:00"});
    // The plugin fills the cache that both answer from.
    Connection::open(server.addr)
        .await?
        .tool("native-warm-up", "check_availability", args.clone())
        .await?;
    let before = sim.requests().await?;
    let mut per_call = Vec::new();
    for (label, tenant) in [
        ("WebAssembly", control::TENANT),
        ("native", control::NATIVE_TENANT),
    ] {
        let call = RepeatedCall::new("check_availability", args.clone(), label).to(tenant);
        let (throughput, cpu) =
            saturate(&server, &call, cli, plan, &format!("cached call, {label}")).await?;
        let cpu = cpu.context("no CPU time for the native gateway (/proc)")?;
        ensure!(
            throughput.failed == 0 && throughput.ok > 0,
            "{label}: {} of {} calls failed",
            throughput.failed,
            throughput.ok + throughput.failed
        );
        // The warm-up's calls are in the CPU time too.
        let calls = throughput.ok as f64 * (plan.saturation + plan.saturation_warmup).as_secs_f64()
            / throughput.elapsed.as_secs_f64();
        let micros = cpu.as_secs_f64() * 1e6 / calls;
        println!(
            "  {:.0} calls/s, {micros:.0} µs of gateway CPU per call",
            throughput.per_second()
        );
        per_call.push(micros);
    }
    server.stop()?;
    let after = sim.requests().await?;
    ensure!(
        after == before,
        "the native comparison reached Cal.com {} times: not answered from the cache",
        after - before
    );
    let [wasm, native] = per_call[..] else {
        bail!("two measures expected");
    };
    Ok(vec![
        Row::measured("wasm_call_cpu_us", "µs", wasm, None),
        Row::measured("native_call_cpu_us", "µs", native, None),
        Row::measured("wasm_vs_native_ratio", "", wasm / native, Some(goal)),
    ])
}

/// The version of stock wasmtime the gateway embeds, which `make plugin-test` installs.
const WASMTIME_VERSION: &str = "48.0.8";

/// Stock `wasmtime serve` on the gateway's CPU, running a component that answers a fixed JSON
/// (`tests/bench/hello`), driven exactly like the cached call at saturation: Slotline's
/// throughput over the bare runtime's.
pub async fn wasmtime_serve_phase(
    bin_dir: &Path,
    pinning: &Pinning,
    cli: &Cli,
    plan: &Plan,
    cached_rps: f64,
) -> Result<Vec<Row>> {
    let goal = Goal::AtLeast(1.0);
    let target = bin_dir.parent().context("target/release has no parent")?;
    let wasmtime = std::env::var_os("WASMTIME").map_or_else(
        || target.join(format!("tools/wasmtime-{WASMTIME_VERSION}/bin/wasmtime")),
        PathBuf::from,
    );
    let version = std::process::Command::new(&wasmtime)
        .arg("--version")
        .output()
        .ok()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned());
    let wanted = format!("wasmtime {WASMTIME_VERSION}");
    if !version.as_deref().is_some_and(|v| v.starts_with(&wanted)) {
        let reason = format!(
            "{wanted} not found at {} (found: {}); \
             `cargo install wasmtime-cli --version {WASMTIME_VERSION} --locked --root \
             target/tools/wasmtime-{WASMTIME_VERSION}`",
            wasmtime.display(),
            version.as_deref().unwrap_or("none")
        );
        return Ok(vec![Row::not_measured(
            "vs_wasmtime_serve_ratio",
            &reason,
            goal,
        )]);
    }
    let hello = plugins::guest_dir(bin_dir)?.join("slotline_bench_hello.wasm");
    ensure!(
        hello.is_file(),
        "{} is missing: `make bench` builds it",
        hello.display()
    );
    // `-S cli`: Rust's standard library on wasip2 imports wasi:cli.
    let args = |addr: SocketAddr, _: &Path| {
        let mut args: Vec<OsString> = ["serve", "-S", "cli", "--addr"].map(OsString::from).into();
        args.push(addr.to_string().into());
        args.push(hello.into_os_string());
        Ok(args)
    };
    let server = processes::Server::start("wasmtime", &wasmtime, pinning, "/", args).await?;
    // The very request of the cached phase; the component answers it without reading it.
    let args = json!({"date": "2026-11-26", "time": "15:00"});
    let call = RepeatedCall::new("check_availability", args, "wasmtime-serve");
    let (throughput, cpu) =
        saturate(&server, &call, cli, plan, "wasmtime serve, a fixed JSON").await?;
    server.stop()?;
    ensure!(
        throughput.ok > 0,
        "wasmtime serve answered no call ({} failed)",
        throughput.failed
    );
    let rps = throughput.per_second();
    println!(
        "  {rps:.0} calls/s, {} failed; Slotline's cached call {cached_rps:.0} calls/s",
        throughput.failed
    );
    let mut rows = vec![
        Row::measured("wasmtime_serve_rps", "calls/s", rps, None),
        Row::measured("vs_wasmtime_serve_ratio", "", cached_rps / rps, Some(goal)),
    ];
    if let Some(cpu) = cpu {
        let window = (plan.saturation + plan.saturation_warmup).as_secs_f64();
        rows.push(Row::measured(
            "wasmtime_serve_cpu_percent",
            "%",
            100.0 * cpu.as_secs_f64() / window,
            None,
        ));
    }
    Ok(rows)
}

/// Drives `server` at saturation like the cached phase does, and returns its throughput and
/// the CPU time the server used meanwhile (`None` without `/proc`).
async fn saturate(
    server: &processes::Server,
    call: &RepeatedCall,
    cli: &Cli,
    plan: &Plan,
    what: &str,
) -> Result<(load::Throughput, Option<Duration>)> {
    println!(
        "{what}: {} connections for {} s after {} s warm-up",
        cli.connections,
        plan.saturation.as_secs_f64(),
        plan.saturation_warmup.as_secs_f64()
    );
    let cpu_before = server.cpu_time();
    let throughput = load::saturate(
        server.addr,
        call,
        cli.connections,
        plan.saturation_warmup,
        plan.saturation,
    )
    .await?;
    let cpu = server
        .cpu_time()
        .zip(cpu_before)
        .and_then(|(after, before)| after.checked_sub(before));
    Ok((throughput, cpu))
}
