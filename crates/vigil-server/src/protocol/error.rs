//! The one error type every handler returns, rendered in Persona's error shape.
//!
//! Persona's schemas differ per status: 401 items carry only `title`; 400, 403, 404 and
//! 409 carry `title`, `details` and `meta`; 422 carries `title`, `details` and
//! `source.pointer`. vigil names the offending field in `details` everywhere, in
//! `source.pointer` for 422, and in `meta.pointer` for 400 (where `source` is not allowed).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use vigil_domain::FieldError;
use vigil_store::StoreError;

use crate::use_cases::{Input, Refusal};

#[derive(Debug)]
pub enum ApiError {
    /// Malformed request: bad JSON, wrong types, missing members, bad query parameters.
    BadRequest {
        details: String,
        pointer: Option<String>,
    },
    /// No key, or a key vigil does not know.
    Unauthorized {
        title: &'static str,
    },
    Forbidden {
        details: String,
    },
    NotFound {
        details: String,
    },
    MethodNotAllowed,
    Conflict {
        title: &'static str,
        details: String,
    },
    PayloadTooLarge {
        limit: usize,
    },
    /// A body declared as something vigil does not read (not JSON, not multipart).
    UnsupportedMediaType {
        details: String,
    },
    /// Well-formed but invalid values.
    Unprocessable {
        details: String,
        pointer: Option<String>,
    },
    RateLimited {
        limit: u64,
        window_seconds: u64,
        reset_seconds: u64,
    },
    /// Our fault. The cause is logged, never sent.
    Internal(String),
}

impl ApiError {
    pub fn bad_request(details: impl Into<String>) -> Self {
        ApiError::BadRequest {
            details: details.into(),
            pointer: None,
        }
    }

    pub fn bad_field(pointer: &str, message: &str) -> Self {
        ApiError::from(FieldError::bad_type(pointer, message))
    }

    pub fn invalid(pointer: &str, message: &str) -> Self {
        ApiError::from(FieldError::invalid(pointer, message))
    }

    pub fn not_found(details: impl Into<String>) -> Self {
        ApiError::NotFound {
            details: details.into(),
        }
    }

