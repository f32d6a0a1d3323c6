//! Settings → API keys (admins): the environment's keys; make one (its secret shown
//! once), revoke one (after a confirmation). Through the API's `/api-keys`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{json, Value};

use super::{error_text, failure, page, person, poster, read};
use crate::session::SignedIn;
use crate::view::{self, Chrome};
use crate::Console;

pub struct KeyRow {
    pub id: String,
    pub name: String,
    pub note: String,
    pub permissions: String,
    pub created: String,
    pub expires: String,
}

fn key_row(key: &Value) -> KeyRow {
    KeyRow {
        id: key["id"].as_str().unwrap_or_default().to_string(),
        name: view::text(key, "name"),
        note: view::text(key, "note"),
        permissions: key["attributes"]["permissions"]
            .as_array()
            .map(|p| {
                p.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default(),
        created: view::when(&view::text(key, "created_at")),
        expires: view::when(&view::text(key, "expires_at")),
    }
}

#[derive(Template)]
#[template(path = "keys.html")]
struct KeysPage {
    chrome: Chrome,
    keys: Vec<KeyRow>,
    /// What the person may grant: their own permissions.
    grantable: Vec<String>,
    /// A key just made: its name and secret, shown once.
    made_name: String,
    made_value: String,
    /// A key about to be revoked (confirmation).
    revoking: Option<KeyRow>,
    error: String,
}

async fn render(
    signed_in: &SignedIn,
    made: Option<(String, String)>,
    revoking: Option<KeyRow>,
    error: String,
) -> Response {
    let listed = match read(signed_in, "/api-keys?page[size]=100").await {
        Ok(listed) => listed,
        Err(response) => return response,
    };
    let keys = listed["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(key_row)
        .collect();
    let (made_name, made_value) = made.unwrap_or_default();
    let mut response = page(
        &KeysPage {
            chrome: Chrome::new(signed_in, "keys", "API keys"),
            keys,
            grantable: signed_in.person.permissions.clone(),
            made_name,
            made_value,
            revoking,
            error: error.clone(),
        },
        signed_in.env,
    );
    if !error.is_empty() {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// `GET /{env}/settings/keys`.
pub async fn list(
    State(console): State<Console>,
    Path(env): Path<String>,
    headers: HeaderMap,
) -> Response {
    match person(&console, &headers, &env, "/settings/keys").await {
        Ok(signed_in) => render(&signed_in, None, None, String::new()).await,
        Err(response) => response,
    }
}

/// `POST /{env}/settings/keys`: `action=create` (with `name`, `note`, a `permission` per
/// ticked box) or `action=revoke` (with `key`, then `confirmed=yes`).
pub async fn change(
    State(console): State<Console>,
    Path(env): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form = super::TickedForm::parse(&body, "permission");
    let field = |name: &str| form.field(name);
    let permissions = form.ticked.clone();
    let signed_in = match poster(&console, &headers, &env, &field("csrf"), "/settings/keys").await {
        Ok(s) => s,
        Err(response) => return response,
    };
    match field("action").as_str() {
        "create" => {
            if permissions.is_empty() {
                let error = "Tick at least one permission for the key.".to_string();
                return render(&signed_in, None, None, error).await;
            }
            let mut args = json!({"name": field("name").trim(), "permissions": permissions});
            if !field("note").trim().is_empty() {
                args["note"] = json!(field("note").trim());
            }
            match super::call(&signed_in, "create_api_key", args).await {
                Ok(answer) => {
                    let made = answer.body["data"]["attributes"]["value"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string();
                    render(&signed_in, Some((field("name"), made)), None, String::new()).await
                }
                Err(
                    error @ vigil_client::Error::Api {
                        status: 400 | 422, ..
                    },
                ) => render(&signed_in, None, None, error_text(&error)).await,
                Err(error) => failure(&error),
            }
        }
        "revoke" => {
            let id = field("key");
            if field("confirmed") != "yes" {
                let key = match read(&signed_in, &format!("/api-keys/{id}")).await {
                    Ok(found) if found["data"].is_object() => key_row(&found["data"]),
                    Ok(_) => return super::not_found().await,
                    Err(response) => return response,
                };
                return render(&signed_in, None, Some(key), String::new()).await;
            }
            let args = json!({"api_key_id": id, "expires_in_seconds": 0});
            match super::call(&signed_in, "expire_api_key", args).await {
                Ok(_) => Redirect::to(&format!("/{env}/settings/keys")).into_response(),
                Err(error) => failure(&error),
            }
        }
        _ => super::not_found().await,
    }
}
