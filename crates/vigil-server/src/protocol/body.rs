//! Request bodies: size-limited, parsed as JSON, keys normalised to kebab case, and hashed
//! (with the method and URL) for idempotency checks.

use std::cell::RefCell;
use std::collections::HashSet;

use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::inflection::{normalize_request, to_kebab};
use crate::AppState;

/// The members a request document may have at its top level.
const TOP_LEVEL: &[&str] = &["data", "meta"];

/// A parsed JSON object body.
pub struct ApiBody {
    pub value: Value,
    /// SHA-256 over method, path, query and the canonical body.
    pub request_hash: String,
}

impl ApiBody {
    /// `data.attributes` (empty when absent); 400 if present and not an object.
    pub fn attributes(&self) -> Result<Map<String, Value>, ApiError> {
        match self.value.get("data") {
            None | Some(Value::Null) => Ok(Map::new()),
            Some(Value::Object(data)) => match data.get("attributes") {
                None | Some(Value::Null) => Ok(Map::new()),
                Some(Value::Object(attributes)) => Ok(attributes.clone()),
                Some(_) => Err(ApiError::bad_field("/data/attributes", "must be an object")),
            },
            Some(_) => Err(ApiError::bad_field("/data", "must be an object")),
        }
    }

    /// `meta` (empty when absent); 400 if present and not an object.
    pub fn meta(&self) -> Result<Map<String, Value>, ApiError> {
        match self.value.get("meta") {
            None | Some(Value::Null) => Ok(Map::new()),
            Some(Value::Object(meta)) => Ok(meta.clone()),
            Some(_) => Err(ApiError::bad_field("/meta", "must be an object")),
        }
    }
}

/// Sort object keys recursively so the hash ignores key order.
pub(super) fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), canonical(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// Whether a declared media type is JSON (`application/json`, `application/*+json`).
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// A body declared as something other than JSON: 415, naming what was sent.
pub(super) fn unsupported(content_type: &str, multipart_too: bool) -> ApiError {
    let shown: String = content_type.chars().take(64).collect();
    ApiError::UnsupportedMediaType {
        details: format!(
            "Content-Type `{shown}` is not accepted here: send JSON (Content-Type: application/json){}",
            if multipart_too {
                " or a multipart/form-data upload"
            } else {
                ""
            }
        ),
    }
}

/// Walks a JSON document as it is parsed, refusing what `serde_json::Value` would quietly
/// accept: a member given twice (the last would win, also after `reference_id` and
/// `reference-id` become one key) and NUL characters in strings or member names. The first
/// problem found is kept with its JSON pointer.
struct Strict<'a> {
    pointer: String,
    problem: &'a RefCell<Option<(String, String)>>,
}

impl Strict<'_> {
    fn fail<E: serde::de::Error>(&self, pointer: String, message: String) -> E {
        self.problem.borrow_mut().get_or_insert((pointer, message));
        E::custom("refused")
    }

    fn child(&self, segment: &str) -> Strict<'_> {
        Strict {
            pointer: format!(
                "{}/{}",
                self.pointer,
                segment.replace('~', "~0").replace('/', "~1")
            ),
            problem: self.problem,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<(), E> {
        if text.contains('\0') {
            return Err(self.fail(
                self.pointer.clone(),
                "must not contain NUL characters".into(),
            ));
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        while seq
            .next_element_seed(self.child(&index.to_string()))?
            .is_some()
        {
            index += 1;
        }
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if key.contains('\0') {
                return Err(self.fail(
                    self.pointer.clone(),
                    "member names must not contain NUL characters".into(),
                ));
            }
            if !seen.insert(to_kebab(&key)) {
                let pointer = self.child(&key).pointer;
                return Err(self.fail(pointer, format!("member `{key}` is given twice")));
            }
            map.next_value_seed(self.child(&key))?;
        }
        Ok(())
    }
}

