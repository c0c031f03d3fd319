//! The PostgreSQL backend: an async client (`tokio-postgres`) in a pool of up to
//! [`CONNECTIONS`] connections (`deadpool-postgres`).
//!
//! An operation waits for its statements without holding a thread: its task is parked while
//! PostgreSQL answers, so a slow statement (a call-log sweep, a reconnection) costs the calls
//! on the same worker nothing, and a caller that gives up (a deadline) drops the operation,
//! whose transaction is then rolled back. Writers still take turns through the advisory lock.
//! The connections are driven by tasks on the runtime the store was connected on.
//!
//! When the connection breaks (the server restarted, the network dropped), the failing
//! operation is retried once on a new connection if nothing of it can have been committed,
//! and otherwise fails; either way the next operation connects afresh.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use bytes::BytesMut;
use deadpool_postgres::GenericClient;
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use tokio_postgres::{Config, NoTls};

use super::StoreError;
use super::event::{CHANNEL, StoreEvent};
use super::migrations::{self, POSTGRES_LOCK};
use super::sql::{Db, Param, Row, Value, Work};

/// How long connecting may take before it counts as failed, unless the URL says otherwise.
/// Short: callers' requests wait on it while PostgreSQL is down.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// How long sent data may stay unacknowledged, and how long a statement may run, before the
/// connection counts as broken: a partitioned network must end in an error, not a hang. Also
/// how long an operation waits for a free connection.
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

/// Connections per store at most: enough that a few slow statements leave room for the
/// calls' quick ones, few enough for many replicas on one server's `max_connections` (100 by
/// default). Made when first needed, so an idle replica holds one.
pub(crate) const CONNECTIONS: usize = 8;

