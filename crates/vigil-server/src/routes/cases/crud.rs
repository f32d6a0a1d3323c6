//! Create, retrieve, list, update and redact cases.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Map, Value};
use vigil_domain::case::{Actor, Case, CaseComment, CaseQueue, CaseStatus, CaseTemplate};
use vigil_domain::events;
use vigil_domain::ids::{self, prefix};
use vigil_domain::inquiry::template::check_fields;
use vigil_domain::permissions::Access;
use vigil_store::{term, PageRequest, WriteTx};

use super::{act_on_case, actor, attach, ensure_not_redacted, load, object_ids, record, written};
use crate::protocol::{paging, replace_snapshots, write, ApiBody, ApiError, ApiResult, Ctx, Reply};
use crate::routes::accounts::allow_meta;
use crate::routes::accounts::owner::optional_string;
use crate::views;
use crate::AppState;

const POINTER: &str = "/data/attributes";
/// Persona's longest SLA: 90 days.
const MAX_SLA_SECS: i64 = 90 * 24 * 60 * 60;

fn sla_seconds(meta: &Map<String, Value>) -> ApiResult<Option<i64>> {
    match meta.get("sla-expires-in-seconds") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(s) if s >= 1.0 && s <= MAX_SLA_SECS as f64 => Ok(Some(s as i64)),
            _ => Err(ApiError::invalid(
                "/meta/sla-expires-in-seconds",
                "must be from 1 second to 90 days (7776000)",
            )),
        },
        Some(_) => Err(ApiError::bad_field(
            "/meta/sla-expires-in-seconds",
            "must be a number",
        )),
    }
}

pub(crate) fn load_template(
    tx: &mut dyn WriteTx,
    env: &str,
    id: &str,
    field: &str,
) -> ApiResult<CaseTemplate> {
    tx.get::<CaseTemplate>(env, id)?
        .ok_or_else(|| ApiError::not_found(format!("{field} `{id}` is not found")))
}

fn load_queue(tx: &mut dyn WriteTx, env: &str, id: &str) -> ApiResult<CaseQueue> {
    tx.get::<CaseQueue>(env, id)?.ok_or_else(|| {
        ApiError::not_found(format!("data.attributes.case-queue-id `{id}` is not found"))
    })
}

fn fields_member(attributes: &Map<String, Value>) -> ApiResult<Option<Map<String, Value>>> {
    match attributes.get("fields") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map.clone())),
        Some(_) => Err(ApiError::bad_field(
            &format!("{POINTER}/fields"),
            "must be an object",
        )),
    }
}

/// A new open case of `template` (not yet saved). Shared with flagging rules.
pub(crate) fn new_case(template: &CaseTemplate, creator: Actor, now: i64) -> Case {
    let id = ids::new_time_ordered_id(prefix::CASE, now);
    Case {
        name: format!("{} {}", template.name, &id[id.len() - 6..]),
        id,
        template_id: template.id.clone(),
        queue_id: None,
        status: CaseStatus::Open,
        resolution: None,
        created_at: now,
        updated_at: now,
        assigned_at: None,
        resolved_at: None,
        redacted_at: None,
        sla_expires_at: None,
        sla_reported: false,
        creator,
        assignee: None,
        assigner: None,
        resolver: None,
        updater: None,
        tags: Vec::new(),
        fields: Map::new(),
        account_ids: Vec::new(),
        reference_ids: Vec::new(),
        inquiry_ids: Vec::new(),
        report_ids: Vec::new(),
        document_ids: Vec::new(),
        comment_ids: Vec::new(),
        finding: None,
        rule_id: None,
    }
}

