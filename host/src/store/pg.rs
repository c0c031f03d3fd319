//! The PostgreSQL backend: a pool of [`CONNECTIONS`] connections, each owned by a dedicated
//! thread.
//!
//! The `postgres` crate's synchronous client drives its connection with a private tokio
//! runtime (`block_on` on the calling thread), which panics on a thread that already runs
//! tokio, such as the gateway's async workers. So each connection lives on a thread of its own
//! and callers send work to whichever is free and wait for the answer on a std channel: the
//! store's API stays synchronous and usable from any thread, exactly like the SQLite mutex,
//! and one slow statement (a call-log sweep, a reconnection) does not queue every other one
//! behind it. Writers still take turns through the advisory lock.
//!
//! When the connection breaks (the server restarted, the network dropped), the failing
//! operation is retried once on a new connection if nothing of it can have been committed,
//! and otherwise fails; either way the next operation connects afresh.

use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::BytesMut;
use postgres::error::SqlState;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, Config, GenericClient, NoTls};

use super::StoreError;
use super::event::{CHANNEL, StoreEvent};
use super::migrations::{self, POSTGRES_LOCK};
use super::sql::{Db, Param, Row, Value};

/// How long connecting may take before it counts as failed, unless the URL says otherwise.
/// Short: callers' requests wait on it while PostgreSQL is down.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// How long sent data may stay unacknowledged, and how long a statement may run, before the
/// connection counts as broken: a partitioned network must end in an error, not a hang.
const STALL_TIMEOUT: Duration = Duration::from_secs(5);

/// Whether an operation changes the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Reads only: statements run one by one, outside a transaction.
    Read,
    /// One transaction that first takes the advisory lock [`POSTGRES_LOCK`], so writers on
    /// every replica take turns (what `BEGIN IMMEDIATE` does for SQLite): a transaction that
    /// reads and then writes (the next version number) cannot race another one.
    Write,
}

/// Connections (and threads) per store: enough that a few slow statements leave room for the
/// calls' quick ones, few enough for many replicas on one server's `max_connections` (100 by
/// default).
pub(crate) const CONNECTIONS: usize = 4;

/// Work for a connection thread.
type Job = Box<dyn FnOnce(&mut Session) + Send>;

/// Where the connection threads take their work from: whichever thread is free waits on it.
type Inbox = Arc<Mutex<mpsc::Receiver<Job>>>;

/// The handle on the connection threads. Dropping it ends the threads and closes the
/// connections.
pub(crate) struct Postgres {
    jobs: Option<mpsc::Sender<Job>>,
    workers: Vec<JoinHandle<()>>,
    target: String,
}

impl fmt::Debug for Postgres {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Postgres")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

/// Parses a `postgres://` (or `postgresql://`) URL, filling in Slotline's defaults.
pub(crate) fn config(url: &str) -> Result<Config, StoreError> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        let scheme = url.split_once("://").map_or("", |(scheme, _)| scheme);
        return Err(StoreError::PostgresUrl(format!(
            "the store URL must start with postgres:// (found {scheme:?})"
        )));
    }
    let mut config = Config::from_str(url).map_err(|err| {
        // The parser's message never contains the URL, so no password is repeated.
        StoreError::PostgresUrl(format!("the store URL cannot be read ({err})"))
    })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("slotline");
    }
    if config.get_options().is_none() {
        config.options(&format!(
            "-c statement_timeout={}",
            STALL_TIMEOUT.as_millis()
        ));
    }
    config
        .keepalives(true)
        .keepalives_idle(STALL_TIMEOUT)
        .tcp_user_timeout(STALL_TIMEOUT);
    Ok(config)
}

/// Where `config` connects, for messages: `user@host:port/database`, never the password.
pub(crate) fn target(config: &Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(n, host)| {
            let host = match host {
                postgres::config::Host::Tcp(name) => name.clone(),
                postgres::config::Host::Unix(path) => path.display().to_string(),
            };
            let port = config
                .get_ports()
                .get(n)
                .or(config.get_ports().first())
                .copied()
                .unwrap_or(5432);
            format!("{host}:{port}")
        })
        .collect();
    let hosts = if hosts.is_empty() {
        "localhost:5432".to_owned()
    } else {
        hosts.join(",")
    };
    let user = config.get_user().unwrap_or("(default user)");
    let database = config.get_dbname().unwrap_or(user);
    format!("{user}@{hosts}/{database}")
}

