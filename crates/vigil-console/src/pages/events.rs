//! The events explorer (`/{env}/events`): every change, newest first, found by name,
//! object, who acted and when. Through the API's `GET /events`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{error_text, page, person};
use crate::view::{self, Chrome};
use crate::Console;

#[derive(Deserialize, Default)]
pub struct EventsQuery {
    #[serde(default)]
    name: String,
    #[serde(default)]
    object: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    after: String,
}

/// One event as a row: when, what, about which object (a link where the console has a
/// page for it), who, and its context.
pub struct EventRow {
    pub at: String,
    pub what: String,
    pub object_id: String,
    pub object_href: String,
    pub who: String,
    pub actor_id: String,
    pub context: String,
}

#[derive(Template)]
#[template(path = "events.html")]
struct EventsPage {
    chrome: Chrome,
    query: EventsQuery,
    rows: Vec<EventRow>,
    next_page: String,
    error: String,
}

fn row(event: &Value, env: &str) -> EventRow {
    let a = &event["attributes"];
    let entry = view::timeline_entry(event);
    let object_id = a["payload"]["data"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let object_href = if object_id.starts_with("case_") {
        format!("/{env}/cases/{object_id}")
    } else if object_id.starts_with("act_") {
        format!("/{env}/accounts/{object_id}")
    } else {
        String::new()
    };
    let mut context = a["context"].clone();
    if let Some(members) = context.as_object_mut() {
        members.remove("actor");
    }
    EventRow {
        at: entry.at,
        what: a["name"].as_str().unwrap_or_default().to_string(),
        object_id,
        object_href,
        who: entry.who,
        actor_id: a["context"]["actor"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        context: match &context {
            Value::Object(members) if !members.is_empty() => context.to_string(),
            _ => String::new(),
        },
    }
}

/// `GET /{env}/events`.
pub async fn explore(
    State(console): State<Console>,
    Path(env): Path<String>,
    Query(query): Query<EventsQuery>,
    headers: HeaderMap,
) -> Response {
    let signed_in = match person(&console, &headers, &env, "/events").await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let mut args = Map::new();
    let mut put = |name: &str, value: String| {
        if !value.trim().is_empty() {
            args.insert(name.into(), json!(value.trim()));
        }
    };
    put("name", query.name.clone());
    put("object_id", query.object.clone());
    put("actor_id", query.actor.clone());
    put("created_at_start", query.from.clone());
    if !query.to.trim().is_empty() {
        put(
            "created_at_end",
            format!("{}T23:59:59.999Z", query.to.trim()),
        );
    }
    put("cursor", query.after.clone());
    args.insert("page_size".into(), json!(50));
    let env = signed_in.env;
    let (mut rows, mut next_page, mut error) = (Vec::new(), String::new(), String::new());
    match signed_in.api.call("list_events", &args).await {
        Ok(answer) => {
            rows = answer.body["data"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| row(e, env.as_str()))
                .collect();
            if let Some(cursor) = answer.next_cursor() {
                let mut link = form_urlencoded::Serializer::new(String::new());
                for (name, value) in [
                    ("name", &query.name),
                    ("object", &query.object),
                    ("actor", &query.actor),
                    ("from", &query.from),
                    ("to", &query.to),
                ] {
                    if !value.is_empty() {
                        link.append_pair(name, value);
                    }
                }
                link.append_pair("after", &cursor);
                next_page = format!("/{}/events?{}", env.as_str(), link.finish());
            }
        }
        Err(
            failed @ vigil_client::Error::Api {
                status: 400 | 422, ..
            },
        ) => {
            error = error_text(&failed);
        }
        Err(failed) => return super::failure(&failed),
    }
    page(
        &EventsPage {
            chrome: Chrome::new(&signed_in, "events", "Events"),
            query,
            rows,
            next_page,
            error,
        },
        env,
    )
}
