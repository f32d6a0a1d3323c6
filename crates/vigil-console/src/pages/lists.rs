//! Lists (`/{env}/lists`): every list of every kind; a list's items, add one, archive
//! one; import a CSV file with its progress shown live and the rows it refused. Through
//! the API's `/lists`, `/list/<kind>`, `/list-item/<kind>` and `/importer/list-item/<kind>`.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use serde_json::{json, Map, Value};

use super::{error_text, failure, page, person, poster, read};
use crate::session::SignedIn;
use crate::view::{self, Chrome};
use crate::Console;

/// The kinds a list can be: `(type, path, label, what its items hold, importable)`.
const KINDS: &[(&str, &str, &str, &str, bool)] = &[
    ("name", "names", "Names", "name", true),
    (
        "email-address",
        "email-addresses",
        "Email addresses",
        "value",
        true,
    ),
    (
        "phone-number",
        "phone-numbers",
        "Phone numbers",
        "value",
        true,
    ),
    ("ip-address", "ip-addresses", "IP addresses", "value", true),
    (
        "government-id-number",
        "government-id-numbers",
        "Government ID numbers",
        "id-number",
        true,
    ),
    ("country", "countries", "Countries", "country-code", false),
    ("string", "strings", "Strings", "value", false),
    (
        "browser-fingerprint",
        "browser-fingerprints",
        "Browser fingerprints",
        "value",
        false,
    ),
    (
        "geolocation",
        "geolocations",
        "Geolocations",
        "geolocation",
        true,
    ),
];

/// `list/email-address` → `email-addresses`.
fn kind_path(resource_type: &str) -> String {
    let singular = resource_type.trim_start_matches("list/");
    KINDS
        .iter()
        .find(|(kind, ..)| *kind == singular)
        .map(|(_, path, ..)| path.to_string())
        .unwrap_or_else(|| singular.to_string())
}

fn label_of(path: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(_, p, ..)| *p == path)
        .map(|(_, _, label, ..)| *label)
        .unwrap_or("List")
}

pub struct ListRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub kind_label: String,
    pub status: String,
    pub created: String,
}

/// A list by id, or the page that says it is not there.
async fn load_list(signed_in: &SignedIn, id: &str) -> Result<ListRow, Response> {
    if !id.starts_with("lst_") || id.contains(['/', '?', '#', '&']) {
        return Err(super::not_found().await);
    }
    match read(signed_in, &format!("/lists/{id}")).await? {
        found if found["data"].is_object() => Ok(list_row(&found["data"])),
        _ => Err(super::not_found().await),
    }
}

fn list_row(list: &Value) -> ListRow {
    let kind = kind_path(list["type"].as_str().unwrap_or_default());
    ListRow {
        id: list["id"].as_str().unwrap_or_default().to_string(),
        name: view::text(list, "name"),
        kind_label: label_of(&kind).to_string(),
        kind,
        status: view::text(list, "status"),
        created: view::when(&view::text(list, "created_at")),
    }
}

#[derive(Template)]
#[template(path = "lists.html")]
struct ListsPage {
    chrome: Chrome,
    lists: Vec<ListRow>,
    kinds: Vec<(&'static str, &'static str)>,
    may_write: bool,
    error: String,
}

async fn render_lists(signed_in: &SignedIn, error: String) -> Response {
    let listed = match read(signed_in, "/lists?page[size]=100").await {
        Ok(listed) => listed,
        Err(response) => return response,
    };
    page(
        &ListsPage {
            chrome: Chrome::new(signed_in, "lists", "Lists"),
            lists: listed["data"]
                .as_array()
                .into_iter()
                .flatten()
                .map(list_row)
                .collect(),
            kinds: KINDS.iter().map(|(_, p, l, ..)| (*p, *l)).collect(),
            may_write: signed_in.person.may("list.write"),
            error,
        },
        signed_in.env,
    )
}

/// `GET /{env}/lists`.
pub async fn lists(
    State(console): State<Console>,
    Path(env): Path<String>,
    headers: HeaderMap,
) -> Response {
    match person(&console, &headers, &env, "/lists").await {
        Ok(signed_in) => render_lists(&signed_in, String::new()).await,
        Err(response) => response,
    }
}

#[derive(serde::Deserialize)]
pub struct NewListForm {
    csrf: String,
    kind: String,
    name: String,
}

/// `POST /{env}/lists`: a new list.
pub async fn create(
    State(console): State<Console>,
    Path(env): Path<String>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<NewListForm>,
) -> Response {
    let signed_in = match poster(&console, &headers, &env, &form.csrf, "/lists").await {
        Ok(s) => s,
        Err(response) => return response,
    };
    if !KINDS.iter().any(|(_, p, ..)| *p == form.kind) {
        return super::not_found().await;
    }
    let body = json!({"data": {"attributes": {"name": form.name.trim()}}});
    match signed_in
        .api
        .post(&format!("/list/{}", form.kind), body)
        .await
    {
        Ok(answer) => {
            let id = answer.body["data"]["id"].as_str().unwrap_or_default();
            Redirect::to(&format!("/{env}/lists/{id}")).into_response()
        }
        Err(
            error @ vigil_client::Error::Api {
                status: 400 | 422, ..
            },
        ) => render_lists(&signed_in, error_text(&error)).await,
        Err(error) => failure(&error),
    }
}

