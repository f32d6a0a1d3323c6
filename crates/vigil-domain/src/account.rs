//! The account model: typed `fields`, the flat convenience attributes, and the rules for
//! creating, updating, tagging and redacting an account.
//!
//! Persona stores account data as a typed map (`{"name": {"type": "hash", "value": {...}}}`)
//! and, up to API version 2023-01-05, also accepts and renders flat attributes such as
//! `name-first`. vigil keeps only the typed map and derives the flat view from it, so the
//! two versions can never disagree.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::validate;
use crate::FieldError;

/// The name of the account type every environment starts with.
pub const DEFAULT_ACCOUNT_TYPE_NAME: &str = "User";

/// Statuses every environment's default account type knows; more can be added per type.
pub const DEFAULT_STATUSES: &[&str] = &["active", "pending", "suspended", "closed"];

/// An account as vigil stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub account_type_id: String,
    pub account_type_name: String,
    pub reference_id: Option<String>,
    pub account_status: Option<String>,
    pub tags: Vec<String>,
    /// Typed field map, `name -> {"type": ..., "value": ...}`, exactly as rendered.
    pub fields: Map<String, Value>,
    pub created_at: i64,
    pub updated_at: i64,
    pub redacted_at: Option<i64>,
    /// Beyond Persona: archived accounts are hidden from lists and searches by default.
    pub archived_at: Option<i64>,
    /// The account this one was consolidated into: final (it cannot be restored or
    /// consolidated again, and takes no new inquiries or reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consolidated_into: Option<String>,
}

/// A flat convenience attribute and where it lives in `fields`.
struct FlatAttribute {
    attribute: &'static str,
    path: &'static [&'static str],
    rule: Rule,
}

#[derive(Clone, Copy)]
enum Rule {
    Text,
    Date,
    Email,
    Country,
}

const FLAT_ATTRIBUTES: &[FlatAttribute] = &[
    FlatAttribute {
        attribute: "name-first",
        path: &["name", "first"],
        rule: Rule::Text,
    },
    FlatAttribute {
        attribute: "name-middle",
        path: &["name", "middle"],
        rule: Rule::Text,
    },
    FlatAttribute {
        attribute: "name-last",
        path: &["name", "last"],
        rule: Rule::Text,
    },
    FlatAttribute {
        attribute: "birthdate",
        path: &["birthdate"],
        rule: Rule::Date,
    },
    FlatAttribute {
        attribute: "email-address",
        path: &["email_address"],
        rule: Rule::Email,
    },
    FlatAttribute {
        attribute: "phone-number",
        path: &["phone_number"],
        rule: Rule::Text,
    },
    FlatAttribute {
        attribute: "address-street-1",
        path: &["address", "street_1"],
        rule: Rule::Text,
    },
    FlatAttribute {
        attribute: "address-street-2",
        path: &["address", "street_2"],
        rule: Rule::Text,
    },
    FlatAttribute {
        attribute: "address-city",
        path: &["address", "city"],
        rule: Rule::Text,
    },
    FlatAttribute {
        attribute: "address-subdivision",
        path: &["address", "subdivision"],
        rule: Rule::Text,
    },
    FlatAttribute {
        attribute: "address-postal-code",
        path: &["address", "postal_code"],
        rule: Rule::Text,
    },
    FlatAttribute {
        attribute: "country-code",
        path: &["address", "country_code"],
        rule: Rule::Country,
    },
    FlatAttribute {
        attribute: "social-security-number",
        path: &["social_security_number"],
        rule: Rule::Text,
    },
];

/// Default fields whose values are hashes of named strings.
const HASH_FIELDS: &[(&str, &[&str])] = &[
    ("name", &["first", "middle", "last"]),
    (
        "address",
        &[
            "street_1",
            "street_2",
            "subdivision",
            "city",
            "postal_code",
            "country_code",
        ],
    ),
];

const ID_NUMBER_KEYS: &[&str] = &[
    "identification_class",
    "identification_number",
    "issuing_country",
];

