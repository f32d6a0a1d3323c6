//! Create (with upsert), retrieve, update and list.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;
use vigil_domain::account::parse_changes;

use vigil_domain::permissions::Access;
use vigil_store::AccountFilter;

use super::{allow_meta, document, not_found, wants_account_type, written_account};
use crate::protocol::{finish, paging, write, ApiBody, ApiError, ApiResult, Ctx, Reply};
use crate::use_cases::accounts;
use crate::views;
use crate::AppState;

pub async fn list(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require("account", Access::Read)?;
    ctx.query
        .allow_filters(&["reference-id", "account-type-id", "archived"])?;
    let archived = match ctx.query.filter.get("archived").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(ApiError::bad_request(
                "filter[archived] must be true or false",
            ))
        }
    };
    let filter = AccountFilter {
        reference_ids: ctx.query.filter_list("reference-id"),
        account_type_id: ctx.query.filter.get("account-type-id").cloned(),
        archived,
    };
    let request = paging::request(&ctx.query)?;
    let page = state.store.accounts(ctx.env_id(), &filter, &request)?;
    paging::list_reply(
        &ctx,
        "/api/v1/accounts",
        &paging::filter_pairs(&ctx.query),
        &request,
        &page,
        |a| a.id.clone(),
        |a| Ok(Some(views::account::resource(a, ctx.version))),
    )
}

pub async fn retrieve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("account", Access::Read)?;
    let account = state
        .store
        .account(ctx.env_id(), &id)?
        .ok_or_else(|| not_found(&id))?;
    let doc = document(&ctx, &account, |type_id| {
        Ok(state.store.account_type(ctx.env_id(), type_id)?)
    })?;
    Ok(finish(doc, &ctx, StatusCode::OK))
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, body: ApiBody) -> ApiResult<Reply> {
    ctx.require("account", Access::Write)?;
    let changes = parse_changes(&body.attributes()?, true)?;
    let meta = body.meta()?;
    allow_meta(&meta, &["upsert-by"])?;
    let upsert_by = match meta.get("upsert-by") {
        None | Some(Value::Null) => None,
        Some(Value::String(field)) if field == "reference-id" || field == "reference_id" => {
            Some("reference_id".to_string())
        }
        Some(Value::String(field)) if !field.is_empty() => Some(field.clone()),
        Some(_) => {
            return Err(ApiError::bad_field(
                "/meta/upsert-by",
                "must be a field name",
            ))
        }
    };
    if let Some(field) = &upsert_by {
        if accounts::upsert_value(&changes, field).is_none() {
            return Err(ApiError::invalid(
                "/meta/upsert-by",
                &format!("the request does not set `{field}`, so there is nothing to upsert by"),
            ));
        }
    }
    wants_account_type(&ctx)?;
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let (account, created) =
            accounts::create(tx, &ctx.acting(), &changes, upsert_by.as_deref())?;
        let status = if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        written_account(tx, ctx, status, account)
    })
    .await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("account", Access::Write)?;
    let changes = parse_changes(&body.attributes()?, false)?;
    allow_meta(&body.meta()?, &[])?;
    wants_account_type(&ctx)?;
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let account = accounts::update(tx, &ctx.acting(), &id, &changes)?;
        written_account(tx, ctx, StatusCode::OK, account)
    })
    .await
}
