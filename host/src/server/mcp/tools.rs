//! The catalogue and the dispatcher's replies in MCP's terms: a [`ToolDefinition`] as an MCP
//! tool (`inputSchema` is the definition's argument schema), a [`ToolReply`] as a tool result.

use std::sync::Arc;

use rmcp::model::{CallToolResult, ContentBlock, JsonObject, Tool as McpTool, ToolAnnotations};
use serde_json::{Map, Value, json};

use crate::agent::ToolDefinition;
use crate::tool::ToolReply;

/// `tools/list`'s entry for `definition`, with the hints MCP clients use to decide whether to
/// confirm a call first: read-only for the tools that only look, destructive for those that
/// change or remove a booking that exists.
pub fn mcp_tool(definition: &ToolDefinition) -> McpTool {
    let schema: JsonObject = match &definition.parameters {
        Value::Object(schema) => schema.clone(),
        // The catalogue only writes objects; a tool without a schema still takes an object.
        _ => Map::from_iter([("type".to_owned(), json!("object"))]),
    };
    let mut annotations = ToolAnnotations::new().read_only(definition.read_only());
    if !definition.read_only() {
        annotations = annotations.destructive(definition.destructive());
    }
    McpTool::new(definition.name, definition.description, Arc::new(schema))
        .with_annotations(annotations)
}

/// The tool result for `reply`: the sentence to speak first, then the structured part (`data`
/// on success, the `error` object on failure) as `structuredContent` and, for clients that
/// only read `content`, as a second text block of JSON (MCP asks for both). `isError` is set
/// when the tool did not do what was asked; the sentence still says what to tell the caller.
pub fn tool_result(reply: ToolReply) -> CallToolResult {
    let structured = match (&reply.data, &reply.error) {
        (Some(data), _) => data.clone(),
        (None, Some(error)) => json!({ "code": error.code.as_str(), "detail": error.detail }),
        (None, None) => json!({}),
    };
    let content = vec![
        ContentBlock::text(reply.message),
        ContentBlock::text(structured.to_string()),
    ];
    let mut result = if reply.success {
        CallToolResult::success(content)
    } else {
        CallToolResult::error(content)
    };
    result.structured_content = Some(structured);
    result
}

#[cfg(test)]
mod tests {
    use slotline_speech::Lang;

    use super::*;
    use crate::agent::definition;
    use crate::tool::{ReplyCode, Tool};

    #[test]
    fn looking_tools_are_read_only_and_cancelling_is_destructive() {
        let hints = |tool| {
            let annotations = mcp_tool(&definition(tool, Lang::En)).annotations;
            annotations.map(|a| (a.read_only_hint, a.destructive_hint))
        };
        assert_eq!(hints(Tool::CheckAvailability), Some((Some(true), None)));
        assert_eq!(hints(Tool::CreateBooking), Some((Some(false), Some(false))));
        assert_eq!(hints(Tool::CancelBooking), Some((Some(false), Some(true))));
        assert_eq!(
            hints(Tool::RequestCallback),
            Some((Some(false), Some(false)))
        );
    }

    #[test]
    fn the_input_schema_is_the_catalogues() {
        let definition = definition(Tool::CreateBooking, Lang::De);
        let tool = mcp_tool(&definition);
        assert_eq!(tool.name, "create_booking");
        assert_eq!(
            Value::Object((*tool.input_schema).clone()),
            definition.parameters
        );
    }

    #[test]
    fn a_failure_is_an_error_result_that_still_says_something() {
        let reply =
            ToolReply::failure("Leider belegt.".into(), ReplyCode::Conflict, "taken".into());
        let result = tool_result(reply);
        assert_eq!(result.is_error, Some(true));
        assert_eq!(
            result.structured_content,
            Some(json!({"code": "conflict", "detail": "taken"}))
        );
        let first = serde_json::to_value(&result.content[0]).unwrap_or_default();
        assert_eq!(first["text"], "Leider belegt.");
    }
}
