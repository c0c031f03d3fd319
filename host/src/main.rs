//! The `slotline` command line.

mod cli;

#[cfg(feature = "demo")]
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
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
    #[cfg(feature = "demo")]
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
    },
    /// Serve the Cal.com v2 simulator alone, on a calendar of your own (`--seed`): what a
    /// plugin project's `test.sh` runs against.
    #[cfg(feature = "demo")]
    Simulator(cli::simulator::SimulatorArgs),
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
    /// Connect voice agents to a tenant.
    #[command(subcommand)]
    Agent(AgentCommand),
    /// Compile the component on stdin into an artifact on stdout: the child process `serve`
    /// compiles uploads in, within `runtime.compile`'s budget. Not for people.
    #[command(name = slotline::runtime::compile_worker::SUBCOMMAND, hide = true)]
    CompileWorker {
        /// The engine's settings, as the gateway writes them.
        settings: String,
    },
}

#[derive(Debug, Subcommand)]
enum AgentCommand {
    /// Print a tenant's tool definitions as a platform takes them (JSON on stdout): paste
    /// or POST them to Retell or Vapi, or hand them to an MCP client.
    Export(cli::agent::ExportArgs),
}

#[derive(Debug, Subcommand)]
enum PluginCommand {
    /// Create a plugin project: WIT, build script, README and a test that runs the plugin
    /// with the stock `wasmtime` CLI against `slotline simulator`.
    New(cli::new_plugin::NewArgs),
    /// Validate a plugin offline: compile it and check it against the plugin world.
    Check { file: PathBuf },
    /// Answer one tool call with a tenant's plugin, without a server; prints the reply the
    /// Retell webhook would return, and the time taken on standard error.
    Invoke(cli::invoke::InvokeArgs),
    /// Upload a plugin version to a running gateway.
    Push {
        #[command(flatten)]
        admin: Admin,
        #[arg(long)]
        tenant: String,
        file: PathBuf,
        /// Make it the active version right away.
        #[arg(long)]
        activate: bool,
    },
    /// List a tenant's plugin versions.
    List {
        #[command(flatten)]
        admin: Admin,
        #[arg(long)]
        tenant: String,
    },
    /// Activate a version (also how to roll back), or start a canary of it.
    Activate {
        #[command(flatten)]
        admin: Admin,
        #[arg(long)]
        tenant: String,
        /// Serve the version to this share (1-100 %) of new phone calls beside the active
        /// one, rolled back or promoted by itself (the tenant's `canary` rules).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100))]
        canary: Option<u32>,
        version: u32,
    },
    /// Run the tenant's latest recorded calls on a version, answered from their recordings
    /// (nothing reaches the calendar), and show where it answers otherwise. Exits with 1
    /// when any call differs.
    Replay {
        #[command(flatten)]
        admin: Admin,
        #[arg(long)]
        tenant: String,
        /// How many of the latest recorded calls (default: all the tenant keeps).
        #[arg(long)]
        last: Option<u32>,
        /// Print the whole report as JSON.
        #[arg(long)]
        json: bool,
        version: u32,
    },
}

/// Where the gateway's admin API is, and the token to use.
#[derive(Debug, clap::Args)]
struct Admin {
    /// Base URL of the gateway.
    #[arg(long, env = "SLOTLINE_URL", default_value = "http://127.0.0.1:8080")]
    url: String,
    /// The operator's or the tenant's admin token.
    #[arg(long, env = "SLOTLINE_ADMIN_TOKEN", hide_env_values = true)]
    token: String,
}

impl Admin {
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<serde_json::Value> {
        let response = request
            .bearer_auth(&self.token)
            .send()
            .await
            .with_context(|| format!("cannot reach {}", self.url))?;
        let status = response.status();
        let body: serde_json::Value = response.json().await.unwrap_or(serde_json::Value::Null);
        if !status.is_success() {
            let message = body["error"]["message"].as_str().unwrap_or("no details");
            anyhow::bail!("{status}: {message}");
        }
        Ok(body)
    }