pub struct ItemRow {
    pub id: String,
    pub value: String,
    pub status: String,
    pub matches: String,
    pub created: String,
}

/// What an item holds, as one line: its value, name, number or place.
fn item_value(item: &Value) -> String {
    let a = &item["attributes"];
    let text = |name: &str| a[name].as_str().unwrap_or_default().to_string();
    for name in ["value", "country_code", "id_number"] {
        if !text(name).is_empty() {
            return text(name);
        }
    }
    let name = [text("name_first"), text("name_last")]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if !name.is_empty() {
        return name;
    }
    if !a["latitude"].is_null() {
        return format!(
            "{}, {} ({} m)",
            a["latitude"], a["longitude"], a["radius_meters"]
        );
    }
    "—".into()
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    chrome: Chrome,
    list: ListRow,
    /// What an item of this kind is typed as: `name`, `value`, `id-number`, ...
    holds: String,
    importable: bool,
    items: Vec<ItemRow>,
    next_page: String,
    may_write: bool,
    confirm_archive: bool,
    error: String,
}

async fn render_list(
    signed_in: &SignedIn,
    id: &str,
    after: Option<&str>,
    confirm_archive: bool,
    error: String,
) -> Response {
    let list = match load_list(signed_in, id).await {
        Ok(list) => list,
        Err(response) => return response,
    };
    let mut path = format!("/lists/{id}/items?page[size]=50");
    if let Some(after) = after.filter(|a| !a.contains(['&', '#'])) {
        path.push_str(&format!("&page[after]={after}"));
    }
    let answer = match signed_in.api.get(&path).await {
        Ok(answer) => answer,
        Err(error) => return failure(&error),
    };
    let items = answer.body["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|item| ItemRow {
            id: item["id"].as_str().unwrap_or_default().to_string(),
            value: item_value(item),
            status: view::text(item, "status"),
            matches: item["attributes"]["match_count"].to_string(),
            created: view::when(&view::text(item, "created_at")),
        })
        .collect();
    let next_page = answer
        .next_cursor()
        .map(|cursor| format!("/{}/lists/{id}?after={cursor}", signed_in.env.as_str()))
        .unwrap_or_default();
    let (holds, importable) = KINDS
        .iter()
        .find(|(_, p, ..)| *p == list.kind)
        .map(|(_, _, _, holds, importable)| (holds.to_string(), *importable))
        .unwrap_or_default();
    let mut response = page(
        &ListPage {
            chrome: Chrome::new(signed_in, "lists", list.name.clone()),
            may_write: signed_in.person.may("list.write") && list.status == "active",
            list,
            holds,
            importable,
            items,
            next_page,
            confirm_archive,
            error: error.clone(),
        },
        signed_in.env,
    );
    if !error.is_empty() {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// `GET /{env}/lists/{id}`.
pub async fn list_page(
    State(console): State<Console>,
    Path((env, id)): Path<(String, String)>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    match person(&console, &headers, &env, &format!("/lists/{id}")).await {
        Ok(signed_in) => {
            render_list(
                &signed_in,
                &id,
                query.get("after").map(String::as_str),
                false,
                String::new(),
            )
            .await
        }
        Err(response) => response,
    }
}

/// `POST /{env}/lists/{id}`: `action=add` (the kind's fields), `archive-item` (`item`),
/// `archive` (then `confirmed=yes`).
pub async fn change(
    State(console): State<Console>,
    Path((env, id)): Path<(String, String)>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<std::collections::HashMap<String, String>>,
) -> Response {
    let field = |name: &str| {
        form.get(name)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let back = format!("/lists/{id}");
    let signed_in = match poster(&console, &headers, &env, &field("csrf"), &back).await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let list = match load_list(&signed_in, &id).await {
        Ok(list) => list,
        Err(response) => return response,
    };
    let outcome = match field("action").as_str() {
        "add" => {
            let mut attributes = Map::new();
            attributes.insert("list_id".into(), json!(id));
            for name in [
                "value",
                "name_first",
                "name_last",
                "id_number",
                "country_code",
                "latitude",
                "longitude",
                "radius_meters",
            ] {
                if !field(name).is_empty() {
                    attributes.insert(name.into(), json!(field(name)));
                }
            }
            let body = json!({"data": {"attributes": attributes}});
            signed_in
                .api
                .post(&format!("/list-item/{}", list.kind), body)
                .await
                .map(|_| ())
        }
        "archive-item" => {
            delete(
                &signed_in,
                &format!("/list-item/{}/{}", list.kind, field("item")),
            )
            .await
        }
        "archive" if field("confirmed") == "yes" => {
            delete(&signed_in, &format!("/lists/{id}")).await
        }
        "archive" => return render_list(&signed_in, &id, None, true, String::new()).await,
        _ => return super::not_found().await,
    };
    match outcome {
        Ok(()) => Redirect::to(&format!("/{env}/lists/{id}")).into_response(),
        Err(
            error @ vigil_client::Error::Api {
                status: 400 | 409 | 422,
                ..
            },
        ) => render_list(&signed_in, &id, None, false, error_text(&error)).await,
        Err(error) => failure(&error),
    }
}

/// `POST /{env}/lists/{id}/import` (a file upload): the import starts, and its page shows
/// how far it has got.
pub async fn import(
    State(console): State<Console>,
    Path((env, id)): Path<(String, String)>,
    headers: HeaderMap,
    mut upload: Multipart,
) -> Response {
    let (mut csrf, mut file, mut filename) = (String::new(), Vec::new(), String::new());
    while let Ok(Some(part)) = upload.next_field().await {
        match part.name() {
            Some("csrf") => csrf = part.text().await.unwrap_or_default(),
            Some("file") => {
                filename = part.file_name().unwrap_or("import.csv").to_string();
                file = part.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
            }
            _ => {}
        }
    }
    let back = format!("/lists/{id}");
    let signed_in = match poster(&console, &headers, &env, &csrf, &back).await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let list = match load_list(&signed_in, &id).await {
        Ok(list) => list,
        Err(response) => return response,
    };
    if file.is_empty() {
        let error = "Choose a CSV file to import.".to_string();
        return render_list(&signed_in, &id, None, false, error).await;
    }
    let data = base64::engine::general_purpose::STANDARD.encode(&file);
    let body = json!({"data": {"attributes": {"list_id": id, "file": {"data": data, "filename": filename}}}});
    match signed_in
        .api
        .post(&format!("/importer/list-item/{}", list.kind), body)
        .await
    {
        Ok(answer) => {
            let importer = answer.body["data"]["id"].as_str().unwrap_or_default();
            Redirect::to(&format!("/{env}/importers/{importer}?list={id}")).into_response()
        }
        Err(
            error @ vigil_client::Error::Api {
                status: 400 | 413 | 422,
                ..
            },
        ) => render_list(&signed_in, &id, None, false, error_text(&error)).await,
        Err(error) => failure(&error),
    }
}

#[derive(Template)]
#[template(path = "importer.html")]
struct ImporterPage {
    chrome: Chrome,
    id: String,
    list_id: String,
    status: String,
    done: bool,
    rows_done: String,
    row_count: String,
    imported: String,
    duplicates: String,
    refused: Vec<(String, String)>,
    failure: String,
}

/// `GET /{env}/importers/{id}`: an import's progress (the page refreshes itself until it
/// is done) and the rows it refused.
pub async fn importer(
    State(console): State<Console>,
    Path((env, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let signed_in = match person(&console, &headers, &env, &format!("/importers/{id}")).await {
        Ok(s) => s,
        Err(response) => return response,
    };
    if !id.starts_with("mprt_") || id.contains(['/', '?', '#', '&']) {
        return super::not_found().await;
    }
    let (found, errors) = match (
        read(&signed_in, &format!("/importers/{id}")).await,
        read(
            &signed_in,
            &format!("/importers/{id}/errors?page[size]=100"),
        )
        .await,
    ) {
        (Ok(found), Ok(errors)) => (found, errors),
        (Err(response), _) | (_, Err(response)) => return response,
    };
    if !found["data"].is_object() {
        return super::not_found().await;
    }
    let data = &found["data"];
    let status = view::text(data, "status");
    let progress = &errors["meta"];
    let refused = errors["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["attributes"]["line"].to_string(),
                view::text(e, "details"),
            )
        })
        .collect();
    page(
        &ImporterPage {
            chrome: Chrome::new(&signed_in, "lists", "Import"),
            id,
            list_id: progress["list_id"].as_str().unwrap_or_default().to_string(),
            done: matches!(status.as_str(), "ready" | "errored"),
            status,
            rows_done: progress["rows_done"].to_string(),
            row_count: progress["row_count"].to_string(),
            imported: data["attributes"]["successful_count"].to_string(),
            duplicates: data["attributes"]["duplicate_count"].to_string(),
            refused,
            failure: progress["failure"].as_str().unwrap_or_default().to_string(),
        },
        signed_in.env,
    )
}

async fn delete(signed_in: &SignedIn, path: &str) -> Result<(), vigil_client::Error> {
    let request = vigil_client::Request::new(vigil_client::Method::DELETE, path);
    signed_in.api.send(request).await.map(|_| ())
}
