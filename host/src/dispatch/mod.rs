//! From a tool request to a reply the agent can speak, whatever happened in between.

mod builtin;
mod ledger;

pub use builtin::Builtin;
pub use ledger::Ledger;

use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::callbacks::Callbacks;
use crate::fallback::Fallback;
use crate::limits::Limit;
use crate::runtime::api::ErrorCode;
use crate::runtime::{CallInfo, InvokeError, Runtime};
use crate::tenant::Tenant;
use crate::tool::{Tool, ToolRequest, ToolResponse};

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
/// Answers the host's own tools (callbacks, call context) and keeps failed bookings as
/// intents when there is a store. Cheap to clone: every part is shared.
#[derive(Clone)]
pub struct Dispatcher {
    runtime: Arc<Runtime>,
    ledger: Ledger,
    callbacks: Option<Arc<Callbacks>>,
    builtins: Arc<std::collections::HashMap<String, Arc<dyn Builtin>>>,
}

impl Dispatcher {
    pub fn new(runtime: Arc<Runtime>, callbacks: Option<Arc<Callbacks>>, ledger: Ledger) -> Self {
        Self {
            runtime,
            ledger,
            callbacks,
            builtins: Arc::default(),
        }
    }

    /// Answers `tenant`'s tool calls with `builtin` instead of its plugin.
    pub fn set_builtin(&mut self, tenant: &str, builtin: Arc<dyn Builtin>) {
        Arc::make_mut(&mut self.builtins).insert(tenant.to_owned(), builtin);
    }

    pub fn callbacks(&self) -> Option<&Arc<Callbacks>> {
        self.callbacks.as_ref()
    }

    /// `get_context`: the agent's view of now, the opening hours and the caller.
    pub fn context(&self, tenant: &Tenant, caller: Option<&str>) -> serde_json::Map<String, Value> {
        let name = match (&self.callbacks, caller) {
            (Some(callbacks), Some(phone)) => callbacks
                .store()
                .caller_name(tenant.id.as_str(), phone)
                .unwrap_or_else(|err| {
                    tracing::warn!(error = %err, "cannot look up the caller");
                    None
                }),
            _ => None,
        };
        crate::context::variables(tenant, name)
    }

    pub fn runtime(&self) -> &Arc<Runtime> {
        &self.runtime
    }

    /// Runs one tool call and turns every outcome into a reply.
    pub async fn dispatch(
        &self,
        tenant: &Arc<Tenant>,
        call: &CallInfo,
        tool: Tool,
        request: ToolRequest,
    ) -> ToolReply {
        match &request {
            ToolRequest::GetContext => {
                let context = self.context(tenant, call.caller_number.as_deref());
                let message = context
                    .get("current_date_spoken")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                return ToolReply {
                    success: true,
                    message,
                    data: Some(Value::Object(context)),
                    error: None,
                };
            }
            ToolRequest::RequestCallback(wish) => {
                let Some(callbacks) = &self.callbacks else {
                    return ToolReply::failure(
                        Fallback::Failure,
                        &tenant.locale,
                        "no_store",
                        "callbacks need server.data_dir".into(),
                    );
                };
                return callbacks
                    .request_callback(tenant, call, wish)
                    .unwrap_or_else(|err| {
                        ToolReply::failure(
                            Fallback::Failure,
                            &tenant.locale,
                            "storage",
                            err.to_string(),
                        )
                    });
            }
            _ => {}
        }
        if !request.is_mutating() {
            return run(self, tenant, call, tool, request).await;
        }
        let key = format!("{}\u{0}{}\u{0}{request:?}", tenant.id, call.call_id);
        // Detached from the webhook: a platform that hangs up mid-booking (the server then
        // drops this future) must not leave the booking half-made and unrecorded; the attempt
        // finishes, and its reply waits in the ledger for the retry.
        let (this, detached_tenant, call) = (self.clone(), Arc::clone(tenant), call.clone());
        let attempt = tokio::spawn(async move {
            let mutation = this.mutate(&detached_tenant, &call, tool, request);
            this.ledger.once(key, mutation).await
        });
        attempt.await.unwrap_or_else(|err| {
            ToolReply::failure(
                Fallback::Failure,
                &tenant.locale,
                "internal",
                format!("the call's task failed: {err}"),
            )
        })
    }

