//! The `plugin_versions` table, and which version of each tenant is active (the tenant's
//! `active_version`).
//!
//! Versions are numbered per tenant in upload order, so recording one reads the highest
//! number and writes the next in one write transaction, which holds the write lock from its
//! start: concurrent uploads (on any replica) get distinct numbers. Activating is the one
//! change to the active version, and is audited in the same transaction (`audit.rs`), so the
//! log never misses an activation nor records one that did not happen. Both announce what
//! they did to other replicas (`event.rs`) when they commit.

use serde::Serialize;

use super::audit::insert_audit;
use super::canaries::{CanaryEnd, end_running};
use super::sql::{Db, Row, now, params};
use super::tenants::require_tenant;
use super::{Store, StoreError, StoreEvent};

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

/// The action recorded with every activation.
const ACTIVATE: &str = "plugin.activate";

const VERSION_COLUMNS: &str = "tenant, version, digest, size, wit_version, uploaded_at, status";

impl Store {
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
    /// a shared store, the activation is announced to [`watch`](super::watch())ers when it
    /// commits.
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
            // Activating by hand decides for every phone call: a canary running stops.
            end_running(
                db,
                &tenant,
                &CanaryEnd::Stopped(format!("version {version} activated by {actor}")),
                &actor,
                &at,
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
}

/// One version of the tenant, if it exists.
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
