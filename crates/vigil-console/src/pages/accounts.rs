//! Accounts: find one (by id, email, phone, reference id or a name), and the account page
//! with its fields, tags, cases, reports, inquiries and history; tag it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{error_text, failure, page, person, poster, read};
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

/// The search a person's words make: exact email, phone, reference id, or name part.
fn search_of(q: &str) -> Value {
    let q = q.trim();
    let eq = |attribute: &str, value: &str| json!({"attribute": attribute, "operator": "eq", "value": value});
    let mut any = vec![
        eq("reference_id", q),
        eq("fields.email_address", &q.to_lowercase()),
        eq("fields.phone_number", q),
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
        let args: Map<String, Value> = json!({"query": search_of(&q), "page_size": 50})
            .as_object()
            .cloned()
            .unwrap_or_default();
        match signed_in.api.call("search_accounts", &args).await {
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
    may_tag: bool,
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
        may_tag: signed_in.person.may("account.write"),
    }))
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
    match signed_in
        .api
        .call(operation, args.as_object().unwrap())
        .await
    {
        Ok(_) => Redirect::to(&format!("/{env}/accounts/{id}")).into_response(),
        Err(error) => failure(&error),
    }
}
