//! Inquiry templates: list and retrieve (Persona), and beyond Persona create, since vigil
//! has no dashboard to make them in.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{json, Value};
use vigil_domain::inquiry::template::{parse_field_schemas, InquiryTemplate};
use vigil_domain::permissions::Access;
use vigil_store::{term, PageRequest, RecordFilter};

use crate::protocol::{paging, write, ApiBody, ApiError, ApiResult, Ctx, Doc, Reply, Written};
use crate::routes::accounts::owner::optional_string;
use crate::views;
use crate::AppState;

/// `GET /inquiry-templates`, newest first; beyond Persona, `filter[name]`, `filter[status]`.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Read)?;
    ctx.query.allow_filters(&["name", "status"])?;
    let mut filter = RecordFilter::default();
    for (name, key) in [("name", "name"), ("status", "status")] {
        if let Some(value) = ctx.query.filter.get(name) {
            filter = filter.any_of(vec![term(key, value)]);
        }
    }
    let request: PageRequest = paging::request(&ctx.query)?;
    let page = state
        .store
        .find::<InquiryTemplate>(ctx.env_id(), &filter, &request)?;
    paging::list_reply(
        &ctx,
        "/api/v1/inquiry-templates",
        &paging::filter_pairs(&ctx.query),
        &request,
        &page,
        |t| t.id.clone(),
        |t| Ok(Some(views::inquiry::template(t))),
    )
}

/// `GET /inquiry-templates/{id}`.
pub async fn retrieve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    crate::routes::retrieve_record::<InquiryTemplate>(
        &state,
        &ctx,
        "inquiry",
        "inquiry template",
        &id,
        views::inquiry::template,
    )
}

/// Beyond Persona: `POST /inquiry-templates` with `name` and `field-schemas` (Persona's
/// `field-schema` objects: `key`, `type`, `label`, `config.required`); without
/// `field-schemas` the template collects the standard identity fields.
pub async fn create(State(state): State<AppState>, ctx: Ctx, body: ApiBody) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Write)?;
    let attributes = body.attributes()?;
    if let Some(unknown) = attributes
        .keys()
        .find(|k| !["name", "field-schemas", "status", DOMAINS].contains(&k.as_str()))
    {
        return Err(ApiError::invalid(
            &format!("/data/attributes/{unknown}"),
            "is not an attribute of an inquiry template (takes name, field-schemas, status, embedded-flow-domain-allowlist)",
        ));
    }
    let domains = domains_of(&attributes)?.unwrap_or_default();
    let Some(name) = optional_string(&attributes, "/data/attributes", "name")? else {
        return Err(ApiError::bad_field("/data/attributes/name", "is missing"));
    };
    if name.chars().count() > 255 {
        return Err(ApiError::invalid(
            "/data/attributes/name",
            "must be at most 255 characters",
        ));
    }
    let status = optional_string(&attributes, "/data/attributes", "status")?
        .unwrap_or_else(|| "active".into());
    if status != "active" && status != "inactive" {
        return Err(ApiError::invalid(
            "/data/attributes/status",
            "must be active or inactive",
        ));
    }
    let schemas = match attributes.get("field-schemas") {
        None | Some(Value::Null) => None,
        Some(value) => Some(parse_field_schemas(
            value,
            "/data/attributes/field-schemas",
        )?),
    };
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let template = crate::use_cases::configuration::create_inquiry_template(
            tx,
            &ctx.acting(),
            name,
            status,
            schemas,
            domains,
        )?;
        Ok(Written {
            status: StatusCode::CREATED,
            object_id: Some(template.id.clone()),
            doc: Doc::later(move |_| views::single(views::inquiry::template(&template), None)),
        })
    })
    .await
}

const DOMAINS: &str = "embedded-flow-domain-allowlist";

fn domains_of(attributes: &serde_json::Map<String, Value>) -> ApiResult<Option<Vec<String>>> {
    match attributes.get(DOMAINS) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(Vec::new())),
        Some(value) => Ok(Some(
            vigil_domain::inquiry::template::parse_domain_allowlist(
                value,
                &format!("/data/attributes/{DOMAINS}"),
            )?,
        )),
    }
}

/// Beyond Persona (which configures this in its dashboard): `PATCH
/// /inquiry-templates/{id}` with `embedded-flow-domain-allowlist`, the hosts whose pages
/// may embed the template's verification flow.
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Write)?;
    let attributes = body.attributes()?;
    if let Some(unknown) = attributes.keys().find(|k| k.as_str() != DOMAINS) {
        return Err(ApiError::invalid(
            &format!("/data/attributes/{unknown}"),
            "is not an attribute an inquiry template update takes (embedded-flow-domain-allowlist)",
        ));
    }
    let Some(domains) = domains_of(&attributes)? else {
        return Err(ApiError::bad_field(
            &format!("/data/attributes/{DOMAINS}"),
            "is missing",
        ));
    };
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let template = crate::use_cases::configuration::set_embedded_flow_domains(
            tx,
            &ctx.acting(),
            &id,
            domains,
        )?;
        Ok(Written {
            status: StatusCode::OK,
            object_id: Some(template.id.clone()),
            doc: Doc::later(move |_| views::single(views::inquiry::template(&template), None)),
        })
    })
    .await
}

