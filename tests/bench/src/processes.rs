//! The system under test as child processes: the Cal.com simulator and the gateway, the release
//! binaries next to this one, on free loopback ports, with a temporary seed and configuration.
//!
//! They run as separate processes (not in-process, as the end-to-end tests do) so the gateway
//! can have a CPU of its own and the load generator's work never shows up in its numbers.

use std::ffi::OsString;
use std::fs;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use chrono::{DateTime, NaiveDate, Utc};

use crate::control;

/// The frozen "now" on both sides (a Wednesday, 10:00 in Berlin), as in the end-to-end tests:
/// the demo calendar is then the same in every run.
pub const NOW: &str = "2026-11-25T10:00:00+01:00";

/// How long a child may take to answer its first request. The gateway compiles its plugin at
/// start, which takes a few seconds on a busy machine.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// CPU placement: the gateway on CPU 0, the load generator (and the idle-during-load simulator)
/// on CPU 1, so the client's work does not steal the gateway's CPU.
#[derive(Debug, Clone)]
pub struct Pinning {
    taskset: Option<PathBuf>,
}

impl Pinning {
    /// Pins this process (the load generator) to CPU 1 when `taskset` (util-linux) is installed,
    /// there are at least two CPUs and the pinning works; otherwise nothing is pinned and the
    /// scheduler places everything. Call it before any thread is started, so every thread of
    /// the load generator inherits the placement.
    pub fn detect_and_pin_self(cpus: usize) -> Pinning {
        let taskset = (cpus >= 2)
            .then(|| find_in_path("taskset"))
            .flatten()
            .filter(|taskset| {
                Command::new(taskset)
                    .args(["-a", "-p", "-c", "1", &std::process::id().to_string()])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|status| status.success())
            });
        Pinning { taskset }
    }

    pub fn used(&self) -> bool {
        self.taskset.is_some()
    }

    /// A command for `program` running on `cpu` (or unpinned without taskset).
    pub fn command(&self, program: &Path, cpu: u32) -> Command {
        match &self.taskset {
            Some(taskset) => {
                let mut command = Command::new(taskset);
                command.arg("-c").arg(cpu.to_string()).arg(program);
                command
            }
            None => Command::new(program),
        }
    }
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// A child process that is killed when dropped, so a failed run leaves nothing behind.
struct Child {
    name: &'static str,
    process: std::process::Child,
    log: PathBuf,
}

