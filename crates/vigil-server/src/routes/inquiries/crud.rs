//! Create, retrieve, update, list and redact inquiries; beyond Persona, their
//! reverification comparison.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{json, Map, Value};
use vigil_domain::account::parse_tags;
use vigil_domain::inquiry::template::{InquiryTemplate, DAY_SECS};
use vigil_domain::inquiry::{Inquiry, InquiryStatus};
use vigil_domain::permissions::Access;
use vigil_store::{term, PageRequest, RecordFilter};

use super::{issue_link, issue_token, written};
use crate::protocol::{finish, paging, write, ApiBody, ApiError, ApiResult, Ctx, Reply};
use crate::routes::accounts::allow_meta;
use crate::routes::accounts::owner::{
    meta_bool, optional_integer, optional_string, OwnerChoice, OWNER_META,
};
use crate::use_cases::inquiries::{self, InquiryChanges, NewInquiry};
use crate::views;
use crate::AppState;

const POINTER: &str = "/data/attributes";

/// A positive number of seconds of at most a year, from `meta`.
fn meta_seconds(meta: &Map<String, Value>, name: &str) -> ApiResult<Option<i64>> {
    optional_integer(
        meta,
        "/meta",
        name,
        1..=365 * DAY_SECS,
        "must be a whole number of seconds from 1 to 31536000 (a year)",
    )
}

/// The template a create names (by id or by its version's id); 404 naming the field.
fn find_template(
    tx: &mut dyn vigil_store::WriteTx,
    env: &str,
    attributes: &Map<String, Value>,
) -> ApiResult<InquiryTemplate> {
    if attributes.get("template-id").is_some_and(|v| !v.is_null()) {
        return Err(ApiError::invalid(
            &format!("{POINTER}/template-id"),
            "legacy templates (`tmpl_`) are not supported; pass inquiry-template-id (`itmpl_`)",
        ));
    }
    let template = match (
        optional_string(attributes, POINTER, "inquiry-template-id")?,
        optional_string(attributes, POINTER, "inquiry-template-version-id")?,
    ) {
        (Some(id), _) => tx.get::<InquiryTemplate>(env, &id)?.ok_or_else(|| {
            ApiError::not_found(format!(
                "data.attributes.inquiry-template-id `{id}` is not found"
            ))
        })?,
        (None, Some(version)) => {
            let filter = RecordFilter::default().any_of(vec![term("version", &version)]);
            tx.find::<InquiryTemplate>(env, &filter, 1)?
                .pop()
                .ok_or_else(|| {
                    ApiError::not_found(format!(
                        "data.attributes.inquiry-template-version-id `{version}` is not found"
                    ))
                })?
        }
        (None, None) => {
            return Err(ApiError::bad_field(
                &format!("{POINTER}/inquiry-template-id"),
                "is missing",
            ))
        }
    };
    if template.status != "active" {
        return Err(ApiError::invalid(
            &format!("{POINTER}/inquiry-template-id"),
            &format!(
                "inquiry template `{}` is {}: it takes no new inquiries",
                template.id, template.status
            ),
        ));
    }
    Ok(template)
}

/// An optional note: a string of at most 10,000 characters.
fn note(attributes: &Map<String, Value>) -> ApiResult<Option<Option<String>>> {
    match attributes.get("note") {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) if s.chars().count() <= 10_000 => Ok(Some(Some(s.clone()))),
        Some(Value::String(_)) => Err(ApiError::invalid(
            &format!("{POINTER}/note"),
            "must be at most 10000 characters",
        )),
        Some(_) => Err(ApiError::bad_field(
            &format!("{POINTER}/note"),
            "must be a string",
        )),
    }
}

