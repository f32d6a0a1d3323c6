//! Generic documents: retrieve (`GET /document/generics/{id}`, `GET /documents/{id}`), and
//! beyond Persona, create with a file (`POST /document/generics`, the file inline or
//! multipart as importers take it), download a file, and redact (`DELETE`). Files are kept
//! in the data directory by content hash (see `blobs`); an inquiry's redaction redacts its
//! documents.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use vigil_domain::document::{sniff, Document, DocumentFile};
use vigil_domain::events;
use vigil_domain::ids::{self, prefix};
use vigil_domain::inquiry::Inquiry;
use vigil_domain::permissions::Access;
use vigil_store::{term, PageRequest, RecordFilter, WriteTx};

use super::accounts::owner::optional_string;
use crate::protocol::{
    file_response, record_event_at, replace_snapshots, write, ApiError, ApiResult, Ctx, Doc, Reply,
    UploadBody, Written,
};
use crate::views;
use crate::AppState;

use crate::views::document::TYPE;

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("document `{id}` is not found"))
}

fn blobs(state: &AppState) -> ApiResult<&crate::blobs::Blobs> {
    state.blobs.as_deref().ok_or_else(|| {
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

fn record(
    tx: &mut dyn WriteTx,
    env: &str,
    now: i64,
    name: &str,
    document: &Document,
) -> ApiResult<()> {
    record_event_at(tx, env, now, name, (TYPE, &document.id), document, None)
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
    let blobs = state
        .blobs
        .clone()
        .ok_or_else(|| ApiError::Internal("no data directory".into()))?;
    // Durable before the transaction that points at them commits.
    let files = tokio::task::spawn_blocking(move || -> std::io::Result<Vec<DocumentFile>> {
        uploads
            .into_iter()
            .map(|upload| {
                let (sha256, name) = blobs.put(&upload.bytes)?;
                Ok(DocumentFile {
                    content_type: sniff(&upload.bytes).to_string(),
                    byte_size: upload.bytes.len(),
                    sha256,
                    stored_as: Some(name),
                    filename: upload.filename,
                })
            })
            .collect()
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let env = ctx.env_id();
        let document = Document {
            id: ids::new_time_ordered_id(prefix::DOCUMENT, ctx.now),
            kind,
            document_type,
            inquiry_id: inquiry_id.clone(),
            files,
            created_at: ctx.now,
            redacted_at: None,
        };
        if let Some(id) = &inquiry_id {
            let mut inquiry = tx.get::<Inquiry>(env, id)?.ok_or_else(|| {
                ApiError::not_found(format!("data.attributes.inquiry-id `{id}` is not found"))
            })?;
            super::inquiries::ensure_not_redacted(&inquiry)?;
            inquiry.document_ids.push(document.id.clone());
            inquiry.updated_at = ctx.now;
            tx.put(env, &inquiry)?;
        }
        tx.put(env, &document)?;
        record(tx, env, ctx.now, events::DOCUMENT_CREATED, &document)?;
        Ok(written(StatusCode::CREATED, document))
    })
    .await
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

/// Redact one document inside a transaction: returns the names of the files no live
/// document holds any more, for the caller to delete once the transaction commits.
pub(crate) fn redact_in_tx(
    tx: &mut dyn WriteTx,
    env: &str,
    now: i64,
    document: &mut Document,
) -> ApiResult<Vec<String>> {
    let files = document.redact(now);
    tx.put(env, &*document)?;
    replace_snapshots(tx, env, &document.id, &*document)?;
    record(tx, env, now, events::DOCUMENT_REDACTED, document)?;
    let mut orphaned = Vec::new();
    for file in files {
        // A file named per document is this document's alone; one stored by its hash
        // (before names were per document) may be held by documents in any environment.
        if file.stored_as.is_some() || !held_anywhere(tx, &file.sha256)? {
            orphaned.push(file.stored_name().to_string());
        }
    }
    Ok(orphaned)
}

/// Whether a live document of any environment holds the file stored as `name`.
fn held_anywhere(tx: &mut dyn WriteTx, name: &str) -> ApiResult<bool> {
    let holders = RecordFilter::default().any_of(vec![term("file", name), term("sha256", name)]);
    for env in tx.environments()? {
        let found = tx.find::<Document>(&env.id, &holders, 50)?;
        if found
            .iter()
            .any(|d| d.files.iter().any(|f| f.stored_name() == name))
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Delete files whose last document was redacted (after the commit).
pub(crate) async fn delete_files(state: &AppState, names: Vec<String>) {
    let Some(blobs) = state.blobs.clone() else {
        return;
    };
    let _ = tokio::task::spawn_blocking(move || {
        for name in names {
            if let Err(error) = blobs.delete(&name) {
                tracing::error!(%error, "a redacted document's file could not be deleted; the next start retries");
            }
        }
    })
    .await;
}

/// Beyond Persona: `DELETE /document/generics/{id}`: the files are deleted.
pub async fn redact(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("document", Access::Write)?;
    blobs(&state)?;
    let ctx = ctx.without_idempotency_key();
    let orphaned = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let out = orphaned.clone();
    let reply = write(&state, &ctx, "", move |tx, ctx| {
        let env = ctx.env_id();
        let mut document = tx
            .get::<Document>(env, &id)?
            .ok_or_else(|| not_found(&id))?;
        if document.redacted_at.is_some() {
            return Err(ApiError::conflict(format!("document `{id}` is redacted")));
        }
        *out.lock().unwrap() = redact_in_tx(tx, env, ctx.now, &mut document)?;
        tx.request_checkpoint();
        Ok(written(StatusCode::OK, document))
    })
    .await?;
    let hashes = std::mem::take(&mut *orphaned.lock().unwrap());
    delete_files(&state, hashes).await;
    Ok(reply)
}

/// At start: delete files no live document holds (a crash between a commit and the file
/// operation that follows it).
pub(crate) async fn sweep(state: &AppState) {
    let (Some(blobs), store) = (state.blobs.clone(), state.store.clone()) else {
        return;
    };
    let swept = tokio::task::spawn_blocking(move || {
        let environments = store.environments().unwrap_or_default();
        blobs.sweep(|name| {
            let filter =
                RecordFilter::default().any_of(vec![term("file", name), term("sha256", name)]);
            let one = PageRequest {
                size: 50,
                ..Default::default()
            };
            // When unsure (a read failed), keep the file.
            environments.iter().any(|env| {
                store
                    .find::<Document>(&env.id, &filter, &one)
                    .map_or(true, |p| {
                        p.items
                            .iter()
                            .any(|d| d.files.iter().any(|f| f.stored_name() == name))
                    })
            })
        })
    })
    .await;
    match swept {
        Ok(Ok(0)) => {}
        Ok(Ok(n)) => tracing::info!(files = n, "removed document files no document holds"),
        Ok(Err(error)) => tracing::error!(%error, "could not sweep document files"),
        Err(error) => tracing::error!(%error, "could not sweep document files"),
    }
}
