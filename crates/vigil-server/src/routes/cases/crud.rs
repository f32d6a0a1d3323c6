//! Create, retrieve, list, update and redact cases.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Map, Value};
use vigil_domain::case::{Case, CaseStatus};
use vigil_domain::permissions::Access;
use vigil_store::{term, PageRequest, RecordFilter};

use super::{act_on_case, object_ids, written};
use crate::protocol::{paging, write, ApiBody, ApiError, ApiResult, Ctx, Reply};
use crate::routes::accounts::allow_meta;
use crate::routes::accounts::owner::optional_string;
use crate::use_cases::cases::{self, CaseChanges, NewCase};
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
    let new = NewCase {
        template_id,
        creator_email: optional_string(&attributes, POINTER, "creator-email-address")?,
        queue_id: optional_string(&attributes, POINTER, "case-queue-id")?,
        fields: fields_member(&attributes)?,
        object_ids: {
            let meta = body.meta()?;
            allow_meta(&meta, &["object-ids", "sla-expires-in-seconds"])?;
            object_ids(&meta)?
        },
        sla_seconds: sla_seconds(&body.meta()?)?,
    };
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let case = cases::open(tx, &ctx.acting(), new)?;
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

/// Beyond Persona: `GET /cases/{id}/proposal`, the decision waiting for a second reviewer
/// (`data: null` when none is).
pub async fn proposal(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    crate::routes::retrieve_record::<Case>(&state, &ctx, "case", "case", &id, |case| {
        views::case::proposal(case)
    })
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
    "tag",
    "sla-expires-at-end",
];

/// The orders `GET /cases` takes: newest first (the default), or SLA due soonest first.
const SORTS: &[&str] = &["-created-at", "sla-expires-at"];

/// `GET /cases`, newest first, with Persona's filters and (beyond Persona) queue, assignee,
/// tag, creation dates, SLA due by, and `sort=sla-expires-at`.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require("case", Access::Read)?;
    let sort = ctx.query.allow(FILTERS, SORTS)?;
    let mut filter = filter_of(&ctx)?;
    filter.by_rank = sort == Some("sla-expires-at");
    let request: PageRequest = paging::request(&ctx.query)?;
    let page = state.store.find::<Case>(ctx.env_id(), &filter, &request)?;
    let mut extra = paging::filter_pairs(&ctx.query);
    if let Some(sort) = sort {
        extra.push(("sort".into(), sort.to_string()));
    }
    paging::list_reply(
        &ctx,
        "/api/v1/cases",
        &extra,
        &request,
        &page,
        |c| c.id.clone(),
        |c| Ok(Some(views::case::resource(c))),
    )
}

/// `GET /case-counts` (beyond Persona): how many cases `GET /cases` with the same filters
/// lists, for a reviewer's queue counts.
pub async fn count(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require("case", Access::Read)?;
    let limit = ctx.query.allow_count(FILTERS)?;
    let filter = filter_of(&ctx)?;
    let count = state.store.count::<Case>(ctx.env_id(), &filter, limit)?;
    // `limit` bounds the work: a queue of 100,000 is counted to the limit and said to
    // hold at least that many.
    let doc = serde_json::json!({
        "data": {"type": "case-count", "attributes": {
            "count": count,
            "at-least": limit.is_some_and(|limit| count >= limit),
        }}
    });
    Ok(crate::protocol::render::finish(doc, &ctx, StatusCode::OK))
}

/// The store filter of `GET /cases`' filters.
fn filter_of(ctx: &Ctx) -> ApiResult<RecordFilter> {
    let terms = |name: &str, key: &str| crate::routes::filters::terms(&ctx.query, name, key);
    let statuses = ctx.query.filter_list("status");
    let known: Vec<CaseStatus> = statuses
        .iter()
        .filter_map(|s| CaseStatus::parse(&s.to_ascii_lowercase()))
        .collect();
    let assignees = ctx.query.filter_list("assignee-id");
    // A status and an assignee together (a reviewer's queue) are one term each case
    // carries: the index reads that queue alone.
    let (status, assignee) =
        if !assignees.is_empty() && known.len() == statuses.len() && !known.is_empty() {
            let both = known
                .iter()
                .flat_map(|s| {
                    assignees
                        .iter()
                        .map(move |a| term("status-assignee", &format!("{}/{a}", s.as_str())))
                })
                .collect();
            (both, Vec::new())
        } else {
            let status = statuses
                .iter()
                .map(|s| match CaseStatus::parse(&s.to_ascii_lowercase()) {
                    Some(known) => term("status", known.as_str()),
                    None => term("status", s),
                })
                .collect();
            (status, terms("assignee-id", "assignee"))
        };
    let filter = crate::routes::filters::created_between(&ctx.query)?
        .any_of(status)
        .any_of(terms("case-template-id", "template"))
        .any_of(terms("account-id", "account"))
        .any_of(terms("reference-id", "reference"))
        .any_of(terms("inquiry-id", "inquiry"))
        .any_of(terms("report-id", "report"))
        .any_of(terms("case-queue-id", "queue"))
        .any_of(assignee)
        .any_of(terms("tag", "tag"));
    Ok(RecordFilter {
        rank_to: crate::routes::filters::time_filter(&ctx.query, "sla-expires-at-end")?,
        ..filter
    })
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
    let changes = CaseChanges {
        fields: fields_member(&attributes)?,
        queue_id: optional_string(&attributes, POINTER, "case-queue-id")?,
        sla_seconds: {
            let meta = body.meta()?;
            allow_meta(&meta, &["sla-expires-in-seconds"])?;
            sla_seconds(&meta)?
        },
    };
    act_on_case(
        &state,
        &ctx,
        &body.request_hash,
        id,
        move |tx, acting, case| Ok(cases::update(tx, acting, case, changes)?),
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
    ctx.require_permission(vigil_domain::permissions::REDACT)?;
    let ctx = ctx.without_idempotency_key();
    write(&state, &ctx, "", move |tx, ctx| {
        let mut case = cases::load_open(tx, ctx.env_id(), &id)?;
        cases::redact(tx, &ctx.acting(), &mut case)?;
        tx.request_checkpoint();
        Ok(written(StatusCode::OK, case))
    })
    .await
}

/// `POST /cases/search`: the search language over the environment's cases (`status` (a
/// resolution once resolved), `resolution`, `name`, `case_template_id`, `case_queue_id`,
/// `assignee_id`, `tags`, `created_at`, `updated_at`, `fields.<key>`).
pub async fn search(State(state): State<AppState>, ctx: Ctx, body: ApiBody) -> ApiResult<Reply> {
    ctx.require("case", Access::Read)?;
    crate::routes::search::walked_search::<Case>(
        &state,
        &ctx,
        &body,
        "/api/v1/cases/search",
        views::case::resource,
    )
}
