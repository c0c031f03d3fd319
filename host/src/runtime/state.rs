//! The data of one call's `Store`: everything the plugin's imports reach, nothing more.

use std::sync::Arc;

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use super::keyvalue::KeyValueView;
use super::limiter::StoreLimiter;
use super::types::CallCache;
use super::wasi_config::{ConfigView, Settings};
use crate::calllog::Trace;
use crate::outbound::OutboundHooks;

/// Built fresh for every call, so nothing of one call or caller leaks into the next.
pub struct CallState {
    pub(super) wasi: WasiCtx,
    pub(super) table: ResourceTable,
    pub(super) http: WasiHttpCtx,
    pub(super) hooks: OutboundHooks,
    pub(super) cache: CallCache,
    pub(super) settings: Arc<Settings>,
    pub(super) limiter: StoreLimiter,
    /// The tool call's trace, when it is logged: cache reads are timed into it.
    pub(super) trace: Option<Trace>,
}

impl CallState {
    pub(super) fn keyvalue(&mut self) -> KeyValueView<'_> {
        KeyValueView {
            table: &mut self.table,
            cache: &self.cache,
            trace: self.trace.as_ref(),
        }
    }

    pub(super) fn config(&mut self) -> ConfigView<'_> {
        ConfigView(&self.settings)
    }
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for CallState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}
