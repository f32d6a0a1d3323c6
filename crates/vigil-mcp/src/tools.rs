//! Tools made from the client's table of operations: `persona_<operation>`, with an input
//! schema from the operation's parameters, an output schema for an object or a page, and
//! annotations that say truthfully what the call does.

use std::sync::Arc;

use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use serde_json::{json, Map, Value};
use vigil_client::operations::{Location, Param, Type};
use vigil_client::{Effect, Operation, Returns};

pub const PREFIX: &str = "persona_";

/// The tool's name for `op`.
pub fn name(op: &Operation) -> String {
    format!("{PREFIX}{}", op.name)
}

fn param_schema(param: &Param) -> Value {
    let mut schema = match param.kind {
        Type::String => json!({"type": "string"}),
        Type::Integer => json!({"type": "integer"}),
        Type::Boolean => json!({"type": "boolean"}),
        Type::Object => json!({"type": "object"}),
        Type::Array => json!({"type": "array", "items": {"type": "string"}}),
        Type::Objects => json!({"type": "array", "items": {"type": "object"}}),
        Type::Date => json!({"type": "string", "format": "date"}),
        Type::Datetime => json!({"type": "string", "format": "date-time"}),
    };
    schema["description"] = json!(param.description);
    if !param.choices.is_empty() {
        schema["enum"] = json!(param.choices);
    }
    if param.location == Location::Page && param.name == "page_size" {
        schema["minimum"] = json!(1);
        schema["maximum"] = json!(100);
    }
    schema
}

/// The JSON schema of `op`'s arguments.
pub fn input_schema(op: &Operation) -> JsonObject {
    let mut properties = Map::new();
    for param in &op.params {
        properties.insert(param.name.clone(), param_schema(param));
    }
    let required: Vec<&str> = op
        .params
        .iter()
        .filter(|p| p.required)
        .map(|p| p.name.as_str())
        .collect();
    let mut schema = json!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
    });
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    as_object(schema)
}

/// One object as tools return it: its id and type, attributes, and related ids.
fn object_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "type": {"type": "string"},
            "attributes": {"type": "object", "description": "Persona's attributes in snake_case."},
            "related": {"type": "object", "description": "Related objects' ids by relationship name (an id, or a list of ids)."},
        },
        "required": ["id", "type"],
    })
}

/// What `op` returns: one object (with the answer's `meta`, if any), or a page of them.
pub fn output_schema(op: &Operation) -> JsonObject {
    let schema = match op.returns {
        Returns::Object => json!({
            "type": "object",
            "properties": {
                "object": object_schema(),
                "meta": {"type": "object"},
                "truncated": {"type": "boolean", "description": "Long values were cut to keep the result small."},
            },
            "required": ["truncated"],
        }),
        Returns::List => json!({
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": object_schema()},
                // One type per branch: portable to clients that map schemas onto a single-type
                // dialect (the MCP Inspector's strict check says so).
                "next_cursor": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "Pass as cursor for the next page; null on the last."},
                "truncated": {"type": "boolean", "description": "The page was cut to keep the result small; next_cursor continues after the last item given."},
            },
            "required": ["items", "next_cursor", "truncated"],
        }),
    };
    as_object(schema)
}

fn as_object(value: Value) -> JsonObject {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("schemas are objects"),
    }
}

/// Whether calling `op` reaches beyond the API's own data: a webhook makes the server
/// call an address the caller chose.
fn open_world(op: &Operation) -> bool {
    op.toolset == "webhooks" && op.effect != Effect::Read
}

/// The tool for `op`; `note` is appended to its description (what this server requires).
pub fn tool(op: &Operation, note: Option<&str>) -> Tool {
    let mut description = op.description.clone();
    if op.returns == Returns::List {
        description.push_str(" Paged: pass next_cursor back as cursor.");
    }
    if let Some(note) = note {
        description.push(' ');
        description.push_str(note);
    }
    let annotations = ToolAnnotations::with_title(op.title.clone())
        .read_only(op.effect == Effect::Read)
        .destructive(op.effect == Effect::Destructive)
        .idempotent(op.idempotent || op.effect == Effect::Read)
        .open_world(open_world(op));
    Tool::new(name(op), description, Arc::new(input_schema(op)))
        .with_title(op.title.clone())
        .with_raw_output_schema(Arc::new(output_schema(op)))
        .with_annotations(annotations)
}
