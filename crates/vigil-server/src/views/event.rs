//! Events as JSON:API resources. The payload is rendered from the stored snapshot in the
//! reader's API version, so one stored event serves every version.

use serde_json::{json, Map, Value};
use vigil_domain::account::Account;
use vigil_domain::time::format_millis;
use vigil_store::Event;

use crate::protocol::version::ApiVersion;

/// Render a stored snapshot as the resource it was.
pub fn render_snapshot(object_type: &str, snapshot: &Value, version: ApiVersion) -> Value {
    use super::{
        account, account_type, case, document, inquiry, list, report, theme, verification, webhook,
    };
    match object_type {
        account::TYPE => typed(object_type, snapshot, |a: &Account| {
            account::resource(a, version)
        }),
        account_type::TYPE => typed(object_type, snapshot, account_type::resource),
        list::LIST => typed(object_type, snapshot, list::list),
        list::LIST_ITEM => typed(object_type, snapshot, list::item),
        report::TYPE => typed(object_type, snapshot, report::resource),
        inquiry::TYPE => typed(object_type, snapshot, inquiry::resource),
        inquiry::SESSION => typed(object_type, snapshot, inquiry::session),
        inquiry::TEMPLATE => typed(object_type, snapshot, inquiry::template),
        case::TYPE => typed(object_type, snapshot, case::resource),
        case::TEMPLATE => typed(object_type, snapshot, case::template),
        case::QUEUE => typed(object_type, snapshot, case::queue),
        case::COMMENT => typed(object_type, snapshot, case::comment),
        document::TYPE => typed(object_type, snapshot, document::resource),
        verification::SUBJECT => typed(object_type, snapshot, verification::resource),
        theme::TYPE => typed(object_type, snapshot, theme::resource),
        // Webhook snapshots are stored without their secrets.
        webhook::TYPE => typed(object_type, snapshot, |w| webhook::resource(w, false)),
        other => bare(other, snapshot),
    }
}

/// A snapshot read back as its domain type and rendered; a snapshot that no longer reads
/// (an older shape) renders as its type and id only.
fn typed<T: serde::de::DeserializeOwned>(
    object_type: &str,
    snapshot: &Value,
    render: impl FnOnce(&T) -> Value,
) -> Value {
    match T::deserialize(snapshot) {
        Ok(object) => render(&object),
        Err(_) => bare(object_type, snapshot),
    }
}

fn bare(object_type: &str, snapshot: &Value) -> Value {
    json!({"type": object_type, "id": snapshot.get("id"), "attributes": {}, "relationships": {}})
}

pub fn resource(event: &Event, version: ApiVersion) -> Value {
    let mut attributes = Map::new();
    attributes.insert("name".into(), json!(event.name));
    attributes.insert(
        "payload".into(),
        json!({ "data": render_snapshot(&event.object_type, &event.snapshot, version) }),
    );
    attributes.insert("created-at".into(), json!(format_millis(event.created_at)));
    // Who made the change rides in `context`, the one member of Persona's event that
    // takes what vigil adds (beyond Persona: see docs/api.md).
    let mut context = event.context.clone();
    if let Some(actor) = &event.actor {
        let actor = serde_json::to_value(actor).unwrap_or(Value::Null);
        match &mut context {
            Some(Value::Object(members)) => {
                members.insert("actor".into(), actor);
            }
            Some(_) => {}
            None => context = Some(json!({ "actor": actor })),
        }
    }
    if let Some(context) = context {
        attributes.insert("context".into(), context);
    }
    json!({ "type": "event", "id": event.id, "attributes": attributes })
}
