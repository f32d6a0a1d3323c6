//! Redact, consolidate, and (beyond Persona) archive and restore.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;
use vigil_domain::permissions::Access;

use super::{act_on_account, allow_meta, load, written_account};
use crate::protocol::{write, ApiBody, ApiError, ApiResult, Ctx, Reply};
use crate::use_cases::{accounts, documents};
use crate::AppState;

/// `DELETE /accounts/{id}`: remove the account's personal data from the account, from the
/// snapshots of every event about it, and from stored idempotent responses; then truncate
/// the write-ahead log so the old pages leave the disk. The account stays usable.
pub async fn redact(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("account", Access::Write)?;
    ctx.require_permission(vigil_domain::permissions::REDACT)?;
    let ctx = ctx.without_idempotency_key();
    let orphaned = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let out = orphaned.clone();
    let reply = write(&state, &ctx, "", move |tx, ctx| {
        let mut account = load(tx, ctx, &id)?;
        *out.lock().unwrap() = accounts::redact(tx, &ctx.acting(), &mut account)?;
        tx.request_checkpoint();
        written_account(tx, ctx, StatusCode::OK, account)
    })
    .await?;
    let files = std::mem::take(&mut *orphaned.lock().unwrap());
    documents::delete_files(&state, files).await;
    Ok(reply)
}

/// Largest number of sources one consolidation takes.
const MAX_SOURCES: usize = 100;

pub async fn consolidate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("account", Access::Write)?;
    let meta = body.meta()?;
    allow_meta(&meta, &["source-account-ids"])?;
    let sources: Vec<String> = match meta.get("source-account-ids") {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                item.as_str().map(String::from).ok_or_else(|| {
                    ApiError::bad_field(
                        &format!("/meta/source-account-ids/{i}"),
                        "must be a string",
                    )
                })
            })
            .collect::<ApiResult<_>>()?,
        None | Some(Value::Null) => {
            return Err(ApiError::bad_field(
                "/meta/source-account-ids",
                "is missing",
            ))
        }
        Some(_) => {
            return Err(ApiError::bad_field(
                "/meta/source-account-ids",
                "must be an array of account ids",
            ))
        }
    };
    if sources.is_empty() || sources.len() > MAX_SOURCES {
        return Err(ApiError::invalid(
            "/meta/source-account-ids",
            &format!("must name 1 to {MAX_SOURCES} accounts"),
        ));
    }
    if let Some(i) = sources.iter().position(|s| *s == id) {
        return Err(ApiError::invalid(
            &format!("/meta/source-account-ids/{i}"),
            "an account cannot be consolidated into itself",
        ));
    }
    let mut unique = sources.clone();
    unique.sort();
    unique.dedup();
    if unique.len() != sources.len() {
        return Err(ApiError::invalid(
            "/meta/source-account-ids",
            "names an account more than once",
        ));
    }
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let mut destination = load(tx, ctx, &id)?;
        accounts::consolidate(tx, &ctx.acting(), &mut destination, &sources)?;
        // What moved is counted in the event's context: Persona's 202 document has no
        // room for it (no top-level meta).
        written_account(tx, ctx, StatusCode::ACCEPTED, destination)
    })
    .await
}

pub async fn archive(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("account", Access::Write)?;
    allow_meta(&body.meta()?, &[])?;
    act_on_account(&state, &ctx, &body.request_hash, move |tx, acting| {
        accounts::archive(tx, acting, &id)
    })
    .await
}

pub async fn restore(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("account", Access::Write)?;
    allow_meta(&body.meta()?, &[])?;
    act_on_account(&state, &ctx, &body.request_hash, move |tx, acting| {
        accounts::restore(tx, acting, &id)
    })
    .await
}