/// `POST /cases`.
pub async fn create(State(state): State<AppState>, ctx: Ctx, body: ApiBody) -> ApiResult<Reply> {
    ctx.require("case", Access::Write)?;
    let attributes = body.attributes()?;
    if let Some(unknown) = attributes.keys().find(|k| {
        ![
            "case-template-id",
            "creator-email-address",
            "case-queue-id",
            "fields",
        ]
        .contains(&k.as_str())
    }) {
        return Err(ApiError::invalid(
            &format!("{POINTER}/{unknown}"),
            "is not an attribute of a case create",
        ));
    }
    let Some(template_id) = optional_string(&attributes, POINTER, "case-template-id")? else {
        return Err(ApiError::bad_field(
            &format!("{POINTER}/case-template-id"),
            "is missing",
        ));
    };
    let creator = match optional_string(&attributes, POINTER, "creator-email-address")? {
        Some(email) => Actor {
            id: vigil_domain::validate::email_address(&email)
                .map_err(|m| ApiError::invalid(&format!("{POINTER}/creator-email-address"), &m))?,
            kind: "user".into(),
        },
        None => actor(&ctx),
    };
    let queue_id = optional_string(&attributes, POINTER, "case-queue-id")?;
    let fields = fields_member(&attributes)?;
    let meta = body.meta()?;
    allow_meta(&meta, &["object-ids", "sla-expires-in-seconds"])?;
    let objects = object_ids(&meta)?;
    let sla = sla_seconds(&meta)?;
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let env = ctx.env_id();
        let template = load_template(tx, env, &template_id, "data.attributes.case-template-id")?;
        let mut case = new_case(&template, creator, ctx.now);
        if let Some(queue) = queue_id {
            case.queue_id = Some(load_queue(tx, env, &queue)?.id);
        }
        if let Some(fields) = fields {
            let owner = format!("case template `{}`", template.id);
            case.fields = check_fields(
                &template.field_schemas,
                &owner,
                &fields,
                &format!("{POINTER}/fields"),
            )?;
        }
        attach(tx, env, &mut case, &objects, "/meta/object-ids")?;
        case.sla_expires_at = sla.map(|s| ctx.now + s * 1000);
        tx.put(env, &case)?;
        record(tx, env, ctx.now, events::CASE_CREATED, &case, None)?;
        Ok(written(StatusCode::CREATED, case))
    })
    .await
}

/// `GET /cases/{id}`.
pub async fn retrieve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    crate::routes::retrieve_record::<Case>(&state, &ctx, "case", "case", &id, views::case::resource)
}

const FILTERS: &[&str] = &[
    "status",
    "case-template-id",
    "account-id",
    "reference-id",
    "inquiry-id",
    "report-id",
    "case-queue-id",
    "assignee-id",
    "created-at-start",
    "created-at-end",
];

/// `GET /cases`, newest first, with Persona's filters and (beyond Persona) queue, assignee
/// and creation dates.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require("case", Access::Read)?;
    ctx.query.allow_filters(FILTERS)?;
    let terms = |name: &str, key: &str| crate::routes::filters::terms(&ctx.query, name, key);
    let status: Vec<String> = ctx
        .query
        .filter_list("status")
        .iter()
        .map(|s| match CaseStatus::parse(&s.to_ascii_lowercase()) {
            Some(known) => term("status", known.as_str()),
            None => term("status", s),
        })
        .collect();
    let filter = crate::routes::filters::created_between(&ctx.query)?
        .any_of(status)
        .any_of(terms("case-template-id", "template"))
        .any_of(terms("account-id", "account"))
        .any_of(terms("reference-id", "reference"))
        .any_of(terms("inquiry-id", "inquiry"))
        .any_of(terms("report-id", "report"))
        .any_of(terms("case-queue-id", "queue"))
        .any_of(terms("assignee-id", "assignee"));
    let request: PageRequest = paging::request(&ctx.query)?;
    let page = state.store.find::<Case>(ctx.env_id(), &filter, &request)?;
    paging::list_reply(
        &ctx,
        "/api/v1/cases",
        &paging::filter_pairs(&ctx.query),
        &request,
        &page,
        |c| c.id.clone(),
        |c| Ok(Some(views::case::resource(c))),
    )
}

