//! `POST /accounts/search`: the shared search request (`routes::search`) over the
//! environment's active accounts.
//!
//! In creation order (the default, `created_at`) a page is read by walking the accounts
//! from the cursor on and stopping once the page is full: through the account index when
//! the query pins indexed attributes (`eq` on email, phone, reference id, name parts, id
//! numbers), else through every account. Accounts created in the same millisecond come
//! in the order they were created. In `updated_at` order every match is read and sorted.

use axum::extract::State;
use vigil_domain::account::Account;
use vigil_domain::permissions::Access;
use vigil_domain::search::{IndexPlan, SortAttribute, ACCOUNT_INDEXED};
use vigil_store::{Page, Store};

use crate::protocol::{paging, ApiBody, ApiResult, Ctx, Reply};
use crate::routes::search::{sorted_in_memory, SearchRequest};
use crate::views;
use crate::AppState;

const PATH: &str = "/api/v1/accounts/search";

pub async fn search(State(state): State<AppState>, ctx: Ctx, body: ApiBody) -> ApiResult<Reply> {
    ctx.require("account", Access::Read)?;
    let search = SearchRequest::<Account>::parse(&ctx, &body)?;
    // The index reads a superset of the matches; each is still checked against the query.
    let plan = search
        .query
        .as_ref()
        .and_then(|q| q.index_terms(ACCOUNT_INDEXED));
    let store = &*state.store;
    let env = ctx.env_id();
    let render = |a: &Account| views::account::resource(a, ctx.version);
    if search.sort.attribute == SortAttribute::UpdatedAt {
        return sorted_in_memory(
            &ctx,
            search,
            PATH,
            |visit| {
                store.walk_accounts(env, plan.as_ref(), None, true, &mut |account| {
                    visit(account);
                    true
                })?;
                Ok(())
            },
            |a| a.id.clone(),
            render,
        );
    }
    let page = creation_order_page(store, env, &search, plan.as_ref())?;
    paging::list_reply(
        &ctx,
        PATH,
        &[],
        &search.page,
        &page,
        |a| a.id.clone(),
        |a| Ok(Some(render(a))),
    )
}

/// One page in creation order, read from the cursor on, and whether there are matches on
/// either side of it.
fn creation_order_page(
    store: &dyn Store,
    env: &str,
    search: &SearchRequest<Account>,
    plan: Option<&IndexPlan>,
) -> ApiResult<Page<Account>> {
    let request = &search.page;
    // `after` goes on in the sort's direction; `before` walks back from its cursor.
    let (from, forward) = match (&request.after, &request.before) {
        (Some(after), _) => (Some(after.as_str()), true),
        (None, Some(before)) => (Some(before.as_str()), false),
        (None, None) => (None, true),
    };
    let newest_first = search.sort.descending == forward;
    let mut items = Vec::with_capacity(request.size + 1);
    store.walk_accounts(env, plan, from, newest_first, &mut |account| {
        if search.matches(&account) {
            items.push(account);
        }
        items.len() <= request.size
    })?;
    let more = items.len() > request.size;
    items.truncate(request.size);
    // Is there a match behind the page (back towards and past its cursor)?
    let behind = match from {
        None => false,
        Some(cursor) => {
            let start = items.first().map_or(cursor, |a| a.id.as_str());
            let mut found = items.is_empty()
                && store
                    .account(env, cursor)?
                    .is_some_and(|a| a.archived_at.is_none() && search.matches(&a));
            if !found {
                store.walk_accounts(env, plan, Some(start), !newest_first, &mut |account| {
                    found = search.matches(&account);
                    !found
                })?;
            }
            found
        }
    };
    if !forward {
        items.reverse();
    }
    let (has_older, has_newer) = if forward {
        (more, behind)
    } else {
        (behind, more)
    };
    Ok(Page {
        items,
        has_older,
        has_newer,
    })
}
