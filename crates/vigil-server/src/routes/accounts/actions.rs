//! `POST /accounts/{id}/run-action`: run a configured account action (`accac_`).

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
