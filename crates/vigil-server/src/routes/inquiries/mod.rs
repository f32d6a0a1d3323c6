//! Inquiries (`/inquiries`), their sessions (`/inquiry-sessions`) and templates
//! (`/inquiry-templates`).
//!
//! Every status change goes through the domain's lifecycle (`Inquiry::apply`), which refuses
//! illegal moves (409 here) and names the event each move records. The helpers below are
//! the transaction-side steps handlers and the expiry scheduler share.

pub mod actions;
pub mod crud;
pub mod sessions;
pub mod templates;

use axum::http::StatusCode;
use serde_json::{json, Value};
use vigil_domain::document::Document;
use vigil_domain::events;
use vigil_domain::ids::{self, prefix};
use vigil_domain::inquiry::session::InquirySession;
use vigil_domain::inquiry::{Action, Inquiry};
use vigil_store::{term, RecordFilter, WriteTx};

use crate::protocol::context::hash_secret;
use crate::protocol::{
    record_event_at, replace_snapshots, write, ApiError, ApiResult, Ctx, Doc, Reply, Written,
};
use crate::views;
use crate::AppState;

/// Persona's limit of sessions per inquiry.
pub(crate) const MAX_SESSIONS: usize = 25;

pub(crate) fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("inquiry `{id}` is not found"))
}

pub(crate) fn load(tx: &mut dyn WriteTx, env: &str, id: &str) -> ApiResult<Inquiry> {
    tx.get::<Inquiry>(env, id)?.ok_or_else(|| not_found(id))
}

pub(crate) fn ensure_not_redacted(inquiry: &Inquiry) -> ApiResult<()> {
    match inquiry.redacted_at {
        Some(_) => Err(ApiError::conflict(format!(
            "inquiry `{}` is redacted",
            inquiry.id
        ))),
        None => Ok(()),
    }
}

/// Record an event about an inquiry, in the same transaction as the change.
pub(crate) fn record(
    tx: &mut dyn WriteTx,
    env: &str,
    now: i64,
    name: &str,
    inquiry: &Inquiry,
    context: Option<Value>,
) -> ApiResult<()> {
    record_event_at(
        tx,
        env,
        now,
        name,
        (views::inquiry::TYPE, &inquiry.id),
        inquiry,
        context,
    )
}

pub(crate) fn record_session(
    tx: &mut dyn WriteTx,
    env: &str,
    now: i64,
    name: &str,
    session: &InquirySession,
) -> ApiResult<()> {
    record_event_at(
        tx,
        env,
        now,
        name,
        (views::inquiry::SESSION, &session.id),
        session,
        None,
    )
}

/// Move the inquiry by `action`, recording the event the move names (none when it was
/// already there). Expiring also expires its sessions. The caller saves the inquiry (once,
/// however many moves it made).
pub(crate) fn transition(
    tx: &mut dyn WriteTx,
    env: &str,
    now: i64,
    inquiry: &mut Inquiry,
    action: Action,
) -> ApiResult<bool> {
    let moved = inquiry
        .apply(action, now)
        .map_err(|e| ApiError::conflict(format!("{e} (inquiry `{}`)", inquiry.id)))?;
    let Some(event) = moved.event else {
        return Ok(false);
    };
    if action == Action::Expire {
        expire_sessions(tx, env, now, &inquiry.id)?;
    }
    if action == Action::Start {
        start_newest_session(tx, env, now, &inquiry.id)?;
    }
    record(tx, env, now, event, inquiry, None)?;
    Ok(true)
}

/// Expire every session of the inquiry that has not expired; returns them.
pub(crate) fn expire_sessions(
    tx: &mut dyn WriteTx,
    env: &str,
    now: i64,
    inquiry_id: &str,
) -> ApiResult<Vec<InquirySession>> {
    let filter = RecordFilter::default()
        .any_of(vec![term("inquiry", inquiry_id)])
        .any_of(vec![term("status", "new"), term("status", "active")]);
    let mut expired = Vec::new();
    for mut session in tx.find::<InquirySession>(env, &filter, MAX_SESSIONS * 4)? {
        if session.expire(now) {
            tx.put(env, &session)?;
            record_session(tx, env, now, events::INQUIRY_SESSION_EXPIRED, &session)?;
            expired.push(session);
        }
    }
    Ok(expired)
}

/// The person began: their newest session that has not started becomes active.
fn start_newest_session(
    tx: &mut dyn WriteTx,
    env: &str,
    now: i64,
    inquiry_id: &str,
) -> ApiResult<()> {
    let filter = RecordFilter::default()
        .any_of(vec![term("inquiry", inquiry_id)])
        .any_of(vec![term("status", "new")]);
    if let Some(mut session) = tx.find::<InquirySession>(env, &filter, 1)?.pop() {
        if session.start(now) {
            tx.put(env, &session)?;
            record_session(tx, env, now, events::INQUIRY_SESSION_STARTED, &session)?;
        }
    }
    Ok(())
}

