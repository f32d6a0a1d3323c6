//! `POST /accounts/{id}/run-action`: run a configured account action (`accac_`); and
//! (beyond Persona, whose actions are made in its dashboard) `GET /account-actions`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{json, Map, Value};
use vigil_domain::permissions::Access;

use super::{allow_meta, required_string, written_account};
use crate::protocol::{write, ApiBody, ApiError, ApiResult, Ctx, Reply};
use crate::use_cases::accounts;
use crate::AppState;

/// The request is `{"data": {"account-action-id", "parameters"}}` (no `attributes`).
fn parse_request(body: &ApiBody) -> ApiResult<(String, Map<String, Value>)> {
    let data = match body.value.get("data") {
        Some(Value::Object(data)) => data,
        None | Some(Value::Null) => return Err(ApiError::bad_field("/data", "is missing")),
        Some(_) => return Err(ApiError::bad_field("/data", "must be an object")),
    };
    if let Some(unknown) = data
        .keys()
        .find(|k| !["account-action-id", "parameters"].contains(&k.as_str()))
    {
        return Err(ApiError::invalid(
            &format!("/data/{unknown}"),
            "is not a member of a run-action request (takes account-action-id, parameters)",
        ));
    }
    let action_id = required_string(data, "/data", "account-action-id")?;
    let parameters = match data.get("parameters") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(parameters)) => parameters.clone(),
        Some(_) => return Err(ApiError::bad_field("/data/parameters", "must be an object")),
    };
    allow_meta(&body.meta()?, &[])?;
    Ok((action_id, parameters))
}

pub async fn run_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("account", Access::Write)?;
    let (action_id, parameters) = parse_request(&body)?;
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let (account, run_id) =
            accounts::run_action(tx, &ctx.acting(), &id, &action_id, &parameters)?;
        let mut written = written_account(tx, ctx, StatusCode::OK, account)?;
        written.doc = written.doc.with_meta(json!({ "workflow-run-id": run_id }));
        Ok(written)
    })
    .await
}

/// Beyond Persona: `GET /account-actions`, the environment's actions (made with `vigil
/// actions create`), oldest first: what `run-action` can run.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require("account", Access::Read)?;
    ctx.query.allow_filters(&[])?;
    if ctx.query.page_after.is_some() || ctx.query.page_before.is_some() {
        return Err(ApiError::bad_request(
            "account actions come in one page (page[after] and page[before] do not apply)",
        ));
    }
    let actions = state.store.account_actions(ctx.env_id())?;
    let data: Vec<Value> = actions
        .iter()
        .map(|action| {
            json!({
                "type": "account-action",
                "id": action.id,
                "attributes": {
                    "name": action.name,
                    "kind": action.kind,
                    "created-at": vigil_domain::time::format_millis(action.created_at),
                },
            })
        })
        .collect();
    Ok(crate::protocol::render::finish(
        json!({ "data": data }),
        &ctx,
        StatusCode::OK,
    ))
}