/// The changes a create or update request asks for, validated.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct AccountChanges {
    /// `Some(None)` clears the reference id.
    pub reference_id: Option<Option<String>>,
    pub account_type_id: Option<String>,
    pub account_status: Option<String>,
    pub tags: Option<Vec<String>>,
    /// Typed fields to merge into the account's fields (hash fields merge key by key).
    pub fields: Map<String, Value>,
    /// `selfie-photo`: `Some(None)` removes it. Stored by the caller (it needs storage),
    /// then set with [`Account::set_file`].
    pub selfie_photo: Option<Option<crate::upload::Upload>>,
}

impl AccountChanges {
    /// Whether the request changes any field data.
    pub fn touches_fields(&self) -> bool {
        !self.fields.is_empty()
    }
}

/// Parse and validate the `data.attributes` of an account create or update.
///
/// `creating` allows `account-type-id`, which cannot change afterwards.
pub fn parse_changes(
    attributes: &Map<String, Value>,
    creating: bool,
) -> Result<AccountChanges, FieldError> {
    let mut changes = AccountChanges::default();
    // `fields` first so flat attributes given in the same request win, as they are the
    // more specific spelling.
    if let Some(fields) = attributes.get("fields") {
        let pointer = "fields".to_string();
        match fields {
            Value::Object(map) => {
                for (name, value) in map {
                    let typed =
                        typed_field(name, value, &format!("{pointer}/{}", escape_pointer(name)))?;
                    merge_field(&mut changes.fields, name, typed);
                }
            }
            Value::Null => {}
            _ => return Err(FieldError::bad_type(pointer, "must be an object")),
        }
    }
    for (key, value) in attributes {
        let pointer = key.to_string();
        match key.as_str() {
            "fields" => {}
            "reference-id" => {
                changes.reference_id = Some(match value {
                    Value::Null => None,
                    Value::String(s) => Some(
                        validate::reference_id(s).map_err(|m| FieldError::invalid(&pointer, m))?,
                    ),
                    _ => return Err(FieldError::bad_type(pointer, "must be a string")),
                });
            }
            "account-type-id" if creating => {
                changes.account_type_id = Some(string(value, &pointer)?);
            }
            "account-type-id" => {
                return Err(FieldError::invalid(
                    pointer,
                    "cannot be changed after the account is created",
                ));
            }
            "account-status" => changes.account_status = Some(string(value, &pointer)?),
            "tags" => {
                changes.tags = match value {
                    Value::Null => Some(Vec::new()),
                    Value::Array(items) => Some(parse_tags(items, &pointer)?),
                    _ => return Err(FieldError::bad_type(pointer, "must be an array of strings")),
                };
            }
            "selfie-photo" => {
                changes.selfie_photo = Some(match value {
                    Value::Null => None,
                    other => Some(crate::upload::parse_image(other, &pointer)?),
                });
            }
            other => {
                let Some(flat) = FLAT_ATTRIBUTES.iter().find(|f| f.attribute == other) else {
                    return Err(FieldError::bad_type(pointer, "is not an allowed attribute"));
                };
                let text = match value {
                    Value::Null => None,
                    Value::String(s) => Some(
                        apply_rule(flat.rule, s).map_err(|m| FieldError::invalid(&pointer, m))?,
                    ),
                    _ => return Err(FieldError::bad_type(pointer, "must be a string")),
                };
                let kind = if matches!(flat.rule, Rule::Date) {
                    "date"
                } else {
                    "string"
                };
                set_path(
                    &mut changes.fields,
                    flat.path,
                    kind,
                    text.map(Value::String).unwrap_or(Value::Null),
                );
            }
        }
    }
    Ok(changes)
}

/// Validate and normalise a list of tags, dropping duplicates but keeping order.
pub fn parse_tags(items: &[Value], pointer: &str) -> Result<Vec<String>, FieldError> {
    let mut tags: Vec<String> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let item_pointer = format!("{pointer}/{index}");
        let Value::String(s) = item else {
            return Err(FieldError::bad_type(item_pointer, "must be a string"));
        };
        let tag = validate::tag(s).map_err(|m| FieldError::invalid(&item_pointer, m))?;
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    Ok(tags)
}

