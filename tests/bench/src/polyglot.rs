//! The same plugin in Rust, JavaScript and Python, side by side: the default plugin and its
//! ports (`examples/plugins/js`, `examples/plugins/python`, built by `make plugins-polyglot`),
//! each uploaded to a tenant of its own on the running gateway and measured the same way.
//!
//! Per language: the component's size, the upload until active (the gateway compiles it
//! then), the first call after it (a fresh instance of the freshly compiled code), the cached
//! call alone (p50) and at saturation, the linear memory an instance starts with (what
//! `slotline plugin check` reads from the component: each instance gets its own copy-on-write
//! image of it), and the gateway's resident memory added by the tenant (upload, compilation
//! and its calls; the compiler's peak stays with the allocator, so it dominates).

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use bytes::Bytes;
use serde_json::json;

use crate::control::{self, Connection, RepeatedCall, Simulator};
use crate::load;
use crate::plugins::{self, resident_kib};
use crate::processes::Stack;
use crate::report::Row;

/// One language's plugin and the names of its rows.
struct Language {
    name: &'static str,
    tenant: &'static str,
    /// Below `target/`.
    path: &'static str,
    core_instances: u32,
    keys: Keys,
}

struct Keys {
    size: &'static str,
    upload: &'static str,
    first_call: &'static str,
    p50: &'static str,
    rps: &'static str,
    start_memory: &'static str,
    tenant_rss: &'static str,
}

const LANGUAGES: [Language; 3] = [
    Language {
        name: "Rust",
        tenant: "lang-rust",
        path: "wasm32-wasip2/guest/slotline_guest.wasm",
        core_instances: 8,
        keys: Keys {
            size: "lang_rust_size_mb",
            upload: "lang_rust_upload_ms",
            first_call: "lang_rust_first_call_ms",
            p50: "lang_rust_cached_p50_us",
            rps: "lang_rust_cached_rps",
            start_memory: "lang_rust_start_memory_mib",
            tenant_rss: "lang_rust_tenant_rss_mib",
        },
    },
    Language {
        name: "JavaScript",
        tenant: "lang-js",
        path: "plugins/js/slotline_js.wasm",
        core_instances: 8,
        keys: Keys {
            size: "lang_js_size_mb",
            upload: "lang_js_upload_ms",
            first_call: "lang_js_first_call_ms",
            p50: "lang_js_cached_p50_us",
            rps: "lang_js_cached_rps",
            start_memory: "lang_js_start_memory_mib",
            tenant_rss: "lang_js_tenant_rss_mib",
        },
    },
    Language {
        name: "Python",
        tenant: "lang-python",
        path: "plugins/python/slotline_python.wasm",
        // CPython and its libraries are 14 core instances (docs/plugins.md).
        core_instances: 16,
        keys: Keys {
            size: "lang_python_size_mb",
            upload: "lang_python_upload_ms",
            first_call: "lang_python_first_call_ms",
            p50: "lang_python_cached_p50_us",
            rps: "lang_python_cached_rps",
            start_memory: "lang_python_start_memory_mib",
            tenant_rss: "lang_python_tenant_rss_mib",
        },
    },
];

/// How long the cached calls of each language run.
pub struct PolyglotPlan {
    pub warmup: u64,
    pub sequential: u64,
    pub saturation_warmup: Duration,
    pub saturation: Duration,
    pub connections: usize,
}

/// The rows of every language; a language whose component is not built gets rows that say so.
pub async fn polyglot_phase(
    stack: &Stack,
    bin_dir: &Path,
    sim: Simulator,
    plan: &PolyglotPlan,
) -> Result<Vec<Row>> {
    let target = bin_dir.parent().context("target/release has no parent")?;
    let mut rows = Vec::new();
    for language in &LANGUAGES {
        let path = target.join(language.path);
        if !path.is_file() {
            let reason = format!("{} is not built (make plugins-polyglot)", path.display());
            let keys = &language.keys;
            for key in [
                keys.size,
                keys.upload,
                keys.first_call,
                keys.p50,
                keys.rps,
                keys.start_memory,
                keys.tenant_rss,
            ] {
                rows.push(Row::skipped(key, &reason));
            }
            continue;
        }
        println!("plugin in {}: {}", language.name, path.display());
        rows.extend(measure(stack, sim, language, &path, plan).await?);
    }
    Ok(rows)
}

