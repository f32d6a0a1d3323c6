//! Lists (`/list/<kind>`, `/lists`) and list items (`/list-item/<kind>`): create, retrieve,
//! archive, list. Values are checked and normalised by `vigil_domain::list`; a value
//! already active in the list is a 409, as Persona answers.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Map, Value};
use vigil_domain::list::{self, List, ListItem, ListKind};
use vigil_domain::permissions::Access;

use crate::protocol::{
    finish, paging, write, ApiBody, ApiError, ApiResult, Ctx, Doc, Reply, Written,
};
use crate::use_cases::lists;
use crate::views;
use crate::AppState;

fn kind_of(plural: &str) -> ApiResult<ListKind> {
    ListKind::from_plural(plural).ok_or_else(|| {
        ApiError::not_found(format!(
            "`{plural}` is not a kind of list; see Persona's API reference"
        ))
    })
}

fn list_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("list `{id}` is not found"))
}

fn item_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("list item `{id}` is not found"))
}

/// Answer with a list.
fn list_written(status: StatusCode, list: List) -> Written {
    Written {
        status,
        object_id: Some(list.id.clone()),
        doc: Doc::later(move |_| views::single(views::list::list(&list), None)),
    }
}

/// Answer with a list item.
fn item_written(status: StatusCode, item: ListItem) -> Written {
    Written {
        status,
        object_id: Some(item.id.clone()),
        doc: Doc::later(move |_| views::single(views::list::item(&item), None)),
    }
}

/// `POST /list/{kind}`.
pub async fn create_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(plural): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("list", Access::Write)?;
    let kind = kind_of(&plural).and_then(|kind| {
        if kind.has_own_lists() {
            Ok(kind)
        } else {
            Err(ApiError::not_found(format!(
                "there are no {plural} lists: {} items go in {} lists",
                kind.name(),
                kind.list_kind().name()
            )))
        }
    })?;
    let attributes = body.attributes()?;
    let allowed: &[&str] = if kind == ListKind::Name {
        &["name", "allow-fuzzy-name-first"]
    } else {
        &["name"]
    };
    if let Some(unknown) = attributes.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(ApiError::invalid(
            &format!("/data/attributes/{unknown}"),
            &format!(
                "is not an attribute of a {} list (takes {})",
                kind.name(),
                allowed.join(", ")
            ),
        ));
    }
    let name = list::list_name(attributes.get("name"))?;
    let allow_fuzzy_name_first = match attributes.get("allow-fuzzy-name-first") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(ApiError::bad_field(
                "/data/attributes/allow-fuzzy-name-first",
                "must be a boolean",
            ))
        }
    };
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let list = lists::create(tx, &ctx.acting(), kind, name, allow_fuzzy_name_first)?;
        Ok(list_written(StatusCode::CREATED, list))
    })
    .await
}

/// `GET /lists/{id}`.
pub async fn retrieve_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("list", Access::Read)?;
    let list = state
        .store
        .list(ctx.env_id(), &id)?
        .ok_or_else(|| list_not_found(&id))?;
    Ok(finish(
        views::single(views::list::list(&list), None),
        &ctx,
        StatusCode::OK,
    ))
}

/// `GET /lists`, newest first, `filter[status]=active|archived`.
pub async fn list_lists(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require("list", Access::Read)?;
    ctx.query.allow_filters(&["status"])?;
    let archived = match ctx.query.filter.get("status").map(String::as_str) {
        None => None,
        Some("active") => Some(false),
        Some("archived") => Some(true),
        Some(_) => {
            return Err(ApiError::bad_request(
                "filter[status] must be `active` or `archived`",
            ))
        }
    };
    let request = paging::request(&ctx.query)?;
    let page = state.store.lists(ctx.env_id(), archived, &request)?;
    paging::list_reply(
        &ctx,
        "/api/v1/lists",
        &paging::filter_pairs(&ctx.query),
        &request,
        &page,
        |l| l.id.clone(),
        |l| Ok(Some(views::list::list(l))),
    )
}

