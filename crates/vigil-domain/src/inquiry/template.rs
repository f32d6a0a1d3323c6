//! Inquiry templates (`itmpl_`): the fields an inquiry of the template collects, their
//! types, and how long its inquiries live. Inquiry fields are checked against them.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::validate;
use crate::FieldError;

/// The type of a template field, as Persona's `field-schema` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldKind {
    String,
    Date,
    EmailAddress,
    Boolean,
    Integer,
    Number,
}

impl FieldKind {
    pub const ALL: [FieldKind; 6] = [
        FieldKind::String,
        FieldKind::Date,
        FieldKind::EmailAddress,
        FieldKind::Boolean,
        FieldKind::Integer,
        FieldKind::Number,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::String => "string",
            FieldKind::Date => "date",
            FieldKind::EmailAddress => "email-address",
            FieldKind::Boolean => "boolean",
            FieldKind::Integer => "integer",
            FieldKind::Number => "number",
        }
    }

    fn parse(name: &str) -> Option<FieldKind> {
        FieldKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The `type` a field value of this kind carries in an inquiry's `fields`.
    pub fn value_type(self) -> &'static str {
        match self {
            FieldKind::String | FieldKind::EmailAddress => "string",
            FieldKind::Date => "date",
            FieldKind::Boolean => "boolean",
            FieldKind::Integer => "integer",
            FieldKind::Number => "float",
        }
    }
}

/// One field an inquiry of the template collects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSchema {
    pub key: String,
    pub kind: FieldKind,
    pub label: Option<String>,
    /// Must have a value before the inquiry can complete.
    pub required: bool,
}

/// Seconds an inquiry lives after each stage before it expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expiration {
    pub after_create_secs: i64,
    pub after_start_secs: i64,
    pub after_resume_secs: i64,
}

/// A day, as Persona's default inquiry expiry.
pub const DAY_SECS: i64 = 24 * 60 * 60;

