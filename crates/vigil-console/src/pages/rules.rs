//! Settings → Flagging rules (admins): what opens cases, each rule on or off. Through the
//! API's `/flagging-rules`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::json;

use super::{failure, page, person, poster, read};
use crate::view::{self, Chrome};
use crate::Console;

pub struct RuleRow {
    pub id: String,
    pub name: String,
    pub condition: String,
    pub tag: String,
    pub enabled: bool,
}

#[derive(Template)]
#[template(path = "rules.html")]
struct RulesPage {
    chrome: Chrome,
    rules: Vec<RuleRow>,
    may_configure: bool,
}

/// `GET /{env}/settings/rules`.
pub async fn list(
    State(console): State<Console>,
    Path(env): Path<String>,
    headers: HeaderMap,
) -> Response {
    let signed_in = match person(&console, &headers, &env, "/settings/rules").await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let listed = match read(&signed_in, "/flagging-rules?page[size]=100").await {
        Ok(listed) => listed,
        Err(response) => return response,
    };
    let rules = listed["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|rule| RuleRow {
            id: rule["id"].as_str().unwrap_or_default().to_string(),
            name: view::text(rule, "name"),
            condition: rule["attributes"]["condition"].to_string(),
            tag: view::text(rule, "account_tag"),
            enabled: rule["attributes"]["enabled"] == true,
        })
        .collect();
    page(
        &RulesPage {
            chrome: Chrome::new(&signed_in, "rules", "Flagging rules"),
            rules,
            may_configure: signed_in.person.may("case.configure"),
        },
        signed_in.env,
    )
}

#[derive(Deserialize)]
pub struct RuleForm {
    csrf: String,
    /// `on` or `off`.
    turn: String,
}

/// `POST /{env}/settings/rules/{id}`: turn a rule on or off.
pub async fn toggle(
    State(console): State<Console>,
    Path((env, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<RuleForm>,
) -> Response {
    let signed_in = match poster(&console, &headers, &env, &form.csrf, "/settings/rules").await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let args = json!({"rule_id": id, "enabled": form.turn == "on"});
    match super::call(&signed_in, "update_flagging_rule", args).await {
        Ok(_) => Redirect::to(&format!("/{env}/settings/rules")).into_response(),
        Err(error) => failure(&error),
    }
}
