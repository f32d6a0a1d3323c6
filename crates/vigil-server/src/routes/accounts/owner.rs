//! Which account a new report or inquiry belongs to: the one named by `account-id` or
//! `reference-id`, or one created for it (`meta.auto-create-account`, on by default).

use serde_json::{Map, Value};
use vigil_domain::account::Account;
use vigil_domain::validate;
use vigil_store::WriteTx;

use crate::protocol::{ApiError, ApiResult, Ctx};
use crate::use_cases::{accounts, Input};

/// Where a request names the type of an account it creates (in `meta`).
const TYPE_FIELD: &str = "auto-create-account-type-id";

/// A trimmed, non-empty optional string member `name` of `map`, which sits at `pointer`.
pub(crate) fn optional_string(
    map: &Map<String, Value>,
    pointer: &str,
    name: &str,
) -> ApiResult<Option<String>> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Err(ApiError::invalid(
            &format!("{pointer}/{name}"),
            "must not be empty",
        )),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(_) => Err(ApiError::bad_field(
            &format!("{pointer}/{name}"),
            "must be a string",
        )),
    }
}

/// An optional integer member `name` of `map` (which sits at `pointer`) within `range`;
/// outside it, a 422 saying `out_of_range`.
pub(crate) fn optional_integer(
    map: &Map<String, Value>,
    pointer: &str,
    name: &str,
    range: std::ops::RangeInclusive<i64>,
    out_of_range: &str,
) -> ApiResult<Option<i64>> {
    let at = format!("{pointer}/{name}");
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(v) if range.contains(&v) => Ok(Some(v)),
            _ => Err(ApiError::invalid(&at, out_of_range)),
        },
        Some(_) => Err(ApiError::bad_field(&at, "must be an integer")),
    }
}

/// An optional boolean member of `meta`.
pub(crate) fn meta_bool(meta: &Map<String, Value>, name: &str) -> ApiResult<Option<bool>> {
    match meta.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(ApiError::bad_field(
            &format!("/meta/{name}"),
            "must be a boolean",
        )),
    }
}

/// The `meta` members that choose or create the owner account.
pub(crate) const OWNER_META: &[&str] = &[
    "auto-create-account",
    "auto-create-account-type-id",
    "auto-create-account-reference-id",
];

/// The owner a request asks for, parsed before the transaction.
pub(crate) struct OwnerChoice {
    choice: Choice,
    type_id: Option<String>,
}

enum Choice {
    Id(String),
    /// Find by reference id, or create with it when allowed.
    Reference(String, bool),
    New,
    None,
}

impl OwnerChoice {
    /// From `data.attributes.account-id` / `reference-id` and the `meta.auto-create-*` members.
    pub(crate) fn parse(
        attributes: &Map<String, Value>,
        meta: &Map<String, Value>,
    ) -> ApiResult<OwnerChoice> {
        let auto_create = meta_bool(meta, "auto-create-account")?.unwrap_or(true);
        let type_id = optional_string(meta, "/meta", "auto-create-account-type-id")?;
        let reference = match optional_string(meta, "/meta", "auto-create-account-reference-id")? {
            Some(r) => Some(r),
            None => optional_string(attributes, "/data/attributes", "reference-id")?,
        }
        .map(|r| {
            validate::reference_id(&r)
                .map_err(|m| ApiError::invalid("/meta/auto-create-account-reference-id", &m))
        })
        .transpose()?;
        let choice = match (
            optional_string(attributes, "/data/attributes", "account-id")?,
            reference,
        ) {
            (Some(id), _) => Choice::Id(id),
            (None, Some(reference)) => Choice::Reference(reference, auto_create),
            (None, None) if auto_create => Choice::New,
            (None, None) => Choice::None,
        };
        Ok(OwnerChoice { choice, type_id })
    }

    /// Find (or create, recording `account.created`) the account, inside the transaction.
    pub(crate) fn resolve(self, tx: &mut dyn WriteTx, ctx: &Ctx) -> ApiResult<Option<Account>> {
        let owner = self.find_or_create(tx, ctx)?;
        // A consolidated account lives on in its destination only (Persona: "any attempts
        // to create an inquiry attached to the source account will fail").
        if let Some(Account {
            id,
            consolidated_into: Some(into),
            ..
        }) = &owner
        {
            return Err(ApiError::invalid(
                "/data/attributes/account-id",
                &format!("account `{id}` was consolidated into `{into}`; use that account"),
            ));
        }
        Ok(owner)
    }

    fn find_or_create(self, tx: &mut dyn WriteTx, ctx: &Ctx) -> ApiResult<Option<Account>> {
        let env = ctx.env_id();
        let type_id = self.type_id.as_deref();
        Ok(match self.choice {
            Choice::Id(id) => Some(tx.account(env, &id)?.ok_or_else(|| {
                ApiError::not_found(format!("data.attributes.account-id `{id}` is not found"))
            })?),
            Choice::Reference(reference, create) => {
                let account_type =
                    accounts::type_or_default(tx, env, type_id, Input::named(TYPE_FIELD))?;
                let key = Value::String(reference.clone());
                match tx.account_by_unique(env, &account_type.id, "reference_id", &key)? {
                    Some(existing) => Some(existing),
                    None if create => Some(accounts::create_blank(
                        tx,
                        &ctx.acting(),
                        &account_type,
                        Some(reference),
                    )?),
                    None => {
                        return Err(ApiError::not_found(format!(
                            "no account has reference id `{reference}` (and meta.auto-create-account is false)"
                        )))
                    }
                }
            }
            Choice::New => {
                let account_type =
                    accounts::type_or_default(tx, env, type_id, Input::named(TYPE_FIELD))?;
                Some(accounts::create_blank(
                    tx,
                    &ctx.acting(),
                    &account_type,
                    None,
                )?)
            }
            Choice::None => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_optional_integer_is_checked_for_type_and_range() {
        let meta = json!({"in": 5, "low": 0, "float": 1.5, "text": "5", "null": null});
        let meta = meta.as_object().unwrap();
        let read = |name| optional_integer(meta, "/meta", name, 1..=10, "must be from 1 to 10");
        assert_eq!(read("in").unwrap(), Some(5));
        assert_eq!(read("absent").unwrap(), None);
        assert_eq!(read("null").unwrap(), None);
        for out_of_range in ["low", "float"] {
            match read(out_of_range) {
                Err(ApiError::Unprocessable { details, pointer }) => {
                    assert_eq!(pointer.as_deref(), Some(&*format!("/meta/{out_of_range}")));
                    assert!(details.ends_with("must be from 1 to 10"), "{details}");
                }
                other => panic!("{out_of_range}: {other:?}"),
            }
        }
        match read("text") {
            Err(ApiError::BadRequest { details, pointer }) => {
                assert_eq!(pointer.as_deref(), Some("/meta/text"));
                assert!(details.ends_with("must be an integer"), "{details}");
            }
            other => panic!("{other:?}"),
        }
    }
}
