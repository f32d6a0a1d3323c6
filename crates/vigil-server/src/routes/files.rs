//! `GET /files/{id}/{filename}` (beyond Persona): the bytes of a stored file, such as an
//! account's selfie photo, for keys that may read accounts. Persona serves files from its
//! own host with signed URLs; vigil serves them from the API with the caller's key.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use vigil_domain::permissions::Access;

use crate::protocol::{ApiError, ApiResult, Ctx};
use crate::AppState;

pub async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, _filename)): Path<(String, String)>,
) -> ApiResult<Response> {
    ctx.require("account", Access::Read)?;
    let file = state
        .store
        .file(ctx.env_id(), &id)?
        .ok_or_else(|| ApiError::not_found(format!("file `{id}` is not found")))?;
    let disposition = format!(
        "inline; filename=\"{}\"",
        file.filename.replace(['"', '\\'], "_")
    );
    let mut response = Response::new(Body::from(file.bytes));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&file.content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Personal data: never kept by shared caches.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}
