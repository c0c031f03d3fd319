//! The schema, as an ordered list of migrations, and the code that applies them.
//!
//! The schema version is SQLite's `PRAGMA user_version`: 0 for a new file, `n` once migration
//! `n` is in. Each migration runs in its own transaction together with the version bump, so a
//! crash or an error leaves the previous version and none of the new one.
//!
//! Never edit a released migration: append one. Keep the SQL plain (TEXT, INTEGER, standard
//! constraints, no `BEGIN`/`COMMIT`) so that the same list can serve PostgreSQL later.
//! (Migration 1's `INTEGER PRIMARY KEY AUTOINCREMENT` is the one exception: PostgreSQL spells
//! it `BIGINT GENERATED ALWAYS AS IDENTITY`.)

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// Migration `n` (1-based) is `MIGRATIONS[n - 1]`.
pub const MIGRATIONS: &[&str] = &[
    // 1: tenants, plugin versions, the audit log.
    "CREATE TABLE tenants (
        id TEXT PRIMARY KEY,
        settings TEXT NOT NULL,
        active_version INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE plugin_versions (
        tenant TEXT NOT NULL REFERENCES tenants(id),
        version INTEGER NOT NULL,
        digest TEXT NOT NULL,
        size INTEGER NOT NULL,
        wit_version TEXT NOT NULL,
        uploaded_at TEXT NOT NULL,
        status TEXT NOT NULL,
        PRIMARY KEY (tenant, version),
        UNIQUE (tenant, digest)
    );
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        tenant TEXT,
        action TEXT NOT NULL,
        detail TEXT NOT NULL
    );",
    // 2: what callers asked for while the calendar could not help (callbacks, booking
    // intents), with delivery state for the tenant's notification URL; and callers' names.
    "CREATE TABLE requests (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL REFERENCES tenants(id),
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        call_id TEXT NOT NULL,
        phone TEXT,
        name TEXT,
        details TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        notified_at TEXT
    );
    CREATE INDEX requests_by_tenant ON requests (tenant, status);
    CREATE TABLE callers (
        tenant TEXT NOT NULL REFERENCES tenants(id),
        phone TEXT NOT NULL,
        name TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (tenant, phone)
    );",
];

/// The schema version this binary migrates to.
#[cfg(test)]
pub fn latest() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// The database's schema version (`PRAGMA user_version`).
pub fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Applies the `migrations` the database has not seen, one transaction each.
///
/// Each step takes the write lock first (`BEGIN IMMEDIATE`) and reads the version inside it,
/// so two processes opening the same new file at once cannot both run a migration.
pub fn migrate(conn: &mut Connection, migrations: &[&str]) -> Result<(), StoreError> {
    let known = i64::try_from(migrations.len()).unwrap_or(i64::MAX);
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found = schema_version(&tx)?;
        // A negative version is nothing we wrote either.
        let next = match usize::try_from(found) {
            Ok(applied) if found <= known => migrations.get(applied),
            _ => return Err(StoreError::TooNew { found, known }),
        };
        let Some(sql) = next else {
            return Ok(());
        };
        let version = found + 1;
        tx.execute_batch(sql)
            .map_err(|source| StoreError::Migration { version, source })?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, "store schema migrated");
    }
}
