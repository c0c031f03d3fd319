//! The `plugin_versions` table, and which version of each tenant is active (the tenant's
//! `active_version`).
//!
//! Versions are numbered per tenant in upload order, so recording one reads the highest
//! number and writes the next in one write transaction, which holds the write lock from its
//! start: concurrent uploads (on any replica) get distinct numbers. Activating is the one
//! change to the active version, and is audited in the same transaction (`audit.rs`), so the
//! log never misses an activation nor records one that did not happen. Both announce what
//! they did to other replicas (`event.rs`) when they commit.
//!
//! What a tenant keeps is bounded ([`StorageQuota`], checked in the transaction that records a
//! version, so two replicas' uploads cannot both squeeze under it). A deleted version keeps
//! its row with status [`PluginVersion::DELETED`], so its number is never given again and the
//! audit log's "version 5" stays one component; its bytes go once no version of any tenant
//! names them.

use serde::Serialize;

use super::audit::insert_audit;
use super::canaries::{CanaryEnd, end_running, running};
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
    pub const READY: &str = super::status::READY;
    /// The status of a deleted version: listed nowhere, never activated, its number kept.
    pub const DELETED: &str = super::status::DELETED;
}

/// How much one tenant may keep: versions not deleted, and the bytes of their distinct
/// components. Uploads are refused past it ([`StoreError::VersionQuota`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StorageQuota {
    /// Versions kept.
    pub max_versions: u32,
    /// Bytes of the distinct components those versions name.
    pub max_bytes: u64,
}

impl StorageQuota {
    /// No bound (operators' tools and tests that are not about quotas).
    pub const UNLIMITED: StorageQuota = StorageQuota {
        max_versions: u32::MAX,
        max_bytes: u64::MAX,
    };
}

/// What a tenant keeps now, measured as [`StorageQuota`] bounds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StorageUsage {
    /// Versions kept (not deleted).
    pub versions: u32,
    /// Bytes of their distinct components.
    pub bytes: u64,
}

impl StorageUsage {
    /// Refuses one more version of `size` bytes (a component the tenant does not keep yet)
    /// when it would not fit `quota`.
    pub fn admit(&self, tenant: &str, size: u64, quota: &StorageQuota) -> Result<(), StoreError> {
        if self.versions >= quota.max_versions {
            return Err(StoreError::VersionQuota {
                tenant: tenant.to_owned(),
                used: format!("{} versions", self.versions),
                limit: format!("{} versions", quota.max_versions),
                key: "max_versions",
            });
        }
        if self.bytes.saturating_add(size) > quota.max_bytes {
            return Err(StoreError::VersionQuota {
                tenant: tenant.to_owned(),
                used: format!(
                    "{} of components, and this upload is {}",
                    mib(self.bytes),
                    mib(size)
                ),
                limit: mib(quota.max_bytes),
                key: "max_stored_mib",
            });
        }
        Ok(())
    }
}

/// `bytes` in MiB, for messages.
fn mib(bytes: u64) -> String {
    // Precision is irrelevant for a message: f64 holds any size a store can have.
    #[allow(clippy::cast_precision_loss)]
    let mib = bytes as f64 / (1024.0 * 1024.0);
    format!("{mib:.1} MiB")
}

/// A deleted version, and whether its component went with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedVersion {
    /// The version as it was.
    pub version: PluginVersion,
    /// No version of any tenant names the component any more: its bytes were removed from
    /// the store, and its files may go too.
    pub unreferenced: bool,
}

/// The action recorded with every activation.
const ACTIVATE: &str = "plugin.activate";

/// The action recorded with every deletion.
const DELETE: &str = "plugin.delete";

const VERSION_COLUMNS: &str = "tenant, version, digest, size, wit_version, uploaded_at, status";

impl Store {
    /// Records an uploaded version (the bytes are stored by digest: [`Store::put_component`])
    /// as the tenant's next version number (1, 2, ...), with status [`PluginVersion::READY`].
    /// A digest the tenant already has returns that existing version unchanged: uploads are
    /// idempotent.
    ///
    /// [`StoreError::UnknownTenant`], with nothing written, when the tenant does not exist.
    pub async fn add_plugin_version(
        &self,
        tenant: &str,
        digest: &str,
        size: u64,
        wit_version: &str,
    ) -> Result<PluginVersion, StoreError> {
        self.add_plugin_version_within(tenant, digest, size, wit_version, StorageQuota::UNLIMITED)
            .await
    }

