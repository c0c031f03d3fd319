//! The store on SQLite: the behaviour both backends share (`common/store_behaviour.rs`), each
//! scenario on a fresh database file of its own. What only SQLite has (its pragmas, its
//! migrations) is tested inside the crate, next to the code (`host/src/store/`).
//!
//! The store's calls are async: the SQLite work runs on tokio's blocking pool, so every test
//! here runs on a multi-threaded tokio runtime, as the gateway does.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use slotline::store::{BUSY_TIMEOUT, DB_FILE, Store, StoreError};

#[path = "common/store_behaviour.rs"]
mod behaviour;

use behaviour::Error;

/// A data directory of its own under the system temp dir, removed when dropped (also when a
/// test fails).
struct Sqlite {
    dir: PathBuf,
}

impl Sqlite {
    /// A connection of its own on the database file, behind the stores' backs.
    fn connection(&self) -> Result<rusqlite::Connection, Error> {
        let conn = rusqlite::Connection::open(self.dir.join(DB_FILE))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        Ok(conn)
    }
}

impl behaviour::Backend for Sqlite {
    fn fresh() -> Result<Self, Error> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let unique = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "slotline-store-sqlite-{}-{unique}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        Ok(Sqlite { dir })
    }

    async fn open(&self) -> Result<Store, StoreError> {
        Store::open(&self.dir)
    }

    fn execute(&self, sql: &str) -> Result<(), Error> {
        self.connection()?.execute_batch(sql)?;
        Ok(())
    }

    fn integers(&self, sql: &str) -> Result<Vec<i64>, Error> {
        let conn = self.connection()?;
        let mut statement = conn.prepare(sql)?;
        let columns = statement.column_count();
        Ok(statement.query_row([], |row| (0..columns).map(|index| row.get(index)).collect())?)
    }
}

impl Drop for Sqlite {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

behaviour::behaviour_tests!(Sqlite);

/// A store call from an async task that waits on another process's write lock holds up that
/// task alone: the other tasks of its worker go on (the gateway's calls sharing a worker with
/// a booking that waits on the database).
// A runtime of one thread: a write waiting on that thread would stall every task.
#[tokio::test]
async fn a_store_call_waiting_on_the_write_lock_does_not_hold_up_its_workers_other_tasks()
-> Result<(), Error> {
    use std::sync::Arc;
    use std::time::Duration;

    use behaviour::Backend;

    let database = Sqlite::fresh()?;
    let store = Arc::new(database.open().await?);
    // Another process holds the write lock.
    let other = database.connection()?;
    other.execute_batch("BEGIN IMMEDIATE")?;
    let writing = tokio::spawn({
        let store = Arc::clone(&store);
        async move {
            store
                .put_tenant("acme", &serde_json::json!({}))
                .await
                .map(|_| ())
        }
    });
    // Let the write start and wait on the lock.
    tokio::task::yield_now().await;
    let other_task = tokio::spawn(async { "answered" });
    let answered = tokio::time::timeout(Duration::from_secs(3), other_task).await;
    let still_waiting = !writing.is_finished();
    drop(other);
    let written = writing.await;
    assert!(
        still_waiting,
        "the write was still waiting on the lock (else this proves nothing)"
    );
    assert_eq!(
        answered.ok().and_then(Result::ok),
        Some("answered"),
        "another task of the worker ran while the write waited"
    );
    assert!(matches!(written, Ok(Ok(()))), "{written:?}");
    Ok(())
}
