//! Settings → Users (admins): invite a person (the link is shown once), change a role,
//! disable or enable, reset a password. All through the API's `/users`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::{json, Value};
use vigil_client::{Method, Request};

use super::{error_text, failure, page, person};
use crate::session::SignedIn;
use crate::view::{self, Chrome};
use crate::Console;

const ROLES: &[(&str, &str)] = &[
    ("viewer", "Viewer: reads"),
    ("analyst", "Analyst: investigates"),
    ("reviewer", "Reviewer: decides"),
    ("admin", "Admin: everything"),
];

pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub status: String,
    pub is_me: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<UserRow>,
    roles: Vec<(&'static str, &'static str)>,
    /// A one-time link to hand over (after an invitation or a reset), and for whom.
    link: String,
    link_for: String,
    error: String,
    /// Every user must sign in with a second factor.
    require_two_factor: bool,
}

/// The one-time link an invitation or reset answered with.
fn invitation_link(answer: &vigil_client::Response) -> String {
    answer.body["meta"]["invitation_url"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn render(signed_in: &SignedIn, link: String, link_for: String, error: String) -> Response {
    let mut users = Vec::new();
    let mut cursor = None;
    loop {
        let mut request = Request::new(Method::GET, "/users").query("page[size]", "100");
        if let Some(after) = &cursor {
            request = request.query("page[after]", after);
        }
        let answer = match signed_in.api.send(request).await {
            Ok(answer) => answer,
            Err(error) => return failure(&error),
        };
        for user in answer.body["data"].as_array().into_iter().flatten() {
            users.push(row(user, &signed_in.person.id));
        }
        cursor = answer.next_cursor();
        if cursor.is_none() {
            break;
        }
    }
    let settings = match signed_in.api.get("/user-security-settings").await {
        Ok(answer) => answer.body,
        Err(error) => return failure(&error),
    };
    page(
        &UsersPage {
            require_two_factor: settings["data"]["attributes"]["require_two_factor"] == true,
            chrome: Chrome::new(signed_in, "users", "Users"),
            users,
            roles: ROLES.to_vec(),
            link,
            link_for,
            error,
        },
        signed_in.env,
    )
}

fn row(user: &Value, me: &str) -> UserRow {
    let id = user["id"].as_str().unwrap_or_default().to_string();
    UserRow {
        is_me: id == me,
        id,
        email: view::text(user, "email_address"),
        name: view::text(user, "name"),
        role: view::text(user, "role"),
        status: view::text(user, "status"),
    }
}

/// `GET /{env}/settings/users`.
pub async fn list(
    State(console): State<Console>,
    Path(env): Path<String>,
    headers: HeaderMap,
) -> Response {
    match person(&console, &headers, &env, "/settings/users").await {
        Ok(signed_in) => render(&signed_in, String::new(), String::new(), String::new()).await,
        Err(response) => response,
    }
}

#[derive(Deserialize)]
pub struct InviteForm {
    csrf: String,
    email: String,
    #[serde(default)]
    name: String,
    role: String,
}

/// `POST /{env}/settings/users`: invite; the page shows the link once.
pub async fn invite(
    State(console): State<Console>,
    Path(env): Path<String>,
    headers: HeaderMap,
    Form(form): Form<InviteForm>,
) -> Response {
    let signed_in = match person(&console, &headers, &env, "/settings/users").await {
        Ok(s) => s,
        Err(response) => return response,
    };
    if let Err(refused) = signed_in.check_form(&headers, &form.csrf) {
        return refused;
    }
    let mut attributes = json!({"email_address": form.email, "role": form.role});
    if !form.name.trim().is_empty() {
        attributes["name"] = json!(form.name.trim());
    }
    match signed_in
        .api
        .post("/users", json!({"data": {"attributes": attributes}}))
        .await
    {
        Ok(answer) => {
            render(
                &signed_in,
                invitation_link(&answer),
                form.email,
                String::new(),
            )
            .await
        }
        Err(error) => render(&signed_in, String::new(), String::new(), error_text(&error)).await,
    }
}

#[derive(Deserialize)]
pub struct ChangeForm {
    csrf: String,
    /// `role`, `disable`, `enable` or `reset`.
    action: String,
    #[serde(default)]
    role: String,
}

/// `POST /{env}/settings/users/{id}`: change a role, disable, enable, or reset a password.
pub async fn change(
    State(console): State<Console>,
    Path((env, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<ChangeForm>,
) -> Response {
    let signed_in = match person(&console, &headers, &env, "/settings/users").await {
        Ok(s) => s,
        Err(response) => return response,
    };
    if let Err(refused) = signed_in.check_form(&headers, &form.csrf) {
        return refused;
    }
    let id: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let request = match form.action.as_str() {
        "reset" => {
            Request::new(Method::POST, format!("/users/{id}/reset-password")).body(json!({}))
        }
        "disable" | "enable" => Request::new(Method::PATCH, format!("/users/{id}"))
            .body(json!({"data": {"attributes": {"disabled": form.action == "disable"}}})),
        _ => Request::new(Method::PATCH, format!("/users/{id}"))
            .body(json!({"data": {"attributes": {"role": form.role}}})),
    };
    match signed_in.api.send(request).await {
        Ok(answer) if form.action == "reset" => {
            let link = invitation_link(&answer);
            let email = view::text(&answer.body["data"], "email_address");
            render(&signed_in, link, email, String::new()).await
        }
        Ok(_) => Redirect::to(&format!("/{env}/settings/users")).into_response(),
        Err(error) => render(&signed_in, String::new(), String::new(), error_text(&error)).await,
    }
}

/// One line of the user audit log, for people.
pub struct AuditRow {
    pub at: String,
    pub who: String,
    pub action: String,
    pub request: String,
    pub status: String,
    pub environment: String,
    pub address: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    rows: Vec<AuditRow>,
    next_page: String,
}

#[derive(Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    after: Option<String>,
}

/// `GET /{env}/settings/audit-log`: what console users did, newest first.
pub async fn audit_log(
    State(console): State<Console>,
    Path(env): Path<String>,
    axum::extract::Query(query): axum::extract::Query<AuditQuery>,
    headers: HeaderMap,
) -> Response {
    let signed_in = match person(&console, &headers, &env, "/settings/audit-log").await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let mut request = Request::new(Method::GET, "/user-audit-logs").query("page[size]", "50");
    if let Some(after) = query.after.filter(|a| !a.is_empty()) {
        request = request.query("page[after]", after);
    }
    let answer = match signed_in.api.send(request).await {
        Ok(answer) => answer,
        Err(error) => return failure(&error),
    };
    // People by id, to show who rather than an id.
    let users = match signed_in
        .api
        .send(Request::new(Method::GET, "/users").query("page[size]", "100"))
        .await
    {
        Ok(listed) => listed.body["data"].as_array().cloned().unwrap_or_default(),
        Err(error) => return failure(&error),
    };
    let who = |id: &str| {
        users
            .iter()
            .find(|u| u["id"] == id)
            .map(|u| view::text(u, "email_address"))
            .unwrap_or_else(|| id.to_string())
    };
    let rows = answer.body["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|entry| {
            let a = &entry["attributes"];
            AuditRow {
                at: view::when(a["created_at"].as_str().unwrap_or_default()),
                who: entry["relationships"]["user"]["data"]["id"]
                    .as_str()
                    .map(who)
                    .unwrap_or_else(|| "unknown email".into()),
                action: a["context"]["action"]
                    .as_str()
                    .unwrap_or_default()
                    .replace('-', " "),
                request: format!(
                    "{} {}",
                    a["method"].as_str().unwrap_or_default(),
                    a["path"].as_str().unwrap_or_default()
                ),
                status: a["response_status"].to_string(),
                environment: a["context"]["environment"]
                    .as_str()
                    .unwrap_or("—")
                    .to_string(),
                address: a["ip_address"].as_str().unwrap_or("—").to_string(),
            }
        })
        .collect();
    let next_page = answer
        .next_cursor()
        .map(|cursor| format!("/{env}/settings/audit-log?after={cursor}"))
        .unwrap_or_default();
    page(
        &AuditPage {
            chrome: Chrome::new(&signed_in, "audit", "Audit log"),
            rows,
            next_page,
        },
        signed_in.env,
    )
}

#[derive(Deserialize)]
pub struct SecurityForm {
    csrf: String,
    /// `on` when ticked.
    #[serde(default)]
    require_two_factor: Option<String>,
}

/// `POST /{env}/settings/security`: require (or stop requiring) two-factor sign-in.
pub async fn security(
    State(console): State<Console>,
    Path(env): Path<String>,
    headers: HeaderMap,
    Form(form): Form<SecurityForm>,
) -> Response {
    let signed_in =
        match super::poster(&console, &headers, &env, &form.csrf, "/settings/users").await {
            Ok(s) => s,
            Err(response) => return response,
        };
    let body =
        json!({"data": {"attributes": {"require_two_factor": form.require_two_factor.is_some()}}});
    let request = Request::new(Method::PATCH, "/user-security-settings").body(body);
    match signed_in.api.send(request).await {
        Ok(_) => Redirect::to(&format!("/{env}/settings/users")).into_response(),
        Err(error) => failure(&error),
    }
}
