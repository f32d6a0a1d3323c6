//! The Accounts API. Shared helpers live here; each file holds one group of operations.

pub mod actions;
pub mod crud;
pub mod lifecycle;
pub mod owner;
pub mod relations;
pub mod search;
pub mod tags;

use serde_json::{Map, Value};
use vigil_domain::account::Account;
use vigil_domain::ids::{self, prefix};
use vigil_domain::upload::Upload;
use vigil_store::{AccountType, StoredFile, WriteTx};

use axum::http::StatusCode;

use crate::protocol::{record_event, ApiError, ApiResult, Ctx, Doc, Written};
use crate::views;

/// Load an account inside a write, or 404.
pub(crate) fn load(tx: &mut dyn WriteTx, ctx: &Ctx, id: &str) -> ApiResult<Account> {
    tx.account(ctx.env_id(), id)?.ok_or_else(|| not_found(id))
}

pub(crate) fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("account `{id}` is not found"))
}

/// Archived accounts (including consolidated sources) take no changes until restored.
pub(crate) fn ensure_active(account: &Account) -> ApiResult<()> {
    if account.archived_at.is_some() {
        return Err(ApiError::conflict(format!(
            "account `{}` is archived; restore it before changing it",
            account.id
        )));
    }
    Ok(())
}

/// The account field that holds the selfie photo.
pub(crate) const SELFIE_FIELD: &str = "selfie_photo";

/// Replace the file in an account's file `field` with `upload` (or remove it), in the
/// same transaction as the account. The field then carries the file's name, size and a
/// URL under `/api/v1/files/` (beyond Persona, which signs URLs on its own file host).
pub(crate) fn save_file(
    tx: &mut dyn WriteTx,
    ctx: &Ctx,
    account: &mut Account,
    field: &str,
    upload: Option<&Upload>,
) -> ApiResult<()> {
    tx.delete_files(ctx.env_id(), &account.id, Some(field))?;
    let Some(upload) = upload else {
        account.set_file(field, None, ctx.now);
        return Ok(());
    };
    let id = ids::new_id(prefix::FILE);
    let name: String = form_urlencoded::byte_serialize(upload.filename.as_bytes()).collect();
    let url = format!("/api/v1/files/{id}/{name}");
    tx.insert_file(
        ctx.env_id(),
        &StoredFile {
            id,
            object_id: account.id.clone(),
            field: field.to_string(),
            filename: upload.filename.clone(),
            content_type: upload.content_type.to_string(),
            bytes: upload.bytes.clone(),
            created_at: ctx.now,
        },
    )?;
    account.set_file(
        field,
        Some((&upload.filename, upload.bytes.len(), &url)),
        ctx.now,
    );
    Ok(())
}

/// 422 at `pointer` unless `status` is one of the type's statuses.
pub(crate) fn ensure_status(
    account_type: &AccountType,
    status: &str,
    pointer: &str,
) -> ApiResult<()> {
    if account_type.statuses.iter().any(|s| s.name == status) {
        return Ok(());
    }
    let known: Vec<&str> = account_type
        .statuses
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    Err(ApiError::invalid(
        pointer,
        &format!(
            "`{status}` is not a status of account type {} (known: {})",
            account_type.name,
            known.join(", ")
        ),
    ))
}

/// The account type `id` names (404 naming `pointer` when unknown), or the environment's
/// default type.
pub(crate) fn type_or_default(
    tx: &mut dyn WriteTx,
    env: &str,
    id: Option<&str>,
    field: &str,
) -> ApiResult<AccountType> {
    match id {
        Some(id) => tx
            .account_type(env, id)?
            .ok_or_else(|| ApiError::not_found(format!("{field} `{id}` is not found"))),
        None => tx
            .default_account_type(env)?
            .ok_or_else(|| ApiError::Internal("environment has no default account type".into())),
    }
}

/// A new account of `account_type`, in its default status.
pub(crate) fn blank_account(account_type: &AccountType, now: i64) -> Account {
    let mut account = Account::new(
        ids::new_time_ordered_id(prefix::ACCOUNT, now),
        account_type.id.clone(),
        account_type.name.clone(),
        now,
    );
    account.account_status = account_type
        .statuses
        .iter()
        .find(|s| s.is_default)
        .map(|s| s.name.clone());
    account
}

