//! Lists and list items as JSON:API resources.

use serde_json::{json, Map, Value};
use vigil_domain::list::{ItemValue, List, ListItem, ListKind};
use vigil_domain::time::format_millis;

use super::time;

/// Internal object types for event snapshots.
pub const LIST: &str = "list";
pub const LIST_ITEM: &str = "list-item";

pub fn list(list: &List) -> Value {
    let mut attributes = Map::new();
    attributes.insert("name".into(), json!(list.name));
    let status = if list.archived_at.is_some() {
        "archived"
    } else {
        "active"
    };
    attributes.insert("status".into(), json!(status));
    attributes.insert("archived-at".into(), time(list.archived_at));
    attributes.insert("created-at".into(), json!(format_millis(list.created_at)));
    attributes.insert("updated-at".into(), json!(format_millis(list.updated_at)));
    if list.kind == ListKind::Name {
        attributes.insert(
            "allow-fuzzy-name-first".into(),
            json!(list.allow_fuzzy_name_first),
        );
    }
    json!({
        "type": format!("list/{}", list.kind.name()),
        "id": list.id,
        "attributes": attributes,
    })
}

pub fn item(item: &ListItem) -> Value {
    let mut attributes = Map::new();
    let status = if item.archived_at.is_some() {
        "archived"
    } else {
        "active"
    };
    attributes.insert("status".into(), json!(status));
    attributes.insert("archived-at".into(), time(item.archived_at));
    attributes.insert("redacted-at".into(), time(item.redacted_at));
    attributes.insert("updated-at".into(), json!(format_millis(item.updated_at)));
    attributes.insert("created-at".into(), json!(format_millis(item.created_at)));
    attributes.insert("match-count".into(), json!(item.match_count));
    match &item.value {
        ItemValue::BrowserFingerprint { value }
        | ItemValue::DeviceFingerprint { value }
        | ItemValue::IpAddress { value }
        | ItemValue::PhoneNumber { value }
        | ItemValue::String { value } => {
            attributes.insert("value".into(), json!(value));
        }
        ItemValue::Country { country_code } => {
            attributes.insert("country-code".into(), json!(country_code));
        }
        ItemValue::EmailAddress { value, match_type } => {
            attributes.insert("value".into(), json!(value));
            attributes.insert("match-type".into(), json!(match_type));
        }
        ItemValue::Field { field_value } => {
            attributes.insert("field-value".into(), json!(field_value));
        }
        ItemValue::Geolocation {
            latitude,
            longitude,
            radius_meters,
        } => {
            attributes.insert("latitude".into(), json!(latitude));
            attributes.insert("longitude".into(), json!(longitude));
            attributes.insert("radius-meters".into(), json!(radius_meters));
        }
        ItemValue::GovernmentIdNumber {
            id_number,
            id_class,
        } => {
            attributes.insert("id-number".into(), json!(id_number));
            attributes.insert("id-class".into(), json!(id_class));
        }
        ItemValue::Name {
            name_first,
            name_last,
        } => {
            attributes.insert("name-first".into(), json!(name_first));
            attributes.insert("name-last".into(), json!(name_last));
        }
    }
    json!({
        "type": format!("list-item/{}", item.kind().name()),
        "id": item.id,
        "attributes": attributes,
        // Persona's schema allows no `list` relationship here.
        "relationships": { "creator": { "data": null } },
    })
}
