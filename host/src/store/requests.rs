//! What callers asked for that the calendar could not take at that moment: callback requests
//! and booking intents. Durable, because the caller was promised that someone gets back.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Store, StoreError, now};

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
    pub id: String,
    pub tenant: String,
    pub kind: RequestKind,
    pub call_id: String,
    pub phone: Option<String>,
    pub name: Option<String>,
    /// Everything else the caller said (preferred time, reason, service, the slot), as JSON.
    pub details: serde_json::Value,
}

/// A recorded request as operators see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallerRequest {
    pub id: String,
    pub tenant: String,
    pub kind: String,
    /// `open` (callbacks), `pending` (booking intents), `done`.
    pub status: String,
    pub call_id: String,
    pub phone: Option<String>,
    pub name: Option<String>,
    pub details: serde_json::Value,
    pub created_at: String,
    pub updated_at: String,
    pub notified_at: Option<String>,
}

const COLUMNS: &str =
    "id, tenant, kind, status, call_id, phone, name, details, created_at, updated_at, notified_at";

fn row(row: &rusqlite::Row<'_>) -> rusqlite::Result<CallerRequest> {
    let details: String = row.get(7)?;
    Ok(CallerRequest {
        id: row.get(0)?,
        tenant: row.get(1)?,
        kind: row.get(2)?,
        status: row.get(3)?,
        call_id: row.get(4)?,
        phone: row.get(5)?,
        name: row.get(6)?,
        details: serde_json::from_str(&details).unwrap_or(serde_json::Value::Null),
        created_at: row.get(8)?,
        updated_at: row.get(9)?,
        notified_at: row.get(10)?,
    })
}

impl Store {
    pub fn add_request(&self, request: &NewRequest) -> Result<CallerRequest, StoreError> {
        let at = now();
        let status = match request.kind {
            RequestKind::Callback => "open",
            RequestKind::BookingIntent => "pending",
        };
        self.with(|conn| {
            conn.execute(
                &format!("INSERT INTO requests ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, NULL)"),
                params![
                    request.id,
                    request.tenant,
                    request.kind.as_str(),
                    status,
                    request.call_id,
                    request.phone,
                    request.name,
                    request.details.to_string(),
                    at
                ],
            )?;
            Ok(())
        })?;
        self.request(&request.tenant, &request.id)?
            .ok_or_else(|| StoreError::UnknownTenant(request.tenant.clone()))
    }

    pub fn request(&self, tenant: &str, id: &str) -> Result<Option<CallerRequest>, StoreError> {
        self.with(|conn| {
            Ok(conn
                .query_row(
                    &format!("SELECT {COLUMNS} FROM requests WHERE tenant = ?1 AND id = ?2"),
                    params![tenant, id],
                    row,
                )
                .optional()?)
        })
    }

    /// A tenant's requests, newest first, optionally only those with `status`.
    pub fn requests(
        &self,
        tenant: &str,
        status: Option<&str>,
    ) -> Result<Vec<CallerRequest>, StoreError> {
        self.with(|conn| {
            let mut statement = conn.prepare(&format!(
                "SELECT {COLUMNS} FROM requests WHERE tenant = ?1 AND (?2 IS NULL OR status = ?2)
                 ORDER BY created_at DESC, id"
            ))?;
            let rows = statement.query_map(params![tenant, status], row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    /// Marks a request as worked. `None` when the tenant has no such request.
    pub fn finish_request(
        &self,
        tenant: &str,
        id: &str,
    ) -> Result<Option<CallerRequest>, StoreError> {
        let at = now();
        let changed = self.with(|conn| {
            Ok(conn.execute(
                "UPDATE requests SET status = 'done', updated_at = ?3 WHERE tenant = ?1 AND id = ?2",
                params![tenant, id, at],
            )?)
        })?;
        if changed == 0 {
            return Ok(None);
        }
        self.request(tenant, id)
    }

    /// Requests whose notification has not been delivered yet (all tenants).
    pub fn undelivered_requests(&self) -> Result<Vec<CallerRequest>, StoreError> {
        self.with(|conn| {
            let mut statement = conn.prepare(&format!(
                "SELECT {COLUMNS} FROM requests WHERE notified_at IS NULL ORDER BY created_at"
            ))?;
            let rows = statement.query_map([], row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    pub fn mark_notified(&self, id: &str) -> Result<(), StoreError> {
        let at = now();
        self.with(|conn| {
            conn.execute(
                "UPDATE requests SET notified_at = ?2 WHERE id = ?1",
                params![id, at],
            )?;
            Ok(())
        })
    }

    /// Remembers the name a caller gave, for greeting them next time.
    pub fn remember_caller(&self, tenant: &str, phone: &str, name: &str) -> Result<(), StoreError> {
        let at = now();
        self.with(|conn| {
            conn.execute(
                "INSERT INTO callers (tenant, phone, name, seen_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (tenant, phone) DO UPDATE SET name = excluded.name, seen_at = excluded.seen_at",
                params![tenant, phone, name, at],
            )?;
            Ok(())
        })
    }

    pub fn caller_name(&self, tenant: &str, phone: &str) -> Result<Option<String>, StoreError> {
        self.with(|conn| {
            Ok(conn
                .query_row(
                    "SELECT name FROM callers WHERE tenant = ?1 AND phone = ?2",
                    params![tenant, phone],
                    |row| row.get(0),
                )
                .optional()?)
        })
    }
}
