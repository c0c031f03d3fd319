//! What callers asked for that the calendar could not take at that moment: callback requests
//! and booking intents (the `requests` table). Durable, because the caller was promised that
//! someone gets back. And the names callers gave (the `callers` table), to greet them by name
//! next time.

use serde::Serialize;

use super::sql::{Db, Row, now, params, parse_json};
use super::tenants::require_tenant;
use super::{Store, StoreError};

/// What a caller asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// The caller asked to be called back.
    Callback,
    /// A booking the calendar could not take; someone must book or confirm it.
    BookingIntent,
}

impl RequestKind {
    fn as_str(self) -> &'static str {
        match self {
            RequestKind::Callback => "callback",
            RequestKind::BookingIntent => "booking_intent",
        }
    }
}

/// A request to record.
#[derive(Debug, Clone)]
pub struct NewRequest {
    /// Unique across tenants.
    pub id: String,
    /// The tenant whose caller asked.
    pub tenant: String,
    /// What they asked for.
    pub kind: RequestKind,
    /// The voice platform's call id.
    pub call_id: String,
    /// The caller's number, if known.
    pub phone: Option<String>,
    /// The caller's name, if given.
    pub name: Option<String>,
    /// Everything else the caller said (preferred time, reason, service, the slot), as JSON.
    pub details: serde_json::Value,
}

/// A recorded request as operators see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallerRequest {
    /// Unique across tenants.
    pub id: String,
    /// The tenant whose caller asked.
    pub tenant: String,
    /// `callback` or `booking_intent`.
    pub kind: String,
    /// `open` (callbacks), `pending` (booking intents), `done`.
    pub status: String,
    /// The voice platform's call id.
    pub call_id: String,
    /// The caller's number, if known.
    pub phone: Option<String>,
    /// The caller's name, if given.
    pub name: Option<String>,
    /// Everything else the caller said, as JSON.
    pub details: serde_json::Value,
    /// When it was recorded: RFC 3339, UTC.
    pub created_at: String,
    /// When its status last changed.
    pub updated_at: String,
    /// When the tenant's notification URL accepted it; `None` while undelivered.
    pub notified_at: Option<String>,
}

const COLUMNS: &str =
    "id, tenant, kind, status, call_id, phone, name, details, created_at, updated_at, notified_at";

/// A `requests` row of [`COLUMNS`], its details parsed.
fn request_row(row: &Row) -> Result<CallerRequest, StoreError> {
    let id: String = row.get(0)?;
    let details: String = row.get(7)?;
    Ok(CallerRequest {
        details: parse_json(&details, || format!("details of request {id:?}"))?,
        id,
        tenant: row.get(1)?,
        kind: row.get(2)?,
        status: row.get(3)?,
        call_id: row.get(4)?,
        phone: row.get(5)?,
        name: row.get(6)?,
        created_at: row.get(8)?,
        updated_at: row.get(9)?,
        notified_at: row.get(10)?,
    })
}

async fn find(
    db: &mut dyn Db,
    tenant: &str,
    id: &str,
) -> Result<Option<CallerRequest>, StoreError> {
    db.query_opt(
        &format!("SELECT {COLUMNS} FROM requests WHERE tenant = $1 AND id = $2"),
        params![tenant, id],
    )
    .await?
    .as_ref()
    .map(request_row)
    .transpose()
}

impl Store {
    /// Records a request (status `open` for callbacks, `pending` for booking intents), not yet
    /// notified. [`StoreError::UnknownTenant`], with nothing written, for an unknown tenant.
    pub async fn add_request(&self, request: &NewRequest) -> Result<CallerRequest, StoreError> {
        let at = now();
        let status = match request.kind {
            RequestKind::Callback => "open",
            RequestKind::BookingIntent => "pending",
        };
        let request = request.clone();
        let details = request.details.to_string();
        self.write((request, details, at), move |db, (request, details, at)| Box::pin(async move {
            require_tenant(db, &request.tenant).await?;
            db.execute(
                &format!("INSERT INTO requests ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, NULL)"),
                params![
                    &request.id,
                    &request.tenant,
                    request.kind.as_str(),
                    status,
                    &request.call_id,
                    &request.phone,
                    &request.name,
                    &details,
                    &at
                ],
            ).await?;
            find(db, &request.tenant, &request.id).await?
                .ok_or_else(|| StoreError::UnknownTenant(request.tenant.clone()))
        })).await
    }