    pub fn conflict(details: impl Into<String>) -> Self {
        ApiError::Conflict {
            title: "Conflict",
            details: details.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What a client is told went wrong, as one sentence.
    pub fn details(&self) -> String {
        let body = self.body();
        let item = &body["errors"][0];
        item["details"]
            .as_str()
            .or(item["title"].as_str())
            .unwrap_or_default()
            .to_string()
    }

    /// The JSON body, in the shape Persona's schema for this status allows.
    pub fn body(&self) -> Value {
        let item = match self {
            ApiError::BadRequest {
                details,
                pointer: Some(pointer),
            } => {
                json!({"title": "Bad Request", "details": details, "meta": {"pointer": pointer}})
            }
            ApiError::BadRequest {
                details,
                pointer: None,
            } => json!({"title": "Bad Request", "details": details}),
            ApiError::Unauthorized { title } => json!({ "title": title }),
            ApiError::Forbidden { details } => json!({"title": "Forbidden", "details": details}),
            ApiError::NotFound { details } => {
                json!({"title": "Record not found", "details": details})
            }
            ApiError::MethodNotAllowed => {
                json!({"title": "Method not allowed", "details": "This path does not accept this HTTP method"})
            }
            ApiError::Conflict { title, details } => json!({"title": title, "details": details}),
            ApiError::PayloadTooLarge { limit } => {
                json!({"title": "Payload too large", "details": format!("Request bodies are limited to {limit} bytes")})
            }
            ApiError::UnsupportedMediaType { details } => {
                json!({"title": "Unsupported media type", "details": details})
            }
            ApiError::Unprocessable {
                details,
                pointer: Some(pointer),
            } => {
                json!({"title": "Record invalid", "details": details, "source": {"pointer": pointer}})
            }
            ApiError::Unprocessable {
                details,
                pointer: None,
            } => json!({"title": "Record invalid", "details": details}),
            ApiError::RateLimited {
                limit,
                window_seconds,
                ..
            } => json!({
                "title": "Rate limit exceeded",
                "details": format!("You have hit your rate limit of {limit} requests per {}. Please retry after the window resets (see RateLimit-Reset).", window_name(*window_seconds))
            }),
            ApiError::Internal(_) => {
                json!({"title": "Internal server error", "details": "Something went wrong on our side; the request id identifies it in the server's logs"})
            }
        };
        json!({ "errors": [item] })
    }
}

/// A rate limit's window as people say it: "min" for Persona's minute, else seconds.
fn window_name(seconds: u64) -> String {
    match seconds {
        60 => "min".into(),
        3600 => "hour".into(),
        s => format!("{s} s"),
    }
}

impl From<FieldError> for ApiError {
    fn from(mut error: FieldError) -> Self {
        // The domain names values relative to the object; requests carry an object's
        // attributes in `data.attributes` and an action's parameters in `data.parameters`.
        if !error.pointer.starts_with('/') {
            let base = if error.pointer.starts_with("parameters") {
                "/data/"
            } else {
                "/data/attributes/"
            };
            error.pointer = format!("{base}{}", error.pointer);
        }
        let details = format!("{} {}", error.dotted_path(), error.message);
        if error.wrong_type {
            ApiError::BadRequest {
                details,
                pointer: Some(error.pointer),
            }
        } else {
            ApiError::Unprocessable {
                details,
                pointer: Some(error.pointer),
            }
        }
    }
}

/// Where an input of a use case sits in a request: `meta` for the inputs requests carry
/// there, `data` for a run-action's parameters, else an attribute. Returns the pointer's
/// segments; `.` in a name nests.
fn place_of(input: &Input) -> Vec<String> {
    const IN_META: &[&str] = &[
        "object-ids",
        "source-account-ids",
        "user-email-address",
        "status",
        "auto-create-account-type-id",
        "target-object-id",
    ];
    let mut segments: Vec<String> = if IN_META.contains(&input.name) {
        vec!["meta".into()]
    } else if input.name.starts_with("parameters.") || input.name == "account-action-id" {
        vec!["data".into()]
    } else {
        vec!["data".into(), "attributes".into()]
    };
    segments.extend(input.name.split('.').map(String::from));
    segments
}

pub fn pointer_of(input: &Input) -> String {
    let mut pointer: String = place_of(input).iter().map(|s| format!("/{s}")).collect();
    if let Some(index) = input.index {
        pointer.push_str(&format!("/{index}"));
    }
    pointer
}

/// An input as Persona's `details` name fields: `meta.source-account-ids[0]`.
fn dotted_of(input: &Input) -> String {
    let mut dotted = place_of(input).join(".");
    if let Some(index) = input.index {
        dotted.push_str(&format!("[{index}]"));
    }
    dotted
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::NotFound(details) => ApiError::not_found(details),
            Refusal::UnknownReference { input, id } => {
                ApiError::not_found(format!("{} `{id}` is not found", dotted_of(&input)))
            }
            Refusal::Invalid { input, message } => ApiError::invalid(&pointer_of(&input), &message),
            Refusal::Field(error) => ApiError::from(error),
            Refusal::Conflict(details) => ApiError::conflict(details),
            Refusal::Store(error) => ApiError::from(error),
            Refusal::Internal(cause) => ApiError::Internal(cause),
            Refusal::Superseded => ApiError::conflict("another server did this work first"),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::UnknownCursor(id) => {
                ApiError::bad_request(format!("page cursor `{id}` is not an object in this list"))
            }
            StoreError::Database(_)
            | StoreError::Postgres(_)
            | StoreError::Corrupt(_)
            | StoreError::Refused(_)
            | StoreError::WriterGone
            | StoreError::Io(_) => ApiError::Internal(error.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(cause) = &self {
            tracing::error!(cause = %cause, "internal error");
        }
        let status = self.status();
        let mut response = (status, super::render::json_bytes(&self.body())).into_response();
        response.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let ApiError::RateLimited { reset_seconds, .. } = self {
            if let Ok(value) = HeaderValue::from_str(&reset_seconds.to_string()) {
                response.headers_mut().insert("Retry-After", value);
            }
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
