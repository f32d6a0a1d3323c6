//! Lists (`/list/<kind>`, `/lists`) and list items (`/list-item/<kind>`): create, retrieve,
//! archive, list. Values are checked and normalised by `vigil_domain::list`; a value
//! already active in the list is a 409, as Persona answers.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Map, Value};
use vigil_domain::events;
use vigil_domain::ids::{self, prefix};
use vigil_domain::list::{self, List, ListItem, ListKind};
use vigil_domain::permissions::Access;

use vigil_store::WriteTx;

use crate::protocol::{
    finish, paging, record_event, write, write::record_event_at, ApiBody, ApiError, ApiResult, Ctx,
    Doc, Reply, Written,
};
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

/// Record `event` about `list` in the transaction, and answer with the list.
fn recorded_list(
    tx: &mut dyn WriteTx,
    ctx: &Ctx,
    event: &str,
    status: StatusCode,
    list: List,
) -> ApiResult<Written> {
    record_event(tx, ctx, event, (views::list::LIST, &list.id), &list, None)?;
    Ok(Written {
        status,
        object_id: Some(list.id.clone()),
        doc: Doc::later(move |_| views::single(views::list::list(&list), None)),
    })
}

/// Record `event` about `item` in the transaction, and answer with the item.
fn recorded_item(
    tx: &mut dyn WriteTx,
    ctx: &Ctx,
    event: &str,
    status: StatusCode,
    item: ListItem,
) -> ApiResult<Written> {
    record_event(
        tx,
        ctx,
        event,
        (views::list::LIST_ITEM, &item.id),
        &item,
        None,
    )?;
    Ok(Written {
        status,
        object_id: Some(item.id.clone()),
        doc: Doc::later(move |_| views::single(views::list::item(&item), None)),
    })
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
        let list = List {
            id: ids::new_id(prefix::LIST),
            kind,
            name,
            allow_fuzzy_name_first,
            archived_at: None,
            created_at: ctx.now,
            updated_at: ctx.now,
        };
        tx.insert_list(ctx.env_id(), &list)?;
        recorded_list(tx, ctx, events::LIST_CREATED, StatusCode::CREATED, list)
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

/// `DELETE /lists/{id}`: archive. The list stays retrievable and stops matching.
pub async fn archive_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("list", Access::Write)?;
    let ctx = ctx.without_idempotency_key();
    write(&state, &ctx, "", move |tx, ctx| {
        let mut list = tx
            .list(ctx.env_id(), &id)?
            .ok_or_else(|| list_not_found(&id))?;
        if list.archived_at.is_some() {
            return Err(ApiError::conflict(format!(
                "list `{id}` is already archived"
            )));
        }
        list.archived_at = Some(ctx.now);
        list.updated_at = ctx.now;
        tx.update_list(ctx.env_id(), &list)?;
        recorded_list(tx, ctx, events::LIST_ARCHIVED, StatusCode::OK, list)
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
        let env = ctx.env_id();
        open_list(tx, env, &list_id, kind)?;
        let Some(item) = add_item(tx, env, ctx.now, &list_id, value, match_key)? else {
            return Err(ApiError::conflict(format!(
                "{} already exists as an active item in list",
                if kind == ListKind::Name {
                    "Name"
                } else {
                    "Value"
                }
            )));
        };
        Ok(Written {
            status: StatusCode::CREATED,
            object_id: Some(item.id.clone()),
            doc: Doc::later(move |_| views::single(views::list::item(&item), None)),
        })
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

/// The active list `list_id`, which must hold items of `kind` (a `list-id` attribute).
pub(crate) fn open_list(
    tx: &mut dyn WriteTx,
    env: &str,
    list_id: &str,
    kind: ListKind,
) -> ApiResult<List> {
    let list = tx
        .list(env, list_id)?
        .ok_or_else(|| list_not_found(list_id))?;
    if list.kind != kind.list_kind() {
        return Err(ApiError::invalid(
            "/data/attributes/list-id",
            &format!(
                "is a {} list; {} items go in {} lists",
                list.kind.name(),
                kind.name(),
                kind.list_kind().name()
            ),
        ));
    }
    if list.archived_at.is_some() {
        return Err(ApiError::invalid(
            "/data/attributes/list-id",
            "is an archived list",
        ));
    }
    Ok(list)
}

/// Add a checked value to an open list with its `list-item.created` event; `None` when
/// the value is already active in the list.
pub(crate) fn add_item(
    tx: &mut dyn WriteTx,
    env: &str,
    now: i64,
    list_id: &str,
    value: list::ItemValue,
    match_key: String,
) -> ApiResult<Option<ListItem>> {
    if tx
        .active_list_item_by_key(env, list_id, &match_key)?
        .is_some()
    {
        return Ok(None);
    }
    let item = ListItem {
        id: ids::new_id(value.kind().item_prefix()),
        list_id: list_id.to_owned(),
        value,
        match_key,
        match_count: 0,
        archived_at: None,
        redacted_at: None,
        created_at: now,
        updated_at: now,
    };
    tx.insert_list_item(env, &item)?;
    record_event_at(
        tx,
        env,
        now,
        events::LIST_ITEM_CREATED,
        (views::list::LIST_ITEM, &item.id),
        &item,
        None,
    )?;
    Ok(Some(item))
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
        let mut item = tx
            .list_item(ctx.env_id(), &id)?
            .ok_or_else(|| item_not_found(&id))?;
        check_item_kind(&item, kind, &id)?;
        if item.archived_at.is_some() {
            // Idempotent, as Persona documents it: the item as it is, nothing recorded.
            return Ok(Written {
                status: StatusCode::OK,
                object_id: Some(item.id.clone()),
                doc: Doc::later(move |_| views::single(views::list::item(&item), None)),
            });
        }
        item.archived_at = Some(ctx.now);
        item.updated_at = ctx.now;
        tx.update_list_item(ctx.env_id(), &item)?;
        recorded_item(tx, ctx, events::LIST_ITEM_ARCHIVED, StatusCode::OK, item)
    })
    .await
}
