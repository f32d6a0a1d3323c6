//! add-tag, remove-tag, set-tags.

use axum::extract::{Path, State};
use serde_json::Value;
use vigil_domain::account::parse_tags;
use vigil_domain::permissions::Access;
use vigil_domain::tag_change::TagChange;
use vigil_domain::validate;

use super::{act_on_account, allow_meta};
use crate::protocol::{ApiBody, ApiError, ApiResult, Ctx, Reply};
use crate::use_cases::accounts;
use crate::AppState;

/// `meta.tag-name` of a tag request (accounts and reports). Tag ids are not supported:
/// vigil's tags are plain names.
fn tag_name_member(body: &ApiBody) -> ApiResult<Value> {
    let meta = body.meta()?;
    allow_meta(&meta, &["tag-name", "tag-id"])?;
    if meta.contains_key("tag-id") {
        return Err(ApiError::invalid(
            "/meta/tag-id",
            "tag ids are not supported by vigil; pass meta.tag-name",
        ));
    }
    match meta.get("tag-name") {
        None | Some(Value::Null) => Err(ApiError::bad_field("/meta/tag-name", "is missing")),
        Some(value) => Ok(value.clone()),
    }
}

/// `meta.tag-name` as one tag.
pub(crate) fn one_tag(body: &ApiBody) -> ApiResult<String> {
    match tag_name_member(body)? {
        Value::String(s) => validate::tag(&s).map_err(|m| ApiError::invalid("/meta/tag-name", &m)),
        _ => Err(ApiError::bad_field("/meta/tag-name", "must be a string")),
    }
}

/// `meta.tag-name` as the whole set of tags (set-tags).
pub(crate) fn tag_list(body: &ApiBody) -> ApiResult<Vec<String>> {
    match tag_name_member(body)? {
        Value::Array(items) => Ok(parse_tags(&items, "/meta/tag-name")?),
        _ => Err(ApiError::bad_field(
            "/meta/tag-name",
            "must be an array of strings",
        )),
    }
}

/// A tag request on a resource whose tags are a plain list (reports, inquiries, cases),
/// parsed from `meta.tag-name`.
pub(crate) fn add(body: &ApiBody) -> ApiResult<TagChange> {
    Ok(TagChange::Add(one_tag(body)?))
}

pub(crate) fn remove(body: &ApiBody) -> ApiResult<TagChange> {
    Ok(TagChange::Remove(one_tag(body)?))
}

pub(crate) fn set(body: &ApiBody) -> ApiResult<TagChange> {
    Ok(TagChange::Set(tag_list(body)?))
}

pub async fn add_tag(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    change_one_tag(&state, ctx, id, body, true).await
}

pub async fn remove_tag(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    change_one_tag(&state, ctx, id, body, false).await
}

/// add-tag and remove-tag: one tag, one change (none, and no event, when there was
/// nothing to do).
async fn change_one_tag(
    state: &AppState,
    ctx: Ctx,
    id: String,
    body: ApiBody,
    add: bool,
) -> ApiResult<Reply> {
    ctx.require("account", Access::Write)?;
    let tag = one_tag(&body)?;
    act_on_account(state, &ctx, &body.request_hash, move |tx, acting| {
        accounts::change_tag(tx, acting, &id, &tag, add)
    })
    .await
}

pub async fn set_tags(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("account", Access::Write)?;
    let tags = tag_list(&body)?;
    act_on_account(&state, &ctx, &body.request_hash, move |tx, acting| {
        accounts::set_tags(tx, acting, &id, tags)
    })
    .await
}
