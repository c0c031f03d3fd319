//! `POST /v1/vapi/{tenant}`: Vapi's `tool-calls` server message, several calls per request.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use super::{ApiError, AppState};
use crate::dispatch::ToolReply;
use crate::fallback::Fallback;
use crate::runtime::CallInfo;
use crate::tool::{ArgsError, Tool, ToolRequest};

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
    #[serde(default)]
    call: Option<Call>,
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

/// One item of a `tool-calls` message: its `id` and its request, or why it cannot run (`E`).
pub type Item<E> = (String, Result<(Tool, ToolRequest), E>);

/// A Vapi server message, read but not yet answered.
#[derive(Debug)]
pub enum VapiMessage {
    /// A status update or report: it needs no answer.
    Other,
    /// A `tool-calls` message.
    ToolCalls {
        info: CallInfo,
        /// Each item's `id` with its request, or why it cannot run.
        items: Vec<Item<Refusal>>,
    },
}

/// Why one item of a `tool-calls` message cannot run; it is answered with a failure of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub detail: String,
}

impl Refusal {
    fn new(code: &'static str, detail: String) -> Self {
        Self { code, detail }
    }
}

/// Reads the body of a server message (after its secret was checked). Refuses JSON that is not
/// a server message and `tool-calls` without a `call`; one bad item does not refuse the others.
pub fn parse_tool_calls(body: &[u8]) -> Result<VapiMessage, ApiError> {
    let envelope: Envelope = super::json::parse(body, "not a Vapi server message")?;
    let message = envelope.message;
    if message.kind != "tool-calls" {
        return Ok(VapiMessage::Other);
    }
    let call = message
        .call
        .ok_or_else(|| ApiError::bad_request("tool-calls message without `call`"))?;
    let info = CallInfo {
        call_id: call.id,
        caller_number: call.customer.and_then(|c| c.number),
        dialled_number: call.phone_number.and_then(|p| p.number),
    };
    let items = message
        .tool_call_list
        .into_iter()
        .map(|mut item| (std::mem::take(&mut item.id), read_item(item)))
        .collect();
    Ok(VapiMessage::ToolCalls { info, items })
}

fn read_item(item: ToolCallItem) -> Result<(Tool, ToolRequest), Refusal> {
    let (name, arguments) = match item.function {
        Some(function) => (function.name, function.arguments),
        None => (item.name.unwrap_or_default(), item.arguments),
    };
    let tool = Tool::from_name(&name)
        .ok_or_else(|| Refusal::new("unknown_tool", format!("unknown tool {name:?}")))?;
    let arguments = match arguments {
        // Arguments may arrive as a JSON object or as a string holding one.
        Some(Value::String(text)) => serde_json::from_str(&text).map_err(|err| {
            Refusal::new(
                "invalid_arguments",
                format!("arguments are not JSON: {err}"),
            )
        })?,
        Some(value) => value,
        None => Value::Null,
    };
    let request = ToolRequest::from_args(tool, &arguments).map_err(|err| match err {
        ArgsError::Missing(_) => Refusal::new("missing_argument", err.to_string()),
        ArgsError::Invalid(_) => Refusal::new("invalid_arguments", err.to_string()),
    })?;
    Ok((tool, request))
}

pub async fn tool_calls(
    State(state): State<Arc<AppState>>,
    Path(tenant_id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let tenant = state
        .tenants
        .get(&tenant_id)
        .ok_or_else(|| ApiError::unknown_tenant(&tenant_id))?;
    let body = body?;
    let secret = tenant
        .vapi_secret
        .as_ref()
        .ok_or_else(|| ApiError::unauthorized("the tenant has no Vapi secret configured"))?;
    let given = headers
        .get("x-vapi-secret")
        .map(|value| value.as_bytes())
        .ok_or_else(|| ApiError::unauthorized("missing x-vapi-secret header"))?;
    if !bool::from(given.ct_eq(secret.expose().as_bytes())) {
        return Err(ApiError::unauthorized("x-vapi-secret does not match"));
    }

    let VapiMessage::ToolCalls { info, items } = parse_tool_calls(&body)? else {
        // Status updates and reports reach the same URL; they need no answer.
        return Ok(Json(json!({})));
    };
    state
        .call_limiter
        .admit(&tenant, &info.call_id, items.len())?;

    // One bad item must not cost the others their answers: it gets a failure of its own.
    let locale = tenant.locale.clone();
    let requests: Vec<Item<ToolReply>> = items
        .into_iter()
        .map(|(id, item)| {
            let item = item.map_err(|refusal| {
                ToolReply::failure(
                    Fallback::NotUnderstood,
                    &locale,
                    refusal.code,
                    refusal.detail,
                )
            });
            (id, item)
        })
        .collect();

    // Calls that change nothing run at once; as soon as one books, moves or cancels, they run
    // in order, since later calls may depend on it.
    let sequential = requests.iter().any(|(_, request)| {
        request
            .as_ref()
            .is_ok_and(|(_, request)| request.is_mutating())
    });
    let answer = |(id, request): (String, Result<(Tool, ToolRequest), ToolReply>)| {
        let state = &state;
        let tenant = &tenant;
        let info = &info;
        async move {
            let reply = match request {
                Ok((tool, request)) => state.dispatcher.dispatch(tenant, info, tool, request).await,
                Err(reply) => reply,
            };
            (
                reply.is_overloaded(),
                json!({ "toolCallId": id, "result": result_line(&reply) }),
            )
        }
    };
    let results: Vec<(bool, Value)> = if sequential {
        let mut results = Vec::new();
        for item in requests {
            results.push(answer(item).await);
        }
        results
    } else {
        futures::future::join_all(requests.into_iter().map(answer)).await
    };
    if results.iter().any(|(overloaded, _)| *overloaded) {
        return Err(ApiError::overloaded());
    }
    let results: Vec<Value> = results.into_iter().map(|(_, result)| result).collect();
    Ok(Json(json!({ "results": results })))
}

/// Vapi hands `result` to the model as one line: the reply as compact JSON, whose `message` is
/// the sentence to speak.
fn result_line(reply: &ToolReply) -> String {
    serde_json::to_string(reply)
        .unwrap_or_default()
        .replace(['\n', '\r'], " ")
}
