//! The `wasmtime` command line tool: wasmtime-cli 48.0.8's `src/bin/wasmtime.rs` with the
//! subcommands of the features this package enables (`run`, `config`, `settings`), so that the
//! stock CLI runs plugins from the wasmtime the workspace has already compiled.
//!
//! Copyright the Bytecode Alliance contributors; Apache-2.0 WITH LLVM-exception, as
//! wasmtime-cli is.

use clap::Parser;
use wasmtime::Result;

/// Wasmtime WebAssembly Runtime
#[derive(Parser)]
#[command(
    name = "wasmtime",
    version = version(),
    after_help = "If a subcommand is not provided, the `run` subcommand will be used.\n\
                  \n\
                  Usage examples:\n\
                  \n\
                  Running a WebAssembly module with a start function:\n\
                  \n  \
                  wasmtime example.wasm
                  \n\
                  Passing command line arguments to a WebAssembly module:\n\
                  \n  \
                  wasmtime example.wasm arg1 arg2 arg3\n\
                  \n\
                  Invoking a specific function (e.g. `add`) in a WebAssembly module:\n\
                  \n  \
                  wasmtime --invoke add example.wasm 1 2\n",

    // This option enables the pattern below where we ask clap to parse twice
    // sorta: once where it's trying to find a subcommand and once assuming
    // a subcommand doesn't get passed. Clap should then, apparently,
    // fill in the `subcommand` if found and otherwise fill in the
    // `RunCommand`.
    args_conflicts_with_subcommands = true
)]
struct Wasmtime {
    #[command(subcommand)]
    subcommand: Option<Subcommand>,
    #[command(flatten)]
    run: wasmtime_cli::commands::RunCommand,
}

/// If WASMTIME_VERSION_INFO is set, use it, otherwise use CARGO_PKG_VERSION (this package's
/// version is the wasmtime-cli version it builds).
fn version() -> &'static str {
    option_env!("WASMTIME_VERSION_INFO").unwrap_or(env!("CARGO_PKG_VERSION"))
}

#[derive(Parser)]
#[expect(
    clippy::large_enum_variant,
    reason = "wasmtime's own definition, parsed once per process"
)]
enum Subcommand {
    /// Runs a WebAssembly module
    Run(wasmtime_cli::commands::RunCommand),

    /// Controls Wasmtime configuration settings
    Config(wasmtime_cli::commands::ConfigCommand),

    /// Displays available Cranelift settings for a target.
    Settings(wasmtime_cli::commands::SettingsCommand),
}

impl Wasmtime {
    /// Executes the command.
    pub fn execute(self) -> Result<()> {
        let subcommand = self.subcommand.unwrap_or(Subcommand::Run(self.run));
        match subcommand {
            Subcommand::Run(c) => c.execute(),
            Subcommand::Config(c) => c.execute(),
            Subcommand::Settings(c) => c.execute(),
        }
    }
}

fn main() -> Result<()> {
    Wasmtime::parse().execute()
}