impl Child {
    /// The end of the child's log, for error messages.
    fn log_tail(&self) -> String {
        let text = fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Kills the process and waits for it.
    fn stop(&mut self) -> Result<()> {
        self.process
            .kill()
            .with_context(|| format!("cannot stop {}", self.name))?;
        self.process.wait()?;
        Ok(())
    }

    fn exited(&mut self) -> Result<()> {
        if let Some(status) = self.process.try_wait()? {
            bail!(
                "{} exited during start-up ({status}); its log ({}):\n{}",
                self.name,
                self.log.display(),
                self.log_tail()
            );
        }
        Ok(())
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        // Already gone is fine: there is nothing else to do about a failed kill.
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// The simulator and the gateway, running.
pub struct Stack {
    pub sim: SocketAddr,
    pub gateway: SocketAddr,
    // Field order is drop order: the gateway goes first, then its upstream, then the files.
    gateway_process: Child,
    sim_process: Child,
    /// How the gateway was started, to start it again.
    gateway_command: GatewayCommand,
    /// Held for its `Drop`: the seed, the configuration, the data directory and the logs go
    /// with the stack.
    files: TempDir,
}

/// The gateway's command line, kept for restarts.
struct GatewayCommand {
    slotline: PathBuf,
    config: PathBuf,
    pinning: Pinning,
    /// Starts so far, to name each one's log.
    starts: u32,
}

impl GatewayCommand {
    fn spawn(&mut self, dir: &Path) -> Result<Child> {
        self.starts += 1;
        let mut command = self.pinning.command(&self.slotline, 0);
        command.arg("--config").arg(&self.config).arg("serve");
        let log = dir.join(format!("slotline-{}.log", self.starts));
        spawn("slotline", command, &log)
    }
}

impl Stack {
    /// Starts the simulator on the demo calendar as of [`NOW`], then a gateway with the demo
    /// tenant pointed at it, and waits until both answer HTTP.
    pub async fn start(bin_dir: &Path, pinning: &Pinning) -> Result<Stack> {
        let slotline = bin_dir.join("slotline");
        let calsim = bin_dir.join("calsim");
        for binary in [&slotline, &calsim] {
            ensure!(
                binary.is_file(),
                "{} is missing: run `make build` first",
                binary.display()
            );
        }
        let dir = TempDir::create("stack")?;
        let sim = free_port()?;
        let gateway = free_port()?;

        let seed = dir.path.join("seed.json");
        fs::write(&seed, seed_json()?).context("cannot write the simulator's seed")?;
        let config = dir.path.join("slotline.toml");
        fs::write(&config, config_toml(gateway, sim, &dir.path.join("data"))?)
            .context("cannot write the gateway's configuration")?;

        // The simulator only works during the booking phases, when the load generator is idle.
        let mut command = pinning.command(&calsim, 1);
        command
            .arg("--listen")
            .arg(sim.to_string())
            .arg("--seed")
            .arg(&seed);
        let mut sim_process = spawn("calsim", command, &dir.path.join("calsim.log"))?;
        wait_ready(&mut sim_process, sim, "/_sim/requests").await?;

        let mut gateway_command = GatewayCommand {
            slotline,
            config,
            pinning: pinning.clone(),
            starts: 0,
        };
        let mut gateway_process = gateway_command.spawn(&dir.path)?;
        wait_ready(&mut gateway_process, gateway, "/readyz").await?;

        Ok(Stack {
            sim,
            gateway,
            gateway_process,
            sim_process,
            gateway_command,
            files: dir,
        })
    }

    /// Stops the gateway and starts it again on the same configuration and data directory;
    /// returns how long the new process took to answer `/readyz`.
    pub async fn restart_gateway(&mut self) -> Result<Duration> {
        self.gateway_process.stop()?;
        let started = Instant::now();
        self.gateway_process = self.gateway_command.spawn(&self.files.path)?;
        wait_ready(&mut self.gateway_process, self.gateway, "/readyz").await?;
        Ok(started.elapsed())
    }

    /// The gateway's process id, for `/proc` and profilers.
    pub fn gateway_pid(&self) -> u32 {
        self.gateway_process.process.id()
    }

    /// The `slotline` binary the gateway runs.
    pub fn slotline(&self) -> &Path {
        &self.gateway_command.slotline
    }

    /// CPU time the gateway has used so far, to tell at saturation whether it or the load
    /// generator was the limit.
    pub fn gateway_cpu_time(&self) -> Option<Duration> {
        cpu_time(self.gateway_process.process.id())
    }

    /// Stops both children now (dropping does the same), and says whether either died early.
    pub fn stop(mut self) -> Result<()> {
        for child in [&mut self.gateway_process, &mut self.sim_process] {
            if let Some(status) = child.process.try_wait()? {
                bail!(
                    "{} died during the run ({status}); its log:\n{}",
                    child.name,
                    child.log_tail()
                );
            }
        }
        drop(self);
        Ok(())
    }
}

/// Another server on the gateway's CPU, on a free loopback port, for comparison: started by
/// [`Server::start`], killed when dropped.
pub struct Server {
    pub addr: SocketAddr,
    process: Child,
    _files: TempDir,
}

impl Server {
    /// Runs `program` on CPU 0 with the arguments `args` makes from the chosen address and a
    /// directory of its own (for files it needs), and waits until `GET ready_path` answers 200.
    pub async fn start(
        name: &'static str,
        program: &Path,
        pinning: &Pinning,
        ready_path: &str,
        args: impl FnOnce(SocketAddr, &Path) -> Result<Vec<OsString>>,
    ) -> Result<Server> {
        let dir = TempDir::create(name)?;
        let addr = free_port()?;
        let mut command = pinning.command(program, 0);
        command.args(args(addr, &dir.path)?);
        let mut process = spawn(name, command, &dir.path.join(format!("{name}.log")))?;
        wait_ready(&mut process, addr, ready_path).await?;
        Ok(Server {
            addr,
            process,
            _files: dir,
        })
    }

    /// CPU time the server has used so far.
    pub fn cpu_time(&self) -> Option<Duration> {
        cpu_time(self.process.process.id())
    }

    /// Stops the server, and says whether it died early.
    pub fn stop(mut self) -> Result<()> {
        if let Some(status) = self.process.process.try_wait()? {
            bail!(
                "{} died during the run ({status}); its log:\n{}",
                self.process.name,
                self.process.log_tail()
            );
        }
        self.process.stop()
    }
}

/// CPU time of every thread of process `pid`, from Linux's `/proc/<pid>/task/*/schedstat`
/// (nanoseconds on the CPU; more precise than `stat`'s clock ticks). `None` off Linux.
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let tasks = fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    let nanos = tasks
        .filter_map(|task| {
            let text = fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
            text.split_whitespace().next()?.parse::<u64>().ok()
        })
        .sum();
    Some(Duration::from_nanos(nanos))
}

/// The demo calendar as of [`NOW`]: Thursday 2026-11-26 has 10:00 and 15:00 taken.
fn seed_json() -> Result<String> {
    let today = NaiveDate::from_ymd_opt(2026, 11, 25).context("bad demo date")?;
    let mut seed = calsim::Seed::demo(today);
    seed.now = Some(DateTime::parse_from_rfc3339(NOW)?.with_timezone(&Utc));
    Ok(serde_json::to_string_pretty(&seed)?)
}

/// The demo tenant of `slotline demo`, written out as a configuration file, so the benchmark
/// measures exactly what the demo serves. Uploads, the store and precompiled plugins go to
/// `data_dir`, so a restarted gateway finds them.
fn config_toml(gateway: SocketAddr, sim: SocketAddr, data_dir: &Path) -> Result<String> {
    let mut config = bench_config(gateway, sim);
    config.server.data_dir = Some(data_dir.to_owned());
    toml::to_string(&config).context("cannot write the configuration as TOML")
}

/// The bench's configuration with a store in `data_dir` (so there is a call log to write) and
/// the call log on or off: the pair the call log's cost is measured with.
pub fn call_log_config_toml(
    gateway: SocketAddr,
    sim: SocketAddr,
    data_dir: &Path,
    mode: LogMode,
) -> Result<String> {
    let mut config = bench_config(gateway, sim);
    config.server.data_dir = Some(data_dir.to_owned());
    config.call_log.enabled = mode != LogMode::Off;
    if mode == LogMode::On {
        for tenant in config.tenants.values_mut() {
            tenant.call_log.recorded_calls = 0;
        }
    }
    toml::to_string(&config).context("cannot write the configuration as TOML")
}

/// How a gateway of the call log comparison logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogMode {
    /// No call log.
    Off,
    /// The call log without replay recordings.
    On,
    /// The call log with the default recordings.
    Recording,
}

impl LogMode {
    /// The gateway's name (its data directory).
    pub fn name(self) -> &'static str {
        match self {
            LogMode::Off => "log-off",
            LogMode::On => "log-on",
            LogMode::Recording => "log-recording",
        }
    }
}

