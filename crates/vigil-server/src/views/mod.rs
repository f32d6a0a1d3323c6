//! Views: stored objects rendered as kebab-case JSON:API resources for one API version.
//! Rows never serialize themselves; everything a client sees is built here.

pub mod account;
pub mod account_type;
pub mod api_key;
pub mod case;
pub mod document;
pub mod event;
pub mod importer;
pub mod inquiry;
pub mod inquiry_pdf;
pub mod list;
pub mod pdf;
pub mod report;
pub mod report_pdf;
pub mod theme;
pub mod tool_call;
pub mod user;
pub mod verification;
pub mod verification_pdf;
pub mod webhook;

use serde_json::{Map, Value};

/// Every resource type vigil renders, for checking `fields[type]` (families such as
/// `list/<kind>` by their prefix).
const RESOURCE_TYPES: &[&str] = &[
    account::TYPE,
    account_type::TYPE,
    "account-status",
    "event",
    case::TYPE,
    case::TEMPLATE,
    case::QUEUE,
    case::COMMENT,
    document::TYPE,
    "importer-error",
    inquiry::TYPE,
    inquiry::SESSION,
    inquiry::TEMPLATE,
    inquiry::DEVICE,
    "inquiry-template-version",
    "inquiry-comparison",
    list::LIST,
    list::LIST_ITEM,
    report::TYPE,
    "report-template/watchlist",
    "report-match",
    theme::TYPE,
    tool_call::TYPE,
    webhook::TYPE,
    "webhook-delivery",
    "flagging-rule",
    "test-clock",
];
const RESOURCE_FAMILIES: &[&str] = &[
    "list/",
    "list-item/",
    "importer/",
    "report/",
    "document/",
    "verification/",
];

/// Whether `name` is a resource type vigil can render.
pub fn is_resource_type(name: &str) -> bool {
    RESOURCE_TYPES.contains(&name) || RESOURCE_FAMILIES.iter().any(|f| name.starts_with(f))
}

/// An optional timestamp: ISO-8601, or null.
pub fn time(millis: Option<i64>) -> Value {
    millis.map_or(Value::Null, |m| {
        Value::String(vigil_domain::time::format_millis(m))
    })
}

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
