//! `slotline-bench`: what Slotline itself costs, next to what the calendar costs.
//!
//! Run from the repository root after `make build` (`make bench` does both). It starts the
//! Cal.com simulator and the gateway from `target/release` on loopback, then measures:
//!
//! 1. a cached `check_availability` (signature, parsing, fresh plugin instance, cache read,
//!    reply) from one sequential client: p50 and p99;
//! 2. the same call at saturation, many keep-alive connections: calls per second; beside it,
//!    the layers under it at saturation (`GET /healthz`, an empty plugin call, `parse_date`),
//!    each with the gateway's CPU per call;
//! 3. whole booking attempts with no upstream latency (Slotline's own share), then with
//!    Cal.com-like latency injected into the simulator (what a caller waits), and attempts on
//!    calls announced by `call_started` (warmed while the agent greets, the offered slot held);
//! 4. a call while the upstream breaker is open;
//! 5. plugin versions: compiling the default plugin, swapping the demo tenant onto a new
//!    version through the admin API, the first call after a restart;
//! 6. resident memory per tenant, up to 1,000 tenants each on a plugin version of its own;
//! 7. the cached call served by the plugin and by its logic compiled natively
//!    (`slotline-native-gateway`): gateway CPU per call;
//! 8. the cached call on one replica and on two sharing Redis and PostgreSQL;
//! 9. stock `wasmtime serve` answering a fixed JSON (`tests/bench/hello`) under the same load,
//!    when wasmtime 48.0.8 is installed.
//!
//! It prints one table of measured against target and writes `bench/results.json`. Missed
//! targets do not fail the run; only a run that could not measure exits non-zero.

mod attempt;
mod breaker;
mod calllog;
mod control;
mod floor;
mod load;
mod plugins;
mod polyglot;
mod prepared;
mod processes;
mod reference;
mod replicas;
mod report;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, ensure};
use clap::Parser;
use serde_json::{Map, json};

use crate::attempt::{Days, Target, median};
use crate::control::{Connection, RepeatedCall, Simulator};
use crate::processes::{Pinning, Stack};
use crate::report::{Goal, Row};

/// Injected Cal.com latency for the booking phase, uniform: a slots query.
const SLOTS_LATENCY_MS: (u64, u64) = (300, 800);
/// Injected Cal.com latency for the booking phase, uniform: creating a booking.
const BOOKING_LATENCY_MS: (u64, u64) = (400, 900);
/// Injected Cal.com latency for the booking phase, uniform: reserving a slot (a write, timed
/// like a booking rather than like a read).
const RESERVATION_LATENCY_MS: (u64, u64) = (400, 900);

#[derive(Debug, Parser)]
#[command(
    name = "slotline-bench",
    about = "Measure Slotline against its targets"
)]
struct Cli {
    /// Short phases (seconds instead of tens of seconds), for development.
    #[arg(long)]
    quick: bool,
    /// Concurrent keep-alive connections of the saturation phase.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Only the replicas phase (needs Redis and PostgreSQL; see `make bench`); writes no file.
    #[arg(long)]
    replicas_only: bool,
    /// Only the call log's cost (the cached call with the call log on and off); writes no file.
    #[arg(long)]
    call_log_only: bool,
    /// Only the per-call rows (the cached call, the layers under it, the native and `wasmtime
    /// serve` references); writes no file.
    #[arg(long)]
    calls_only: bool,
    /// Only the plugin languages' rows (Rust, JavaScript, Python side by side); writes no file.
    #[arg(long)]
    polyglot_only: bool,
    /// Names plugins' compiled functions to `perf` in every gateway started (the gateway's
    /// `runtime.profiler`: `perfmap` or `jitdump`), to profile a phase with `perf record -p`.
    #[arg(long, value_parser = parse_profiler, default_value = "none")]
    profiler: slotline::config::Profiler,
    /// Where to write the results.
    #[arg(long, default_value = "bench/results.json")]
    out: PathBuf,
}

/// How long each phase runs.
struct Plan {
    sequential_warmup: u64,
    sequential: u64,
    saturation_warmup: Duration,
    saturation: Duration,
    attempts: usize,
    /// `slotline plugin check` runs, for the median compile time.
    compiles: usize,
    /// Sets of rounds (one per call log mode) the call log's costs are the medians of.
    paired_rounds: usize,
    /// Calls timed while the breaker is open.
    breaker_calls: u64,
    /// Tenants created for the memory measure, at most, and the time they may take.
    tenants: usize,
    tenants_budget: Duration,
    /// Cached calls per plugin language, alone and at saturation.
    languages: polyglot::PolyglotPlan,
}

