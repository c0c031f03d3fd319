//! One test binary for all end-to-end tests (one link step instead of one per file).

mod agent;
mod auth;
mod callbacks;
mod conversation;
mod examples;
mod foundation;
mod lifecycle;
mod mcp;
mod native;
mod reasons;
mod resilience;
mod sandbox;
