//! Case templates (Persona: retrieve; beyond Persona: create and list, since vigil has no
//! dashboard to make them in) and case queues (beyond Persona: create, list, retrieve).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;
use vigil_domain::case::{CaseQueue, CaseTemplate, DEFAULT_RESOLUTIONS};
use vigil_domain::inquiry::template::parse_field_schemas;
use vigil_domain::permissions::Access;
use vigil_store::{PageRequest, RecordFilter};

use crate::protocol::{paging, write, ApiBody, ApiError, ApiResult, Ctx, Doc, Reply, Written};
use crate::routes::accounts::owner::optional_string;
use crate::use_cases::configuration;
use crate::views;
use crate::AppState;

fn name(attributes: &serde_json::Map<String, Value>) -> ApiResult<String> {
    match optional_string(attributes, "/data/attributes", "name")? {
        Some(name) if name.chars().count() <= 255 => Ok(name),
        Some(_) => Err(ApiError::invalid(
            "/data/attributes/name",
            "must be at most 255 characters",
        )),
        None => Err(ApiError::bad_field("/data/attributes/name", "is missing")),
    }
}

fn only(
    attributes: &serde_json::Map<String, Value>,
    allowed: &[&str],
    what: &str,
) -> ApiResult<()> {
    match attributes.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(unknown) => Err(ApiError::invalid(
            &format!("/data/attributes/{unknown}"),
            &format!(
                "is not an attribute of a {what} (takes {})",
                allowed.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

/// Beyond Persona: `POST /case-templates` with `name`, `resolutions`, `field-schemas`.
pub async fn create_template(
    State(state): State<AppState>,
    ctx: Ctx,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("case", Access::Write)?;
    let attributes = body.attributes()?;
    only(
        &attributes,
        &["name", "resolutions", "field-schemas"],
        "case template",
    )?;
    let name = name(&attributes)?;
    let resolutions: Vec<String> = match attributes.get("resolutions") {
        None | Some(Value::Null) => DEFAULT_RESOLUTIONS
            .iter()
            .map(|r| (*r).to_string())
            .collect(),
        Some(Value::Array(items)) if !items.is_empty() && items.len() <= 20 => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s)
                    if !s.trim().is_empty()
                        && s.len() <= 64
                        && !["open", "pending", "resolved"]
                            .contains(&s.trim().to_ascii_lowercase().as_str()) =>
                {
                    Ok(s.trim().to_string())
                }
                Value::String(_) => Err(ApiError::invalid(
                    &format!("/data/attributes/resolutions/{i}"),
                    "must be 1 to 64 characters and not a status name (open, pending, resolved)",
                )),
                _ => Err(ApiError::bad_field(
                    &format!("/data/attributes/resolutions/{i}"),
                    "must be a string",
                )),
            })
            .collect::<ApiResult<_>>()?,
        Some(Value::Array(_)) => {
            return Err(ApiError::invalid(
                "/data/attributes/resolutions",
                "must hold 1 to 20 resolutions",
            ))
        }
        Some(_) => {
            return Err(ApiError::bad_field(
                "/data/attributes/resolutions",
                "must be an array of strings",
            ))
        }
    };
    let schemas = match attributes.get("field-schemas") {
        None | Some(Value::Null) => Vec::new(),
        Some(value) => parse_field_schemas(value, "/data/attributes/field-schemas")?,
    };
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let template =
            configuration::create_case_template(tx, &ctx.acting(), name, resolutions, schemas)?;
        Ok(Written {
            status: StatusCode::CREATED,
            object_id: Some(template.id.clone()),
            doc: Doc::later(move |_| views::single(views::case::template(&template), None)),
        })
    })
    .await
}

/// Beyond Persona: `GET /case-templates/{id}/second-review`, the resolutions a second
/// reviewer must approve (four eyes).
pub async fn retrieve_second_review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    crate::routes::retrieve_record::<CaseTemplate>(
        &state,
        &ctx,
        "case",
        "case template",
        &id,
        views::case::second_review,
    )
}

/// Beyond Persona: `PATCH /case-templates/{id}/second-review` with `resolutions` (every
/// one of the template's that needs a second reviewer; `[]` for none). Needs
/// `case.configure`.
pub async fn update_second_review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("case", Access::Write)?;
    ctx.require_permission(vigil_domain::permissions::CASE_CONFIGURE)?;
    let attributes = body.attributes()?;
    only(&attributes, &["resolutions"], "second review")?;
    let resolutions: Vec<String> = match attributes.get("resolutions") {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str().map(str::to_string).ok_or_else(|| {
                    ApiError::bad_field(
                        &format!("/data/attributes/resolutions/{i}"),
                        "must be a string",
                    )
                })
            })
            .collect::<ApiResult<_>>()?,
        Some(_) => {
            return Err(ApiError::bad_field(
                "/data/attributes/resolutions",
                "must be an array of the template's resolutions",
            ))
        }
        None => {
            return Err(ApiError::bad_field(
                "/data/attributes/resolutions",
                "is missing",
            ))
        }
    };
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let template = configuration::set_second_review(tx, &ctx.acting(), &id, &resolutions)?;
        Ok(Written {
            status: StatusCode::OK,
            object_id: Some(template.id.clone()),
            doc: Doc::later(move |_| views::single(views::case::second_review(&template), None)),
        })
    })
    .await
}

/// `GET /case-templates/{id}`.
pub async fn retrieve_template(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    crate::routes::retrieve_record::<CaseTemplate>(
        &state,
        &ctx,
        "case",
        "case template",
        &id,
        views::case::template,
    )
}

/// Beyond Persona: `GET /case-templates`, newest first.
pub async fn list_templates(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require("case", Access::Read)?;
    ctx.query.allow_filters(&[])?;
    let request: PageRequest = paging::request(&ctx.query)?;
    let page =
        state
            .store
            .find::<CaseTemplate>(ctx.env_id(), &RecordFilter::default(), &request)?;
    paging::list_reply(
        &ctx,
        "/api/v1/case-templates",
        &[],
        &request,
        &page,
        |t| t.id.clone(),
        |t| Ok(Some(views::case::template(t))),
    )
}

/// Beyond Persona: `POST /case-queues` with `name`.
pub async fn create_queue(
    State(state): State<AppState>,
    ctx: Ctx,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("case", Access::Write)?;
    let attributes = body.attributes()?;
    only(&attributes, &["name"], "case queue")?;
    let name = name(&attributes)?;
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let queue = configuration::create_case_queue(tx, &ctx.acting(), name)?;
        Ok(Written {
            status: StatusCode::CREATED,
            object_id: Some(queue.id.clone()),
            doc: Doc::later(move |_| views::single(views::case::queue(&queue), None)),
        })
    })
    .await
}

/// Beyond Persona: `GET /case-queues/{id}`.
pub async fn retrieve_queue(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    crate::routes::retrieve_record::<CaseQueue>(
        &state,
        &ctx,
        "case",
        "case queue",
        &id,
        views::case::queue,
    )
}

/// Beyond Persona: `GET /case-queues`, newest first.
pub async fn list_queues(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require("case", Access::Read)?;
    ctx.query.allow_filters(&[])?;
    let request: PageRequest = paging::request(&ctx.query)?;
    let page = state
        .store
        .find::<CaseQueue>(ctx.env_id(), &RecordFilter::default(), &request)?;
    paging::list_reply(
        &ctx,
        "/api/v1/case-queues",
        &[],
        &request,
        &page,
        |q| q.id.clone(),
        |q| Ok(Some(views::case::queue(q))),
    )
}
