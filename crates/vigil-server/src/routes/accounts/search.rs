//! `POST /accounts/search`: the query language of `vigil_domain::search`, evaluated over
//! the environment's active accounts.
//!
//! This scans the environment (newest first) and sorts in memory: fine for the tens of
//! thousands of accounts a foundation deployment holds; an indexed query plan belongs to
//! the storage backend later.

use axum::extract::State;
use serde_json::Value;
use vigil_domain::account::Account;
use vigil_domain::permissions::Access;
use vigil_domain::search::{parse_query, parse_sort, SortAttribute};
use vigil_store::Page;

use crate::protocol::{paging, ApiBody, ApiError, ApiResult, Ctx, Reply};
use crate::views;
use crate::AppState;

fn optional_string(page: Option<&Value>, name: &str) -> ApiResult<Option<String>> {
    match page.and_then(|p| p.get(name)) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::bad_field(
            &format!("/page/{name}"),
            "must be a string",
        )),
    }
}

pub async fn search(State(state): State<AppState>, ctx: Ctx, body: ApiBody) -> ApiResult<Reply> {
    ctx.require("account", Access::Read)?;
    let value = &body.value;
    if let Some(unknown) = value.as_object().and_then(|o| {
        o.keys()
            .find(|k| !["query", "sort", "page"].contains(&k.as_str()))
    }) {
        return Err(ApiError::bad_field(
            &format!("/{unknown}"),
            "is not a member of a search request (query, sort, page)",
        ));
    }
    let query = value
        .get("query")
        .map(|q| parse_query(q, "/query"))
        .transpose()?;
    let sort = parse_sort(value.get("sort"))?;
    let page_body = value.get("page");
    let size = match page_body.and_then(|p| p.get("size")) {
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Null) | None => ctx.query.page_size.clone(),
        Some(_) => return Err(ApiError::bad_field("/page/size", "must be an integer")),
    };
    let after = optional_string(page_body, "after")?.or_else(|| ctx.query.page_after.clone());
    let before = optional_string(page_body, "before")?.or_else(|| ctx.query.page_before.clone());
    let request = paging::request_from(after, before, size.as_deref())?;

    let mut matches: Vec<Account> = Vec::new();
    state
        .store
        .scan_accounts(ctx.env_id(), false, &mut |account| {
            if query.as_ref().is_none_or(|q| q.matches(&account)) {
                matches.push(account);
            }
            true
        })?;
    let key = |a: &Account| match sort.attribute {
        SortAttribute::CreatedAt => (a.created_at, a.id.clone()),
        SortAttribute::UpdatedAt => (a.updated_at, a.id.clone()),
    };
    matches.sort_by_key(key);
    if sort.descending {
        matches.reverse();
    }
    let position = |id: &str| {
        matches.iter().position(|a| a.id == id).ok_or_else(|| {
            ApiError::bad_request(format!("page cursor `{id}` is not in these search results"))
        })
    };
    let (start, end) = match (&request.after, &request.before) {
        (Some(after), _) => {
            let start = position(after)? + 1;
            (start, (start + request.size).min(matches.len()))
        }
        (None, Some(before)) => {
            let end = position(before)?;
            (end.saturating_sub(request.size), end)
        }
        (None, None) => (0, request.size.min(matches.len())),
    };
    let page = Page {
        has_older: end < matches.len(),
        has_newer: start > 0,
        items: matches[start..end].to_vec(),
    };
    paging::list_reply(
        &ctx,
        "/api/v1/accounts/search",
        &[],
        &request,
        &page,
        |a| a.id.clone(),
        |a| Ok(Some(views::account::resource(a, ctx.version))),
    )
}
