//! Webhooks as JSON:API resources (with their secrets only where Persona shows them), and
//! (beyond Persona) their deliveries.

use serde_json::{json, Map, Value};
use vigil_domain::time::format_millis;
use vigil_domain::webhook::{Delivery, Webhook};

use super::time;

pub const TYPE: &str = "webhook";
const DELIVERY: &str = "webhook-delivery";

/// `with_secrets`: the `webhook-with-secret` shape (create, retrieve, clone, rotate).
pub fn resource(webhook: &Webhook, with_secrets: bool) -> Value {
    let mut a = Map::new();
    a.insert("status".into(), json!(webhook.status.as_str()));
    a.insert("url".into(), json!(webhook.url));
    a.insert("name".into(), json!(webhook.name));
    a.insert("description".into(), json!(webhook.description));
    if with_secrets {
        if let Some(newest) = webhook.secrets.first() {
            a.insert("secret".into(), json!(newest.value));
        }
        let secrets: Vec<Value> = webhook
            .secrets
            .iter()
            .map(|s| json!({"value": s.value, "expires-at": time(s.expires_at)}))
            .collect();
        a.insert("secrets".into(), Value::Array(secrets));
    }
    a.insert("api-version".into(), json!(webhook.api_version));
    a.insert(
        "api-key-inflection".into(),
        json!(webhook.api_key_inflection),
    );
    a.insert(
        "api-attributes-blocklist".into(),
        json!(webhook.api_attributes_blocklist),
    );
    a.insert(
        "file-access-token-expires-in".into(),
        json!(webhook.file_access_token_expires_in),
    );
    a.insert("enabled-events".into(), json!(webhook.enabled_events));
    a.insert(
        "payload-filter".into(),
        webhook.payload_filter.clone().unwrap_or(Value::Null),
    );
    a.insert("included-allowlist".into(), json!({"state": "include_all"}));
    a.insert(
        "relationship-allowlist".into(),
        json!({"state": "include_all"}),
    );
    a.insert(
        "created-at".into(),
        json!(format_millis(webhook.created_at)),
    );
    json!({ "type": TYPE, "id": webhook.id, "attributes": a })
}

/// Beyond Persona: a delivery with its attempts (`attempts_left` under the server's
/// retry schedule).
pub fn delivery(delivery: &Delivery, attempts_left: usize) -> Value {
    json!({
        "type": DELIVERY,
        "id": delivery.id,
        "attributes": {
            "status": delivery.status.as_str(),
            "event-id": delivery.event_id,
            "event-name": delivery.event_name,
            "created-at": format_millis(delivery.created_at),
            "next-attempt-at": time(delivery.next_attempt_at),
            "attempts-left": attempts_left,
            "attempts": delivery.attempts.iter().map(|a| json!({
                "at": format_millis(a.at),
                "status-code": a.status_code,
                "latency-ms": a.latency_ms,
                "error": a.error,
            })).collect::<Vec<_>>(),
        },
        "relationships": { "webhook": { "data": { "type": TYPE, "id": delivery.webhook_id } } },
    })
}
