//! Webhooks: where events go, which ones, in which shape, signed with which secrets; and
//! deliveries, with their attempts and the retry schedule. Pure: sending and signing happen
//! in the server.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookStatus {
    Enabled,
    Disabled,
    Archived,
}

impl WebhookStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookStatus::Enabled => "enabled",
            WebhookStatus::Disabled => "disabled",
            WebhookStatus::Archived => "archived",
        }
    }
}

/// A signing secret; a rotated-out secret keeps signing until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Secret {
    pub value: String,
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub url: String,
    pub status: WebhookStatus,
    pub api_version: String,
    /// `kebab`, `camel` or `snake`.
    pub api_key_inflection: String,
    pub api_attributes_blocklist: Vec<String>,
    pub enabled_events: Vec<String>,
    pub payload_filter: Option<Value>,
    pub custom_http_headers: Map<String, Value>,
    pub file_access_token_expires_in: i64,
    /// Newest first.
    pub secrets: Vec<Secret>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Why it was disabled by vigil (its endpoint kept failing), if it was.
    pub disabled_reason: Option<String>,
}

impl Webhook {
    /// Whether an event of this name goes to this webhook (status aside).
    pub fn wants(&self, event_name: &str) -> bool {
        self.enabled_events
            .iter()
            .any(|p| event_matches(p, event_name))
    }

    /// The webhook as events keep it: without its secrets.
    pub fn without_secrets(&self) -> Webhook {
        Webhook {
            secrets: Vec::new(),
            ..self.clone()
        }
    }

    /// The secrets that sign at `now`, newest first.
    pub fn active_secrets(&self, now: i64) -> Vec<&str> {
        self.secrets
            .iter()
            .filter(|s| s.expires_at.is_none_or(|at| at > now))
            .map(|s| s.value.as_str())
            .collect()
    }

    /// Replace the signing secret with `new`; the old ones keep signing for
    /// `overlap_seconds` (0: they stop now).
    pub fn rotate(&mut self, new: String, overlap_seconds: i64, now: i64) {
        for secret in &mut self.secrets {
            let until = now + overlap_seconds * 1000;
            secret.expires_at = Some(secret.expires_at.map_or(until, |at| at.min(until)));
        }
        self.secrets
            .retain(|s| s.expires_at.is_none_or(|at| at > now));
        self.secrets.insert(
            0,
            Secret {
                value: new,
                expires_at: None,
            },
        );
        self.updated_at = now;
    }
}

/// `*`, an exact name, or a prefix wildcard (`inquiry.*`, `report/watchlist.*`).
/// The checked attributes of a webhook create or update (`None`: not given; `Some(None)`
/// clears).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WebhookChanges {
    pub url: Option<String>,
    pub name: Option<Option<String>>,
    pub description: Option<Option<String>>,
    pub enabled_events: Option<Vec<String>>,
    pub api_version: Option<String>,
    pub api_key_inflection: Option<String>,
    pub blocklist: Option<Vec<String>>,
    pub payload_filter: Option<Option<Value>>,
    pub headers: Option<Map<String, Value>>,
    pub file_access: Option<i64>,
}

impl WebhookChanges {
    pub fn apply_to(self, webhook: &mut Webhook) {
        if let Some(url) = self.url {
            webhook.url = url;
        }
        if let Some(name) = self.name {
            webhook.name = name;
        }
        if let Some(description) = self.description {
            webhook.description = description;
        }
        if let Some(events) = self.enabled_events {
            webhook.enabled_events = events;
        }
        if let Some(version) = self.api_version {
            webhook.api_version = version;
        }
        if let Some(inflection) = self.api_key_inflection {
            webhook.api_key_inflection = inflection;
        }
        if let Some(blocklist) = self.blocklist {
            webhook.api_attributes_blocklist = blocklist;
        }
        if let Some(filter) = self.payload_filter {
            webhook.payload_filter = filter;
        }
        if let Some(headers) = self.headers {
            webhook.custom_http_headers = headers;
        }
        if let Some(seconds) = self.file_access {
            webhook.file_access_token_expires_in = seconds;
        }
    }
}

pub fn event_matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix(".*") {
        _ if pattern == "*" => true,
        Some(prefix) => name
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('.')),
        None => pattern == name,
    }
}