/// The demo configuration with the tenant `demo` also as `native`, for
/// `slotline-native-gateway` (`tests/bench/native`), which answers `native` with the default
/// plugin's logic compiled natively, from the cache `demo` fills.
pub fn native_config_toml(gateway: SocketAddr, sim: SocketAddr) -> Result<String> {
    let mut config = bench_config(gateway, sim);
    let demo = config
        .tenants
        .get(control::TENANT)
        .cloned()
        .context("the demo configuration has no demo tenant")?;
    config
        .tenants
        .insert(control::NATIVE_TENANT.to_owned(), demo);
    toml::to_string(&config).context("cannot write the configuration as TOML")
}

/// One replica of a scaled-out deployment: the bench's demo configuration with the cache in
/// Redis, the store in PostgreSQL and the replica's own data directory (its artifacts).
pub fn replica_config_toml(
    gateway: SocketAddr,
    sim: SocketAddr,
    data_dir: &Path,
    redis: &str,
    postgres: &str,
) -> Result<String> {
    use slotline::config::{CacheBackendKind, Secret, StoreBackendKind};
    let mut config = bench_config(gateway, sim);
    config.server.data_dir = Some(data_dir.join("data"));
    config.cache.backend = CacheBackendKind::Redis;
    config.cache.url = Some(Secret::new(redis));
    config.store.backend = StoreBackendKind::Postgres;
    config.store.url = Some(Secret::new(postgres));
    toml::to_string(&config).context("cannot write the configuration as TOML")
}

