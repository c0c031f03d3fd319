//! The `audit_log` table: who did what to which tenant, newest first.
//!
//! Append-only. Admin actions are recorded with [`Store::audit`], each in its own transaction;
//! a change that must never go unrecorded writes its entry with [`insert_audit`] inside its
//! own transaction instead (activations: `versions.rs`), so the change and its entry commit
//! together or not at all.

use serde::Serialize;

use super::sql::{Db, now, params};
use super::{Store, StoreError};

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

impl Store {
    /// Records an admin action. `tenant` need not exist (a failed attempt is worth recording
    /// too).
    pub async fn audit(
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
        self.write(
            (at, actor, tenant, action, detail),
            |db, (at, actor, tenant, action, detail)| {
                Box::pin(async move {
                    insert_audit(db, &at, &actor, tenant.as_deref(), &action, &detail).await
                })
            },
        )
        .await
    }

    /// The newest `limit` entries, newest first: of one tenant, or of all when `tenant` is
    /// `None`.
    pub async fn audit_log(
        &self,
        tenant: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let tenant = tenant.map(str::to_owned);
        self.read(tenant, move |db, tenant| {
            Box::pin(async move {
                db.query(
                    "SELECT id, at, actor, tenant, action, detail FROM audit_log
                 WHERE CAST($1 AS TEXT) IS NULL OR tenant = $1 ORDER BY id DESC LIMIT $2",
                    params![&tenant, limit],
                )
                .await?
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
        })
        .await
    }
}

/// Appends an entry inside the caller's transaction.
pub(super) async fn insert_audit(
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
    )
    .await?;
    Ok(())
}
