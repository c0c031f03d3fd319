//! Compiling uploads in a child process, held to a time and a memory budget.
//!
//! wasmtime cannot interrupt a compilation, and Cranelift's time and memory grow with what a
//! component asks of it: an upload crafted to compile for minutes, or to make the compiler
//! hold gigabytes, would do that inside the serving process, beside every tenant's calls.
//! So `slotline serve` compiles in a child, `slotline compile-worker` (its own executable),
//! which builds an engine with the same settings, reads the component on stdin and writes
//! the precompiled artifact on stdout. The parent kills it at `runtime.compile.time_limit_ms`
//! or as soon as its peak resident memory (`VmHWM` in `/proc`, so a spike between two looks
//! still counts) passes `runtime.compile.memory_limit_mib`, and loads the artifact only
//! through `Component::deserialize`, which refuses one made by an incompatible engine.
//!
//! Only the binary knows that its own executable is a worker, so `main` switches this on
//! ([`enable`]) for `serve`; everything else (the CLI's `plugin check`, tests embedding the
//! library) compiles in process.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::config::{CompileConfig, Profiler};

/// The hidden subcommand of the `slotline` binary that compiles one component.
pub const SUBCOMMAND: &str = "compile-worker";

/// How often the parent looks at the worker's memory and clock. A poll, because Linux tells a
/// parent nothing about a child's memory until it exits; `VmHWM` keeps the peak between polls.
const POLL: Duration = Duration::from_millis(5);

/// Exit code of a worker whose component does not compile (its reason on stderr).
const DOES_NOT_COMPILE: i32 = 2;

/// What the worker's stderr may hand back: a compiler's reason, not a log.
const MAX_REASON_BYTES: u64 = 16 * 1024;

static WORKER: OnceLock<PathBuf> = OnceLock::new();

/// Compile uploads in child processes of `executable` (the running `slotline` binary) from
/// now on. Called once, by `slotline serve`.
pub fn enable(executable: PathBuf) {
    if WORKER.set(executable).is_err() {
        tracing::debug!("compile worker already enabled");
    }
}

/// The worker's executable, once [`enable`]d.
pub(super) fn executable() -> Option<&'static Path> {
    WORKER.get().map(PathBuf::as_path)
}

/// What makes two engines' artifacts compatible: the child builds its engine from exactly
/// these, as `Runtime::new` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineSettings {
    /// Largest linear memory of one instance, in bytes.
    pub memory_ceiling: usize,
    /// Instance slots of the pool.
    pub max_instances: u32,
    /// `runtime.profiler`.
    pub profiler: Profiler,
}

/// Why the worker itself failed (not the component): the host's problem, not the tenant's.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// The settings argument is not what the parent writes.
    #[error("compile worker: bad engine settings {0:?}: {1}")]
    Settings(String, serde_json::Error),
    /// Reading the component or writing the artifact failed.
    #[error("compile worker: {0}")]
    Io(#[from] std::io::Error),
    /// The engine could not be built.
    #[error("compile worker: {0}")]
    Engine(#[from] super::RuntimeError),
}

/// The worker: the component on stdin, the artifact on stdout. A component that does not
/// compile ends the process with [`DOES_NOT_COMPILE`] and the compiler's reason on stderr.
pub fn serve(settings: &str) -> Result<(), WorkerError> {
    let settings: EngineSettings = serde_json::from_str(settings)
        .map_err(|err| WorkerError::Settings(settings.to_owned(), err))?;
    let engine = super::engine::build(
        settings.memory_ceiling,
        settings.max_instances,
        settings.profiler,
    )?;
    let mut bytes = Vec::new();
    std::io::stdin().lock().read_to_end(&mut bytes)?;
    match engine.precompile_component(&bytes) {
        Ok(artifact) => {
            let mut out = std::io::stdout().lock();
            out.write_all(&artifact)?;
            out.flush()?;
            Ok(())
        }
        Err(err) => {
            eprint!("{err:#}");
            std::process::exit(DOES_NOT_COMPILE);
        }
    }
}

/// Why the worker gave no artifact.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The component does not compile: the compiler's reason.
    #[error("the component does not compile: {0}")]
    Rejected(String),
    /// Compiling it took more time or memory than the gateway gives one upload.
    #[error("the component takes too much to compile: {detail}; raise {} if the plugin is legitimate", .budget.key())]
    Budget {
        /// Which budget ran out.
        budget: Budget,
        /// What was spent.
        detail: String,
    },
    /// The worker could not do its work: the host's problem, not the component's.
    #[error("cannot compile in the worker process: {0}")]
    Worker(String),
}

/// Which budget a compilation ran out of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// `runtime.compile.time_limit_ms`.
    Time,
    /// `runtime.compile.memory_limit_mib`.
    Memory,
}

impl Budget {
    /// The configuration key that sets it, for the error a tenant reads.
    pub fn key(self) -> &'static str {
        match self {
            Budget::Time => "runtime.compile.time_limit_ms",
            Budget::Memory => "runtime.compile.memory_limit_mib",
        }
    }
}

/// A worker killed when dropped, so no early return leaves one compiling.
struct Worker(Child);

