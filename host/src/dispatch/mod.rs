//! From a tool request to a reply the agent can speak, whatever happened in between.

mod ledger;

pub use ledger::Ledger;

use serde::Serialize;
use serde_json::Value;

use crate::fallback::Fallback;
use crate::runtime::api::ErrorCode;
use crate::runtime::{CallInfo, InvokeError, Runtime};
use crate::tenant::Tenant;
use crate::tool::{Tool, ToolRequest};

/// The error code of a call refused because every plugin instance slot was busy; platform
/// adapters answer it with 503 and `Retry-After` so the platform retries.
pub const OVERLOADED: &str = "overloaded";

/// The answer to one tool call, platform-neutral. `message` is always speakable.
#[derive(Debug, Clone, Serialize)]
pub struct ToolReply {
    pub success: bool,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ReplyError>,
}

/// Machine-readable failure details for the agent's logic; never spoken.
#[derive(Debug, Clone, Serialize)]
pub struct ReplyError {
    pub code: &'static str,
    pub detail: String,
}

impl ToolReply {
    /// Whether the gateway had no capacity for the call (nothing was attempted).
    pub fn is_overloaded(&self) -> bool {
        self.error
            .as_ref()
            .is_some_and(|error| error.code == OVERLOADED)
    }

    pub fn failure(fallback: Fallback, locale: &str, code: &'static str, detail: String) -> Self {
        Self::failure_with(fallback.sentence(locale).to_owned(), code, detail)
    }

    fn failure_with(message: String, code: &'static str, detail: String) -> Self {
        Self {
            success: false,
            message,
            data: None,
            error: Some(ReplyError { code, detail }),
        }
    }
}

/// Runs tool calls on tenants' plugins; mutating ones at most once per call and request.
pub struct Dispatcher {
    runtime: std::sync::Arc<Runtime>,
    ledger: Ledger,
}

impl Dispatcher {
    pub fn new(runtime: std::sync::Arc<Runtime>) -> Self {
        Self {
            runtime,
            ledger: Ledger::default(),
        }
    }

    pub fn runtime(&self) -> &std::sync::Arc<Runtime> {
        &self.runtime
    }

    /// Runs one tool call and turns every outcome into a reply.
    pub async fn dispatch(
        &self,
        tenant: &Tenant,
        call: &CallInfo,
        tool: Tool,
        request: ToolRequest,
    ) -> ToolReply {
        if !request.is_mutating() {
            return run(&self.runtime, tenant, call, tool, request).await;
        }
        let key = format!("{}\u{0}{}\u{0}{request:?}", tenant.id, call.call_id);
        self.ledger
            .once(key, run(&self.runtime, tenant, call, tool, request))
            .await
    }
}

async fn run(
    runtime: &Runtime,
    tenant: &Tenant,
    call: &CallInfo,
    tool: Tool,
    request: ToolRequest,
) -> ToolReply {
    let started = std::time::Instant::now();
    let outcome = runtime.invoke(tenant, call, request).await;
    let elapsed = started.elapsed();
    let elapsed_us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
    let label = match &outcome {
        Ok(_) => "ok",
        Err(InvokeError::Plugin(_)) => "plugin_error",
        Err(InvokeError::Deadline(_)) => "deadline",
        Err(InvokeError::Trap(_)) => "trap",
        Err(InvokeError::Instantiate(_) | InvokeError::Overloaded) => "overloaded",
    };
    let tenant_label = tenant.id.to_string();
    metrics::counter!("slotline_tool_calls_total", "tenant" => tenant_label.clone(), "tool" => tool.name(), "outcome" => label).increment(1);
    metrics::histogram!("slotline_tool_call_duration_seconds", "tenant" => tenant_label, "tool" => tool.name()).record(elapsed.as_secs_f64());
    match outcome {
        Ok(response) => {
            tracing::debug!(tenant = %tenant.id, tool = tool.name(), elapsed_us, "tool call answered");
            ToolReply {
                success: true,
                message: response.speech().to_owned(),
                data: Some(response.data()),
                error: None,
            }
        }
        Err(InvokeError::Plugin(error)) => {
            tracing::info!(
                tenant = %tenant.id, tool = tool.name(), code = ?error.code, detail = %error.detail,
                elapsed_us, "plugin answered with an error"
            );
            let message = error.speech.filter(|speech| !speech.trim().is_empty());
            let message = message.unwrap_or_else(|| {
                Fallback::for_code(error.code)
                    .sentence(&tenant.locale)
                    .to_owned()
            });
            ToolReply::failure_with(message, code_name(error.code), error.detail)
        }
        Err(err) => {
            tracing::warn!(tenant = %tenant.id, tool = tool.name(), error = %err, elapsed_us, "tool call failed");
            let code = match err {
                InvokeError::Deadline(_) => "deadline_exceeded",
                InvokeError::Instantiate(_) | InvokeError::Overloaded => OVERLOADED,
                InvokeError::Trap(_) | InvokeError::Plugin(_) => "plugin_failed",
            };
            ToolReply::failure(Fallback::Failure, &tenant.locale, code, err.to_string())
        }
    }
}

fn code_name(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::InvalidInput => "invalid_input",
        ErrorCode::NotFound => "not_found",
        ErrorCode::Conflict => "conflict",
        ErrorCode::UpstreamUnavailable => "upstream_unavailable",
        ErrorCode::UpstreamError => "upstream_error",
        ErrorCode::NotSupported => "not_supported",
        ErrorCode::Internal => "internal",
    }
}