    /// One request of the tenant, if it exists.
    pub async fn request(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<CallerRequest>, StoreError> {
        let (tenant, id) = (tenant.to_owned(), id.to_owned());
        self.read((tenant, id), move |db, (tenant, id)| {
            Box::pin(async move { find(db, &tenant, &id).await })
        })
        .await
    }

    /// A tenant's requests, newest first, optionally only those with `status`.
    pub async fn requests(
        &self,
        tenant: &str,
        status: Option<&str>,
    ) -> Result<Vec<CallerRequest>, StoreError> {
        let (tenant, status) = (tenant.to_owned(), status.map(str::to_owned));
        self.read((tenant, status), move |db, (tenant, status)| {
            Box::pin(async move {
                db.query(
                    &format!(
                        "SELECT {COLUMNS} FROM requests
                     WHERE tenant = $1 AND (CAST($2 AS TEXT) IS NULL OR status = $2)
                     ORDER BY created_at DESC, id"
                    ),
                    params![&tenant, &status],
                )
                .await?
                .iter()
                .map(request_row)
                .collect()
            })
        })
        .await
    }

    /// Marks a request as worked. `None` when the tenant has no such request.
    pub async fn finish_request(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<CallerRequest>, StoreError> {
        let at = now();
        let (tenant, id) = (tenant.to_owned(), id.to_owned());
        self.write((tenant, id, at), move |db, (tenant, id, at)| Box::pin(async move {
            db.execute(
                "UPDATE requests SET status = 'done', updated_at = $3 WHERE tenant = $1 AND id = $2",
                params![&tenant, &id, &at],
            ).await?;
            find(db, &tenant, &id).await
        })).await
    }

    /// A tenant's booking intents still waiting to be booked, oldest first.
    pub async fn pending_intents(&self, tenant: &str) -> Result<Vec<CallerRequest>, StoreError> {
        let tenant = tenant.to_owned();
        self.read(tenant, move |db, tenant| {
            Box::pin(async move {
                db.query(
                    &format!(
                        "SELECT {COLUMNS} FROM requests
                     WHERE tenant = $1 AND kind = 'booking_intent' AND status = 'pending'
                     ORDER BY created_at, id"
                    ),
                    params![&tenant],
                )
                .await?
                .iter()
                .map(request_row)
                .collect()
            })
        })
        .await
    }

    /// The booking intents one phone call made, whatever became of them, oldest first: what
    /// a platform's retry of the same wish is matched against, even once a settler took or
    /// booked the first one.
    pub async fn call_intents(
        &self,
        tenant: &str,
        call_id: &str,
    ) -> Result<Vec<CallerRequest>, StoreError> {
        let (tenant, call_id) = (tenant.to_owned(), call_id.to_owned());
        self.read((tenant, call_id), move |db, (tenant, call_id)| {
            Box::pin(async move {
                db.query(
                    &format!(
                        "SELECT {COLUMNS} FROM requests
                         WHERE tenant = $1 AND kind = 'booking_intent' AND call_id = $2
                         ORDER BY created_at, id"
                    ),
                    params![&tenant, &call_id],
                )
                .await?
                .iter()
                .map(request_row)
                .collect()
            })
        })
        .await
    }

    /// Takes a pending booking intent for settling: `true` when this process now holds it
    /// (status `settling`), `false` when it was settled, or is being settled elsewhere. One
    /// held longer than `stale_after` by a replica that died is taken over, so no intent is
    /// stuck for ever, and no two replicas book the same intent at once.
    pub async fn claim_intent(
        &self,
        tenant: &str,
        id: &str,
        stale_after: chrono::Duration,
    ) -> Result<bool, StoreError> {
        let at = now();
        let stale =
            (chrono::Utc::now() - stale_after).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let (tenant, id) = (tenant.to_owned(), id.to_owned());
        self.write(
            (tenant, id, at, stale),
            move |db, (tenant, id, at, stale)| {
                Box::pin(async move {
                    let changed = db
                        .execute(
                            "UPDATE requests SET status = 'settling', updated_at = $3
                 WHERE tenant = $1 AND id = $2 AND kind = 'booking_intent'
                   AND (status = 'pending' OR (status = 'settling' AND updated_at < $4))",
                            params![&tenant, &id, &at, &stale],
                        )
                        .await?;
                    Ok(changed == 1)
                })
            },
        )
        .await
    }

    /// Puts a claimed intent back to `pending` (the calendar is still away), unnotified
    /// state untouched: nothing changed for its receiver.
    pub async fn release_intent(&self, tenant: &str, id: &str) -> Result<(), StoreError> {
        let at = now();
        let (tenant, id) = (tenant.to_owned(), id.to_owned());
        self.write((tenant, id, at), move |db, (tenant, id, at)| {
            Box::pin(async move {
                db.execute(
                    "UPDATE requests SET status = 'pending', updated_at = $3
                 WHERE tenant = $1 AND id = $2 AND status = 'settling'",
                    params![&tenant, &id, &at],
                )
                .await?;
                Ok(())
            })
        })
        .await
    }

    /// Gives a request a new status and details, to be notified again (its receiver learns
    /// how it ended). `None` when the tenant has no such request.
    pub async fn settle_request(
        &self,
        tenant: &str,
        id: &str,
        status: &str,
        details: &serde_json::Value,
    ) -> Result<Option<CallerRequest>, StoreError> {
        let at = now();
        let (tenant, id, status) = (tenant.to_owned(), id.to_owned(), status.to_owned());
        let details = details.to_string();
        self.write(
            (tenant, id, status, details, at),
            move |db, (tenant, id, status, details, at)| {
                Box::pin(async move {
                    db.execute(
                "UPDATE requests SET status = $3, details = $4, updated_at = $5, notified_at = NULL
                 WHERE tenant = $1 AND id = $2",
                params![&tenant, &id, &status, &details, &at],
            ).await?;
                    find(db, &tenant, &id).await
                })
            },
        )
        .await
    }

    /// Requests whose notification has not been delivered yet (all tenants).
    pub async fn undelivered_requests(&self) -> Result<Vec<CallerRequest>, StoreError> {
        self.read((), move |db, ()| {
            Box::pin(async move {
                db.query(
                &format!(
                    "SELECT {COLUMNS} FROM requests WHERE notified_at IS NULL ORDER BY created_at"
                ),
                params![],
            ).await?
            .iter()
            .map(request_row)
            .collect()
            })
        })
        .await
    }

    /// Records that the request's notification was delivered.
    pub async fn mark_notified(&self, id: &str) -> Result<(), StoreError> {
        let at = now();
        let id = id.to_owned();
        self.write((id, at), move |db, (id, at)| {
            Box::pin(async move {
                db.execute(
                    "UPDATE requests SET notified_at = $2 WHERE id = $1",
                    params![&id, &at],
                )
                .await?;
                Ok(())
            })
        })
        .await
    }

    /// Remembers the name a caller gave, for greeting them next time.
    pub async fn remember_caller(
        &self,
        tenant: &str,
        phone: &str,
        name: &str,
    ) -> Result<(), StoreError> {
        let at = now();
        let (tenant, phone, name) = (tenant.to_owned(), phone.to_owned(), name.to_owned());
        self.write((tenant, phone, name, at), move |db, (tenant, phone, name, at)| Box::pin(async move {
            require_tenant(db, &tenant).await?;
            db.execute(
                "INSERT INTO callers (tenant, phone, name, seen_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (tenant, phone) DO UPDATE SET name = excluded.name, seen_at = excluded.seen_at",
                params![&tenant, &phone, &name, &at],
            ).await?;
            Ok(())
        })).await
    }

    /// The name the caller gave last time, if any.
    pub async fn caller_name(
        &self,
        tenant: &str,
        phone: &str,
    ) -> Result<Option<String>, StoreError> {
        let (tenant, phone) = (tenant.to_owned(), phone.to_owned());
        self.read((tenant, phone), move |db, (tenant, phone)| {
            Box::pin(async move {
                db.query_opt(
                    "SELECT name FROM callers WHERE tenant = $1 AND phone = $2",
                    params![&tenant, &phone],
                )
                .await?
                .map(|row| row.get(0))
                .transpose()
            })
        })
        .await
    }
}
