//! API keys (`/api-keys`, Persona's operations): list, make (the secret shown once), read,
//! change, expire. A key never grants more than its maker holds.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Map, Value};
use vigil_domain::permissions::{self, Access};
use vigil_store::transact;

use crate::protocol::{
    finish, paging, write, ApiBody, ApiError, ApiResult, Ctx, Doc, Reply, Written,
};
use crate::use_cases::keys::{self, KeyRequest};
use crate::views;
use crate::AppState;

const POINTER: &str = "/data/attributes";
const ATTRIBUTES: &[&str] = &[
    "name",
    "note",
    "api-version",
    "api-key-inflection",
    "permissions",
    "api-attributes-blocklist",
    "ip-address-allowlist",
    "file-access-token-expires-in",
];

fn string(attributes: &Map<String, Value>, name: &str) -> ApiResult<Option<String>> {
    match attributes.get(name) {
        None => Ok(None),
        Some(Value::String(text)) if !text.trim().is_empty() && text.chars().count() <= 255 => {
            Ok(Some(text.trim().to_string()))
        }
        Some(_) => Err(ApiError::bad_field(
            &format!("{POINTER}/{name}"),
            "must be a string of 1 to 255 characters",
        )),
    }
}

/// The attributes of a create or update, checked.
fn request_of(body: &ApiBody) -> ApiResult<KeyRequest> {
    let attributes = body.attributes()?;
    if let Some(unknown) = attributes
        .keys()
        .find(|k| !ATTRIBUTES.contains(&k.as_str()))
    {
        return Err(ApiError::bad_field(
            &format!("{POINTER}/{unknown}"),
            &format!(
                "is not an attribute of an API key (takes {})",
                ATTRIBUTES.join(", ")
            ),
        ));
    }
    // Persona's IP allowlists, attribute blocklists and file-link lifetimes are not
    // vigil's: refused rather than silently ignored.
    for name in ["api-attributes-blocklist", "ip-address-allowlist"] {
        match attributes.get(name) {
            None => {}
            Some(Value::Array(items)) if items.is_empty() => {}
            Some(_) => {
                return Err(ApiError::invalid(
                    &format!("{POINTER}/{name}"),
                    "is not supported by vigil (only an empty list is accepted)",
                ))
            }
        }
    }
    if attributes.contains_key("file-access-token-expires-in") {
        return Err(ApiError::invalid(
            &format!("{POINTER}/file-access-token-expires-in"),
            "is not supported by vigil (its files are served to keys, not by expiring links)",
        ));
    }
    let permissions = match attributes.get("permissions") {
        None => None,
        Some(Value::Array(items)) => {
            let mut names = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let Some(name) = item.as_str() else {
                    return Err(ApiError::bad_field(
                        &format!("{POINTER}/permissions/{i}"),
                        "must be a string",
                    ));
                };
                names.push(name.to_string());
            }
            Some(
                permissions::parse_list(&names.join(","))
                    .map_err(|why| ApiError::invalid(&format!("{POINTER}/permissions"), &why))?,
            )
        }
        Some(_) => {
            return Err(ApiError::bad_field(
                &format!("{POINTER}/permissions"),
                "must be an array of permissions",
            ))
        }
    };
    let note = match attributes.get("note") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(_) => Some(string(&attributes, "note")?),
    };
    Ok(KeyRequest {
        name: string(&attributes, "name")?,
        note,
        permissions,
        api_version: string(&attributes, "api-version")?,
        key_inflection: string(&attributes, "api-key-inflection")?,
    })
}

/// `GET /api-keys` (`filter[name]`), newest first.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require("api_key", Access::Read)?;
    ctx.query.allow_filters(&["name"])?;
    let request = paging::request(&ctx.query)?;
    let name = ctx.query.filter.get("name").cloned();
    let page = state
        .store
        .api_keys(ctx.env_id(), name.as_deref(), &request)?;
    paging::list_reply(
        &ctx,
        "/api/v1/api-keys",
        &paging::filter_pairs(&ctx.query),
        &request,
        &page,
        |k| k.id.clone(),
        |k| Ok(Some(views::api_key::resource(k, None))),
    )
}

/// `POST /api-keys`: the answer holds the key's `value`, once (never stored for replay).
pub async fn create(State(state): State<AppState>, ctx: Ctx, body: ApiBody) -> ApiResult<Reply> {
    ctx.require("api_key", Access::Write)?;
    let request = request_of(&body)?;
    let acting = ctx.acting();
    let env_name = ctx.env.name.clone();
    let holder = ctx.caller.permissions.clone();
    let (key, secret) = transact(&state.store, move |tx| {
        keys::create(tx, &acting, &env_name, &holder, request)
    })
    .await?;
    Ok(finish(
        views::single(views::api_key::resource(&key, Some(&secret)), None),
        &ctx,
        StatusCode::CREATED,
    ))
}

fn found(state: &AppState, ctx: &Ctx, id: &str) -> ApiResult<vigil_store::ApiKey> {
    state
        .store
        .api_key(ctx.env_id(), id)?
        .ok_or_else(|| ApiError::not_found(format!("API key `{id}` is not found")))
}

/// `GET /api-keys/{id}`.
pub async fn retrieve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("api_key", Access::Read)?;
    let key = found(&state, &ctx, &id)?;
    Ok(finish(
        views::single(views::api_key::resource(&key, None), None),
        &ctx,
        StatusCode::OK,
    ))
}

/// The answer to a change of `key` (never its secret).
fn key_written(key: vigil_store::ApiKey) -> Written {
    Written {
        status: StatusCode::OK,
        object_id: Some(key.id.clone()),
        doc: Doc::later(move |_| views::single(views::api_key::resource(&key, None), None)),
    }
}

/// `PATCH /api-keys/{id}`: name, note, permissions, defaults.
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("api_key", Access::Write)?;
    let request = request_of(&body)?;
    let holder = ctx.caller.permissions.clone();
    let reply = write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let key = keys::update(tx, &ctx.acting(), &holder, &id, request)?;
        Ok(key_written(key))
    })
    .await;
    // Keys are cached by secret: the next request with this one must see the change.
    state.forget_cached_keys();
    reply
}

/// The longest notice `expire` takes (Persona's limit).
const MAX_EXPIRY_SECONDS: i64 = 30 * 86_400;

/// `POST /api-keys/{id}/expire` with `meta.expires-in-seconds` (0 to 30 days).
pub async fn expire(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("api_key", Access::Write)?;
    let meta = body.meta()?;
    if let Some(unknown) = meta.keys().find(|k| k.as_str() != "expires-in-seconds") {
        return Err(ApiError::bad_field(
            &format!("/meta/{unknown}"),
            "is not a member here (takes expires-in-seconds)",
        ));
    }
    let seconds = match meta.get("expires-in-seconds").and_then(Value::as_i64) {
        Some(s) if (0..=MAX_EXPIRY_SECONDS).contains(&s) => s,
        Some(_) => {
            return Err(ApiError::invalid(
                "/meta/expires-in-seconds",
                "must be from 0 to 2592000 (30 days)",
            ))
        }
        None => {
            return Err(ApiError::bad_field(
                "/meta/expires-in-seconds",
                "is missing or not an integer",
            ))
        }
    };
    let reply = write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let key = keys::expire(tx, &ctx.acting(), &id, seconds)?;
        Ok(key_written(key))
    })
    .await;
    // Keys are cached by secret: the next request with this one must see the change.
    state.forget_cached_keys();
    reply
}