/// Beyond Persona (whose flow editor is in its dashboard): `GET
/// /inquiry-templates/{id}/verification-steps`, the steps of the template's flow after its
/// fields (`government-id`, `selfie`; `null` when off).
pub async fn verification_steps(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    template_part(&state, &ctx, &id, views::inquiry::steps)
}

/// Beyond Persona: `PATCH /inquiry-templates/{id}/verification-steps` with
/// `government-id` (`countries`, `id-classes`, `minimum-age`, `capture`) and `selfie`
/// (`capture`); an absent step stays as it is, `null` turns it off.
pub async fn update_verification_steps(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Write)?;
    crate::routes::accounts::allow_meta(&body.meta()?, &[])?;
    let changes =
        vigil_domain::inquiry::steps::parse_changes(&body.attributes()?, "/data/attributes")?;
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let template = crate::use_cases::configuration::set_verification_steps(
            tx,
            &ctx.acting(),
            &id,
            &changes,
        )?;
        Ok(Written {
            status: StatusCode::OK,
            object_id: Some(template.id.clone()),
            doc: Doc::later(move |_| json!({ "data": views::inquiry::steps(&template) })),
        })
    })
    .await
}

/// `GET /inquiry-templates/{id}/translations`: the texts of the template's flow by
/// locale (see `views::inquiry::translations`).
pub async fn translations(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    template_part(&state, &ctx, &id, views::inquiry::translations)
}

/// `POST /inquiry-templates/{id}/translations` with `translations`: rows merged into the
/// template's by locale (rows not given stay; a `null` value removes that locale's text).
/// vigil's templates have one live version, so the import is live at once; the answer is
/// that version.
pub async fn import_translations(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Write)?;
    let attributes = body.attributes()?;
    if let Some(unknown) = attributes.keys().find(|k| k.as_str() != "translations") {
        return Err(ApiError::invalid(
            &format!("/data/attributes/{unknown}"),
            "is not an attribute of a translations import (translations)",
        ));
    }
    let Some(rows) = attributes.get("translations") else {
        return Err(ApiError::bad_field(
            "/data/attributes/translations",
            "is missing",
        ));
    };
    let rows = vigil_domain::inquiry::translation::parse(rows, "/data/attributes/translations")?;
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let template =
            crate::use_cases::configuration::import_translations(tx, &ctx.acting(), &id, rows)?;
        Ok(Written {
            status: StatusCode::OK,
            object_id: Some(template.id.clone()),
            doc: Doc::later(move |_| {
                views::single(views::inquiry::template_version(&template), None)
            }),
        })
    })
    .await
}

/// `GET /inquiry-template-versions?filter[inquiry-template-id]=`: vigil's templates are not
/// versioned, so each has one published, live version.
pub async fn versions(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Read)?;
    ctx.query.allow_filters(&["inquiry-template-id"])?;
    let Some(id) = ctx.query.filter.get("inquiry-template-id").cloned() else {
        return Err(ApiError::bad_request(
            "filter[inquiry-template-id] is required",
        ));
    };
    let template = template_or_404(&state, &ctx, &id)?;
    let request: PageRequest = paging::request(&ctx.query)?;
    let page = vigil_store::Page {
        items: vec![template],
        has_older: false,
        has_newer: false,
    };
    paging::list_reply(
        &ctx,
        "/api/v1/inquiry-template-versions",
        &paging::filter_pairs(&ctx.query),
        &request,
        &page,
        |t| t.version_id.clone(),
        |t| Ok(Some(views::inquiry::template_version(t))),
    )
}

/// The template `id` of the caller's environment, or a 404 naming it.
fn template_or_404(state: &AppState, ctx: &Ctx, id: &str) -> ApiResult<InquiryTemplate> {
    state
        .store
        .get::<InquiryTemplate>(ctx.env_id(), id)?
        .ok_or_else(|| ApiError::not_found(format!("inquiry template `{id}` is not found")))
}

/// A read of one part of a template (its steps, its texts): `{"data": view}`.
fn template_part(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    view: fn(&InquiryTemplate) -> Value,
) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Read)?;
    let template = template_or_404(state, ctx, id)?;
    Ok(crate::protocol::finish(
        json!({ "data": view(&template) }),
        ctx,
        StatusCode::OK,
    ))
}
