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
//!   read-then-write transactions (the next version number) take turns. An async client
//!   (`tokio-postgres`) in a pool (`deadpool-postgres`); a broken connection is re-made.
//!   Activations are announced with `pg_notify`, which [`watch`] turns into [`StoreEvent`]s
//!   on other replicas.
//!
//! On both, every write is one transaction, so a process killed at any point leaves the
//! previous state or the new one, never a mix: activating a plugin version is one `UPDATE`
//! plus its audit entry, in one transaction. The SQL is written once (see `sql.rs`) and the
//! schema once (see `migrations.rs`, translated for PostgreSQL).
//!
//! The operations are async and never block the thread that awaits them, so a caller's
//! request path can await them directly: PostgreSQL's waits park the task, SQLite's work runs
//! on tokio's blocking pool. They need a tokio runtime (either kind); their futures are `Send`.
//! A caller that gives up on an operation (drops it) gets a rolled-back transaction, never
//! half of one.
//!
//! ```
//! use slotline::store::{Store, StoreError};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), StoreError> {
//! let store = Store::open_in_memory()?;
//! store.put_tenant("acme", &serde_json::json!({ "locale": "en" })).await?;
//! let first = store.add_plugin_version("acme", &"a".repeat(64), 81_920, "0.1.0").await?;
//! let second = store.add_plugin_version("acme", &"b".repeat(64), 82_000, "0.1.0").await?;
//! store.activate("acme", second.version, "operator").await?;
//! store.activate("acme", first.version, "operator").await?; // rollback
//! assert_eq!(store.active_version("acme").await?, Some(first));
//! assert_eq!(store.audit_log(Some("acme"), 10).await?.len(), 2);
//! # Ok(())
//! # }
//! ```
//!
//! # Layout
//!
//! [`Store`] is one type with its methods spread over one file per family of tables, each an
//! `impl Store` block with the row mapping it needs, so a change to one table touches one
//! file. Every such method is the same shape: copy its arguments, then hand one closure to
//! `Store::read` or `Store::write` (in `backend.rs`), which runs it on whichever database is
//! underneath through the `Db` interface (`sql.rs`). The closure gets its arguments (a clone
//! of what the method hands over: it may run twice on PostgreSQL, see `pg.rs`) and returns
//! its work as a boxed future. The files, from the bottom up:
//!
//! - `backend.rs`: opening or connecting ([`Store::open`], [`Store::open_in_memory`],
//!   [`Store::connect`]), and running a closure on the backend, as a read or as one write
//!   transaction;
//! - `sql.rs`: the `Db` interface, the values it passes, SQLite's side of it, and how the
//!   store writes times and JSON into text columns;
//! - `pg.rs`: PostgreSQL's side of `Db`, and its connection pool;
//! - `migrations.rs`: the schema, for both;
//! - `event.rs`: [`StoreEvent`] and its `pg_notify` payload; `watch.rs`: hearing them
//!   ([`watch`]);
//! - `tenants.rs` ([`TenantRecord`]), `versions.rs` (plugin versions and which one is active:
//!   [`PluginVersion`]; their quota, [`StorageQuota`]; `status.rs`, the states of their rows), `audit.rs` ([`AuditEntry`]), `components.rs` (the components' bytes),
//!   `requests.rs` (callers' requests and names: [`CallerRequest`]), `call_log.rs` (the call
//!   log: [`LoggedToolCall`], [`CallTimeline`]), `canaries.rs` (a candidate version serving a
//!   share of the calls: [`Canary`]);
//! - `error.rs`: [`StoreError`].
//!
//! The behaviour tests are written once (`host/tests/common/store_behaviour.rs`) and run on
//! both backends (`host/tests/store_sqlite.rs`, `host/tests/store_postgres.rs`); what only one
//! backend has (SQLite's pragmas, PostgreSQL's replicas, reconnects and events) is tested with
//! that backend.

#![deny(missing_docs)]

mod audit;
mod backend;
mod call_log;
mod canaries;
mod components;
mod error;
mod event;
mod migrations;
mod pg;
mod requests;
pub(crate) mod sql;
mod status;
mod tenants;
mod versions;
mod watch;

pub use audit::AuditEntry;
pub use backend::{BUSY_TIMEOUT, DB_FILE};
pub use call_log::{
    CallEventEntry, CallLogCursor, CallLogPage, CallLogQuery, CallTimeline, LoggedCallEvent,
    LoggedToolCall, RecordingEntry, StoredRecording, ToolCallEntry, ToolCallFigures,
};
pub use canaries::{Canary, CanaryDelta, CanaryEnd, CanaryRules, CanaryState, SideCounts};
pub use error::StoreError;
pub use event::StoreEvent;
pub use requests::{CallerRequest, NewRequest, RequestKind};
pub use tenants::TenantRecord;
pub use versions::{DeletedVersion, PluginVersion, StorageQuota, StorageUsage};
pub use watch::{Watcher, watch};

/// The store. `Send + Sync`: share it as an `Arc<Store>`.
#[derive(Debug)]
pub struct Store {
    backend: backend::Backend,
}