async fn measure(
    stack: &Stack,
    sim: Simulator,
    language: &Language,
    path: &Path,
    plan: &PolyglotPlan,
) -> Result<Vec<Row>> {
    let component = plugins::read_plugin(path)?;
    let config = json!({
        "timezone": "Europe/Berlin",
        "locale": "de",
        "retell_api_key": slotline::demo::RETELL_API_KEY,
        "allowed_outbound": [format!("http://{}", sim.0)],
        "plugin_limits": {"core_instances": language.core_instances},
        // As the bench's demo tenant: the calendar's frozen day, a cache that outlives the
        // phase, and no tenant-wide rate limit (saturation is the point).
        "fixed_now": crate::processes::NOW,
        "cache_ttl_secs": 3600,
        "calls": {"tenant_per_second": 0},
        "settings": {
            "calcom_base_url": format!("http://{}/v2", sim.0),
            "calcom_api_key": slotline::demo::CALCOM_API_KEY,
            "services": [
                {"name": "Beratung", "event_type_id": 1001, "duration": 30},
                {"name": "Behandlung", "event_type_id": 1002, "duration": 60},
            ],
            "workdays": "mon,tue,wed,thu,fri",
            "open": "09:00",
            "close": "18:00",
        },
    });
    control::put_tenant(stack.gateway, language.tenant, &config).await?;
    let before_upload = resident_kib(stack.gateway_pid())?;
    let started = Instant::now();
    control::upload_and_activate(
        stack.gateway,
        language.tenant,
        Bytes::from(component.clone()),
    )
    .await?;
    let upload = started.elapsed();

    let parse = RepeatedCall::new(
        "parse_date",
        json!({"text": "morgen um 15 Uhr"}),
        "lang-first",
    )
    .to(language.tenant);
    let started = Instant::now();
    let (status, reply) = Connection::open(stack.gateway)
        .await?
        .reply(&parse.nth(0)?)
        .await?;
    let first_call = started.elapsed();
    ensure!(
        status.is_success() && reply["success"] == true,
        "{}: the first call failed: {status} {reply}",
        language.name
    );

    // Thursday 15:00, taken: the first check fills the cache, the measured ones must not
    // leave the gateway.
    let check = RepeatedCall::new(
        "check_availability",
        json!({"date": "2026-11-26", "time": "15:00"}),
        format!("lang-{}", language.tenant),
    )
    .to(language.tenant);
    let (status, reply) = Connection::open(stack.gateway)
        .await?
        .reply(&check.nth(0)?)
        .await?;
    ensure!(
        status.is_success() && reply["data"]["available"] == false,
        "{}: the check did not find Thursday 15:00 taken: {status} {reply}",
        language.name
    );
    let requests = sim.requests().await?;
    let latencies = load::sequential(stack.gateway, &check, plan.warmup, plan.sequential).await?;
    let throughput = load::saturate(
        stack.gateway,
        &check,
        plan.connections,
        plan.saturation_warmup,
        plan.saturation,
    )
    .await?;
    let upstream = sim.requests().await? - requests;
    ensure!(
        upstream == 0,
        "{}: {upstream} cached calls reached Cal.com",
        language.name
    );
    ensure!(
        throughput.failed == 0,
        "{}: {} calls failed at saturation",
        language.name,
        throughput.failed
    );
    let tenant_rss =
        resident_kib(stack.gateway_pid())?.saturating_sub(before_upload) as f64 / 1024.0;
    let start_memory = start_memory_mib(stack.slotline(), path)?;
    let p50 = latencies.quantile(0.5).as_secs_f64() * 1e6;
    println!(
        "  {:.1} MB, upload {:.0} ms, first call {:.1} ms, cached p50 {p50:.0} µs, {:.0} calls/s, {start_memory} MiB to start, tenant {tenant_rss:.0} MiB",
        component.len() as f64 / 1e6,
        upload.as_secs_f64() * 1e3,
        first_call.as_secs_f64() * 1e3,
        throughput.per_second(),
    );
    let keys = &language.keys;
    Ok(vec![
        Row::measured(keys.size, "MB", component.len() as f64 / 1e6, None),
        Row::measured(keys.upload, "ms", upload.as_secs_f64() * 1e3, None),
        Row::measured(keys.first_call, "ms", first_call.as_secs_f64() * 1e3, None),
        Row::measured(keys.p50, "µs", p50, None),
        Row::measured(keys.rps, "calls/s", throughput.per_second(), None),
        Row::measured(keys.start_memory, "MiB", start_memory, None),
        Row::measured(keys.tenant_rss, "MiB", tenant_rss, None),
    ])
}

/// The linear memory an instance of `plugin` starts with, as `slotline plugin check` reads
/// it from the component ("needs ..., 13 MiB of memory to start").
fn start_memory_mib(slotline: &Path, plugin: &Path) -> Result<f64> {
    let output = std::process::Command::new(slotline)
        .args(["plugin", "check"])
        .arg(plugin)
        .output()
        .context("cannot run `slotline plugin check`")?;
    let text = String::from_utf8_lossy(&output.stdout);
    ensure!(
        output.status.success(),
        "`slotline plugin check` failed: {text}"
    );
    text.lines()
        .find_map(|line| line.trim().strip_prefix("needs"))
        .and_then(|needs| needs.split(", ").last())
        .and_then(|last| last.strip_suffix(" MiB of memory to start"))
        .and_then(|number| number.trim().parse().ok())
        .with_context(|| format!("no start memory in `slotline plugin check`'s output: {text}"))
}
