//! Cursor pagination: `page[after]`, `page[before]`, `page[size]` and `links.prev/next`.

use axum::http::StatusCode;
use serde_json::{json, Map, Value};
use vigil_store::{Page, PageRequest};

use super::context::Ctx;
use super::error::{ApiError, ApiResult};
use super::query::QueryParams;
use super::render::{finish, Reply};

pub const DEFAULT_SIZE: usize = 10;
pub const MAX_SIZE: usize = 100;

pub fn request(query: &QueryParams) -> ApiResult<PageRequest> {
    request_from(
        query.page_after.clone(),
        query.page_before.clone(),
        query.page_size.as_deref(),
    )
}

pub fn request_from(
    after: Option<String>,
    before: Option<String>,
    size: Option<&str>,
) -> ApiResult<PageRequest> {
    let size = match size {
        None => DEFAULT_SIZE,
        Some(text) => match text.trim().parse::<usize>() {
            Ok(n) if (1..=MAX_SIZE).contains(&n) => n,
            _ => {
                return Err(ApiError::bad_request(format!(
                    "page[size] must be an integer from 1 to {MAX_SIZE}, got `{}`",
                    text.chars().take(16).collect::<String>()
                )))
            }
        },
    };
    if after.is_some() && before.is_some() {
        return Err(ApiError::bad_request(
            "page[after] and page[before] cannot be used together",
        ));
    }
    let empty = |c: &Option<String>| c.as_deref().is_some_and(str::is_empty);
    if empty(&after) || empty(&before) {
        return Err(ApiError::bad_request(
            "page[after] and page[before] must name an object id",
        ));
    }
    Ok(PageRequest {
        after,
        before,
        size,
    })
}

/// `links` for a page: relative URLs, brackets percent-encoded, the list's own filters and
/// page size kept.
pub fn links<T>(
    path: &str,
    extra: &[(String, String)],
    request: &PageRequest,
    page: &Page<T>,
    id_of: impl Fn(&T) -> String,
) -> Value {
    let url = |cursor_name: &str, id: String| {
        let mut serializer = form_urlencoded::Serializer::new(String::new());
        for (name, value) in extra {
            serializer.append_pair(name, value);
        }
        serializer.append_pair(cursor_name, &id);
        if request.size != DEFAULT_SIZE {
            serializer.append_pair("page[size]", &request.size.to_string());
        }
        format!("{path}?{}", serializer.finish())
    };
    let next = match (page.has_older, page.items.last()) {
        (true, Some(last)) => Value::String(url("page[after]", id_of(last))),
        _ => Value::Null,
    };
    let prev = match (page.has_newer, page.items.first()) {
        (true, Some(first)) => Value::String(url("page[before]", id_of(first))),
        _ => Value::Null,
    };
    json!({ "prev": prev, "next": next })
}

/// The list document for one page: each item rendered (`None` skips it), then `links`
/// to the neighbouring pages, which carry the request's `extra` query pairs.
pub fn list_reply<T>(
    ctx: &Ctx,
    path: &str,
    extra: &[(String, String)],
    request: &PageRequest,
    page: &Page<T>,
    id_of: impl Fn(&T) -> String,
    mut render: impl FnMut(&T) -> ApiResult<Option<Value>>,
) -> ApiResult<Reply> {
    let mut data = Vec::with_capacity(page.items.len());
    for item in &page.items {
        data.extend(render(item)?);
    }
    let mut doc = Map::new();
    doc.insert("data".into(), Value::Array(data));
    doc.insert("links".into(), links(path, extra, request, page, id_of));
    Ok(finish(Value::Object(doc), ctx, StatusCode::OK))
}

/// The filters of a list request, re-encoded for its links.
pub fn filter_pairs(query: &QueryParams) -> Vec<(String, String)> {
    query
        .filter
        .iter()
        .map(|(k, v)| (format!("filter[{k}]"), v.clone()))
        .collect()
}