impl Drop for Worker {
    fn drop(&mut self) {
        // Already exited is fine: kill then reports an error we have nothing to do with.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Compiles `bytes` in a child process of `executable` within `budget`: the artifact, or why
/// not. Blocking: the caller runs it off the async workers.
pub(super) fn compile(
    executable: &Path,
    settings: &EngineSettings,
    budget: &CompileConfig,
    bytes: &[u8],
) -> Result<Vec<u8>, Refusal> {
    let worker_failed =
        |what: &str, err: &dyn std::fmt::Display| Refusal::Worker(format!("{what}: {err}"));
    let settings = serde_json::to_string(settings)
        .map_err(|err| worker_failed("cannot write the engine settings", &err))?;
    let child = Command::new(executable)
        .arg(SUBCOMMAND)
        .arg(settings)
        .env("SLOTLINE_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| worker_failed("cannot start the compile worker", &err))?;
    let mut worker = Worker(child);
    let pid = worker.0.id();
    let memory_limit_kib = budget.memory_limit_mib.saturating_mul(1024);
    let (stdin, stdout, stderr) = (
        worker.0.stdin.take(),
        worker.0.stdout.take(),
        worker.0.stderr.take(),
    );
    let (Some(mut stdin), Some(stdout), Some(stderr)) = (stdin, stdout, stderr) else {
        return Err(Refusal::Worker("the compile worker has no pipes".into()));
    };
    // The artifact cannot be larger than the memory the worker may hold to make it.
    let artifact_limit = memory_limit_kib.saturating_mul(1024);
    let started = Instant::now();
    let time_limit = Duration::from_millis(budget.time_limit_ms);
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || stdin.write_all(bytes));
        let reader = scope.spawn(move || {
            let mut artifact = Vec::new();
            stdout
                .take(artifact_limit.saturating_add(1))
                .read_to_end(&mut artifact)
                .map(|_| artifact)
        });
        let reason = scope.spawn(move || {
            let mut reason = String::new();
            // Lossy on purpose: the reason is shown to the tenant, never parsed.
            let mut raw = Vec::new();
            let _ = stderr.take(MAX_REASON_BYTES).read_to_end(&mut raw);
            reason.push_str(&String::from_utf8_lossy(&raw));
            reason
        });
        let status = watch(&mut worker.0, pid, time_limit, memory_limit_kib, started);
        let status = match status {
            Ok(status) => status,
            Err(outcome) => {
                // Killed (or lost): the pipes close, so the threads end.
                drop(worker);
                let _ = (writer.join(), reader.join(), reason.join());
                return Err(outcome);
            }
        };
        let written = writer.join();
        let artifact = reader.join();
        let reason = reason.join().unwrap_or_default();
        finish(status, written, artifact, reason, artifact_limit)
    })
}

/// Waits for the worker, killing it at either budget.
fn watch(
    child: &mut Child,
    pid: u32,
    time_limit: Duration,
    memory_limit_kib: u64,
    started: Instant,
) -> Result<ExitStatus, Refusal> {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) => {}
            Err(err) => {
                return Err(Refusal::Worker(format!(
                    "cannot wait for the compile worker: {err}"
                )));
            }
        }
        if started.elapsed() > time_limit {
            return Err(Refusal::Budget {
                budget: Budget::Time,
                detail: format!(
                    "still compiling after {} ms (runtime.compile.time_limit_ms = {})",
                    started.elapsed().as_millis(),
                    time_limit.as_millis()
                ),
            });
        }
        if let Some(peak) = peak_rss_kib(pid)
            && peak > memory_limit_kib
        {
            return Err(Refusal::Budget {
                budget: Budget::Memory,
                detail: format!(
                    "the compiler needed more than {} MiB (runtime.compile.memory_limit_mib)",
                    memory_limit_kib / 1024
                ),
            });
        }
        std::thread::sleep(POLL);
    }
}

/// What an exited worker's status, pipes and stderr amount to.
fn finish(
    status: ExitStatus,
    written: std::thread::Result<std::io::Result<()>>,
    artifact: std::thread::Result<std::io::Result<Vec<u8>>>,
    reason: String,
    artifact_limit: u64,
) -> Result<Vec<u8>, Refusal> {
    if status.code() == Some(DOES_NOT_COMPILE) {
        return Err(Refusal::Rejected(reason));
    }
    if !status.success() {
        return Err(Refusal::Worker(format!(
            "the compile worker ended with {status}: {reason}"
        )));
    }
    match written {
        Ok(Ok(())) => {}
        Ok(Err(err)) => {
            return Err(Refusal::Worker(format!(
                "cannot hand the component to the compile worker: {err}"
            )));
        }
        Err(_) => return Err(Refusal::Worker("the component writer panicked".into())),
    }
    match artifact {
        Ok(Ok(artifact)) if u64::try_from(artifact.len()).unwrap_or(u64::MAX) > artifact_limit => {
            Err(Refusal::Budget {
                budget: Budget::Memory,
                detail: "the compiled artifact is larger than runtime.compile.memory_limit_mib"
                    .into(),
            })
        }
        Ok(Ok(artifact)) => Ok(artifact),
        Ok(Err(err)) => Err(Refusal::Worker(format!(
            "cannot read the compile worker's artifact: {err}"
        ))),
        Err(_) => Err(Refusal::Worker("the artifact reader panicked".into())),
    }
}

/// Peak resident memory of `pid` so far, in KiB; `None` once it is gone.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}
