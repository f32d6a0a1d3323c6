//! `Key-Inflection`: JSON keys in kebab (default), camel or snake case.
//!
//! Handlers always work in kebab case. Request keys are normalised to kebab on the way in
//! and response keys converted on the way out. The contents of `fields` (account field
//! names such as `street_1`) are never inflected, as Persona documents.

use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inflection {
    Kebab,
    Camel,
    Snake,
}

impl Inflection {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "kebab" => Some(Inflection::Kebab),
            "camel" => Some(Inflection::Camel),
            "snake" => Some(Inflection::Snake),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Inflection::Kebab => "kebab",
            Inflection::Camel => "camel",
            Inflection::Snake => "snake",
        }
    }

    /// Convert a kebab-case key to this inflection.
    pub fn apply(self, kebab: &str) -> String {
        match self {
            Inflection::Kebab => kebab.to_string(),
            Inflection::Snake => kebab.replace('-', "_"),
            Inflection::Camel => {
                let mut out = String::with_capacity(kebab.len());
                let mut upper = false;
                for c in kebab.chars() {
                    if c == '-' {
                        upper = true;
                    } else if upper {
                        out.extend(c.to_uppercase());
                        upper = false;
                    } else {
                        out.push(c);
                    }
                }
                out
            }
        }
    }
}

/// Any of the three spellings back to kebab case: `referenceId`, `reference_id` and
/// `reference-id` all become `reference-id`; `addressStreet1` becomes `address-street-1`.
pub fn to_kebab(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    let mut previous: Option<char> = None;
    for c in key.chars() {
        match c {
            '_' => out.push('-'),
            c if c.is_ascii_uppercase() => {
                if previous.is_some_and(|p| p != '-' && p != '_') {
                    out.push('-');
                }
                out.push(c.to_ascii_lowercase());
            }
            c if c.is_ascii_digit() => {
                if previous.is_some_and(|p| p.is_ascii_alphabetic()) {
                    out.push('-');
                }
                out.push(c);
            }
            c => out.push(c),
        }
        previous = Some(c);
    }
    out
}

/// Rewrite every key of a JSON document, leaving the insides of `fields` alone.
pub fn transform_keys(value: Value, convert: &dyn Fn(&str) -> String) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (key, inner) in map {
                let new_key = convert(&key);
                // Field names are the account type's own identifiers, never inflected.
                let inner = if key == "fields" {
                    inner
                } else {
                    transform_keys(inner, convert)
                };
                out.insert(new_key, inner);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| transform_keys(v, convert))
                .collect(),
        ),
        other => other,
    }
}

/// Request bodies: normalise every key to kebab case.
pub fn normalize_request(value: Value) -> Value {
    transform_keys(value, &to_kebab)
}

/// Response bodies: convert kebab keys to the requested inflection.
pub fn inflect_response(value: Value, inflection: Inflection) -> Value {
    if inflection == Inflection::Kebab {
        return value;
    }
    transform_keys(value, &|key: &str| inflection.apply(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips() {
        for key in [
            "reference-id",
            "address-street-1",
            "created-at",
            "name",
            "account-type-name",
            "seconds-to-reset",
        ] {
            for inflection in [Inflection::Kebab, Inflection::Camel, Inflection::Snake] {
                assert_eq!(
                    to_kebab(&inflection.apply(key)),
                    key,
                    "{key} via {inflection:?}"
                );
            }
        }
        assert_eq!(
            Inflection::Camel.apply("address-street-1"),
            "addressStreet1"
        );
    }

    #[test]
    fn fields_contents_are_not_inflected() {
        let doc = json!({"data": {"attributes": {"reference-id": "x", "fields": {"postal_code": {"type": "string"}}}}});
        let camel = inflect_response(doc.clone(), Inflection::Camel);
        assert_eq!(camel["data"]["attributes"]["referenceId"], "x");
        assert!(camel["data"]["attributes"]["fields"]["postal_code"].is_object());
        let back = normalize_request(camel);
        assert_eq!(back, doc);
    }
}
