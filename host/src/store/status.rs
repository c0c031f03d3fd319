//! The states a plugin version row can be in (`plugin_versions.status`), apart from
//! `versions.rs` because other families' queries filter on them too (a canary's candidate
//! must be a version that was not deleted).

/// Validated and precompiled: can be activated.
pub(super) const READY: &str = "ready";

/// Deleted: listed nowhere, never activated, its number kept.
pub(super) const DELETED: &str = "deleted";
