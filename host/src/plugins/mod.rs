//! Plugin lifecycle, in one place: versions uploaded, stored, precompiled and activated
//! ([`Registry`]), plugins named in the configuration compiled at start ([`Loader`]), and
//! other replicas' uploads and activations followed ([`Follower`]).
//!
//! The runtime compiles and runs a plugin; this module decides which version a tenant serves.

mod follower;
mod loader;
mod registry;

pub use follower::{FollowError, Follower};
pub use loader::{LoadError, Loader};
pub use registry::{Registry, RegistryError};