fn string(value: &Value, pointer: &str) -> Result<String, FieldError> {
    match value {
        Value::String(s) if !s.is_empty() => Ok(s.clone()),
        Value::String(_) => Err(FieldError::invalid(pointer, "must not be empty")),
        _ => Err(FieldError::bad_type(pointer, "must be a string")),
    }
}

fn apply_rule(rule: Rule, text: &str) -> Result<String, String> {
    match rule {
        Rule::Text => {
            if text.chars().count() > 1024 {
                Err("must be at most 1024 characters".into())
            } else {
                Ok(text.to_string())
            }
        }
        Rule::Date => validate::date(text),
        Rule::Email => validate::email_address(text),
        Rule::Country => validate::country_code(text),
    }
}

fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn typed(kind: &str, value: Value) -> Value {
    json!({ "type": kind, "value": value })
}

/// Split a request value into `(declared type, raw value)`: Persona accepts both the typed
/// form `{"type": "string", "value": "Jane"}` and the plain value `"Jane"`.
fn untyped(value: &Value) -> (Option<&str>, &Value) {
    if let Value::Object(map) = value {
        if map.len() == 2 {
            if let (Some(Value::String(kind)), Some(inner)) = (map.get("type"), map.get("value")) {
                return (Some(kind.as_str()), inner);
            }
        }
    }
    (None, value)
}

/// Turn one request field into its typed, validated form.
fn typed_field(name: &str, value: &Value, pointer: &str) -> Result<Value, FieldError> {
    if name.is_empty() || name.len() > 128 {
        return Err(FieldError::invalid(
            pointer,
            "field names must be 1 to 128 characters",
        ));
    }
    let (declared, raw) = untyped(value);
    if let Some(kind) = declared {
        check_declared(kind, raw, pointer)?;
    }
    if let Some((_, keys)) = HASH_FIELDS.iter().find(|(field, _)| *field == name) {
        let Value::Object(parts) = raw else {
            if raw.is_null() {
                return Ok(typed("hash", Value::Object(Map::new())));
            }
            return Err(FieldError::bad_type(pointer, "must be an object"));
        };
        let mut out = Map::new();
        for (key, part) in parts {
            let part_pointer = format!("{pointer}/{}", escape_pointer(key));
            if !keys.contains(&key.as_str()) {
                return Err(FieldError::bad_type(
                    part_pointer,
                    format!(
                        "is not a part of `{name}` (expected one of {})",
                        keys.join(", ")
                    ),
                ));
            }
            let text = match untyped(part).1 {
                Value::Null => Value::Null,
                Value::String(s) => {
                    let rule = if key == "country_code" {
                        Rule::Country
                    } else {
                        Rule::Text
                    };
                    Value::String(
                        apply_rule(rule, s).map_err(|m| FieldError::invalid(&part_pointer, m))?,
                    )
                }
                _ => return Err(FieldError::bad_type(part_pointer, "must be a string")),
            };
            out.insert(key.clone(), typed("string", text));
        }
        return Ok(typed("hash", Value::Object(out)));
    }
    match name {
        "birthdate" | "email_address" | "phone_number" | "social_security_number" => {
            let rule = match name {
                "birthdate" => Rule::Date,
                "email_address" => Rule::Email,
                _ => Rule::Text,
            };
            let kind = if name == "birthdate" {
                "date"
            } else {
                "string"
            };
            match raw {
                Value::Null => Ok(typed(kind, Value::Null)),
                Value::String(s) => Ok(typed(
                    kind,
                    Value::String(
                        apply_rule(rule, s).map_err(|m| FieldError::invalid(pointer, m))?,
                    ),
                )),
                _ => Err(FieldError::bad_type(pointer, "must be a string")),
            }
        }
        "identification_numbers" => {
            let Value::Array(items) = raw else {
                return Err(FieldError::bad_type(pointer, "must be an array"));
            };
            let mut out = Vec::new();
            for (index, item) in items.iter().enumerate() {
                let item_pointer = format!("{pointer}/{index}");
                let Value::Object(parts) = untyped(item).1 else {
                    return Err(FieldError::bad_type(item_pointer, "must be an object"));
                };
                let mut hash = Map::new();
                for key in ID_NUMBER_KEYS {
                    let part_pointer = format!("{item_pointer}/{key}");
                    let text = match parts.get(*key).map(|v| untyped(v).1) {
                        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
                        Some(Value::String(_)) | None => {
                            return Err(FieldError::bad_type(part_pointer, "is missing"))
                        }
                        Some(_) => {
                            return Err(FieldError::bad_type(part_pointer, "must be a string"))
                        }
                    };
                    let text = if *key == "issuing_country" {
                        validate::country_code(&text)
                            .map_err(|m| FieldError::invalid(&part_pointer, m))?
                    } else {
                        text
                    };
                    hash.insert((*key).to_string(), typed("string", Value::String(text)));
                }
                if let Some(extra) = parts.keys().find(|k| !ID_NUMBER_KEYS.contains(&k.as_str())) {
                    return Err(FieldError::bad_type(
                        format!("{item_pointer}/{extra}"),
                        "is not an allowed key",
                    ));
                }
                out.push(typed("hash", Value::Object(hash)));
            }
            Ok(typed("array", Value::Array(out)))
        }
        "selfie_photo" => Err(FieldError::invalid(
            pointer,
            "is a file: send it as the selfie-photo attribute ({\"data\": {\"data\": base64, \"filename\": ...}})",
        )),
        _ => Ok(match declared {
            // The declared type stands (checked above); containers type their insides.
            Some(kind) if !matches!(kind, "hash" | "array") && !raw.is_null() => {
                typed(kind, raw.clone())
            }
            _ => infer_typed(raw),
        }),
    }
}