/// The pool. Dropping it closes the connections.
pub(crate) struct Postgres {
    pool: Pool,
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
        config.options(format!(
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
                tokio_postgres::config::Host::Tcp(name) => name.clone(),
                tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
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

/// Why an attempt failed, and whether trying again on a new connection is safe.
struct Failure {
    error: StoreError,
    /// The transaction cannot have committed (the failure came before `COMMIT` was sent).
    uncommitted: bool,
}

impl Failure {
    fn uncommitted(error: impl Into<StoreError>) -> Failure {
        Failure {
            error: error.into(),
            uncommitted: true,
        }
    }
}

impl Postgres {
    /// Makes the pool, connects once and migrates the schema, and returns once that succeeded
    /// (or with why not). The other connections are made when needed.
    pub(crate) async fn start(url: &str) -> Result<Postgres, StoreError> {
        let config = config(url)?;
        let target = target(&config);
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                // A closed connection is never handed out; one that broke silently fails its
                // first statement, and the operation is retried (see `run`).
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(CONNECTIONS)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(STALL_TIMEOUT))
            .build()
            .map_err(|err| StoreError::Worker(format!("the PostgreSQL pool: {err}")))?;
        let postgres = Postgres { pool, target };
        let mut client = postgres.client().await?;
        migrations::migrate_postgres(&mut client, migrations::MIGRATIONS).await?;
        drop(client);
        tracing::info!(target = %postgres.target, connections = CONNECTIONS, "store: connected to PostgreSQL");
        Ok(postgres)
    }

    /// A connection from the pool, made now if none is free and the pool has room.
    async fn client(&self) -> Result<Object, StoreError> {
        self.pool.get().await.map_err(|err| match err {
            PoolError::Backend(source) => StoreError::PostgresConnect {
                target: self.target.clone(),
                source,
            },
            PoolError::Timeout(_) => StoreError::PostgresBusy {
                waited: STALL_TIMEOUT,
                size: CONNECTIONS,
            },
            other => StoreError::Worker(format!("the PostgreSQL pool: {other}")),
        })
    }

    /// The schema version, as [`migrations::postgres_schema_version`] reads it.
    pub(crate) async fn schema_version(&self) -> Result<i64, StoreError> {
        let client = self.client().await?;
        Ok(migrations::postgres_schema_version(&**client).await?)
    }

    /// Runs `work` with `args` on a connection from the pool, as `mode` says.
    pub(crate) async fn run<A, T, F>(&self, mode: Mode, args: A, work: &F) -> Result<T, StoreError>
    where
        A: Clone + Send + 'static,
        T: Send + 'static,
        F: for<'c> Fn(&'c mut dyn Db, A) -> Work<'c, T> + Send + Sync + 'static,
    {
        let mut retried = false;
        loop {
            let mut client = self.client().await?;
            let attempt = match mode {
                Mode::Read => work(&mut Pg(&client), args.clone())
                    .await
                    .map_err(Failure::uncommitted),
                Mode::Write => write(&mut client, args.clone(), work).await,
            };
            let failure = match attempt {
                Ok(value) => return Ok(value),
                Err(failure) => failure,
            };
            if !lost(&client, &failure.error) {
                return Err(failure.error);
            }
            // Neither this connection nor the idle ones (the server probably dropped them all)
            // go back into service: the next operations connect afresh.
            drop(Object::take(client));
            self.pool.retain(|_, _| false);
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
}

/// Whether `error` means the connection is gone (rather than the statement refused).
fn lost(client: &Object, error: &StoreError) -> bool {
    if client.is_closed() {
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

/// One write transaction: lock, `work`, commit. Dropped before it commits (the caller gave
/// up), the transaction is rolled back.
async fn write<A, T, F>(client: &mut Object, args: A, work: &F) -> Result<T, Failure>
where
    F: for<'c> Fn(&'c mut dyn Db, A) -> Work<'c, T>,
{
    let tx = client.transaction().await.map_err(Failure::uncommitted)?;
    tx.execute(
        &format!("SELECT pg_advisory_xact_lock({POSTGRES_LOCK})"),
        &[],
    )
    .await
    .map_err(Failure::uncommitted)?;
    // On failure, dropping `tx` rolls back.
    let value = work(&mut Pg(&tx), args)
        .await
        .map_err(Failure::uncommitted)?;
    tx.commit().await.map_err(|err| Failure {
        error: err.into(),
        uncommitted: false,
    })?;
    Ok(value)
}

/// A pooled PostgreSQL connection or transaction as a [`Db`].
///
/// Statements are prepared once per connection and kept (`prepare_cached`): a statement
/// prepared afresh is one more round trip to the server, on every store operation of a
/// caller's request. The store's queries name their columns, so a schema change by a newer
/// replica never changes a kept statement's result, and take every value as a parameter, so
/// the statements kept are the store's few dozen queries.
struct Pg<'a, C>(&'a C);

#[async_trait::async_trait]
impl<C: GenericClient + Sync> Db for Pg<'_, C> {
    async fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, StoreError> {
        let statement = self.0.prepare_cached(sql).await?;
        let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        Ok(self.0.execute(&statement, &params).await?)
    }

    async fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, StoreError> {
        let statement = self.0.prepare_cached(sql).await?;
        let params: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        self.0
            .query(&statement, &params)
            .await?
            .iter()
            .map(row)
            .collect()
    }

    async fn insert(&mut self, sql: &str, params: &[Param<'_>]) -> Result<i64, StoreError> {
        self.query_one(&format!("{sql} RETURNING id"), params)
            .await?
            .get(0)
    }

    async fn notify(&mut self, event: &StoreEvent) -> Result<(), StoreError> {
        // Delivered when the transaction commits, so never before the change is visible.
        let payload = event.payload();
        let statement = self.0.prepare_cached("SELECT pg_notify($1, $2)").await?;
        self.0.execute(&statement, &[&CHANNEL, &payload]).await?;
        Ok(())
    }
}

/// A row as [`Value`]s.
fn row(row: &tokio_postgres::Row) -> Result<Row, StoreError> {
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
            } else if <&str as tokio_postgres::types::FromSql>::accepts(ty) {
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