    fn endpoint(&self, tenant: &str, rest: &str) -> String {
        format!(
            "{}/v1/admin/tenants/{tenant}/plugins{rest}",
            self.url.trim_end_matches('/')
        )
    }
}

/// Every call allocates many small, short-lived values (requests, JSON, the plugin's store);
/// the profile showed 13% of a cached call in glibc's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    // `plugin invoke` and `agent export` print JSON on stdout for scripts: logs go to stderr,
    // and only warnings unless SLOTLINE_LOG asks for more.
    let invoking = match &cli.command {
        Command::Plugin(PluginCommand::Invoke(_)) | Command::Agent(AgentCommand::Export(_)) => true,
        // Its stdout is the artifact.
        Command::CompileWorker { .. } => true,
        // Scripts read the simulator's address from its first line.
        #[cfg(feature = "demo")]
        Command::Simulator(_) => true,
        _ => false,
    };
    let filter = EnvFilter::try_from_env("SLOTLINE_LOG")
        .unwrap_or_else(|_| EnvFilter::new(if invoking { "warn" } else { "info" }));
    if invoking {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    match cli.command {
        Command::Serve => {
            // Uploads compile in child processes of this very binary, held to a budget.
            slotline::runtime::compile_worker::enable(
                std::env::current_exe().context("cannot find the slotline executable")?,
            );
            serve(cli.config).await
        }
        Command::CompileWorker { settings } => {
            Ok(slotline::runtime::compile_worker::serve(&settings)?)
        }
        #[cfg(feature = "demo")]
        Command::Demo { listen } => cli::demo::run(listen).await,
        #[cfg(feature = "demo")]
        Command::Simulator(args) => cli::simulator::run(&args).await,
        Command::Sign { key, body } => {
            let now = chrono::Utc::now().timestamp_millis();
            println!("{}", signature::sign(body.as_bytes(), key.as_bytes(), now));
            Ok(())
        }
        Command::Plugin(PluginCommand::Check { file }) => check(cli.config, &file),
        Command::Plugin(PluginCommand::Invoke(args)) => invoke(cli.config, &args).await,
        Command::Plugin(PluginCommand::New(args)) => new_plugin(&args),
        Command::Plugin(command) => admin(command).await,
        Command::Agent(AgentCommand::Export(args)) => {
            let definitions = cli::agent::export(cli.config.as_deref(), &args).await?;
            println!("{}", serde_json::to_string_pretty(&definitions)?);
            Ok(())
        }
    }
}

