//! The store: tenants, plugin versions, the active version per tenant, an audit log of admin
//! actions, callers' requests, and the components' bytes. Two backends, one logic:
//!
//! - **SQLite** ([`Store::open`]: `<data_dir>/slotline.db`), for one gateway process. Crash
//!   safety: WAL mode with `synchronous = FULL`, so a write that returned survives a power cut.
//!   Transactions that read before they write take the write lock up front (`BEGIN
//!   IMMEDIATE`), so another process on the same file makes them wait (up to
//!   [`BUSY_TIMEOUT`]) instead of failing half-way. One connection behind a mutex.
//! - **PostgreSQL** ([`Store::connect`]: a `postgres://` URL), shared by several gateway
//!   replicas ([`Store::is_shared`]). Every write transaction first takes one advisory lock
//!   (`pg_advisory_xact_lock`), PostgreSQL's equivalent of `BEGIN IMMEDIATE`, so replicas'
//!   read-then-write transactions (the next version number) take turns. The connection lives
//!   on a dedicated thread (the `postgres` crate's client cannot run on a tokio worker), and
//!   is re-made when it breaks. Activations are announced with `pg_notify`, which [`watch`]
//!   turns into [`StoreEvent`]s on other replicas.
//!
//! On both, every write is one transaction, so a process killed at any point leaves the
//! previous state or the new one, never a mix: activating a plugin version is one `UPDATE`
//! plus its audit entry, in one transaction. The SQL is written once (see `sql.rs`) and the
//! schema once (see `migrations.rs`, translated for PostgreSQL).
//!
//! The calls block (briefly: admin operations are rare, and the others single-row), and can be
//! made from any thread, async code included; long-running async code runs them with
//! `spawn_blocking`.
//!
//! ```
//! use slotline::store::{Store, StoreError};
//!
//! # fn main() -> Result<(), StoreError> {
//! let store = Store::open_in_memory()?;
//! store.put_tenant("acme", &serde_json::json!({ "locale": "en" }))?;
//! let first = store.add_plugin_version("acme", &"a".repeat(64), 81_920, "0.1.0")?;
//! let second = store.add_plugin_version("acme", &"b".repeat(64), 82_000, "0.1.0")?;
//! store.activate("acme", second.version, "operator")?;
//! store.activate("acme", first.version, "operator")?; // rollback
//! assert_eq!(store.active_version("acme")?, Some(first));
//! assert_eq!(store.audit_log(Some("acme"), 10)?.len(), 2);
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

mod error;
mod event;
mod migrations;
mod pg;
mod requests;
pub(crate) mod sql;
mod watch;

pub use error::StoreError;
pub use event::StoreEvent;
pub use requests::{CallerRequest, NewRequest, RequestKind};
pub use watch::{Watcher, watch};

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};
use serde::Serialize;

use pg::{Mode, Postgres};
use sql::{Db, Row, Sqlite, params};

/// The database file inside the data directory.
pub const DB_FILE: &str = "slotline.db";

/// How long a write waits for another connection's write lock before failing.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// One uploaded plugin version of a tenant. The component's bytes are stored by digest
/// ([`Store::put_component`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PluginVersion {
    /// The tenant that uploaded it.
    pub tenant: String,
    /// 1, 2, ... per tenant, in upload order.
    pub version: u32,
    /// SHA-256 of the component, lowercase hex.
    pub digest: String,
    /// The component's size in bytes.
    pub size: u64,
    /// The `slotline:plugin` WIT version the component was validated against.
    pub wit_version: String,
    /// When it was first uploaded: RFC 3339, UTC.
    pub uploaded_at: String,
    /// [`PluginVersion::READY`] for every version recorded today (validation and
    /// precompilation happen before the row is written); later states may be added.
    pub status: String,
}

impl PluginVersion {
    /// The status of a version that was validated and precompiled and can be activated.
    pub const READY: &str = "ready";
}

/// A tenant as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TenantRecord {
    /// The tenant's id (as in URLs and `slotline.toml`).
    pub id: String,
    /// The tenant's configuration as JSON, as in `slotline.toml`.
    pub settings: serde_json::Value,
    /// The active plugin version, if one was ever activated.
    pub active_version: Option<u32>,
    /// When the settings or the active version last changed: RFC 3339, UTC.
    pub updated_at: String,
}

