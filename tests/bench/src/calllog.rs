//! What the call log and its replay recordings cost a cached call: three gateways on the
//! gateway's CPU with the same configuration but for the log (off; on without recordings; on
//! with the default recordings), driven with the same calls in sets of rounds, one right after
//! another, their order rotating. Each overhead is the median of the sets' overheads: this
//! machine is shared (its steal time has reached 50%), and a slow minute then spoils one set,
//! not the comparison, where a best-of or a mean would keep it. Last, the recorded calls are
//! replayed on the gateway that recorded them: the replay rate.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::Path;

use anyhow::{Context, Result, ensure};
use bytes::Bytes;
use serde_json::{Value, json};

use crate::control::{self, Connection, RepeatedCall, Simulator};
use crate::processes::{self, LogMode, Pinning, Server};
use crate::report::{Goal, Row};
use crate::{Cli, Plan, load, plugins};

/// What one round on one gateway measured.
#[derive(Debug, Clone, Copy)]
struct Round {
    p50_us: f64,
    rps: f64,
    cpu_us: f64,
}

/// The gateways compared, in their index order.
const MODES: [(LogMode, &str); 3] = [
    (LogMode::Off, "call log off"),
    (LogMode::On, "call log on"),
    (LogMode::Recording, "call log on, recording"),
];

/// The cached call's p50 and throughput with the call log off, on, and on with recordings,
/// the overheads, and the replay rate of what was recorded.
pub async fn call_log_phase(
    bin_dir: &Path,
    pinning: &Pinning,
    sim: Simulator,
    cli: &Cli,
    plan: &Plan,
) -> Result<Vec<Row>> {
    let slotline = bin_dir.join("slotline");
    let mut servers = Vec::new();
    for (mode, _) in MODES {
        let args = move |addr: SocketAddr, dir: &Path| {
            let config = dir.join("slotline.toml");
            let text = processes::call_log_config_toml(addr, sim.0, &dir.join("data"), mode)?;
            std::fs::write(&config, text).context("cannot write the gateway's configuration")?;
            Ok(vec![
                OsString::from("--config"),
                config.into_os_string(),
                OsString::from("serve"),
            ])
        };
        servers.push(Server::start(mode.name(), &slotline, pinning, "/readyz", args).await?);
    }
    let args = json!({"date": "2026-11-26", "time": "15:00"});
    for server in &servers {
        Connection::open(server.addr)
            .await?
            .tool("log-warm-up", "check_availability", args.clone())
            .await?;
    }
    let before = sim.requests().await?;
    let mut sets = Vec::with_capacity(plan.paired_rounds);
    for set in 0..plan.paired_rounds {
        // Rotated each set: a machine that slows down or speeds up during a set favours none.
        let mut measured = [None; 3];
        for step in 0..MODES.len() {
            let index = (set + step) % MODES.len();
            let label = MODES[index].1;
            measured[index] = Some(round(&servers[index], &args, set, label, cli, plan).await?);
        }
        if let [Some(off), Some(on), Some(recording)] = measured {
            sets.push([off, on, recording]);
        }
    }
    let after = sim.requests().await?;
    ensure!(
        after == before,
        "the call log comparison reached Cal.com {} times: not answered from the cache",
        after - before
    );
    let logged = logged_calls(servers[1].addr).await?;
    ensure!(
        logged > 0,
        "the gateway with the call log on logged no call"
    );
    let replay = replay_rate(bin_dir, servers[2].addr).await?;
    let after_replay = sim.requests().await?;
    ensure!(
        after_replay == after,
        "the replay reached Cal.com {} times",
        after_replay - after
    );
    for server in servers {
        server.stop()?;
    }
    ensure!(!sets.is_empty(), "no round was measured");
    let of = |pick: &dyn Fn(&[Round; 3]) -> f64| median(sets.iter().map(pick));
    let overhead = |worse: usize, base: usize, field: fn(&Round) -> f64, higher_is_better| {
        of(&move |set: &[Round; 3]| {
            let (worse, base) = (field(&set[worse]), field(&set[base]));
            if higher_is_better {
                100.0 * (1.0 - worse / base)
            } else {
                100.0 * (worse / base - 1.0)
            }
        })
    };
    type Field = fn(&Round) -> f64;
    let (p50, rps, cpu): (Field, Field, Field) = (|r| r.p50_us, |r| r.rps, |r| r.cpu_us);
    Ok(vec![
        Row::measured("call_log_on_p50_us", "µs", of(&|s| s[1].p50_us), None),
        Row::measured("call_log_off_p50_us", "µs", of(&|s| s[0].p50_us), None),
        Row::measured(
            "call_log_p50_overhead_percent",
            "%",
            overhead(1, 0, p50, false),
            Some(Goal::AtMost(5.0)),
        ),
        Row::measured("call_log_on_rps", "calls/s", of(&|s| s[1].rps), None),
        Row::measured("call_log_off_rps", "calls/s", of(&|s| s[0].rps), None),
        Row::measured(
            "call_log_rps_overhead_percent",
            "%",
            overhead(1, 0, rps, true),
            Some(Goal::AtMost(5.0)),
        ),
        Row::measured("call_log_on_cpu_us", "µs", of(&|s| s[1].cpu_us), None),
        Row::measured("call_log_off_cpu_us", "µs", of(&|s| s[0].cpu_us), None),
        Row::measured(
            "call_log_cpu_overhead_percent",
            "%",
            overhead(1, 0, cpu, false),
            None,
        ),
        Row::measured("recording_on_rps", "calls/s", of(&|s| s[2].rps), None),
        Row::measured(
            "recording_rps_overhead_percent",
            "%",
            overhead(2, 1, rps, true),
            Some(Goal::AtMost(5.0)),
        ),
        Row::measured("recording_on_cpu_us", "µs", of(&|s| s[2].cpu_us), None),
        Row::measured(
            "recording_cpu_overhead_percent",
            "%",
            overhead(2, 1, cpu, false),
            None,
        ),
        Row::measured("replay_calls", "calls", replay.0, None),
        Row::measured("replay_calls_per_second", "calls/s", replay.1, None),
    ])
}