impl Default for Expiration {
    fn default() -> Self {
        Expiration {
            after_create_secs: DAY_SECS,
            after_start_secs: DAY_SECS,
            after_resume_secs: DAY_SECS,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InquiryTemplate {
    pub id: String,
    /// The one published version (`itmplv_`); vigil's templates are not versioned.
    pub version_id: String,
    pub name: String,
    /// `active` or `inactive`; inactive templates take no new inquiries.
    pub status: String,
    pub field_schemas: Vec<FieldSchema>,
    /// Persona's `embedded-flow-domain-allowlist`: the hosts whose pages may embed the
    /// verification flow of this template (`shop.example`, or `*.shop.example` for its
    /// subdomains). Empty: only pages on this machine (`localhost`, loopback addresses).
    #[serde(default)]
    pub embedded_flow_domains: Vec<String>,
    /// Texts of its flow in other languages (field labels, the consent step's words).
    #[serde(default)]
    pub translations: Vec<super::translation::Translation>,
    /// The steps after its fields: a government ID, a selfie.
    #[serde(default)]
    pub steps: super::steps::VerificationSteps,
    pub expiration: Expiration,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The name of the template every environment starts with.
pub const DEFAULT_TEMPLATE_NAME: &str = "Default";

/// The identity fields Persona's inquiries carry, which reverification compares.
pub const STANDARD_FIELDS: &[(&str, FieldKind, &str)] = &[
    ("name-first", FieldKind::String, "First name"),
    ("name-middle", FieldKind::String, "Middle name"),
    ("name-last", FieldKind::String, "Last name"),
    ("birthdate", FieldKind::Date, "Birthdate"),
    ("address-street-1", FieldKind::String, "Street"),
    ("address-street-2", FieldKind::String, "Street (line 2)"),
    ("address-city", FieldKind::String, "City"),
    (
        "address-subdivision",
        FieldKind::String,
        "State or subdivision",
    ),
    ("address-postal-code", FieldKind::String, "Postal code"),
    ("address-country-code", FieldKind::String, "Country"),
    ("email-address", FieldKind::EmailAddress, "Email address"),
    ("phone-number", FieldKind::String, "Phone number"),
    (
        "identification-number",
        FieldKind::String,
        "Identification number",
    ),
    (
        "identification-class",
        FieldKind::String,
        "Identification class",
    ),
];

pub fn standard_field_schemas() -> Vec<FieldSchema> {
    STANDARD_FIELDS
        .iter()
        .map(|(key, kind, label)| FieldSchema {
            key: (*key).to_string(),
            kind: *kind,
            label: Some((*label).to_string()),
            required: false,
        })
        .collect()
}

const MAX_FIELDS: usize = 200;

/// Parse `field-schemas` of a template create: `[{"key", "type", "label"?, "config"?: {"required"?}}]`.
pub fn parse_field_schemas(value: &Value, pointer: &str) -> Result<Vec<FieldSchema>, FieldError> {
    let Value::Array(items) = value else {
        return Err(FieldError::bad_type(
            pointer,
            "must be an array of field schemas",
        ));
    };
    if items.len() > MAX_FIELDS {
        return Err(FieldError::invalid(
            pointer,
            format!("may hold at most {MAX_FIELDS} fields"),
        ));
    }
    let mut out: Vec<FieldSchema> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let at = format!("{pointer}/{index}");
        let Value::Object(map) = item else {
            return Err(FieldError::bad_type(at, "must be an object"));
        };
        if let Some(unknown) = map
            .keys()
            .find(|k| !["key", "type", "label", "config"].contains(&k.as_str()))
        {
            return Err(FieldError::invalid(
                format!("{at}/{unknown}"),
                "is not a part of a field schema (key, type, label, config)",
            ));
        }
        let key = match map.get("key") {
            Some(Value::String(k)) => k.trim().to_string(),
            None | Some(Value::Null) => {
                return Err(FieldError::bad_type(format!("{at}/key"), "is missing"))
            }
            Some(_) => {
                return Err(FieldError::bad_type(
                    format!("{at}/key"),
                    "must be a string",
                ))
            }
        };
        if key.is_empty()
            || key.len() > 64
            || !key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            return Err(FieldError::invalid(
                format!("{at}/key"),
                "must be 1 to 64 lowercase letters, digits, `-` or `_`",
            ));
        }
        if out.iter().any(|f| f.key == key) {
            return Err(FieldError::invalid(
                format!("{at}/key"),
                format!("`{key}` is given twice"),
            ));
        }
        let kind = match map.get("type") {
            Some(Value::String(t)) => FieldKind::parse(t).ok_or_else(|| {
                FieldError::invalid(
                    format!("{at}/type"),
                    format!(
                        "must be one of {}",
                        FieldKind::ALL.map(|k| k.as_str()).join(", ")
                    ),
                )
            })?,
            None | Some(Value::Null) => {
                return Err(FieldError::bad_type(format!("{at}/type"), "is missing"))
            }
            Some(_) => {
                return Err(FieldError::bad_type(
                    format!("{at}/type"),
                    "must be a string",
                ))
            }
        };
        let label = match map.get("label") {
            None | Some(Value::Null) => None,
            Some(Value::String(l)) if l.chars().count() <= 255 => Some(l.clone()),
            Some(Value::String(_)) => {
                return Err(FieldError::invalid(
                    format!("{at}/label"),
                    "must be at most 255 characters",
                ))
            }
            Some(_) => {
                return Err(FieldError::bad_type(
                    format!("{at}/label"),
                    "must be a string",
                ))
            }
        };
        let required = match map.get("config") {
            None | Some(Value::Null) => false,
            Some(Value::Object(config)) => match config.get("required") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => {
                    return Err(FieldError::bad_type(
                        format!("{at}/config/required"),
                        "must be a boolean",
                    ))
                }
            },
            Some(_) => {
                return Err(FieldError::bad_type(
                    format!("{at}/config"),
                    "must be an object",
                ))
            }
        };
        out.push(FieldSchema {
            key,
            kind,
            label,
            required,
        });
    }
    Ok(out)
}

const MAX_DOMAINS: usize = 50;

/// Parse `embedded-flow-domain-allowlist`: host names (`shop.example`), or `*.` and a host
/// name for its subdomains; lowercased, duplicates dropped.
pub fn parse_domain_allowlist(value: &Value, pointer: &str) -> Result<Vec<String>, FieldError> {
    let Value::Array(items) = value else {
        return Err(FieldError::bad_type(pointer, "must be an array of domains"));
    };
    if items.len() > MAX_DOMAINS {
        return Err(FieldError::invalid(
            pointer,
            format!("may hold at most {MAX_DOMAINS} domains"),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let at = format!("{pointer}/{index}");
        let Value::String(text) = item else {
            return Err(FieldError::bad_type(at, "must be a string"));
        };
        let domain = text.trim().to_ascii_lowercase();
        let host = domain.strip_prefix("*.").unwrap_or(&domain);
        let labels_ok = host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
        if host.is_empty() || host.len() > 253 || !labels_ok {
            return Err(FieldError::invalid(
                at,
                "must be a domain such as shop.example or *.shop.example (no scheme, port or path)",
            ));
        }
        if !out.contains(&domain) {
            out.push(domain);
        }
    }
    Ok(out)
}

fn typed(kind: &str, value: Value) -> Value {
    let mut map = Map::new();
    map.insert("type".into(), Value::String(kind.into()));
    map.insert("value".into(), value);
    Value::Object(map)
}

impl InquiryTemplate {
    /// Whether a page at `origin` (`https://shop.example:8443`) may embed this template's
    /// verification flow.
    pub fn may_embed(&self, origin: &str) -> bool {
        let Some(rest) = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))
        else {
            return false;
        };
        let host = match rest.strip_prefix('[') {
            // An IPv6 literal: `[::1]:8080`.
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => rest.split(':').next().unwrap_or_default(),
        }
        .to_ascii_lowercase();
        if self.embedded_flow_domains.is_empty() {
            return matches!(host.as_str(), "localhost" | "127.0.0.1" | "::1");
        }
        self.embedded_flow_domains
            .iter()
            .any(|allowed| match allowed.strip_prefix("*.") {
                Some(parent) => host.ends_with(&format!(".{parent}")),
                None => host == *allowed,
            })
    }

    pub fn field(&self, key: &str) -> Option<&FieldSchema> {
        self.field_schemas.iter().find(|f| f.key == key)
    }

    /// Check submitted inquiry fields against the template (see [`check_fields`]).
    pub fn check_fields(
        &self,
        fields: &Map<String, Value>,
        pointer: &str,
    ) -> Result<Map<String, Value>, FieldError> {
        check_fields(
            &self.field_schemas,
            &format!("inquiry template `{}`", self.id),
            fields,
            pointer,
        )
    }

    /// Required fields without a value in `fields`.
    pub fn missing_required<'a>(&'a self, fields: &Map<String, Value>) -> Vec<&'a str> {
        self.field_schemas
            .iter()
            .filter(|f| f.required)
            .filter(|f| {
                fields
                    .get(&f.key)
                    .and_then(|v| v.get("value"))
                    .is_none_or(Value::is_null)
            })
            .map(|f| f.key.as_str())
            .collect()
    }
}

