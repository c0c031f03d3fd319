//! Slotline: a gateway that lets voice agents book appointments while the caller is on the line.
//!
//! A tool call from Retell or Vapi arrives at [`server`], is authenticated and read into a
//! [`tool::ToolRequest`], and is answered by the [`dispatch::Dispatcher`]: the host's own tools
//! there, the others by the tenant's scheduling plugin, a WebAssembly component run by
//! [`runtime`]. Around the tool calls, [`calls`] follows each phone call: it warms the
//! tenant's calendar when the phone rings and holds the slot a caller was offered. Everything a plugin may touch is provided and policed by the host: outbound
//! HTTP ([`outbound`]), a tenant-isolated cache ([`cache`]) and the tenant's settings
//! ([`tenant`]). Which plugin version a tenant serves is decided by [`plugins`].

#![deny(missing_docs)]

pub mod agent;
mod blocking;
pub mod cache;
pub mod calllog;
pub mod calls;
pub mod config;
pub mod demo;
pub mod dispatch;
pub mod gateway;
pub mod limits;
pub mod metrics;
pub mod outbound;
pub mod plugins;
pub mod replay;
pub mod runtime;
pub mod server;
pub mod signing;
pub mod store;
pub mod tenant;
pub mod tool;

/// The default Cal.com plugin, embedded at build time when `make guest` has built it.
#[cfg(slotline_embedded_plugin)]
pub const DEFAULT_PLUGIN: Option<&[u8]> = Some(include_bytes!(env!("SLOTLINE_GUEST_WASM_PATH")));

/// The default Cal.com plugin, embedded at build time when `make guest` has built it.
#[cfg(not(slotline_embedded_plugin))]
pub const DEFAULT_PLUGIN: Option<&[u8]> = None;