    /// [`Store::add_plugin_version`], refused with [`StoreError::VersionQuota`] (nothing
    /// written) when keeping one more version would take the tenant past `quota`. Uploading
    /// a component the tenant keeps already is never refused: it is that version again. A
    /// deleted version uploaded again is kept again, under its old number.
    pub async fn add_plugin_version_within(
        &self,
        tenant: &str,
        digest: &str,
        size: u64,
        wit_version: &str,
        quota: StorageQuota,
    ) -> Result<PluginVersion, StoreError> {
        let at = now();
        let stored_size = i64::try_from(size)
            .map_err(|_| StoreError::OutOfRange(format!("the component size {size}")))?;
        let (tenant, digest, wit_version) =
            (tenant.to_owned(), digest.to_owned(), wit_version.to_owned());
        self.write((tenant, digest, wit_version, at), move |db, (tenant, digest, wit_version, at)| Box::pin(async move {
            require_tenant(db, &tenant).await?;
            let existing = db.query_opt(
                &format!(
                    "SELECT {VERSION_COLUMNS} FROM plugin_versions WHERE tenant = $1 AND digest = $2"
                ),
                params![&tenant, &digest],
            ).await?;
            let existing = existing.as_ref().map(version_row).transpose()?;
            if let Some(existing) = &existing
                && existing.status != PluginVersion::DELETED
            {
                return Ok(existing.clone());
            }
            usage(db, &tenant).await?.admit(&tenant, size, &quota)?;
            if let Some(deleted) = existing {
                db.execute(
                    "UPDATE plugin_versions SET status = $3, uploaded_at = $4
                     WHERE tenant = $1 AND version = $2",
                    params![&tenant, deleted.version, PluginVersion::READY, &at],
                ).await?;
                db.notify(&StoreEvent::Uploaded {
                    tenant: tenant.clone(),
                    digest: digest.clone(),
                }).await?;
                return Ok(PluginVersion {
                    status: PluginVersion::READY.to_owned(),
                    uploaded_at: at.clone(),
                    ..deleted
                });
            }
            // Deleted versions count: a number is never given twice.
            let next: u32 = db
                .query_one(
                    "SELECT COALESCE(MAX(version), 0) + 1 FROM plugin_versions WHERE tenant = $1",
                    params![&tenant],
                ).await?
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
            ).await?;
            db.notify(&StoreEvent::Uploaded {
                tenant: tenant.clone(),
                digest: digest.clone(),
            }).await?;
            Ok(PluginVersion {
                tenant: tenant.clone(),
                version: next,
                digest: digest.clone(),
                size,
                wit_version: wit_version.clone(),
                uploaded_at: at.clone(),
                status: PluginVersion::READY.to_owned(),
            })
        })).await
    }

    /// The tenant's versions, oldest first, deleted ones left out (empty for an unknown
    /// tenant).
    pub async fn plugin_versions(&self, tenant: &str) -> Result<Vec<PluginVersion>, StoreError> {
        let tenant = tenant.to_owned();
        self.read(tenant, move |db, tenant| Box::pin(async move {
            db.query(
                &format!(
                    "SELECT {VERSION_COLUMNS} FROM plugin_versions WHERE tenant = $1 AND status <> $2
                     ORDER BY version"
                ),
                params![&tenant, PluginVersion::DELETED],
            ).await?
            .iter()
            .map(version_row)
            .collect()
        })).await
    }

    /// One version of the tenant, if it exists.
    pub async fn plugin_version(
        &self,
        tenant: &str,
        version: u32,
    ) -> Result<Option<PluginVersion>, StoreError> {
        let tenant = tenant.to_owned();
        self.read(tenant, move |db, tenant| {
            Box::pin(async move { find_version(db, &tenant, version).await })
        })
        .await
    }

    /// Makes `version` the tenant's active one, in one transaction together with its audit
    /// entry (`plugin.activate`, by `actor`). Activating an earlier version is a rollback. On
    /// a shared store, the activation is announced to [`watch`](super::watch())ers when it
    /// commits.
    ///
    /// [`StoreError::UnknownTenant`] or [`StoreError::UnknownVersion`], with nothing written
    /// and the previous active version still active, when either does not exist.
    pub async fn activate(
        &self,
        tenant: &str,
        version: u32,
        actor: &str,
    ) -> Result<PluginVersion, StoreError> {
        let at = now();
        let (tenant, actor) = (tenant.to_owned(), actor.to_owned());
        self.write((tenant, actor, at), move |db, (tenant, actor, at)| {
            Box::pin(async move {
                let previous = require_tenant(db, &tenant).await?.active_version;
                let record = find_version(db, &tenant, version).await?.ok_or_else(|| {
                    StoreError::UnknownVersion {
                        tenant: tenant.clone(),
                        version,
                    }
                })?;
                db.execute(
                    "UPDATE tenants SET active_version = $2, updated_at = $3 WHERE id = $1",
                    params![&tenant, version, &at],
                )
                .await?;
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
                )
                .await?;
                // Activating by hand decides for every phone call: a canary running stops.
                end_running(
                    db,
                    &tenant,
                    &CanaryEnd::Stopped(format!("version {version} activated by {actor}")),
                    &actor,
                    &at,
                )
                .await?;
                db.notify(&StoreEvent::Activated {
                    tenant: tenant.clone(),
                })
                .await?;
                Ok(record)
            })
        })
        .await
    }

    /// What the tenant keeps now, as [`StorageQuota`] measures it.
    pub async fn storage_usage(&self, tenant: &str) -> Result<StorageUsage, StoreError> {
        let tenant = tenant.to_owned();
        self.read(tenant, move |db, tenant| {
            Box::pin(async move { usage(db, &tenant).await })
        })
        .await
    }

    /// Deletes the tenant's `version`, audited as `plugin.delete` by `actor`, and the
    /// component's bytes when no version of any tenant names them any more. Refused with
    /// [`StoreError::VersionInUse`] while the version is active or in a running canary, and
    /// with [`StoreError::UnknownVersion`] when there is no such version (deleted included);
    /// either way nothing is written.
    pub async fn delete_plugin_version(
        &self,
        tenant: &str,
        version: u32,
        actor: &str,
    ) -> Result<DeletedVersion, StoreError> {
        let at = now();
        let (tenant, actor) = (tenant.to_owned(), actor.to_owned());
        self.write((tenant, actor, at), move |db, (tenant, actor, at)| {
            Box::pin(async move {
                let active = require_tenant(db, &tenant).await?.active_version;
                let record = find_version(db, &tenant, version).await?.ok_or_else(|| {
                    StoreError::UnknownVersion {
                        tenant: tenant.clone(),
                        version,
                    }
                })?;
                let in_use = |role| StoreError::VersionInUse {
                    tenant: tenant.clone(),
                    version,
                    role,
                };
                if active == Some(version) {
                    return Err(in_use("active"));
                }
                if let Some(canary) = running(db, &tenant).await? {
                    if canary.candidate_version == version {
                        return Err(in_use("the running canary's candidate"));
                    }
                    if canary.stable_version == version {
                        return Err(in_use("the running canary's stable version"));
                    }
                }
                db.execute(
                    "UPDATE plugin_versions SET status = $3 WHERE tenant = $1 AND version = $2",
                    params![&tenant, version, PluginVersion::DELETED],
                )
                .await?;
                insert_audit(
                    db,
                    &at,
                    &actor,
                    Some(tenant.as_str()),
                    DELETE,
                    &format!("version {version} sha256:{}", record.digest),
                )
                .await?;
                let unreferenced = drop_if_unused(db, &record.digest).await?;
                Ok(DeletedVersion {
                    version: record,
                    unreferenced,
                })
            })
        })
        .await
    }

    /// Removes the bytes of component `digest` unless a version of any tenant, not deleted,
    /// names it (an upload refused after its bytes were stored); whether it is unused.
    pub async fn remove_unused_component(&self, digest: &str) -> Result<bool, StoreError> {
        let digest = digest.to_owned();
        self.write(digest, move |db, digest| {
            Box::pin(async move { drop_if_unused(db, &digest).await })
        })
        .await
    }

    /// The tenant's active version, if one was activated (`None` for an unknown tenant too).
    pub async fn active_version(&self, tenant: &str) -> Result<Option<PluginVersion>, StoreError> {
        let tenant = tenant.to_owned();
        self.read(tenant, move |db, tenant| Box::pin(async move {
            db.query_opt(
                "SELECT v.tenant, v.version, v.digest, v.size, v.wit_version, v.uploaded_at, v.status
                 FROM tenants t JOIN plugin_versions v ON v.tenant = t.id AND v.version = t.active_version
                 WHERE t.id = $1",
                params![&tenant],
            ).await?
            .as_ref()
            .map(version_row)
            .transpose()
        })).await
    }
}