/// Beyond Persona: `GET /lists/{id}/items`, a list's items newest first
/// (`filter[status]=active` for the matching ones only).
pub async fn list_items(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("list", Access::Read)?;
    ctx.query.allow_filters(&["status"])?;
    let active_only = match ctx.query.filter.get("status").map(String::as_str) {
        None => false,
        Some("active") => true,
        Some(_) => {
            return Err(ApiError::bad_request(
                "filter[status] must be `active` (leave it out for every item)",
            ))
        }
    };
    state
        .store
        .list(ctx.env_id(), &id)?
        .ok_or_else(|| list_not_found(&id))?;
    let request = paging::request(&ctx.query)?;
    let page = state
        .store
        .list_items(ctx.env_id(), &id, active_only, &request)?;
    paging::list_reply(
        &ctx,
        &format!("/api/v1/lists/{id}/items"),
        &paging::filter_pairs(&ctx.query),
        &request,
        &page,
        |i| i.id.clone(),
        |i| Ok(Some(views::list::item(i))),
    )
}

/// `DELETE /lists/{id}`: archive. The list stays retrievable and stops matching.
pub async fn archive_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("list", Access::Write)?;
    let ctx = ctx.without_idempotency_key();
    write(&state, &ctx, "", move |tx, ctx| {
        let list = lists::archive(tx, &ctx.acting(), &id)?;
        Ok(list_written(StatusCode::OK, list))
    })
    .await
}

/// `POST /list-item/{kind}`.
pub async fn create_item(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(plural): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("list", Access::Write)?;
    let kind = kind_of(&plural)?;
    let attributes = body.attributes()?;
    let list_id = list_id_attribute(&attributes)?;
    let (value, match_key) = list::parse_item(kind, &attributes)?;
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let item = lists::add_new_item(tx, &ctx.acting(), &list_id, kind, value, match_key)?;
        Ok(item_written(StatusCode::CREATED, item))
    })
    .await
}

/// The required `list-id` attribute of an item create or an import, trimmed.
pub(crate) fn list_id_attribute(attributes: &Map<String, Value>) -> ApiResult<String> {
    match attributes.get("list-id") {
        Some(Value::String(id)) if !id.trim().is_empty() => Ok(id.trim().to_owned()),
        Some(Value::String(_)) | None | Some(Value::Null) => Err(ApiError::bad_field(
            "/data/attributes/list-id",
            "is missing",
        )),
        Some(_) => Err(ApiError::bad_field(
            "/data/attributes/list-id",
            "must be a string",
        )),
    }
}

fn check_item_kind(item: &ListItem, kind: ListKind, id: &str) -> ApiResult<()> {
    if item.kind() == kind {
        Ok(())
    } else {
        Err(item_not_found(id))
    }
}

/// `GET /list-item/{kind}/{id}`.
pub async fn retrieve_item(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((plural, id)): Path<(String, String)>,
) -> ApiResult<Reply> {
    ctx.require("list", Access::Read)?;
    let kind = kind_of(&plural)?;
    let item = state
        .store
        .list_item(ctx.env_id(), &id)?
        .ok_or_else(|| item_not_found(&id))?;
    check_item_kind(&item, kind, &id)?;
    Ok(finish(
        views::single(views::list::item(&item), None),
        &ctx,
        StatusCode::OK,
    ))
}

/// `DELETE /list-item/{kind}/{id}`: archive; the item stops matching.
pub async fn archive_item(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((plural, id)): Path<(String, String)>,
) -> ApiResult<Reply> {
    ctx.require("list", Access::Write)?;
    let kind = kind_of(&plural)?;
    let ctx = ctx.without_idempotency_key();
    write(&state, &ctx, "", move |tx, ctx| {
        let item = lists::archive_item(tx, &ctx.acting(), kind, &id)?;
        Ok(item_written(StatusCode::OK, item))
    })
    .await
}
