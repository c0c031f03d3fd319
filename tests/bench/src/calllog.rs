//! What the call log costs a cached call: two gateways on the gateway's CPU, the same
//! configuration but `call_log.enabled`, driven with the same calls in pairs of rounds, one
//! right after the other, their order alternating. The overhead is the median of the pairs'
//! overheads: this machine is shared (its steal time has reached 50%), and a slow minute
//! then spoils one pair, not the comparison, where a best-of or a mean would keep it.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::Path;

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};

use crate::control::{Connection, RepeatedCall, Simulator};
use crate::processes::{self, Pinning, Server};
use crate::report::{Goal, Row};
use crate::{Cli, Plan, load};

/// What one round on one gateway measured.
#[derive(Debug, Clone, Copy)]
struct Round {
    p50_us: f64,
    rps: f64,
    cpu_us: f64,
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
    for enabled in [true, false] {
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
        servers.push(Server::start(name, &slotline, pinning, "/readyz", args).await?);
    }
    let args = json!({"date": "2026-11-26", "time": "15:00"});
    for server in &servers {
        Connection::open(server.addr)
            .await?
            .tool("log-warm-up", "check_availability", args.clone())
            .await?;
    }
    let before = sim.requests().await?;
    let mut pairs = Vec::with_capacity(plan.paired_rounds);
    for pair in 0..plan.paired_rounds {
        // On first in even pairs, off first in odd ones: a machine that slows down or speeds
        // up during a pair favours neither.
        let order = if pair % 2 == 0 { [0, 1] } else { [1, 0] };
        let mut measured = [None, None];
        for index in order {
            let label = if index == 0 {
                "call log on"
            } else {
                "call log off"
            };
            let round = round(&servers[index], &args, pair, label, cli, plan).await?;
            measured[index] = Some(round);
        }
        if let [Some(on), Some(off)] = measured {
            pairs.push((on, off));
        }
    }
    let after = sim.requests().await?;
    ensure!(
        after == before,
        "the call log comparison reached Cal.com {} times: not answered from the cache",
        after - before
    );
    let logged = logged_calls(servers[0].addr).await?;
    ensure!(
        logged > 0,
        "the gateway with the call log on logged no call"
    );
    for server in servers {
        server.stop()?;
    }
    ensure!(!pairs.is_empty(), "no round was measured");
    let of = |pick: fn(&(Round, Round)) -> f64| median(pairs.iter().map(pick));
    Ok(vec![
        Row::measured("call_log_on_p50_us", "µs", of(|(on, _)| on.p50_us), None),
        Row::measured("call_log_off_p50_us", "µs", of(|(_, off)| off.p50_us), None),
        Row::measured(
            "call_log_p50_overhead_percent",
            "%",
            of(|(on, off)| 100.0 * (on.p50_us / off.p50_us - 1.0)),
            Some(Goal::AtMost(5.0)),
        ),
        Row::measured("call_log_on_rps", "calls/s", of(|(on, _)| on.rps), None),
        Row::measured("call_log_off_rps", "calls/s", of(|(_, off)| off.rps), None),
        Row::measured(
            "call_log_rps_overhead_percent",
            "%",
            of(|(on, off)| 100.0 * (1.0 - on.rps / off.rps)),
            Some(Goal::AtMost(5.0)),
        ),
        Row::measured("call_log_on_cpu_us", "µs", of(|(on, _)| on.cpu_us), None),
        Row::measured("call_log_off_cpu_us", "µs", of(|(_, off)| off.cpu_us), None),
        Row::measured(
            "call_log_cpu_overhead_percent",
            "%",
            of(|(on, off)| 100.0 * (on.cpu_us / off.cpu_us - 1.0)),
            None,
        ),
    ])
}

/// One round on `server`: the cached call's sequential latency, then its throughput at
/// saturation and the CPU time each call took. Every round uses phone call ids of its own, as
/// a phone call's tool calls are limited.
async fn round(
    server: &Server,
    args: &Value,
    pair: usize,
    label: &str,
    cli: &Cli,
    plan: &Plan,
) -> Result<Round> {
    let sequential = format!("log-{pair}-sequential");
    let call = RepeatedCall::new("check_availability", args.clone(), sequential);
    let latencies =
        load::sequential(server.addr, &call, plan.sequential_warmup, plan.sequential).await?;
    let saturation = format!("log-{pair}-saturation");
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
        "{label}, pair {}: p50 {:.0} µs, {:.0} calls/s, {:.0} µs of CPU per call",
        pair + 1,
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