fn tags(attributes: &Map<String, Value>) -> ApiResult<Option<Vec<String>>> {
    match attributes.get("tags") {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(Vec::new())),
        Some(Value::Array(items)) => Ok(Some(parse_tags(items, &format!("{POINTER}/tags"))?)),
        Some(_) => Err(ApiError::bad_field(
            &format!("{POINTER}/tags"),
            "must be an array of strings",
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

/// Attributes of a create that only a hosted flow would use: accepted and ignored.
const HOSTED_FLOW_ATTRIBUTES: &[&str] = &[
    "theme-id",
    "theme-set-id",
    "redirect-uri",
    "initial-step-name",
];

/// `POST /inquiries`.
pub async fn create(State(state): State<AppState>, ctx: Ctx, body: ApiBody) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Write)?;
    let attributes = body.attributes()?;
    const ALLOWED: &[&str] = &[
        "inquiry-template-id",
        "inquiry-template-version-id",
        "template-id",
        "reference-id",
        "account-id",
        "creator-email-address",
        "note",
        "fields",
        "tags",
    ];
    if let Some(unknown) = attributes
        .keys()
        .find(|k| !ALLOWED.contains(&k.as_str()) && !HOSTED_FLOW_ATTRIBUTES.contains(&k.as_str()))
    {
        return Err(ApiError::invalid(
            &format!("{POINTER}/{unknown}"),
            "is not an attribute of an inquiry create",
        ));
    }
    let meta = body.meta()?;
    let mut allowed_meta = OWNER_META.to_vec();
    allowed_meta.extend([
        "auto-create-inquiry-session",
        "auto-create-one-time-link",
        "expiration-after-create-interval-seconds",
        "expiration-after-start-interval-seconds",
        "expiration-after-resume-interval-seconds",
        "one-time-link-expiration-seconds",
    ]);
    allow_meta(&meta, &allowed_meta)?;
    let owner = OwnerChoice::parse(&attributes, &meta)?;
    let creator = optional_string(&attributes, POINTER, "creator-email-address")?
        .map(|email| {
            vigil_domain::validate::email_address(&email)
                .map_err(|m| ApiError::invalid(&format!("{POINTER}/creator-email-address"), &m))
        })
        .transpose()?;
    let reference_id = optional_string(&attributes, POINTER, "reference-id")?;
    let note = note(&attributes)?.flatten();
    let tags = tags(&attributes)?.unwrap_or_default();
    let fields = fields_member(&attributes)?;
    let with_session = meta_bool(&meta, "auto-create-inquiry-session")?.unwrap_or(false);
    let with_link = meta_bool(&meta, "auto-create-one-time-link")?.unwrap_or(false);
    let intervals = [
        meta_seconds(&meta, "expiration-after-create-interval-seconds")?,
        meta_seconds(&meta, "expiration-after-start-interval-seconds")?,
        meta_seconds(&meta, "expiration-after-resume-interval-seconds")?,
    ];
    let link_seconds = meta_seconds(&meta, "one-time-link-expiration-seconds")?.unwrap_or(DAY_SECS);
    let public_url = state.config.public_url.clone();
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let env = ctx.env_id();
        let template = find_template(tx, env, &attributes)?;
        let account = owner.resolve(tx, ctx)?;
        let new = NewInquiry {
            account,
            creator,
            reference_id,
            note,
            tags,
            fields,
            expiration: intervals,
        };
        let mut inquiry = inquiries::create(tx, &ctx.acting(), &template, new)?;
        let mut token = None;
        let mut links = None;
        if with_session || with_link {
            let mut session = inquiries::new_session(tx, &ctx.acting(), &mut inquiry)?;
            if with_session {
                token = Some(issue_token(&mut session));
            }
            if with_link {
                links = Some(issue_link(&public_url, &mut session, ctx.now, link_seconds));
            }
            tx.put(env, &session)?;
            tx.put(env, &inquiry)?;
        }
        let mut meta = super::link_meta(links);
        meta["session-token"] = json!(token);
        Ok(written(StatusCode::CREATED, inquiry, Some(meta)))
    })
    .await
}

/// `GET /inquiries/{id}`.
pub async fn retrieve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    crate::routes::retrieve_record::<Inquiry>(
        &state,
        &ctx,
        "inquiry",
        "inquiry",
        &id,
        views::inquiry::resource,
    )
}

/// `PATCH /inquiries/{id}`: `fields`, `note`, `tags`. Submitting fields to an inquiry that
/// was only created starts it (the person has begun); fields of an inquiry past pending
/// no longer change.
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Write)?;
    let attributes = body.attributes()?;
    if let Some(unknown) = attributes
        .keys()
        .find(|k| !["fields", "note", "tags", "redirect-uri"].contains(&k.as_str()))
    {
        return Err(ApiError::invalid(
            &format!("{POINTER}/{unknown}"),
            "is not an attribute of an inquiry update (takes fields, note, tags)",
        ));
    }
    let note = note(&attributes)?;
    let tags = tags(&attributes)?;
    let fields = fields_member(&attributes)?;
    super::act_on_inquiry(
        &state,
        &ctx,
        &body.request_hash,
        id,
        move |tx, ctx, inquiry| {
            let changes = InquiryChanges { fields, note, tags };
            inquiries::update(tx, &ctx.acting(), inquiry, changes)?;
            Ok(None)
        },
    )
    .await
}

const FILTERS: &[&str] = &[
    "inquiry-id",
    "account-id",
    "note",
    "reference-id",
    "inquiry-template-id",
    "template-id",
    "status",
    "created-at-start",
    "created-at-end",
];