impl Plan {
    fn new(quick: bool) -> Plan {
        if quick {
            Plan {
                sequential_warmup: 500,
                sequential: 5_000,
                saturation_warmup: Duration::from_millis(500),
                saturation: Duration::from_secs(2),
                attempts: 3,
                compiles: 1,
                paired_rounds: 3,
                breaker_calls: 50,
                tenants: 1_000,
                tenants_budget: Duration::from_secs(10),
                languages: polyglot::PolyglotPlan {
                    warmup: 50,
                    sequential: 300,
                    saturation_warmup: Duration::from_millis(300),
                    saturation: Duration::from_secs(1),
                    connections: 16,
                },
            }
        } else {
            Plan {
                sequential_warmup: 2_000,
                sequential: 20_000,
                saturation_warmup: Duration::from_secs(2),
                saturation: Duration::from_secs(10),
                attempts: 5,
                compiles: 3,
                paired_rounds: 5,
                breaker_calls: 200,
                tenants: 1_000,
                tenants_budget: Duration::from_secs(360),
                languages: polyglot::PolyglotPlan {
                    warmup: 200,
                    sequential: 2_000,
                    saturation_warmup: Duration::from_secs(1),
                    saturation: Duration::from_secs(5),
                    connections: 16,
                },
            }
        }
    }
}

fn parse_profiler(text: &str) -> Result<slotline::config::Profiler, String> {
    serde_json::from_value(json!(text)).map_err(|_| "none, perfmap or jitdump".to_owned())
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    // Set once, before any gateway starts.
    let _ = processes::PROFILER.set(cli.profiler);
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    // Before the runtime exists, so its threads inherit CPU 1.
    let pinning = Pinning::detect_and_pin_self(cpus);
    // One thread: the load generator stays on its one CPU, and it is enough to saturate a
    // gateway that has one CPU of its own.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(&cli, cpus, &pinning))
}