/// The demo configuration, tuned for measuring.
/// `runtime.profiler` of every gateway the bench starts (`--profiler`).
pub static PROFILER: std::sync::OnceLock<slotline::config::Profiler> = std::sync::OnceLock::new();

fn bench_config(gateway: SocketAddr, sim: SocketAddr) -> slotline::config::Config {
    let mut config = slotline::demo::config(gateway, sim);
    config.runtime.profiler = PROFILER.get().copied().unwrap_or_default();
    // Room for the saturation phase's concurrent calls, each holding an instance.
    config.runtime.max_instances = 256;
    for tenant in config.tenants.values_mut() {
        tenant.fixed_now = Some(NOW.to_owned());
        // The default 60 s would expire the cache during a full run's cached phases; the
        // booking phases clear the cache explicitly where they want it cold.
        tenant.cache_ttl_secs = 3600;
        // Saturation is the point here, not a tenant-wide rate limit.
        tenant.calls.tenant_per_second = 0;
    }
    config
}

fn spawn(name: &'static str, mut command: Command, log: &Path) -> Result<Child> {
    let out = fs::File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
    let err = out.try_clone()?;
    // Settings from the caller's shell must not change what is measured.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("SLOTLINE_") || key.starts_with("CALSIM_") {
            command.env_remove(&*key);
        }
    }
    let process = command
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .with_context(|| format!("cannot start {name}"))?;
    Ok(Child {
        name,
        process,
        log: log.to_owned(),
    })
}

/// A port nobody listens on right now. Another process could take it before the child binds
/// it; on a loopback-only benchmark machine that is unlikely, and the start-up check catches it.
pub fn free_port() -> Result<SocketAddr> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).context("no free loopback port")?;
    Ok(listener.local_addr()?)
}

/// Polls `path` until it answers 200, the child exits, or [`READY_TIMEOUT`] passes.
async fn wait_ready(child: &mut Child, addr: SocketAddr, path: &str) -> Result<()> {
    let started = Instant::now();
    loop {
        child.exited()?;
        if let Ok((status, _)) = control::get(addr, path).await
            && status.is_success()
        {
            return Ok(());
        }
        if started.elapsed() > READY_TIMEOUT {
            bail!(
                "{} did not answer {path} within {} s; its log:\n{}",
                child.name,
                READY_TIMEOUT.as_secs(),
                child.log_tail()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A directory removed when dropped (std has none, and one directory is not worth a crate).
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn create(name: &str) -> Result<TempDir> {
        let path =
            std::env::temp_dir().join(format!("slotline-bench-{}-{name}", std::process::id()));
        fs::create_dir_all(&path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(TempDir { path })
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}