/// Connects with `config`: a [`StoreError::PostgresConnect`] naming `target` on failure.
/// Must not run on a thread that runs tokio (see the module doc).
pub(crate) fn connect(config: &Config, target: &str) -> Result<Client, StoreError> {
    config
        .connect(NoTls)
        .map_err(|source| StoreError::PostgresConnect {
            target: target.to_owned(),
            source,
        })
}

/// Starts a thread named `name` that runs `connect`, then `serve` with what it connected;
/// returns once `connect` finished, with its error if it failed (the thread then ends).
pub(crate) fn spawn_connected<S: 'static>(
    name: &str,
    connect: impl FnOnce() -> Result<S, StoreError> + Send + 'static,
    serve: impl FnOnce(S) + Send + 'static,
) -> Result<JoinHandle<()>, StoreError> {
    let (ready, connected) = mpsc::sync_channel(1);
    let thread = std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || match connect() {
            Ok(state) => {
                if ready.send(Ok(())).is_ok() {
                    serve(state);
                }
            }
            Err(err) => {
                let _ = ready.send(Err(err));
            }
        })
        .map_err(|err| StoreError::Worker(format!("{name} cannot be started ({err})")))?;
    connected.recv().unwrap_or_else(|_| {
        Err(StoreError::Worker(format!(
            "{name} stopped while connecting"
        )))
    })?;
    Ok(thread)
}

impl Postgres {
    /// Starts the connection threads, connects the first and migrates the schema, and returns
    /// once that succeeded (or with why not). The other connections are made at their first
    /// job.
    pub(crate) fn start(url: &str) -> Result<Postgres, StoreError> {
        let config = config(url)?;
        let target = target(&config);
        let (jobs, inbox) = mpsc::channel::<Job>();
        let inbox: Inbox = Arc::new(Mutex::new(inbox));
        let session = |client| Session {
            config: config.clone(),
            target: target.clone(),
            client,
        };
        let mut first = session(None);
        let connected = move || {
            first
                .client()
                .and_then(|client| migrations::migrate_postgres(client, migrations::MIGRATIONS))?;
            Ok(first)
        };
        let mut workers = vec![spawn_connected(
            "slotline-store-pg",
            connected,
            serve(Arc::clone(&inbox)),
        )?];
        for _ in 1..CONNECTIONS {
            let later = session(None);
            workers.push(spawn_connected(
                "slotline-store-pg",
                move || Ok(later),
                serve(Arc::clone(&inbox)),
            )?);
        }
        let postgres = Postgres {
            jobs: Some(jobs),
            workers,
            target,
        };
        tracing::info!(target = %postgres.target, connections = CONNECTIONS, "store: connected to PostgreSQL");
        Ok(postgres)
    }

    /// Runs `work` on a free connection thread and waits for its answer. A panic in `work` is
    /// resumed here, as if `work` had run on this thread.
    pub(crate) fn run<T, F>(&self, mode: Mode, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Fn(&mut dyn Db) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answer) = mpsc::sync_channel(1);
        let job: Job = Box::new(move |session: &mut Session| {
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| session.run(mode, &work)));
            if outcome.is_err() {
                // Whatever the panic interrupted, a new connection has none of it.
                session.client = None;
            }
            // The caller waits for this; if it is gone, nobody needs the answer.
            let _ = reply.send(outcome);
        });
        let gone = || StoreError::Worker("stopped".into());
        self.jobs
            .as_ref()
            .ok_or_else(gone)?
            .send(job)
            .map_err(|_| gone())?;
        match answer.recv() {
            Ok(Ok(result)) => result,
            Ok(Err(payload)) => panic::resume_unwind(payload),
            Err(_) => Err(gone()),
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // Closing the channel ends each thread's loop after the job in hand.
        drop(self.jobs.take());
        for worker in self.workers.drain(..) {
            if worker.join().is_err() {
                tracing::error!(target = %self.target, "store: a PostgreSQL thread panicked");
            }
        }
    }
}