/// The types a field may declare, as Persona names them.
const FIELD_TYPES: &[&str] = &[
    "string", "text", "integer", "float", "number", "boolean", "date", "datetime", "hash", "array",
];

/// A value given in the typed form must be of the type it declares
/// (`{"type": "integer", "value": "abc"}` is refused, not stored as a string).
fn check_declared(kind: &str, raw: &Value, pointer: &str) -> Result<(), FieldError> {
    let fits = match (kind, raw) {
        (_, Value::Null) => FIELD_TYPES.contains(&kind),
        ("string" | "text" | "datetime", Value::String(_)) => true,
        ("date", Value::String(s)) => validate::date(s).is_ok(),
        ("integer", Value::Number(n)) => n.is_i64() || n.is_u64(),
        ("float" | "number", Value::Number(_)) => true,
        ("boolean", Value::Bool(_)) => true,
        ("hash", Value::Object(_)) => true,
        ("array", Value::Array(_)) => true,
        _ => false,
    };
    if fits {
        return Ok(());
    }
    if !FIELD_TYPES.contains(&kind) {
        return Err(FieldError::invalid(
            format!("{pointer}/type"),
            format!("`{kind}` is not a field type ({})", FIELD_TYPES.join(", ")),
        ));
    }
    let what = match kind {
        "date" => "a date (YYYY-MM-DD)".to_string(),
        "hash" => "an object".to_string(),
        "array" | "integer" => format!("an {kind}"),
        other => format!("a {other}"),
    };
    Err(FieldError::invalid(
        format!("{pointer}/value"),
        format!("must be {what}, as its type `{kind}` says"),
    ))
}

/// Custom fields: the type is inferred from the JSON value.
fn infer_typed(value: &Value) -> Value {
    match value {
        Value::Null => typed("string", Value::Null),
        Value::Bool(b) => typed("boolean", Value::Bool(*b)),
        Value::Number(n) if n.is_i64() || n.is_u64() => typed("integer", value.clone()),
        Value::Number(_) => typed("number", value.clone()),
        Value::String(s) => {
            let kind = if validate::date(s).is_ok() {
                "date"
            } else {
                "string"
            };
            typed(kind, value.clone())
        }
        Value::Array(items) => typed(
            "array",
            Value::Array(items.iter().map(|v| infer_typed(untyped(v).1)).collect()),
        ),
        Value::Object(map) => typed(
            "hash",
            Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), infer_typed(untyped(v).1)))
                    .collect(),
            ),
        ),
    }
}