/// Parse a request body: JSON, an object, no member twice, no NUL characters, and (for a
/// JSON:API document, `document`) only the top-level members a request document has.
/// Search requests (`query`, `sort`, `page`) check their own members.
fn parse_strict(bytes: &[u8], document: bool) -> Result<Value, ApiError> {
    let problem = RefCell::new(None);
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let walked = Strict {
        pointer: String::new(),
        problem: &problem,
    }
    .deserialize(&mut deserializer)
    .and_then(|()| deserializer.end());
    if let Some((pointer, message)) = problem.into_inner() {
        return Err(ApiError::bad_field(&pointer, &message));
    }
    walked.map_err(|e| ApiError::bad_request(format!("Request body is not valid JSON: {e}")))?;
    let parsed: Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request(format!("Request body is not valid JSON: {e}")))?;
    let Value::Object(members) = &parsed else {
        return Err(ApiError::bad_request("Request body must be a JSON object"));
    };
    if let Some(unknown) = members
        .keys()
        .find(|k| document && !TOP_LEVEL.contains(&to_kebab(k).as_str()))
    {
        return Err(ApiError::bad_field(
            &format!("/{unknown}"),
            "is not a member of a request document (it takes data and meta)",
        ));
    }
    Ok(parsed)
}

impl ApiBody {
    /// Read a JSON body of at most `limit` bytes.
    pub async fn read(request: Request, limit: usize) -> Result<Self, ApiError> {
        ApiBody::read_as(request, limit, false).await
    }

    /// Read a JSON body; `multipart_too` says (in a 415) that an upload was also possible.
    pub(crate) async fn read_as(
        request: Request,
        limit: usize,
        multipart_too: bool,
    ) -> Result<Self, ApiError> {
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, limit)
            .await
            .map_err(|_| ApiError::PayloadTooLarge { limit })?;
        let value = if bytes.iter().all(u8::is_ascii_whitespace) {
            Value::Object(Map::new())
        } else {
            // A body without a Content-Type is read as JSON; one declared as anything else
            // is refused rather than guessed at.
            if let Some(declared) = parts.headers.get(CONTENT_TYPE) {
                let declared = declared.to_str().unwrap_or("(not text)");
                if !is_json(declared) {
                    return Err(unsupported(declared, multipart_too));
                }
            }
            let search = parts.uri.path().ends_with("/search");
            normalize_request(parse_strict(&bytes, !search)?)
        };
        let mut hasher = request_hasher(&parts);
        hasher.update(super::render::json_bytes(&canonical(&value)));
        Ok(ApiBody {
            value,
            request_hash: hex::encode(hasher.finalize()),
        })
    }
}

/// A hasher already fed the method, path and query of a request.
pub(super) fn request_hasher(parts: &axum::http::request::Parts) -> Sha256 {
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str());
    hasher.update(b" ");
    hasher.update(parts.uri.path());
    hasher.update(b"?");
    hasher.update(parts.uri.query().unwrap_or(""));
    hasher.update(b"\n");
    hasher
}

impl FromRequest<AppState> for ApiBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        ApiBody::read(request, state.config.max_body_bytes).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(body: &str) -> (String, Option<String>) {
        match parse_strict(body.as_bytes(), true).unwrap_err() {
            ApiError::BadRequest { details, pointer } => (details, pointer),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn strict_bodies() {
        let (details, pointer) = refused(r#"{"data": {"attributes": {"a": 1, "a": 2}}}"#);
        assert!(details.contains("twice"), "{details}");
        assert_eq!(pointer.as_deref(), Some("/data/attributes/a"));
        let (_, pointer) =
            refused(r#"{"data": {"attributes": {"reference_id": "x", "reference-id": "y"}}}"#);
        assert_eq!(pointer.as_deref(), Some("/data/attributes/reference-id"));
        let (details, pointer) =
            refused(r#"{"data": {"attributes": {"tags": ["ok", "b\u0000d"]}}}"#);
        assert!(details.contains("NUL"), "{details}");
        assert_eq!(pointer.as_deref(), Some("/data/attributes/tags/1"));
        let (_, pointer) = refused(r#"{"data": {}, "reference-id": "x"}"#);
        assert_eq!(pointer.as_deref(), Some("/reference-id"));
        assert!(parse_strict(
            br#"{"data": {"attributes": {"a": [1, {"b": null}]}}, "meta": {}}"#,
            true
        )
        .is_ok());
        assert!(parse_strict(br#"{"query": {}}"#, false).is_ok());
        assert!(parse_strict(b"[1]", true).is_err());
        assert!(parse_strict(b"{} x", true).is_err());
        assert!(is_json("application/json; charset=utf-8") && is_json("application/vnd.api+json"));
        assert!(!is_json("text/plain") && !is_json("application/x-www-form-urlencoded"));
    }
}