/// Check submitted fields (plain values, or `{"type", "value"}` as Persona renders them)
/// against `schemas` (of `owner`, for messages) and return them typed and normalised.
pub fn check_fields(
    schemas: &[FieldSchema],
    owner: &str,
    fields: &Map<String, Value>,
    pointer: &str,
) -> Result<Map<String, Value>, FieldError> {
    let mut out = Map::new();
    for (key, given) in fields {
        let at = format!("{pointer}/{key}");
        let Some(schema) = schemas.iter().find(|f| f.key == *key) else {
            return Err(FieldError::invalid(
                at,
                format!("is not a field of {owner}"),
            ));
        };
        let raw = match given {
            Value::Object(map) if map.contains_key("value") => &map["value"],
            other => other,
        };
        let value = check_value(schema, raw, &at)?;
        out.insert(key.clone(), typed(schema.kind.value_type(), value));
    }
    Ok(out)
}

fn check_value(schema: &FieldSchema, raw: &Value, at: &str) -> Result<Value, FieldError> {
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let text = |raw: &Value| -> Result<String, FieldError> {
        match raw {
            Value::String(s) if s.chars().count() <= 1024 => Ok(s.trim().to_string()),
            Value::String(_) => Err(FieldError::invalid(at, "must be at most 1024 characters")),
            _ => Err(FieldError::bad_type(at, "must be a string")),
        }
    };
    Ok(match schema.kind {
        FieldKind::String if schema.key.ends_with("country-code") => Value::String(
            validate::country_code(&text(raw)?).map_err(|m| FieldError::invalid(at, m))?,
        ),
        FieldKind::String => Value::String(text(raw)?),
        FieldKind::Date => {
            Value::String(validate::date(&text(raw)?).map_err(|m| FieldError::invalid(at, m))?)
        }
        FieldKind::EmailAddress => Value::String(
            validate::email_address(&text(raw)?).map_err(|m| FieldError::invalid(at, m))?,
        ),
        FieldKind::Boolean => match raw {
            Value::Bool(_) => raw.clone(),
            _ => return Err(FieldError::bad_type(at, "must be a boolean")),
        },
        FieldKind::Integer => match raw {
            Value::Number(n) if n.is_i64() => raw.clone(),
            _ => return Err(FieldError::bad_type(at, "must be an integer")),
        },
        FieldKind::Number => match raw {
            Value::Number(_) => raw.clone(),
            _ => return Err(FieldError::bad_type(at, "must be a number")),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_allowed_pages_embed_the_flow() {
        let mut t = template();
        assert!(t.may_embed("http://127.0.0.1:9000"));
        assert!(t.may_embed("http://localhost:3000"));
        assert!(t.may_embed("http://[::1]:8080"));
        assert!(!t.may_embed("https://shop.example"));
        t.embedded_flow_domains =
            parse_domain_allowlist(&json!(["Shop.example", "*.partners.example"]), "p").unwrap();
        assert!(t.may_embed("https://shop.example"));
        assert!(t.may_embed("https://shop.example:8443"));
        assert!(t.may_embed("https://eu.partners.example"));
        assert!(!t.may_embed("https://partners.example"));
        assert!(!t.may_embed("https://evilshop.example"));
        assert!(!t.may_embed("https://shop.example.evil.example"));
        assert!(!t.may_embed("http://127.0.0.1:9000"));
        assert!(!t.may_embed("javascript:alert(1)"));
        for bad in [
            json!(["https://shop.example"]),
            json!(["shop.example/x"]),
            json!([""]),
            json!([1]),
        ] {
            assert!(parse_domain_allowlist(&bad, "p").is_err(), "{bad}");
        }
    }

    fn template() -> InquiryTemplate {
        let mut fields = standard_field_schemas();
        fields.push(FieldSchema {
            key: "income".into(),
            kind: FieldKind::Integer,
            label: None,
            required: true,
        });
        InquiryTemplate {
            id: "itmpl_x".into(),
            version_id: "itmplv_x".into(),
            name: "t".into(),
            status: "active".into(),
            field_schemas: fields,
            embedded_flow_domains: Vec::new(),
            translations: Vec::new(),
            steps: Default::default(),
            expiration: Expiration::default(),
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn fields_are_typed_and_normalised() {
        let given = json!({"name-first": " Jane ", "birthdate": {"type": "date", "value": "1990-02-03"}, "address-country-code": "us", "income": 5});
        let out = template()
            .check_fields(given.as_object().unwrap(), "/data/attributes/fields")
            .unwrap();
        assert_eq!(
            out["name-first"],
            json!({"type": "string", "value": "Jane"})
        );
        assert_eq!(
            out["birthdate"],
            json!({"type": "date", "value": "1990-02-03"})
        );
        assert_eq!(out["address-country-code"]["value"], "US");
        assert_eq!(out["income"], json!({"type": "integer", "value": 5}));
    }

    #[test]
    fn unknown_and_bad_fields_name_the_field() {
        let t = template();
        let err = t
            .check_fields(json!({"shoe-size": "9"}).as_object().unwrap(), "/f")
            .unwrap_err();
        assert_eq!(err.pointer, "/f/shoe-size");
        let err = t
            .check_fields(
                json!({"birthdate": "1990-13-03"}).as_object().unwrap(),
                "/f",
            )
            .unwrap_err();
        assert_eq!(err.pointer, "/f/birthdate");
        assert!(!err.wrong_type);
        let err = t
            .check_fields(json!({"income": "lots"}).as_object().unwrap(), "/f")
            .unwrap_err();
        assert!(err.wrong_type);
    }

    #[test]
    fn required_fields_are_reported_until_given() {
        let t = template();
        assert_eq!(t.missing_required(&Map::new()), vec!["income"]);
        let given = t
            .check_fields(json!({"income": 1}).as_object().unwrap(), "/f")
            .unwrap();
        assert!(t.missing_required(&given).is_empty());
    }

    #[test]
    fn field_schemas_are_validated() {
        let ok = parse_field_schemas(
            &json!([{"key": "employer", "type": "string", "config": {"required": true}}]),
            "/p",
        )
        .unwrap();
        assert!(ok[0].required);
        let err = parse_field_schemas(&json!([{"key": "a", "type": "blob"}]), "/p").unwrap_err();
        assert_eq!(err.pointer, "/p/0/type");
        let err = parse_field_schemas(
            &json!([{"key": "a", "type": "string"}, {"key": "a", "type": "date"}]),
            "/p",
        )
        .unwrap_err();
        assert_eq!(err.pointer, "/p/1/key");
    }
}
