//! The load generator: one client in a loop for latency, many for throughput.
//!
//! A small Rust client instead of `oha` or `wrk`: neither is installed here, and the requests
//! must carry a valid Retell signature, which this client computes with the gateway's own
//! signing function. It runs on one thread (pinned to the gateway's other CPU when `taskset`
//! exists), so its cost is bounded by one core.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, bail, ensure};
use hyper::StatusCode;

use crate::control::{Connection, RepeatedCall};

/// Latencies of `count` sequential calls on one keep-alive connection, after `warmup` calls
/// whose times are thrown away (first-use costs: page faults, pool slots, branch predictors).
pub async fn sequential(
    addr: SocketAddr,
    call: &RepeatedCall,
    warmup: u64,
    count: u64,
) -> Result<Latencies> {
    let mut connection = Connection::open(addr).await?;
    for n in 0..warmup {
        expect_ok(connection.send(call.request(n)?).await?.0)?;
    }
    let mut samples = Vec::with_capacity(usize::try_from(count)?);
    for n in warmup..warmup + count {
        let request = call.request(n)?;
        let started = Instant::now();
        let (status, _) = connection.send(request).await?;
        samples.push(started.elapsed());
        expect_ok(status)?;
    }
    Ok(Latencies::new(samples))
}

fn expect_ok(status: StatusCode) -> Result<()> {
    ensure!(status == StatusCode::OK, "the gateway answered {status}");
    Ok(())
}

/// Sorted latency samples.
pub struct Latencies {
    sorted: Vec<Duration>,
}

impl Latencies {
    pub fn new(mut samples: Vec<Duration>) -> Latencies {
        samples.sort_unstable();
        Latencies { sorted: samples }
    }

    /// The `q`-quantile (0..=1), nearest rank.
    pub fn quantile(&self, q: f64) -> Duration {
        let last = self.sorted.len().saturating_sub(1);
        let rank = ((last as f64) * q.clamp(0.0, 1.0)).round() as usize;
        self.sorted.get(rank).copied().unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.sorted.len()
    }
}

/// What a saturation run achieved.
pub struct Throughput {
    pub ok: u64,
    pub failed: u64,
    pub elapsed: Duration,
}

impl Throughput {
    pub fn per_second(&self) -> f64 {
        let ok = self.ok as f64;
        ok / self.elapsed.as_secs_f64()
    }
}

/// Keeps `connections` keep-alive connections busy, each sending the next call as soon as the
/// previous one is answered: first for `warmup` (not counted), then for `duration`.
pub async fn saturate(
    addr: SocketAddr,
    call: &RepeatedCall,
    connections: usize,
    warmup: Duration,
    duration: Duration,
) -> Result<Throughput> {
    let mut open = Vec::with_capacity(connections);
    for _ in 0..connections {
        open.push(Connection::open(addr).await?);
    }
    let sent = Arc::new(AtomicU64::new(0));
    let open = run_all(open, call, &sent, warmup).await?.0;
    let started = Instant::now();
    let (_, ok, failed) = run_all(open, call, &sent, duration).await?;
    Ok(Throughput {
        ok,
        failed,
        elapsed: started.elapsed(),
    })
}

/// Runs every connection until `duration` has passed; returns the connections that are still
/// usable and the answered and failed calls.
async fn run_all(
    connections: Vec<Connection>,
    call: &RepeatedCall,
    sent: &Arc<AtomicU64>,
    duration: Duration,
) -> Result<(Vec<Connection>, u64, u64)> {
    let deadline = Instant::now() + duration;
    let tasks: Vec<_> = connections
        .into_iter()
        .map(|connection| {
            let task = run_one(connection, call.clone(), Arc::clone(sent), deadline);
            tokio::spawn(task)
        })
        .collect();
    let (mut alive, mut ok, mut failed) = (Vec::new(), 0, 0);
    for task in tasks {
        let (connection, answered, refused) = task.await?;
        ok += answered;
        failed += refused;
        alive.extend(connection);
    }
    if alive.is_empty() {
        bail!("every connection to the gateway failed");
    }
    Ok((alive, ok, failed))
}

/// One connection's loop. A transport error ends it (counted as one failure); a non-200 answer
/// is counted and the loop goes on. `sent` numbers the calls across all connections, so every
/// phone call id is used [`crate::control::TOOL_CALLS_PER_PHONE_CALL`] times in all.
async fn run_one(
    mut connection: Connection,
    call: RepeatedCall,
    sent: Arc<AtomicU64>,
    deadline: Instant,
) -> (Option<Connection>, u64, u64) {
    let (mut ok, mut failed) = (0, 0);
    while Instant::now() < deadline {
        let Ok(request) = call.request(sent.fetch_add(1, Ordering::Relaxed)) else {
            return (Some(connection), ok, failed + 1);
        };
        match connection.send(request).await {
            Ok((StatusCode::OK, _)) => ok += 1,
            Ok(_) => failed += 1,
            Err(_) => return (None, ok, failed + 1),
        }
    }
    (Some(connection), ok, failed)
}
