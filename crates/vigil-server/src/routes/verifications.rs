//! Verifications (`/verifications/{id}`, and per kind `/verification/{kinds}/{id}`): what
//! each submitted step of an inquiry was checked for. They are part of their inquiry, so
//! they take the inquiry permissions (redaction also `redact`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use vigil_domain::permissions::{self, Access};
use vigil_domain::verification::{Verification, VerificationKind};

use crate::protocol::{
    file_response, write, ApiBody, ApiError, ApiResult, Ctx, Doc, Reply, Written,
};
use crate::use_cases::verifications;
use crate::views;
use crate::AppState;

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("verification `{id}` is not found"))
}

fn written(found: Verification) -> Written {
    Written {
        status: StatusCode::OK,
        object_id: Some(found.id.clone()),
        doc: Doc::later(move |_| views::single(views::verification::resource(&found), None)),
    }
}

/// `GET /verifications/{id}`: any kind.
pub async fn retrieve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    crate::routes::retrieve_record::<Verification>(
        &state,
        &ctx,
        "inquiry",
        "verification",
        &id,
        views::verification::resource,
    )
}

/// `GET /verification/{kinds}/{id}` (`databases`, `government-ids`, `selfies`): a
/// verification of another kind is not found here, as in Persona.
pub async fn retrieve_kind(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((kinds, id)): Path<(String, String)>,
) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Read)?;
    let Some(kind) = VerificationKind::by_plural(&kinds) else {
        return Err(crate::routes::not_found().await);
    };
    let found = state
        .store
        .get::<Verification>(ctx.env_id(), &id)?
        .filter(|v| v.kind == kind)
        .ok_or_else(|| not_found(&id))?;
    Ok(crate::protocol::finish(
        views::single(views::verification::resource(&found), None),
        &ctx,
        StatusCode::OK,
    ))
}

/// `DELETE /verifications/{id}`: what it read and its checks' details are removed, here
/// and in its events; refused (409) while it is locked for an investigation.
pub async fn redact(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Write)?;
    ctx.require_permission(permissions::REDACT)?;
    let ctx = ctx.without_idempotency_key();
    let orphaned = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let out = orphaned.clone();
    let reply = write(&state, &ctx, "", move |tx, ctx| {
        let mut found = verifications::load(tx, ctx.env_id(), &id)?;
        *out.lock().unwrap() = verifications::redact(tx, &ctx.acting(), &mut found)?;
        tx.request_checkpoint();
        Ok(written(found))
    })
    .await?;
    let files = std::mem::take(&mut *orphaned.lock().unwrap());
    crate::use_cases::documents::delete_files(&state, files).await;
    Ok(reply)
}

async fn set_locked(
    state: AppState,
    ctx: Ctx,
    id: String,
    body: ApiBody,
    locked: bool,
) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Write)?;
    crate::routes::accounts::allow_meta(&body.meta()?, &[])?;
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let mut found = verifications::load(tx, ctx.env_id(), &id)?;
        verifications::set_locked(tx, &ctx.acting(), &mut found, locked)?;
        Ok(written(found))
    })
    .await
}

/// `POST /verifications/{id}/investigation-lock`: redaction is refused until unlocked.
pub async fn lock(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    set_locked(state, ctx, id, body, true).await
}

/// `POST /verifications/{id}/investigation-unlock`.
pub async fn unlock(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    set_locked(state, ctx, id, body, false).await
}

/// `GET /verifications/{id}/print`: the verification as a PDF.
pub async fn print(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    ctx.require("inquiry", Access::Read)?;
    let found = state
        .store
        .get::<Verification>(ctx.env_id(), &id)?
        .ok_or_else(|| not_found(&id))?;
    let pdf = views::verification_pdf::render(&found, state.now());
    Ok(file_response(pdf, "application/pdf", &format!("{id}.pdf")))
}
