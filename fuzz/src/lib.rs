//! What the fuzz targets share with the tests that replay their corpus.
//!
//! The plugin's date reader is compiled in from its source file: the plugin crate is a
//! wasm32-wasip2 component whose native `cdylib` does not link, and the reader needs nothing of
//! it but chrono.

#[path = "../../guest/src/parse_date.rs"]
pub mod parse_date;
pub mod parse_date_input;
