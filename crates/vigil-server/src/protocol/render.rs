//! Turning handler documents into response bodies: sparse fieldsets, then inflection.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::context::Ctx;
use super::inflection::inflect_response;

/// A finished response: status and the exact JSON bytes (also what idempotency replays).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Vec<u8>,
    pub replayed: bool,
}

pub fn json_bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("serde_json::Value always serializes")
}

/// Apply `fields[type]=...` to one resource object.
fn sparse(resource: &mut Value, ctx: &Ctx) {
    let Some(kind) = resource.get("type").and_then(Value::as_str) else {
        return;
    };
    let Some(wanted) = ctx.query.fields.get(kind) else {
        return;
    };
    if let Some(Value::Object(attributes)) = resource.get_mut("attributes") {
        let kept: Map<String, Value> = std::mem::take(attributes)
            .into_iter()
            .filter(|(k, _)| wanted.contains(k))
            .collect();
        *attributes = kept;
    }
}

/// Finish a kebab-case document for this request.
pub fn finish(mut doc: Value, ctx: &Ctx, status: StatusCode) -> Reply {
    if !ctx.query.fields.is_empty() {
        match doc.get_mut("data") {
            Some(Value::Array(items)) => items.iter_mut().for_each(|r| sparse(r, ctx)),
            Some(resource @ Value::Object(_)) => sparse(resource, ctx),
            _ => {}
        }
        if let Some(Value::Array(items)) = doc.get_mut("included") {
            items.iter_mut().for_each(|r| sparse(r, ctx));
        }
    }
    let doc = inflect_response(doc, ctx.inflection);
    Reply {
        status,
        body: json_bytes(&doc),
        replayed: false,
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if self.replayed {
            response
                .headers_mut()
                .insert("Idempotent-Replayed", HeaderValue::from_static("true"));
        }
        response
    }
}

/// A file's bytes as a response (a stored photo, a printed report): its content type,
/// `inline` with its file name, never sniffed, never kept by shared caches (personal
/// data).
pub fn file_response(bytes: Vec<u8>, content_type: &str, filename: &str) -> Response {
    let mut response = Response::new(axum::body::Body::from(bytes));
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    let disposition = format!(
        "inline; filename=\"{}\"",
        filename.replace(['"', '\\'], "_")
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}
