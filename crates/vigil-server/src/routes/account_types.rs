//! `GET /account-types/{id}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use vigil_domain::permissions::Access;

use crate::protocol::{finish, ApiError, ApiResult, Ctx, Reply};
use crate::views;
use crate::AppState;

pub async fn retrieve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("account", Access::Read)?;
    let account_type = state
        .store
        .account_type(ctx.env_id(), &id)?
        .ok_or_else(|| ApiError::not_found(format!("account type `{id}` is not found")))?;
    let include = ctx.query.include.as_ref().map(|_| Vec::new());
    Ok(finish(
        views::single(views::account_type::resource(&account_type), include),
        &ctx,
        StatusCode::OK,
    ))
}