/// The store filter for `GET /inquiries`' query.
pub(crate) fn filter(ctx: &Ctx) -> ApiResult<RecordFilter> {
    ctx.query.allow_filters(FILTERS)?;
    if ctx.query.filter.contains_key("note") && ctx.query.filter.len() > 1 {
        return Err(ApiError::bad_request(
            "filter[note] must be the only filter (as in Persona)",
        ));
    }
    let terms = |name: &str, key: &str| crate::routes::filters::terms(&ctx.query, name, key);
    for status in ctx.query.filter_list("status") {
        if InquiryStatus::parse(&status).is_none() {
            return Err(ApiError::bad_request(format!(
                "filter[status] `{status}` is not an inquiry status ({})",
                InquiryStatus::ALL.map(|s| s.as_str()).join(", ")
            )));
        }
    }
    let mut filter = crate::routes::filters::created_between(&ctx.query)?
        .any_of(terms("inquiry-id", "id"))
        .any_of(terms("account-id", "account"))
        .any_of(terms("inquiry-template-id", "template"))
        .any_of(terms("status", "status"));
    if let Some(reference) = ctx.query.filter.get("reference-id") {
        filter = filter.any_of(vec![term("reference", reference)]);
    }
    if let Some(note) = ctx.query.filter.get("note") {
        filter = filter.any_of(vec![term("note", note)]);
    }
    if ctx.query.filter.contains_key("template-id") {
        // Legacy templates do not exist here: nothing matches.
        filter = filter.any_of(vec![term("legacy-template", "none")]);
    }
    Ok(filter)
}

/// `GET /inquiries`, newest first.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Read)?;
    let filter = filter(&ctx)?;
    let request: PageRequest = paging::request(&ctx.query)?;
    let page = state
        .store
        .find::<Inquiry>(ctx.env_id(), &filter, &request)?;
    paging::list_reply(
        &ctx,
        "/api/v1/inquiries",
        &paging::filter_pairs(&ctx.query),
        &request,
        &page,
        |i| i.id.clone(),
        |i| Ok(Some(views::inquiry::resource(i))),
    )
}

/// `DELETE /inquiries/{id}`: remove what the person submitted, here, in its sessions and
/// in its events; its sessions expire.
pub async fn redact(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Write)?;
    ctx.require_permission(vigil_domain::permissions::REDACT)?;
    let ctx = ctx.without_idempotency_key();
    let orphaned = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let out = orphaned.clone();
    let reply = write(&state, &ctx, "", move |tx, ctx| {
        let env = ctx.env_id();
        let mut inquiry = inquiries::load(tx, env, &id)?;
        inquiries::ensure_not_redacted(&inquiry)?;
        let hashes = inquiries::redact(tx, &ctx.acting(), &mut inquiry)?;
        out.lock().unwrap().extend(hashes);
        tx.request_checkpoint();
        Ok(written(StatusCode::OK, inquiry, None))
    })
    .await?;
    let hashes = std::mem::take(&mut *orphaned.lock().unwrap());
    crate::use_cases::documents::delete_files(&state, hashes).await;
    Ok(reply)
}

/// Beyond Persona: `GET /inquiries/{id}/comparison`, what reverification found.
pub async fn comparison(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Read)?;
    let inquiry = state
        .store
        .get::<Inquiry>(ctx.env_id(), &id)?
        .ok_or_else(|| ApiError::not_found(format!("inquiry `{id}` is not found")))?;
    Ok(finish(
        views::inquiry::comparison(&inquiry.id, inquiry.comparison.as_ref()),
        &ctx,
        StatusCode::OK,
    ))
}

/// `POST /inquiries/search`: the search language over the environment's inquiries
/// (`status`, `created_at`, `updated_at`, `reference_id`, `inquiry_template_id`, and
/// beyond Persona `account_id`, `note`, `tags`, `fields.<key>`).
pub async fn search(State(state): State<AppState>, ctx: Ctx, body: ApiBody) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Read)?;
    crate::routes::search::walked_search::<Inquiry>(
        &state,
        &ctx,
        &body,
        "/api/v1/inquiries/search",
        views::inquiry::resource,
    )
}

/// `GET /inquiries/{id}/print`: the inquiry as a PDF for a reviewer's file.
pub async fn print(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<axum::response::Response> {
    ctx.require("inquiry", Access::Read)?;
    let inquiry = state
        .store
        .get::<Inquiry>(ctx.env_id(), &id)?
        .ok_or_else(|| ApiError::not_found(format!("inquiry `{id}` is not found")))?;
    let pdf = views::inquiry_pdf::render(&inquiry, state.now());
    Ok(crate::protocol::file_response(
        pdf,
        "application/pdf",
        &format!("{id}.pdf"),
    ))
}
