//! calsim's integration tests: real HTTP on loopback against a spawned simulator.

mod bookings;
mod common;
mod control;
mod errors;
mod faults;
mod rate_limit;
mod reservations;
mod slots;
mod webhooks;
