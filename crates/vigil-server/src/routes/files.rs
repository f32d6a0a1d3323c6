//! `GET /files/{id}/{filename}` (beyond Persona): the bytes of a stored file, such as an
//! account's selfie photo, for keys that may read accounts. Persona serves files from its
//! own host with signed URLs; vigil serves them from the API with the caller's key.

use axum::extract::{Path, State};
use axum::response::Response;
use vigil_domain::permissions::Access;

use crate::protocol::{file_response, ApiError, ApiResult, Ctx};
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
    Ok(file_response(
        file.bytes,
        &file.content_type,
        &file.filename,
    ))
}