async fn run(cli: &Cli, cpus: usize, pinning: &Pinning) -> Result<()> {
    let plan = Plan::new(cli.quick);
    // The machine is shared: how busy it was when the run began says how much to trust it.
    let load_average = report::load_average();
    let exe = std::env::current_exe().context("cannot find this binary")?;
    let bin_dir = exe.parent().context("this binary has no directory")?;
    println!(
        "slotline-bench ({} run): {cpus} CPUs, load average {}, {}",
        if cli.quick { "quick" } else { "full" },
        load_average.as_deref().unwrap_or("unknown"),
        if pinning.used() {
            "taskset: gateway on CPU 0, load generator and simulator on CPU 1"
        } else {
            "taskset not used (not found or fewer than 2 CPUs): processes unpinned"
        }
    );
    let mut stack = Stack::start(bin_dir, pinning).await?;
    let sim = Simulator(stack.sim);
    println!("gateway {} / simulator {}", stack.gateway, stack.sim);

    if cli.call_log_only {
        let rows = calllog::call_log_phase(bin_dir, pinning, sim, cli, &plan).await?;
        stack.stop()?;
        print!("{}", report::table(&rows));
        return Ok(());
    }
    if cli.replicas_only {
        let rows = replicas::replicas_phase(bin_dir, pinning, sim, cli, &plan).await?;
        stack.stop()?;
        print!("{}", report::table(&rows));
        return Ok(());
    }
    if cli.polyglot_only {
        let rows = polyglot::polyglot_phase(&stack, bin_dir, sim, &plan.languages).await?;
        stack.stop()?;
        print!("{}", report::table(&rows));
        return Ok(());
    }
    let target = Target {
        gateway: stack.gateway,
        sim,
    };
    let (mut rows, cached_rps) = cached_phase(&stack, sim, cli, &plan).await?;
    rows.extend(
        floor::floor_phase(&stack, bin_dir, cli, &plan, &cached_call("floor-check")).await?,
    );
    if cli.calls_only {
        rows.extend(reference::native_phase(bin_dir, pinning, sim, cli, &plan).await?);
        stack.stop()?;
        rows.extend(
            reference::wasmtime_serve_phase(bin_dir, pinning, cli, &plan, cached_rps).await?,
        );
        print!("{}", report::table(&rows));
        return Ok(());
    }
    rows.extend(prepared_phase(target, &plan).await?);
    rows.extend(booking_phase(target, &plan).await?);
    rows.extend(polyglot::polyglot_phase(&stack, bin_dir, sim, &plan.languages).await?);
    // Last of the phases that need the calendar: the breaker stays open afterwards.
    println!(
        "breaker open: {} calls after the calendar failed",
        plan.breaker_calls
    );
    let open = breaker::open_breaker_calls(target, plan.breaker_calls).await?;
    rows.push(Row::measured(
        "breaker_open_fail_us",
        "µs",
        open.quantile(0.5).as_secs_f64() * 1e6,
        Some(Goal::AtMost(100.0)),
    ));
    rows.extend(plugin_phase(&mut stack, bin_dir, pinning, &plan).await?);
    // Last on this gateway: it leaves hundreds of tenants behind.
    rows.push(tenants_phase(&stack, bin_dir, &plan).await?);
    rows.extend(reference::native_phase(bin_dir, pinning, sim, cli, &plan).await?);
    rows.extend(calllog::call_log_phase(bin_dir, pinning, sim, cli, &plan).await?);
    rows.extend(replicas::replicas_phase(bin_dir, pinning, sim, cli, &plan).await?);
    stack.stop()?;
    rows.extend(reference::wasmtime_serve_phase(bin_dir, pinning, cli, &plan, cached_rps).await?);

    println!();
    print!("{}", report::table(&rows));
    let mut extra = Map::new();
    extra.insert("machine".into(), report::machine(cpus, pinning.used()));
    extra.insert(
        "load_generator".into(),
        json!(format!(
            "slotline-bench (hyper, {} connections)",
            cli.connections
        )),
    );
    extra.insert(
        "mode".into(),
        json!(if cli.quick { "quick" } else { "full" }),
    );
    extra.insert(
        "upstream_latency_ms".into(),
        json!({"slots": SLOTS_LATENCY_MS, "createBooking": BOOKING_LATENCY_MS, "reserveSlot": RESERVATION_LATENCY_MS}),
    );
    extra.insert("finished_at".into(), json!(chrono::Utc::now().to_rfc3339()));
    report::write(&cli.out, &report::json(&rows, extra))?;
    println!("\nwritten to {}", cli.out.display());
    Ok(())
}

/// The cached call at saturation: Thursday 15:00, taken, so the reply also ranks alternatives.
/// `prefix` names its phone calls, which a phase must not share with another's.
fn cached_call(prefix: &str) -> RepeatedCall {
    let args = json!({"date": "2026-11-26", "time": "15:00"});
    RepeatedCall::new("check_availability", args, prefix)
}

