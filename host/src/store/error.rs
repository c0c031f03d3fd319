//! What can go wrong in the store, each case saying what the operator can do about it.

use std::path::PathBuf;

/// An error of the [`Store`](super::Store).
///
/// `UnknownTenant` and `UnknownVersion` are the caller's mistake (an admin API answers them
/// with 404); every other variant is a problem with the database or the disk.
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
}
