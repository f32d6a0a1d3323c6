//! Inquiry actions: approve, decline, mark for review, expire, resume, one-time links,
//! tags, sandbox simulation, and (beyond Persona) `complete`, which runs reverification.

use axum::extract::{Path, State};
use serde_json::{json, Value};
use vigil_domain::inquiry::template::DAY_SECS;
use vigil_domain::inquiry::Action;
use vigil_domain::permissions::Access;

use super::{act_on_inquiry, issue_link, issue_token};
use crate::protocol::{ApiBody, ApiError, ApiResult, Ctx, Reply};
use crate::routes::accounts::allow_meta;
use crate::routes::accounts::owner::optional_integer;
use crate::routes::accounts::tags;
use crate::use_cases::inquiries;
use crate::AppState;
use vigil_domain::tag_change::TagChange;

/// `meta.comment` of a review action, at most 10,000 characters.
fn comment(body: &ApiBody) -> ApiResult<Option<String>> {
    let meta = body.meta()?;
    allow_meta(&meta, &["comment"])?;
    match meta.get("comment") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.chars().count() <= 10_000 => Ok(Some(s.clone())),
        Some(Value::String(_)) => Err(ApiError::invalid(
            "/meta/comment",
            "must be at most 10000 characters",
        )),
        Some(_) => Err(ApiError::bad_field("/meta/comment", "must be a string")),
    }
}

/// A review action (approve, decline, mark for review) with its optional comment.
async fn review(
    state: AppState,
    ctx: Ctx,
    id: String,
    body: ApiBody,
    action: Action,
) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Write)?;
    let comment = comment(&body)?;
    act_on_inquiry(
        &state,
        &ctx,
        &body.request_hash,
        id,
        move |tx, ctx, inquiry| {
            if comment.is_some() {
                inquiry.reviewer_comment = comment;
            }
            inquiries::transition(tx, &ctx.acting(), inquiry, action)?;
            Ok(None)
        },
    )
    .await
}

/// `POST /inquiries/{id}/approve`.
pub async fn approve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    review(state, ctx, id, body, Action::Approve).await
}

/// `POST /inquiries/{id}/decline`.
pub async fn decline(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    review(state, ctx, id, body, Action::Decline).await
}

/// `POST /inquiries/{id}/mark-for-review`.
pub async fn mark_for_review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    review(state, ctx, id, body, Action::MarkForReview).await
}

/// `POST /inquiries/{id}/expire`: the inquiry and its sessions expire (it can be resumed).
pub async fn expire(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Write)?;
    allow_meta(&body.meta()?, &[])?;
    act_on_inquiry(
        &state,
        &ctx,
        &body.request_hash,
        id,
        move |tx, ctx, inquiry| {
            inquiries::transition(tx, &ctx.acting(), inquiry, Action::Expire)?;
            Ok(None)
        },
    )
    .await
}

/// `POST /inquiries/{id}/resume`: an expired inquiry goes back to pending; a new session
/// is made and its token returned in `meta.session-token`.
pub async fn resume(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Write)?;
    allow_meta(&body.meta()?, &[])?;
    act_on_inquiry(
        &state,
        &ctx,
        &body.request_hash,
        id,
        move |tx, ctx, inquiry| {
            let env = ctx.env_id();
            inquiries::transition(tx, &ctx.acting(), inquiry, Action::Resume)?;
            let mut session = inquiries::new_session(tx, &ctx.acting(), inquiry)?;
            let token = issue_token(&mut session);
            tx.put(env, &session)?;
            Ok(Some(json!({ "session-token": token })))
        },
    )
    .await
}

/// `POST /inquiries/{id}/generate-one-time-link`: a new session reachable by a link valid
/// for `meta.expires-in-seconds` (default a day).
pub async fn generate_one_time_link(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Write)?;
    let seconds = link_seconds(&body)?;
    let public_url = state.config.public_url.clone();
    act_on_inquiry(&state, &ctx, &body.request_hash, id, move |tx, ctx, inquiry| {
        let env = ctx.env_id();
        if !inquiry.status().in_progress() {
            return Err(ApiError::conflict(format!(
                "inquiry `{}` is {}: a link to it would lead nowhere (resume it first if it expired)",
                inquiry.id,
                inquiry.status()
            )));
        }
        let mut session = inquiries::new_session(tx, &ctx.acting(), inquiry)?;
        let links = issue_link(&public_url, &mut session, ctx.now, seconds);
        tx.put(env, &session)?;
        Ok(Some(super::link_meta(Some(links))))
    })
    .await
}