/// Phases 1 and 2: the cached call, alone and at saturation. The first call fills the cache;
/// the simulator's request count proves that no measured call left the gateway.
async fn cached_phase(
    stack: &Stack,
    sim: Simulator,
    cli: &Cli,
    plan: &Plan,
) -> Result<(Vec<Row>, f64)> {
    // Thursday 15:00 is taken: the reply also ranks alternatives, the common case on a call.
    let args = json!({"date": "2026-11-26", "time": "15:00"});
    let availability = Connection::open(stack.gateway)
        .await?
        .tool("bench-warm-up", "check_availability", args.clone())
        .await?;
    ensure!(
        availability["available"] == false,
        "the demo calendar should have Thursday 15:00 taken: {availability}"
    );
    let before = sim.requests().await?;

    println!(
        "cached call, one client: {} calls after {} warm-up calls",
        plan.sequential, plan.sequential_warmup
    );
    let call = RepeatedCall::new("check_availability", args.clone(), "sequential");
    let latencies = load::sequential(
        stack.gateway,
        &call,
        plan.sequential_warmup,
        plan.sequential,
    )
    .await?;

    println!(
        "cached call, saturation: {} connections for {} s after {} s warm-up",
        cli.connections,
        plan.saturation.as_secs_f64(),
        plan.saturation_warmup.as_secs_f64()
    );
    let call = cached_call("saturation");
    let cpu_before = (
        stack.gateway_cpu_time(),
        processes::cpu_time(std::process::id()),
    );
    let throughput = load::saturate(
        stack.gateway,
        &call,
        cli.connections,
        plan.saturation_warmup,
        plan.saturation,
    )
    .await?;
    let cpu_after = (
        stack.gateway_cpu_time(),
        processes::cpu_time(std::process::id()),
    );
    // Includes the warm-up's share of the window's CPU time; close enough to see which side
    // ran out of CPU.
    let share = |before: Option<Duration>, after: Option<Duration>| {
        let used = after?.checked_sub(before?)?;
        Some(100.0 * used.as_secs_f64() / (plan.saturation + plan.saturation_warmup).as_secs_f64())
    };
    let gateway_cpu = share(cpu_before.0, cpu_after.0);
    let client_cpu = share(cpu_before.1, cpu_after.1);
    if throughput.failed > 0 {
        println!(
            "  warning: {} of {} calls failed at saturation",
            throughput.failed,
            throughput.ok + throughput.failed
        );
    }

    let after = sim.requests().await?;
    ensure!(
        after == before,
        "the cached phase reached Cal.com {} times: the calls were not answered from the cache",
        after - before
    );
    let micros = |duration: Duration| duration.as_secs_f64() * 1e6;
    println!(
        "  {} samples; p50 {:.0} µs, p99 {:.0} µs; {:.0} calls/s",
        latencies.len(),
        micros(latencies.quantile(0.5)),
        micros(latencies.quantile(0.99)),
        throughput.per_second()
    );
    let mut rows = vec![
        Row::measured(
            "cached_call_p50_us",
            "µs",
            micros(latencies.quantile(0.5)),
            Some(Goal::AtMost(150.0)),
        ),
        Row::measured(
            "cached_call_p99_us",
            "µs",
            micros(latencies.quantile(0.99)),
            Some(Goal::AtMost(1_000.0)),
        ),
        Row::measured(
            "cached_call_rps",
            "calls/s",
            throughput.per_second(),
            Some(Goal::AtLeast(10_000.0)),
        ),
    ];
    rows.push(Row::measured(
        "saturation_failed_calls",
        "",
        throughput.failed as f64,
        Some(Goal::AtMost(0.0)),
    ));
    // Which side ran out of CPU at saturation (100% is one whole CPU).
    if let (Some(gateway), Some(client)) = (gateway_cpu, client_cpu) {
        rows.push(Row::measured(
            "saturation_gateway_cpu_percent",
            "%",
            gateway,
            None,
        ));
        rows.push(Row::measured(
            "saturation_load_generator_cpu_percent",
            "%",
            client,
            None,
        ));
    }
    Ok((rows, throughput.per_second()))
}

/// Plugin versions: compiling the default plugin, swapping the demo tenant onto a new version
/// of it, and the first call after a restart.
async fn plugin_phase(
    stack: &mut Stack,
    bin_dir: &Path,
    pinning: &Pinning,
    plan: &Plan,
) -> Result<Vec<Row>> {
    let millis = |duration: Duration| duration.as_secs_f64() * 1e3;
    let path = plugins::guest_dir(bin_dir)?.join("slotline_guest.wasm");
    println!("plugin versions: compile, swap, restart");
    let compile = plugins::compile_ms(stack.slotline(), pinning, &path, plan.compiles)?;
    // The same plugin as a new version: the embedded default has these very bytes.
    let component =
        plugins::with_custom_section(&plugins::read_plugin(&path)?, "slotline-bench", b"swap");
    let swap = plugins::swap_and_restart(stack, &component).await?;
    println!(
        "  compile {compile:.0} ms, swap {:.0} ms, restart until ready {:.0} ms, first call {:.1} ms",
        millis(swap.swap),
        millis(swap.restart_ready),
        millis(swap.first_call)
    );
    Ok(vec![
        Row::measured("plugin_compile_ms", "ms", compile, None),
        Row::measured(
            "swap_ms",
            "ms",
            millis(swap.swap),
            Some(Goal::AtMost(1_000.0)),
        ),
        Row::measured("restart_ready_ms", "ms", millis(swap.restart_ready), None),
        Row::measured(
            "first_call_after_restart_ms",
            "ms",
            millis(swap.first_call),
            Some(Goal::AtMost(20.0)),
        ),
    ])
}

