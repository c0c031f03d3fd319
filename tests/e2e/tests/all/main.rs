//! One test binary for all end-to-end tests (one link step instead of one per file).

mod agent;
mod auth;
mod callbacks;
mod caller;
mod calllog;
mod canary;
mod console;
mod conversation;
mod dates;
mod ear;
mod examples;
mod foundation;
mod holds;
mod lifecycle;
mod mcp;
mod native;
mod polyglot;
mod prepared;
mod reasons;
mod refusals;
mod replay;
mod resilience;
mod sandbox;
mod scale;
