//! Which database a [`Store`] runs on, and how its table files reach it.
//!
//! Opening or connecting picks the backend once ([`Store::open`], [`Store::open_in_memory`]:
//! SQLite; [`Store::connect`]: PostgreSQL) and brings the schema up to date. After that the
//! rest of the store never asks which backend it has: every operation hands a closure to
//! [`Store::read`] or [`Store::write`], which run it on the database behind the `Db`
//! interface (`sql.rs`), as plain reads or as one write transaction that holds the write lock
//! from its start. Keeping the choice in this one file is what lets both backends share every
//! query.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

use super::pg::{Mode, Postgres};
use super::sql::{Db, Sqlite, params};
use super::{Store, StoreError, migrations};

/// The database file inside the data directory.
pub const DB_FILE: &str = "slotline.db";

/// How long a write waits for another connection's write lock before failing.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The database underneath a [`Store`].
#[derive(Debug)]
pub(super) enum Backend {
    /// One SQLite connection; the mutex makes the store `Sync` and serializes its
    /// transactions within this process.
    Sqlite(Mutex<Connection>),
    /// The handle on the PostgreSQL connection thread.
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
            backend: Backend::Sqlite(Mutex::new(conn)),
        })
    }

    /// Connects to the PostgreSQL database at `url` (`postgres://user:password@host:port/db`,
    /// without TLS for now) and brings its schema up to date, like [`Store::open`]. Replicas
    /// may connect to a new database at the same time: each migration runs once.
    ///
    /// May be called from any thread, async ones included: the connection is made and used on
    /// a dedicated thread. Fails with [`StoreError::PostgresConnect`] when the server cannot
    /// be reached; once connected, a broken connection is re-made by the next operation.
    pub fn connect(url: &str) -> Result<Store, StoreError> {
        Ok(Store {
            backend: Backend::Postgres(Postgres::start(url)?),
        })
    }

    /// Whether other processes may change this store behind this one's back (PostgreSQL):
    /// whatever is cached from it must then be refreshed, e.g. on [`watch`](super::watch())
    /// events.
    pub fn is_shared(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    /// The database's schema version (the number of migrations applied).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        match &self.backend {
            Backend::Sqlite(conn) => {
                let conn = conn.lock().unwrap_or_else(|p| p.into_inner());
                Ok(migrations::schema_version(&conn)?)
            }
            Backend::Postgres(_) => self.read(|db| {
                db.query_one(
                    &format!("SELECT version FROM {}", migrations::POSTGRES_VERSION_TABLE),
                    params![],
                )?
                .get(0)
            }),
        }
    }

    /// Runs `work` on the SQLite connection itself (tests that look under the hood).
    #[cfg(test)]
    pub(super) fn sqlite<T>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match &self.backend {
            Backend::Sqlite(conn) => work(&conn.lock().unwrap_or_else(|p| p.into_inner())),
            Backend::Postgres(_) => Err(StoreError::Corrupt("not a SQLite store".into())),
        }
    }

    /// Runs `work`, which only reads, on the database.
    ///
    /// `work` is `'static` and `Fn` because on PostgreSQL it runs on the connection thread and
    /// is run again, on a new connection, when the connection turns out to be broken.
    pub(super) fn read<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Fn(&mut dyn Db) -> Result<T, StoreError> + Send + 'static,
    {
        off_worker(|| match &self.backend {
            // A panic while holding the lock leaves no half-done transaction (it is rolled
            // back when dropped), so a poisoned lock is still usable.
            Backend::Sqlite(conn) => {
                work(&mut Sqlite(&conn.lock().unwrap_or_else(|p| p.into_inner())))
            }
            Backend::Postgres(pg) => pg.run(Mode::Read, work),
        })
    }

    /// Runs `work` in one write transaction, committed when `work` returns `Ok` and rolled
    /// back otherwise. The transaction holds the write lock from its start (SQLite: `BEGIN
    /// IMMEDIATE`; PostgreSQL: an advisory lock), so what `work` reads stays true until it
    /// commits.
    pub(super) fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Fn(&mut dyn Db) -> Result<T, StoreError> + Send + 'static,
    {
        off_worker(|| match &self.backend {
            Backend::Sqlite(conn) => {
                let mut conn = conn.lock().unwrap_or_else(|p| p.into_inner());
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let value = work(&mut Sqlite(&tx))?;
                tx.commit()?;
                Ok(value)
            }
            Backend::Postgres(pg) => pg.run(Mode::Write, work),
        })
    }
}

/// Runs `work`, which waits on the database, without holding up the async tasks of the
/// thread it is called on.
///
/// On a worker of tokio's multi-threaded runtime (the gateway's), the worker hands its other
/// tasks to a fresh worker from the blocking pool before `work` starts (`block_in_place`), so
/// a store call on a request path (a caller's name, a booking intent, a callback) that waits
/// on SQLite's write lock or a PostgreSQL reconnection delays that call alone, never the calls
/// sharing its worker. Elsewhere (a blocking-pool thread, a plain thread, a single-threaded
/// runtime, where `block_in_place` is not allowed) `work` simply runs.
///
/// The store's API stays synchronous so that both backends share one set of queries and the
/// command-line tools and tests need no runtime.
fn off_worker<T>(work: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
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

    #[test]
    fn migrations_run_once_and_reopening_changes_nothing() -> Result<(), StoreError> {
        let dir = TempDir::new("migrations");
        let tables = {
            let store = Store::open(&dir.0)?;
            assert_eq!(store.schema_version()?, migrations::latest());
            store.put_tenant("a", &json!({}))?;
            table_count(&store)?
        };
        assert!(tables >= 3);
        for _ in 0..2 {
            let store = Store::open(&dir.0)?;
            assert_eq!(store.schema_version()?, migrations::latest());
            assert_eq!(table_count(&store)?, tables);
            assert_eq!(store.tenants()?.len(), 1);
        }
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
