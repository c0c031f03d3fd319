//! `POST /v1/vapi/{tenant}`: Vapi's `tool-calls` server message, several calls per request.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::{Vapi, Verified};
use super::{ApiError, AppState};
use crate::tool::{Answer, CallInfo, Platform, Refusal, Tool, ToolReply, ToolRequest};

#[derive(Debug, Deserialize)]
struct Envelope {
    message: Message,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Message {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    tool_call_list: Vec<ToolCallItem>,
    /// The same calls with their tool's definition; read when `toolCallList` is absent.
    #[serde(default)]
    tool_with_tool_call_list: Vec<ToolWithToolCall>,
    #[serde(default)]
    call: Option<Call>,
    /// A `status-update`'s new status: `in-progress`, `ended`, ...
    #[serde(default)]
    status: Option<String>,
}

/// An item of `toolWithToolCallList`: the tool as configured in Vapi, and the call of it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ToolWithToolCall {
    #[serde(default)]
    function: Option<Function>,
    tool_call: ToolCallItem,
}

/// Vapi sends `{id, type, function: {name, arguments}}`, or the flattened `{id, name, arguments}`.
#[derive(Debug, Deserialize)]
struct ToolCallItem {
    id: String,
    #[serde(default)]
    function: Option<Function>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    arguments: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct Function {
    name: String,
    #[serde(default)]
    arguments: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Call {
    id: String,
    #[serde(default)]
    customer: Option<Number>,
    #[serde(default)]
    phone_number: Option<Number>,
}

#[derive(Debug, Deserialize)]
struct Number {
    #[serde(default)]
    number: Option<String>,
}

/// One item of a `tool-calls` message: its `id`, and its request or why it cannot run.
#[derive(Debug)]
pub struct Item {
    /// Vapi's `toolCallId`, which the answer must carry.
    pub id: String,
    /// The function's name as Vapi sent it, which the answer carries too.
    pub name: String,
    /// The request, or why it cannot run.
    pub request: Result<ToolRequest, Refusal>,
    /// The arguments as sent (an object, or a string holding one), for the call log when
    /// they cannot be read.
    pub args: Value,
}

/// A Vapi server message, read but not yet answered.
#[derive(Debug)]
pub enum VapiMessage {
    /// A message about nothing the gateway follows: it needs no answer.
    Other,
    /// `assistant-request`: the phone rings and Vapi asks which assistant answers.
    AssistantRequest(CallInfo),
    /// `status-update` with `queued` or `ringing`: the call is being connected (also for an
    /// assistant fixed on the number, which gets no `assistant-request`).
    Ringing(CallInfo),
    /// `status-update` with `in-progress`: the call started.
    Started(CallInfo),
    /// `status-update` with `ended`, or `end-of-call-report`: the call is over.
    Ended(CallInfo),
    /// A `tool-calls` message.
    ToolCalls {
        /// The phone call.
        info: CallInfo,
        /// Each item's `id` with its request, or why it cannot run.
        items: Vec<Item>,
    },
}

/// Reads the body of a server message (after its secret was checked). Refuses JSON that is not
/// a server message and `tool-calls` without a `call`; one bad item does not refuse the others.
pub fn parse_tool_calls(body: &[u8]) -> Result<VapiMessage, ApiError> {
    let envelope: Envelope = super::json::parse(body, "not a Vapi server message")?;
    let message = envelope.message;
    let lifecycle = match (message.kind.as_str(), message.status.as_deref()) {
        ("tool-calls", _) => None,
        ("assistant-request", _) => Some(VapiMessage::AssistantRequest as fn(CallInfo) -> _),
        ("status-update", Some("queued" | "ringing")) => {
            Some(VapiMessage::Ringing as fn(CallInfo) -> _)
        }
        ("status-update", Some("in-progress")) => Some(VapiMessage::Started as fn(CallInfo) -> _),
        ("status-update", Some("ended")) | ("end-of-call-report", _) => {
            Some(VapiMessage::Ended as fn(CallInfo) -> _)
        }
        _ => return Ok(VapiMessage::Other),
    };
    let call = message
        .call
        .ok_or_else(|| ApiError::bad_request(format!("{} message without `call`", message.kind)))?;
    let info = CallInfo {
        call_id: call.id,
        platform: Platform::Vapi,
        caller_number: call.customer.and_then(|c| c.number),
        dialled_number: call.phone_number.and_then(|p| p.number),
    };
    if let Some(lifecycle) = lifecycle {
        return Ok(lifecycle(info));
    }
    // Vapi sends both lists with the same calls; older senders only `toolCallList`, some
    // only `toolWithToolCallList`, whose call may leave the function's name to the tool.
    let list = if message.tool_call_list.is_empty() {
        message
            .tool_with_tool_call_list
            .into_iter()
            .map(|item| {
                let mut call = item.tool_call;
                if call.function.is_none() && call.name.is_none() {
                    call.function = item.function.map(|function| Function {
                        name: function.name,
                        arguments: None,
                    });
                }
                call
            })
            .collect()
    } else {
        message.tool_call_list
    };
    let items = list
        .into_iter()
        .map(|mut item| {
            let id = std::mem::take(&mut item.id);
            let name = item
                .function
                .as_ref()
                .map(|function| function.name.clone())
                .or_else(|| item.name.clone())
                .unwrap_or_default();
            let args = item
                .function
                .as_ref()
                .map_or(&item.arguments, |function| &function.arguments)
                .clone()
                .unwrap_or(Value::Null);
            Item {
                id,
                name,
                request: read_item(item),
                args,
            }
        })
        .collect();
    Ok(VapiMessage::ToolCalls { info, items })
}

fn read_item(item: ToolCallItem) -> Result<ToolRequest, Refusal> {
    let (name, arguments) = match item.function {
        Some(function) => (function.name, function.arguments),
        None => (item.name.unwrap_or_default(), item.arguments),
    };
    let tool = Tool::from_name(&name)
        .ok_or_else(|| Refusal::UnknownTool(format!("unknown tool {name:?}")))?;
    let arguments = match arguments {
        // Arguments may arrive as a JSON object or as a string holding one.
        Some(Value::String(text)) => {
            serde_json::from_str(&text).map_err(|err| Refusal::InvalidArguments {
                arg: None,
                detail: format!("arguments are not JSON: {err}"),
            })?
        }
        Some(value) => value,
        None => Value::Null,
    };
    Ok(ToolRequest::from_args(tool, &arguments)?)
}

/// `POST /v1/vapi/{tenant}`: answers every item of a `tool-calls` message, each on its own.
pub async fn tool_calls(
    State(state): State<Arc<AppState>>,
    Verified { tenant, body, .. }: Verified<Vapi>,
) -> Result<Json<Value>, ApiError> {
    let (info, items) = match parse_tool_calls(&body)? {
        VapiMessage::ToolCalls { info, items } => (info, items),
        VapiMessage::AssistantRequest(info) => {
            state
                .dispatcher
                .log_event(&tenant, &info, "assistant-request");
            state.dispatcher.calls().ringing(&tenant, &info);
            state.dispatcher.calls().started(&tenant, &info);
            return Ok(Json(assistant_for(&tenant)));
        }
        VapiMessage::Ringing(info) => {
            state.dispatcher.log_event(&tenant, &info, "ringing");
            state.dispatcher.calls().ringing(&tenant, &info);
            return Ok(Json(json!({})));
        }
        VapiMessage::Started(info) => {
            state.dispatcher.log_event(&tenant, &info, "in-progress");
            state.dispatcher.calls().started(&tenant, &info);
            return Ok(Json(json!({})));
        }
        VapiMessage::Ended(info) => {
            state.dispatcher.log_event(&tenant, &info, "ended");
            state.dispatcher.calls().ended(&tenant, &info);
            return Ok(Json(json!({})));
        }
        // Other status updates and reports reach the same URL; they need no answer.
        VapiMessage::Other => return Ok(Json(json!({}))),
    };
    state
        .call_limiter
        .admit(&tenant, &info.call_id, items.len())?;

    // Calls that change nothing run at once; as soon as one books, moves or cancels, they run
    // in order, since later calls may depend on it. One bad item does not cost the others
    // their answers: it is answered with a question of its own.
    let sequential = items
        .iter()
        .any(|item| item.request.as_ref().is_ok_and(ToolRequest::is_mutating));
    let answer = |Item {
                      id,
                      name,
                      request,
                      args,
                  }: Item| {
        let (state, tenant, info) = (&state, &tenant, &info);
        async move {
            let answer = state
                .dispatcher
                .dispatch(tenant, info, (&name, &args), request)
                .await;
            (id, name, answer)
        }
    };
    let answers: Vec<(String, String, Answer)> = if sequential {
        let mut answers = Vec::new();
        for item in items {
            answers.push(answer(item).await);
        }
        answers
    } else {
        futures::future::join_all(items.into_iter().map(answer)).await
    };
    let mut results = Vec::with_capacity(answers.len());
    for (id, name, answer) in answers {
        match answer {
            Answer::Reply(reply) => {
                results
                    .push(json!({ "name": name, "toolCallId": id, "result": result_line(&reply) }));
            }
            Answer::Overloaded => return Err(ApiError::overloaded()),
        }
    }
    Ok(Json(json!({ "results": results })))
}

/// The answer to `assistant-request`: the tenant's assistant. Vapi sends the request only
/// when the phone number has no assistant of its own and names this URL as its server; a
/// tenant without `vapi_assistant_id` gets Vapi's `error` answer, which Vapi speaks to the
/// caller, rather than a call with no assistant.
fn assistant_for(tenant: &crate::tenant::Tenant) -> Value {
    match &tenant.vapi_assistant_id {
        Some(id) => json!({ "assistantId": id }),
        None => {
            tracing::warn!(tenant = %tenant.id, "assistant-request, but the tenant has no vapi_assistant_id");
            json!({ "error": crate::dispatch::Fallback::Failure.sentence(tenant.lang) })
        }
    }
}

/// Vapi hands `result` to the model as one line: the reply as compact JSON, whose `message` is
/// the sentence to speak.
fn result_line(reply: &ToolReply) -> String {
    // Serialising strings and JSON values cannot fail; the hand-built form is the same reply.
    serde_json::to_string(reply)
        .unwrap_or_else(|_| reply.to_json().to_string())
        .replace(['\n', '\r'], " ")
}