/// Memory per tenant, each on a plugin version of its own.
async fn tenants_phase(stack: &Stack, bin_dir: &Path, plan: &Plan) -> Result<Row> {
    let path = plugins::guest_dir(bin_dir)?.join("slotline_test_plugin.wasm");
    let component = plugins::read_plugin(&path)?;
    println!(
        "tenants: up to {} on plugin versions of their own, for at most {} s",
        plan.tenants,
        plan.tenants_budget.as_secs()
    );
    let memory =
        plugins::tenants_memory(stack, &component, plan.tenants, plan.tenants_budget).await?;
    let each = memory.elapsed.as_secs_f64() / memory.tenants.max(1) as f64;
    println!(
        "  {} tenants in {:.0} s ({:.0} ms each): resident {} KiB -> {} KiB",
        memory.tenants,
        memory.elapsed.as_secs_f64(),
        each * 1e3,
        memory.baseline_kib,
        memory.after_kib
    );
    let mut row = Row::measured(
        "rss_per_tenant_kib",
        "KiB",
        memory.per_tenant_kib(),
        Some(Goal::AtMost(2_048.0)),
    );
    if memory.tenants < plan.tenants {
        row = row.with_note(format!(
            "{} tenants, not {}: each took {:.0} ms to upload (compiled on one CPU), {} would take {:.0} s",
            memory.tenants,
            plan.tenants,
            each * 1e3,
            plan.tenants,
            each * plan.tenants as f64
        ));
    }
    Ok(row)
}

/// Injects each endpoint's latency into the simulator (`on`), or removes it.
async fn set_latencies(target: Target, latencies: &[(&str, (u64, u64))], on: bool) -> Result<()> {
    for (endpoint, range) in latencies {
        target
            .sim
            .set_latency(endpoint, on.then_some(*range))
            .await?;
    }
    Ok(())
}

/// Phase 3a: booking attempts on calls announced by `call_started`, with Cal.com-like latency:
/// the first check after the greeting, the hold of the slot it offered, the whole attempt.
async fn prepared_phase(target: Target, plan: &Plan) -> Result<Vec<Row>> {
    let millis = |duration: Duration| duration.as_secs_f64() * 1e3;
    println!(
        "prefetched attempts (call_started, {} s greeting), Cal.com latency {}-{} ms on slots, {}-{} ms on bookings and reservations: {}",
        prepared::GREETING.as_secs(),
        SLOTS_LATENCY_MS.0,
        SLOTS_LATENCY_MS.1,
        BOOKING_LATENCY_MS.0,
        BOOKING_LATENCY_MS.1,
        plan.attempts
    );
    let latencies = [
        ("slots", SLOTS_LATENCY_MS),
        ("createBooking", BOOKING_LATENCY_MS),
        ("reserveSlot", RESERVATION_LATENCY_MS),
    ];
    set_latencies(target, &latencies, true).await?;
    let mut attempts = Vec::new();
    for n in 0..plan.attempts {
        let attempt = prepared::prefetched_attempt(target, n).await?;
        println!(
            "  attempt: {:.0} ms (parse {:.1}, check {:.1}, booking {:.0}; hold in place {:.0} ms after the check; {} slots queries at check time, other requests {:?})",
            millis(attempt.total()),
            millis(attempt.parse),
            millis(attempt.check),
            millis(attempt.booking),
            millis(attempt.hold),
            attempt.upstream_at_check,
            attempt.others_at_check
        );
        attempts.push(attempt);
    }
    set_latencies(target, &latencies, false).await?;
    let step = |pick: fn(&prepared::Prefetched) -> Duration| {
        millis(median(attempts.iter().map(pick).collect()))
    };
    let at_check = attempts
        .iter()
        .map(|a| a.upstream_at_check)
        .max()
        .unwrap_or_default();
    Ok(vec![
        Row::measured(
            "attempt_prefetched_ms",
            "ms",
            step(prepared::Prefetched::total),
            Some(Goal::AtMost(BOOKING_LATENCY_MS.1 as f64 + 20.0)),
        ),
        Row::measured(
            "first_check_after_start_ms",
            "ms",
            step(|a| a.check),
            Some(Goal::AtMost(5.0)),
        ),
        Row::measured(
            "hold_ms",
            "ms",
            step(|a| a.hold),
            Some(Goal::AtMost(1_500.0)),
        ),
        Row::measured(
            "slots_queries_at_first_check",
            "",
            at_check as f64,
            Some(Goal::AtMost(0.0)),
        ),
    ])
}

