//! Which database a [`Store`] runs on, and how its table files reach it.
//!
//! Opening or connecting picks the backend once ([`Store::open`], [`Store::open_in_memory`]:
//! SQLite; [`Store::connect`]: PostgreSQL) and brings the schema up to date. After that the
//! rest of the store never asks which backend it has: every operation hands a closure to
//! [`Store::read`] or [`Store::write`], which run it on the database behind the `Db`
//! interface (`sql.rs`), as plain reads or as one write transaction that holds the write lock
//! from its start. Keeping the choice in this one file is what lets both backends share every
//! query.
//!
//! Neither backend blocks the async worker that awaits an operation: PostgreSQL's client is
//! async (`pg.rs`), and SQLite's work, which waits on the disk and on other processes' write
//! locks, runs on tokio's blocking pool.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::Connection;

use super::pg::{Mode, Postgres};
use super::sql::{Db, Sqlite, Work};
use super::{Store, StoreError, migrations};

/// The database file inside the data directory.
pub const DB_FILE: &str = "slotline.db";

/// How long a write waits for another connection's write lock before failing.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The database underneath a [`Store`].
#[derive(Debug)]
pub(super) enum Backend {
    /// One SQLite connection; the mutex makes the store `Sync` and serializes its
    /// transactions within this process. Shared with the blocking-pool thread that runs an
    /// operation.
    Sqlite(Arc<Mutex<Connection>>),
    /// The pool of PostgreSQL connections.
    Postgres(Postgres),
}