/// A connection thread's loop: the next job from `inbox`, until the store is dropped.
fn serve(inbox: Inbox) -> impl FnOnce(Session) + Send + 'static {
    move |mut session: Session| {
        loop {
            // The lock is held only while waiting: the job runs after it is released.
            let job = inbox.lock().unwrap_or_else(PoisonError::into_inner).recv();
            match job {
                Ok(job) => job(&mut session),
                Err(_) => break,
            }
        }
        tracing::debug!(target = %session.target, "store: PostgreSQL connection closed");
    }
}

/// The connection thread's state.
struct Session {
    config: Config,
    target: String,
    /// `None` until connected, and again after the connection broke.
    client: Option<Client>,
}

/// Why an attempt failed, and whether trying again on a new connection is safe.
struct Failure {
    error: StoreError,
    /// The transaction cannot have committed (the failure came before `COMMIT` was sent).
    uncommitted: bool,
}

impl Session {
    /// The connection, made now if there is none or it is closed.
    fn client(&mut self) -> Result<&mut Client, StoreError> {
        if self.client.as_ref().is_none_or(Client::is_closed) {
            if self.client.take().is_some() {
                tracing::info!(target = %self.target, "store: reconnecting to PostgreSQL");
            }
            self.client = Some(connect(&self.config, &self.target)?);
        }
        self.client
            .as_mut()
            .ok_or_else(|| StoreError::Worker("lost its connection".into()))
    }

    fn run<T>(
        &mut self,
        mode: Mode,
        work: &dyn Fn(&mut dyn Db) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut retried = false;
        loop {
            let client = self.client()?;
            let attempt = match mode {
                Mode::Read => work(&mut Pg(&mut *client)).map_err(|error| Failure {
                    error,
                    uncommitted: true,
                }),
                Mode::Write => write(client, work),
            };
            let failure = match attempt {
                Ok(value) => return Ok(value),
                Err(failure) => failure,
            };
            if !self.lost(&failure.error) {
                return Err(failure.error);
            }
            self.client = None;
            if failure.uncommitted && !retried {
                tracing::warn!(
                    target = %self.target,
                    error = %failure.error,
                    "store: PostgreSQL connection lost; retrying on a new one"
                );
                retried = true;
                continue;
            }
            return Err(failure.error);
        }
    }

    /// Whether `error` means the connection is gone (rather than the statement refused).
    fn lost(&self, error: &StoreError) -> bool {
        if self.client.as_ref().is_none_or(Client::is_closed) {
            return true;
        }
        let StoreError::Postgres(error) = error else {
            return false;
        };
        if error.is_closed() {
            return true;
        }
        error.code().is_some_and(|code| {
            *code == SqlState::ADMIN_SHUTDOWN
                || *code == SqlState::CRASH_SHUTDOWN
                || *code == SqlState::CANNOT_CONNECT_NOW
                || code.code().starts_with("08")
        })
    }
}

/// One write transaction: lock, `work`, commit.
fn write<T>(
    client: &mut Client,
    work: &dyn Fn(&mut dyn Db) -> Result<T, StoreError>,
) -> Result<T, Failure> {
    let uncommitted = |error: StoreError| Failure {
        error,
        uncommitted: true,
    };
    let mut tx = client
        .transaction()
        .map_err(|err| uncommitted(err.into()))?;
    tx.execute(
        &format!("SELECT pg_advisory_xact_lock({POSTGRES_LOCK})"),
        &[],
    )
    .map_err(|err| uncommitted(err.into()))?;
    // On failure, dropping `tx` rolls back.
    let value = work(&mut Pg(&mut tx)).map_err(uncommitted)?;
    tx.commit().map_err(|err| Failure {
        error: err.into(),
        uncommitted: false,
    })?;
    Ok(value)
}

/// A PostgreSQL client or transaction as a [`Db`].
struct Pg<C>(C);

impl<C: GenericClient> Db for Pg<&mut C> {
    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, StoreError> {
        let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        Ok(self.0.execute(sql, &params)?)
    }

    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, StoreError> {
        let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        self.0.query(sql, &params)?.iter().map(row).collect()
    }

    fn insert(&mut self, sql: &str, params: &[Param<'_>]) -> Result<i64, StoreError> {
        self.query_one(&format!("{sql} RETURNING id"), params)?
            .get(0)
    }

    fn notify(&mut self, event: &StoreEvent) -> Result<(), StoreError> {
        // Delivered when the transaction commits, so never before the change is visible.
        let payload = event.payload();
        self.0
            .execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload])?;
        Ok(())
    }
}