/// Set one leaf of the typed map, creating the enclosing hash when needed.
fn set_path(fields: &mut Map<String, Value>, path: &[&str], kind: &str, value: Value) {
    match path {
        [name] => {
            fields.insert((*name).to_string(), typed(kind, value));
        }
        [name, key] => {
            let mut hash = Map::new();
            hash.insert((*key).to_string(), typed(kind, value));
            merge_field(fields, name, typed("hash", Value::Object(hash)));
        }
        _ => unreachable!("flat attributes are at most two levels deep"),
    }
}

/// Merge one typed field into a typed map: hashes merge key by key, everything else is
/// replaced.
pub fn merge_field(fields: &mut Map<String, Value>, name: &str, incoming: Value) {
    let is_hash = |v: &Value| v.get("type").and_then(Value::as_str) == Some("hash");
    match fields.get_mut(name) {
        Some(existing) if is_hash(existing) && is_hash(&incoming) => {
            if let (Some(Value::Object(target)), Some(Value::Object(source))) =
                (existing.get_mut("value"), incoming.get("value"))
            {
                for (key, value) in source {
                    target.insert(key.clone(), value.clone());
                }
            }
        }
        _ => {
            fields.insert(name.to_string(), incoming);
        }
    }
}

impl Account {
    /// A new account of the given type, created at `now` (milliseconds).
    pub fn new(id: String, account_type_id: String, account_type_name: String, now: i64) -> Self {
        Account {
            id,
            account_type_id,
            account_type_name,
            reference_id: None,
            account_status: None,
            tags: Vec::new(),
            fields: Map::new(),
            created_at: now,
            updated_at: now,
            redacted_at: None,
            archived_at: None,
            consolidated_into: None,
        }
    }

    /// Apply validated changes; returns which parts changed, so the caller can name the
    /// events Persona would send.
    pub fn apply(&mut self, changes: &AccountChanges, now: i64) -> ChangeSummary {
        let mut summary = ChangeSummary::default();
        if let Some(reference_id) = &changes.reference_id {
            if &self.reference_id != reference_id {
                self.reference_id = reference_id.clone();
                summary.attributes = true;
            }
        }
        if let Some(status) = &changes.account_status {
            if self.account_status.as_ref() != Some(status) {
                self.account_status = Some(status.clone());
                summary.status = true;
            }
        }
        if let Some(tags) = &changes.tags {
            if &self.tags != tags {
                self.tags = tags.clone();
                summary.tags = true;
            }
        }
        if changes.touches_fields() {
            let before = self.fields.clone();
            for (name, value) in &changes.fields {
                merge_field(&mut self.fields, name, value.clone());
            }
            summary.fields = before != self.fields;
        }
        if summary.any() {
            self.updated_at = now;
        }
        summary
    }

    /// Add a tag; returns false when it was already there.
    /// Point a file field (`selfie_photo`) at a stored file, or clear it with `None`.
    pub fn set_file(&mut self, field: &str, file: Option<(&str, usize, &str)>, now: i64) {
        let value = match file {
            Some((filename, byte_size, url)) => serde_json::json!({
                "filename": filename, "url": url, "byte-size": byte_size
            }),
            None => Value::Null,
        };
        self.fields.insert(field.to_string(), typed("file", value));
        self.updated_at = now;
    }

    pub fn add_tag(&mut self, tag: &str, now: i64) -> bool {
        if self.tags.iter().any(|t| t == tag) {
            return false;
        }
        self.tags.push(tag.to_string());
        self.updated_at = now;
        true
    }

    /// Remove a tag; returns false when it was not there.
    pub fn remove_tag(&mut self, tag: &str, now: i64) -> bool {
        let before = self.tags.len();
        self.tags.retain(|t| t != tag);
        let removed = self.tags.len() != before;
        if removed {
            self.updated_at = now;
        }
        removed
    }

    /// Remove every piece of personal data. The account keeps its id, type, reference id,
    /// status and tags, stays usable, and can collect new data afterwards.
    pub fn redact(&mut self, now: i64) {
        self.fields = Map::new();
        self.redacted_at = Some(now);
        self.updated_at = now;
    }

    /// The value of a typed field at a dotted path (`name.first`), untyped.
    pub fn field_value(&self, dotted: &str) -> Option<&Value> {
        let mut parts = dotted.split('.');
        let mut current = self.fields.get(parts.next()?)?.get("value")?;
        for part in parts {
            current = current.get(part)?.get("value")?;
        }
        Some(current)
    }

