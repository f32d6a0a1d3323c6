//! Beyond Persona: flagging rules (`/flagging-rules`): create, list, retrieve, update
//! (rename, enable or disable, change the condition, template, queue or tag). Every
//! environment starts with the defaults of `vigil_domain::rule::defaults`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{json, Map, Value};
use vigil_domain::case::{CaseQueue, CaseTemplate};
use vigil_domain::ids::{self, prefix};
use vigil_domain::permissions::Access;
use vigil_domain::rule::{defaults, parse_condition, FlaggingRule};
use vigil_domain::validate;
use vigil_store::{PageRequest, RecordFilter, WriteTx};

use super::accounts::owner::optional_string;
use crate::protocol::{
    paging, record_event, write, ApiBody, ApiError, ApiResult, Ctx, Doc, Reply, Written,
};
use crate::AppState;

pub(crate) const TYPE: &str = "flagging-rule";
const POINTER: &str = "/data/attributes";

fn view(rule: &FlaggingRule) -> Value {
    json!({
        "type": TYPE,
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

/// Give the environment the default rules if it has no rule yet.
pub(crate) fn ensure_defaults(
    tx: &mut dyn WriteTx,
    env: &str,
    now: i64,
) -> vigil_store::Result<()> {
    if !tx
        .find::<FlaggingRule>(env, &RecordFilter::default(), 1)?
        .is_empty()
    {
        return Ok(());
    }
    for (name, condition, tag) in defaults() {
        tx.put(
            env,
            &FlaggingRule {
                id: ids::new_id(prefix::FLAGGING_RULE),
                name: name.into(),
                enabled: true,
                condition,
                case_template_id: None,
                case_queue_id: None,
                account_tag: tag.into(),
                created_at: now,
                updated_at: now,
            },
        )?;
    }
    Ok(())
}

/// A rule with nothing set yet, for a create to fill in.
pub(crate) fn blank(now: i64) -> FlaggingRule {
    FlaggingRule {
        id: ids::new_id(prefix::FLAGGING_RULE),
        name: String::new(),
        enabled: true,
        condition: vigil_domain::rule::Condition::WatchlistMatch,
        case_template_id: None,
        case_queue_id: None,
        account_tag: String::new(),
        created_at: now,
        updated_at: now,
    }
}

/// The changes a create or update asks for, checked.
pub(crate) struct Changes {
    pub(crate) name: Option<String>,
    enabled: Option<bool>,
    condition: Option<vigil_domain::rule::Condition>,
    template: Option<Option<String>>,
    queue: Option<Option<String>>,
    tag: Option<String>,
}

/// Read the attributes at `pointer` (`/data/attributes` in a request).
pub(crate) fn changes(attributes: &Map<String, Value>, pointer: &str) -> ApiResult<Changes> {
    const ALLOWED: &[&str] = &[
        "name",
        "enabled",
        "condition",
        "case-template-id",
        "case-queue-id",
        "account-tag",
    ];
    if let Some(unknown) = attributes.keys().find(|k| !ALLOWED.contains(&k.as_str())) {
        return Err(ApiError::invalid(
            &format!("{pointer}/{unknown}"),
            &format!(
                "is not an attribute of a flagging rule ({})",
                ALLOWED.join(", ")
            ),
        ));
    }
    let nullable = |name: &str| -> ApiResult<Option<Option<String>>> {
        match attributes.get(name) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(_) => Ok(Some(optional_string(attributes, pointer, name)?)),
        }
    };
    Ok(Changes {
        name: optional_string(attributes, pointer, "name")?,
        enabled: match attributes.get("enabled") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                return Err(ApiError::bad_field(
                    &format!("{pointer}/enabled"),
                    "must be a boolean",
                ))
            }
        },
        condition: attributes
            .get("condition")
            .map(|c| parse_condition(c, &format!("{pointer}/condition")))
            .transpose()?,
        template: nullable("case-template-id")?,
        queue: nullable("case-queue-id")?,
        tag: optional_string(attributes, pointer, "account-tag")?
            .map(|t| {
                validate::tag(&t)
                    .map_err(|m| ApiError::invalid(&format!("{pointer}/account-tag"), &m))
            })
            .transpose()?,
    })
}

impl Changes {
    /// A create needs a name, a condition and a tag.
    pub(crate) fn complete(&self, pointer: &str) -> ApiResult<()> {
        for (missing, name) in [
            (self.name.is_none(), "name"),
            (self.condition.is_none(), "condition"),
            (self.tag.is_none(), "account-tag"),
        ] {
            if missing {
                return Err(ApiError::bad_field(
                    &format!("{pointer}/{name}"),
                    "is missing",
                ));
            }
        }
        Ok(())
    }
}

pub(crate) fn apply(
    tx: &mut dyn WriteTx,
    env: &str,
    rule: &mut FlaggingRule,
    changes: Changes,
) -> ApiResult<()> {
    if let Some(Some(id)) = &changes.template {
        tx.get::<CaseTemplate>(env, id)?.ok_or_else(|| {
            ApiError::not_found(format!(
                "data.attributes.case-template-id `{id}` is not found"
            ))
        })?;
    }
    if let Some(Some(id)) = &changes.queue {
        tx.get::<CaseQueue>(env, id)?.ok_or_else(|| {
            ApiError::not_found(format!("data.attributes.case-queue-id `{id}` is not found"))
        })?;
    }
    if let Some(name) = changes.name {
        rule.name = name;
    }
    if let Some(enabled) = changes.enabled {
        rule.enabled = enabled;
    }
    if let Some(condition) = changes.condition {
        rule.condition = condition;
    }
    if let Some(template) = changes.template {
        rule.case_template_id = template;
    }
    if let Some(queue) = changes.queue {
        rule.case_queue_id = queue;
    }
    if let Some(tag) = changes.tag {
        rule.account_tag = tag;
    }
    Ok(())
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
    let changes = changes(&body.attributes()?, POINTER)?;
    changes.complete(POINTER)?;
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let mut rule = blank(ctx.now);
        apply(tx, ctx.env_id(), &mut rule, changes)?;
        tx.put(ctx.env_id(), &rule)?;
        record_event(
            tx,
            ctx,
            "flagging-rule.created",
            (TYPE, &rule.id),
            &rule,
            None,
        )?;
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
    let changes = changes(&body.attributes()?, POINTER)?;
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let env = ctx.env_id();
        let mut rule = tx
            .get::<FlaggingRule>(env, &id)?
            .ok_or_else(|| ApiError::not_found(format!("flagging rule `{id}` is not found")))?;
        apply(tx, env, &mut rule, changes)?;
        rule.updated_at = ctx.now;
        tx.put(env, &rule)?;
        record_event(
            tx,
            ctx,
            "flagging-rule.updated",
            (TYPE, &rule.id),
            &rule,
            None,
        )?;
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
