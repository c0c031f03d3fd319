//! Retell AI: the tools as custom functions of a Retell LLM, the `general_tools` of
//! `POST /create-retell-llm` and `PATCH /update-retell-llm/{llm_id}` (retell-sdk's
//! `GeneralToolCustomTool`).
//!
//! Every function posts to the tenant's one Retell webhook, which tells the tools apart by
//! `name`; arguments stay nested under `args` (`args_at_root: false`), as the webhook reads
//! them. The agent speaks a fixed filler while the call runs (`static_text`, so the model
//! does not invent one) and speaks again with the reply, and Retell waits as long as the
//! gateway may take.

use serde_json::{Value, json};

use super::{ToolDefinition, Webhook};
use crate::dispatch::speech;

/// Retell refuses a `timeout_ms` below one second.
const MIN_TIMEOUT_MS: u64 = 1_000;

/// `definitions` as Retell custom functions calling `webhook`: `{"general_tools": [...]}`,
/// a body (or the part of one) Retell's create and update LLM endpoints take as it is.
pub fn retell_tools(definitions: &[ToolDefinition], webhook: &Webhook) -> Value {
    let tools: Vec<Value> = definitions
        .iter()
        .map(|definition| custom_function(definition, webhook))
        .collect();
    json!({ "general_tools": tools })
}

fn custom_function(definition: &ToolDefinition, webhook: &Webhook) -> Value {
    let timeout_ms = u64::try_from(webhook.timeout(definition).as_millis())
        .unwrap_or(u64::MAX)
        .max(MIN_TIMEOUT_MS);
    json!({
        "type": "custom",
        "name": definition.name,
        "description": definition.description,
        "url": webhook.url,
        "method": "POST",
        "args_at_root": false,
        "parameters": definition.parameters,
        "speak_during_execution": true,
        "execution_message_type": "static_text",
        "execution_message_description": speech::one_moment(webhook.lang),
        "speak_after_execution": true,
        "timeout_ms": timeout_ms,
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use slotline_speech::Lang;

    use super::*;
    use crate::agent::definitions;

    fn webhook(lang: Lang) -> Webhook {
        Webhook {
            url: "https://gw.example.com/v1/retell/acme".into(),
            lang,
            read_timeout: Duration::from_millis(5_000),
            write_timeout: Duration::from_millis(7_000),
        }
    }

    #[test]
    fn every_tool_posts_to_the_tenant_webhook_and_waits_long_enough() {
        let rendered = retell_tools(&definitions(Lang::De), &webhook(Lang::De));
        let tools = rendered["general_tools"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(tools.len(), crate::tool::Tool::ALL.len());
        for tool in &tools {
            assert_eq!(tool["type"], "custom");
            assert_eq!(tool["url"], "https://gw.example.com/v1/retell/acme");
            assert_eq!(
                tool["execution_message_description"],
                "Einen Moment, ich schaue kurz nach."
            );
            let mutating = tool["name"]
                .as_str()
                .and_then(crate::tool::Tool::from_name)
                .is_some_and(crate::tool::Tool::is_mutating);
            let expected = if mutating { 7_000 } else { 5_000 };
            assert_eq!(
                tool["timeout_ms"].as_u64(),
                Some(expected),
                "{}",
                tool["name"]
            );
        }
        let de = &tools[0]["parameters"]["properties"];
        assert!(de.get("eingabe").is_some(), "German argument names: {de}");
    }

    #[test]
    fn english_tenants_hear_english_fillers() {
        let rendered = retell_tools(&definitions(Lang::En), &webhook(Lang::En));
        assert_eq!(
            rendered["general_tools"][0]["execution_message_description"],
            "One moment, let me check."
        );
    }
}