/// One admin action, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Increasing with time.
    pub id: i64,
    /// When: RFC 3339, UTC.
    pub at: String,
    /// Who (the admin token's name).
    pub actor: String,
    /// The tenant acted on, if any.
    pub tenant: Option<String>,
    /// What, e.g. `plugin.upload`, `plugin.activate`, `tenant.put`.
    pub action: String,
    /// Details, e.g. `version 2 sha256:…`.
    pub detail: String,
}

/// The store. `Send + Sync`: share it as an `Arc<Store>`.
#[derive(Debug)]
pub struct Store {
    backend: Backend,
}

#[derive(Debug)]
enum Backend {
    Sqlite(Mutex<Connection>),
    Postgres(Postgres),
}

/// Now, as the store writes times: RFC 3339, UTC, milliseconds.
fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The action recorded with every activation.
const ACTIVATE: &str = "plugin.activate";

const VERSION_COLUMNS: &str = "tenant, version, digest, size, wit_version, uploaded_at, status";

const TENANT_COLUMNS: &str = "id, settings, active_version, updated_at";

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
    /// whatever is cached from it must then be refreshed, e.g. on [`watch`] events.
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
    fn sqlite<T>(
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
    fn read<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Fn(&mut dyn Db) -> Result<T, StoreError> + Send + 'static,
    {
        match &self.backend {
            // A panic while holding the lock leaves no half-done transaction (it is rolled
            // back when dropped), so a poisoned lock is still usable.
            Backend::Sqlite(conn) => {
                work(&mut Sqlite(&conn.lock().unwrap_or_else(|p| p.into_inner())))
            }
            Backend::Postgres(pg) => pg.run(Mode::Read, work),
        }
    }

    /// Runs `work` in one write transaction, committed when `work` returns `Ok` and rolled
    /// back otherwise. The transaction holds the write lock from its start (SQLite: `BEGIN
    /// IMMEDIATE`; PostgreSQL: an advisory lock), so what `work` reads stays true until it
    /// commits.
    fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Fn(&mut dyn Db) -> Result<T, StoreError> + Send + 'static,
    {
        match &self.backend {
            Backend::Sqlite(conn) => {
                let mut conn = conn.lock().unwrap_or_else(|p| p.into_inner());
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let value = work(&mut Sqlite(&tx))?;
                tx.commit()?;
                Ok(value)
            }
            Backend::Postgres(pg) => pg.run(Mode::Write, work),
        }
    }

    /// Creates the tenant, or replaces its settings (keeping its plugin versions and active
    /// version). Returns the tenant as stored.
    pub fn put_tenant(
        &self,
        id: &str,
        settings: &serde_json::Value,
    ) -> Result<TenantRecord, StoreError> {
        let at = now();
        let id = id.to_owned();
        let settings = settings.to_string();
        self.write(move |db| {
            db.execute(
                "INSERT INTO tenants (id, settings, active_version, created_at, updated_at)
                 VALUES ($1, $2, NULL, $3, $3)
                 ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at",
                params![&id, &settings, &at],
            )?;
            require_tenant(db, &id)
        })
    }

    /// The tenant, if stored.
    pub fn tenant(&self, id: &str) -> Result<Option<TenantRecord>, StoreError> {
        let id = id.to_owned();
        self.read(move |db| find_tenant(db, &id))
    }

    /// All tenants, by id.
    pub fn tenants(&self) -> Result<Vec<TenantRecord>, StoreError> {
        self.read(|db| {
            db.query(
                &format!("SELECT {TENANT_COLUMNS} FROM tenants ORDER BY id"),
                params![],
            )?
            .iter()
            .map(tenant_row)
            .collect()
        })
    }

    /// Records an uploaded version (the bytes are stored by digest: [`Store::put_component`])
    /// as the tenant's next version number (1, 2, ...), with status [`PluginVersion::READY`].
    /// A digest the tenant already has returns that existing version unchanged: uploads are
    /// idempotent.
    ///
    /// [`StoreError::UnknownTenant`], with nothing written, when the tenant does not exist.
    pub fn add_plugin_version(
        &self,
        tenant: &str,
        digest: &str,
        size: u64,
        wit_version: &str,
    ) -> Result<PluginVersion, StoreError> {
        let at = now();
        let stored_size = i64::try_from(size)
            .map_err(|_| StoreError::OutOfRange(format!("the component size {size}")))?;
        let (tenant, digest, wit_version) =
            (tenant.to_owned(), digest.to_owned(), wit_version.to_owned());
        self.write(move |db| {
            require_tenant(db, &tenant)?;
            let existing = db.query_opt(
                &format!(
                    "SELECT {VERSION_COLUMNS} FROM plugin_versions WHERE tenant = $1 AND digest = $2"
                ),
                params![&tenant, &digest],
            )?;
            if let Some(existing) = existing {
                return version_row(&existing);
            }
            let next: u32 = db
                .query_one(
                    "SELECT COALESCE(MAX(version), 0) + 1 FROM plugin_versions WHERE tenant = $1",
                    params![&tenant],
                )?
                .get(0)?;
            db.execute(
                &format!(
                    "INSERT INTO plugin_versions ({VERSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                ),
                params![
                    &tenant,
                    next,
                    &digest,
                    stored_size,
                    &wit_version,
                    &at,
                    PluginVersion::READY
                ],
            )?;
            db.notify(&StoreEvent::Uploaded {
                tenant: tenant.clone(),
                digest: digest.clone(),
            })?;
            Ok(PluginVersion {
                tenant: tenant.clone(),
                version: next,
                digest: digest.clone(),
                size,
                wit_version: wit_version.clone(),
                uploaded_at: at.clone(),
                status: PluginVersion::READY.to_owned(),
            })
        })
    }

    /// The tenant's versions, oldest first (empty for an unknown tenant).
    pub fn plugin_versions(&self, tenant: &str) -> Result<Vec<PluginVersion>, StoreError> {
        let tenant = tenant.to_owned();
        self.read(move |db| {
            db.query(
                &format!(
                    "SELECT {VERSION_COLUMNS} FROM plugin_versions WHERE tenant = $1 ORDER BY version"
                ),
                params![&tenant],
            )?
            .iter()
            .map(version_row)
            .collect()
        })
    }

    /// One version of the tenant, if it exists.
    pub fn plugin_version(
        &self,
        tenant: &str,
        version: u32,
    ) -> Result<Option<PluginVersion>, StoreError> {
        let tenant = tenant.to_owned();
        self.read(move |db| find_version(db, &tenant, version))
    }

    /// Makes `version` the tenant's active one, in one transaction together with its audit
    /// entry (`plugin.activate`, by `actor`). Activating an earlier version is a rollback. On
    /// a shared store, the activation is announced to [`watch`]ers when it commits.
    ///
    /// [`StoreError::UnknownTenant`] or [`StoreError::UnknownVersion`], with nothing written
    /// and the previous active version still active, when either does not exist.
    pub fn activate(
        &self,
        tenant: &str,
        version: u32,
        actor: &str,
    ) -> Result<PluginVersion, StoreError> {
        let at = now();
        let (tenant, actor) = (tenant.to_owned(), actor.to_owned());
        self.write(move |db| {
            let previous = require_tenant(db, &tenant)?.active_version;
            let record =
                find_version(db, &tenant, version)?.ok_or_else(|| StoreError::UnknownVersion {
                    tenant: tenant.clone(),
                    version,
                })?;
            db.execute(
                "UPDATE tenants SET active_version = $2, updated_at = $3 WHERE id = $1",
                params![&tenant, version, &at],
            )?;
            let was = match previous {
                Some(previous) => format!("version {previous}"),
                None => "none".to_owned(),
            };
            insert_audit(
                db,
                &at,
                &actor,
                Some(tenant.as_str()),
                ACTIVATE,
                &format!("version {version} sha256:{} (was {was})", record.digest),
            )?;
            db.notify(&StoreEvent::Activated {
                tenant: tenant.clone(),
            })?;
            Ok(record)
        })
    }

    /// The tenant's active version, if one was activated (`None` for an unknown tenant too).
    pub fn active_version(&self, tenant: &str) -> Result<Option<PluginVersion>, StoreError> {
        let tenant = tenant.to_owned();
        self.read(move |db| {
            db.query_opt(
                "SELECT v.tenant, v.version, v.digest, v.size, v.wit_version, v.uploaded_at, v.status
                 FROM tenants t JOIN plugin_versions v ON v.tenant = t.id AND v.version = t.active_version
                 WHERE t.id = $1",
                params![&tenant],
            )?
            .as_ref()
            .map(version_row)
            .transpose()
        })
    }

    /// Records an admin action. `tenant` need not exist (a failed attempt is worth recording
    /// too).
    pub fn audit(
        &self,
        actor: &str,
        tenant: Option<&str>,
        action: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        let at = now();
        let (actor, tenant, action, detail) = (
            actor.to_owned(),
            tenant.map(str::to_owned),
            action.to_owned(),
            detail.to_owned(),
        );
        self.write(move |db| insert_audit(db, &at, &actor, tenant.as_deref(), &action, &detail))
    }

    /// The newest `limit` entries, newest first: of one tenant, or of all when `tenant` is
    /// `None`.
    pub fn audit_log(
        &self,
        tenant: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let tenant = tenant.map(str::to_owned);
        self.read(move |db| {
            db.query(
                "SELECT id, at, actor, tenant, action, detail FROM audit_log
                 WHERE CAST($1 AS TEXT) IS NULL OR tenant = $1 ORDER BY id DESC LIMIT $2",
                params![&tenant, limit],
            )?
            .iter()
            .map(|row| {
                Ok(AuditEntry {
                    id: row.get(0)?,
                    at: row.get(1)?,
                    actor: row.get(2)?,
                    tenant: row.get(3)?,
                    action: row.get(4)?,
                    detail: row.get(5)?,
                })
            })
            .collect()
        })
    }

    /// Stores a component's bytes under its digest (SHA-256, lowercase hex, computed by the
    /// caller), so every process sharing the store can load it. Storing a digest again
    /// changes nothing: the same digest means the same bytes.
    pub fn put_component(&self, digest: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let at = now();
        let size = i64::try_from(bytes.len())
            .map_err(|_| StoreError::OutOfRange(format!("the component size {}", bytes.len())))?;
        let (digest, bytes) = (digest.to_owned(), bytes.to_vec());
        self.write(move |db| {
            db.execute(
                "INSERT INTO components (digest, bytes, size, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (digest) DO NOTHING",
                params![&digest, bytes.as_slice(), size, &at],
            )?;
            Ok(())
        })
    }

    /// The bytes of the component with `digest`, if stored.
    pub fn component(&self, digest: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let digest = digest.to_owned();
        self.read(move |db| {
            db.query_opt(
                "SELECT bytes FROM components WHERE digest = $1",
                params![&digest],
            )?
            .map(|row| row.get(0))
            .transpose()
        })
    }
}

fn insert_audit(
    db: &mut dyn Db,
    at: &str,
    actor: &str,
    tenant: Option<&str>,
    action: &str,
    detail: &str,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO audit_log (at, actor, tenant, action, detail) VALUES ($1, $2, $3, $4, $5)",
        params![at, actor, tenant, action, detail],
    )?;
    Ok(())
}

