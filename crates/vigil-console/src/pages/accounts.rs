//! Accounts: find one (by id, email, phone, reference id or a name), and the account page
//! with its fields, tags, cases, reports, inquiries and history; tag it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{call, error_text, failure, page, person, poster, read};
use crate::session::SignedIn;
use crate::view::{self, CaseRow, Chrome, Field, TimelineEntry};
use crate::Console;

/// One account in a list of results.
pub struct AccountRow {
    pub id: String,
    pub title: String,
    pub reference: String,
    pub status: String,
    pub tags: String,
}

fn account_row(account: &Value) -> AccountRow {
    AccountRow {
        id: account["id"].as_str().unwrap_or_default().to_string(),
        title: view::account_title(account),
        reference: view::text(account, "reference_id"),
        status: view::text(account, "account_status"),
        tags: view::tags(account).join(", "),
    }
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    chrome: Chrome,
    q: String,
    rows: Vec<AccountRow>,
    error: String,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// The search a person's words make: exact email, phone, reference id, government id
/// number, or name part.
fn search_of(q: &str) -> Value {
    let q = q.trim();
    let eq = |attribute: &str, value: &str| json!({"attribute": attribute, "operator": "eq", "value": value});
    let mut any = vec![
        eq("reference_id", q),
        eq("fields.email_address", &q.to_lowercase()),
        eq("fields.phone_number", q),
        eq("fields.identification_numbers.identification_number", q),
    ];
    let words: Vec<&str> = q.split_whitespace().collect();
    if let [first, last] = words.as_slice() {
        any.push(json!({"and": [eq("fields.name.first", first), eq("fields.name.last", last)]}));
    } else {
        any.push(eq("fields.name.first", q));
        any.push(eq("fields.name.last", q));
    }
    json!({"or": any})
}

/// `GET /{env}/accounts?q=...`.
pub async fn search(
    State(console): State<Console>,
    Path(env): Path<String>,
    Query(query): Query<SearchQuery>,
    headers: HeaderMap,
) -> Response {
    let signed_in = match person(&console, &headers, &env, "/accounts").await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let env = signed_in.env;
    let here = format!("/{}/accounts", env.as_str());
    let q = query.q.trim().to_string();
    if q.starts_with("act_") && !q.contains(char::is_whitespace) {
        return Redirect::to(&format!("{here}/{q}")).into_response();
    }
    let (mut rows, mut error) = (Vec::new(), String::new());
    if !q.is_empty() {
        let args = json!({"query": search_of(&q), "page_size": 50});
        match call(&signed_in, "search_accounts", args).await {
            Ok(answer) => {
                rows = answer.body["data"]
                    .as_array()
                    .map(|found| found.iter().map(account_row).collect())
                    .unwrap_or_default();
            }
            Err(failed) => error = error_text(&failed),
        }
    }
    page(
        &AccountsPage {
            chrome: Chrome::new(&signed_in, "accounts", "Accounts"),
            q,
            rows,
            error,
        },
        env,
    )
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    id: String,
    title: String,
    status: String,
    tags: Vec<String>,
    fields: Vec<Field>,
    cases: Vec<CaseRow>,
    reports: Vec<(String, String, bool)>,
    inquiries: Vec<(String, String, String)>,
    timeline: Vec<TimelineEntry>,
    documents: Vec<view::DocumentCard>,
    may_tag: bool,
    redacted: bool,
    /// Account actions that can be run on it: `(id, name, kind)`.
    actions: Vec<(String, String, String)>,
    /// Its type's statuses, for a set-status action.
    statuses: Vec<String>,
    /// Other accounts with its email address or phone number: possible duplicates.
    duplicates: Vec<AccountRow>,
    /// The accounts it relates to, by relation key: `(key, how many, the first few)`.
    relations: Vec<(String, u64, Vec<AccountRow>)>,
    may_redact: bool,
    error: String,
}

/// `GET /{env}/accounts/{id}`.
pub async fn account_page(
    State(console): State<Console>,
    Path((env, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let signed_in = match person(&console, &headers, &env, &format!("/accounts/{id}")).await {
        Ok(s) => s,
        Err(response) => return response,
    };
    match load(&signed_in, &id).await {
        Ok(Some(account)) => page(&account, signed_in.env),
        Ok(None) => super::not_found().await,
        Err(response) => response,
    }
}

/// The account page again, saying what went wrong with a form on it (422).
async fn with_error(signed_in: &SignedIn, id: &str, error: String) -> Response {
    match load(signed_in, id).await {
        Ok(Some(mut account)) => {
            account.error = error;
            let mut response = page(&account, signed_in.env);
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            response
        }
        Ok(None) => super::not_found().await,
        Err(response) => response,
    }
}

/// Other accounts sharing the account's email address or phone number (exact).
async fn duplicates_of(signed_in: &SignedIn, id: &str, account: &Value) -> Vec<AccountRow> {
    let fields = &account["attributes"]["fields"];
    let mut any = Vec::new();
    for (attribute, field) in [
        ("fields.email_address", "email_address"),
        ("fields.phone_number", "phone_number"),
    ] {
        if let Some(value) = fields[field]["value"].as_str().filter(|v| !v.is_empty()) {
            any.push(json!({"attribute": attribute, "operator": "eq", "value": value}));
        }
    }
    if any.is_empty() {
        return Vec::new();
    }
    let args = json!({"query": {"or": any}, "page_size": 20});
    match call(signed_in, "search_accounts", args).await {
        Ok(answer) => answer.body["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|a| a["id"] != id && a["attributes"]["redacted_at"].is_null())
            .map(account_row)
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// How many related accounts a page shows under each key (the count says if more).
const RELATED_SHOWN: usize = 20;

/// The accounts `id` relates to, under each relation key it uses.
async fn relations_of(
    signed_in: &SignedIn,
    id: &str,
) -> Result<Vec<(String, u64, Vec<AccountRow>)>, Response> {
    let keys = read(signed_in, &format!("/accounts/{id}/relation-keys")).await?;
    let mut relations = Vec::new();
    for key in keys["data"].as_array().into_iter().flatten() {
        let name = key["id"].as_str().unwrap_or_default().to_string();
        let args = json!({"account_id": id, "key": name, "page_size": RELATED_SHOWN});
        let related = call(signed_in, "list_account_relations", args)
            .await
            .map_err(|failed| super::failure(&failed))?;
        let rows = related.body["data"]
            .as_array()
            .into_iter()
            .flatten()
            .map(account_row)
            .collect();
        relations.push((name, key["attributes"]["count"].as_u64().unwrap_or(0), rows));
    }
    Ok(relations)
}

/// The account actions of the environment, and the statuses of the account's type.
async fn actions_and_statuses(
    signed_in: &SignedIn,
    account: &Value,
) -> Result<(Vec<(String, String, String)>, Vec<String>), Response> {
    let listed = read(signed_in, "/account-actions").await?;
    let actions = listed["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            (
                a["id"].as_str().unwrap_or_default().to_string(),
                view::text(a, "name"),
                view::text(a, "kind"),
            )
        })
        .collect();
    let type_id = account["relationships"]["account_type"]["data"]["id"]
        .as_str()
        .unwrap_or_default();
    let types = read(signed_in, "/account-types?page[size]=100").await?;
    let statuses = types["included"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["relationships"]["account_type"]["data"]["id"] == type_id)
        .map(|s| view::text(s, "name"))
        .collect();
    Ok((actions, statuses))
}

async fn load(signed_in: &SignedIn, id: &str) -> Result<Option<AccountPage>, Response> {
    if !id.starts_with("act_") || id.contains(['/', '?', '#', '&']) {
        return Ok(None);
    }
    let account = read(signed_in, &format!("/accounts/{id}")).await?;
    let account = &account["data"];
    if account.is_null() {
        return Ok(None);
    }
    let now = super::cases::now_iso();
    let cases = read(
        signed_in,
        &format!("/cases?filter[account-id]={id}&page[size]=50"),
    )
    .await?;
    let cases = cases["data"]
        .as_array()
        .map(|found| found.iter().map(|c| view::case_row(c, &now)).collect())
        .unwrap_or_default();
    let reports = read(
        signed_in,
        &format!("/reports?filter[account-id]={id}&page[size]=50"),
    )
    .await?;
    let reports = reports["data"]
        .as_array()
        .map(|found| {
            found
                .iter()
                .map(|r| {
                    (
                        r["id"].as_str().unwrap_or_default().to_string(),
                        view::when(&view::text(r, "created_at")),
                        r["attributes"]["has_match"].as_bool().unwrap_or(false),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let inquiries = read(
        signed_in,
        &format!("/inquiries?filter[account-id]={id}&page[size]=50"),
    )
    .await?;
    // The documents sent with its inquiries.
    let mut documents = Vec::new();
    for inquiry in inquiries["data"].as_array().into_iter().flatten() {
        for document_id in view::related(inquiry, "documents") {
            let document = read(signed_in, &format!("/documents/{document_id}")).await?;
            if document["data"].is_object() {
                documents.push(view::document_card(
                    &document["data"],
                    signed_in.env.as_str(),
                ));
            }
        }
    }
    let inquiries = inquiries["data"]
        .as_array()
        .map(|found| {
            found
                .iter()
                .map(|i| {
                    (
                        i["id"].as_str().unwrap_or_default().to_string(),
                        view::text(i, "status"),
                        view::when(&view::text(i, "created_at")),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let events = read(
        signed_in,
        &format!("/events?filter[object-id]={id}&page[size]=100"),
    )
    .await?;
    let timeline = events["data"]
        .as_array()
        .map(|found| found.iter().map(view::timeline_entry).collect())
        .unwrap_or_default();
    let redacted = !account["attributes"]["redacted_at"].is_null();
    let may_write = signed_in.person.may("account.write") && !redacted;
    let (actions, statuses) = if may_write {
        actions_and_statuses(signed_in, account).await?
    } else {
        (Vec::new(), Vec::new())
    };
    let duplicates = if redacted {
        Vec::new()
    } else {
        duplicates_of(signed_in, id, account).await
    };
    Ok(Some(AccountPage {
        chrome: Chrome::new(signed_in, "accounts", view::account_title(account)),
        id: id.to_string(),
        title: view::account_title(account),
        status: view::text(account, "account_status"),
        tags: view::tags(account),
        fields: view::account_fields(account),
        cases,
        reports,
        inquiries,
        timeline,
        documents,
        may_tag: may_write,
        redacted,
        actions,
        statuses,
        duplicates,
        relations: relations_of(signed_in, id).await?,
        may_redact: signed_in.person.may("redact") && !redacted,
        error: String::new(),
    }))
}

#[derive(Deserialize)]
pub struct ActionForm {
    csrf: String,
    action_id: String,
    #[serde(default)]
    status: String,
    /// Comma-separated, for add-tags and remove-tags.
    #[serde(default)]
    tags: String,
}

/// `POST /{env}/accounts/{id}/action`: run an account action (its kind says which
/// parameter it takes).
pub async fn run_action(
    State(console): State<Console>,
    Path((env, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<ActionForm>,
) -> Response {
    let back = format!("/accounts/{id}");
    let signed_in = match poster(&console, &headers, &env, &form.csrf, &back).await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let listed = match read(&signed_in, "/account-actions").await {
        Ok(listed) => listed,
        Err(response) => return response,
    };
    let kind = listed["data"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["id"] == form.action_id.as_str())
        .map(|a| view::text(a, "kind"))
        .unwrap_or_default();
    let parameters = if kind == "set-status" {
        json!({"status": form.status})
    } else {
        let tags: Vec<&str> = form
            .tags
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        json!({"tags": tags})
    };
    let args =
        json!({"account_id": id, "account_action_id": form.action_id, "parameters": parameters});
    match call(&signed_in, "run_account_action", args).await {
        Ok(_) => Redirect::to(&format!("/{env}/accounts/{id}")).into_response(),
        // A status the type does not have, a bad tag: said on the account page.
        Err(
            error @ vigil_client::Error::Api {
                status: 400 | 422, ..
            },
        ) => with_error(&signed_in, &id, error_text(&error)).await,
        Err(error) => failure(&error),
    }
}

#[derive(Template)]
#[template(path = "consolidate.html")]
struct ConsolidatePage {
    chrome: Chrome,
    id: String,
    title: String,
    source: AccountRow,
}

#[derive(Deserialize)]
pub struct ConsolidateForm {
    csrf: String,
    source: String,
    #[serde(default)]
    confirmed: Option<String>,
}

/// `POST /{env}/accounts/{id}/consolidate`: merge a duplicate (`source`) into this account,
/// after a confirmation page.
pub async fn consolidate(
    State(console): State<Console>,
    Path((env, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<ConsolidateForm>,
) -> Response {
    let back = format!("/accounts/{id}");
    let signed_in = match poster(&console, &headers, &env, &form.csrf, &back).await {
        Ok(s) => s,
        Err(response) => return response,
    };
    if form.confirmed.as_deref() != Some("yes") {
        let (this, source) = match (
            read(&signed_in, &format!("/accounts/{id}")).await,
            read(&signed_in, &format!("/accounts/{}", form.source)).await,
        ) {
            (Ok(this), Ok(source)) => (this, source),
            (Err(response), _) | (_, Err(response)) => return response,
        };
        if this["data"].is_null() || source["data"].is_null() {
            return super::not_found().await;
        }
        return page(
            &ConsolidatePage {
                chrome: Chrome::new(&signed_in, "accounts", "Confirm the merge"),
                id,
                title: view::account_title(&this["data"]),
                source: account_row(&source["data"]),
            },
            signed_in.env,
        );
    }
    let args = json!({"account_id": id, "source_account_ids": [form.source]});
    match call(&signed_in, "consolidate_accounts", args).await {
        Ok(_) => Redirect::to(&format!("/{env}/accounts/{id}")).into_response(),
        Err(error) => failure(&error),
    }
}

#[derive(Deserialize)]
pub struct RedactForm {
    csrf: String,
    /// The account's id, typed by the person to confirm.
    typed: String,
}

/// `POST /{env}/accounts/{id}/redact`: erase the account's personal data for good, once
/// its id is typed.
pub async fn redact(
    State(console): State<Console>,
    Path((env, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<RedactForm>,
) -> Response {
    let back = format!("/accounts/{id}");
    let signed_in = match poster(&console, &headers, &env, &form.csrf, &back).await {
        Ok(s) => s,
        Err(response) => return response,
    };
    if form.typed.trim() != id {
        let error = "Nothing was redacted: type the account's id exactly to confirm.".to_string();
        return with_error(&signed_in, &id, error).await;
    }
    match call(&signed_in, "redact_account", json!({"account_id": id})).await {
        Ok(_) => Redirect::to(&format!("/{env}/accounts/{id}")).into_response(),
        Err(error) => failure(&error),
    }
}

#[derive(Deserialize)]
pub struct TagForm {
    csrf: String,
    tag: String,
    /// `add` or `remove`.
    action: String,
}

/// `POST /{env}/accounts/{id}/tags`.
pub async fn tag(
    State(console): State<Console>,
    Path((env, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<TagForm>,
) -> Response {
    let back = format!("/accounts/{id}");
    let signed_in = match poster(&console, &headers, &env, &form.csrf, &back).await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let operation = if form.action == "remove" {
        "remove_account_tag"
    } else {
        "add_account_tag"
    };
    let args = json!({"account_id": id, "tag_name": form.tag.trim()});
    match call(&signed_in, operation, args).await {
        Ok(_) => Redirect::to(&format!("/{env}/accounts/{id}")).into_response(),
        Err(error) => failure(&error),
    }
}
