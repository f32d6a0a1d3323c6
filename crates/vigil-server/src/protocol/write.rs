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
    pub doc: Doc,
    pub object_id: Option<String>,
}

/// A response document, built now or (cheaper for the single storage writer) after the
/// commit from data the mutation captured.
pub enum Doc {
    Ready(Value),
    Deferred(Box<dyn FnOnce(&Ctx) -> Value + Send>),
}

impl Doc {
    pub fn later(render: impl FnOnce(&Ctx) -> Value + Send + 'static) -> Doc {
        Doc::Deferred(Box::new(render))
    }

    /// The same document with a top-level `meta`.
    pub fn with_meta(self, meta: Value) -> Doc {
        Doc::later(move |ctx| {
            let mut doc = self.render(ctx);
            if let Some(object) = doc.as_object_mut() {
                object.insert("meta".into(), meta);
            }
            doc
        })
    }

    fn render(self, ctx: &Ctx) -> Value {
        match self {
            Doc::Ready(value) => value,
            Doc::Deferred(render) => render(ctx),
        }
    }
}

/// Whether a stored response is still replayed at `now`.
fn is_fresh(stored: &StoredResponse, now: i64) -> bool {
    stored.created_at > now - IDEMPOTENCY_TTL_MILLIS
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
    // Fast path: a replay needs no writer round trip.
    if let Some(key) = &key {
        if let Some(stored) = state.store.stored_response(ctx.env_id(), key)? {
            if is_fresh(&stored, ctx.now) {
                return replay(stored, request_hash);
            }
        }
    }
    let job_ctx = ctx.clone();
    let request_hash = request_hash.to_string();
    let job_hash = request_hash.clone();
    let done = transact(&state.store, move |tx| {
        let ctx = job_ctx;
        if let Some(key) = &key {
            if let Some(stored) = tx.stored_response(ctx.env_id(), key)? {
                if is_fresh(&stored, ctx.now) {
                    return replay(stored, &job_hash).map(Done::Reply);
                }
            }
        }
        let written = mutation(tx, &ctx)?;
        let Some(key) = &key else {
            // Nothing to store: render after the commit, off the writer thread.
            return Ok(Done::Written(written));
        };
        let reply = finish(written.doc.render(&ctx), &ctx, written.status);
        let stored = StoredResponse {
            request_hash: job_hash,
            object_id: written.object_id,
            status: reply.status.as_u16(),
            body: reply.body.clone(),
            created_at: ctx.now,
        };
        tx.put_stored_response(ctx.env_id(), key, &stored)?;
        Ok(Done::Reply(reply))
    })
    .await;
    if done.is_ok() {
        state.written();
    }
    match done {
        Ok(Done::Reply(reply)) => Ok(reply),
        Ok(Done::Written(written)) => Ok(finish(written.doc.render(ctx), ctx, written.status)),
        Err(error) => {
            if let Some(key) = &ctx.idempotency_key {
                remember_error(state, ctx, key, request_hash, &error).await;
            }
            Err(error)
        }
    }
}

/// Store a failed request's error under its idempotency key, as Persona and Stripe do, so
/// a retry gets the same answer even if the data changed in between (an archived account
/// restored, an id created). Only the caller's errors are stored; server errors may be
/// retried. The mutation's writes were rolled back, so this is its own transaction, and it
/// never replaces a stored response.
async fn remember_error(
    state: &AppState,
    ctx: &Ctx,
    key: &str,
    request_hash: String,
    error: &ApiError,
) {
    let replayable = matches!(
        error,
        ApiError::BadRequest { .. }
            | ApiError::NotFound { .. }
            | ApiError::Conflict { .. }
            | ApiError::Unprocessable { .. }
    );
    if !replayable {
        return;
    }
    let env = ctx.env_id().to_string();
    let key = key.to_string();
    let stored = StoredResponse {
        request_hash,
        object_id: None,
        status: error.status().as_u16(),
        body: super::render::json_bytes(&error.body()),
        created_at: ctx.now,
    };
    let saved: Result<(), vigil_store::StoreError> = transact(&state.store, move |tx| {
        let existing = tx.stored_response(&env, &key)?;
        if existing.is_none_or(|e| !is_fresh(&e, stored.created_at)) {
            tx.put_stored_response(&env, &key, &stored)?;
        }
        Ok(())
    })
    .await;
    if let Err(error) = saved {
        tracing::warn!(%error, "could not store an idempotent error response");
    }
}

/// What the writer hands back: a finished reply (stored or replayed), or a document to
/// render once the commit is durable.
enum Done {
    Reply(Reply),
    Written(Written),
}
