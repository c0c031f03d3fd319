//! Plugin lifecycle, in one place: versions uploaded, stored, precompiled and activated
//! ([`Registry`]), plugins named in the configuration compiled at start ([`Loader`]), and
//! other replicas' uploads and activations followed ([`Follower`]), and canaries started and
//! judged ([`Monitor`]).
//!
//! The runtime compiles and runs a plugin; this module decides which version a tenant serves.

mod canary;
mod follower;
mod loader;
mod registry;

pub use canary::{Monitor, REPORT_EVERY, verdict};
pub use follower::{FollowError, Follower};
pub use loader::{LoadError, Loader};
pub use registry::{Registry, RegistryError};
