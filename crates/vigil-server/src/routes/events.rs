//! `GET /events` and `GET /events/{id}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use vigil_domain::permissions::Access;
use vigil_store::EventFilter;

use crate::protocol::{finish, paging, ApiError, ApiResult, Ctx, Reply};
use crate::views;
use crate::AppState;

pub async fn list(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require("event", Access::Read)?;
    ctx.query.allow_filters(&[
        "name",
        "object-id",
        "id",
        "actor-id",
        "created-at-start",
        "created-at-end",
    ])?;
    let filter = EventFilter {
        names: ctx.query.filter_list("name"),
        object_ids: ctx.query.filter_list("object-id"),
        ids: ctx.query.filter_list("id"),
        actor_ids: ctx.query.filter_list("actor-id"),
        created_from: crate::routes::filters::time_filter(&ctx.query, "created-at-start")?,
        created_to: crate::routes::filters::time_filter(&ctx.query, "created-at-end")?,
    };
    let request = paging::request(&ctx.query)?;
    let page = state.store.events(ctx.env_id(), &filter, &request)?;
    paging::list_reply(
        &ctx,
        "/api/v1/events",
        &paging::filter_pairs(&ctx.query),
        &request,
        &page,
        |e| e.id.clone(),
        |e| Ok(Some(views::event::resource(e, ctx.version))),
    )
}

pub async fn retrieve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("event", Access::Read)?;
    let event = state
        .store
        .event(ctx.env_id(), &id)?
        .ok_or_else(|| ApiError::not_found(format!("event `{id}` is not found")))?;
    let include = ctx.query.include.as_ref().map(|_| Vec::new());
    Ok(finish(
        views::single(views::event::resource(&event, ctx.version), include),
        &ctx,
        StatusCode::OK,
    ))
}