/// Check `enabled-events`: each a known event name, `*`, or `<object>.*` for an object
/// that has events.
pub fn check_events(value: &Value, pointer: &str) -> Result<Vec<String>, FieldError> {
    let Value::Array(items) = value else {
        return Err(FieldError::bad_type(
            pointer,
            "must be an array of event names",
        ));
    };
    if items.is_empty() {
        return Err(FieldError::invalid(
            pointer,
            "must name at least one event (or `*`)",
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let at = format!("{pointer}/{index}");
        let Value::String(name) = item else {
            return Err(FieldError::bad_type(at, "must be a string"));
        };
        let known = name == "*"
            || crate::events::is_known(name)
            || name.strip_suffix(".*").is_some_and(|prefix| {
                crate::events::all_known()
                    .any(|e| e.strip_prefix(prefix).is_some_and(|r| r.starts_with('.')))
            });
        if !known {
            return Err(FieldError::invalid(
                at,
                format!("`{name}` is not an event vigil records (use a name such as inquiry.approved, a prefix such as inquiry.*, or *)"),
            ));
        }
        if !out.contains(name) {
            out.push(name.clone());
        }
    }
    Ok(out)
}

/// Whether `payload` has everything `filter` has: objects key by key, everything else
/// equal (an array in the filter matches when any of its items matches).
pub fn payload_matches(filter: &Value, payload: &Value) -> bool {
    match (filter, payload) {
        (Value::Object(f), Value::Object(p)) => f
            .iter()
            .all(|(k, v)| p.get(k).is_some_and(|pv| payload_matches(v, pv))),
        (Value::Array(options), actual) => options.iter().any(|o| payload_matches(o, actual)),
        (f, p) => f == p,
    }
}

/// Remove blocklisted attributes from a rendered event: a pattern is an attribute name
/// with `*` wildcards (`address-*`, matched against every attribute of the payload's
/// objects) or a path (`/data/attributes/fields/*-number`).
pub fn apply_blocklist(value: &mut Value, patterns: &[String]) {
    for pattern in patterns {
        match pattern.strip_prefix('/') {
            Some(path) => {
                let parts: Vec<&str> = path.split('/').collect();
                remove_path(value, &parts);
            }
            None => remove_named(value, pattern),
        }
    }
}

/// `*` matches any run of characters.
fn wildcard(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => name.strip_prefix(head).is_some_and(|rest| {
            (0..=rest.len())
                .filter(|i| rest.is_char_boundary(*i))
                .any(|i| wildcard(tail, &rest[i..]))
        }),
    }
}

fn remove_named(value: &mut Value, pattern: &str) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(attributes)) = map.get_mut("attributes") {
                attributes.retain(|k, _| !wildcard(pattern, k));
            }
            for child in map.values_mut() {
                remove_named(child, pattern);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| remove_named(i, pattern)),
        _ => {}
    }
}

fn remove_path(value: &mut Value, parts: &[&str]) {
    let Some((first, rest)) = parts.split_first() else {
        return;
    };
    match value {
        Value::Object(map) if rest.is_empty() => map.retain(|k, _| !wildcard(first, k)),
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if wildcard(first, k) {
                    remove_path(child, rest);
                }
            }
        }
        // A path crosses arrays (`included`) without naming an index.
        Value::Array(items) => items.iter_mut().for_each(|i| remove_path(i, parts)),
        _ => {}
    }
}

/// The default retry schedule after each failed attempt, in seconds: 8 attempts in all.
pub const DEFAULT_BACKOFF: [i64; 7] = [10, 60, 300, 1_800, 7_200, 21_600, 43_200];

/// One try at delivering an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub at: i64,
    /// The receiver's status code, if it answered.
    pub status_code: Option<u16>,
    pub latency_ms: i64,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }
}

/// An event on its way to a webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: String,
    pub webhook_id: String,
    pub event_id: String,
    pub event_name: String,
    pub event_created_at: i64,
    pub status: DeliveryStatus,
    pub attempts: Vec<Attempt>,
    pub next_attempt_at: Option<i64>,
    pub created_at: i64,
}

impl Delivery {
    /// Record an attempt; schedule the next one from `schedule` (seconds after each
    /// failure) with `jitter` (0..1, a fraction of the wait added), or give up.
    pub fn record(&mut self, attempt: Attempt, schedule: &[i64], jitter: f64) {
        let ok = attempt.status_code.is_some_and(|c| (200..300).contains(&c));
        let at = attempt.at;
        self.attempts.push(attempt);
        if ok {
            self.status = DeliveryStatus::Delivered;
            self.next_attempt_at = None;
            return;
        }
        match schedule.get(self.attempts.len() - 1) {
            Some(wait) => {
                let wait_ms = (*wait as f64 * 1000.0 * (1.0 + jitter.clamp(0.0, 1.0) * 0.2)) as i64;
                self.next_attempt_at = Some(at + wait_ms);
            }
            None => {
                self.status = DeliveryStatus::Failed;
                self.next_attempt_at = None;
            }
        }
    }

