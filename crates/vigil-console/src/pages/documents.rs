//! A document's files, fetched through the API as the person and shown inline: images in
//! the case page's viewer (zoom, rotate), PDFs in a frame. Nothing is cached.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::{failure, person};
use crate::Console;

/// Media types shown inline; anything else is offered as a download.
const INLINE: &[&str] = &["image/jpeg", "image/png", "image/webp", "application/pdf"];

/// `GET /{env}/documents/{id}/files/{sha256}/{filename}`.
pub async fn file(
    State(console): State<Console>,
    Path((env, id, sha, name)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let back = format!("/documents/{id}/files/{sha}/{name}");
    let signed_in = match person(&console, &headers, &env, &back).await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let safe = |part: &str| {
        !part.is_empty()
            && !part.contains(['/', '\\', '?', '#', '%'])
            && part != ".."
            && part != "."
    };
    if !id.starts_with("doc_") || !safe(&id) || !safe(&sha) || !safe(&name) {
        return super::not_found().await;
    }
    let file = match signed_in
        .api
        .download(&format!("/documents/{id}/files/{sha}/{name}"))
        .await
    {
        Ok(file) => file,
        Err(error) => return failure(&error),
    };
    let media = file
        .content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let inline = INLINE.contains(&media.as_str());
    let shown: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .take(100)
        .collect();
    let mut response = file.bytes.into_response();
    let out = response.headers_mut();
    let value =
        |text: String| HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static("x"));
    out.insert(
        header::CONTENT_TYPE,
        value(if inline {
            media.clone()
        } else {
            "application/octet-stream".into()
        }),
    );
    out.insert(
        header::CONTENT_DISPOSITION,
        value(format!(
            "{}; filename=\"{shown}\"",
            if inline { "inline" } else { "attachment" }
        )),
    );
    // Framed by the case page only; an image can run nothing (`sandbox`); Chromium's PDF
    // viewer needs the frame unsandboxed.
    out.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    out.insert(
        header::CONTENT_SECURITY_POLICY,
        if media == "application/pdf" {
            HeaderValue::from_static("frame-ancestors 'self'")
        } else {
            HeaderValue::from_static(
                "default-src 'none'; img-src 'self'; frame-ancestors 'self'; sandbox",
            )
        },
    );
    response
}
