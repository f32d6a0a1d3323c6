//! Events as JSON:API resources. The payload is rendered from the stored snapshot in the
//! reader's API version, so one stored event serves every version.

use serde_json::{json, Map, Value};
use vigil_domain::account::Account;
use vigil_domain::time::format_millis;
use vigil_store::Event;

use crate::protocol::version::ApiVersion;

/// Render a stored snapshot as the resource it was.
pub fn render_snapshot(object_type: &str, snapshot: &Value, version: ApiVersion) -> Value {
    match object_type {
        super::account::TYPE => match serde_json::from_value::<Account>(snapshot.clone()) {
            Ok(account) => super::account::resource(&account, version),
            Err(_) => {
                json!({"type": object_type, "id": snapshot.get("id"), "attributes": {}, "relationships": {}})
            }
        },
        super::account_type::TYPE => {
            match serde_json::from_value::<vigil_store::AccountType>(snapshot.clone()) {
                Ok(account_type) => super::account_type::resource(&account_type),
                Err(_) => {
                    json!({"type": object_type, "id": snapshot.get("id"), "attributes": {}, "relationships": {}})
                }
            }
        }
        super::list::LIST => match serde_json::from_value(snapshot.clone()) {
            Ok(list) => super::list::list(&list),
            Err(_) => json!({"type": object_type, "id": snapshot.get("id"), "attributes": {}}),
        },
        super::list::LIST_ITEM => match serde_json::from_value(snapshot.clone()) {
            Ok(item) => super::list::item(&item),
            Err(_) => json!({"type": object_type, "id": snapshot.get("id"), "attributes": {}}),
        },
        super::report::TYPE => match serde_json::from_value(snapshot.clone()) {
            Ok(report) => super::report::resource(&report),
            Err(_) => json!({"type": object_type, "id": snapshot.get("id"), "attributes": {}}),
        },
        super::inquiry::TYPE => match serde_json::from_value(snapshot.clone()) {
            Ok(inquiry) => super::inquiry::resource(&inquiry),
            Err(_) => json!({"type": object_type, "id": snapshot.get("id"), "attributes": {}}),
        },
        super::inquiry::SESSION => match serde_json::from_value(snapshot.clone()) {
            Ok(session) => super::inquiry::session(&session),
            Err(_) => json!({"type": object_type, "id": snapshot.get("id"), "attributes": {}}),
        },
        super::inquiry::TEMPLATE => match serde_json::from_value(snapshot.clone()) {
            Ok(template) => super::inquiry::template(&template),
            Err(_) => json!({"type": object_type, "id": snapshot.get("id"), "attributes": {}}),
        },
        other => {
            json!({"type": other, "id": snapshot.get("id"), "attributes": {}, "relationships": {}})
        }
    }
}

pub fn resource(event: &Event, version: ApiVersion) -> Value {
    let mut attributes = Map::new();
    attributes.insert("name".into(), json!(event.name));
    attributes.insert(
        "payload".into(),
        json!({ "data": render_snapshot(&event.object_type, &event.snapshot, version) }),
    );
    attributes.insert("created-at".into(), json!(format_millis(event.created_at)));
    if let Some(context) = &event.context {
        attributes.insert("context".into(), context.clone());
    }
    json!({ "type": "event", "id": event.id, "attributes": attributes })
}