/// One version of the tenant, if it exists and was not deleted.
async fn find_version(
    db: &mut dyn Db,
    tenant: &str,
    version: u32,
) -> Result<Option<PluginVersion>, StoreError> {
    db.query_opt(
        &format!(
            "SELECT {VERSION_COLUMNS} FROM plugin_versions
             WHERE tenant = $1 AND version = $2 AND status <> $3"
        ),
        params![tenant, version, PluginVersion::DELETED],
    )
    .await?
    .as_ref()
    .map(version_row)
    .transpose()
}

/// Deletes the bytes of component `digest` when no version (of any tenant, not deleted)
/// names it; whether it did.
async fn drop_if_unused(db: &mut dyn Db, digest: &str) -> Result<bool, StoreError> {
    let named: i64 = db
        .query_one(
            "SELECT COUNT(*) FROM plugin_versions WHERE digest = $1 AND status <> $2",
            params![digest, PluginVersion::DELETED],
        )
        .await?
        .get(0)?;
    if named > 0 {
        return Ok(false);
    }
    db.execute("DELETE FROM components WHERE digest = $1", params![digest])
        .await?;
    Ok(true)
}

/// What `tenant` keeps: its versions not deleted, and the bytes of their distinct components.
async fn usage(db: &mut dyn Db, tenant: &str) -> Result<StorageUsage, StoreError> {
    let row = db
        .query_one(
            "SELECT COUNT(*), CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM
           (SELECT digest, MAX(size) AS size FROM plugin_versions
            WHERE tenant = $1 AND status <> $2 GROUP BY digest) kept",
            params![tenant, PluginVersion::DELETED],
        )
        .await?;
    let versions: i64 = row.get(0)?;
    let bytes: i64 = row.get(1)?;
    Ok(StorageUsage {
        versions: u32::try_from(versions)
            .map_err(|_| StoreError::OutOfRange(format!("the version count {versions}")))?,
        bytes: u64::try_from(bytes)
            .map_err(|_| StoreError::OutOfRange(format!("the stored size {bytes}")))?,
    })
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
