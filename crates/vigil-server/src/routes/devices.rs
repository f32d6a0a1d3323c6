//! Devices (`/devices`): the browser a person used in an inquiry session, as the
//! verification flow saw it. Part of their inquiry: the inquiry permissions.

use axum::extract::{Path, State};
use vigil_domain::inquiry::session::Device;
use vigil_domain::permissions::Access;
use vigil_store::{term, PageRequest, RecordFilter};

use crate::protocol::{paging, ApiError, ApiResult, Ctx, Reply};
use crate::views;
use crate::AppState;

/// `GET /devices?filter[inquiry-session-id]=` (required, as in Persona).
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Read)?;
    ctx.query.allow_filters(&["inquiry-session-id"])?;
    let Some(session) = ctx.query.filter.get("inquiry-session-id").cloned() else {
        return Err(ApiError::bad_request(
            "filter[inquiry-session-id] is required",
        ));
    };
    let filter = RecordFilter::default().any_of(vec![term("session", &session)]);
    let request: PageRequest = paging::request(&ctx.query)?;
    let page = state
        .store
        .find::<Device>(ctx.env_id(), &filter, &request)?;
    paging::list_reply(
        &ctx,
        "/api/v1/devices",
        &paging::filter_pairs(&ctx.query),
        &request,
        &page,
        |d| d.id.clone(),
        |d| Ok(Some(views::inquiry::device(d))),
    )
}

/// `GET /devices/{id}`.
pub async fn retrieve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    crate::routes::retrieve_record::<Device>(
        &state,
        &ctx,
        "inquiry",
        "device",
        &id,
        views::inquiry::device,
    )
}
