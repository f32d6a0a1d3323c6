//! Watchlist reports (`/reports`): create (screened at once), retrieve, list, re-run,
//! pause and resume monitoring, dismiss matches, tags, history, redact; beyond Persona,
//! `GET /reports/{id}/matches` with every match's score and explanation.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;
use vigil_domain::permissions::Access;
use vigil_domain::report::{Origin, Query, Report};
use vigil_store::{PageRequest, ReportFilter, WriteTx};

use super::accounts::allow_meta;
use super::accounts::owner::{optional_string, OwnerChoice, OWNER_META};
use super::accounts::tags;
use crate::protocol::{
    file_response, finish, paging, write, ApiBody, ApiError, ApiResult, Ctx, Doc, Reply, Written,
};
use crate::use_cases::{reports, Acting, Outcome};
use crate::views::{self, report::TYPE};
use crate::AppState;
use vigil_domain::tag_change::TagChange;

/// How long a request waits for screening to take in the writes that came before it.
const FRESHNESS_WAIT: Duration = Duration::from_secs(5);

/// Wait (briefly) until this server's screening indexes hold every change committed so
/// far, through any server.
pub(crate) async fn screening_caught_up(state: &AppState) -> ApiResult<()> {
    let upto = state.store.last_event_seq()?;
    // Written through another server, the monitor here learns of it only when it looks.
    state.wake.notify_one();
    state.screening.wait_for(upto, FRESHNESS_WAIT).await;
    Ok(())
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("report `{id}` is not found"))
}

/// Answer with `report`.
fn written(status: StatusCode, report: Report) -> ApiResult<Written> {
    Ok(Written {
        status,
        object_id: Some(report.id.clone()),
        doc: Doc::later(move |_| views::single(views::report::resource(&report), None)),
    })
}

/// `POST /reports`: screen the query now against the environment's lists and the loaded
/// sanctions sources; the report then keeps being re-run as lists change (unless paused).
pub async fn create(State(state): State<AppState>, ctx: Ctx, body: ApiBody) -> ApiResult<Reply> {
    ctx.require("report", Access::Write)?;
    match body.value.pointer("/data/type") {
        Some(Value::String(t)) if t == TYPE => {}
        None | Some(Value::Null) => {
            return Err(ApiError::bad_field(
                "/data/type",
                "is missing (report/watchlist)",
            ))
        }
        Some(Value::String(other)) => {
            return Err(ApiError::invalid(
                "/data/type",
                &format!(
                    "vigil runs report/watchlist reports only, not `{}`",
                    validate_quote(other)
                ),
            ))
        }
        Some(_) => return Err(ApiError::bad_field("/data/type", "must be a string")),
    }
    let attributes = body.attributes()?;
    const ALLOWED: &[&str] = &["account-id", "reference-id", "report-template-id", "query"];
    if let Some(unknown) = attributes.keys().find(|k| !ALLOWED.contains(&k.as_str())) {
        return Err(ApiError::invalid(
            &format!("/data/attributes/{unknown}"),
            &format!(
                "is not an attribute of a watchlist report (takes {})",
                ALLOWED.join(", ")
            ),
        ));
    }
    let query = Query::parse(attributes.get("query"))?;
    let template_id = reports::template_id(ctx.env_id());
    if let Some(given) = optional_string(&attributes, "/data/attributes", "report-template-id")? {
        if given != template_id {
            return Err(ApiError::not_found(format!(
                "report template `{given}` is not found (this environment's watchlist template is `{template_id}`)"
            )));
        }
    }
    let meta = body.meta()?;
    let mut allowed = OWNER_META.to_vec();
    allowed.extend(["processing-mode", "request-flags"]);
    allow_meta(&meta, &allowed)?;
    let owner = OwnerChoice::parse(&attributes, &meta)?;
    // Screen against the lists as this environment's earlier writes left them.
    screening_caught_up(&state).await?;
    let found = state.screening.find(ctx.env_id(), &query, ctx.now);
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let account = owner.resolve(tx, ctx)?;
        let report = reports::create(tx, &ctx.acting(), account.as_ref(), query, found)?;
        written(StatusCode::CREATED, report)
    })
    .await
}

fn validate_quote(text: &str) -> String {
    text.chars().take(64).collect()
}

