//! The shape every `POST /<resources>/search` shares: the query language of
//! `vigil_domain::search` evaluated over the environment's objects of one kind, sorted by
//! creation or update time, paged by cursor.
//!
//! This scans (newest first) and sorts in memory: fine for the tens of thousands of
//! objects a single-machine deployment holds; an indexed query plan belongs to the storage
//! backend later.

use serde_json::Value;
use vigil_domain::search::{parse_query_for, parse_sort, Query, Searchable, Sort, SortAttribute};
use vigil_store::{Page, PageRequest};

use crate::protocol::{paging, ApiBody, ApiError, ApiResult, Ctx, Reply};

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

/// A search request's parts: what to match, in which order, which page.
pub(crate) struct SearchRequest<T: Searchable> {
    pub query: Option<Query>,
    pub sort: Sort,
    pub page: PageRequest,
    _kind: std::marker::PhantomData<T>,
}

impl<T: Searchable> SearchRequest<T> {
    pub fn parse(ctx: &Ctx, body: &ApiBody) -> ApiResult<Self> {
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
            .map(|q| parse_query_for::<T>(q, "/query"))
            .transpose()?;
        let sort = parse_sort(value.get("sort"))?;
        let page_body = value.get("page");
        let size = match page_body.and_then(|p| p.get("size")) {
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::Null) | None => ctx.query.page_size.clone(),
            Some(_) => return Err(ApiError::bad_field("/page/size", "must be an integer")),
        };
        let after = optional_string(page_body, "after")?.or_else(|| ctx.query.page_after.clone());
        let before =
            optional_string(page_body, "before")?.or_else(|| ctx.query.page_before.clone());
        let page = paging::request_from(after, before, size.as_deref())?;
        Ok(SearchRequest {
            query,
            sort,
            page,
            _kind: std::marker::PhantomData,
        })
    }

    pub fn matches(&self, object: &T) -> bool {
        self.query.as_ref().is_none_or(|q| q.matches(object))
    }
}

/// Answer a search request at `path`: `scan` hands every candidate object to its visitor.
pub(crate) fn search_reply<T: Searchable>(
    ctx: &Ctx,
    body: &ApiBody,
    path: &str,
    scan: impl FnOnce(&mut dyn FnMut(T)) -> ApiResult<()>,
    id_of: impl Fn(&T) -> String,
    render: impl Fn(&T) -> Value,
) -> ApiResult<Reply> {
    let search = SearchRequest::<T>::parse(ctx, body)?;
    sorted_in_memory(ctx, search, path, scan, id_of, render)
}

/// Every match collected, sorted and paged in memory.
pub(crate) fn sorted_in_memory<T: Searchable>(
    ctx: &Ctx,
    search: SearchRequest<T>,
    path: &str,
    scan: impl FnOnce(&mut dyn FnMut(T)) -> ApiResult<()>,
    id_of: impl Fn(&T) -> String,
    render: impl Fn(&T) -> Value,
) -> ApiResult<Reply> {
    let SearchRequest {
        query,
        sort,
        page: request,
        ..
    } = search;
    let mut matches: Vec<T> = Vec::new();
    scan(&mut |object| {
        if query.as_ref().is_none_or(|q| q.matches(&object)) {
            matches.push(object);
        }
    })?;
    matches.sort_by_key(|o| {
        let time = match sort.attribute {
            SortAttribute::CreatedAt => o.created_at(),
            SortAttribute::UpdatedAt => o.updated_at(),
        };
        (time, id_of(o))
    });
    if sort.descending {
        matches.reverse();
    }
    let position = |id: &str| {
        matches.iter().position(|o| id_of(o) == id).ok_or_else(|| {
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
    let has_older = end < matches.len();
    let has_newer = start > 0;
    let page = Page {
        has_older,
        has_newer,
        items: matches.drain(start..end).collect(),
    };
    paging::list_reply(ctx, path, &[], &request, &page, &id_of, |o| {
        Ok(Some(render(o)))
    })
}
