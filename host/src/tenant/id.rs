//! The tenant id: the one identity every part of the host keys on.

use std::sync::Arc;

/// An id outside the safe alphabet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid tenant id {0:?}: expected 1-64 characters of a-z, 0-9 and -")]
pub struct InvalidTenantId(pub String);

/// A tenant id: `[a-z0-9-]{1,64}`, safe in paths, metrics labels and file names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(Arc<str>);

impl TenantId {
    /// Accepts `id` when it is 1-64 characters of `a-z`, `0-9` and `-`.
    pub fn parse(id: &str) -> Result<Self, InvalidTenantId> {
        let valid = (1..=64).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if valid {
            Ok(Self(id.into()))
        } else {
            Err(InvalidTenantId(id.to_owned()))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as shared text: a reference count, no copy (the call log keeps one per call).
    pub fn shared(&self) -> Arc<str> {
        Arc::clone(&self.0)
    }
}

impl std::fmt::Display for TenantId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids_are_restricted_to_a_safe_alphabet() {
        assert!(TenantId::parse("demo-2").is_ok());
        assert!(TenantId::parse("").is_err());
        assert!(TenantId::parse("Demo").is_err());
        assert!(TenantId::parse("../etc").is_err());
        assert!(TenantId::parse(&"a".repeat(65)).is_err());
    }
}
