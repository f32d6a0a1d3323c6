//! `POST /accounts/search`: the shared search (`routes::search`) over the environment's
//! active accounts, through the account index when the query pins indexed attributes
//! (`eq` on email, phone, reference id, name parts, id numbers).

use axum::extract::State;
use vigil_domain::account::Account;
use vigil_domain::permissions::Access;
use vigil_domain::search::account_plan;

use crate::protocol::{ApiBody, ApiResult, Ctx, Reply};
use crate::routes::search::{walked_reply, SearchRequest};
use crate::views;
use crate::AppState;

pub async fn search(State(state): State<AppState>, ctx: Ctx, body: ApiBody) -> ApiResult<Reply> {
    ctx.require("account", Access::Read)?;
    let search = SearchRequest::<Account>::parse(&ctx, &body)?;
    let plan = search.query.as_ref().and_then(account_plan);
    let (store, env) = (&state.store, ctx.env_id());
    walked_reply(
        &ctx,
        search,
        "/api/v1/accounts/search",
        &|from, newest_first, visit| {
            Ok(store.walk_accounts(env, plan.as_ref(), from, newest_first, visit)?)
        },
        |id| {
            Ok(store
                .account(env, id)?
                .filter(|a| a.archived_at.is_none())
                .map(|a| (*a).clone()))
        },
        |a| a.id.clone(),
        |a| views::account::resource(a, ctx.version),
    )
}
