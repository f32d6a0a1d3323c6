//! Create (with upsert), retrieve, update and list.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;
use vigil_domain::account::{parse_changes, Account, AccountChanges, ChangeSummary};
use vigil_domain::events;

use vigil_domain::permissions::Access;
use vigil_store::{AccountFilter, AccountType, WriteTx};

use super::{
    allow_meta, blank_account, document, ensure_active, ensure_status, load, not_found, record,
    save_file, type_or_default, wants_account_type, written_account, SELFIE_FIELD,
};
use crate::protocol::{finish, paging, write, ApiBody, ApiError, ApiResult, Ctx, Reply};
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

/// The requested status, checked against the account type's statuses.
fn check_status(changes: &AccountChanges, account_type: &AccountType) -> ApiResult<()> {
    match &changes.account_status {
        Some(status) => ensure_status(account_type, status, "/data/attributes/account-status"),
        None => Ok(()),
    }
}

/// Apply a request's changes, storing its selfie photo (if it sent one) beside them.
fn apply_changes(
    tx: &mut dyn WriteTx,
    ctx: &Ctx,
    account: &mut Account,
    changes: &AccountChanges,
) -> ApiResult<ChangeSummary> {
    let mut summary = account.apply(changes, ctx.now);
    if let Some(selfie) = &changes.selfie_photo {
        save_file(tx, ctx, account, SELFIE_FIELD, selfie.as_ref())?;
        summary.fields = true;
    }
    Ok(summary)
}

/// Record the events Persona sends for the parts of an account that changed.
fn record_changes(
    tx: &mut dyn WriteTx,
    ctx: &Ctx,
    account: &Account,
    summary: ChangeSummary,
) -> ApiResult<()> {
    if summary.fields || summary.attributes {
        record(tx, ctx, events::ACCOUNT_UPDATED_FIELDS, account, None)?;
    }
    if summary.tags {
        record(tx, ctx, events::ACCOUNT_UPDATED_TAGS, account, None)?;
    }
    if summary.status {
        record(tx, ctx, events::ACCOUNT_STATUS_UPDATED, account, None)?;
    }
    Ok(())
}

/// The value the request sets for the `meta.upsert-by` field, if any.
fn upsert_value(changes: &AccountChanges, field: &str) -> Option<Value> {
    if field == "reference_id" {
        return changes.reference_id.clone().flatten().map(Value::String);
    }
    let mut parts = field.split('.');
    let mut current = changes.fields.get(parts.next()?)?.get("value")?;
    for part in parts {
        current = current.get(part)?.get("value")?;
    }
    (!current.is_null()).then(|| current.clone())
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
        if upsert_value(&changes, field).is_none() {
            return Err(ApiError::invalid(
                "/meta/upsert-by",
                &format!("the request does not set `{field}`, so there is nothing to upsert by"),
            ));
        }
    }
    wants_account_type(&ctx)?;
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let env = ctx.env_id();
        let account_type = type_or_default(
            tx,
            env,
            changes.account_type_id.as_deref(),
            "data.attributes.account-type-id",
        )?;
        check_status(&changes, &account_type)?;
        if let Some(field) = &upsert_by {
            let value = upsert_value(&changes, field).unwrap_or(Value::Null);
            if let Some(mut existing) =
                tx.account_by_unique(env, &account_type.id, field, &value)?
            {
                let summary = apply_changes(tx, ctx, &mut existing, &changes)?;
                if summary.any() {
                    tx.update_account(env, &existing)?;
                    record_changes(tx, ctx, &existing, summary)?;
                }
                return written_account(tx, ctx, StatusCode::OK, existing);
            }
        }
        // One account per reference id (per account type), as the importer has it: a
        // second create is refused rather than making a twin that lookups by reference
        // id would then have to choose between.
        if let Some(Some(reference_id)) = &changes.reference_id {
            let key = Value::String(reference_id.clone());
            if let Some(taken) = tx.account_by_unique(env, &account_type.id, "reference_id", &key)? {
                return Err(ApiError::conflict(format!(
                    "Record not unique: account {} already has this reference-id (send meta.upsert-by: reference-id to update it instead)",
                    taken.id
                )));
            }
        }
        let mut account = blank_account(&account_type, ctx.now);
        apply_changes(tx, ctx, &mut account, &changes)?;
        account.updated_at = ctx.now;
        tx.insert_account(env, &account)?;
        record(tx, ctx, events::ACCOUNT_CREATED, &account, None)?;
        written_account(tx, ctx, StatusCode::CREATED, account)
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
        let mut account = load(tx, ctx, &id)?;
        ensure_active(&account)?;
        let account_type = tx
            .account_type(ctx.env_id(), &account.account_type_id)?
            .ok_or_else(|| ApiError::Internal("account type vanished".into()))?;
        check_status(&changes, &account_type)?;
        let summary = apply_changes(tx, ctx, &mut account, &changes)?;
        if summary.any() {
            tx.update_account(ctx.env_id(), &account)?;
            record_changes(tx, ctx, &account, summary)?;
        }
        written_account(tx, ctx, StatusCode::OK, account)
    })
    .await
}
