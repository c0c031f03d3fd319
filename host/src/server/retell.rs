//! `POST /v1/retell/{tenant}`: a Retell custom-function call.
//!
//! Retell sends `{name, call, args}`; a function with `args_at_root` sends the arguments at
//! the top level beside `name` and `call`, and one with "Payload: args only" sends nothing
//! but the arguments, to `POST /v1/retell/{tenant}/{tool}` with the call in headers
//! (`X-Call-Id`, and `X-Caller-Number` for the caller).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::auth::{Retell, Verified};
use super::{ApiError, AppState};
use crate::tool::{Answer, ArgsError, CallInfo, Platform, Refusal, Tool, ToolReply, ToolRequest};

/// Retell refuses function results longer than this.
const MAX_REPLY_CHARS: usize = 15_000;

#[derive(Debug, Deserialize)]
struct FunctionCall {
    name: String,
    #[serde(default)]
    args: Option<Value>,
    call: Call,
    /// The arguments of an `args_at_root` function, beside `name` and `call`.
    #[serde(flatten)]
    root: Map<String, Value>,
}

#[derive(Debug, Deserialize)]
struct Call {
    call_id: String,
    #[serde(default)]
    from_number: Option<String>,
    #[serde(default)]
    to_number: Option<String>,
}

/// A Retell function call, read but not yet run.
#[derive(Debug)]
pub struct RetellToolCall {
    /// The tool called.
    pub tool: Tool,
    /// The arguments as this tool's request, or why they are not.
    pub request: Result<ToolRequest, ArgsError>,
    /// The arguments as sent, for the call log when they cannot be read.
    pub args: Value,
    /// The phone call it belongs to.
    pub info: CallInfo,
}

/// Reads the body of a function call (after its signature was checked). Refuses JSON that is
/// not a function call and tools nobody implements; arguments that do not fit the tool are
/// left in `request` for the handler to answer.
pub fn parse_function_call(body: &[u8]) -> Result<RetellToolCall, ApiError> {
    let call: FunctionCall = super::json::parse(body, "not a Retell function call")?;
    let tool = Tool::from_name(&call.name)
        .ok_or_else(|| ApiError::bad_request(format!("unknown tool {:?}", call.name)))?;
    let args = call.args.unwrap_or(Value::Object(call.root));
    Ok(RetellToolCall {
        tool,
        request: ToolRequest::from_args(tool, &args),
        args,
        info: CallInfo {
            platform: Platform::Retell,
            call_id: call.call.call_id,
            caller_number: call.call.from_number,
            dialled_number: call.call.to_number,
        },
    })
}

/// `POST /v1/retell/{tenant}`: runs the function and answers with the sentence to speak.
pub async fn tool_call(
    State(state): State<Arc<AppState>>,
    Verified { tenant, body, .. }: Verified<Retell>,
) -> Result<Json<Value>, ApiError> {
    let call = parse_function_call(&body)?;
    answer(&state, &tenant, call).await
}

/// `POST /v1/retell/{tenant}/{tool}`: a function whose payload is its arguments alone.
pub async fn tool_call_args_only(
    State(state): State<Arc<AppState>>,
    Path((_, tool)): Path<(String, String)>,
    headers: HeaderMap,
    Verified { tenant, body, .. }: Verified<Retell>,
) -> Result<Json<Value>, ApiError> {
    let call = parse_args_only(&tool, &headers, &body)?;
    answer(&state, &tenant, call).await
}