    /// Every value at `dotted`, looking inside each element where the path crosses a list
    /// field (`identification_numbers.identification_number`: each id's number).
    pub fn field_values(&self, dotted: &str) -> Vec<&Value> {
        fn walk<'a>(current: &'a Value, parts: &[&str], out: &mut Vec<&'a Value>) {
            match (parts.split_first(), current) {
                (None, _) => out.push(current),
                (Some(_), Value::Array(items)) => {
                    for item in items {
                        if let Some(inner) = item.get("value") {
                            walk(inner, parts, out);
                        }
                    }
                }
                (Some((part, rest)), _) => {
                    if let Some(inner) = current.get(*part).and_then(|v| v.get("value")) {
                        walk(inner, rest, out);
                    }
                }
            }
        }
        let parts: Vec<&str> = dotted.split('.').collect();
        let mut out = Vec::new();
        if let Some(top) = self.fields.get(parts[0]).and_then(|f| f.get("value")) {
            walk(top, &parts[1..], &mut out);
        }
        out
    }

    /// The flat attributes of API versions up to 2023-01-05, derived from `fields`.
    pub fn flat_attributes(&self) -> Vec<(&'static str, Value)> {
        let mut out: Vec<(&'static str, Value)> = FLAT_ATTRIBUTES
            .iter()
            .map(|flat| {
                (
                    flat.attribute,
                    self.field_value(&flat.path.join("."))
                        .cloned()
                        .unwrap_or(Value::Null),
                )
            })
            .collect();
        let mut by_class = Map::new();
        if let Some(Value::Array(items)) = self.field_value("identification_numbers") {
            for item in items {
                let part = |key: &str| {
                    item.get("value")
                        .and_then(|v| v.get(key))
                        .and_then(|v| v.get("value"))
                        .cloned()
                        .unwrap_or(Value::Null)
                };
                let class = part("identification_class")
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let entry = by_class
                    .entry(class.clone())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(list) = entry {
                    list.push(json!({
                        "issuing-country": part("issuing_country"),
                        "identification-class": class,
                        "identification-number": part("identification_number"),
                    }));
                }
            }
        }
        out.push(("identification-numbers", Value::Object(by_class)));
        out
    }
}

/// Which parts of an account a change touched.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ChangeSummary {
    pub attributes: bool,
    pub status: bool,
    pub tags: bool,
    pub fields: bool,
}

