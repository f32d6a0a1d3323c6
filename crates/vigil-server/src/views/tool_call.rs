//! Beyond Persona: entries of the agent tool server's execution log.

use serde_json::{json, Value};
use vigil_domain::time::format_millis;
use vigil_domain::tool_call::ToolCall;

pub const TYPE: &str = "tool-call";

pub fn resource(call: &ToolCall) -> Value {
    json!({
        "type": TYPE,
        "id": call.id,
        "attributes": {
            "caller": call.caller,
            "tool": call.tool,
            "arguments": call.arguments,
            "outcome": call.outcome,
            "status": call.status,
            "message": call.message,
            "latency-ms": call.latency_ms,
            "request-id": call.request_id,
            "target": call.target,
            "created-at": format_millis(call.created_at),
        },
    })
}
