//! Views: stored objects rendered as kebab-case JSON:API resources for one API version.
//! Rows never serialize themselves; everything a client sees is built here.

pub mod account;
pub mod account_type;
pub mod event;

use serde_json::{json, Value};

/// `{"data": resource}` with `included` when the request asked for it.
pub fn single(resource: Value, included: Option<Vec<Value>>) -> Value {
    match included {
        Some(included) => json!({ "data": resource, "included": included }),
        None => json!({ "data": resource }),
    }
}
