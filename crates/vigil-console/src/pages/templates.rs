//! Settings → Case templates (admins): each template's resolutions, and which of them a
//! second reviewer must approve (four eyes). Through the API's
//! `/case-templates/{id}/second-review`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{json, Value};

use super::{failure, page, person, poster};
use crate::view::{self, Chrome};
use crate::Console;

pub struct TemplateRow {
    pub id: String,
    pub name: String,
    /// Each resolution, and whether a second reviewer must approve it.
    pub resolutions: Vec<(String, bool)>,
}

#[derive(Template)]
#[template(path = "templates.html")]
struct TemplatesPage {
    chrome: Chrome,
    templates: Vec<TemplateRow>,
    may_configure: bool,
    saved: bool,
}

/// `GET /{env}/settings/templates`.
pub async fn list(
    State(console): State<Console>,
    Path(env): Path<String>,
    headers: HeaderMap,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    let signed_in = match person(&console, &headers, &env, "/settings/templates").await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let args = json!({"page_size": 100});
    let listed = match super::call(&signed_in, "list_case_templates", args).await {
        Ok(answer) => answer.body,
        Err(error) => return failure(&error),
    };
    let mut templates = Vec::new();
    for template in listed["data"].as_array().into_iter().flatten() {
        let id = template["id"].as_str().unwrap_or_default().to_string();
        let args = json!({"case_template_id": id});
        let held: Vec<String> =
            match super::call(&signed_in, "retrieve_case_template_second_review", args).await {
                Ok(answer) => answer.body["data"]["attributes"]["resolutions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|r| r.as_str().map(str::to_string))
                    .collect(),
                Err(error) => return failure(&error),
            };
        let resolutions = template["attributes"]["resolutions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|r| (r.to_string(), held.iter().any(|h| h == r)))
            .collect();
        templates.push(TemplateRow {
            id,
            name: view::text(template, "name"),
            resolutions,
        });
    }
    page(
        &TemplatesPage {
            chrome: Chrome::new(&signed_in, "templates", "Case templates"),
            templates,
            may_configure: signed_in.person.may("case.configure"),
            saved: query.as_deref() == Some("saved=1"),
        },
        signed_in.env,
    )
}

/// `POST /{env}/settings/templates/{id}` with `second_review=<resolution>` for each ticked
/// resolution.
pub async fn save(
    State(console): State<Console>,
    Path((env, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form = super::TickedForm::parse(&body, "second_review");
    let held = form.ticked.clone();
    let csrf = form.field("csrf");
    let signed_in = match poster(&console, &headers, &env, &csrf, "/settings/templates").await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let args = json!({"case_template_id": id, "resolutions": held});
    match super::call(&signed_in, "update_case_template_second_review", args).await {
        Ok(_) => Redirect::to(&format!("/{env}/settings/templates?saved=1")).into_response(),
        Err(error) => failure(&error),
    }
}
