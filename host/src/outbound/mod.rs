//! Outbound HTTP for plugins: every `wasi:http` request a plugin makes goes through here.
//!
//! [`OutboundHooks`] intercepts the request inside wasmtime; [`OutboundPolicy`] decides whether
//! it may leave (allowlist, budget) and how long it may take; [`OutboundClient`] sends it over a
//! pooled keep-alive connection and refuses names that resolve to private addresses.

mod allowlist;
mod client;
mod hooks;
mod policy;

pub use allowlist::{Allowlist, AllowlistError};
pub use client::OutboundClient;
pub use hooks::OutboundHooks;
pub use policy::{
    CONNECT_TIMEOUT, DEFAULT_MAX_REQUESTS_PER_CALL, DEFAULT_MAX_RESPONSE_BYTES, HOST_TIMEOUT_CAP,
    OutboundPolicy,
};
