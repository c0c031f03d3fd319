//! Vapi: the tools as function tools, each the body of Vapi's `POST /tool`
//! (vapi-server-sdk's `CreateToolsRequest_Function`), or an entry of an assistant's
//! `model.tools`.
//!
//! Every tool calls the tenant's one Vapi server URL, which answers the `tool-calls` message;
//! the call is synchronous (`async: false`: the model needs the reply to go on). While it
//! runs the agent says a filler (`request-start`) and, when the gateway is slow, that it is
//! still working (`request-response-delayed`). The `x-vapi-secret` is not part of the export
//! (the admin API shows no secrets): set it on the tool's server or as a Vapi credential.

use std::time::Duration;

use serde_json::{Value, json};

use super::{ToolDefinition, Webhook};
use crate::dispatch::speech;

/// After this long without an answer the agent tells the caller it is still working: longer
/// than a cached answer or a quick calendar round trip, short enough that the caller does not
/// wonder whether the line dropped.
const STILL_WORKING_AFTER: Duration = Duration::from_millis(2_500);

/// `definitions` as Vapi function tools calling `webhook`: a JSON array, one `POST /tool`
/// body per tool.
pub fn vapi_tools(definitions: &[ToolDefinition], webhook: &Webhook) -> Value {
    Value::Array(
        definitions
            .iter()
            .map(|definition| function_tool(definition, webhook))
            .collect(),
    )
}

fn function_tool(definition: &ToolDefinition, webhook: &Webhook) -> Value {
    // Vapi's `timeoutSeconds` is a number of seconds; round up so Vapi never gives up first.
    let timeout_seconds = webhook.timeout(definition).as_millis().div_ceil(1000);
    json!({
        "type": "function",
        "async": false,
        "function": {
            "name": definition.name,
            "description": definition.description,
            "parameters": definition.parameters,
        },
        "server": {
            "url": webhook.url,
            "timeoutSeconds": timeout_seconds,
        },
        "messages": [
            {
                "type": "request-start",
                "content": speech::one_moment(webhook.lang),
                "blocking": false,
            },
            {
                "type": "request-response-delayed",
                "content": speech::still_working(webhook.lang),
                "timingMilliseconds": STILL_WORKING_AFTER.as_millis(),
            },
        ],
    })
}

#[cfg(test)]
mod tests {
    use slotline_speech::Lang;

    use super::*;
    use crate::agent::definitions;

    #[test]
    fn every_tool_calls_the_server_url_and_waits_at_least_the_gateway_deadline() {
        let webhook = Webhook {
            url: "https://gw.example.com/v1/vapi/acme".into(),
            lang: Lang::En,
            read_timeout: Duration::from_millis(5_000),
            write_timeout: Duration::from_millis(7_001),
        };
        let rendered = vapi_tools(&definitions(Lang::En), &webhook);
        let tools = rendered.as_array().cloned().unwrap_or_default();
        assert_eq!(tools.len(), crate::tool::Tool::ALL.len());
        for tool in &tools {
            assert_eq!(tool["server"]["url"], "https://gw.example.com/v1/vapi/acme");
            assert_eq!(tool["async"], false);
            let mutating = tool["function"]["name"]
                .as_str()
                .and_then(crate::tool::Tool::from_name)
                .is_some_and(crate::tool::Tool::is_mutating);
            // 7.001 s rounds up: Vapi must not give up before the gateway answers.
            let expected = if mutating { 8 } else { 5 };
            assert_eq!(tool["server"]["timeoutSeconds"].as_u64(), Some(expected));
            assert_eq!(tool["messages"][0]["content"], "One moment, let me check.");
            assert_eq!(tool["messages"][1]["type"], "request-response-delayed");
        }
    }
}