/// Replays the recorded calls of the recording gateway on the version that answered them
/// (uploaded as a version first): how many, and how many per second; every one the same.
async fn replay_rate(bin_dir: &Path, gateway: SocketAddr) -> Result<(f64, f64)> {
    let path = plugins::guest_dir(bin_dir)?.join("slotline_guest.wasm");
    let component =
        std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let uploaded =
        control::upload_and_activate(gateway, control::TENANT, Bytes::from(component)).await?;
    let version = uploaded["version"]
        .as_u64()
        .context("no version uploaded")?;
    let path = format!(
        "/v1/admin/tenants/{}/plugins/{version}/replay",
        control::TENANT
    );
    let report: Value = serde_json::from_slice(&control::admin_post(gateway, &path).await?)?;
    let totals = &report["totals"];
    let calls = totals["calls"].as_f64().unwrap_or(0.0);
    ensure!(calls > 0.0, "nothing was replayed: {totals}");
    ensure!(
        totals["same"] == totals["calls"],
        "the recorded version answered its own recordings otherwise: {totals}"
    );
    let rate = totals["calls_per_second"].as_f64().unwrap_or(0.0);
    println!(
        "replay: {calls} recorded calls at {rate:.0} calls/s; per call {} µs on the candidate, {} µs on the recorded version",
        totals["candidate_p50_us"], totals["recorded_version_p50_us"]
    );
    Ok((calls, rate))
}

/// One round on `server`: the cached call's sequential latency, then its throughput at
/// saturation and the CPU time each call took. Every round uses phone call ids of its own, as
/// a phone call's tool calls are limited.
async fn round(
    server: &Server,
    args: &Value,
    set: usize,
    label: &str,
    cli: &Cli,
    plan: &Plan,
) -> Result<Round> {
    let sequential = format!("log-{set}-sequential");
    let call = RepeatedCall::new("check_availability", args.clone(), sequential);
    let latencies =
        load::sequential(server.addr, &call, plan.sequential_warmup, plan.sequential).await?;
    let saturation = format!("log-{set}-saturation");
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
    let calls = throughput.ok as f64 * (plan.saturation + plan.saturation_warmup).as_secs_f64()
        / throughput.elapsed.as_secs_f64();
    let measured = Round {
        p50_us: latencies.quantile(0.5).as_secs_f64() * 1e6,
        rps: throughput.per_second(),
        cpu_us: cpu.as_secs_f64() * 1e6 / calls,
    };
    println!(
        "{label}, set {}: p50 {:.0} µs, {:.0} calls/s, {:.0} µs of CPU per call",
        set + 1,
        measured.p50_us,
        measured.rps,
        measured.cpu_us
    );
    Ok(measured)
}

/// The median of `values` (the mean of the middle two of an even count); 0 for none.
fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// Whether the gateway logged: the newest tool call in its log (the writer may still be
/// committing the last batch, so any logged call will do).
async fn logged_calls(gateway: SocketAddr) -> Result<usize> {
    let path = format!("/v1/admin/tenants/{}/calls?limit=1", crate::control::TENANT);
    let reply = crate::control::admin_get(gateway, &path).await?;
    let reply: Value = serde_json::from_slice(&reply)?;
    Ok(reply["calls"].as_array().map_or(0, Vec::len))
}
