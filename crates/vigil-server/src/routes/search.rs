//! The shape every `POST /<resources>/search` shares: the query language of
//! `vigil_domain::search` evaluated over the environment's objects of one kind, sorted by
//! creation or update time, paged by cursor.
//!
//! In creation order (`created_at`, the default) a page is read by walking the objects
//! from the cursor on and stopping once the page is full: through the kind's index when
//! the query pins indexed attributes with `eq` (each object found is still checked against
//! the query), else through every object of the kind. Objects created in the same
//! millisecond come in the order they were created; a cursor is any object of the kind
//! (keyset paging). In `updated_at` order every match is read, then sorted in memory.

use serde_json::Value;
use vigil_domain::search::{parse_query_for, parse_sort, Query, Searchable, Sort, SortAttribute};
use vigil_store::{Page, PageRequest, Record};

use crate::AppState;

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

/// Walks a kind's objects in creation order: from just past the object `from`, newest
/// first or not, until the visitor returns false.
pub(crate) type Walk<'a, T> =
    dyn Fn(Option<&str>, bool, &mut dyn FnMut(T) -> bool) -> ApiResult<()> + 'a;

/// Answer a search by walking: a page in creation order, or every match sorted by
/// `updated_at`. `listed` is the cursor's object while it is still one the walk lists.
pub(crate) fn walked_reply<T: Searchable>(
    ctx: &Ctx,
    search: SearchRequest<T>,
    path: &str,
    walk: &Walk<'_, T>,
    listed: impl Fn(&str) -> ApiResult<Option<T>>,
    id_of: impl Fn(&T) -> String,
    render: impl Fn(&T) -> Value,
) -> ApiResult<Reply> {
    if search.sort.attribute == SortAttribute::UpdatedAt {
        return sorted_in_memory(
            ctx,
            search,
            path,
            |visit| {
                walk(None, true, &mut |object| {
                    visit(object);
                    true
                })
            },
            id_of,
            render,
        );
    }
    let page = creation_order_page(&search, walk, listed, &id_of)?;
    paging::list_reply(ctx, path, &[], &search.page, &page, id_of, |o| {
        Ok(Some(render(o)))
    })
}

/// One page in creation order, read from the cursor on, and whether there are matches on
/// either side of it.
fn creation_order_page<T: Searchable>(
    search: &SearchRequest<T>,
    walk: &Walk<'_, T>,
    listed: impl Fn(&str) -> ApiResult<Option<T>>,
    id_of: &impl Fn(&T) -> String,
) -> ApiResult<Page<T>> {
    let request = &search.page;
    // `after` goes on in the sort's direction; `before` walks back from its cursor.
    let (from, forward) = match (&request.after, &request.before) {
        (Some(after), _) => (Some(after.as_str()), true),
        (None, Some(before)) => (Some(before.as_str()), false),
        (None, None) => (None, true),
    };
    let newest_first = search.sort.descending == forward;
    let mut items = Vec::with_capacity(request.size + 1);
    walk(from, newest_first, &mut |object| {
        if search.matches(&object) {
            items.push(object);
        }
        items.len() <= request.size
    })?;
    let more = items.len() > request.size;
    items.truncate(request.size);
    // Is there a match behind the page (back towards and past its cursor)?
    let behind = match from {
        None => false,
        Some(cursor) => {
            let start = items.first().map(id_of);
            let mut found = start.is_none() && listed(cursor)?.is_some_and(|o| search.matches(&o));
            if !found {
                let start = start.as_deref().unwrap_or(cursor);
                walk(Some(start), !newest_first, &mut |object| {
                    found = search.matches(&object);
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

/// A search over the workflow records of kind `R`, through their terms where the query
/// allows.
pub(crate) fn walked_search<R: Searchable + Record>(
    state: &AppState,
    ctx: &Ctx,
    body: &ApiBody,
    path: &str,
    render: impl Fn(&R) -> Value,
) -> ApiResult<Reply> {
    let search = SearchRequest::<R>::parse(ctx, body)?;
    let plan = search
        .query
        .as_ref()
        .and_then(|q| q.index_terms(R::INDEXED));
    let (store, env) = (&state.store, ctx.env_id());
    walked_reply(
        ctx,
        search,
        path,
        &|from, newest_first, visit| {
            Ok(store.walk::<R>(env, plan.as_ref(), from, newest_first, visit)?)
        },
        |id| Ok(store.get::<R>(env, id)?),
        |r| r.id().to_string(),
        render,
    )
}
