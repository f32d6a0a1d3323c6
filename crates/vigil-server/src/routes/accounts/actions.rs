//! `POST /accounts/{id}/run-action`: run a configured account action (`accac_`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{json, Map, Value};
use vigil_domain::account_action::{parse_run, ActionKind, ActionRun};
use vigil_domain::events;
use vigil_domain::ids::{self, prefix};
use vigil_domain::permissions::Access;

use super::{
    allow_meta, ensure_active, ensure_status, load, record, required_string, written_account,
};
use crate::protocol::{write, ApiBody, ApiError, ApiResult, Ctx, Reply};
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
        let env = ctx.env_id();
        let mut account = load(tx, ctx, &id)?;
        let action = tx.account_action(env, &action_id)?.ok_or_else(|| {
            ApiError::not_found(format!("data.account-action-id `{action_id}` is not found"))
        })?;
        let kind = ActionKind::parse(&action.kind).ok_or_else(|| {
            ApiError::Internal(format!("stored action of unknown kind {}", action.kind))
        })?;
        let run = parse_run(kind, &parameters)?;
        ensure_active(&account)?;
        // Persona runs an action as a workflow run and answers with its id; vigil's runs
        // are synchronous, and the id ties the response to the events it produced.
        let run_id = ids::new_id(prefix::WORKFLOW_RUN);
        let about = |extra: Value| {
            let mut context = json!({
                "account-action-id": action.id,
                "account-action-name": action.name,
                "workflow-run-id": run_id,
            });
            if let (Some(context), Value::Object(extra)) = (context.as_object_mut(), extra) {
                context.extend(extra);
            }
            Some(context)
        };
        let mut recorded: Vec<(&'static str, Option<Value>)> = Vec::new();
        match run {
            ActionRun::SetStatus(status) => {
                let account_type = tx
                    .account_type(env, &account.account_type_id)?
                    .ok_or_else(|| ApiError::Internal("account type vanished".into()))?;
                ensure_status(&account_type, &status, "/data/parameters/status")?;
                if account.account_status.as_deref() != Some(status.as_str()) {
                    account.account_status = Some(status);
                    account.updated_at = ctx.now;
                    recorded.push((events::ACCOUNT_STATUS_UPDATED, about(json!({}))));
                }
            }
            ActionRun::AddTags(tags) => {
                for tag in tags {
                    if account.add_tag(&tag, ctx.now) {
                        recorded
                            .push((events::ACCOUNT_TAG_ADDED, about(json!({ "tag-name": tag }))));
                    }
                }
            }
            ActionRun::RemoveTags(tags) => {
                for tag in tags {
                    if account.remove_tag(&tag, ctx.now) {
                        recorded.push((
                            events::ACCOUNT_TAG_REMOVED,
                            about(json!({ "tag-name": tag })),
                        ));
                    }
                }
            }
        }
        if !recorded.is_empty() {
            tx.update_account(env, &account)?;
            for (name, context) in recorded {
                record(tx, ctx, name, &account, context)?;
            }
        }
        let mut written = written_account(tx, ctx, StatusCode::OK, account)?;
        written.doc = written.doc.with_meta(json!({ "workflow-run-id": run_id }));
        Ok(written)
    })
    .await
}
