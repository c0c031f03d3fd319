//! Host bindings for the `slotline:plugin/scheduler` world (`wit/slotline.wit`).
//!
//! `wasi:http`, `wasi:io` and `wasi:clocks` come from wasmtime's own bindings; `wasi:keyvalue`
//! and `wasi:config` are generated here and implemented by the host (see `keyvalue.rs` and
//! `wasi_config.rs`), because the host's versions are tenant-scoped and shared across calls.

// The generated items carry the WIT's own doc comments where it has them; the rest are named
// by the WIT, which `docs/plugins.md` explains type by type.
#![expect(missing_docs, reason = "generated from wit/slotline.wit")]

wasmtime::component::bindgen!({
    path: "../wit",
    world: "slotline:plugin/scheduler",
    // The cache may be Redis: its host functions await the network instead of blocking a
    // worker thread.
    imports: { "wasi:keyvalue": async | trappable, default: trappable },
    exports: { default: async },
    with: {
        "wasi:http": wasmtime_wasi_http::p2::bindings::http,
        "wasi:io": wasmtime_wasi::p2::bindings::io,
        "wasi:clocks": wasmtime_wasi::p2::bindings::clocks,
        "wasi:keyvalue/store.bucket": crate::runtime::types::Bucket,
    },
    require_store_data_send: true,
    // A plugin call's context and request are kept in replay recordings (`crate::replay`).
    additional_derives: [serde::Serialize, serde::Deserialize],
});

pub use exports::slotline::plugin::booking as api;
pub use exports::slotline::plugin::calls as calls_api;
