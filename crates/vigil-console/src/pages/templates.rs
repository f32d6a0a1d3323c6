//! Settings → Case templates (admins): each template's resolutions, and which of them a
//! second reviewer must approve (four eyes), through the API's
//! `/case-templates/{id}/second-review`; and the queues cases are routed to
//! (`/case-queues`).

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
    /// `(id, name)` of each queue.
    queues: Vec<(String, String)>,
    may_add_queue: bool,
    queue_added: bool,
    error: String,
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
    render(&signed_in, query.as_deref(), String::new()).await
}

async fn render(signed_in: &super::SignedIn, query: Option<&str>, error: String) -> Response {
    let args = json!({"page_size": 100});
    let listed = match super::call(signed_in, "list_case_templates", args).await {
        Ok(answer) => answer.body,
        Err(error) => return failure(&error),
    };
    let mut templates = Vec::new();
    for template in listed["data"].as_array().into_iter().flatten() {
        let id = template["id"].as_str().unwrap_or_default().to_string();
        let args = json!({"case_template_id": id});
        let held: Vec<String> =
            match super::call(signed_in, "retrieve_case_template_second_review", args).await {
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
    let queues = match super::call(signed_in, "list_case_queues", json!({"page_size": 100})).await {
        Ok(answer) => answer.body["data"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|q| {
                (
                    q["id"].as_str().unwrap_or_default().to_string(),
                    view::text(q, "name"),
                )
            })
            .collect(),
        Err(error) => return failure(&error),
    };
    let failed = !error.is_empty();
    let mut response = page(
        &TemplatesPage {
            chrome: Chrome::new(signed_in, "templates", "Case templates and queues"),
            templates,
            may_configure: signed_in.person.may("case.configure"),
            saved: query == Some("saved=1"),
            queues,
            may_add_queue: signed_in.person.may("case.write"),
            queue_added: query == Some("queue=added"),
            error,
        },
        signed_in.env,
    );
    if failed {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

#[derive(serde::Deserialize)]
pub struct QueueForm {
    csrf: String,
    #[serde(default)]
    name: String,
}

/// `POST /{env}/settings/queues` with `name`: a new queue.
pub async fn add_queue(
    State(console): State<Console>,
    Path(env): Path<String>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<QueueForm>,
) -> Response {
    let signed_in = match poster(&console, &headers, &env, &form.csrf, "/settings/templates").await
    {
        Ok(s) => s,
        Err(response) => return response,
    };
    let args = json!({"name": form.name.trim()});
    match super::call(&signed_in, "create_case_queue", args).await {
        Ok(_) => Redirect::to(&format!("/{env}/settings/templates?queue=added")).into_response(),
        Err(vigil_client::Error::Api { status: 422, .. }) => {
            render(&signed_in, None, "A queue needs a name.".into()).await
        }
        Err(error) => failure(&error),
    }
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
