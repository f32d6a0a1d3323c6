//! `POST /accounts/search`: the shared search (`routes::search`) over the environment's
//! active accounts.

use axum::extract::State;
use vigil_domain::account::Account;
use vigil_domain::permissions::Access;

use crate::protocol::{ApiBody, ApiResult, Ctx, Reply};
use crate::routes::search::search_reply;
use crate::views;
use crate::AppState;

pub async fn search(State(state): State<AppState>, ctx: Ctx, body: ApiBody) -> ApiResult<Reply> {
    ctx.require("account", Access::Read)?;
    search_reply(
        &ctx,
        &body,
        "/api/v1/accounts/search",
        |visit| {
            state
                .store
                .scan_accounts(ctx.env_id(), false, &mut |account: Account| {
                    visit(account);
                    true
                })?;
            Ok(())
        },
        |a| a.id.clone(),
        |a| views::account::resource(a, ctx.version),
    )
}
