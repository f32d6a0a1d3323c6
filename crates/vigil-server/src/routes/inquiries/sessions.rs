//! Inquiry sessions: create, list, retrieve, expire one, expire every session of some
//! inquiries at once (the "reset a user stuck in a failed state" flow), one-time links.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;
use vigil_domain::inquiry::session::InquirySession;
use vigil_domain::inquiry::Inquiry;
use vigil_domain::permissions::Access;
use vigil_store::{PageRequest, RecordFilter, WriteTx};

use super::{issue_link, link_meta};
use crate::protocol::{paging, write, ApiBody, ApiError, ApiResult, Ctx, Doc, Reply, Written};
use crate::routes::accounts::allow_meta;
use crate::routes::accounts::owner::optional_string;
use crate::use_cases::inquiries;
use crate::views;
use crate::AppState;

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("inquiry session `{id}` is not found"))
}

fn load_session(tx: &mut dyn WriteTx, env: &str, id: &str) -> ApiResult<InquirySession> {
    tx.get::<InquirySession>(env, id)?
        .ok_or_else(|| not_found(id))
}

fn written(status: StatusCode, session: InquirySession, meta: Option<Value>) -> Written {
    let id = session.id.clone();
    let doc = Doc::later(move |_| views::single(views::inquiry::session(&session), None));
    Written {
        status,
        object_id: Some(id),
        doc: match meta {
            Some(meta) => doc.with_meta(meta),
            None => doc,
        },
    }
}

/// `POST /inquiry-sessions` with `data.attributes.inquiry-id`.
pub async fn create(State(state): State<AppState>, ctx: Ctx, body: ApiBody) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Write)?;
    let attributes = body.attributes()?;
    if let Some(unknown) = attributes.keys().find(|k| k.as_str() != "inquiry-id") {
        return Err(ApiError::invalid(
            &format!("/data/attributes/{unknown}"),
            "is not an attribute of an inquiry session (takes inquiry-id)",
        ));
    }
    let Some(inquiry_id) = optional_string(&attributes, "/data/attributes", "inquiry-id")? else {
        return Err(ApiError::bad_field(
            "/data/attributes/inquiry-id",
            "is missing",
        ));
    };
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let env = ctx.env_id();
        let mut inquiry = tx.get::<Inquiry>(env, &inquiry_id)?.ok_or_else(|| {
            ApiError::not_found(format!(
                "data.attributes.inquiry-id `{inquiry_id}` is not found"
            ))
        })?;
        let session = inquiries::new_session(tx, &ctx.acting(), &mut inquiry)?;
        inquiry.updated_at = ctx.now;
        tx.put(env, &inquiry)?;
        Ok(written(StatusCode::CREATED, session, None))
    })
    .await
}

/// `GET /inquiry-sessions/{id}`.
pub async fn retrieve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    crate::routes::retrieve_record::<InquirySession>(
        &state,
        &ctx,
        "inquiry",
        "inquiry session",
        &id,
        views::inquiry::session,
    )
}

/// `GET /inquiry-sessions`, newest first; `filter[inquiry-id]`; beyond Persona,
/// `filter[status]`.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Read)?;
    ctx.query.allow_filters(&["inquiry-id", "status"])?;
    let terms = |name: &str, key: &str| crate::routes::filters::terms(&ctx.query, name, key);
    let filter = RecordFilter::default()
        .any_of(terms("inquiry-id", "inquiry"))
        .any_of(terms("status", "status"));
    let request: PageRequest = paging::request(&ctx.query)?;
    let page = state
        .store
        .find::<InquirySession>(ctx.env_id(), &filter, &request)?;
    paging::list_reply(
        &ctx,
        "/api/v1/inquiry-sessions",
        &paging::filter_pairs(&ctx.query),
        &request,
        &page,
        |s| s.id.clone(),
        |s| Ok(Some(views::inquiry::session(s))),
    )
}

/// `POST /inquiry-sessions/{id}/expire`.
pub async fn expire(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Write)?;
    allow_meta(&body.meta()?, &[])?;
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let session = inquiries::expire_session(tx, &ctx.acting(), &id)?;
        Ok(written(StatusCode::OK, session, None))
    })
    .await
}

/// `POST /inquiry-sessions/expire-all` with `meta.inquiry-ids`: every session of those
/// inquiries that has not expired expires; the answer lists the sessions expired now.
pub async fn expire_all(
    State(state): State<AppState>,
    ctx: Ctx,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Write)?;
    let meta = body.meta()?;
    allow_meta(&meta, &["inquiry-ids"])?;
    let ids: Vec<String> = match meta.get("inquiry-ids") {
        Some(Value::Array(items)) if !items.is_empty() && items.len() <= 100 => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
                _ => Err(ApiError::bad_field(
                    &format!("/meta/inquiry-ids/{i}"),
                    "must be an inquiry id",
                )),
            })
            .collect::<ApiResult<_>>()?,
        Some(Value::Array(items)) if items.is_empty() => {
            return Err(ApiError::invalid(
                "/meta/inquiry-ids",
                "must name at least one inquiry",
            ))
        }
        Some(Value::Array(_)) => {
            return Err(ApiError::invalid(
                "/meta/inquiry-ids",
                "may name at most 100 inquiries",
            ))
        }
        None | Some(Value::Null) => {
            return Err(ApiError::bad_field("/meta/inquiry-ids", "is missing"))
        }
        Some(_) => {
            return Err(ApiError::bad_field(
                "/meta/inquiry-ids",
                "must be an array of inquiry ids",
            ))
        }
    };
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let env = ctx.env_id();
        let mut expired = Vec::new();
        for (index, id) in ids.iter().enumerate() {
            if tx.get::<Inquiry>(env, id)?.is_none() {
                return Err(ApiError::invalid(
                    &format!("/meta/inquiry-ids/{index}"),
                    &format!("inquiry `{id}` is not found"),
                ));
            }
            expired.extend(inquiries::expire_sessions(tx, &ctx.acting(), id)?);
        }
        Ok(Written {
            status: StatusCode::OK,
            object_id: None,
            doc: Doc::later(move |_| {
                serde_json::json!({ "data": expired.iter().map(views::inquiry::session).collect::<Vec<_>>() })
            }),
        })
    })
    .await
}

/// `POST /inquiry-sessions/{id}/generate-one-time-link`: a link to this session.
pub async fn generate_one_time_link(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Write)?;
    let seconds = super::actions::link_seconds(&body)?;
    let public_url = state.config.public_url.clone();
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let env = ctx.env_id();
        let mut session = load_session(tx, env, &id)?;
        let inquiry = inquiries::load(tx, env, &session.inquiry_id)?;
        inquiries::ensure_not_redacted(&inquiry)?;
        if session.status == vigil_domain::inquiry::session::SessionStatus::Expired {
            return Err(ApiError::conflict(format!(
                "inquiry session `{id}` is expired"
            )));
        }
        let links = issue_link(&public_url, &mut session, ctx.now, seconds);
        tx.put(env, &session)?;
        Ok(written(
            StatusCode::OK,
            session,
            Some(link_meta(Some(links))),
        ))
    })
    .await
}
