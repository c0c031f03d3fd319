//! The store on SQLite: the behaviour both backends share (`common/store_behaviour.rs`), each
//! scenario on a fresh database file of its own. What only SQLite has (its pragmas, its
//! migrations) is tested inside the crate, next to the code (`host/src/store/`).

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

    fn open(&self) -> Result<Store, StoreError> {
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
