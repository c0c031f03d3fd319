//! Scale-out: the cached call at saturation served by one replica and by two, both on the
//! same Redis (cache) and PostgreSQL (store), the load split evenly between them as a
//! round-robin balancer would.
//!
//! Every replica runs on the gateway's CPU, so the comparison holds the hardware constant:
//! it shows what splitting the work across processes costs or gains on one machine, not what
//! a second machine would add.

use std::ffi::OsString;
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use serde_json::json;

use crate::control::{Connection, RepeatedCall, Simulator};
use crate::load::{self, Throughput};
use crate::processes::{self, Pinning, Server};
use crate::report::Row;
use crate::{Cli, Plan};

/// A `redis-server` without persistence, killed when dropped.
struct Redis {
    process: Child,
    url: String,
}

impl Redis {
    fn start(program: &str) -> Result<Redis> {
        let port = processes::free_port()?.port();
        let process = Command::new(program)
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start {program}"))?;
        let redis = Redis {
            process,
            url: format!("redis://127.0.0.1:{port}/"),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            ensure!(Instant::now() < deadline, "redis-server did not come up");
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(redis)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A fresh database in the PostgreSQL at `admin_url`; its URL.
async fn create_database(admin_url: &str) -> Result<String> {
    let admin_url = admin_url.to_owned();
    let name = format!("slotline_bench_{}", std::process::id());
    tokio::task::spawn_blocking(move || {
        let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls)?;
        // One statement each: `CREATE DATABASE` refuses to run in the implicit transaction of
        // a multi-statement query.
        admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?;
        admin.batch_execute(&format!("CREATE DATABASE {name}"))?;
        let base = admin_url
            .rsplit_once('/')
            .map(|(base, _)| base.to_owned())
            .context("the PostgreSQL URL names no database")?;
        Ok(format!("{base}/{name}"))
    })
    .await?
}

/// Calls per second of one replica and of two, and their ratio.
pub async fn replicas_phase(
    bin_dir: &Path,
    pinning: &Pinning,
    sim: Simulator,
    cli: &Cli,
    plan: &Plan,
) -> Result<Vec<Row>> {
    let (Ok(redis_server), Ok(postgres)) = (
        std::env::var("SLOTLINE_TEST_REDIS_SERVER"),
        std::env::var("SLOTLINE_TEST_POSTGRES_URL"),
    ) else {
        let reason = "needs Redis and PostgreSQL: run through `make bench`";
        return Ok(vec![
            Row::skipped("replicas_1_rps", reason),
            Row::skipped("replicas_2_rps", reason),
        ]);
    };
    let redis = Redis::start(&redis_server)?;
    let database = create_database(&postgres).await?;
    let slotline = bin_dir.join("slotline");
    let mut replicas = Vec::new();
    for _ in 0..2 {
        let args = |addr: SocketAddr, dir: &Path| {
            let config = dir.join("replica.toml");
            let text = processes::replica_config_toml(addr, sim.0, dir, &redis.url, &database)?;
            std::fs::write(&config, text).context("cannot write a replica's configuration")?;
            Ok(vec![
                OsString::from("--config"),
                config.into_os_string(),
                OsString::from("serve"),
            ])
        };
        replicas.push(Server::start("replica", &slotline, pinning, "/readyz", args).await?);
    }
    let [a, b] = replicas.as_slice() else {
        bail!("expected two replicas");
    };

    // One replica fills the shared cache; the other must answer from it.
    let args = json!({"date": "2026-11-26", "time": "15:00"});
    Connection::open(a.addr)
        .await?
        .tool("replicas-warm-up", "check_availability", args.clone())
        .await?;
    let before = sim.requests().await?;
    Connection::open(b.addr)
        .await?
        .tool("replicas-warm-up-b", "check_availability", args.clone())
        .await?;
    ensure!(
        sim.requests().await? == before,
        "the second replica did not answer from the cache the first one filled"
    );

    println!(
        "replicas: cached call at saturation, {} connections, on one replica then two",
        cli.connections
    );
    let one = RepeatedCall::new("check_availability", args.clone(), "replica-one");
    let single = load::saturate(
        a.addr,
        &one,
        cli.connections,
        plan.saturation_warmup,
        plan.saturation,
    )
    .await?;
    let half = cli.connections.div_ceil(2);
    let (to_a, to_b) = (
        RepeatedCall::new("check_availability", args.clone(), "replica-a"),
        RepeatedCall::new("check_availability", args, "replica-b"),
    );
    let (first, second) = tokio::join!(
        load::saturate(a.addr, &to_a, half, plan.saturation_warmup, plan.saturation),
        load::saturate(b.addr, &to_b, half, plan.saturation_warmup, plan.saturation),
    );
    let both = combined(first?, second?);
    ensure!(
        sim.requests().await? == before,
        "the replicas reached Cal.com during the cached phase"
    );
    let failed = single.failed + both.failed;
    if failed > 0 {
        println!("  warning: {failed} calls failed");
    }
    println!(
        "  1 replica {:.0} calls/s, 2 replicas {:.0} calls/s",
        single.per_second(),
        both.per_second()
    );
    for replica in replicas {
        replica.stop()?;
    }
    Ok(vec![
        Row::measured("replicas_1_rps", "calls/s", single.per_second(), None),
        Row::measured("replicas_2_rps", "calls/s", both.per_second(), None),
        Row::measured(
            "replicas_2_vs_1",
            "x",
            both.per_second() / single.per_second(),
            None,
        ),
    ])
}

/// Two runs side by side as one: all answers over the longer window.
fn combined(first: Throughput, second: Throughput) -> Throughput {
    Throughput {
        ok: first.ok + second.ok,
        failed: first.failed + second.failed,
        elapsed: first.elapsed.max(second.elapsed),
    }
}