fn find_tenant(db: &mut dyn Db, id: &str) -> Result<Option<TenantRecord>, StoreError> {
    db.query_opt(
        &format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE id = $1"),
        params![id],
    )?
    .as_ref()
    .map(tenant_row)
    .transpose()
}

/// The tenant, or [`StoreError::UnknownTenant`].
fn require_tenant(db: &mut dyn Db, id: &str) -> Result<TenantRecord, StoreError> {
    find_tenant(db, id)?.ok_or_else(|| StoreError::UnknownTenant(id.to_owned()))
}

fn find_version(
    db: &mut dyn Db,
    tenant: &str,
    version: u32,
) -> Result<Option<PluginVersion>, StoreError> {
    db.query_opt(
        &format!(
            "SELECT {VERSION_COLUMNS} FROM plugin_versions WHERE tenant = $1 AND version = $2"
        ),
        params![tenant, version],
    )?
    .as_ref()
    .map(version_row)
    .transpose()
}

/// A row of [`VERSION_COLUMNS`].
fn version_row(row: &Row) -> Result<PluginVersion, StoreError> {
    Ok(PluginVersion {
        tenant: row.get(0)?,
        version: row.get(1)?,
        digest: row.get(2)?,
        size: row.get(3)?,
        wit_version: row.get(4)?,
        uploaded_at: row.get(5)?,
        status: row.get(6)?,
    })
}

