//! add-relation, remove-relation and the relations list; and (beyond Persona, whose
//! relation keys are its account types' relation schemas) the keys an account uses.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{json, Value};
use vigil_domain::ids::{self, prefix};
use vigil_domain::permissions::Access;
use vigil_domain::time::parse_millis;
use vigil_store::RelationFilter;

use super::{act_on_account, allow_meta, meta_string, not_found};
use crate::protocol::{paging, ApiBody, ApiError, ApiResult, Ctx, Reply};
use crate::use_cases::accounts;
use crate::views;
use crate::AppState;

fn relation_args(body: &ApiBody) -> ApiResult<(String, String)> {
    let meta = body.meta()?;
    allow_meta(&meta, &["relation-schema-key", "target-object-id"])?;
    let key = meta_string(&meta, "relation-schema-key")?;
    if key.len() > 64
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(ApiError::invalid(
            "/meta/relation-schema-key",
            "must be 1 to 64 letters, digits, `_` or `-`",
        ));
    }
    let target = meta_string(&meta, "target-object-id")?;
    if !ids::has_shape(prefix::ACCOUNT, &target) {
        return Err(ApiError::invalid(
            "/meta/target-object-id",
            "must be an account id (act_...); transactions are not supported by vigil yet",
        ));
    }
    Ok((key, target))
}

pub async fn add_relation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("account", Access::Write)?;
    let (key, target) = relation_args(&body)?;
    if target == id {
        return Err(ApiError::invalid(
            "/meta/target-object-id",
            "an account cannot be related to itself",
        ));
    }
    act_on_account(&state, &ctx, &body.request_hash, move |tx, acting| {
        accounts::change_relation(tx, acting, &id, &key, &target, true)
    })
    .await
}

pub async fn remove_relation(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("account", Access::Write)?;
    let (key, target) = relation_args(&body)?;
    act_on_account(&state, &ctx, &body.request_hash, move |tx, acting| {
        accounts::change_relation(tx, acting, &id, &key, &target, false)
    })
    .await
}

fn instant(query_value: Option<&String>, name: &str) -> ApiResult<Option<i64>> {
    query_value
        .map(|text| {
            parse_millis(text).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "filter[{name}] must be a date (YYYY-MM-DD) or an ISO-8601 UTC time"
                ))
            })
        })
        .transpose()
}

pub async fn list_relations(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("account", Access::Read)?;
    ctx.query
        .allow_filters(&["key", "created-at-start", "created-at-end"])?;
    let key = ctx
        .query
        .filter
        .get("key")
        .filter(|k| !k.is_empty())
        .cloned()
        .ok_or_else(|| {
            ApiError::bad_request("filter[key] is missing: name the relation key to list")
        })?;
    let filter = RelationFilter {
        key,
        created_at_start: instant(ctx.query.filter.get("created-at-start"), "created-at-start")?,
        created_at_end: instant(ctx.query.filter.get("created-at-end"), "created-at-end")?,
    };
    let store = &state.store;
    if store.account(ctx.env_id(), &id)?.is_none() {
        return Err(not_found(&id));
    }
    let request = paging::request(&ctx.query)?;
    let page = store.relations(ctx.env_id(), &id, &filter, &request)?;
    paging::list_reply(
        &ctx,
        &format!("/api/v1/accounts/{id}/relations"),
        &paging::filter_pairs(&ctx.query),
        &request,
        &page,
        |r| r.target_id.clone(),
        |relation| {
            let target = store.account(ctx.env_id(), &relation.target_id)?;
            Ok(target.map(|t| views::account::resource(&t, ctx.version)))
        },
    )
}

/// Beyond Persona: `GET /accounts/{id}/relation-keys`, the keys the account relates other
/// accounts under, with how many under each (what `relations?filter[key]=` can list).
pub async fn list_keys(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("account", Access::Read)?;
    ctx.query.allow_filters(&[])?;
    if ctx.query.page_after.is_some() || ctx.query.page_before.is_some() {
        return Err(ApiError::bad_request(
            "relation keys come in one page (page[after] and page[before] do not apply)",
        ));
    }
    if state.store.account(ctx.env_id(), &id)?.is_none() {
        return Err(not_found(&id));
    }
    let data: Vec<Value> = state
        .store
        .relation_keys(ctx.env_id(), &id)?
        .into_iter()
        .map(|(key, count)| {
            json!({
                "type": "account-relation-key",
                "id": key,
                "attributes": {"relation-schema-key": key, "count": count},
            })
        })
        .collect();
    Ok(crate::protocol::render::finish(
        json!({ "data": data }),
        &ctx,
        StatusCode::OK,
    ))
}