    /// A change to the calendar. A booking the calendar cannot take becomes a pending intent,
    /// so the caller's wish survives the outage; a booking made teaches us the caller's name.
    async fn mutate(
        &self,
        tenant: &Tenant,
        call: &CallInfo,
        tool: Tool,
        request: ToolRequest,
    ) -> ToolReply {
        let booking = match &request {
            ToolRequest::CreateBooking(booking) => Some(booking.clone()),
            _ => None,
        };
        let reply = run(self, tenant, call, tool, request).await;
        let (Some(callbacks), Some(booking)) = (&self.callbacks, booking) else {
            return reply;
        };
        let phone = booking.phone.clone().or_else(|| call.caller_number.clone());
        if reply.success {
            if let Some(Err(err)) = phone.map(|phone| {
                callbacks
                    .store()
                    .remember_caller(tenant.id.as_str(), &phone, &booking.name)
            }) {
                tracing::warn!(error = %err, "cannot remember the caller");
            }
            return reply;
        }
        let unreachable = reply.error.as_ref().is_some_and(|error| {
            matches!(error.code, "upstream_unavailable" | "deadline_exceeded")
        });
        if !unreachable {
            return reply;
        }
        match callbacks.booking_intent(tenant, call, &booking, &reply) {
            Ok(intent) => intent,
            Err(err) => {
                tracing::error!(tenant = %tenant.id, error = %err, "cannot record the booking intent");
                reply
            }
        }
    }
}

async fn run(
    dispatcher: &Dispatcher,
    tenant: &Tenant,
    call: &CallInfo,
    tool: Tool,
    request: ToolRequest,
) -> ToolReply {
    let started = std::time::Instant::now();
    let runtime = &*dispatcher.runtime;
    let outcome = match dispatcher.builtins.get(tenant.id.as_str()) {
        Some(builtin) => builtin
            .call(tenant, &crate::runtime::call_context(tenant, call), request)
            .map_err(InvokeError::Plugin),
        None => runtime.invoke(tenant, call, request).await,
    };
    let outcome = outcome.and_then(|response| within_reply_limit(runtime, tenant, response));
    let elapsed = started.elapsed();
    let elapsed_us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
    let label = match &outcome {
        Ok(_) => "ok",
        Err(InvokeError::Plugin(_)) => "plugin_error",
        Err(InvokeError::Deadline(_)) => "deadline",
        Err(InvokeError::Trap(_)) => "trap",
        Err(InvokeError::LimitExceeded { .. }) => "limit",
        Err(InvokeError::Instantiate(_) | InvokeError::Overloaded) => "overloaded",
    };
    let tenant_label = tenant.id.to_string();
    metrics::counter!("slotline_tool_calls_total", "tenant" => tenant_label.clone(), "tool" => tool.name(), "outcome" => label).increment(1);
    metrics::histogram!("slotline_tool_call_duration_seconds", "tenant" => tenant_label, "tool" => tool.name()).record(elapsed.as_secs_f64());
    match outcome {
        Ok((response, data)) => {
            tracing::debug!(tenant = %tenant.id, tool = tool.name(), elapsed_us, "tool call answered");
            ToolReply {
                success: true,
                message: response.speech().to_owned(),
                data: Some(data),
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
                InvokeError::Trap(_)
                | InvokeError::LimitExceeded { .. }
                | InvokeError::Plugin(_) => "plugin_failed",
            };
            ToolReply::failure(Fallback::Failure, &tenant.locale, code, err.to_string())
        }
    }
}

/// Renders the reply's data once, and refuses a reply too large to be an answer for a caller.
fn within_reply_limit(
    runtime: &Runtime,
    tenant: &Tenant,
    response: ToolResponse,
) -> Result<(ToolResponse, Value), InvokeError> {
    let data = response.data();
    let size = response.speech().len().saturating_add(encoded_len(&data));
    if size <= runtime.max_reply_bytes() {
        return Ok((response, data));
    }
    Limit::ReplySize.record(&tenant.id);
    Err(InvokeError::LimitExceeded {
        limit: Limit::ReplySize,
        detail: format!(
            "a reply of {size} bytes; the limit is {}",
            runtime.max_reply_bytes()
        ),
    })
}

/// The length of `value` as compact JSON, without building the text.
fn encoded_len(value: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 = self.0.saturating_add(buf.len());
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    match serde_json::to_writer(&mut count, value) {
        Ok(()) => count.0,
        Err(_) => usize::MAX,
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