/// `meta.expires-in-seconds` of a link request: 1 second to 30 days, default a day.
pub(crate) fn link_seconds(body: &ApiBody) -> ApiResult<i64> {
    let meta = body.meta()?;
    allow_meta(&meta, &["expires-in-seconds"])?;
    let seconds = optional_integer(
        &meta,
        "/meta",
        "expires-in-seconds",
        1..=30 * DAY_SECS,
        "must be a whole number of seconds from 1 to 2592000 (30 days)",
    )?;
    Ok(seconds.unwrap_or(DAY_SECS))
}

async fn change_tags(
    state: AppState,
    ctx: Ctx,
    id: String,
    body: ApiBody,
    change: TagChange,
) -> ApiResult<Reply> {
    act_on_inquiry(
        &state,
        &ctx,
        &body.request_hash,
        id,
        move |tx, ctx, inquiry| {
            inquiries::retag(tx, &ctx.acting(), inquiry, change)?;
            Ok(None)
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
    ctx.require("inquiry", Access::Write)?;
    let change = tags::add(&body)?;
    change_tags(state, ctx, id, body, change).await
}

pub async fn remove_tag(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Write)?;
    let change = tags::remove(&body)?;
    change_tags(state, ctx, id, body, change).await
}

pub async fn set_tags(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Write)?;
    let change = tags::set(&body)?;
    change_tags(state, ctx, id, body, change).await
}

/// Beyond Persona: `POST /inquiries/{id}/complete`, for an operator's own front end that
/// collected the fields (`PATCH` first): runs reverification and moves the inquiry.
pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Write)?;
    allow_meta(&body.meta()?, &[])?;
    act_on_inquiry(
        &state,
        &ctx,
        &body.request_hash,
        id,
        move |tx, ctx, inquiry| {
            inquiries::complete(tx, &ctx.acting(), inquiry)?;
            Ok(None)
        },
    )
    .await
}

/// `POST /inquiries/{id}/perform-simulate-actions` (sandbox only, as in Persona): the
/// inquiry status actions in order; `complete_inquiry` runs reverification like
/// `complete`. Verification actions are refused: vigil runs no verifications.
pub async fn simulate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Write)?;
    let meta = body.meta()?;
    allow_meta(&meta, &["simulate-actions"])?;
    if ctx.env.name != "sandbox" {
        return Err(ApiError::invalid(
            "/meta/simulate-actions",
            "only sandbox inquiries take simulated actions",
        ));
    }
    let Some(Value::Array(items)) = meta.get("simulate-actions") else {
        return Err(ApiError::bad_field(
            "/meta/simulate-actions",
            "must be an array of actions",
        ));
    };
    let mut actions = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let pointer = format!("/meta/simulate-actions/{index}/type");
        let Some(kind) = item.get("type").and_then(Value::as_str) else {
            return Err(ApiError::bad_field(&pointer, "is missing"));
        };
        actions.push(match kind {
            "start_inquiry" => Some(Action::Start),
            "complete_inquiry" => None,
            "fail_inquiry" => Some(Action::Fail),
            "expire_inquiry" => Some(Action::Expire),
            "mark_for_review_inquiry" => Some(Action::MarkForReview),
            "approve_inquiry" => Some(Action::Approve),
            "decline_inquiry" => Some(Action::Decline),
            "create_passed_verification" | "create_failed_verification" => {
                return Err(ApiError::invalid(
                    &pointer,
                    "vigil runs no verifications; simulate inquiry status actions only",
                ))
            }
            other => {
                return Err(ApiError::invalid(
                    &pointer,
                    &format!("`{other}` is not a simulate action"),
                ))
            }
        });
    }
    act_on_inquiry(
        &state,
        &ctx,
        &body.request_hash,
        id,
        move |tx, ctx, inquiry| {
            for action in actions {
                match action {
                    Some(action) => {
                        inquiries::transition(tx, &ctx.acting(), inquiry, action)?;
                    }
                    None => inquiries::complete(tx, &ctx.acting(), inquiry)?,
                }
            }
            Ok(None)
        },
    )
    .await
}
