//! The MCP server proper: `tools/list` from the tenant's offered tools, `tools/call` through
//! the same dispatcher (and the same per-call limits) as the Retell and Vapi webhooks.
//!
//! One handler serves one MCP session (or one request, where the protocol revision has no
//! sessions). The tenant and the call are not the handler's: every HTTP request was
//! authenticated on its own and carries its [`McpCaller`] in its extensions.

use std::sync::{Arc, OnceLock};

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, ErrorCode, ErrorData, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, ServerHandler};
use serde_json::{Value, json};

use super::auth::McpCaller;
use super::tools::{mcp_tool, tool_result};
use crate::server::{ApiError, AppState};
use crate::tenant::TenantId;
use crate::tool::{Answer, Refusal, Tool, ToolRequest};

/// JSON-RPC's range for server-defined errors: the gateway's own refusals of a tool call
/// (at capacity, over the call's limits), which a client may retry later.
const SERVER_ERROR: ErrorCode = ErrorCode(-32000);

/// Answers one MCP session's requests for the gateway.
pub struct SlotlineMcp {
    state: Arc<AppState>,
    /// The tenant the session was first used for: a session id is no key to another tenant.
    tenant: OnceLock<TenantId>,
}

impl SlotlineMcp {
    /// A handler answering from `state`'s tenants and dispatcher.
    pub fn new(state: Arc<AppState>) -> Self {
        Self {
            state,
            tenant: OnceLock::new(),
        }
    }

    /// The authenticated caller of the request being answered.
    fn caller(&self, context: &RequestContext<RoleServer>) -> Result<McpCaller, ErrorData> {
        let caller = context
            .extensions
            .get::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<McpCaller>())
            .cloned()
            // The route authenticates every request before MCP sees it; this is a bug.
            .ok_or_else(|| ErrorData::internal_error("the request was not authenticated", None))?;
        let bound = self.tenant.get_or_init(|| caller.tenant.id.clone());
        if *bound != caller.tenant.id {
            return Err(ErrorData::invalid_request(
                "this MCP session belongs to another tenant",
                None,
            ));
        }
        Ok(caller)
    }
}

impl ServerHandler for SlotlineMcp {
    fn get_info(&self) -> ServerConfig {
        let mut info = ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_instructions(
                "Book appointments for a caller. Each tool result's first text is the sentence \
                 to say to the caller; structuredContent holds the data. Use parse_date for \
                 dates and times as the caller says them.",
            );
        info.server_info = Implementation::new("slotline", env!("CARGO_PKG_VERSION"));
        info
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let caller = self.caller(&context)?;
        let tools =
            crate::agent::offered_definitions(self.state.dispatcher.runtime(), &caller.tenant)
                .await
                .iter()
                .map(mcp_tool)
                .collect();
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let McpCaller { tenant, call } = self.caller(&context)?;
        let arguments = request.arguments.map_or(json!({}), Value::Object);
        let tool_request = match Tool::from_name(&request.name) {
            Some(tool) => ToolRequest::from_args(tool, &arguments).map_err(Refusal::from),
            None => Err(Refusal::UnknownTool(format!(
                "unknown tool {:?}",
                request.name
            ))),
        };
        self.state
            .call_limiter
            .admit(&tenant, &call.call_id, 1)
            .map_err(|refusal| gateway_error(&refusal, None))?;
        match self
            .state
            .dispatcher
            .dispatch(&tenant, &call, (&request.name, &arguments), tool_request)
            .await
        {
            Answer::Reply(reply) => Ok(tool_result(reply).into()),
            Answer::Overloaded => Err(gateway_error(&ApiError::overloaded(), Some(1000))),
        }
    }
}

/// A refusal of the gateway's as a JSON-RPC error: `data.code` is the webhooks' error code
/// (`overloaded`, `rate_limited`), `data.retry_after_ms` when retrying soon will help.
fn gateway_error(refusal: &ApiError, retry_after_ms: Option<u64>) -> ErrorData {
    let mut data = json!({ "code": refusal.code });
    if let Some(ms) = retry_after_ms {
        data["retry_after_ms"] = json!(ms);
    }
    ErrorData::new(SERVER_ERROR, refusal.message.clone(), Some(data))
}
