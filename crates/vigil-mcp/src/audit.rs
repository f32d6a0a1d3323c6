//! The execution log's entries, and masking: an argument is kept only when its name says
//! it cannot hold personal data (ids, cursors, statuses, choices, numbers, booleans);
//! every other string is replaced by its length.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One tool call, as the execution log keeps it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CallRecord {
    /// Who called: the API key's name or id, and the MCP client's name.
    pub caller: String,
    /// Where the host files the call (vigil: the caller key's environment); `None`: the
    /// host's default.
    pub scope: Option<String>,
    pub tool: String,
    /// The arguments, masked.
    pub arguments: Value,
    /// `ok`, `refused` (this server's policy), `declined` (the person said no when asked
    /// to confirm), `invalid` (bad arguments), or `error`.
    pub outcome: String,
    /// The upstream HTTP status, when there was an answer.
    pub status: Option<u16>,
    /// What went wrong, in a sentence with no personal data.
    pub message: Option<String>,
    pub latency_ms: u64,
    /// The upstream `Request-Id`.
    pub request_id: Option<String>,
}

/// Where tool calls are written.
pub trait CallLog: Send + Sync {
    fn record(&self, call: CallRecord);
}

/// Argument names whose values are never personal data. A reference id is the caller's
/// own id for the person, often an email address, so it is masked; so are tags, which
/// people write freely ("called Jane Doe") and redaction could not reach in the log.
fn plain(name: &str) -> bool {
    if name.ends_with("reference_id") {
        return false;
    }
    name.ends_with("_id")
        || name.ends_with("_ids")
        || name.starts_with("auto_create_")
        || name.ends_with("_seconds")
        || matches!(
            name,
            "cursor"
                | "page_size"
                | "status"
                | "match_type"
                | "id_class"
                | "api_version"
                | "api_key_inflection"
                | "enabled_events"
                | "key"
                | "relation_schema_key"
                | "resolution"
                | "created_at_start"
                | "created_at_end"
                | "archived"
                | "name"
        )
}

/// `arguments` with every value that may be personal replaced by `"<masked: N chars>"`.
pub fn mask(arguments: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    for (name, value) in arguments {
        let kept = match value {
            Value::Bool(_) | Value::Number(_) | Value::Null => value.clone(),
            _ if plain(name) => value.clone(),
            Value::String(text) => {
                Value::String(format!("<masked: {} chars>", text.chars().count()))
            }
            other => Value::String(format!(
                "<masked: {} bytes of JSON>",
                other.to_string().len()
            )),
        };
        out.insert(name.clone(), kept);
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn personal_values_are_masked_and_ids_kept() {
        let args = json!({"account_id": "act_1", "reference_id": "jane@x.io", "name_first": "Jane", "email_address": "j@x.io",
            "fields": {"ssn": "123"}, "page_size": 5, "status": "open", "source_account_ids": ["act_2"],
            "tag_name": "called Jane Doe"});
        let masked = mask(args.as_object().unwrap());
        assert_eq!(masked["account_id"], "act_1");
        assert_eq!(masked["source_account_ids"], json!(["act_2"]));
        assert_eq!(masked["name_first"], "<masked: 4 chars>");
        assert_eq!(masked["reference_id"], "<masked: 9 chars>");
        assert_eq!(masked["email_address"], "<masked: 6 chars>");
        assert!(masked["fields"].as_str().unwrap().starts_with("<masked:"));
        assert!(!masked.to_string().contains("Jane") && !masked.to_string().contains("123"));
        assert_eq!(masked["page_size"], 5);
        assert_eq!(
            masked["tag_name"], "<masked: 15 chars>",
            "tags are free text"
        );
    }
}