/// `GET /reports/{id}`.
pub async fn retrieve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("report", Access::Read)?;
    let report = state
        .store
        .report(ctx.env_id(), &id)?
        .ok_or_else(|| not_found(&id))?;
    Ok(finish(
        views::single(views::report::resource(&report), None),
        &ctx,
        StatusCode::OK,
    ))
}

/// `GET /reports`, newest first; `filter[account-id]`, `filter[reference-id]`.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require("report", Access::Read)?;
    ctx.query.allow_filters(&["account-id", "reference-id"])?;
    let filter = ReportFilter {
        account_id: ctx.query.filter.get("account-id").cloned(),
        reference_id: ctx.query.filter.get("reference-id").cloned(),
    };
    let request = paging::request(&ctx.query)?;
    let page = state.store.reports(ctx.env_id(), &filter, &request)?;
    paging::list_reply(
        &ctx,
        "/api/v1/reports",
        &paging::filter_pairs(&ctx.query),
        &request,
        &page,
        |r| r.id.clone(),
        |r| Ok(Some(views::report::resource(r))),
    )
}

/// `POST /reports/{id}/run`: screen again now.
pub async fn run(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("report", Access::Write)?;
    let report = state
        .store
        .report(ctx.env_id(), &id)?
        .ok_or_else(|| not_found(&id))?;
    if report.redacted_at.is_some() {
        return Err(ApiError::conflict(format!("report `{id}` is redacted")));
    }
    screening_caught_up(&state).await?;
    let query = match (report.origin, &report.account_id) {
        (Origin::Account, Some(account_id)) => state
            .store
            .account(ctx.env_id(), account_id)?
            .map_or(report.query.clone(), |a| Query::of_account(&a)),
        _ => report.query.clone(),
    };
    let found = state.screening.find(ctx.env_id(), &query, ctx.now);
    act_on_report(&state, &ctx, &body.request_hash, move |tx, acting| {
        reports::rerun(tx, acting, &id, query, found)
    })
    .await
}

/// Run a use case on a report in a write, and answer with the report it returns.
async fn act_on_report<F>(
    state: &AppState,
    ctx: &Ctx,
    request_hash: &str,
    change: F,
) -> ApiResult<Reply>
where
    F: FnOnce(&mut dyn WriteTx, &Acting) -> Outcome<Report> + Send + 'static,
{
    write(state, ctx, request_hash, move |tx, ctx| {
        written(StatusCode::OK, change(tx, &ctx.acting())?)
    })
    .await
}

async fn set_paused(
    state: AppState,
    ctx: Ctx,
    id: String,
    body: ApiBody,
    paused: bool,
) -> ApiResult<Reply> {
    ctx.require("report", Access::Write)?;
    act_on_report(&state, &ctx, &body.request_hash, move |tx, acting| {
        reports::set_paused(tx, acting, &id, paused)
    })
    .await
}

/// `POST /reports/{id}/pause`: stop continuous monitoring.
pub async fn pause(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    set_paused(state, ctx, id, body, true).await
}

/// `POST /reports/{id}/resume`.
pub async fn resume(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    set_paused(state, ctx, id, body, false).await
}

