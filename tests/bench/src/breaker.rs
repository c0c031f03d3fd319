//! A call while the upstream breaker is open: the calendar fails until the breaker opens, then
//! calls are timed that must be refused at once, without a request to the calendar.

use std::time::{Duration, Instant};

use anyhow::{Result, bail, ensure};
use hyper::StatusCode;
use serde_json::json;

use crate::attempt::Target;
use crate::control::{self, Connection, RepeatedCall};
use crate::load::Latencies;

/// Calls that may fail before the breaker must be open (its threshold is 5).
const MAX_CALLS_TO_OPEN: u64 = 10;

/// Trips the demo tenant's breaker with HTTP 503 from the slots endpoint, then times `count`
/// calls while it is open. The breaker stays open afterwards (60 s by default): run this after
/// every phase that needs the calendar, or restart the gateway.
pub async fn open_breaker_calls(target: Target, count: u64) -> Result<Latencies> {
    target.sim.fail_with("slots", Some(503)).await?;
    let result = timed_while_open(target, count).await;
    target.sim.fail_with("slots", None).await?;
    result
}

async fn timed_while_open(target: Target, count: u64) -> Result<Latencies> {
    // A day nobody asked for: with the cache empty, every check must ask the calendar.
    let args = json!({"date": "2026-11-26", "time": "14:00"});
    let call = RepeatedCall::new("check_availability", args, "breaker");
    control::clear_cache(target.gateway).await?;
    let mut connection = Connection::open(target.gateway).await?;
    let mut sent = 0;
    loop {
        if control::breaker_state(target.gateway).await?.as_deref() == Some("open") {
            break;
        }
        if sent == MAX_CALLS_TO_OPEN {
            bail!("the breaker did not open after {sent} failed upstream calls");
        }
        expect_unavailable(connection.reply(&call.nth(sent)?).await?)?;
        sent += 1;
    }

    let before = target.sim.requests().await?;
    let mut samples: Vec<Duration> = Vec::with_capacity(usize::try_from(count)?);
    for n in 0..count {
        let signed = call.nth(sent + n)?;
        let started = Instant::now();
        let answer = connection.reply(&signed).await?;
        samples.push(started.elapsed());
        expect_unavailable(answer)?;
    }
    let after = target.sim.requests().await?;
    ensure!(
        after == before,
        "{} upstream requests were made while the breaker was open",
        after - before
    );
    Ok(Latencies::new(samples))
}

/// The plugin's refusal as the caller hears it: `upstream_unavailable`.
fn expect_unavailable((status, reply): (StatusCode, serde_json::Value)) -> Result<()> {
    ensure!(
        reply["error"]["code"] == "upstream_unavailable",
        "expected upstream_unavailable, got {status} {reply}"
    );
    Ok(())
}
