//! What the call log costs a cached call: two gateways on the gateway's CPU, the same
//! configuration but `call_log.enabled`, driven alternately with the same calls. Each is
//! measured twice and its better round kept, so one noisy moment on this shared machine does
//! not decide the comparison.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::Path;

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};

use crate::control::{Connection, RepeatedCall, Simulator};
use crate::processes::{self, Pinning};
use crate::report::{Goal, Row};
use crate::{Cli, Plan, load};

/// Rounds per gateway; the best of them counts.
const ROUNDS: usize = 2;
/// The phone call ids of each round's sequential and saturation calls: fresh ones every
/// time, as a phone call's tool calls are limited.
const PREFIXES: [[&str; 2]; ROUNDS] = [
    ["log-1-sequential", "log-1-saturation"],
    ["log-2-sequential", "log-2-saturation"],
];

/// The best cached-call figures one gateway reached.
#[derive(Debug, Default)]
struct Best {
    p50_us: Option<f64>,
    rps: Option<f64>,
    cpu_us: Option<f64>,
}

impl Best {
    fn add(&mut self, p50_us: f64, rps: f64, cpu_us: f64) {
        self.p50_us = Some(self.p50_us.map_or(p50_us, |best| best.min(p50_us)));
        self.rps = Some(self.rps.map_or(rps, |best| best.max(rps)));
        self.cpu_us = Some(self.cpu_us.map_or(cpu_us, |best| best.min(cpu_us)));
    }
}

/// The cached call's p50 and throughput with the call log on and off, and the overhead.
pub async fn call_log_phase(
    bin_dir: &Path,
    pinning: &Pinning,
    sim: Simulator,
    cli: &Cli,
    plan: &Plan,
) -> Result<Vec<Row>> {
    let slotline = bin_dir.join("slotline");
    let mut servers = Vec::new();
    for (label, enabled) in [("call log on", true), ("call log off", false)] {
        let args = move |addr: SocketAddr, dir: &Path| {
            let config = dir.join("slotline.toml");
            let text = processes::call_log_config_toml(addr, sim.0, &dir.join("data"), enabled)?;
            std::fs::write(&config, text).context("cannot write the gateway's configuration")?;
            Ok(vec![
                OsString::from("--config"),
                config.into_os_string(),
                OsString::from("serve"),
            ])
        };
        let name = if enabled { "log-on" } else { "log-off" };
        let server = processes::Server::start(name, &slotline, pinning, "/readyz", args).await?;
        servers.push((label, server));
    }
    let args = json!({"date": "2026-11-26", "time": "15:00"});
    for (_, server) in &servers {
        Connection::open(server.addr)
            .await?
            .tool("log-warm-up", "check_availability", args.clone())
            .await?;
    }
    let before = sim.requests().await?;
    let mut best = [Best::default(), Best::default()];
    for (round, [sequential, saturation]) in PREFIXES.into_iter().enumerate() {
        for ((label, server), best) in servers.iter().zip(&mut best) {
            let call = RepeatedCall::new("check_availability", args.clone(), sequential);
            let latencies =
                load::sequential(server.addr, &call, plan.sequential_warmup, plan.sequential)
                    .await?;
            let call = RepeatedCall::new("check_availability", args.clone(), saturation);
            let cpu_before = server.cpu_time();
            let throughput = load::saturate(
                server.addr,
                &call,
                cli.connections,
                plan.saturation_warmup,
                plan.saturation,
            )
            .await?;
            ensure!(
                throughput.failed == 0 && throughput.ok > 0,
                "{label}: {} of {} calls failed",
                throughput.failed,
                throughput.ok + throughput.failed
            );
            let cpu = server
                .cpu_time()
                .zip(cpu_before)
                .and_then(|(after, before)| after.checked_sub(before))
                .context("no CPU time for the gateway (/proc)")?;
            // The warm-up's calls are in the CPU time too.
            let calls = throughput.ok as f64
                * (plan.saturation + plan.saturation_warmup).as_secs_f64()
                / throughput.elapsed.as_secs_f64();
            let cpu_us = cpu.as_secs_f64() * 1e6 / calls;
            let p50 = latencies.quantile(0.5).as_secs_f64() * 1e6;
            println!(
                "{label}, round {}: p50 {p50:.0} µs, {:.0} calls/s, {cpu_us:.0} µs of CPU per call",
                round + 1,
                throughput.per_second()
            );
            best.add(p50, throughput.per_second(), cpu_us);
        }
    }
    let after = sim.requests().await?;
    ensure!(
        after == before,
        "the call log comparison reached Cal.com {} times: not answered from the cache",
        after - before
    );
    let logged = logged_calls(servers[0].1.addr).await?;
    ensure!(
        logged > 0,
        "the gateway with the call log on logged no call"
    );
    for (_, server) in servers {
        server.stop()?;
    }
    let [on, off] = best;
    let (Some(on_p50), Some(off_p50), Some(on_rps), Some(off_rps), Some(on_cpu), Some(off_cpu)) = (
        on.p50_us, off.p50_us, on.rps, off.rps, on.cpu_us, off.cpu_us,
    ) else {
        anyhow::bail!("no round was measured");
    };
    Ok(vec![
        Row::measured("call_log_on_p50_us", "µs", on_p50, None),
        Row::measured("call_log_off_p50_us", "µs", off_p50, None),
        Row::measured(
            "call_log_p50_overhead_percent",
            "%",
            100.0 * (on_p50 / off_p50 - 1.0),
            Some(Goal::AtMost(5.0)),
        ),
        Row::measured("call_log_on_rps", "calls/s", on_rps, None),
        Row::measured("call_log_off_rps", "calls/s", off_rps, None),
        Row::measured(
            "call_log_rps_overhead_percent",
            "%",
            100.0 * (1.0 - on_rps / off_rps),
            Some(Goal::AtMost(5.0)),
        ),
        Row::measured("call_log_on_cpu_us", "µs", on_cpu, None),
        Row::measured("call_log_off_cpu_us", "µs", off_cpu, None),
    ])
}

/// Whether the gateway logged: the newest tool call in its log (the writer may still be
/// committing the last batch, so any logged call will do).
async fn logged_calls(gateway: SocketAddr) -> Result<usize> {
    let path = format!("/v1/admin/tenants/{}/calls?limit=1", crate::control::TENANT);
    let reply = crate::control::admin_get(gateway, &path).await?;
    let reply: Value = serde_json::from_slice(&reply)?;
    Ok(reply["calls"].as_array().map_or(0, Vec::len))
}
