//! Subcommands of the `slotline` binary that are more than a few lines of glue.
//!
//! Each one reports typed errors; `main` turns them into the process's exit message.

pub mod agent;
#[cfg(feature = "demo")]
pub mod demo;
pub mod invoke;
