//! Accounts as JSON:API resources.

use serde_json::{json, Map, Value};
use vigil_domain::account::Account;
use vigil_domain::time::format_millis;

use crate::protocol::version::ApiVersion;

pub const TYPE: &str = "account";

pub fn resource(account: &Account, version: ApiVersion) -> Value {
    let mut attributes = Map::new();
    attributes.insert("reference-id".into(), json!(account.reference_id));
    attributes.insert("account-type-name".into(), json!(account.account_type_name));
    attributes.insert(
        "created-at".into(),
        json!(format_millis(account.created_at)),
    );
    attributes.insert(
        "updated-at".into(),
        json!(format_millis(account.updated_at)),
    );
    attributes.insert(
        "redacted-at".into(),
        json!(account.redacted_at.map(format_millis)),
    );
    attributes.insert("fields".into(), Value::Object(account.fields.clone()));
    attributes.insert("tags".into(), json!(account.tags));
    attributes.insert(
        "account-status".into(),
        json!(account.account_status.clone().unwrap_or_default()),
    );
    if version.has_flat_attributes() {
        for (name, value) in account.flat_attributes() {
            attributes.insert(name.into(), value);
        }
    }
    // Moved in, not through `json!`, which would deep-copy `attributes`.
    let mut resource = Map::new();
    resource.insert("type".into(), Value::from(TYPE));
    resource.insert("id".into(), Value::from(account.id.as_str()));
    resource.insert("attributes".into(), Value::Object(attributes));
    resource.insert(
        "relationships".into(),
        json!({
            "account-type": { "data": { "type": "account-type", "id": account.account_type_id } }
        }),
    );
    Value::Object(resource)
}
