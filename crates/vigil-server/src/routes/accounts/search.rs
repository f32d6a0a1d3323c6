//! `POST /accounts/search`: the shared search (`routes::search`) over the environment's
//! active accounts, read through the account index when the query allows it.

use axum::extract::State;
use vigil_domain::account::Account;
use vigil_domain::permissions::Access;
use vigil_domain::search::{parse_query_for, ACCOUNT_INDEXED};

use crate::protocol::{ApiBody, ApiResult, Ctx, Reply};
use crate::routes::search::search_reply;
use crate::views;
use crate::AppState;

pub async fn search(State(state): State<AppState>, ctx: Ctx, body: ApiBody) -> ApiResult<Reply> {
    ctx.require("account", Access::Read)?;
    // A query that pins indexed attributes (`eq` on email, phone, reference id, name
    // parts) reads only the accounts filed under them; the query is still checked against
    // each, so the answer is the scan's. Any other query scans the environment.
    let terms = body
        .value
        .get("query")
        .and_then(|q| parse_query_for::<Account>(q, "/query").ok())
        .and_then(|q| q.index_terms(ACCOUNT_INDEXED));
    search_reply(
        &ctx,
        &body,
        "/api/v1/accounts/search",
        |visit| {
            // More than the limit filed under the terms: the scan answers, whole.
            let found = match &terms {
                Some(terms) => {
                    let found =
                        state
                            .store
                            .accounts_by_terms(ctx.env_id(), terms, INDEXED_LIMIT + 1)?;
                    (found.len() <= INDEXED_LIMIT).then_some(found)
                }
                None => None,
            };
            match found {
                Some(found) => found.into_iter().for_each(visit),
                None => {
                    state
                        .store
                        .scan_accounts(ctx.env_id(), false, &mut |account: Account| {
                            visit(account);
                            true
                        })?;
                }
            }
            Ok(())
        },
        |a| a.id.clone(),
        |a| views::account::resource(a, ctx.version),
    )
}

/// The most accounts one indexed search reads (a common name is shared by many).
const INDEXED_LIMIT: usize = 100_000;
