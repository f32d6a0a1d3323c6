//! Account types as JSON:API resources.

use serde_json::{json, Value};
use vigil_domain::time::format_millis;
use vigil_store::AccountType;

pub const TYPE: &str = "account-type";

pub fn resource(account_type: &AccountType) -> Value {
    let statuses: Vec<Value> = account_type
        .statuses
        .iter()
        .map(|s| json!({"type": "account-status", "id": s.id}))
        .collect();
    let default_status = account_type
        .statuses
        .iter()
        .find(|s| s.is_default)
        .map(|s| json!({"type": "account-status", "id": s.id}));
    json!({
        "type": TYPE,
        "id": account_type.id,
        "attributes": {
            "name": account_type.name,
            "created-at": format_millis(account_type.created_at),
            "updated-at": format_millis(account_type.updated_at),
            "field-schemas": [],
        },
        "relationships": {
            "account-statuses": { "data": statuses },
            "default-account-status": { "data": default_status },
        }
    })
}

/// The type's statuses as `account-status` resources (beyond Persona, which has no
/// public status object): what `GET /account-types` includes.
pub fn statuses(account_type: &AccountType) -> Vec<Value> {
    account_type
        .statuses
        .iter()
        .map(|s| {
            json!({
                "type": "account-status",
                "id": s.id,
                "attributes": { "name": s.name, "is-default": s.is_default },
                "relationships": {
                    "account-type": { "data": { "type": "account-type", "id": account_type.id } }
                }
            })
        })
        .collect()
}
