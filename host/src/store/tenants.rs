//! The `tenants` table: each tenant's settings and which plugin version is active.
//!
//! Every other table belongs to a tenant, so this file also has [`require_tenant`], the check
//! that the other families' writes make first, inside their own transaction: a write for an
//! unknown tenant fails with [`StoreError::UnknownTenant`] and writes nothing. Which version is
//! active is read here but changed only by [`Store::activate`] (`versions.rs`), together with
//! its audit entry.

use serde::Serialize;

use super::sql::{Db, Row, now, params, parse_json};
use super::{Store, StoreError, StoreEvent};

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

const TENANT_COLUMNS: &str = "id, settings, active_version, updated_at";

impl Store {
    /// Creates the tenant, or replaces its settings (keeping its plugin versions and active
    /// version), and announces it to other replicas ([`StoreEvent::Settings`]). Returns the
    /// tenant as stored.
    pub async fn put_tenant(
        &self,
        id: &str,
        settings: &serde_json::Value,
    ) -> Result<TenantRecord, StoreError> {
        let at = now();
        let id = id.to_owned();
        let settings = settings.to_string();
        self.write((id, settings, at), |db, (id, settings, at)| {
            Box::pin(async move {
            db.execute(
                "INSERT INTO tenants (id, settings, active_version, created_at, updated_at)
                 VALUES ($1, $2, NULL, $3, $3)
                 ON CONFLICT (id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at",
                params![&id, &settings, &at],
            ).await?;
            db.notify(&StoreEvent::Settings { tenant: id.clone() }).await?;
            require_tenant(db, &id).await
            })
        })
        .await
    }

    /// The tenant, if stored.
    pub async fn tenant(&self, id: &str) -> Result<Option<TenantRecord>, StoreError> {
        let id = id.to_owned();
        self.read(id, |db, id| {
            Box::pin(async move { find_tenant(db, &id).await })
        })
        .await
    }

    /// All tenants, by id.
    pub async fn tenants(&self) -> Result<Vec<TenantRecord>, StoreError> {
        self.read((), |db, ()| {
            Box::pin(async move {
                db.query(
                    &format!("SELECT {TENANT_COLUMNS} FROM tenants ORDER BY id"),
                    params![],
                )
                .await?
                .iter()
                .map(tenant_row)
                .collect()
            })
        })
        .await
    }
}

/// The tenant, if stored.
async fn find_tenant(db: &mut dyn Db, id: &str) -> Result<Option<TenantRecord>, StoreError> {
    db.query_opt(
        &format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE id = $1"),
        params![id],
    )
    .await?
    .as_ref()
    .map(tenant_row)
    .transpose()
}

/// The tenant, or [`StoreError::UnknownTenant`].
pub(super) async fn require_tenant(db: &mut dyn Db, id: &str) -> Result<TenantRecord, StoreError> {
    find_tenant(db, id)
        .await?
        .ok_or_else(|| StoreError::UnknownTenant(id.to_owned()))
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