/// Record an event about an account, in the same transaction as the change.
pub(crate) fn record(
    tx: &mut dyn WriteTx,
    ctx: &Ctx,
    name: &str,
    account: &Account,
    context: Option<Value>,
) -> ApiResult<()> {
    let about = (views::account::TYPE, account.id.as_str());
    record_event(tx, ctx, name, about, account, context)
}

/// Which relationships the request asked to include; only `account-type` exists.
pub(crate) fn wants_account_type(ctx: &Ctx) -> ApiResult<Option<bool>> {
    match &ctx.query.include {
        None => Ok(None),
        Some(paths) => {
            if let Some(unknown) = paths.iter().find(|p| p.as_str() != "account-type") {
                return Err(ApiError::bad_request(format!("include `{unknown}` is not a relationship of account (supported: account-type)")));
            }
            Ok(Some(!paths.is_empty()))
        }
    }
}

/// The account types to include in a single-account document: `None` unless asked for.
fn included_types(
    ctx: &Ctx,
    account: &Account,
    lookup_type: impl FnOnce(&str) -> ApiResult<Option<AccountType>>,
) -> ApiResult<Option<Vec<Value>>> {
    Ok(match wants_account_type(ctx)? {
        None => None,
        Some(false) => Some(Vec::new()),
        Some(true) => Some(
            lookup_type(&account.account_type_id)?
                .iter()
                .map(views::account_type::resource)
                .collect(),
        ),
    })
}

/// The single-account document, with `included` when asked for.
pub(crate) fn document(
    ctx: &Ctx,
    account: &Account,
    lookup_type: impl FnOnce(&str) -> ApiResult<Option<AccountType>>,
) -> ApiResult<Value> {
    let included = included_types(ctx, account, lookup_type)?;
    Ok(views::single(
        views::account::resource(account, ctx.version),
        included,
    ))
}

/// A write's answer about `account`: looked up inside the transaction (the included
/// type), rendered after the commit.
pub(crate) fn written_account(
    tx: &mut dyn WriteTx,
    ctx: &Ctx,
    status: StatusCode,
    account: Account,
) -> ApiResult<Written> {
    let included = included_types(ctx, &account, |id| Ok(tx.account_type(ctx.env_id(), id)?))?;
    Ok(Written {
        status,
        object_id: Some(account.id.clone()),
        doc: Doc::later(move |ctx| {
            views::single(views::account::resource(&account, ctx.version), included)
        }),
    })
}

/// Reject `meta` members an operation does not take, naming them.
pub(crate) fn allow_meta(meta: &Map<String, Value>, allowed: &[&str]) -> ApiResult<()> {
    if let Some(unknown) = meta.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(ApiError::bad_field(
            &format!("/meta/{unknown}"),
            "is not an allowed member of meta",
        ));
    }
    Ok(())
}

/// A required string member of `meta`.
pub(crate) fn meta_string(meta: &Map<String, Value>, name: &str) -> ApiResult<String> {
    required_string(meta, "/meta", name)
}

/// A required, non-empty string member `name` of `object`, which sits at `at` in the body.
pub(crate) fn required_string(
    object: &Map<String, Value>,
    at: &str,
    name: &str,
) -> ApiResult<String> {
    let pointer = format!("{at}/{name}");
    match object.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Some(Value::String(_)) => Err(ApiError::invalid(&pointer, "must not be empty")),
        None | Some(Value::Null) => Err(ApiError::bad_field(&pointer, "is missing")),
        Some(_) => Err(ApiError::bad_field(&pointer, "must be a string")),
    }
}

/// What a simple account action did: the event to record (with its context), or nothing
/// when the account was already in the requested state.
pub(crate) type ActionEvent = Option<(&'static str, Option<Value>)>;

/// The shape every simple account action shares: load the account, apply `change`, and
/// when it reports an event, save the account and record the event in the same
/// transaction; answer with the account.
pub(crate) async fn act_on_account<F>(
    state: &crate::AppState,
    ctx: &Ctx,
    request_hash: &str,
    id: String,
    change: F,
) -> ApiResult<crate::protocol::Reply>
where
    F: FnOnce(&mut Account, &Ctx) -> ApiResult<ActionEvent> + Send + 'static,
{
    crate::protocol::write(state, ctx, request_hash, move |tx, ctx| {
        let mut account = load(tx, ctx, &id)?;
        if let Some((name, context)) = change(&mut account, ctx)? {
            tx.update_account(ctx.env_id(), &account)?;
            record(tx, ctx, name, &account, context)?;
        }
        written_account(tx, ctx, StatusCode::OK, account)
    })
    .await
}
