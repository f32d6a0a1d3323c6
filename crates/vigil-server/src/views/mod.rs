//! Views: stored objects rendered as kebab-case JSON:API resources for one API version.
//! Rows never serialize themselves; everything a client sees is built here.

pub mod account;
pub mod account_type;
pub mod event;
pub mod list;
pub mod report;

use serde_json::{Map, Value};

/// `{"data": resource}` with `included` when the request asked for it.
// Built by moving values in: `json!` would deep-copy them through `to_value`.
pub fn single(resource: Value, included: Option<Vec<Value>>) -> Value {
    let mut doc = Map::new();
    doc.insert("data".into(), resource);
    if let Some(included) = included {
        doc.insert("included".into(), Value::Array(included));
    }
    Value::Object(doc)
}