impl Store {
    /// Opens (creating when needed) the data directory and `<data_dir>/slotline.db`, and brings
    /// its schema up to date. Refuses a database written by a newer Slotline
    /// ([`StoreError::TooNew`]) without changing it.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::Io {
            path: data_dir.to_owned(),
            source,
        })?;
        let conn = Connection::open(data_dir.join(DB_FILE))?;
        // The busy timeout first: the pragmas below may already wait on another process.
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            // Some file systems (network mounts) cannot do WAL; SQLite keeps a rollback
            // journal, which with synchronous = FULL is just as safe, only slower.
            tracing::warn!(journal_mode = %mode, dir = %data_dir.display(), "store: WAL unavailable");
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        Self::prepare(conn)
    }

    /// A store that lives in memory and is gone when dropped (tests, demos).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Self::prepare(Connection::open_in_memory()?)
    }

    /// What every SQLite connection needs (the busy timeout, foreign keys), then the
    /// schema brought up to date.
    fn prepare(mut conn: Connection) -> Result<Store, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrations::migrate(&mut conn, migrations::MIGRATIONS)?;
        Ok(Store {
            backend: Backend::Sqlite(Arc::new(Mutex::new(conn))),
        })
    }

    /// Connects to the PostgreSQL database at `url` (`postgres://user:password@host:port/db`,
    /// without TLS for now) and brings its schema up to date, like [`Store::open`]. Replicas
    /// may connect to a new database at the same time: each migration runs once.
    ///
    /// Connections are driven by the tokio runtime this is called on, which must outlive the
    /// store's use. Fails with [`StoreError::PostgresConnect`] when the server cannot be
    /// reached; once connected, a broken connection is re-made by the next operation.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Ok(Store {
            backend: Backend::Postgres(Postgres::start(url).await?),
        })
    }

    /// Whether other processes may change this store behind this one's back (PostgreSQL):
    /// whatever is cached from it must then be refreshed, e.g. on [`watch`](super::watch())
    /// events.
    pub fn is_shared(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    /// The database's schema version (the number of migrations applied).
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        match &self.backend {
            Backend::Sqlite(conn) => {
                let conn = Arc::clone(conn);
                blocking(move || Ok(migrations::schema_version(&lock(&conn))?)).await
            }
            Backend::Postgres(pg) => pg.schema_version().await,
        }
    }

    /// Runs `work` on the SQLite connection itself (tests that look under the hood).
    #[cfg(test)]
    pub(super) fn sqlite<T>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match &self.backend {
            Backend::Sqlite(conn) => work(&lock(conn)),
            Backend::Postgres(_) => Err(StoreError::Corrupt("not a SQLite store".into())),
        }
    }

    /// Runs `work`, which only reads, on the database, with `args`.
    ///
    /// `work` gets its arguments anew on every run (a clone of `args`), and its future owns
    /// them: on PostgreSQL it is run again, on a new connection, when the connection turns out
    /// to be broken. What it captures besides must be `Copy`.
    pub(super) async fn read<A, T, F>(&self, args: A, work: F) -> Result<T, StoreError>
    where
        A: Clone + Send + 'static,
        T: Send + 'static,
        F: for<'c> Fn(&'c mut dyn Db, A) -> Work<'c, T> + Send + Sync + 'static,
    {
        match &self.backend {
            Backend::Sqlite(conn) => {
                let conn = Arc::clone(conn);
                blocking(move || {
                    let mut conn = lock(&conn);
                    end_abandoned(&conn)?;
                    ready(work(&mut Sqlite(&mut conn), args))
                })
                .await
            }
            Backend::Postgres(pg) => pg.run(Mode::Read, args, &work).await,
        }
    }

    /// Runs `work` with `args` in one write transaction, committed when `work` returns `Ok`
    /// and rolled back otherwise. The transaction holds the write lock from its start (SQLite:
    /// `BEGIN IMMEDIATE`; PostgreSQL: an advisory lock), so what `work` reads stays true until
    /// it commits. `args` as for [`Store::read`].
    pub(super) async fn write<A, T, F>(&self, args: A, work: F) -> Result<T, StoreError>
    where
        A: Clone + Send + 'static,
        T: Send + 'static,
        F: for<'c> Fn(&'c mut dyn Db, A) -> Work<'c, T> + Send + Sync + 'static,
    {
        match &self.backend {
            Backend::Sqlite(conn) => {
                let conn = Arc::clone(conn);
                blocking(move || {
                    let mut conn = lock(&conn);
                    end_abandoned(&conn)?;
                    conn.execute_batch("BEGIN IMMEDIATE")?;
                    let done = ready(work(&mut Sqlite(&mut conn), args)).and_then(|value| {
                        conn.execute_batch("COMMIT")?;
                        Ok(value)
                    });
                    if done.is_err() && !conn.is_autocommit() {
                        // The error being reported is the one that matters; a failed rollback
                        // is undone by the next operation's `end_abandoned`.
                        let _ = conn.execute_batch("ROLLBACK");
                    }
                    done
                })
                .await
            }
            Backend::Postgres(pg) => pg.run(Mode::Write, args, &work).await,
        }
    }
}

/// The SQLite connection. A panic while holding the lock leaves at most an open transaction,
/// which the next write rolls back, so a poisoned lock is still usable.
fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    conn.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Rolls back a transaction an earlier write left open (its `work` panicked): nothing of it
/// committed, and neither a read nor the next write may see what it wrote.
fn end_abandoned(conn: &Connection) -> Result<(), StoreError> {
    if !conn.is_autocommit() {
        conn.execute_batch("ROLLBACK")?;
    }
    Ok(())
}

/// The result of SQLite's `work`, whose future is ready when first polled (`Sqlite` does its
/// work inside `poll`): polled here, on the blocking-pool thread.
fn ready<T>(work: Work<'_, T>) -> Result<T, StoreError> {
    futures::executor::block_on(work)
}

/// Runs `work`, which waits on SQLite, on tokio's blocking pool ([`crate::blocking::run`]).
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    crate::blocking::run(work)
        .await
        .map_err(|err| StoreError::Worker(format!("could not finish a SQLite operation: {err}")))?
}

