//! Mutations: run on the storage writer, atomically with their events and with the stored
//! idempotent response, and answered only once durable.

use axum::http::StatusCode;
use serde_json::Value;
use vigil_store::{transact, StoredResponse, WriteTx};

use super::context::Ctx;
use super::error::{ApiError, ApiResult};
use super::render::{finish, Reply};
use crate::AppState;

/// How long a stored idempotent response is replayed.
pub const IDEMPOTENCY_TTL_MILLIS: i64 = 24 * 60 * 60 * 1000;

/// What a mutation produced: the kebab-case document and the object it is about.
pub struct Written {
    pub status: StatusCode,
    pub doc: Value,
    pub object_id: Option<String>,
}

fn replay(stored: StoredResponse, request_hash: &str) -> ApiResult<Reply> {
    if stored.request_hash != request_hash {
        return Err(ApiError::Conflict {
            title: "Conflict",
            details: "Idempotency-Key was already used with different request parameters; use a new key for a new request".into(),
        });
    }
    let status =
        StatusCode::from_u16(stored.status).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(Reply {
        status,
        body: stored.body,
        replayed: true,
    })
}

/// Run `mutation` in a write transaction. With an `Idempotency-Key`, the first response is
/// stored in the same transaction and replayed for repeats of the same request; a repeat
/// with different parameters is a 409. Concurrent repeats are serialised by the writer, so
/// they create one object.
pub async fn write<F>(
    state: &AppState,
    ctx: &Ctx,
    request_hash: &str,
    mutation: F,
) -> ApiResult<Reply>
where
    F: FnOnce(&mut dyn WriteTx, &Ctx) -> ApiResult<Written> + Send + 'static,
{
    let key = ctx.idempotency_key.clone();
    let fresh_after = ctx.now - IDEMPOTENCY_TTL_MILLIS;
    // Fast path: a replay needs no writer round trip.
    if let Some(key) = &key {
        if let Some(stored) = state.store.stored_response(ctx.env_id(), key)? {
            if stored.created_at > fresh_after {
                return replay(stored, request_hash);
            }
        }
    }
    let ctx = ctx.clone();
    let request_hash = request_hash.to_string();
    transact(&state.store, move |tx| {
        if let Some(key) = &key {
            if let Some(stored) = tx.stored_response(ctx.env_id(), key)? {
                if stored.created_at > fresh_after {
                    return replay(stored, &request_hash);
                }
            }
        }
        let written = mutation(tx, &ctx)?;
        let reply = finish(written.doc, &ctx, written.status);
        if let Some(key) = &key {
            let stored = StoredResponse {
                request_hash,
                object_id: written.object_id,
                status: reply.status.as_u16(),
                body: reply.body.clone(),
                created_at: ctx.now,
            };
            tx.put_stored_response(ctx.env_id(), key, &stored)?;
        }
        Ok(reply)
    })
    .await
}
