//! MCP: the tools as the result of `tools/list` (MCP specification 2025-06-18):
//! `{"tools": [{name, description, inputSchema, annotations}]}`.
//!
//! The schema is the catalogue's, unchanged: MCP asks for a JSON Schema object with
//! `type: "object"`, which it is. `readOnlyHint` tells a client which tools it may call
//! without asking the user first (those that change neither the calendar nor the store).

use serde_json::{Value, json};

use super::ToolDefinition;

/// `definitions` as an MCP `tools/list` result.
pub fn mcp_tools(definitions: &[ToolDefinition]) -> Value {
    let tools: Vec<Value> = definitions.iter().map(mcp_tool).collect();
    json!({ "tools": tools })
}

/// One definition as an MCP `Tool`, with the same hints the MCP endpoint lists
/// (`crate::server::mcp`, which builds rmcp's own type from the same methods).
pub fn mcp_tool(definition: &ToolDefinition) -> Value {
    let mut annotations = json!({ "readOnlyHint": definition.read_only() });
    if !definition.read_only() {
        annotations["destructiveHint"] = json!(definition.destructive());
    }
    json!({
        "name": definition.name,
        "description": definition.description,
        "inputSchema": definition.parameters,
        "annotations": annotations,
    })
}

#[cfg(test)]
mod tests {
    use slotline_speech::Lang;

    use super::*;
    use crate::agent::definitions;
    use crate::tool::Tool;

    #[test]
    fn tools_carry_their_schema_and_whether_they_change_anything() {
        let listed = mcp_tools(&definitions(Lang::En));
        let tools = listed["tools"].as_array().cloned().unwrap_or_default();
        assert_eq!(tools.len(), Tool::ALL.len());
        let find = |name: &str| tools.iter().find(|tool| tool["name"] == name).cloned();
        let booking = find("create_booking").unwrap_or_default();
        assert_eq!(booking["inputSchema"]["type"], "object");
        assert_eq!(
            booking["inputSchema"]["required"],
            json!(["date", "time", "name"])
        );
        assert_eq!(booking["annotations"]["readOnlyHint"], false);
        let callback = find("request_callback").unwrap_or_default();
        assert_eq!(callback["annotations"]["readOnlyHint"], false);
        let parse = find("parse_date").unwrap_or_default();
        assert_eq!(parse["annotations"]["readOnlyHint"], true);
    }
}
