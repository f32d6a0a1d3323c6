//! The agent tool server's execution log: one entry per tool call, with its arguments
//! already masked by the tool server (only values that cannot be personal are kept).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The environment of calls made with a key this data directory does not hold (a
/// Persona tenant's, or another server's).
pub const EXTERNAL_ENVIRONMENT: &str = "external";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ToolCall {
    pub id: String,
    /// Who called: the key's name or id, and the MCP client's name when known.
    pub caller: String,
    pub tool: String,
    /// The arguments, masked.
    pub arguments: Value,
    /// `ok`, `refused`, `invalid` or `error`.
    pub outcome: String,
    /// The upstream HTTP status, when there was an answer.
    pub status: Option<u16>,
    pub message: Option<String>,
    pub latency_ms: u64,
    /// The upstream `Request-Id`.
    pub request_id: Option<String>,
    /// Where the tools pointed (the API's base URL).
    pub target: String,
    pub created_at: i64,
}
