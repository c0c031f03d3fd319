//! The backing services of a scaled-out deployment, real and on loopback: a `redis-server` the
//! test owns (so it can stop and restart it) and a fresh database in the PostgreSQL that
//! `tests/services/with-services.sh` (run by `make test`) started.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::free_port;

pub type Error = Box<dyn std::error::Error + Send + Sync>;

fn required(variable: &str) -> Result<String, Error> {
    std::env::var(variable).map_err(|_| {
        format!("{variable} is not set: run these tests through `make test` or tests/services/with-services.sh").into()
    })
}

/// A `redis-server` on a loopback port, without persistence, killed when dropped.
pub struct Redis {
    pub port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl Redis {
    pub fn start() -> Result<Self, Error> {
        // A free port may be taken by a test running beside this one before our server binds
        // it; then another port is tried.
        let mut last = None;
        for _ in 0..5 {
            let port = free_port()?;
            let dir =
                std::env::temp_dir().join(format!("slotline-redis-{}-{port}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            let mut redis = Self {
                port,
                dir,
                child: None,
            };
            match redis.restart() {
                Ok(()) => return Ok(redis),
                Err(err) => last = Some(err),
            }
        }
        Err(last.unwrap_or_else(|| "redis-server did not start".into()))
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kills the server (as a crash would: nothing is saved).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server (again) on the same port and waits until it accepts connections.
    pub fn restart(&mut self) -> Result<(), Error> {
        self.stop();
        let child = Command::new(required("SLOTLINE_TEST_REDIS_SERVER")?)
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()?;
        let pid = child.id();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        // The server on the port must be ours: another test's server on a reused port would
        // answer too, and vanish when that test stops it.
        while served_by(self.port) != Some(pid) {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|child| child.try_wait().ok().flatten())
            {
                self.child = None;
                return Err(
                    format!("redis-server exited ({status}); port {} taken?", self.port).into(),
                );
            }
            if Instant::now() > deadline {
                return Err("redis-server did not come up".into());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(())
    }
}

/// The process id of the Redis server answering on `port`, from `INFO server`.
fn served_by(port: u16) -> Option<u32> {
    use std::io::{Read, Write};
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(1))).ok()?;
    stream.write_all(b"INFO server\r\n").ok()?;
    let mut reply = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&reply);
        if let Some((_, rest)) = text.split_once("process_id:")
            && let Some((pid, _)) = rest.split_once("\r\n")
        {
            return pid.trim().parse().ok();
        }
        let read = stream.read(&mut chunk).ok()?;
        if read == 0 {
            return None;
        }
        reply.extend_from_slice(&chunk[..read]);
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The test PostgreSQL's URL (its `postgres` database, as a superuser).
pub fn admin_url() -> Result<String, Error> {
    required("SLOTLINE_TEST_POSTGRES_URL")
}

/// Runs `work` with a plain client on `url`, on a thread of its own: the `postgres` client
/// cannot run on a tokio worker, and many tests are async.
pub fn with_client<T: Send + 'static>(
    url: &str,
    work: impl FnOnce(&mut postgres::Client) -> Result<T, postgres::Error> + Send + 'static,
) -> Result<T, Error> {
    let url = url.to_owned();
    std::thread::spawn(move || -> Result<T, Error> {
        let mut client = postgres::Client::connect(&url, postgres::NoTls)?;
        Ok(work(&mut client)?)
    })
    .join()
    .map_err(|_| "the client thread panicked")?
}

/// A new, empty database of its own in the test PostgreSQL, dropped (with its connections)
/// when dropped, so tests run in parallel.
pub struct Database {
    pub url: String,
    name: String,
}

impl Database {
    pub fn new() -> Result<Database, Error> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "slotline_t_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let admin = admin_url()?;
        let (base, _) = admin
            .rsplit_once('/')
            .ok_or("SLOTLINE_TEST_POSTGRES_URL has no database path")?;
        let url = format!("{base}/{name}");
        let create = format!("CREATE DATABASE {name}");
        with_client(&admin, move |client| client.batch_execute(&create))?;
        Ok(Database { name, url })
    }

    /// Runs `work` with a plain client on this database.
    pub fn client<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut postgres::Client) -> Result<T, postgres::Error> + Send + 'static,
    ) -> Result<T, Error> {
        with_client(&self.url, work)
    }

    /// Ends every other connection to this database, as a server restart would.
    pub fn kill_connections(&self) -> Result<u64, Error> {
        let name = self.name.clone();
        with_client(&admin_url()?, move |client| {
            let rows = client.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                 WHERE datname = $1 AND pid <> pg_backend_pid()",
                &[&name],
            )?;
            Ok(rows.len() as u64)
        })
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        if let Ok(admin) = admin_url() {
            let _ = with_client(&admin, move |client| client.batch_execute(&drop));
        }
    }
}
