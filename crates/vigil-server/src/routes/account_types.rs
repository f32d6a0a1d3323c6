//! Account types: `GET /account-types/{id}` as Persona serves it, and (beyond Persona,
//! whose dashboard does this) list, create and update, so custom account statuses can be
//! managed over the API.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Map, Value};
use vigil_domain::permissions::Access;
use vigil_domain::validate::status_name;
use vigil_store::AccountType;

use crate::protocol::{finish, write, ApiBody, ApiError, ApiResult, Ctx, Doc, Reply, Written};
use crate::use_cases::configuration::{self, TypeChanges};
use crate::views;
use crate::AppState;

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("account type `{id}` is not found"))
}

pub async fn retrieve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("account", Access::Read)?;
    let account_type = state
        .store
        .account_type(ctx.env_id(), &id)?
        .ok_or_else(|| not_found(&id))?;
    let include = ctx.query.include.as_ref().map(|_| Vec::new());
    Ok(finish(
        views::single(views::account_type::resource(&account_type), include),
        &ctx,
        StatusCode::OK,
    ))
}

/// Every type with its statuses (as `included` `account-status` resources, which carry
/// the status names). Environments hold a handful of types, so there is one page.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require("account", Access::Read)?;
    let types = state.store.account_types(ctx.env_id())?;
    let mut doc = Map::new();
    doc.insert(
        "data".into(),
        types.iter().map(views::account_type::resource).collect(),
    );
    doc.insert(
        "included".into(),
        types
            .iter()
            .flat_map(views::account_type::statuses)
            .collect(),
    );
    doc.insert(
        "links".into(),
        serde_json::json!({ "prev": null, "next": null }),
    );
    Ok(finish(Value::Object(doc), &ctx, StatusCode::OK))
}

fn parse_changes(attributes: &Map<String, Value>) -> ApiResult<TypeChanges> {
    if let Some(unknown) = attributes
        .keys()
        .find(|k| !["name", "statuses", "default-status"].contains(&k.as_str()))
    {
        return Err(ApiError::invalid(
            &format!("/data/attributes/{unknown}"),
            "is not an attribute of an account type (takes name, statuses, default-status)",
        ));
    }
    let name = match attributes.get("name") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 100 {
                return Err(ApiError::invalid(
                    "/data/attributes/name",
                    "must be 1 to 100 characters",
                ));
            }
            Some(name.to_string())
        }
        Some(_) => {
            return Err(ApiError::bad_field(
                "/data/attributes/name",
                "must be a string",
            ))
        }
    };
    let statuses = match attributes.get("statuses") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            let mut names: Vec<String> = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let pointer = format!("/data/attributes/statuses/{i}");
                let Value::String(text) = item else {
                    return Err(ApiError::bad_field(&pointer, "must be a string"));
                };
                let name = status_name(text).map_err(|m| ApiError::invalid(&pointer, &m))?;
                if names.contains(&name) {
                    return Err(ApiError::invalid(&pointer, "is listed twice"));
                }
                names.push(name);
            }
            if names.is_empty() {
                return Err(ApiError::invalid(
                    "/data/attributes/statuses",
                    "must name at least one status",
                ));
            }
            Some(names)
        }
        Some(_) => {
            return Err(ApiError::bad_field(
                "/data/attributes/statuses",
                "must be an array of status names",
            ))
        }
    };
    let default_status = match attributes.get("default-status") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(
            status_name(text)
                .map_err(|m| ApiError::invalid("/data/attributes/default-status", &m))?,
        ),
        Some(_) => {
            return Err(ApiError::bad_field(
                "/data/attributes/default-status",
                "must be a string",
            ))
        }
    };
    Ok(TypeChanges {
        name,
        statuses,
        default_status,
    })
}

fn written(status: StatusCode, account_type: AccountType) -> Written {
    Written {
        status,
        object_id: Some(account_type.id.clone()),
        doc: Doc::later(move |_| views::single(views::account_type::resource(&account_type), None)),
    }
}

pub async fn create(State(state): State<AppState>, ctx: Ctx, body: ApiBody) -> ApiResult<Reply> {
    ctx.require("account", Access::Write)?;
    let mut changes = parse_changes(&body.attributes()?)?;
    let Some(name) = changes.name.take() else {
        return Err(ApiError::bad_field("/data/attributes/name", "is missing"));
    };
    if changes.statuses.is_none() {
        return Err(ApiError::bad_field(
            "/data/attributes/statuses",
            "is missing",
        ));
    }
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let account_type = configuration::create_account_type(tx, &ctx.acting(), name, changes)?;
        Ok(written(StatusCode::CREATED, account_type))
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
    let changes = parse_changes(&body.attributes()?)?;
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let account_type = configuration::update_account_type(tx, &ctx.acting(), &id, changes)?;
        Ok(written(StatusCode::OK, account_type))
    })
    .await
}
