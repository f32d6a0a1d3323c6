//! Case actions: assign, set status, add and remove objects, tags; beyond Persona,
//! comments.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;
use vigil_domain::case::{Case, CaseComment, Moved};
use vigil_domain::events;
use vigil_domain::ids::{self, prefix};
use vigil_domain::permissions::Access;
use vigil_store::{term, PageRequest, RecordFilter};

use super::crud::load_template;
use super::{act_on_case, actor, attach, ensure_not_redacted, load, object_ids, record};
use crate::protocol::{
    paging, record_event, write, ApiBody, ApiError, ApiResult, Ctx, Doc, Reply, Written,
};
use crate::routes::accounts::tags::TagChange;
use crate::routes::accounts::{allow_meta, meta_string};
use crate::views;
use crate::AppState;

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
    let email = vigil_domain::validate::email_address(&meta_string(&meta, "user-email-address")?)
        .map_err(|m| ApiError::invalid("/meta/user-email-address", &m))?;
    act_on_case(
        &state,
        &ctx,
        &body.request_hash,
        id,
        move |tx, ctx, case| {
            if case.assign(email, actor(ctx), ctx.now) {
                record(tx, ctx.env_id(), ctx.now, events::CASE_ASSIGNED, case, None)?;
            }
            Ok(())
        },
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
        move |tx, ctx, case| {
            let env = ctx.env_id();
            let template = load_template(tx, env, &case.template_id, "case template")?;
            let change = template
                .status_change(&status, resolution.as_deref())
                .map_err(|e| ApiError::invalid("/meta/status", &e.0))?;
            let moved = case
                .set_status(change, actor(ctx), ctx.now)
                .map_err(|illegal| ApiError::conflict(illegal.0))?;
            let event = match moved {
                Moved::Unchanged => return Ok(()),
                Moved::Resolved => events::CASE_RESOLVED,
                Moved::Reopened => events::CASE_REOPENED,
                Moved::Changed => events::CASE_STATUS_UPDATED,
            };
            record(tx, env, ctx.now, events::CASE_STATUS_UPDATED, case, None)?;
            if event != events::CASE_STATUS_UPDATED {
                record(tx, env, ctx.now, event, case, None)?;
            }
            if event == events::CASE_RESOLVED {
                super::decide::carry_out(tx, env, ctx.now, case)?;
            }
            Ok(())
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
        move |tx, ctx, case| {
            let env = ctx.env_id();
            let changed = if add {
                attach(tx, env, case, &ids, "/meta/object-ids")?
            } else {
                let mut removed = false;
                for id in &ids {
                    if let Some(list) = case.attached_mut(id) {
                        let before = list.len();
                        list.retain(|x| x != id);
                        removed |= list.len() != before;
                    }
                }
                removed
            };
            if changed {
                case.updated_at = ctx.now;
                case.updater = Some(actor(ctx));
                record(tx, env, ctx.now, events::CASE_UPDATED_OBJECTS, case, None)?;
            }
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
        move |tx, ctx, case| {
            if change.apply(&mut case.tags) {
                case.updated_at = ctx.now;
                let event = events::CASE_UPDATED_TAGS;
                record(tx, ctx.env_id(), ctx.now, event, case, None)?;
            }
            Ok(())
        },
    )
    .await
}

pub async fn add_tag(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    let change = TagChange::add(&body)?;
    change_tags(state, ctx, id, body, change).await
}

pub async fn remove_tag(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    let change = TagChange::remove(&body)?;
    change_tags(state, ctx, id, body, change).await
}

pub async fn set_tags(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    let change = TagChange::set(&body)?;
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
        let env = ctx.env_id();
        let mut case: Case = load(tx, env, &id)?;
        ensure_not_redacted(&case)?;
        let comment = CaseComment {
            id: ids::new_time_ordered_id(prefix::CASE_COMMENT, ctx.now),
            case_id: case.id.clone(),
            message,
            commenter: actor(ctx),
            created_at: ctx.now,
            updated_at: ctx.now,
        };
        case.comment_ids.push(comment.id.clone());
        case.updated_at = ctx.now;
        tx.put(env, &comment)?;
        tx.put(env, &case)?;
        record_event(
            tx,
            ctx,
            events::CASE_COMMENT_CREATED,
            (views::case::COMMENT, &comment.id),
            &comment,
            None,
        )?;
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
        .ok_or_else(|| super::not_found(&id))?;
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
