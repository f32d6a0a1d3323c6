//! What can go wrong talking to Persona (or vigil), typed so callers can act on it: an
//! argument to fix, a rate limit to wait out, a key to replace, or the API's own errors with
//! their `title`, `details` and `pointer`.

use std::time::Duration;

use serde_json::Value;

/// One of the API's error objects (`{"errors": [{"title", "details", "source": {"pointer"}}]}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorItem {
    pub title: String,
    pub details: Option<String>,
    /// A JSON pointer into the request (`/data/attributes/name-first`), when the API gave one.
    pub pointer: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An argument the caller gave is wrong; nothing was sent.
    #[error("argument `{name}`: {message}")]
    InvalidArgument { name: String, message: String },
    /// The key was refused (401).
    #[error("the API key was refused ({})", summary(.errors))]
    Unauthorized {
        errors: Vec<ErrorItem>,
        request_id: Option<String>,
    },
    /// Too many requests, still after the retries: wait `retry_after` and try again.
    #[error("rate limited: retry in {} s ({})", .retry_after.as_secs().max(1), summary(.errors))]
    RateLimited {
        retry_after: Duration,
        errors: Vec<ErrorItem>,
        request_id: Option<String>,
    },
    /// Any other error answer of the API.
    #[error("HTTP {status}: {}", summary(.errors))]
    Api {
        status: u16,
        errors: Vec<ErrorItem>,
        request_id: Option<String>,
    },
    /// The request did not get an answer (connection refused, timeout), still after the retries.
    #[error("the API could not be reached: {0}")]
    Transport(String),
    /// The answer was not the JSON it should have been.
    #[error("the API answered something unreadable: {0}")]
    Decode(String),
}

fn summary(errors: &[ErrorItem]) -> String {
    if errors.is_empty() {
        return "no details".into();
    }
    errors
        .iter()
        .map(|e| match (&e.details, &e.pointer) {
            (Some(d), Some(p)) => format!("{}: {d} (at {p})", e.title),
            (Some(d), None) => format!("{}: {d}", e.title),
            (None, Some(p)) => format!("{} (at {p})", e.title),
            (None, None) => e.title.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    /// The API's error objects, if the API answered.
    pub fn items(&self) -> &[ErrorItem] {
        match self {
            Error::Unauthorized { errors, .. }
            | Error::RateLimited { errors, .. }
            | Error::Api { errors, .. } => errors,
            _ => &[],
        }
    }

    /// The HTTP status, if the API answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Unauthorized { .. } => Some(401),
            Error::RateLimited { .. } => Some(429),
            Error::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Unauthorized { request_id, .. }
            | Error::RateLimited { request_id, .. }
            | Error::Api { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }
}

/// Read the API's error objects from an error body (`source.pointer` or `meta.pointer`).
pub(crate) fn items(body: &Value) -> Vec<ErrorItem> {
    let Some(errors) = body.get("errors").and_then(Value::as_array) else {
        return Vec::new();
    };
    errors
        .iter()
        .map(|e| ErrorItem {
            title: e["title"].as_str().unwrap_or("Error").to_string(),
            details: e["details"]
                .as_str()
                .or(e["detail"].as_str())
                .map(String::from),
            pointer: e["source"]["pointer"]
                .as_str()
                .or(e["meta"]["pointer"].as_str())
                .map(String::from),
        })
        .collect()
}
