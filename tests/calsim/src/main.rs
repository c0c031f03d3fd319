//! `calsim`: serve the Cal.com v2 API simulator on a socket. See the library docs.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use calsim::{Endpoint, RateLimitConfig, Seed, Simulator, parse_latency};
use chrono::{DateTime, Utc};
use clap::Parser;

/// A Cal.com v2 API simulator (slots, bookings, event types, webhooks, faults).
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8090", env = "CALSIM_LISTEN")]
    listen: SocketAddr,
    /// Seed file (JSON); without it the demo calendar is served.
    #[arg(long, env = "CALSIM_SEED")]
    seed: Option<PathBuf>,
    /// Freeze the clock at this RFC 3339 instant.
    #[arg(long)]
    now: Option<DateTime<Utc>>,
    /// Latency per endpoint: `ENDPOINT=MS` or `ENDPOINT=MIN-MAX` (endpoints: slots,
    /// createBooking, getBooking, listBookings, cancelBooking, rescheduleBooking,
    /// eventTypes, reserveSlot, getReservation, updateReservation, deleteReservation, all).
    /// Repeatable.
    #[arg(long, value_name = "ENDPOINT=MS")]
    latency: Vec<String>,
    /// Requests per minute and API key (Cal.com: 120).
    #[arg(long)]
    rate_limit: Option<u32>,
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();

    let mut seed = match &cli.seed {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read seed {}", path.display()))?;
            Seed::from_json(&text).with_context(|| format!("bad seed {}", path.display()))?
        }
        None => Seed::demo(Seed::berlin_today()),
    };
    if let Some(now) = cli.now {
        seed.now = Some(now);
    }
    if let Some(limit) = cli.rate_limit {
        seed.rate_limit = RateLimitConfig {
            limit,
            ..RateLimitConfig::default()
        };
    }
    let api_keys = seed.api_keys.clone();
    let sim = Simulator::try_new(seed).context("invalid seed")?;
    for spec in &cli.latency {
        let Some((endpoint, latency)) = spec.split_once('=') else {
            bail!("--latency {spec}: expected ENDPOINT=MS or ENDPOINT=MIN-MAX");
        };
        let endpoint: Endpoint = serde_json::from_value(serde_json::Value::from(endpoint))
            .with_context(|| format!("--latency {spec}: unknown endpoint `{endpoint}`"))?;
        let latency = parse_latency(latency)
            .with_context(|| format!("--latency {spec}: expected MS or MIN-MAX"))?;
        sim.set_latency(endpoint, latency);
    }

    let running = sim
        .spawn(cli.listen)
        .await
        .with_context(|| format!("cannot listen on {}", cli.listen))?;
    println!("{}", running.banner(&api_keys));
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    running.shutdown().await;
    Ok(())
}
