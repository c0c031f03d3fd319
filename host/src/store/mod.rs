//! The embedded store: tenants, plugin versions, the active version per tenant, and an audit
//! log of admin actions, in SQLite (`<data_dir>/slotline.db`).
//!
//! WAL mode with `synchronous = FULL`: a write that returned survives a crash, and every write
//! is one transaction, so a process killed at any point leaves the previous state or the new
//! one, never a mix. Admin operations are rare; one connection behind a mutex is enough.

mod migrations;
mod requests;

pub use requests::{CallerRequest, NewRequest, RequestKind};

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use migrations::MIGRATIONS;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("store: cannot create the data directory: {0}")]
    Io(#[from] std::io::Error),
    #[error("no tenant {0:?} in the store")]
    UnknownTenant(String),
    #[error("tenant {tenant} has no plugin version {version}")]
    UnknownVersion { tenant: String, version: u32 },
    #[error(
        "the database has schema version {found}, newer than this binary knows ({known}); upgrade Slotline"
    )]
    TooNew { found: i64, known: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PluginVersion {
    pub tenant: String,
    pub version: u32,
    /// SHA-256 of the component, hex.
    pub digest: String,
    pub size: u64,
    pub wit_version: String,
    /// RFC 3339, UTC.
    pub uploaded_at: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TenantRecord {
    pub id: String,
    /// The tenant's configuration, as in `slotline.toml`.
    pub settings: serde_json::Value,
    pub active_version: Option<u32>,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub tenant: Option<String>,
    pub action: String,
    pub detail: String,
}

pub struct Store {
    conn: Mutex<Connection>,
}

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn version_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<PluginVersion> {
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

const VERSION_COLUMNS: &str = "tenant, version, digest, size, wit_version, uploaded_at, status";

impl Store {
    /// Opens (creating when needed) `<data_dir>/slotline.db` and brings its schema up to date.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir)?;
        let conn = Connection::open(data_dir.join("slotline.db"))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        Self::prepare(conn)
    }

    pub fn open_in_memory() -> Result<Store, StoreError> {
        Self::prepare(Connection::open_in_memory()?)
    }

    fn prepare(mut conn: Connection) -> Result<Store, StoreError> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    pub(crate) fn with<T>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        work(&mut conn)
    }

    /// Creates the tenant or replaces its settings.
    pub fn put_tenant(
        &self,
        id: &str,
        settings: &serde_json::Value,
    ) -> Result<TenantRecord, StoreError> {
        let at = now();
        self.with(|conn| {
            conn.execute(
                "INSERT INTO tenants (id, settings, active_version, created_at, updated_at)
                 VALUES (?1, ?2, NULL, ?3, ?3)
                 ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at",
                params![id, settings.to_string(), at],
            )?;
            Ok(())
        })?;
        self.tenant(id)?
            .ok_or_else(|| StoreError::UnknownTenant(id.to_owned()))
    }

    pub fn tenant(&self, id: &str) -> Result<Option<TenantRecord>, StoreError> {
        self.with(|conn| {
            Ok(conn
                .query_row(
                    "SELECT id, settings, active_version, updated_at FROM tenants WHERE id = ?1",
                    params![id],
                    tenant_row,
                )
                .optional()?)
        })
    }

    pub fn tenants(&self) -> Result<Vec<TenantRecord>, StoreError> {
        self.with(|conn| {
            let mut statement = conn.prepare(
                "SELECT id, settings, active_version, updated_at FROM tenants ORDER BY id",
            )?;
            let rows = statement.query_map([], tenant_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    /// Records an uploaded version (the bytes are stored by digest, elsewhere) as the tenant's
    /// next version number. The same digest uploaded again returns the existing version.
    pub fn add_plugin_version(
        &self,
        tenant: &str,
        digest: &str,
        size: u64,
        wit_version: &str,
    ) -> Result<PluginVersion, StoreError> {
        let at = now();
        self.with(|conn| {
            let tx = conn.transaction()?;
            let known: bool = tx
                .query_row("SELECT 1 FROM tenants WHERE id = ?1", params![tenant], |_| Ok(()))
                .optional()?
                .is_some();
            if !known {
                return Err(StoreError::UnknownTenant(tenant.to_owned()));
            }
            let existing = tx
                .query_row(
                    &format!("SELECT {VERSION_COLUMNS} FROM plugin_versions WHERE tenant = ?1 AND digest = ?2"),
                    params![tenant, digest],
                    version_row,
                )
                .optional()?;
            if let Some(existing) = existing {
                return Ok(existing);
            }
            let next: u32 = tx.query_row(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM plugin_versions WHERE tenant = ?1",
                params![tenant],
                |row| row.get(0),
            )?;
            tx.execute(
                "INSERT INTO plugin_versions (tenant, version, digest, size, wit_version, uploaded_at, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'ready')",
                params![tenant, next, digest, size, wit_version, at],
            )?;
            tx.commit()?;
            Ok(PluginVersion {
                tenant: tenant.to_owned(),
                version: next,
                digest: digest.to_owned(),
                size,
                wit_version: wit_version.to_owned(),
                uploaded_at: at,
                status: "ready".to_owned(),
            })
        })
    }

    pub fn plugin_versions(&self, tenant: &str) -> Result<Vec<PluginVersion>, StoreError> {
        self.with(|conn| {
            let mut statement = conn.prepare(&format!(
                "SELECT {VERSION_COLUMNS} FROM plugin_versions WHERE tenant = ?1 ORDER BY version"
            ))?;
            let rows = statement.query_map(params![tenant], version_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    pub fn plugin_version(
        &self,
        tenant: &str,
        version: u32,
    ) -> Result<Option<PluginVersion>, StoreError> {
        self.with(|conn| {
            Ok(conn
                .query_row(
                    &format!("SELECT {VERSION_COLUMNS} FROM plugin_versions WHERE tenant = ?1 AND version = ?2"),
                    params![tenant, version],
                    version_row,
                )
                .optional()?)
        })
    }

    /// Makes `version` the active one, together with its audit entry, in one transaction.
    pub fn activate(
        &self,
        tenant: &str,
        version: u32,
        actor: &str,
    ) -> Result<PluginVersion, StoreError> {
        let at = now();
        self.with(|conn| {
            let tx = conn.transaction()?;
            let record = tx
                .query_row(
                    &format!("SELECT {VERSION_COLUMNS} FROM plugin_versions WHERE tenant = ?1 AND version = ?2"),
                    params![tenant, version],
                    version_row,
                )
                .optional()?
                .ok_or_else(|| StoreError::UnknownVersion {
                    tenant: tenant.to_owned(),
                    version,
                })?;
            tx.execute(
                "UPDATE tenants SET active_version = ?2, updated_at = ?3 WHERE id = ?1",
                params![tenant, version, at],
            )?;
            tx.execute(
                "INSERT INTO audit_log (at, actor, tenant, action, detail) VALUES (?1, ?2, ?3, 'plugin.activate', ?4)",
                params![at, actor, tenant, format!("version {version} sha256:{}", record.digest)],
            )?;
            tx.commit()?;
            Ok(record)
        })
    }

    pub fn active_version(&self, tenant: &str) -> Result<Option<PluginVersion>, StoreError> {
        self.with(|conn| {
            Ok(conn
                .query_row(
                    "SELECT v.tenant, v.version, v.digest, v.size, v.wit_version, v.uploaded_at, v.status
                     FROM tenants t JOIN plugin_versions v ON v.tenant = t.id AND v.version = t.active_version
                     WHERE t.id = ?1",
                    params![tenant],
                    version_row,
                )
                .optional()?)
        })
    }

    pub fn audit(
        &self,
        actor: &str,
        tenant: Option<&str>,
        action: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        let at = now();
        self.with(|conn| {
            conn.execute(
                "INSERT INTO audit_log (at, actor, tenant, action, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![at, actor, tenant, action, detail],
            )?;
            Ok(())
        })
    }

    /// The newest `limit` entries, newest first, of one tenant or of all.
    pub fn audit_log(
        &self,
        tenant: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with(|conn| {
            let mut statement = conn.prepare(
                "SELECT id, at, actor, tenant, action, detail FROM audit_log
                 WHERE ?1 IS NULL OR tenant = ?1 ORDER BY id DESC LIMIT ?2",
            )?;
            let rows = statement.query_map(params![tenant, limit], |row| {
                Ok(AuditEntry {
                    id: row.get(0)?,
                    at: row.get(1)?,
                    actor: row.get(2)?,
                    tenant: row.get(3)?,
                    action: row.get(4)?,
                    detail: row.get(5)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }
}

fn tenant_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<TenantRecord> {
    let settings: String = row.get(1)?;
    Ok(TenantRecord {
        id: row.get(0)?,
        settings: serde_json::from_str(&settings).unwrap_or(serde_json::Value::Null),
        active_version: row.get(2)?,
        updated_at: row.get(3)?,
    })
}

/// Applies the migrations the database has not seen, each in its own transaction, tracking
/// the schema version in `PRAGMA user_version`.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > known {
        return Err(StoreError::TooNew { found, known });
    }
    for (index, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(found).unwrap_or(0))
    {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("slotline-store-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn versions_are_numbered_per_tenant_and_reuploads_are_idempotent() -> Result<(), StoreError> {
        let store = Store::open_in_memory()?;
        store.put_tenant("a", &serde_json::json!({}))?;
        store.put_tenant("b", &serde_json::json!({}))?;
        assert_eq!(store.add_plugin_version("a", "d1", 10, "0.1.0")?.version, 1);
        assert_eq!(store.add_plugin_version("a", "d2", 10, "0.1.0")?.version, 2);
        assert_eq!(store.add_plugin_version("a", "d1", 10, "0.1.0")?.version, 1);
        assert_eq!(store.add_plugin_version("b", "d2", 10, "0.1.0")?.version, 1);
        assert!(matches!(
            store.add_plugin_version("nobody", "d1", 1, "0.1.0"),
            Err(StoreError::UnknownTenant(_))
        ));
        Ok(())
    }

    #[test]
    fn activation_and_rollback_survive_a_reopen() -> Result<(), StoreError> {
        let dir = temp_dir("reopen");
        {
            let store = Store::open(&dir)?;
            store.put_tenant("a", &serde_json::json!({"locale": "de"}))?;
            store.add_plugin_version("a", "d1", 1, "0.1.0")?;
            store.add_plugin_version("a", "d2", 1, "0.1.0")?;
            store.activate("a", 2, "operator")?;
            store.activate("a", 1, "operator")?;
            assert!(matches!(
                store.activate("a", 9, "operator"),
                Err(StoreError::UnknownVersion { .. })
            ));
        }
        let store = Store::open(&dir)?;
        assert_eq!(
            store.active_version("a")?.map(|v| v.digest),
            Some("d1".into())
        );
        assert_eq!(
            store.tenant("a")?.map(|t| t.settings["locale"].clone()),
            Some("de".into())
        );
        let log = store.audit_log(Some("a"), 10)?;
        assert_eq!(log.len(), 2);
        assert!(log[0].detail.contains("version 1"));
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }

    #[test]
    fn a_database_from_a_newer_binary_is_refused() -> Result<(), StoreError> {
        let dir = temp_dir("too-new");
        drop(Store::open(&dir)?);
        let conn = Connection::open(dir.join("slotline.db"))?;
        conn.pragma_update(None, "user_version", 99)?;
        drop(conn);
        assert!(matches!(
            Store::open(&dir),
            Err(StoreError::TooNew { found: 99, .. })
        ));
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }
}