/// `PATCH /cases/{id}`: `fields`, `case-queue-id`; `meta.sla-expires-in-seconds`.
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("case", Access::Write)?;
    let attributes = body.attributes()?;
    if let Some(unknown) = attributes
        .keys()
        .find(|k| !["fields", "case-queue-id"].contains(&k.as_str()))
    {
        return Err(ApiError::invalid(
            &format!("{POINTER}/{unknown}"),
            "is not an attribute of a case update (takes fields, case-queue-id)",
        ));
    }
    let fields = fields_member(&attributes)?;
    let queue_id = optional_string(&attributes, POINTER, "case-queue-id")?;
    let meta = body.meta()?;
    allow_meta(&meta, &["sla-expires-in-seconds"])?;
    let sla = sla_seconds(&meta)?;
    act_on_case(
        &state,
        &ctx,
        &body.request_hash,
        id,
        move |tx, ctx, case| {
            let env = ctx.env_id();
            if let Some(fields) = fields {
                let template = load_template(tx, env, &case.template_id, "case template")?;
                let owner = format!("case template `{}`", template.id);
                let checked = check_fields(
                    &template.field_schemas,
                    &owner,
                    &fields,
                    &format!("{POINTER}/fields"),
                )?;
                let before = case.fields.clone();
                case.fields.extend(checked);
                if case.fields != before {
                    case.updated_at = ctx.now;
                    case.updater = Some(actor(ctx));
                    record(tx, env, ctx.now, events::CASE_UPDATED_FIELDS, case, None)?;
                }
            }
            if let Some(queue) = queue_id {
                let queue = load_queue(tx, env, &queue)?;
                if case.queue_id.as_deref() != Some(queue.id.as_str()) {
                    case.queue_id = Some(queue.id);
                    case.updated_at = ctx.now;
                    record(tx, env, ctx.now, events::CASE_QUEUE_UPDATED, case, None)?;
                }
            }
            if let Some(seconds) = sla {
                case.sla_expires_at = Some(ctx.now + seconds * 1000);
                case.sla_reported = false;
                case.updated_at = ctx.now;
            }
            Ok(())
        },
    )
    .await
}

/// `DELETE /cases/{id}`: remove its fields and its comments' text, here and in events.
pub async fn redact(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("case", Access::Write)?;
    let ctx = ctx.without_idempotency_key();
    write(&state, &ctx, "", move |tx, ctx| {
        let env = ctx.env_id();
        let mut case = load(tx, env, &id)?;
        ensure_not_redacted(&case)?;
        redact_in_tx(tx, env, ctx.now, &mut case)?;
        tx.request_checkpoint();
        Ok(written(StatusCode::OK, case))
    })
    .await
}

/// Redact a case inside a transaction: its fields and its comments' text, in their events
/// and in stored responses (the comments' own too), with `case.redacted`.
pub(crate) fn redact_in_tx(
    tx: &mut dyn WriteTx,
    env: &str,
    now: i64,
    case: &mut Case,
) -> ApiResult<()> {
    for comment_id in case.comment_ids.clone() {
        if let Some(mut comment) = tx.get::<CaseComment>(env, &comment_id)? {
            comment.message = String::new();
            tx.put(env, &comment)?;
            replace_snapshots(tx, env, &comment.id, &comment)?;
            tx.delete_stored_responses_for(env, &comment.id)?;
        }
    }
    case.redact(now);
    tx.put(env, &*case)?;
    replace_snapshots(tx, env, &case.id, &*case)?;
    tx.delete_stored_responses_for(env, &case.id)?;
    record(tx, env, now, events::CASE_REDACTED, case, None)?;
    Ok(())
}

/// `POST /cases/search`: the search language over the environment's cases (`status` (a
/// resolution once resolved), `resolution`, `name`, `case_template_id`, `case_queue_id`,
/// `assignee_id`, `tags`, `created_at`, `updated_at`, `fields.<key>`).
pub async fn search(State(state): State<AppState>, ctx: Ctx, body: ApiBody) -> ApiResult<Reply> {
    ctx.require("case", Access::Read)?;
    crate::routes::search::search_reply(
        &ctx,
        &body,
        "/api/v1/cases/search",
        |visit| {
            state.store.scan::<Case>(ctx.env_id(), &mut |case| {
                visit(case);
                true
            })?;
            Ok(())
        },
        |c| c.id.clone(),
        views::case::resource,
    )
}