/// A row as [`Value`]s.
fn row(row: &postgres::Row) -> Result<Row, StoreError> {
    let values = row
        .columns()
        .iter()
        .enumerate()
        .map(|(index, column)| {
            let ty = column.type_();
            let value = if *ty == Type::INT8 {
                row.try_get::<_, Option<i64>>(index)?.map(Value::Int)
            } else if *ty == Type::INT4 {
                row.try_get::<_, Option<i32>>(index)?
                    .map(|n| Value::Int(n.into()))
            } else if *ty == Type::INT2 {
                row.try_get::<_, Option<i16>>(index)?
                    .map(|n| Value::Int(n.into()))
            } else if *ty == Type::BOOL {
                row.try_get::<_, Option<bool>>(index)?
                    .map(|b| Value::Int(b.into()))
            } else if *ty == Type::BYTEA {
                row.try_get::<_, Option<Vec<u8>>>(index)?.map(Value::Bytes)
            } else if <&str as postgres::types::FromSql>::accepts(ty) {
                row.try_get::<_, Option<String>>(index)?.map(Value::Text)
            } else {
                return Err(StoreError::Corrupt(format!(
                    "column {:?} has type {ty}, which the store does not read",
                    column.name()
                )));
            };
            Ok(value.unwrap_or(Value::Null))
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Row(values))
}

impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        let mismatch = |what: &str| format!("{what} cannot be sent as PostgreSQL type {ty}");
        match *self {
            Param::Null => Ok(IsNull::Yes),
            Param::Int(n) if *ty == Type::INT8 => n.to_sql(ty, out),
            Param::Int(n) if *ty == Type::INT4 => i32::try_from(n)?.to_sql(ty, out),
            Param::Int(n) if *ty == Type::INT2 => i16::try_from(n)?.to_sql(ty, out),
            Param::Int(_) => Err(mismatch("an integer").into()),
            Param::Text(text) if <&str as ToSql>::accepts(ty) => text.to_sql(ty, out),
            Param::Text(_) => Err(mismatch("text").into()),
            Param::Bytes(bytes) if *ty == Type::BYTEA => bytes.to_sql(ty, out),
            Param::Bytes(_) => Err(mismatch("bytes").into()),
        }
    }

    /// Any type: [`ToSql::to_sql`] checks the combination, since which types fit depends on
    /// the variant.
    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_postgres_urls_are_accepted() {
        for url in ["sqlite:///var/lib/slotline", "host=localhost user=x", ""] {
            assert!(
                matches!(config(url), Err(StoreError::PostgresUrl(_))),
                "{url}"
            );
        }
        assert!(config("postgresql://u@db/slotline").is_ok());
    }

    #[test]
    fn targets_never_show_the_password() -> Result<(), StoreError> {
        let config = config("postgres://slotline:hunter2@db.internal:6432/prod")?;
        let shown = target(&config);
        assert_eq!(shown, "slotline@db.internal:6432/prod");
        let bad = super::config("postgres://slotline:hunter2@db:notaport/prod");
        match bad {
            Err(err) => assert!(!err.to_string().contains("hunter2"), "{err}"),
            Ok(_) => panic!("a port that is not a number must be refused"),
        }
        Ok(())
    }

    #[test]
    fn parameters_check_their_postgres_type() {
        let mut out = BytesMut::new();
        assert!(Param::Int(7).to_sql(&Type::INT8, &mut out).is_ok());
        assert!(Param::Int(7).to_sql(&Type::INT4, &mut out).is_ok());
        assert!(Param::Int(i64::MAX).to_sql(&Type::INT4, &mut out).is_err());
        assert!(Param::Int(7).to_sql(&Type::TEXT, &mut out).is_err());
        assert!(Param::Text("x").to_sql(&Type::TEXT, &mut out).is_ok());
        assert!(Param::Text("x").to_sql(&Type::INT8, &mut out).is_err());
        assert!(Param::Bytes(b"x").to_sql(&Type::BYTEA, &mut out).is_ok());
        assert!(Param::Bytes(b"x").to_sql(&Type::TEXT, &mut out).is_err());
        assert!(matches!(
            Param::Null.to_sql(&Type::INT8, &mut out),
            Ok(IsNull::Yes)
        ));
    }
}
