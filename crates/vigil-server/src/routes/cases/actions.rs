//! Case actions: assign, set status, add and remove objects, tags; beyond Persona,
//! comments.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;
use vigil_domain::case::{Case, CaseComment};
use vigil_domain::permissions::Access;
use vigil_store::{term, PageRequest, RecordFilter};

use super::{act_on_case, object_ids};
use crate::protocol::{paging, write, ApiBody, ApiError, ApiResult, Ctx, Doc, Reply, Written};
use crate::routes::accounts::tags;
use crate::routes::accounts::{allow_meta, meta_string};
use crate::use_cases::cases;
use crate::views;
use crate::AppState;
use vigil_domain::tag_change::TagChange;

/// `POST /cases/{id}/assign` with `meta.user-email-address`.
pub async fn assign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("case", Access::Write)?;
    let meta = body.meta()?;
    allow_meta(&meta, &["user-email-address"])?;
    let email = meta_string(&meta, "user-email-address")?;
    act_on_case(
        &state,
        &ctx,
        &body.request_hash,
        id,
        move |tx, acting, case| Ok(cases::assign(tx, acting, case, &email)?),
    )
    .await
}

/// `POST /cases/{id}/set-status` with `meta.status` (`open`, `pending`, `resolved`, or one
/// of the template's resolutions) and, beyond Persona, `meta.resolution`.
pub async fn set_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("case", Access::Write)?;
    let meta = body.meta()?;
    allow_meta(&meta, &["status", "resolution"])?;
    let status = meta_string(&meta, "status")?;
    // Reopening or parking a case is work on it; anything else decides it.
    if !["open", "pending"].contains(&status.as_str()) {
        ctx.require_permission(vigil_domain::permissions::CASE_DECIDE)?;
    }
    let resolution = match meta.get("resolution") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(ApiError::bad_field("/meta/resolution", "must be a string")),
    };
    act_on_case(
        &state,
        &ctx,
        &body.request_hash,
        id,
        move |tx, acting, case| {
            Ok(cases::set_status(
                tx,
                acting,
                case,
                &status,
                resolution.as_deref(),
            )?)
        },
    )
    .await
}

async fn change_objects(
    state: AppState,
    ctx: Ctx,
    id: String,
    body: ApiBody,
    add: bool,
) -> ApiResult<Reply> {
    ctx.require("case", Access::Write)?;
    let meta = body.meta()?;
    allow_meta(&meta, &["object-ids"])?;
    let ids = object_ids(&meta)?;
    if ids.is_empty() {
        return Err(ApiError::bad_field("/meta/object-ids", "is missing"));
    }
    act_on_case(
        &state,
        &ctx,
        &body.request_hash,
        id,
        move |tx, acting, case| {
            cases::change_objects(tx, acting, case, &ids, add, None)?;
            Ok(())
        },
    )
    .await
}

/// `POST /cases/{id}/add-objects` with `meta.object-ids` (accounts, inquiries, reports).
pub async fn add_objects(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    change_objects(state, ctx, id, body, true).await
}

/// `POST /cases/{id}/remove-objects`.
pub async fn remove_objects(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    change_objects(state, ctx, id, body, false).await
}

async fn change_tags(
    state: AppState,
    ctx: Ctx,
    id: String,
    body: ApiBody,
    change: TagChange,
) -> ApiResult<Reply> {
    ctx.require("case", Access::Write)?;
    act_on_case(
        &state,
        &ctx,
        &body.request_hash,
        id,
        move |tx, acting, case| Ok(cases::retag(tx, acting, case, change)?),
    )
    .await
}

pub async fn add_tag(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    let change = tags::add(&body)?;
    change_tags(state, ctx, id, body, change).await
}

pub async fn remove_tag(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    let change = tags::remove(&body)?;
    change_tags(state, ctx, id, body, change).await
}

pub async fn set_tags(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    let change = tags::set(&body)?;
    change_tags(state, ctx, id, body, change).await
}

/// Beyond Persona (which has no endpoint for it): `POST /cases/{id}/comments` with
/// `data.attributes.message`.
pub async fn create_comment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("case", Access::Write)?;
    let attributes = body.attributes()?;
    if let Some(unknown) = attributes.keys().find(|k| k.as_str() != "message") {
        return Err(ApiError::invalid(
            &format!("/data/attributes/{unknown}"),
            "is not an attribute of a case comment (takes message)",
        ));
    }
    let message = match attributes.get("message") {
        Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= 10_000 => s.clone(),
        Some(Value::String(s)) if s.trim().is_empty() => {
            return Err(ApiError::invalid(
                "/data/attributes/message",
                "must not be empty",
            ))
        }
        Some(Value::String(_)) => {
            return Err(ApiError::invalid(
                "/data/attributes/message",
                "must be at most 10000 characters",
            ))
        }
        None | Some(Value::Null) => {
            return Err(ApiError::bad_field(
                "/data/attributes/message",
                "is missing",
            ))
        }
        Some(_) => {
            return Err(ApiError::bad_field(
                "/data/attributes/message",
                "must be a string",
            ))
        }
    };
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let mut case = cases::load_open(tx, ctx.env_id(), &id)?;
        let comment = cases::comment(tx, &ctx.acting(), &mut case, message)?;
        tx.put(ctx.env_id(), &case)?;
        Ok(Written {
            status: StatusCode::CREATED,
            object_id: Some(comment.id.clone()),
            doc: Doc::later(move |_| views::single(views::case::comment(&comment), None)),
        })
    })
    .await
}

/// Beyond Persona: `GET /cases/{id}/comments`, newest first.
pub async fn list_comments(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("case", Access::Read)?;
    ctx.query.allow_filters(&[])?;
    state
        .store
        .get::<Case>(ctx.env_id(), &id)?
        .ok_or_else(|| ApiError::not_found(format!("case `{id}` is not found")))?;
    let filter = RecordFilter::default().any_of(vec![term("case", &id)]);
    let request: PageRequest = paging::request(&ctx.query)?;
    let page = state
        .store
        .find::<CaseComment>(ctx.env_id(), &filter, &request)?;
    paging::list_reply(
        &ctx,
        &format!("/api/v1/cases/{id}/comments"),
        &[],
        &request,
        &page,
        |c| c.id.clone(),
        |c| Ok(Some(views::case::comment(c))),
    )
}
