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
use vigil_store::{AccountType, WriteTx};

use axum::http::StatusCode;

use crate::protocol::{ApiError, ApiResult, Ctx, Doc, Written};
use crate::use_cases::{accounts, Acting, Outcome};
use crate::views;

/// Load an account inside a write, or 404.
pub(crate) fn load(tx: &mut dyn WriteTx, ctx: &Ctx, id: &str) -> ApiResult<Account> {
    Ok(accounts::load(tx, ctx.env_id(), id)?)
}

pub(crate) fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("account `{id}` is not found"))
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

/// The shape every simple account change shares: run the use case in a write, answer
/// with the account it returns.
pub(crate) async fn act_on_account<F>(
    state: &crate::AppState,
    ctx: &Ctx,
    request_hash: &str,
    change: F,
) -> ApiResult<crate::protocol::Reply>
where
    F: FnOnce(&mut dyn WriteTx, &Acting) -> Outcome<Account> + Send + 'static,
{
    crate::protocol::write(state, ctx, request_hash, move |tx, ctx| {
        let account = change(tx, &ctx.acting())?;
        written_account(tx, ctx, StatusCode::OK, account)
    })
    .await
}
