//! Answers made small for an agent's context: a JSON:API resource becomes `{id, type,
//! attributes, related}`; a page becomes `{items, next_cursor, truncated}`; anything over
//! the size cap is cut (a page from the end, with the cursor moved back to continue after
//! the last item kept; an object's long strings and arrays shortened), and says so.

use serde_json::{json, Map, Value};
use vigil_client::Response;

/// A string longer than this is cut when an object is over the cap.
const LONG_STRING: usize = 500;
/// An array longer than this is cut when an object is over the cap.
const LONG_ARRAY: usize = 20;

/// One JSON:API resource, compact.
pub fn compact(resource: &Value) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), resource["id"].clone());
    out.insert("type".into(), resource["type"].clone());
    match resource.get("attributes").filter(|a| a.is_object()) {
        Some(attributes) => {
            out.insert("attributes".into(), attributes.clone());
        }
        None => {
            // Entries that are not JSON:API resources (a report's history) keep their
            // members as attributes.
            let members: Map<String, Value> = resource
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, _)| !["id", "type", "relationships", "links"].contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if !members.is_empty() {
                out.insert("attributes".into(), Value::Object(members));
            }
        }
    }
    let mut related = Map::new();
    if let Some(relationships) = resource.get("relationships").and_then(Value::as_object) {
        for (name, relation) in relationships {
            let ids = match &relation["data"] {
                Value::Object(one) => one.get("id").cloned(),
                Value::Array(many) => Some(Value::Array(
                    many.iter().filter_map(|r| r.get("id").cloned()).collect(),
                )),
                _ => None,
            };
            if let Some(ids) = ids.filter(|v| !v.is_null() && v != &json!([])) {
                related.insert(name.clone(), ids);
            }
        }
    }
    if !related.is_empty() {
        out.insert("related".into(), Value::Object(related));
    }
    Value::Object(out)
}

fn size(value: &Value) -> usize {
    serde_json::to_string(value).map_or(0, |s| s.len())
}

/// A page of resources, at most `cap` bytes of JSON.
pub fn page(response: &Response, cap: usize) -> Value {
    let mut items: Vec<Value> = response.body["data"]
        .as_array()
        .map(|data| data.iter().map(compact).collect())
        .unwrap_or_default();
    let mut next_cursor = response.next_cursor();
    let mut truncated = false;
    let mut result = json!({"items": items, "next_cursor": next_cursor, "truncated": false});
    while size(&result) > cap && items.len() > 1 {
        items.pop();
        truncated = true;
        // Persona's cursors are object ids: continue after the last item given.
        next_cursor = items
            .last()
            .and_then(|i| i["id"].as_str())
            .map(String::from);
        result = json!({"items": items, "next_cursor": next_cursor, "truncated": true});
    }
    if size(&result) > cap {
        if let Some(only) = items.first_mut() {
            shorten(only);
            truncated = true;
        }
        result = json!({"items": items, "next_cursor": next_cursor, "truncated": truncated});
    }
    result
}

/// One resource (with the answer's `meta`), at most about `cap` bytes of JSON.
pub fn object(response: &Response, cap: usize) -> Value {
    let mut result = json!({"truncated": false});
    if !response.body["data"].is_null() {
        result["object"] = compact(&response.body["data"]);
    }
    if let Some(meta) = response.body.get("meta").filter(|m| m.is_object()) {
        result["meta"] = meta.clone();
    }
    if size(&result) > cap {
        shorten(&mut result);
        result["truncated"] = json!(true);
    }
    result
}

/// Cut long strings and arrays anywhere in `value`.
fn shorten(value: &mut Value) {
    match value {
        Value::String(text) if text.len() > LONG_STRING => {
            let mut end = LONG_STRING;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
            text.push('…');
        }
        Value::Array(items) => {
            items.truncate(LONG_ARRAY);
            items.iter_mut().for_each(shorten);
        }
        Value::Object(map) => map.values_mut().for_each(shorten),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(body: Value) -> Response {
        Response {
            status: 200,
            body,
            request_id: None,
            attempts: 1,
            idempotency_key: None,
        }
    }

    #[test]
    fn resources_become_compact_with_related_ids() {
        let resource = json!({"type": "inquiry", "id": "inq_1", "attributes": {"status": "created"},
            "relationships": {"account": {"data": {"type": "account", "id": "act_1"}},
                              "sessions": {"data": [{"type": "inquiry-session", "id": "iqse_1"}]},
                              "reports": {"data": []}, "template": {"data": null}}});
        assert_eq!(
            compact(&resource),
            json!({"id": "inq_1", "type": "inquiry", "attributes": {"status": "created"},
                   "related": {"account": "act_1", "sessions": ["iqse_1"]}})
        );
        // A history entry is not a JSON:API resource: its members are kept.
        let entry = json!({"type": "run", "id": "rpr_1", "run-type": "manual", "match-count": 2});
        assert_eq!(
            compact(&entry),
            json!({"id": "rpr_1", "type": "run", "attributes": {"run-type": "manual", "match-count": 2}})
        );
    }

    #[test]
    fn a_page_over_the_cap_is_cut_and_continues_after_the_last_item_kept() {
        let data: Vec<Value> = (0..50)
            .map(|i| json!({"type": "account", "id": format!("act_{i}"), "attributes": {"note": "x".repeat(100)}}))
            .collect();
        let full = response(
            json!({"data": data, "links": {"next": "/api/v1/accounts?page%5Bafter%5D=act_49"}}),
        );
        let small = page(&full, 2_000);
        assert!(size(&small) <= 2_000);
        assert_eq!(small["truncated"], true);
        let kept = small["items"].as_array().unwrap();
        assert!(!kept.is_empty() && kept.len() < 50);
        assert_eq!(small["next_cursor"], kept.last().unwrap()["id"]);
        let whole = page(&full, 1_000_000);
        assert_eq!(whole["truncated"], false);
        assert_eq!(whole["next_cursor"], "act_49");
    }

    #[test]
    fn a_large_object_has_its_long_values_cut() {
        let big = response(json!({"data": {"type": "account", "id": "act_1",
            "attributes": {"note": "é".repeat(5_000), "tags": (0..100).map(|i| i.to_string()).collect::<Vec<_>>()}}}));
        let small = object(&big, 4_000);
        assert_eq!(small["truncated"], true);
        assert!(small["object"]["attributes"]["note"]
            .as_str()
            .unwrap()
            .ends_with('…'));
        assert_eq!(
            small["object"]["attributes"]["tags"]
                .as_array()
                .unwrap()
                .len(),
            LONG_ARRAY
        );
    }
}
