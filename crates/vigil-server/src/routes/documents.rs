//! Generic documents: retrieve (`GET /document/generics/{id}`, `GET /documents/{id}`), and
//! beyond Persona, create with a file (`POST /document/generics`, the file inline or
//! multipart as importers take it), download a file, and redact (`DELETE`). Files are kept
//! in the data directory by content hash (see `blobs`); an inquiry's redaction redacts its
//! documents.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use vigil_domain::document::{sniff, Document, DocumentFile};
use vigil_domain::permissions::Access;

use super::accounts::owner::optional_string;
use crate::protocol::{
    file_response, write, ApiError, ApiResult, Ctx, Doc, Reply, UploadBody, Written,
};
use crate::use_cases::documents::{self, NewDocument};
use crate::views;
use crate::AppState;

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("document `{id}` is not found"))
}

fn blobs(state: &AppState) -> ApiResult<&std::sync::Arc<crate::blobs::DocumentFiles>> {
    state.blobs.as_ref().ok_or_else(|| {
        ApiError::Internal("this server has no data directory for document files".into())
    })
}

fn written(status: StatusCode, document: Document) -> Written {
    Written {
        status,
        object_id: Some(document.id.clone()),
        doc: Doc::later(move |_| views::single(views::document::resource(&document), None)),
    }
}

/// `POST /document/generics`: `file` or `files` (at least one, at most ten), `inquiry-id`,
/// `kind`, `document-type`.
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    mut body: UploadBody,
) -> ApiResult<Reply> {
    ctx.require("document", Access::Write)?;
    let attributes = body.attributes.clone();
    if let Some(unknown) = attributes
        .keys()
        .find(|k| !["inquiry-id", "kind", "document-type"].contains(&k.as_str()))
    {
        return Err(ApiError::invalid(
            &format!("/data/attributes/{unknown}"),
            "is not an attribute of a document (takes file or files, inquiry-id, kind, document-type)",
        ));
    }
    let inquiry_id = optional_string(&attributes, "/data/attributes", "inquiry-id")?;
    let kind = optional_string(&attributes, "/data/attributes", "kind")?
        .unwrap_or_else(|| "document".into());
    let document_type = optional_string(&attributes, "/data/attributes", "document-type")?;
    for (name, value) in [
        ("kind", Some(&kind)),
        ("document-type", document_type.as_ref()),
    ] {
        if value.is_some_and(|v| v.len() > 64) {
            return Err(ApiError::invalid(
                &format!("/data/attributes/{name}"),
                "must be at most 64 characters",
            ));
        }
    }
    let uploads = body.take_files()?;
    let files = keep_files(
        &state,
        uploads.into_iter().map(|u| (u.filename, u.bytes)).collect(),
    )
    .await?;
    let new = NewDocument {
        kind,
        document_type,
        inquiry_id,
        files,
        government_id: None,
    };
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let document = documents::create(tx, &ctx.acting(), new)?;
        Ok(written(StatusCode::CREATED, document))
    })
    .await
}

/// Keep files (a name and bytes each) in the data directory, durable before the
/// transaction that records them commits.
pub(crate) async fn keep_files(
    state: &AppState,
    uploads: Vec<(String, Vec<u8>)>,
) -> ApiResult<Vec<DocumentFile>> {
    let blobs = blobs(state)?.clone();
    tokio::task::spawn_blocking(move || -> std::io::Result<Vec<DocumentFile>> {
        uploads
            .into_iter()
            .map(|(filename, bytes)| {
                let (sha256, name) = blobs.put(&bytes)?;
                Ok(DocumentFile {
                    content_type: sniff(&bytes).to_string(),
                    byte_size: bytes.len(),
                    sha256,
                    stored_as: Some(name),
                    filename,
                })
            })
            .collect()
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(|e| ApiError::Internal(e.to_string()))
}

/// `GET /document/generics/{id}` and `GET /documents/{id}`.
pub async fn retrieve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    super::retrieve_record::<Document>(
        &state,
        &ctx,
        "document",
        "document",
        &id,
        views::document::resource,
    )
}

/// `GET /document/government-ids/{id}`: a government ID (another kind is not found here).
pub async fn retrieve_government_id(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("document", Access::Read)?;
    let document = state
        .store
        .get::<Document>(ctx.env_id(), &id)?
        .filter(|d| d.government_id.is_some())
        .ok_or_else(|| not_found(&id))?;
    Ok(crate::protocol::finish(
        views::single(views::document::resource(&document), None),
        &ctx,
        StatusCode::OK,
    ))
}

/// Beyond Persona: `GET /documents/{id}/files/{sha256}/{filename}`, a file's bytes.
pub async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, sha256, _name)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    ctx.require("document", Access::Read)?;
    let document = state
        .store
        .get::<Document>(ctx.env_id(), &id)?
        .ok_or_else(|| not_found(&id))?;
    let file = document
        .files
        .iter()
        .find(|f| f.sha256 == sha256)
        .ok_or_else(|| ApiError::not_found(format!("document `{id}` has no file `{sha256}`")))?
        .clone();
    let blobs = state
        .blobs
        .clone()
        .ok_or_else(|| ApiError::Internal("no data directory".into()))?;
    let (name, sha256) = (file.stored_name().to_string(), file.sha256.clone());
    let bytes = tokio::task::spawn_blocking(move || blobs.get(&name, &sha256))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .ok_or_else(|| ApiError::Internal(format!("the bytes of document {id} are missing")))?;
    Ok(file_response(bytes, &file.content_type, &file.filename))
}

/// Beyond Persona: `DELETE /document/generics/{id}`: the files are deleted.
pub async fn redact(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("document", Access::Write)?;
    ctx.require_permission(vigil_domain::permissions::REDACT)?;
    blobs(&state)?;
    let ctx = ctx.without_idempotency_key();
    let orphaned = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let out = orphaned.clone();
    let reply = write(&state, &ctx, "", move |tx, ctx| {
        let mut document = documents::load_unredacted(tx, ctx.env_id(), &id)?;
        *out.lock().unwrap() = documents::redact(tx, &ctx.acting(), &mut document)?;
        tx.request_checkpoint();
        Ok(written(StatusCode::OK, document))
    })
    .await?;
    let hashes = std::mem::take(&mut *orphaned.lock().unwrap());
    documents::delete_files(&state, hashes).await;
    Ok(reply)
}