/// What only SQLite has, looked at under the hood. The behaviour both backends share is tested
/// once for both, in `host/tests/common/store_behaviour.rs`.
#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use serde_json::json;

    use super::*;

    /// A fresh directory under the system temp dir, removed when dropped (also when a test
    /// fails).
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let unique = NEXT.fetch_add(1, Ordering::Relaxed);
            let dir = std::env::temp_dir().join(format!(
                "slotline-store-{name}-{}-{unique}",
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&dir);
            Self(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn table_count(store: &Store) -> Result<i64, StoreError> {
        store.sqlite(|conn| {
            Ok(conn.query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |row| row.get(0),
            )?)
        })
    }

    #[test]
    fn the_store_is_send_and_sync() {
        fn shared<T: Send + Sync>() {}
        shared::<Store>();
    }

    #[tokio::test]
    async fn migrations_run_once_and_reopening_changes_nothing() -> Result<(), StoreError> {
        let dir = TempDir::new("migrations");
        let tables = {
            let store = Store::open(&dir.0)?;
            assert_eq!(store.schema_version().await?, migrations::latest());
            store.put_tenant("a", &json!({})).await?;
            table_count(&store)?
        };
        assert!(tables >= 3);
        for _ in 0..2 {
            let store = Store::open(&dir.0)?;
            assert_eq!(store.schema_version().await?, migrations::latest());
            assert_eq!(table_count(&store)?, tables);
            assert_eq!(store.tenants().await?.len(), 1);
        }
        Ok(())
    }

    #[tokio::test]
    async fn a_write_that_panics_commits_nothing_and_the_store_goes_on() -> Result<(), StoreError> {
        let store = std::sync::Arc::new(Store::open_in_memory()?);
        let writer = std::sync::Arc::clone(&store);
        let panicked = tokio::spawn(async move {
            writer
                .write::<_, (), _>((), |db, ()| {
                    Box::pin(async move {
                        db.execute(
                            "INSERT INTO tenants (id, settings, active_version, created_at, updated_at)
                             VALUES ('half', '{}', NULL, 't', 't')",
                            super::super::sql::params![],
                        )
                        .await?;
                        panic!("a bug half-way through a write");
                    })
                })
                .await
        })
        .await;
        assert!(
            matches!(&panicked, Err(err) if err.is_panic()),
            "{panicked:?}"
        );
        // Neither a read nor the next write sees what the abandoned transaction wrote.
        assert_eq!(store.tenant("half").await?, None);
        store.put_tenant("whole", &json!({})).await?;
        let ids: Vec<String> = store.tenants().await?.into_iter().map(|t| t.id).collect();
        assert_eq!(ids, ["whole"]);
        Ok(())
    }

    #[test]
    fn the_database_is_opened_for_crash_safety() -> Result<(), StoreError> {
        let dir = TempDir::new("pragmas");
        let store = Store::open(&dir.0)?;
        let (mode, synchronous, foreign_keys) = store.sqlite(|conn| {
            Ok((
                conn.pragma_query_value(None, "journal_mode", |row| row.get::<_, String>(0))?,
                conn.pragma_query_value(None, "synchronous", |row| row.get::<_, i64>(0))?,
                conn.pragma_query_value(None, "foreign_keys", |row| row.get::<_, i64>(0))?,
            ))
        })?;
        assert_eq!(mode, "wal");
        assert_eq!(synchronous, 2, "FULL");
        assert_eq!(foreign_keys, 1);
        assert!(dir.0.join(DB_FILE).is_file());
        Ok(())
    }

    #[test]
    fn a_database_from_a_newer_binary_is_refused_untouched() -> Result<(), StoreError> {
        let dir = TempDir::new("too-new");
        drop(Store::open(&dir.0)?);
        let conn = Connection::open(dir.0.join(DB_FILE))?;
        let too_new = migrations::latest() + 1;
        conn.pragma_update(None, "user_version", too_new)?;
        drop(conn);
        match Store::open(&dir.0) {
            Err(err @ StoreError::TooNew { found, known }) => {
                assert_eq!((found, known), (too_new, migrations::latest()));
                assert!(err.to_string().contains("newer Slotline"), "{err}");
            }
            other => panic!("expected TooNew, got {other:?}"),
        }
        let conn = Connection::open(dir.0.join(DB_FILE))?;
        assert_eq!(migrations::schema_version(&conn)?, too_new);
        Ok(())
    }
}