/// Reads an "args only" call: the tool from the path, the call from the headers.
pub fn parse_args_only(
    tool: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<RetellToolCall, ApiError> {
    let tool = Tool::from_name(tool)
        .ok_or_else(|| ApiError::bad_request(format!("unknown tool {tool:?}")))?;
    let args: Value = super::json::parse(body, "not the arguments of a Retell function")?;
    let header = |name: &str| super::header_text(headers, name);
    // Idempotency and per-call budgets key on the call: without it a retried booking could
    // be made twice.
    let call_id = header("x-call-id").ok_or_else(|| {
        ApiError::bad_request(
            "an args-only Retell call needs the header X-Call-Id (set it to {{call_id}} in the function's headers)",
        )
    })?;
    Ok(RetellToolCall {
        tool,
        request: ToolRequest::from_args(tool, &args),
        args,
        info: CallInfo {
            call_id,
            platform: Platform::Retell,
            caller_number: header("x-caller-number"),
            dialled_number: header("x-dialled-number"),
        },
    })
}

async fn answer(
    state: &AppState,
    tenant: &Arc<crate::tenant::Tenant>,
    call: RetellToolCall,
) -> Result<Json<Value>, ApiError> {
    let RetellToolCall {
        tool,
        request,
        args,
        info,
    } = call;
    // Arguments that are missing or do not fit the tool are answered with a question about
    // that argument: the request is authentic, so the agent must get something to say.
    let request = request.map_err(Refusal::from);
    state.call_limiter.admit(tenant, &info.call_id, 1)?;
    match state
        .dispatcher
        .dispatch(tenant, &info, (tool.name(), &args), request)
        .await
    {
        Answer::Reply(reply) => Ok(Json(retell_json(reply))),
        Answer::Overloaded => Err(ApiError::overloaded()),
    }
}

/// Retell's shape, kept under its size limit by dropping `data` (the sentence matters most).
fn retell_json(mut reply: ToolReply) -> Value {
    let value = reply.to_json();
    if value.to_string().chars().count() <= MAX_REPLY_CHARS {
        return value;
    }
    reply.data = None;
    reply.message = reply.message.chars().take(MAX_REPLY_CHARS / 2).collect();
    reply.to_json()
}

#[derive(Debug, Deserialize)]
struct CallEvent {
    event: String,
    call: EventCall,
}

#[derive(Debug, Deserialize)]
struct EventCall {
    call_id: String,
    #[serde(default)]
    from_number: Option<String>,
    #[serde(default)]
    to_number: Option<String>,
}

/// A Retell call event, read: which event, of which call.
#[derive(Debug)]
pub struct RetellCallEvent {
    /// `call_started`, `call_ended` or `call_analyzed`.
    pub event: String,
    /// The call.
    pub call_id: String,
    /// The call as a tool call would describe it.
    pub info: CallInfo,
}

/// Reads the body of a call event (after its signature was checked); refuses unknown events.
pub fn parse_call_event(body: &[u8]) -> Result<RetellCallEvent, ApiError> {
    let event: CallEvent = super::json::parse(body, "not a Retell call event")?;
    if !matches!(
        event.event.as_str(),
        "call_started" | "call_ended" | "call_analyzed"
    ) {
        return Err(ApiError::bad_request(format!(
            "unknown event {:?}",
            event.event
        )));
    }
    Ok(RetellCallEvent {
        event: event.event,
        info: CallInfo {
            platform: Platform::Retell,
            call_id: event.call.call_id.clone(),
            caller_number: event.call.from_number,
            dialled_number: event.call.to_number,
        },
        call_id: event.call.call_id,
    })
}

/// `POST /v1/retell/{tenant}/events`: `call_started`, `call_ended`, `call_analyzed`.
///
/// Retell redelivers events it considers unacknowledged; each (call, event) is handled once.
pub async fn call_event(
    State(state): State<Arc<AppState>>,
    Verified { tenant, body, .. }: Verified<Retell>,
) -> Result<StatusCode, ApiError> {
    let event = parse_call_event(&body)?;
    let key = format!("{}\u{0}{}\u{0}{}", tenant.id, event.call_id, event.event);
    let first = state.seen_events.entry(key).or_insert(()).is_fresh();
    if first {
        tracing::info!(tenant = %tenant.id, call_id = %event.call_id, event = %event.event, "call event");
        state
            .dispatcher
            .log_event(&tenant, &event.info, &event.event);
        match event.event.as_str() {
            "call_started" => state.dispatcher.calls().started(&tenant, &event.info),
            "call_ended" => state.dispatcher.calls().ended(&tenant, &event.info),
            _ => {}
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
struct Inbound {
    event: String,
    call_inbound: InboundCall,
}

#[derive(Debug, Deserialize)]
struct InboundCall {
    #[serde(default)]
    from_number: Option<String>,
    #[serde(default)]
    to_number: Option<String>,
}

/// `POST /v1/retell/{tenant}/inbound`: Retell asks, before the call is answered, which
/// `dynamic_variables` the agent gets: today's date and time where the business is, the
/// opening hours, and the caller's name when a previous booking taught it. The phone is
/// ringing, so the tenant's calendar is prepared meanwhile.
pub async fn inbound(
    State(state): State<Arc<AppState>>,
    Verified { tenant, body, .. }: Verified<Retell>,
) -> Result<Json<Value>, ApiError> {
    let ringing = parse_inbound(&body)?;
    state.dispatcher.calls().ringing(&tenant, &ringing);
    let caller = ringing.caller_number;
    let variables = state.dispatcher.context(&tenant, caller.as_deref()).await;
    Ok(Json(serde_json::json!({
        "call_inbound": { "dynamic_variables": variables }
    })))
}

/// Reads the body of an inbound-call webhook (after its signature was checked): the call as
/// far as Retell knows it before it is answered (the numbers; no call id yet).
pub fn parse_inbound(body: &[u8]) -> Result<CallInfo, ApiError> {
    let inbound: Inbound = super::json::parse(body, "not a Retell inbound webhook")?;
    if inbound.event != "call_inbound" {
        return Err(ApiError::bad_request(format!(
            "unknown event {:?}",
            inbound.event
        )));
    }
    Ok(CallInfo {
        platform: Platform::Retell,
        call_id: INBOUND_CALL_ID.to_owned(),
        caller_number: inbound.call_inbound.from_number,
        dialled_number: inbound.call_inbound.to_number,
    })
}

/// What a plugin preparing for a ringing Retell call sees as its call id: Retell names the
/// call only once it starts.
pub const INBOUND_CALL_ID: &str = "retell:inbound";
