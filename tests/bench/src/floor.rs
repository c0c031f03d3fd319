//! The layers under the cached call, each measured at saturation on the same gateway in the
//! same run, so that what a layer costs is the difference of two rows:
//!
//! - `GET /healthz`: the HTTP floor of this stack (axum, hyper, the connection, no tool call);
//! - an empty plugin call: the whole webhook path (signature, parsing, dispatch, a fresh
//!   instance, the reply) to the test plugin in `echo` mode, which answers at once;
//! - `parse_date`: the default plugin on a tool that reads no cache and no calendar;
//! - the cached `check_availability` (measured by the cached phase; its CPU per call here).
//!
//! Each row's CPU per call is the gateway process's CPU time over the calls it answered.

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use bytes::Bytes;
use serde_json::json;

use crate::control::{self, Connection, RepeatedCall, SignedCall};
use crate::processes::Stack;
use crate::report::{Goal, Row};
use crate::{Cli, Plan, load, plugins};

/// The tenant on the empty plugin.
const EMPTY_TENANT: &str = "bench-empty";

/// The saturation rows of the layers; `check` is the cached call the cached phase measured.
pub async fn floor_phase(
    stack: &Stack,
    bin_dir: &std::path::Path,
    cli: &Cli,
    plan: &Plan,
    check: &RepeatedCall,
) -> Result<Vec<Row>> {
    set_up_empty_tenant(stack, bin_dir).await?;
    let parse = RepeatedCall::new(
        "parse_date",
        json!({"text": "morgen um 15 Uhr"}),
        "floor-parse",
    );
    let empty = RepeatedCall::new(
        "check_availability",
        json!({"date": "2026-11-26", "time": "15:00"}),
        "floor-empty",
    )
    .to(EMPTY_TENANT);
    let before = control::Simulator(stack.sim).requests().await?;
    let mut rows = Vec::new();
    for (what, call, rps_key, cpu_key, goal) in [
        (
            "GET /healthz",
            RepeatedCall::get("/healthz"),
            Some("healthz_rps"),
            "healthz_cpu_us",
            None,
        ),
        (
            "empty plugin call",
            empty,
            Some("empty_call_rps"),
            "empty_call_cpu_us",
            None,
        ),
        (
            "parse_date",
            parse,
            Some("parse_date_rps"),
            "parse_date_cpu_us",
            Some(Goal::AtLeast(12_000.0)),
        ),
        (
            "cached check_availability",
            check.clone(),
            // Its rate is the cached phase's row; here only its CPU is new.
            None,
            "cached_call_cpu_us",
            None,
        ),
    ] {
        let (throughput, cpu) = saturate(stack, &call, cli, plan, what).await?;
        ensure!(
            throughput.failed == 0 && throughput.ok > 0,
            "{what}: {} of {} calls failed",
            throughput.failed,
            throughput.ok + throughput.failed
        );
        let rps = throughput.per_second();
        // The warm-up's calls are in the CPU time too.
        let calls = throughput.ok as f64 * (plan.saturation + plan.saturation_warmup).as_secs_f64()
            / throughput.elapsed.as_secs_f64();
        let micros = cpu.map(|cpu| cpu.as_secs_f64() * 1e6 / calls);
        println!(
            "  {rps:.0} calls/s, {} µs of gateway CPU per call",
            micros.map_or_else(|| "?".to_owned(), |m| format!("{m:.0}"))
        );
        if let Some(key) = rps_key {
            rows.push(Row::measured(key, "calls/s", rps, goal));
        }
        if let Some(micros) = micros {
            rows.push(Row::measured(cpu_key, "µs", micros, None));
        }
    }
    let after = control::Simulator(stack.sim).requests().await?;
    ensure!(
        after == before,
        "the floor phase reached Cal.com {} times: a measured call left the gateway",
        after - before
    );
    Ok(rows)
}

/// A tenant on the test plugin in `echo` mode, checked by one call.
async fn set_up_empty_tenant(stack: &Stack, bin_dir: &std::path::Path) -> Result<()> {
    let path = plugins::guest_dir(bin_dir)?.join("slotline_test_plugin.wasm");
    let component = plugins::read_plugin(&path)?;
    let config = json!({
        "timezone": "Europe/Berlin",
        "locale": "de",
        "retell_api_key": slotline::demo::RETELL_API_KEY,
        "settings": {"mode": "echo", "reply": "ok"},
        // Saturation is the point, as for the demo tenant (see `processes::bench_config`).
        "calls": {"tenant_per_second": 0},
    });
    control::put_tenant(stack.gateway, EMPTY_TENANT, &config).await?;
    control::upload_and_activate(stack.gateway, EMPTY_TENANT, Bytes::from(component)).await?;
    let args = json!({"date": "2026-11-26", "time": "15:00"});
    let call = SignedCall::to(EMPTY_TENANT, "check_availability", &args, "floor-check")?;
    let (status, reply) = Connection::open(stack.gateway).await?.reply(&call).await?;
    ensure!(
        status.is_success() && reply["success"] == true && reply["message"] == "ok",
        "the empty plugin's call failed: {status} {reply}"
    );
    Ok(())
}

/// `call` at saturation on the gateway, and the gateway's CPU time meanwhile.
async fn saturate(
    stack: &Stack,
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
    let before = stack.gateway_cpu_time();
    let throughput = load::saturate(
        stack.gateway,
        call,
        cli.connections,
        plan.saturation_warmup,
        plan.saturation,
    )
    .await
    .with_context(|| format!("{what} at saturation"))?;
    let cpu = stack
        .gateway_cpu_time()
        .zip(before)
        .and_then(|(after, before)| after.checked_sub(before));
    Ok((throughput, cpu))
}
