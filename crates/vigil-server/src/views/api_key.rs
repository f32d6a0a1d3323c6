//! API keys as Persona's `api-key` resources (the secret itself only when it is made).

use serde_json::{json, Value};
use vigil_domain::time::format_millis;
use vigil_store::ApiKey;

use super::time;

/// How long file links in answers last, in seconds (vigil's files are served to keys, not
/// by signed links; Persona's default is shown).
const FILE_ACCESS_SECONDS: i64 = 21_600;

pub fn resource(key: &ApiKey, value: Option<&str>) -> Value {
    let mut attributes = json!({
        "name": key.name,
        "note": key.note,
        "api-version": key.api_version,
        "api-key-inflection": key.key_inflection,
        "api-attributes-blocklist": [],
        "permissions": key.permissions,
        "ip-address-allowlist": [],
        "file-access-token-expires-in": FILE_ACCESS_SECONDS,
        "last-used-at": null,
        "expires-at": time(key.expires_at),
        "created-at": format_millis(key.created_at),
    });
    if let Some(value) = value {
        attributes["value"] = json!(value);
    }
    json!({"type": "api-key", "id": key.id, "attributes": attributes})
}
