//! The backing services of a scaled-out deployment, real and on loopback: a `redis-server` the
//! test owns (so it can stop and restart it) and a fresh database in the PostgreSQL that
//! `tests/services/with-services.sh` (run by `make test`) started.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::free_port;

type Error = Box<dyn std::error::Error + Send + Sync>;

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
        let port = free_port()?;
        let dir =
            std::env::temp_dir().join(format!("slotline-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let mut redis = Self {
            port,
            dir,
            child: None,
        };
        redis.restart()?;
        Ok(redis)
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
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if Instant::now() > deadline {
                return Err("redis-server did not come up".into());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(())
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A database of its own in the test PostgreSQL, dropped when dropped.
pub struct Database {
    pub url: String,
    admin_url: String,
    name: String,
}

impl Database {
    /// Creates the database. Blocking (the `postgres` client runs its own runtime): call it
    /// from `spawn_blocking` or outside a runtime.
    pub fn create(tag: &str) -> Result<Self, Error> {
        let admin_url = required("SLOTLINE_TEST_POSTGRES_URL")?;
        let name = format!("slotline_{}_{}", tag.replace('-', "_"), std::process::id());
        let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls)?;
        // One statement each: `CREATE DATABASE` refuses to run in the implicit transaction of
        // a multi-statement query.
        admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?;
        admin.batch_execute(&format!("CREATE DATABASE {name}"))?;
        let base = admin_url
            .rsplit_once('/')
            .map(|(base, _)| base.to_owned())
            .ok_or("SLOTLINE_TEST_POSTGRES_URL has no database")?;
        Ok(Self {
            url: format!("{base}/{name}"),
            admin_url,
            name,
        })
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // The gateways using it are gone by now; `FORCE` ends any connection still closing.
        let dropped = std::thread::spawn(move || {
            postgres::Client::connect(&admin_url, postgres::NoTls).and_then(|mut admin| {
                admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            })
        })
        .join();
        if let Ok(Err(err)) = dropped {
            eprintln!("cannot drop test database: {err}");
        }
    }
}
