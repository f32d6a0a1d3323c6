//! Inquiries (`/inquiries`), their sessions (`/inquiry-sessions`) and templates
//! (`/inquiry-templates`).
//!
//! Every status change goes through `use_cases::inquiries::transition` (the domain's
//! lifecycle, which refuses illegal moves: 409 here).

pub mod actions;
pub mod crud;
pub mod flow;
pub mod flow_steps;
pub mod sessions;
pub mod templates;

use axum::http::StatusCode;
use serde_json::{json, Value};
use vigil_domain::ids;
use vigil_domain::inquiry::session::InquirySession;
use vigil_domain::inquiry::Inquiry;
use vigil_store::WriteTx;

use crate::credentials::hash_secret;
use crate::protocol::{write, ApiResult, Ctx, Doc, Reply, Written};
use crate::use_cases::inquiries;
use crate::views;
use crate::AppState;

/// A session token for `session` (only its hash is kept).
pub(crate) fn issue_token(session: &mut InquirySession) -> String {
    let token = ids::random_token(ids::prefix::INQUIRY_SESSION_TOKEN, 40);
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
        let mut inquiry = inquiries::load(tx, ctx.env_id(), &id)?;
        inquiries::ensure_not_redacted(&inquiry)?;
        let meta = change(tx, ctx, &mut inquiry)?;
        tx.put(ctx.env_id(), &inquiry)?;
        Ok(written(StatusCode::OK, inquiry, meta))
    })
    .await
}

/// `{"one-time-link": .., "one-time-link-short": ..}`.
pub(crate) fn link_meta(links: Option<(String, String)>) -> Value {
    let (long, short) = links.unzip();
    json!({ "one-time-link": long, "one-time-link-short": short })
}
