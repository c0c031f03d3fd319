//! What can go wrong in the store, each case saying what the operator can do about it.

use std::path::PathBuf;

/// An error of the [`Store`](super::Store) or its [`watch`](super::watch()).
///
/// `UnknownTenant` and `UnknownVersion` are the caller's mistake (an admin API answers them
/// with 404); every other variant is a problem with the database, the disk or the network.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite failed: a full or failing disk, a corrupt file, a value that does not fit, or
    /// another process holding the write lock for longer than the busy timeout.
    #[error("store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The data directory could not be created.
    #[error("store: cannot create the data directory {path}: {source}; check that it is writable")]
    Io {
        /// The directory.
        path: PathBuf,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
    /// No tenant with this id; create it first (`PUT /v1/admin/tenants/{tenant}`).
    #[error("no tenant {0:?} in the store")]
    UnknownTenant(String),
    /// The tenant has no plugin version with this number.
    #[error("tenant {tenant} has no plugin version {version}")]
    UnknownVersion {
        /// The tenant.
        tenant: String,
        /// The version asked for.
        version: u32,
    },
    /// Keeping one more plugin version would take the tenant over its `plugin_storage` quota;
    /// nothing was written.
    #[error(
        "tenant {tenant} keeps {used} of its {limit}; delete an old version (DELETE \
         /v1/admin/tenants/{tenant}/plugins/{{version}}) or raise \
         tenants.{tenant}.plugin_storage.{key}"
    )]
    VersionQuota {
        /// The tenant.
        tenant: String,
        /// What it keeps already, in words ("20 versions", "190 MiB of components").
        used: String,
        /// Its quota, in words.
        limit: String,
        /// The setting that raises it.
        key: &'static str,
    },
    /// The version serves calls (it is active, or in a running canary) and cannot be deleted.
    #[error("tenant {tenant}'s plugin version {version} is {role}: activate another version first")]
    VersionInUse {
        /// The tenant.
        tenant: String,
        /// The version.
        version: u32,
        /// "active", "the running canary's candidate", ...
        role: &'static str,
    },
    /// A canary cannot start as asked (no active version to compare with, or the candidate is
    /// the active version).
    #[error("{0}")]
    CanaryRefused(String),
    /// The database's schema version is not one this binary knows: it was written by a newer
    /// Slotline (or its `user_version` was changed by hand). Nothing was changed.
    #[error(
        "the database has schema version {found}, but this Slotline knows schema versions up to \
         {known}: it was written by a newer Slotline; run that release, or restore a backup taken \
         before the upgrade"
    )]
    TooNew {
        /// The schema version in the database.
        found: i64,
        /// The newest schema version this binary can migrate to.
        known: i64,
    },
    /// A stored value is not what the store writes (e.g. settings that are not JSON): the
    /// database was edited outside Slotline or is damaged.
    #[error(
        "store: {0}; the database was changed outside Slotline or is damaged: fix the row or \
         restore a backup"
    )]
    Corrupt(String),
    /// A migration failed and was rolled back; the database keeps schema version `version - 1`.
    #[error("store: schema migration {version} failed and was rolled back: {source}")]
    Migration {
        /// The schema version the migration would have produced (1-based).
        version: i64,
        /// What SQLite reported.
        #[source]
        source: rusqlite::Error,
    },
    /// A PostgreSQL statement failed: the server went away or refused it. Nothing of the
    /// operation was committed, except when the connection broke during the commit itself;
    /// the next operation reconnects.
    #[error(
        "store: PostgreSQL failed: {}; check that the server is running and reachable and \
         that Slotline's role may read and write the database (the next operation reconnects)",
        explain(.0)
    )]
    Postgres(#[from] postgres::Error),
    /// No connection to PostgreSQL could be made (at start, or when reconnecting).
    #[error(
        "store: cannot connect to PostgreSQL at {target}: {}; check the URL, that the server \
         is running and accepts connections from this host, and the user and password",
        explain(source)
    )]
    PostgresConnect {
        /// Where: `user@host:port/database`, without the password.
        target: String,
        /// Why it failed.
        #[source]
        source: postgres::Error,
    },
    /// The store URL is not a PostgreSQL URL that can be used.
    #[error(
        "store: {0}; expected a URL like postgres://user:password@host:5432/database \
         (TLS is not supported yet: use a private network or a local TLS proxy)"
    )]
    PostgresUrl(String),
    /// A PostgreSQL migration failed and was rolled back; the database keeps schema version
    /// `version - 1`, and other replicas can still start on it.
    #[error(
        "store: schema migration {version} failed on PostgreSQL and was rolled back: {}; \
         check that Slotline's role may create tables in the database",
        explain(source)
    )]
    PostgresMigration {
        /// The schema version the migration would have produced (1-based).
        version: i64,
        /// What PostgreSQL reported.
        #[source]
        source: postgres::Error,
    },
    /// A thread the store runs on (the blocking pool's for SQLite, the watcher's) could not be
    /// started, or is gone.
    #[error(
        "store: {0}; the process may be out of threads or memory, or shutting down: restart \
         Slotline"
    )]
    Worker(String),
    /// Every PostgreSQL connection of the pool stayed busy for as long as an operation may wait
    /// for one.
    #[error(
        "store: no PostgreSQL connection became free within {waited:?} (all {size} busy); \
         PostgreSQL may be overloaded or its statements slow"
    )]
    PostgresBusy {
        /// How long the operation waited.
        waited: std::time::Duration,
        /// The pool's size.
        size: usize,
    },
    /// A value does not fit in the database's 64-bit integers.
    #[error("store: {0} does not fit in a 64-bit integer")]
    OutOfRange(String),
}

/// A PostgreSQL error with its details: the crate's own message is only e.g. `db error`,
/// the useful part (the server's message, the I/O error) is its source.
fn explain(error: &postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        let mut text = format!("{} {} ({})", db.severity(), db.message(), db.code().code());
        if let Some(detail) = db.detail() {
            text.push_str(": ");
            text.push_str(detail);
        }
        return text;
    }
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