/// `POST /reports/{id}/dismiss`: every current match (or, with `dismiss-type: entity`, the
/// one named by `entity-id`) moves to the ignore list and never comes back; later, new
/// matches still do.
pub async fn dismiss(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("report", Access::Write)?;
    ctx.require_permission(vigil_domain::permissions::REPORT_DISMISS)?;
    let attributes = body.attributes()?;
    if let Some(unknown) = attributes
        .keys()
        .find(|k| !["dismiss-type", "entity-id", "reason"].contains(&k.as_str()))
    {
        return Err(ApiError::invalid(
            &format!("/data/attributes/{unknown}"),
            "is not an attribute of a dismissal (takes reason, dismiss-type, entity-id)",
        ));
    }
    let reason = match optional_string(&attributes, "/data/attributes", "reason")? {
        Some(reason) if reason.chars().count() <= 1000 => reason,
        Some(_) => {
            return Err(ApiError::invalid(
                "/data/attributes/reason",
                "must be at most 1000 characters",
            ))
        }
        None => return Err(ApiError::bad_field("/data/attributes/reason", "is missing")),
    };
    // One match (`entity`, its `report-match` id from `/matches`), or all of them.
    let dismiss_type = optional_string(&attributes, "/data/attributes", "dismiss-type")?;
    let entity = optional_string(&attributes, "/data/attributes", "entity-id")?;
    let only = match (dismiss_type.as_deref(), entity) {
        (None | Some("entity"), Some(entity)) => Some(entity),
        (Some("entity"), None) => {
            return Err(ApiError::bad_field(
                "/data/attributes/entity-id",
                "is missing (dismiss-type entity names the match to dismiss)",
            ))
        }
        (None, None) => None,
        (Some(_), _) => {
            return Err(ApiError::invalid(
                "/data/attributes/dismiss-type",
                "must be entity (a watchlist report's matches are entities; leave it out to dismiss them all)",
            ))
        }
    };
    act_on_report(&state, &ctx, &body.request_hash, move |tx, acting| {
        reports::dismiss(tx, acting, &id, &reason, only.as_deref())
    })
    .await
}

async fn change_tags(
    state: AppState,
    ctx: Ctx,
    id: String,
    body: ApiBody,
    change: TagChange,
) -> ApiResult<Reply> {
    act_on_report(&state, &ctx, &body.request_hash, move |tx, acting| {
        reports::retag(tx, acting, &id, change)
    })
    .await
}

pub async fn add_tag(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("report", Access::Write)?;
    let change = tags::add(&body)?;
    change_tags(state, ctx, id, body, change).await
}

pub async fn remove_tag(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("report", Access::Write)?;
    let change = tags::remove(&body)?;
    change_tags(state, ctx, id, body, change).await
}

pub async fn set_tags(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("report", Access::Write)?;
    let change = tags::set(&body)?;
    change_tags(state, ctx, id, body, change).await
}

/// `GET /reports/{id}/history`: runs and actions, newest first.
pub async fn history(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("report", Access::Read)?;
    state
        .store
        .report(ctx.env_id(), &id)?
        .ok_or_else(|| not_found(&id))?;
    let request: PageRequest = paging::request(&ctx.query)?;
    let page = state.store.report_history(ctx.env_id(), &id, &request)?;
    paging::list_reply(
        &ctx,
        &format!("/api/v1/reports/{id}/history"),
        &[],
        &request,
        &page,
        |h| h.id.clone(),
        |h| Ok(Some(views::report::history(h))),
    )
}

/// Beyond Persona: `GET /reports/{id}/matches`, every current and dismissed match with its
/// score and explanation.
pub async fn matches(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("report", Access::Read)?;
    let report = state
        .store
        .report(ctx.env_id(), &id)?
        .ok_or_else(|| not_found(&id))?;
    let data: Vec<Value> = report
        .matches
        .iter()
        .map(|m| views::report::scored_match(m, false))
        .chain(
            report
                .ignored
                .iter()
                .map(|i| views::report::scored_match(&i.matched, true)),
        )
        .collect();
    Ok(finish(
        serde_json::json!({ "data": data }),
        &ctx,
        StatusCode::OK,
    ))
}

/// `GET /reports/{id}/print`: the report as a PDF, for a reviewer's file. A redacted
/// report prints without what was removed.
pub async fn print(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    ctx.require("report", Access::Read)?;
    let report = state
        .store
        .report(ctx.env_id(), &id)?
        .ok_or_else(|| not_found(&id))?;
    let pdf = views::report_pdf::render(&report, state.now());
    Ok(file_response(pdf, "application/pdf", &format!("{id}.pdf")))
}

/// `DELETE /reports/{id}`: remove the query, matches and dismissals, here and in the
/// report's events; the report stops being monitored.
pub async fn redact(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("report", Access::Write)?;
    ctx.require_permission(vigil_domain::permissions::REDACT)?;
    let ctx = ctx.without_idempotency_key();
    write(&state, &ctx, "", move |tx, ctx| {
        let mut report = reports::load_unredacted(tx, ctx.env_id(), &id)?;
        reports::redact(tx, &ctx.acting(), &mut report)?;
        tx.request_checkpoint();
        written(StatusCode::OK, report)
    })
    .await
}
