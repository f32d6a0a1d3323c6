//! Beyond Persona: flagging rules (`/flagging-rules`): create, list, retrieve, update
//! (rename, enable or disable, change the condition, template, queue or tag). Every
//! environment starts with the defaults of `vigil_domain::rule::defaults`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{json, Value};
use vigil_domain::permissions::Access;
use vigil_domain::rule::{FlaggingRule, RuleChanges};
use vigil_store::{PageRequest, RecordFilter};

use crate::protocol::{paging, write, ApiBody, ApiResult, Ctx, Doc, Reply, Written};
use crate::use_cases::rules;
use crate::AppState;

const POINTER: &str = "/data/attributes";

fn view(rule: &FlaggingRule) -> Value {
    json!({
        "type": rules::TYPE,
        "id": rule.id,
        "attributes": {
            "name": rule.name,
            "enabled": rule.enabled,
            "condition": rule.condition,
            "case-template-id": rule.case_template_id,
            "case-queue-id": rule.case_queue_id,
            "account-tag": rule.account_tag,
            "created-at": vigil_domain::time::format_millis(rule.created_at),
            "updated-at": vigil_domain::time::format_millis(rule.updated_at),
        },
    })
}

fn written(status: StatusCode, rule: FlaggingRule) -> Written {
    Written {
        status,
        object_id: Some(rule.id.clone()),
        doc: Doc::later(move |_| json!({ "data": view(&rule) })),
    }
}

/// `POST /flagging-rules` with `name`, `condition`, `account-tag` and optionally
/// `enabled`, `case-template-id`, `case-queue-id`.
pub async fn create(State(state): State<AppState>, ctx: Ctx, body: ApiBody) -> ApiResult<Reply> {
    ctx.require("case", Access::Write)?;
    // Rules decide which cases open: changing them is configuring, as templates are.
    ctx.require_permission(vigil_domain::permissions::CASE_CONFIGURE)?;
    let changes = RuleChanges::read(&body.attributes()?, POINTER)?;
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let rule = rules::create(tx, &ctx.acting(), changes)?;
        Ok(written(StatusCode::CREATED, rule))
    })
    .await
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("case", Access::Write)?;
    // Rules decide which cases open: changing them is configuring, as templates are.
    ctx.require_permission(vigil_domain::permissions::CASE_CONFIGURE)?;
    let changes = RuleChanges::read(&body.attributes()?, POINTER)?;
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let rule = rules::update(tx, &ctx.acting(), &id, changes)?;
        Ok(written(StatusCode::OK, rule))
    })
    .await
}

pub async fn retrieve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    crate::routes::retrieve_record::<FlaggingRule>(&state, &ctx, "case", "flagging rule", &id, view)
}

pub async fn list(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require("case", Access::Read)?;
    ctx.query.allow_filters(&[])?;
    let request: PageRequest = paging::request(&ctx.query)?;
    let page =
        state
            .store
            .find::<FlaggingRule>(ctx.env_id(), &RecordFilter::default(), &request)?;
    paging::list_reply(
        &ctx,
        "/api/v1/flagging-rules",
        &[],
        &request,
        &page,
        |r| r.id.clone(),
        |r| Ok(Some(view(r))),
    )
}
