//! `slotline simulator`: the Cal.com v2 simulator the tests use, for plugin authors' own
//! tests (a project from `slotline plugin new` runs its `test.sh` against it). Only with the
//! `demo` feature, which compiles the simulator in.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use calsim::{Seed, Simulator};

#[derive(Debug, clap::Args)]
pub struct SimulatorArgs {
    /// Address to listen on; port 0 lets the system pick one (the address is printed).
    #[arg(long, default_value = "127.0.0.1:8090")]
    pub listen: SocketAddr,
    /// The calendar (JSON: event types, opening hours, bookings, a frozen `now`); without it
    /// the demo's calendar.
    #[arg(long)]
    pub seed: Option<PathBuf>,
}

/// Serves until the process is stopped, after printing the simulator's banner (its first
/// line names the API's base URL; scripts wait for it).
pub async fn run(args: &SimulatorArgs) -> Result<()> {
    let seed = match &args.seed {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read seed {}", path.display()))?;
            Seed::from_json(&text).with_context(|| format!("bad seed {}", path.display()))?
        }
        None => Seed::demo(Seed::berlin_today()),
    };
    let api_keys = seed.api_keys.clone();
    let simulator = Simulator::try_new(seed).context("invalid seed")?;
    let running = simulator
        .spawn(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    println!("{}", running.banner(&api_keys));
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    running.shutdown().await;
    Ok(())
}
