//! Request bodies: size-limited, parsed as JSON, keys normalised to kebab case, and hashed
//! (with the method and URL) for idempotency checks.

use axum::extract::{FromRequest, Request};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::inflection::normalize_request;
use crate::AppState;

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

impl ApiBody {
    /// Read a JSON body of at most `limit` bytes.
    pub async fn read(request: Request, limit: usize) -> Result<Self, ApiError> {
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, limit)
            .await
            .map_err(|_| ApiError::PayloadTooLarge { limit })?;
        let value = if bytes.iter().all(u8::is_ascii_whitespace) {
            Value::Object(Map::new())
        } else {
            let parsed: Value = serde_json::from_slice(&bytes).map_err(|e| {
                ApiError::bad_request(format!("Request body is not valid JSON: {e}"))
            })?;
            if !parsed.is_object() {
                return Err(ApiError::bad_request("Request body must be a JSON object"));
            }
            normalize_request(parsed)
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