/// A row of [`TENANT_COLUMNS`], its settings parsed.
fn tenant_row(row: &Row) -> Result<TenantRecord, StoreError> {
    let id: String = row.get(0)?;
    let settings: String = row.get(1)?;
    Ok(TenantRecord {
        settings: parse_json(&settings, || format!("settings of tenant {id:?}"))?,
        id,
        active_version: row.get(2)?,
        updated_at: row.get(3)?,
    })
}

/// A JSON text column. The store only ever writes valid JSON there, so anything else is
/// corruption, reported as such rather than papered over.
fn parse_json(text: &str, what: impl FnOnce() -> String) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text)
        .map_err(|err| StoreError::Corrupt(format!("{} are not JSON ({err})", what())))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;
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

    fn digest(n: u8) -> String {
        format!("{n:02x}").repeat(32)
    }

    /// Uploads `digest(n)` for `tenant` and returns the version number it got.
    fn upload(store: &Store, tenant: &str, n: u8) -> Result<u32, StoreError> {
        Ok(store
            .add_plugin_version(tenant, &digest(n), 1, "0.1.0")?
            .version)
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
    fn a_failed_migration_is_rolled_back_whole() -> Result<(), StoreError> {
        let mut conn = Connection::open_in_memory()?;
        let broken = [
            migrations::MIGRATIONS[0],
            "CREATE TABLE extra (a INTEGER); THIS IS NOT SQL;",
        ];
        let err = migrations::migrate(&mut conn, &broken);
        assert!(
            matches!(err, Err(StoreError::Migration { version: 2, .. })),
            "{err:?}"
        );
        assert_eq!(migrations::schema_version(&conn)?, 1);
        let extra: i64 = conn.query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'extra'",
            [],
            |row| row.get(0),
        )?;
        assert_eq!(extra, 0);
        // Fixed, the migration goes through from where it stopped.
        let fixed = [migrations::MIGRATIONS[0], "CREATE TABLE extra (a INTEGER);"];
        migrations::migrate(&mut conn, &fixed)?;
        assert_eq!(migrations::schema_version(&conn)?, 2);
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

    #[test]
    fn tenants_are_created_and_updated() -> Result<(), StoreError> {
        let store = Store::open_in_memory()?;
        assert_eq!(store.tenant("b")?, None);
        let created = store.put_tenant("b", &json!({"locale": "en"}))?;
        assert_eq!(created.settings, json!({"locale": "en"}));
        assert_eq!(created.active_version, None);
        store.put_tenant("a", &json!({}))?;
        store.add_plugin_version("b", &digest(1), 10, "0.1.0")?;
        store.activate("b", 1, "op")?;
        let updated = store.put_tenant("b", &json!({"locale": "de"}))?;
        assert_eq!(updated.settings["locale"], "de");
        assert_eq!(
            updated.active_version,
            Some(1),
            "settings keep the active version"
        );
        let ids: Vec<_> = store.tenants()?.into_iter().map(|t| t.id).collect();
        assert_eq!(ids, ["a", "b"]);
        Ok(())
    }

    #[test]
    fn versions_are_numbered_per_tenant_and_reuploads_are_idempotent() -> Result<(), StoreError> {
        let store = Store::open_in_memory()?;
        store.put_tenant("a", &json!({}))?;
        store.put_tenant("b", &json!({}))?;
        let first = store.add_plugin_version("a", &digest(1), 1000, "0.1.0")?;
        assert_eq!(first.version, 1);
        assert_eq!(first.size, 1000);
        assert_eq!(first.status, PluginVersion::READY);
        assert!(chrono::DateTime::parse_from_rfc3339(&first.uploaded_at).is_ok());
        assert_eq!(upload(&store, "a", 2)?, 2);
        let again = store.add_plugin_version("a", &digest(1), 1000, "0.1.0")?;
        assert_eq!(again, first);
        assert_eq!(upload(&store, "a", 3)?, 3);
        assert_eq!(upload(&store, "b", 2)?, 1, "numbers are per tenant");
        let versions: Vec<_> = store
            .plugin_versions("a")?
            .into_iter()
            .map(|v| v.version)
            .collect();
        assert_eq!(versions, [1, 2, 3]);
        assert_eq!(store.plugin_version("a", 1)?, Some(first));
        assert_eq!(store.plugin_version("a", 4)?, None);
        Ok(())
    }

    #[test]
    fn an_upload_for_an_unknown_tenant_creates_nothing() -> Result<(), StoreError> {
        let store = Store::open_in_memory()?;
        let err = store.add_plugin_version("nobody", &digest(1), 1, "0.1.0");
        assert!(matches!(err, Err(StoreError::UnknownTenant(ref t)) if t == "nobody"));
        assert_eq!(store.tenant("nobody")?, None);
        assert!(store.plugin_versions("nobody")?.is_empty());
        assert!(store.tenants()?.is_empty());
        Ok(())
    }

    #[test]
    fn activation_and_rollback_are_audited() -> Result<(), StoreError> {
        let store = Store::open_in_memory()?;
        store.put_tenant("a", &json!({}))?;
        assert_eq!(store.active_version("a")?, None);
        let v1 = store.add_plugin_version("a", &digest(1), 1, "0.1.0")?;
        let v2 = store.add_plugin_version("a", &digest(2), 1, "0.1.0")?;
        assert_eq!(store.activate("a", 2, "alice")?, v2);
        assert_eq!(store.active_version("a")?, Some(v2.clone()));
        assert_eq!(store.activate("a", 1, "bob")?, v1);
        assert_eq!(store.active_version("a")?, Some(v1));
        assert_eq!(store.tenant("a")?.and_then(|t| t.active_version), Some(1));

        let log = store.audit_log(Some("a"), 10)?;
        assert_eq!(log.len(), 2);
        assert!(log[0].id > log[1].id, "newest first");
        assert_eq!(log[0].action, ACTIVATE);
        assert_eq!(log[0].actor, "bob");
        assert_eq!(log[0].tenant.as_deref(), Some("a"));
        assert_eq!(
            log[0].detail,
            format!("version 1 sha256:{} (was version 2)", digest(1))
        );
        assert_eq!(log[1].actor, "alice");
        assert!(log[1].detail.ends_with("(was none)"), "{}", log[1].detail);
        Ok(())
    }

    #[test]
    fn unknown_versions_and_tenants_change_nothing() -> Result<(), StoreError> {
        let store = Store::open_in_memory()?;
        store.put_tenant("a", &json!({}))?;
        store.put_tenant("b", &json!({}))?;
        store.add_plugin_version("a", &digest(1), 1, "0.1.0")?;
        store.add_plugin_version("b", &digest(2), 1, "0.1.0")?;
        store.activate("a", 1, "op")?;
        let before = store.tenant("a")?;

        let err = store.activate("a", 9, "op");
        assert!(matches!(
            err,
            Err(StoreError::UnknownVersion { ref tenant, version: 9 }) if tenant == "a"
        ));
        // Version 2 exists, but it belongs to tenant b.
        assert!(matches!(
            store.activate("a", 2, "op"),
            Err(StoreError::UnknownVersion { .. })
        ));
        assert!(matches!(
            store.activate("nobody", 1, "op"),
            Err(StoreError::UnknownTenant(_))
        ));

        assert_eq!(store.tenant("a")?, before);
        assert_eq!(store.active_version("a")?.map(|v| v.version), Some(1));
        assert_eq!(store.active_version("b")?, None);
        assert_eq!(store.audit_log(None, 10)?.len(), 1);
        Ok(())
    }

    #[test]
    fn everything_survives_a_reopen() -> Result<(), StoreError> {
        let dir = TempDir::new("reopen");
        let (tenant, versions, log) = {
            let store = Store::open(&dir.0)?;
            store.put_tenant("a", &json!({"locale": "de", "calcom": {"event": 7}}))?;
            store.add_plugin_version("a", &digest(1), 100, "0.1.0")?;
            store.add_plugin_version("a", &digest(2), 200, "0.1.0")?;
            store.activate("a", 2, "op")?;
            store.activate("a", 1, "op")?;
            store.audit("op", None, "tenant.list", "")?;
            (
                store.tenant("a")?,
                store.plugin_versions("a")?,
                store.audit_log(None, 10)?,
            )
        };
        let store = Store::open(&dir.0)?;
        assert!(tenant.is_some());
        assert_eq!(store.tenant("a")?, tenant);
        assert_eq!(store.plugin_versions("a")?, versions);
        assert_eq!(
            store.active_version("a")?.map(|v| v.digest),
            Some(digest(1))
        );
        assert_eq!(store.audit_log(None, 10)?, log);
        assert_eq!(log.len(), 3);
        // Numbering continues where it stopped.
        assert_eq!(upload(&store, "a", 3)?, 3);
        Ok(())
    }

    #[test]
    fn the_audit_log_filters_by_tenant_and_limits() -> Result<(), StoreError> {
        let store = Store::open_in_memory()?;
        store.audit("op", Some("a"), "tenant.put", "1")?;
        store.audit("op", Some("b"), "tenant.put", "2")?;
        store.audit("op", None, "token.rotate", "3")?;
        store.audit("op", Some("a"), "tenant.put", "4")?;
        let details = |entries: Vec<AuditEntry>| -> Vec<String> {
            entries.into_iter().map(|e| e.detail).collect()
        };
        assert_eq!(details(store.audit_log(Some("a"), 10)?), ["4", "1"]);
        assert_eq!(details(store.audit_log(None, 2)?), ["4", "3"]);
        assert!(store.audit_log(None, 0)?.is_empty());
        Ok(())
    }

    #[test]
    fn concurrent_uploads_get_distinct_versions() -> Result<(), StoreError> {
        let store = Arc::new(Store::open_in_memory()?);
        store.put_tenant("a", &json!({}))?;
        let threads: Vec<_> = (0..8u8)
            .map(|n| {
                let store = Arc::clone(&store);
                std::thread::spawn(move || store.add_plugin_version("a", &digest(n), 1, "0.1.0"))
            })
            .collect();
        let mut numbers = Vec::new();
        for thread in threads {
            let result = thread
                .join()
                .map_err(|_| StoreError::UnknownTenant("thread panicked".into()))?;
            numbers.push(result?.version);
        }
        numbers.sort_unstable();
        assert_eq!(numbers, (1..=8).collect::<Vec<u32>>());
        Ok(())
    }

    #[test]
    fn requests_are_recorded_finished_and_delivered_once() -> Result<(), StoreError> {
        let store = Store::open_in_memory()?;
        store.put_tenant("a", &json!({}))?;
        let new = |tenant: &str| NewRequest {
            id: format!("req-{tenant}"),
            tenant: tenant.to_owned(),
            kind: RequestKind::Callback,
            call_id: "call-1".into(),
            phone: Some("+4930123".into()),
            name: None,
            details: json!({"reason": "reschedule"}),
        };
        assert!(matches!(
            store.add_request(&new("nobody")),
            Err(StoreError::UnknownTenant(_))
        ));
        let recorded = store.add_request(&new("a"))?;
        assert_eq!(recorded.status, "open");
        assert_eq!(recorded.details["reason"], "reschedule");
        assert_eq!(
            store.undelivered_requests()?,
            std::slice::from_ref(&recorded)
        );
        store.mark_notified(&recorded.id)?;
        assert!(store.undelivered_requests()?.is_empty());
        let done = store.finish_request("a", &recorded.id)?;
        assert_eq!(done.map(|r| r.status), Some("done".to_owned()));
        assert_eq!(store.finish_request("a", "missing")?, None);
        assert_eq!(store.requests("a", Some("done"))?.len(), 1);
        Ok(())
    }

    #[test]
    fn corrupt_settings_are_reported_not_hidden() -> Result<(), StoreError> {
        let store = Store::open_in_memory()?;
        store.put_tenant("a", &json!({}))?;
        store.sqlite(|conn| {
            conn.execute("UPDATE tenants SET settings = '{oops' WHERE id = 'a'", [])?;
            Ok(())
        })?;
        match store.tenant("a") {
            Err(err @ StoreError::Corrupt(_)) => {
                assert!(
                    err.to_string().contains("settings of tenant \"a\""),
                    "{err}"
                );
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
        assert!(matches!(store.tenants(), Err(StoreError::Corrupt(_))));
        Ok(())
    }
}