    /// Attempts left after the ones made, under `schedule`.
    pub fn attempts_left(&self, schedule: &[i64]) -> usize {
        (schedule.len() + 1).saturating_sub(self.attempts.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wildcards_match_runs() {
        assert!(wildcard("address-*", "address-city"));
        assert!(wildcard("*-number", "identification-number"));
        assert!(wildcard("a*b*c", "axxbyyc"));
        assert!(!wildcard("a*b*c", "axxbyy"));
        assert!(wildcard("*", ""));
    }

    #[test]
    fn patterns_match_names_and_prefixes() {
        assert!(event_matches("*", "inquiry.approved"));
        assert!(event_matches("inquiry.*", "inquiry.approved"));
        assert!(!event_matches("inquiry.*", "inquiry-session.expired"));
        assert!(event_matches(
            "report/watchlist.*",
            "report/watchlist.matched"
        ));
        assert!(event_matches("case.created", "case.created"));
        assert!(!event_matches("case.created", "case.created-x"));
    }

    #[test]
    fn events_are_checked_by_name() {
        let ok = check_events(
            &json!(["inquiry.*", "case.created", "*", "list-item.created"]),
            "/e",
        )
        .unwrap();
        assert_eq!(ok.len(), 4);
        assert_eq!(
            check_events(&json!(["inquiry.aproved"]), "/e")
                .unwrap_err()
                .pointer,
            "/e/0"
        );
        assert_eq!(
            check_events(&json!(["nothing.*"]), "/e")
                .unwrap_err()
                .pointer,
            "/e/0"
        );
        assert!(check_events(&json!([]), "/e").is_err());
    }

    #[test]
    fn payload_filters_match_subsets() {
        let payload = json!({"data": {"attributes": {"status": "approved", "tags": ["a"]}, "relationships": {"inquiry-template": {"data": {"id": "itmpl_1"}}}}});
        assert!(payload_matches(
            &json!({"data": {"relationships": {"inquiry-template": {"data": {"id": "itmpl_1"}}}}}),
            &payload
        ));
        assert!(!payload_matches(
            &json!({"data": {"attributes": {"status": "declined"}}}),
            &payload
        ));
        assert!(payload_matches(
            &json!({"data": {"attributes": {"status": ["declined", "approved"]}}}),
            &payload
        ));
    }

    #[test]
    fn blocklists_remove_attributes_by_name_and_path() {
        let mut doc = json!({"data": {"attributes": {"payload": {"data": {"attributes": {
            "address-street-1": "1 Main", "address-city": "X", "name-last": "Doe", "status": "ok",
            "fields": {"identification-number": {"value": "1"}, "birthdate": {"value": "2000"}}}}}}}});
        apply_blocklist(
            &mut doc,
            &[
                "address-*".into(),
                "name-last".into(),
                "/data/attributes/payload/data/attributes/fields/*-number".into(),
            ],
        );
        let attrs = &doc["data"]["attributes"]["payload"]["data"]["attributes"];
        assert!(attrs.get("address-street-1").is_none() && attrs.get("address-city").is_none());
        assert!(attrs.get("name-last").is_none());
        assert_eq!(attrs["status"], "ok");
        assert!(attrs["fields"].get("identification-number").is_none());
        assert!(attrs["fields"].get("birthdate").is_some());
    }

    #[test]
    fn deliveries_retry_on_schedule_then_give_up() {
        let mut d = Delivery {
            id: "d".into(),
            webhook_id: "w".into(),
            event_id: "e".into(),
            event_name: "x".into(),
            event_created_at: 0,
            status: DeliveryStatus::Pending,
            attempts: vec![],
            next_attempt_at: Some(0),
            created_at: 0,
        };
        let fail = |at| Attempt {
            at,
            status_code: Some(500),
            latency_ms: 1,
            error: None,
        };
        d.record(fail(0), &[1, 2], 0.0);
        assert_eq!(d.next_attempt_at, Some(1000));
        assert_eq!(d.attempts_left(&[1, 2]), 2);
        d.record(fail(1000), &[1, 2], 1.0);
        assert_eq!(d.next_attempt_at, Some(1000 + 2400));
        d.record(fail(5000), &[1, 2], 0.0);
        assert_eq!(d.status, DeliveryStatus::Failed);
        assert_eq!(d.next_attempt_at, None);
        let mut ok = d.clone();
        ok.status = DeliveryStatus::Pending;
        ok.attempts.clear();
        ok.record(
            Attempt {
                at: 9,
                status_code: Some(204),
                latency_ms: 1,
                error: None,
            },
            &[1],
            0.0,
        );
        assert_eq!(ok.status, DeliveryStatus::Delivered);
    }

    #[test]
    fn rotation_keeps_the_old_secret_for_the_overlap() {
        let mut w = Webhook {
            id: "w".into(),
            name: None,
            description: None,
            url: "https://x".into(),
            status: WebhookStatus::Enabled,
            api_version: "v".into(),
            api_key_inflection: "kebab".into(),
            api_attributes_blocklist: vec![],
            enabled_events: vec!["*".into()],
            payload_filter: None,
            custom_http_headers: Map::new(),
            file_access_token_expires_in: 21600,
            secrets: vec![Secret {
                value: "old".into(),
                expires_at: None,
            }],
            created_at: 0,
            updated_at: 0,
            disabled_reason: None,
        };
        w.rotate("new".into(), 60, 1_000);
        assert_eq!(w.active_secrets(1_000), vec!["new", "old"]);
        assert_eq!(w.active_secrets(61_001), vec!["new"]);
        w.rotate("newer".into(), 0, 2_000);
        assert_eq!(w.active_secrets(2_000), vec!["newer"]);
    }
}
