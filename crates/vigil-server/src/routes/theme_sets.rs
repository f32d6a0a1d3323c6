//! Theme sets (`/theme-sets`): the look of the verification flow. Configuration of
//! inquiries: the inquiry permissions. And, for the flow's pages (no key), the public
//! `GET /inquiry-flows/theme-sets/{id}` of an active theme set.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{json, Map, Value};
use vigil_domain::permissions::Access;
use vigil_domain::theme::{check_styles, ThemeSet};
use vigil_store::{PageRequest, RecordFilter};

use crate::protocol::render::json_bytes;
use crate::protocol::{paging, write, ApiBody, ApiError, ApiResult, Ctx, Doc, Reply, Written};
use crate::use_cases::themes;
use crate::views;
use crate::AppState;

const POINTER: &str = "/data/attributes";

fn written(status: StatusCode, theme: ThemeSet) -> Written {
    Written {
        status,
        object_id: Some(theme.id.clone()),
        doc: Doc::later(move |_| views::single(views::theme::resource(&theme), None)),
    }
}

/// `name` and `styles` of a create or update, checked.
fn attributes_of(
    body: &ApiBody,
    name_required: bool,
) -> ApiResult<(Option<String>, Option<Value>)> {
    let attributes: Map<String, Value> = body.attributes()?;
    if let Some(unknown) = attributes
        .keys()
        .find(|k| !["name", "styles"].contains(&k.as_str()))
    {
        return Err(ApiError::invalid(
            &format!("{POINTER}/{unknown}"),
            "is not an attribute of a theme set (name, styles)",
        ));
    }
    let name = match attributes.get("name") {
        None | Some(Value::Null) if name_required => {
            return Err(ApiError::bad_field(
                &format!("{POINTER}/name"),
                "is missing",
            ))
        }
        None | Some(Value::Null) => None,
        Some(Value::String(n)) if !n.trim().is_empty() && n.chars().count() <= 255 => {
            Some(n.trim().to_string())
        }
        Some(Value::String(_)) => {
            return Err(ApiError::invalid(
                &format!("{POINTER}/name"),
                "must be 1 to 255 characters",
            ))
        }
        Some(_) => {
            return Err(ApiError::bad_field(
                &format!("{POINTER}/name"),
                "must be a string",
            ))
        }
    };
    let styles = match attributes.get("styles") {
        None | Some(Value::Null) => None,
        Some(styles) => {
            check_styles(styles, &format!("{POINTER}/styles"))?;
            Some(styles.clone())
        }
    };
    Ok((name, styles))
}

/// `GET /theme-sets`, newest first; `filter[status]`.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Read)?;
    ctx.query.allow_filters(&["status"])?;
    let filter = RecordFilter::default().any_of(crate::routes::filters::terms(
        &ctx.query, "status", "status",
    ));
    let request: PageRequest = paging::request(&ctx.query)?;
    let page = state
        .store
        .find::<ThemeSet>(ctx.env_id(), &filter, &request)?;
    paging::list_reply(
        &ctx,
        "/api/v1/theme-sets",
        &paging::filter_pairs(&ctx.query),
        &request,
        &page,
        |t| t.id.clone(),
        |t| Ok(Some(views::theme::resource(t))),
    )
}

/// `POST /theme-sets` with `name` and `styles`.
pub async fn create(State(state): State<AppState>, ctx: Ctx, body: ApiBody) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Write)?;
    let (name, styles) = attributes_of(&body, true)?;
    let name = name.unwrap_or_default();
    let styles = styles.unwrap_or_else(|| json!({}));
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let theme = themes::create(tx, &ctx.acting(), name, styles)?;
        Ok(written(StatusCode::CREATED, theme))
    })
    .await
}

/// `GET /theme-sets/{id}`.
pub async fn retrieve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    crate::routes::retrieve_record::<ThemeSet>(
        &state,
        &ctx,
        "inquiry",
        "theme set",
        &id,
        views::theme::resource,
    )
}

/// `PATCH /theme-sets/{id}`: `name`, and `styles` laid over the theme's cell by cell.
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Write)?;
    let (name, styles) = attributes_of(&body, false)?;
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let theme = themes::update(tx, &ctx.acting(), &id, name, styles)?;
        Ok(written(StatusCode::OK, theme))
    })
    .await
}

/// `DELETE /theme-sets/{id}`: archived, as Persona does.
pub async fn archive(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("inquiry", Access::Write)?;
    let ctx = ctx.without_idempotency_key();
    write(&state, &ctx, "", move |tx, ctx| {
        let theme = themes::archive(tx, &ctx.acting(), &id)?;
        Ok(written(StatusCode::OK, theme))
    })
    .await
}

/// Beyond Persona, without a key: `GET /inquiry-flows/theme-sets/{id}`, an active theme
/// set for the flow's pages (colours, a font, a logo: nothing personal).
pub async fn for_flow(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Reply> {
    let found = state.in_any_environment(|env| state.store.get::<ThemeSet>(&env.id, &id))?;
    if let Some((theme, _)) = found.filter(|(theme, _)| theme.status == "active") {
        let doc = views::single(views::theme::resource(&theme), None);
        return Ok(Reply {
            status: StatusCode::OK,
            body: json_bytes(&doc),
            replayed: false,
        });
    }
    Err(ApiError::not_found(format!(
        "theme set `{}` is not found or is archived",
        id.chars().take(64).collect::<String>()
    )))
}