/// Phase 3: booking attempts, first with no injected latency (what remains is Slotline's own
/// share, plus the simulator's small work), then with Cal.com-like latency.
async fn booking_phase(target: Target, plan: &Plan) -> Result<Vec<Row>> {
    let millis = |duration: Duration| duration.as_secs_f64() * 1e3;
    let mut days = Days::new()?;

    println!("booking attempts, no upstream latency: {}", plan.attempts);
    let mut own = Vec::new();
    let mut own_alternatives = Vec::new();
    for _ in 0..plan.attempts {
        own.push(attempt::attempt(target, &mut days).await?);
        own_alternatives.push(attempt::cold_alternatives(target, &mut days).await?);
    }

    println!(
        "booking attempts, Cal.com latency {}-{} ms on slots, {}-{} ms on bookings: {}",
        SLOTS_LATENCY_MS.0,
        SLOTS_LATENCY_MS.1,
        BOOKING_LATENCY_MS.0,
        BOOKING_LATENCY_MS.1,
        plan.attempts
    );
    // No latency on reservations: the booking sent right after the warm check waits for the
    // call's hold, where a caller would still be saying yes (the prefetched attempts measure
    // the hold against Cal.com-like latency).
    let latencies = [
        ("slots", SLOTS_LATENCY_MS),
        ("createBooking", BOOKING_LATENCY_MS),
    ];
    set_latencies(target, &latencies, true).await?;
    let mut real = Vec::new();
    let mut cold_alternatives = Vec::new();
    for _ in 0..plan.attempts {
        let attempt = attempt::attempt(target, &mut days).await?;
        println!(
            "  attempt: {:.0} ms (parse {:.1}, check {:.0}, alternatives {:.1}, booking {:.0}; warm check {:.1}; {} upstream requests)",
            millis(attempt.total()),
            millis(attempt.parse),
            millis(attempt.check),
            millis(attempt.alternatives),
            millis(attempt.booking),
            millis(attempt.check_warm),
            attempt.upstream
        );
        real.push(attempt);
        cold_alternatives.push(attempt::cold_alternatives(target, &mut days).await?);
    }
    set_latencies(target, &latencies, false).await?;

    let step = |attempts: &[attempt::Attempt], pick: fn(&attempt::Attempt) -> Duration| {
        millis(median(attempts.iter().map(pick).collect()))
    };
    let upstream = real.iter().map(|a| a.upstream).max().unwrap_or_default();
    let upstream = upstream as f64;
    // The targets in upstream round trips, at their slowest injected latency.
    let (slots, booking) = (SLOTS_LATENCY_MS.1 as f64, BOOKING_LATENCY_MS.1 as f64);
    Ok(vec![
        Row::measured(
            "parse_date_ms",
            "ms",
            step(&real, |a| a.parse),
            Some(Goal::AtMost(1.0)),
        ),
        Row::measured("check_cold_ms", "ms", step(&real, |a| a.check), None),
        Row::measured("check_warm_ms", "ms", step(&real, |a| a.check_warm), None),
        Row::measured(
            "alternatives_after_check_ms",
            "ms",
            step(&real, |a| a.alternatives),
            Some(Goal::AtMost(5.0)),
        ),
        Row::measured(
            "alternatives_cold_ms",
            "ms",
            millis(median(cold_alternatives)),
            Some(Goal::AtMost(slots + 10.0)),
        ),
        Row::measured("booking_ms", "ms", step(&real, |a| a.booking), None),
        Row::measured(
            "attempt_ms",
            "ms",
            step(&real, attempt::Attempt::total),
            Some(Goal::AtMost(slots + booking + 20.0)),
        ),
        Row::measured(
            "attempt_own_ms",
            "ms",
            step(&own, attempt::Attempt::total),
            Some(Goal::AtMost(20.0)),
        ),
        Row::measured(
            "alternatives_cold_own_ms",
            "ms",
            millis(median(own_alternatives)),
            Some(Goal::AtMost(10.0)),
        ),
        Row::measured("upstream_requests_per_attempt", "", upstream, None),
    ])
}
