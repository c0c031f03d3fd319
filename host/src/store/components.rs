//! The `components` table: the bytes of every uploaded component, by digest.
//!
//! In the database rather than in files next to it so that every replica sharing a PostgreSQL
//! store can load a plugin version another replica received. Content-addressed: a digest
//! names one content, so a row is written once and never changed, and components are not
//! tied to a tenant (two tenants uploading the same bytes share a row; which tenant has which
//! digest is `plugin_versions`, in `versions.rs`).

use super::sql::{now, params};
use super::{Store, StoreError};

impl Store {
    /// Stores a component's bytes under its digest (SHA-256, lowercase hex, computed by the
    /// caller), so every process sharing the store can load it. Storing a digest again
    /// changes nothing: the same digest means the same bytes.
    pub async fn put_component(&self, digest: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let at = now();
        let size = i64::try_from(bytes.len())
            .map_err(|_| StoreError::OutOfRange(format!("the component size {}", bytes.len())))?;
        // Shared, not copied, by a retry (`Store::write`).
        let (digest, bytes) = (digest.to_owned(), std::sync::Arc::<[u8]>::from(bytes));
        self.write((digest, bytes, at), move |db, (digest, bytes, at)| {
            Box::pin(async move {
                db.execute(
                "INSERT INTO components (digest, bytes, size, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (digest) DO NOTHING",
                params![&digest, &*bytes, size, &at],
            ).await?;
                Ok(())
            })
        })
        .await
    }

    /// Whether the component with `digest` is stored (without reading its bytes).
    pub async fn has_component(&self, digest: &str) -> Result<bool, StoreError> {
        let digest = digest.to_owned();
        self.read(digest, |db, digest| {
            Box::pin(async move {
                Ok(db
                    .query_opt(
                        "SELECT 1 FROM components WHERE digest = $1",
                        params![&digest],
                    )
                    .await?
                    .is_some())
            })
        })
        .await
    }

    /// The bytes of the component with `digest`, if stored.
    pub async fn component(&self, digest: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let digest = digest.to_owned();
        self.read(digest, |db, digest| {
            Box::pin(async move {
                db.query_opt(
                    "SELECT bytes FROM components WHERE digest = $1",
                    params![&digest],
                )
                .await?
                .map(|row| row.get(0))
                .transpose()
            })
        })
        .await
    }
}
