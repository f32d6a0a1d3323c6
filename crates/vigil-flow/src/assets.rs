//! The flow's stylesheet and script, compiled into the binary: nothing is fetched from
//! elsewhere, and `cargo build` stays the only build step.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

const FILES: &[(&str, &str, &str)] = &[
    (
        "flow.css",
        "text/css; charset=utf-8",
        include_str!("../assets/flow.css"),
    ),
    (
        "flow.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/flow.js"),
    ),
];

/// `GET /widget/assets/{name}`.
pub async fn serve(Path(name): Path<String>) -> Response {
    match FILES.iter().find(|(file, _, _)| *file == name) {
        Some((_, content_type, body)) => {
            let mut response = (*body).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            // Same binary, same bytes: a short cache is enough and never goes stale for long.
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            );
            response
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