async fn serve(path: Option<PathBuf>) -> Result<()> {
    let config = Config::load(path.as_deref())?;
    let listen = config.server.listen;
    let gateway = Gateway::from_config(&config).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!(%listen, tenants = gateway.tenants().ids().len(), "serving");
    gateway.serve(listener).await?;
    Ok(())
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
    // What `[tenants.<id>.plugin_limits]` must allow for a tenant to run it.
    let needs = plugin.needs();
    println!(
        "  needs    {} core instances, {} memories, {} tables, {} MiB of memory to start",
        needs.core_instances.unwrap_or_default(),
        needs.memories,
        needs.tables,
        needs.initial_memory_bytes.div_ceil(1024 * 1024)
    );
    match runtime.allowance("<tenant>", &slotline::config::PluginLimits::default()) {
        Ok(defaults) => match defaults.admits("<tenant>", needs) {
            Ok(()) => println!("  fits     a tenant's default plugin_limits"),
            Err(err) => println!("  note     {err}"),
        },
        Err(err) => println!("  note     {err}"),
    }
    println!(
        "  compiled in {:.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}

fn new_plugin(args: &cli::new_plugin::NewArgs) -> Result<()> {
    let created = cli::new_plugin::create(args)?;
    let dir = created.dir.display();
    println!(
        "created {} ({}, {} files) in {dir}",
        args.name,
        args.lang.name(),
        created.files
    );
    println!();
    println!("  cd {dir}");
    println!("  ./build.sh                             # dist/plugin.wasm");
    println!("  ./test.sh                              # wasmtime CLI + slotline simulator");
    println!("  slotline plugin check dist/plugin.wasm");
    println!(
        "  slotline plugin push --url http://GATEWAY:8080 --token TOKEN --tenant TENANT dist/plugin.wasm --activate"
    );
    println!();
    println!("README.md in the project says what to change where.");
    Ok(())
}

async fn invoke(path: Option<PathBuf>, args: &cli::invoke::InvokeArgs) -> Result<()> {
    let invocation = cli::invoke::invoke(path.as_deref(), args).await?;
    println!("{}", invocation.reply);
    eprintln!(
        "{} answered in {:.1} ms (gateway built in {:.0} ms)",
        invocation.tool.name(),
        invocation.call.as_secs_f64() * 1000.0,
        invocation.setup.as_secs_f64() * 1000.0
    );
    Ok(())
}

async fn admin(command: PluginCommand) -> Result<()> {
    let http = reqwest::Client::new();
    match command {
        PluginCommand::Push {
            admin,
            tenant,
            file,
            activate,
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let url = admin.endpoint(&tenant, if activate { "?activate=true" } else { "" });
            let reply = admin.send(http.post(url).body(bytes)).await?;
            println!(
                "version {} sha256:{} ({} bytes){}",
                reply["version"],
                reply["digest"].as_str().unwrap_or_default(),
                reply["size"],
                if activate { ", active" } else { "" }
            );
        }
        PluginCommand::List { admin, tenant } => {
            let reply = admin.send(http.get(admin.endpoint(&tenant, ""))).await?;
            let active = reply["active"].as_u64();
            for version in reply["versions"].as_array().into_iter().flatten() {
                let marker = if version["version"].as_u64() == active {
                    "*"
                } else {
                    " "
                };
                println!(
                    "{marker} {:>3}  sha256:{}  {:>9} bytes  {}",
                    version["version"],
                    version["digest"].as_str().unwrap_or_default(),
                    version["size"],
                    version["uploaded_at"].as_str().unwrap_or_default()
                );
            }
            let canary = &reply["canary"];
            if !canary.is_null() {
                println!(
                    "canary: version {} on {}% beside version {}: {}; candidate {}/{} calls failed, stable {}/{}{}",
                    canary["candidate_version"],
                    canary["percent"],
                    canary["stable_version"],
                    canary["state"].as_str().unwrap_or_default(),
                    canary["candidate"]["failures"],
                    canary["candidate"]["calls"],
                    canary["stable"]["failures"],
                    canary["stable"]["calls"],
                    canary["reason"]
                        .as_str()
                        .map(|reason| format!(" ({reason})"))
                        .unwrap_or_default()
                );
            }
        }
        PluginCommand::Activate {
            admin,
            tenant,
            canary: Some(percent),
            version,
        } => {
            let url = admin.endpoint(&tenant, &format!("/{version}/activate?canary={percent}"));
            let reply = admin.send(http.post(url)).await?;
            let canary = &reply["canary"];
            println!(
                "version {version} on {percent}% of new calls beside version {} (judged after {} calls; follow it with `plugin list`)",
                canary["stable_version"], canary["rules"]["min_calls"]
            );
        }
        PluginCommand::Activate {
            admin,
            tenant,
            canary: None,
            version,
        } => {
            let url = admin.endpoint(&tenant, &format!("/{version}/activate"));
            let reply = admin.send(http.post(url)).await?;
            println!(
                "version {} active (sha256:{})",
                reply["version"],
                reply["digest"].as_str().unwrap_or_default()
            );
        }
        PluginCommand::Replay {
            admin,
            tenant,
            last,
            json,
            version,
        } => {
            let query = last.map_or_else(String::new, |last| format!("?last={last}"));
            let url = admin.endpoint(&tenant, &format!("/{version}/replay{query}"));
            let report = admin.send(http.post(url)).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", cli::replay::summary(&report));
            }
            if report["totals"]["different"].as_u64().unwrap_or(0) > 0 {
                std::process::exit(1);
            }
        }
        PluginCommand::Check { .. } | PluginCommand::Invoke(_) | PluginCommand::New(_) => {}
    }
    Ok(())
}