impl ChangeSummary {
    pub fn any(&self) -> bool {
        self.attributes || self.status || self.tags || self.fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn flat_attributes_land_in_typed_fields_and_merge() {
        let changes = parse_changes(&attrs(json!({"name-first": "Jane", "name-last": "Doe", "birthdate": "1994-04-12", "country-code": "us"})), true).unwrap();
        let mut account = Account::new("act_1".into(), "acttp_1".into(), "User".into(), 1);
        account.apply(&changes, 1);
        assert_eq!(account.field_value("name.first"), Some(&json!("Jane")));
        assert_eq!(
            account.field_value("address.country_code"),
            Some(&json!("US"))
        );
        assert_eq!(
            account.fields["birthdate"],
            json!({"type": "date", "value": "1994-04-12"})
        );
        // Updating one part of a hash keeps the others.
        let update = parse_changes(
            &attrs(json!({"fields": {"name": {"middle": "Marie"}}})),
            false,
        )
        .unwrap();
        let summary = account.apply(&update, 2);
        assert!(summary.fields && !summary.tags);
        assert_eq!(account.field_value("name.first"), Some(&json!("Jane")));
        assert_eq!(account.field_value("name.middle"), Some(&json!("Marie")));
        assert_eq!(account.updated_at, 2);
    }

    #[test]
    fn bad_values_name_their_field() {
        let err = parse_changes(&attrs(json!({"birthdate": "1994-02-30"})), true).unwrap_err();
        assert_eq!(err.pointer, "birthdate");
        assert!(!err.wrong_type);
        let err = parse_changes(&attrs(json!({"name-first": 7})), true).unwrap_err();
        assert_eq!(err.pointer, "name-first");
        assert!(err.wrong_type);
        let err = parse_changes(
            &attrs(json!({"fields": {"address": {"country_code": "ZX"}}})),
            true,
        )
        .unwrap_err();
        assert_eq!(err.pointer, "fields/address/country_code");
        let err = parse_changes(&attrs(json!({"nickname": "x"})), true).unwrap_err();
        assert_eq!(err.dotted_path(), "nickname");
        let err = parse_changes(&attrs(json!({"account-type-id": "acttp_x"})), false).unwrap_err();
        assert_eq!(err.pointer, "account-type-id");
    }

    #[test]
    fn a_declared_type_is_enforced() {
        let attrs = |fields: Value| json!({ "fields": fields }).as_object().unwrap().clone();
        for (field, pointer) in [
            (
                json!({"age": {"type": "integer", "value": "abc"}}),
                "fields/age/value",
            ),
            (
                json!({"ok": {"type": "boolean", "value": "yes"}}),
                "fields/ok/value",
            ),
            (
                json!({"d": {"type": "date", "value": "1990-13-45"}}),
                "fields/d/value",
            ),
            (
                json!({"n": {"type": "float", "value": [1]}}),
                "fields/n/value",
            ),
            (
                json!({"x": {"type": "colour", "value": "red"}}),
                "fields/x/type",
            ),
        ] {
            let error = parse_changes(&attrs(field.clone()), true).unwrap_err();
            assert_eq!(error.pointer, pointer, "{field}");
        }
        let ok = parse_changes(
            &attrs(json!({"score": {"type": "float", "value": 7}, "code": {"type": "string", "value": "1990-01-01"}})),
            true,
        )
        .unwrap();
        assert_eq!(ok.fields["score"], json!({"type": "float", "value": 7}));
        assert_eq!(
            ok.fields["code"]["type"], "string",
            "declared, not inferred"
        );
    }

    #[test]
    fn typed_input_and_custom_fields() {
        let changes = parse_changes(
            &attrs(json!({"fields": {
                "name": {"type": "hash", "value": {"first": {"type": "string", "value": "Ana"}}},
                "risk_score": 7, "vip": true, "signup": "2024-01-02", "notes": {"a": "b"},
                "identification_numbers": [{"identification_class": "pp", "identification_number": "X123", "issuing_country": "fr"}]
            }})),
            true,
        )
        .unwrap();
        assert_eq!(
            changes.fields["risk_score"],
            json!({"type": "integer", "value": 7})
        );
        assert_eq!(
            changes.fields["vip"],
            json!({"type": "boolean", "value": true})
        );
        assert_eq!(changes.fields["signup"]["type"], "date");
        assert_eq!(
            changes.fields["notes"],
            json!({"type": "hash", "value": {"a": {"type": "string", "value": "b"}}})
        );
        let mut account = Account::new("act_1".into(), "acttp_1".into(), "User".into(), 1);
        account.apply(&changes, 1);
        assert_eq!(account.field_value("name.first"), Some(&json!("Ana")));
        let flat: Map<String, Value> = account
            .flat_attributes()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        assert_eq!(flat["name-first"], json!("Ana"));
        assert_eq!(flat["name-last"], Value::Null);
        assert_eq!(
            flat["identification-numbers"]["pp"][0]["issuing-country"],
            "FR"
        );
    }

    #[test]
    fn tags_dedupe_and_redaction_removes_fields() {
        let changes = parse_changes(
            &attrs(json!({"tags": ["vip", " vip ", "risky"], "name-first": "Jane"})),
            true,
        )
        .unwrap();
        assert_eq!(
            changes.tags.as_deref(),
            Some(&["vip".to_string(), "risky".to_string()][..])
        );
        let mut account = Account::new("act_1".into(), "acttp_1".into(), "User".into(), 1);
        account.apply(&changes, 1);
        assert!(!account.add_tag("vip", 2));
        assert!(account.remove_tag("vip", 3));
        account.redact(4);
        assert!(account.fields.is_empty());
        assert_eq!(account.redacted_at, Some(4));
        assert_eq!(account.tags, vec!["risky"]);
    }
}