/// A new session of `inquiry` (saved, event recorded), refused past Persona's limit.
pub(crate) fn new_session(
    tx: &mut dyn WriteTx,
    env: &str,
    now: i64,
    inquiry: &mut Inquiry,
) -> ApiResult<InquirySession> {
    ensure_not_redacted(inquiry)?;
    if inquiry.status().decided() {
        return Err(ApiError::conflict(format!(
            "inquiry `{}` is {}: it takes no new sessions",
            inquiry.id,
            inquiry.status()
        )));
    }
    if inquiry.session_ids.len() >= MAX_SESSIONS {
        return Err(ApiError::invalid(
            "/data/attributes/inquiry-id",
            &format!(
                "inquiry `{}` already has {MAX_SESSIONS} sessions, the most it may have",
                inquiry.id
            ),
        ));
    }
    let session = InquirySession::new(
        ids::new_time_ordered_id(prefix::INQUIRY_SESSION, now),
        inquiry.id.clone(),
        now,
    );
    inquiry.session_ids.push(session.id.clone());
    tx.put(env, &session)?;
    record_session(tx, env, now, events::INQUIRY_SESSION_CREATED, &session)?;
    Ok(session)
}

/// A session token for `session` (only its hash is kept).
pub(crate) fn issue_token(session: &mut InquirySession) -> String {
    let token = ids::random_token("iqst", 40);
    session.token_hash = Some(hash_secret(&token));
    token
}

/// A one-time link to `session`, valid for `seconds`; returns the long and short URLs.
pub(crate) fn issue_link(
    state_url: &str,
    session: &mut InquirySession,
    now: i64,
    seconds: i64,
) -> (String, String) {
    let code = ids::random_token("otl", 24);
    session.link_code_hash = Some(hash_secret(&code));
    session.link_expires_at = Some(now + seconds * 1000);
    (
        format!("{state_url}/verify?code={code}"),
        format!("{state_url}/v/{code}"),
    )
}

/// The answer of an inquiry write, with `meta` when given.
pub(crate) fn written(status: StatusCode, inquiry: Inquiry, meta: Option<Value>) -> Written {
    let id = inquiry.id.clone();
    let doc = Doc::later(move |_| views::single(views::inquiry::resource(&inquiry), None));
    Written {
        status,
        object_id: Some(id),
        doc: match meta {
            Some(meta) => doc.with_meta(meta),
            None => doc,
        },
    }
}

/// Load an inquiry that is not redacted, let `change` change it (recording its own events
/// with the helpers above), save it, and answer with it and `change`'s meta.
pub(crate) async fn act_on_inquiry<F>(
    state: &AppState,
    ctx: &Ctx,
    request_hash: &str,
    id: String,
    change: F,
) -> ApiResult<Reply>
where
    F: FnOnce(&mut dyn WriteTx, &Ctx, &mut Inquiry) -> ApiResult<Option<Value>> + Send + 'static,
{
    write(state, ctx, request_hash, move |tx, ctx| {
        let mut inquiry = load(tx, ctx.env_id(), &id)?;
        ensure_not_redacted(&inquiry)?;
        let meta = change(tx, ctx, &mut inquiry)?;
        tx.put(ctx.env_id(), &inquiry)?;
        Ok(written(StatusCode::OK, inquiry, meta))
    })
    .await
}

/// Redact an inquiry inside a transaction: what the person submitted, its sessions' device
/// data and its documents (here and in their events), its stored responses. Returns the
/// document files no live document holds any more, to delete once this commits. The
/// caller asks for the checkpoint.
pub(crate) fn redact_in_tx(
    tx: &mut dyn WriteTx,
    env: &str,
    now: i64,
    inquiry: &mut Inquiry,
) -> ApiResult<Vec<String>> {
    let mut orphaned = Vec::new();
    for document_id in inquiry.document_ids.clone() {
        if let Some(mut document) = tx.get::<Document>(env, &document_id)? {
            if document.redacted_at.is_none() {
                orphaned.extend(crate::routes::documents::redact_in_tx(
                    tx,
                    env,
                    now,
                    &mut document,
                )?);
            }
        }
    }
    expire_sessions(tx, env, now, &inquiry.id)?;
    for session_id in inquiry.session_ids.clone() {
        if let Some(mut session) = tx.get::<InquirySession>(env, &session_id)? {
            session.redact();
            tx.put(env, &session)?;
            replace_snapshots(tx, env, &session.id, &session)?;
        }
    }
    inquiry.redact(now);
    tx.put(env, &*inquiry)?;
    replace_snapshots(tx, env, &inquiry.id, &*inquiry)?;
    tx.delete_stored_responses_for(env, &inquiry.id)?;
    record(tx, env, now, events::INQUIRY_REDACTED, inquiry, None)?;
    Ok(orphaned)
}

/// `{"one-time-link": .., "one-time-link-short": ..}`.
pub(crate) fn link_meta(links: Option<(String, String)>) -> Value {
    let (long, short) = links.unzip();
    json!({ "one-time-link": long, "one-time-link-short": short })
}
