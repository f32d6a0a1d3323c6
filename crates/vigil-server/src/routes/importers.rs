//! Importers: `POST /importer/list-item/<kind>` and `POST /importer/accounts` take a CSV
//! file (inline base64 or multipart) and answer at once with a `pending` importer; the
//! rows are written in the background (`crate::importers`). `GET /importers[/{id}]` to
//! poll. Beyond Persona, `GET /importers/{id}/errors` lists the rows that could not be
//! imported, by line.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{json, Value};
use vigil_domain::importer::{Importer, ImporterKind};
use vigil_domain::permissions::Access;

use super::lists::list_id_attribute;
use crate::importers;
use crate::protocol::upload::UploadedFile;
use crate::protocol::{
    finish, paging, write, ApiError, ApiResult, Ctx, Doc, Reply, UploadBody, Written,
};
use crate::views;
use crate::AppState;

/// The permission family an importer's rows belong to.
fn family(kind: ImporterKind) -> &'static str {
    match kind {
        ImporterKind::Account => "account",
        ImporterKind::ListItem(_) => "list",
    }
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("importer `{id}` is not found"))
}

/// Refuse attributes the importer does not take.
fn allow_attributes(body: &UploadBody, allowed: &[&str]) -> ApiResult<()> {
    match body
        .attributes
        .keys()
        .find(|k| !allowed.contains(&k.as_str()))
    {
        Some(unknown) => Err(ApiError::invalid(
            &format!("/data/attributes/{unknown}"),
            &format!(
                "is not an attribute of this importer (takes file{})",
                allowed.iter().map(|a| format!(", {a}")).collect::<String>()
            ),
        )),
        None => Ok(()),
    }
}

/// Store the pending import and wake the runner; answers `pending` at once.
async fn create(
    state: &AppState,
    ctx: &Ctx,
    kind: ImporterKind,
    list_id: Option<String>,
    file: UploadedFile,
    request_hash: &str,
) -> ApiResult<Reply> {
    let import = match (file.spooled, state.import_files.clone()) {
        (Some((sha256, name)), Some(files)) => {
            importers::NewImport::stored(kind, list_id, file.filename, files, name, sha256).await?
        }
        (_, Some(files)) => {
            importers::NewImport::new(kind, list_id, file.filename, file.bytes)?
                .keep_in(files)
                .await?
        }
        (_, None) => importers::NewImport::new(kind, list_id, file.filename, file.bytes)?,
    };
    let waiting = import.stored_name().map(String::from);
    let reply = write(state, ctx, request_hash, move |tx, ctx| {
        let importer = crate::use_cases::imports::start(tx, ctx.env_id(), ctx.now, import)?;
        Ok(Written {
            status: StatusCode::CREATED,
            object_id: Some(importer.id.clone()),
            doc: Doc::later(move |_| views::single(views::importer::resource(&importer), None)),
        })
    })
    .await;
    // Refused (an unknown list, a replayed key): no import waits on the file.
    if let (Err(_) | Ok(Reply { replayed: true, .. }), Some(name), Some(files)) =
        (&reply, &waiting, &state.import_files)
    {
        let _ = files.delete(name);
    }
    let reply = reply?;
    state.importer_added();
    Ok(reply)
}

/// `POST /importer/list-item/{kind}`.
pub async fn import_list_items(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(plural): Path<String>,
    mut body: UploadBody,
) -> ApiResult<Reply> {
    ctx.require("list", Access::Write)?;
    let kind = ImporterKind::list_item(&plural).ok_or_else(|| {
        ApiError::not_found(format!(
            "there is no importer for `{plural}`: Persona imports names, email-addresses, phone-numbers, ip-addresses, geolocations and government-id-numbers; add other items one by one with POST /list-item/{plural}"
        ))
    })?;
    allow_attributes(&body, &["list-id"])?;
    let list_id = list_id_attribute(&body.attributes)?;
    let file = body.take_file()?;
    create(&state, &ctx, kind, Some(list_id), file, &body.request_hash).await
}

/// `POST /importer/accounts`: accounts of the environment's default type.
pub async fn import_accounts(
    State(state): State<AppState>,
    ctx: Ctx,
    mut body: UploadBody,
) -> ApiResult<Reply> {
    ctx.require("account", Access::Write)?;
    allow_attributes(&body, &[])?;
    let file = body.take_file()?;
    create(
        &state,
        &ctx,
        ImporterKind::Account,
        None,
        file,
        &body.request_hash,
    )
    .await
}

/// The importer `id`, if the key may read what it imports.
fn load(state: &AppState, ctx: &Ctx, id: &str) -> ApiResult<Importer> {
    let importer = state
        .store
        .importer(ctx.env_id(), id)?
        .ok_or_else(|| not_found(id))?;
    ctx.require(family(importer.kind), Access::Read)?;
    Ok(importer)
}

/// `GET /importers/{id}`.
pub async fn retrieve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    let importer = load(&state, &ctx, &id)?;
    Ok(finish(
        views::single(views::importer::resource(&importer), None),
        &ctx,
        StatusCode::OK,
    ))
}

/// `GET /importers`, newest first: the imports of what the key may read.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    let can_read = |family: &str| ctx.require(family, Access::Read).is_ok();
    if !can_read("list") && !can_read("account") {
        ctx.require("list", Access::Read)?;
    }
    ctx.query.allow_filters(&[])?;
    let request = paging::request(&ctx.query)?;
    let page = state.store.importers(ctx.env_id(), &request)?;
    paging::list_reply(
        &ctx,
        "/api/v1/importers",
        &[],
        &request,
        &page,
        |i| i.id.clone(),
        |i| Ok(can_read(family(i.kind)).then(|| views::importer::resource(i))),
    )
}

/// `GET /importers/{id}/errors` (beyond Persona): the rejected rows in line order,
/// `page[after]=<line>` for the next page, and the import's progress in `meta`.
pub async fn errors(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    let importer = load(&state, &ctx, &id)?;
    let request = paging::request(&ctx.query)?;
    if request.before.is_some() {
        return Err(ApiError::bad_request(
            "errors are paged forward only: use page[after]",
        ));
    }
    let after = match request.after.as_deref() {
        None => 0,
        Some(line) => line.parse::<u64>().map_err(|_| {
            ApiError::bad_request("page[after] must be a line number from a previous page")
        })?,
    };
    let size = request.size;
    let rows = state.store.importer_errors(&id, after, size + 1)?;
    let next = (rows.len() > size)
        .then(|| rows.get(size - 1).map(|e| e.line))
        .flatten()
        .map(|line| format!("/api/v1/importers/{id}/errors?page%5Bafter%5D={line}"));
    let data: Vec<Value> = rows
        .iter()
        .take(size)
        .map(views::importer::row_error)
        .collect();
    Ok(finish(
        json!({
            "data": data,
            "links": {"next": next},
            "meta": views::importer::progress(&importer),
        }),
        &ctx,
        StatusCode::OK,
    ))
}
