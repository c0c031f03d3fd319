//! Tools answered by native Rust code inside the gateway instead of a plugin: for an
//! application embedding the gateway, and for `make bench`, which serves the default plugin's
//! logic both ways in one process to measure what WebAssembly costs.

use crate::runtime::api;
use crate::tenant::Tenant;
use crate::tool::{PluginRequest, ToolResponse};

/// A tenant's tools implemented natively. It runs on the request's task, without the
/// sandbox's limits: only code the operator compiled in may be one.
pub trait Builtin: Send + Sync {
    /// Answers `request` as the tenant's plugin would.
    fn call(
        &self,
        tenant: &Tenant,
        context: &api::CallContext,
        request: PluginRequest,
    ) -> Result<ToolResponse, api::PluginError>;
}
