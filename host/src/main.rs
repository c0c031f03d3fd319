//! The `slotline` command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use chrono::{Datelike, Weekday};
use clap::{Parser, Subcommand};
use slotline::config::Config;
use slotline::gateway::Gateway;
use slotline::runtime::Runtime;
use slotline::server::signature;
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(
    name = "slotline",
    version,
    about = "Appointment booking gateway for voice agents"
)]
struct Cli {
    /// Configuration file (TOML); `SLOTLINE_*` variables override it.
    #[arg(long, short, global = true, env = "SLOTLINE_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the tenants of the configuration.
    Serve,
    /// Start the Cal.com simulator and a gateway with the demo tenant `demo`.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
    },
    /// Print an `X-Retell-Signature` value for BODY, as Retell would send it now.
    Sign {
        /// The tenant's Retell API key.
        #[arg(long)]
        key: String,
        /// The exact request body.
        body: String,
    },
    /// Work with plugin components.
    #[command(subcommand)]
    Plugin(PluginCommand),
}

#[derive(Debug, Subcommand)]
enum PluginCommand {
    /// Validate a plugin: compile it, link it against the host, list its imports and exports.
    Check { file: PathBuf },
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("SLOTLINE_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve => serve(cli.config).await,
        Command::Demo { listen } => demo(listen).await,
        Command::Sign { key, body } => {
            let now = chrono::Utc::now().timestamp_millis();
            println!("{}", signature::sign(body.as_bytes(), key.as_bytes(), now));
            Ok(())
        }
        Command::Plugin(PluginCommand::Check { file }) => check(cli.config, &file),
    }
}

async fn serve(path: Option<PathBuf>) -> Result<()> {
    let config = Config::load(path.as_deref())?;
    let listen = config.server.listen;
    let gateway = Gateway::from_config(&config)?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!(%listen, tenants = gateway.tenants().ids().len(), "serving");
    gateway.serve(listener).await?;
    Ok(())
}

async fn demo(listen: SocketAddr) -> Result<()> {
    let simulator = calsim::Simulator::demo()
        .spawn(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .context("cannot start the Cal.com simulator")?;
    let config = slotline::demo::config(listen, simulator.addr);
    let gateway = Gateway::from_config(&config)?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;

    let date = next_workday();
    let body = slotline::demo::check_availability_body("demo-call-1", &date, "15:00");
    let exe = std::env::current_exe()
        .map(|path| path.display().to_string())
        .unwrap_or_else(|_| "slotline".to_owned());
    println!("Slotline demo");
    println!("  gateway            http://{listen}  (tenant `demo`, locale de, Europe/Berlin)");
    println!(
        "  Cal.com simulator  http://{}/v2  (API key {})",
        simulator.addr,
        slotline::demo::CALCOM_API_KEY
    );
    println!();
    println!("Ask whether {date} at 15:00 is free (a signed Retell call; paste into a shell):");
    println!();
    println!(
        "  BODY='{body}'; curl -s http://{listen}/v1/retell/demo -H 'content-type: application/json' -H \"X-Retell-Signature: $({exe} sign --key {} \"$BODY\")\" -d \"$BODY\"; echo",
        slotline::demo::RETELL_API_KEY
    );
    println!();
    gateway.serve(listener).await?;
    drop(simulator);
    Ok(())
}

/// The next Monday-to-Friday day after today, in the demo's timezone.
fn next_workday() -> String {
    let mut day = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive();
    loop {
        day = day.succ_opt().unwrap_or(day);
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            return day.format("%Y-%m-%d").to_string();
        }
    }
}

fn check(path: Option<PathBuf>, file: &PathBuf) -> Result<()> {
    let config = Config::load(path.as_deref())?;
    let runtime = Runtime::new(&config.runtime)?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let started = Instant::now();
    let plugin = runtime.compile(&bytes)?;
    println!("{}: ok", file.display());
    println!("  digest   sha256:{}", plugin.digest());
    println!("  size     {} bytes", bytes.len());
    println!(
        "  compiled in {:.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}
