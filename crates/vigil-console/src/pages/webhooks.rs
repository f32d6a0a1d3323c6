//! Webhooks (`/{env}/webhooks`): each webhook's recent deliveries, failures and next
//! retry; deliver an event again; enable, disable, rotate the secret (shown once). Through
//! the API's `/webhooks`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{failure, page, person, poster, read};
use crate::view::{self, Chrome};
use crate::Console;

pub struct WebhookRow {
    pub id: String,
    pub url: String,
    pub status: String,
    pub events: String,
}

fn webhook_row(webhook: &Value) -> WebhookRow {
    WebhookRow {
        id: webhook["id"].as_str().unwrap_or_default().to_string(),
        url: view::text(webhook, "url"),
        status: view::text(webhook, "status"),
        events: webhook["attributes"]["enabled_events"]
            .as_array()
            .map(|names| {
                names
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "webhooks.html")]
struct WebhooksPage {
    chrome: Chrome,
    webhooks: Vec<WebhookRow>,
}

/// `GET /{env}/webhooks`.
pub async fn list(
    State(console): State<Console>,
    Path(env): Path<String>,
    headers: HeaderMap,
) -> Response {
    let signed_in = match person(&console, &headers, &env, "/webhooks").await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let listed = match read(&signed_in, "/webhooks?page[size]=100").await {
        Ok(listed) => listed,
        Err(response) => return response,
    };
    let webhooks = listed["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(webhook_row)
        .collect();
    page(
        &WebhooksPage {
            chrome: Chrome::new(&signed_in, "webhooks", "Webhooks"),
            webhooks,
        },
        signed_in.env,
    )
}

/// One delivery as a row.
pub struct DeliveryRow {
    pub event_id: String,
    pub event_name: String,
    pub status: String,
    pub created: String,
    pub attempts: usize,
    pub last_result: String,
    pub next_attempt: String,
}

fn delivery_row(delivery: &Value) -> DeliveryRow {
    let a = &delivery["attributes"];
    let attempts = a["attempts"].as_array().cloned().unwrap_or_default();
    let last_result = attempts
        .last()
        .map(
            |last| match (last["status_code"].as_u64(), last["error"].as_str()) {
                (Some(code), _) => format!("HTTP {code} in {} ms", last["latency_ms"]),
                (None, Some(error)) => error.to_string(),
                (None, None) => String::new(),
            },
        )
        .unwrap_or_default();
    DeliveryRow {
        event_id: view::text(delivery, "event_id"),
        event_name: view::text(delivery, "event_name"),
        status: view::text(delivery, "status"),
        created: view::when(&view::text(delivery, "created_at")),
        attempts: attempts.len(),
        last_result,
        next_attempt: view::when(&view::text(delivery, "next_attempt_at")),
    }
}

#[derive(Template)]
#[template(path = "webhook.html")]
struct WebhookPage {
    chrome: Chrome,
    webhook: WebhookRow,
    deliveries: Vec<DeliveryRow>,
    failed_only: bool,
    may_write: bool,
    /// A new signing secret, shown once after a rotation.
    new_secret: String,
    notice: String,
}

async fn render(
    signed_in: &crate::session::SignedIn,
    id: &str,
    failed_only: bool,
    new_secret: String,
    notice: &str,
) -> Response {
    if !id.starts_with("wbh_") || id.contains(['/', '?', '#']) {
        return super::not_found().await;
    }
    let webhook = match read(signed_in, &format!("/webhooks/{id}")).await {
        Ok(found) if found["data"].is_object() => found,
        Ok(_) => return super::not_found().await,
        Err(response) => return response,
    };
    let mut path = format!("/webhooks/{id}/deliveries?page[size]=50");
    if failed_only {
        path.push_str("&filter[status]=failed");
    }
    let deliveries = match read(signed_in, &path).await {
        Ok(found) => found["data"]
            .as_array()
            .into_iter()
            .flatten()
            .map(delivery_row)
            .collect(),
        Err(response) => return response,
    };
    page(
        &WebhookPage {
            chrome: Chrome::new(signed_in, "webhooks", "Webhook"),
            webhook: webhook_row(&webhook["data"]),
            deliveries,
            failed_only,
            may_write: signed_in.person.may("webhook.write"),
            new_secret,
            notice: notice.to_string(),
        },
        signed_in.env,
    )
}

/// `GET /{env}/webhooks/{id}` (`?failed=1`: failures only).
pub async fn webhook_page(
    State(console): State<Console>,
    Path((env, id)): Path<(String, String)>,
    headers: HeaderMap,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    let signed_in = match person(&console, &headers, &env, &format!("/webhooks/{id}")).await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let failed_only = query.as_deref() == Some("failed=1");
    let notice = match query.as_deref() {
        Some("redelivered=1") => "The event is queued to be delivered again.",
        _ => "",
    };
    render(&signed_in, &id, failed_only, String::new(), notice).await
}

#[derive(Deserialize)]
pub struct WebhookForm {
    csrf: String,
    /// `enable`, `disable`, `rotate` or `redeliver` (with `event_id`).
    action: String,
    #[serde(default)]
    event_id: String,
}

/// `POST /{env}/webhooks/{id}`.
pub async fn change(
    State(console): State<Console>,
    Path((env, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<WebhookForm>,
) -> Response {
    let back = format!("/webhooks/{id}");
    let signed_in = match poster(&console, &headers, &env, &form.csrf, &back).await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let (operation, args) = match form.action.as_str() {
        "enable" => ("enable_webhook", json!({"webhook_id": id})),
        "disable" => ("disable_webhook", json!({"webhook_id": id})),
        "rotate" => ("rotate_webhook_secret", json!({"webhook_id": id})),
        "redeliver" => (
            "redeliver_webhook_events",
            json!({"webhook_id": id, "event_ids": [form.event_id]}),
        ),
        _ => return super::not_found().await,
    };
    match super::call(&signed_in, operation, args).await {
        Ok(answer) if form.action == "rotate" => {
            let secret = answer.body["data"]["attributes"]["secret"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            render(&signed_in, &id, false, secret, "").await
        }
        Ok(_) if form.action == "redeliver" => {
            Redirect::to(&format!("/{env}/webhooks/{id}?redelivered=1")).into_response()
        }
        Ok(_) => Redirect::to(&format!("/{env}/webhooks/{id}")).into_response(),
        Err(error) => failure(&error),
    }
}
