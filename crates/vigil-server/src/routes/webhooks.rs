//! Webhooks (`/webhooks`): create, retrieve, update, list, archive, clone, enable,
//! disable, rotate-secret; beyond Persona, the delivery log and redelivery. Delivery itself
//! is `crate::webhooks`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{json, Map, Value};
use vigil_domain::permissions::Access;
use vigil_domain::webhook::{check_events, Delivery, Webhook, WebhookChanges, WebhookStatus};
use vigil_store::{term, PageRequest, RecordFilter};

use super::accounts::allow_meta;
use super::accounts::owner::{optional_integer, optional_string};
use crate::protocol::inflection::Inflection;
use crate::protocol::version::ApiVersion;
use crate::protocol::{paging, write, ApiBody, ApiError, ApiResult, Ctx, Doc, Reply, Written};
use crate::use_cases::webhooks;
use crate::views;
use crate::webhooks::address;
use crate::AppState;

const POINTER: &str = "/data/attributes";
/// The headers a webhook may add to its requests (Persona's list).
const CUSTOM_HEADERS: &[&str] = &[
    "Authorization",
    "Calling-Application",
    "CF-Access-Client-Id",
    "CF-Access-Client-Secret",
    "X-API-Key",
];

fn written(status: StatusCode, webhook: Webhook, with_secrets: bool) -> Written {
    Written {
        status,
        object_id: Some(webhook.id.clone()),
        doc: Doc::later(move |_| {
            views::single(views::webhook::resource(&webhook, with_secrets), None)
        }),
    }
}

/// Check a webhook URL: http(s) with a host, resolving to public addresses unless allowed.
async fn check_url(text: &str, allow_private: bool) -> ApiResult<String> {
    let at = format!("{POINTER}/url");
    let url = reqwest::Url::parse(text)
        .map_err(|e| ApiError::invalid(&at, &format!("is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ApiError::invalid(&at, "must be an http or https URL"));
    }
    let Some(host) = url.host_str() else {
        return Err(ApiError::invalid(&at, "must name a host"));
    };
    if !allow_private {
        let port = url.port_or_known_default().unwrap_or(443);
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let addresses: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|_| ApiError::invalid(&at, &format!("host `{host}` does not resolve")))?
            .collect();
        let addresses: Vec<std::net::IpAddr> = addresses.iter().map(|a| a.ip()).collect();
        if let Err(refused) = address::check_addresses(&host, &addresses) {
            return Err(ApiError::invalid(&at, &refused.0));
        }
    }
    Ok(url.to_string())
}

fn nullable_text(
    attributes: &Map<String, Value>,
    name: &str,
    max: usize,
) -> ApiResult<Option<Option<String>>> {
    match attributes.get(name) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) if s.chars().count() <= max => Ok(Some(Some(s.clone()))),
        Some(Value::String(_)) => Err(ApiError::invalid(
            &format!("{POINTER}/{name}"),
            &format!("must be at most {max} characters"),
        )),
        Some(_) => Err(ApiError::bad_field(
            &format!("{POINTER}/{name}"),
            "must be a string",
        )),
    }
}

async fn changes(state: &AppState, attributes: &Map<String, Value>) -> ApiResult<WebhookChanges> {
    const ALLOWED: &[&str] = &[
        "url",
        "name",
        "description",
        "enabled-events",
        "api-version",
        "api-key-inflection",
        "api-attributes-blocklist",
        "payload-filter",
        "custom-http-headers",
        "file-access-token-expires-in",
        "included-allowlist",
        "relationship-allowlist",
    ];
    if let Some(unknown) = attributes.keys().find(|k| !ALLOWED.contains(&k.as_str())) {
        return Err(ApiError::invalid(
            &format!("{POINTER}/{unknown}"),
            "is not an attribute of a webhook",
        ));
    }
    for name in ["included-allowlist", "relationship-allowlist"] {
        match attributes.get(name) {
            None | Some(Value::Null) => {}
            Some(v) if *v == json!({"state": "include_all"}) => {}
            Some(_) => return Err(ApiError::invalid(&format!("{POINTER}/{name}"), "vigil sends every relationship and included object: only {\"state\": \"include_all\"}")),
        }
    }
    let mut out = WebhookChanges {
        name: nullable_text(attributes, "name", 255)?,
        description: nullable_text(attributes, "description", 1000)?,
        ..WebhookChanges::default()
    };
    if let Some(url) = optional_string(attributes, POINTER, "url")? {
        out.url = Some(check_url(&url, state.config.allow_private_webhooks).await?);
    }
    if let Some(events) = attributes.get("enabled-events") {
        out.enabled_events = Some(check_events(events, &format!("{POINTER}/enabled-events"))?);
    }
    if let Some(version) = optional_string(attributes, POINTER, "api-version")? {
        let parsed = ApiVersion::parse(&version).ok_or_else(|| {
            ApiError::invalid(
                &format!("{POINTER}/api-version"),
                &format!("`{version}` is not a Persona API version vigil speaks"),
            )
        })?;
        out.api_version = Some(parsed.as_str().to_string());
    }
    if let Some(inflection) = optional_string(attributes, POINTER, "api-key-inflection")? {
        let parsed = Inflection::parse(&inflection).ok_or_else(|| {
            ApiError::invalid(
                &format!("{POINTER}/api-key-inflection"),
                "must be kebab, camel or snake",
            )
        })?;
        out.api_key_inflection = Some(parsed.as_str().to_string());
    }
    match attributes.get("api-attributes-blocklist") {
        None => {}
        Some(Value::Null) => out.blocklist = Some(Vec::new()),
        Some(Value::Array(items)) if items.len() <= 100 => {
            let mut list = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) if !s.trim().is_empty() && s.len() <= 200 => {
                        list.push(s.trim().to_string())
                    }
                    _ => {
                        return Err(ApiError::invalid(
                            &format!("{POINTER}/api-attributes-blocklist/{i}"),
                            "must be an attribute name or a /path, with * wildcards",
                        ))
                    }
                }
            }
            out.blocklist = Some(list);
        }
        Some(_) => {
            return Err(ApiError::bad_field(
                &format!("{POINTER}/api-attributes-blocklist"),
                "must be an array of at most 100 strings",
            ))
        }
    }
    match attributes.get("payload-filter") {
        None => {}
        Some(Value::Null) => out.payload_filter = Some(None),
        Some(filter @ Value::Object(_)) => out.payload_filter = Some(Some(filter.clone())),
        Some(_) => {
            return Err(ApiError::bad_field(
                &format!("{POINTER}/payload-filter"),
                "must be an object shaped like the payload",
            ))
        }
    }
    match attributes.get("custom-http-headers") {
        None => {}
        Some(Value::Null) => out.headers = Some(Map::new()),
        Some(Value::Object(headers)) => {
            let mut checked = Map::new();
            for (name, value) in headers {
                let at = format!("{POINTER}/custom-http-headers/{name}");
                let Some(canonical) = CUSTOM_HEADERS.iter().find(|h| h.eq_ignore_ascii_case(name))
                else {
                    return Err(ApiError::invalid(
                        &at,
                        &format!(
                            "is not a header a webhook may set ({})",
                            CUSTOM_HEADERS.join(", ")
                        ),
                    ));
                };
                match value {
                    Value::String(v)
                        if !v.is_empty() && v.len() <= 4096 && !v.chars().any(char::is_control) =>
                    {
                        checked.insert((*canonical).to_string(), Value::String(v.clone()));
                    }
                    _ => {
                        return Err(ApiError::invalid(
                            &at,
                            "must be a header value (text, no line breaks)",
                        ))
                    }
                }
            }
            out.headers = Some(checked);
        }
        Some(_) => {
            return Err(ApiError::bad_field(
                &format!("{POINTER}/custom-http-headers"),
                "must be an object",
            ))
        }
    }
    out.file_access = optional_integer(
        attributes,
        POINTER,
        "file-access-token-expires-in",
        60..=604_800,
        "must be from 60 to 604800 seconds",
    )?;
    Ok(out)
}

/// `POST /webhooks`: `url` and `enabled-events` required; created disabled, as in Persona
/// (`POST /webhooks/{id}/enable` starts deliveries).
pub async fn create(State(state): State<AppState>, ctx: Ctx, body: ApiBody) -> ApiResult<Reply> {
    ctx.require("webhook", Access::Write)?;
    let attributes = body.attributes()?;
    for required in ["url", "enabled-events"] {
        if attributes.get(required).is_none_or(Value::is_null) {
            return Err(ApiError::bad_field(
                &format!("{POINTER}/{required}"),
                "is missing",
            ));
        }
    }
    let changes = changes(&state, &attributes).await?;
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let webhook = webhooks::create(tx, &ctx.acting(), ctx.version.as_str(), changes)?;
        Ok(written(StatusCode::CREATED, webhook, true))
    })
    .await
}

pub async fn retrieve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    crate::routes::retrieve_record::<Webhook>(&state, &ctx, "webhook", "webhook", &id, |w| {
        views::webhook::resource(w, true)
    })
}

/// `GET /webhooks`, newest first; archived webhooks are listed too (as in Persona).
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require("webhook", Access::Read)?;
    ctx.query.allow_filters(&["status"])?;
    let mut filter = RecordFilter::default();
    if let Some(status) = ctx.query.filter.get("status") {
        filter = filter.any_of(vec![term("status", status)]);
    }
    let request: PageRequest = paging::request(&ctx.query)?;
    let page = state
        .store
        .find::<Webhook>(ctx.env_id(), &filter, &request)?;
    paging::list_reply(
        &ctx,
        "/api/v1/webhooks",
        &paging::filter_pairs(&ctx.query),
        &request,
        &page,
        |w| w.id.clone(),
        |w| Ok(Some(views::webhook::resource(w, false))),
    )
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("webhook", Access::Write)?;
    let changes = changes(&state, &body.attributes()?).await?;
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let webhook = webhooks::update(tx, &ctx.acting(), &id, changes)?;
        Ok(written(StatusCode::OK, webhook, false))
    })
    .await
}

async fn set_status(
    state: AppState,
    ctx: Ctx,
    id: String,
    body: ApiBody,
    status: WebhookStatus,
    action: &'static str,
) -> ApiResult<Reply> {
    ctx.require("webhook", Access::Write)?;
    allow_meta(&body.meta()?, &[])?;
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let webhook = webhooks::set_status(tx, &ctx.acting(), &id, status, action)?;
        Ok(written(StatusCode::OK, webhook, false))
    })
    .await
}

pub async fn enable(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    set_status(state, ctx, id, body, WebhookStatus::Enabled, "enable").await
}

pub async fn disable(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    set_status(state, ctx, id, body, WebhookStatus::Disabled, "disable").await
}

/// `POST /webhooks/{id}/archive`: no more deliveries, and no more changes.
pub async fn archive(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    set_status(state, ctx, id, body, WebhookStatus::Archived, "archive").await
}

/// `POST /webhooks/{id}/rotate-secret`: a new secret signs from now; the old ones keep
/// signing for `meta.expires-in-seconds` (default 0, at most a week).
pub async fn rotate_secret(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("webhook", Access::Write)?;
    let meta = body.meta()?;
    allow_meta(&meta, &["expires-in-seconds"])?;
    let overlap = optional_integer(
        &meta,
        "/meta",
        "expires-in-seconds",
        0..=604_800,
        "must be from 0 to 604800 seconds",
    )?
    .unwrap_or(0);
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let webhook = webhooks::rotate_secret(tx, &ctx.acting(), &id, overlap)?;
        Ok(written(StatusCode::OK, webhook, true))
    })
    .await
}

/// `POST /webhooks/{id}/clone`: the same settings, a new secret, disabled.
pub async fn clone(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("webhook", Access::Write)?;
    allow_meta(&body.meta()?, &[])?;
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let copy = webhooks::clone(tx, &ctx.acting(), &id)?;
        Ok(written(StatusCode::OK, copy, true))
    })
    .await
}

/// Beyond Persona: `GET /webhooks/{id}/deliveries`, newest first (`filter[status]`:
/// pending, delivered, failed): each delivery's attempts, status codes, latency and next
/// retry.
pub async fn deliveries(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("webhook", Access::Read)?;
    ctx.query.allow_filters(&["status"])?;
    state
        .store
        .get::<Webhook>(ctx.env_id(), &id)?
        .ok_or_else(|| ApiError::not_found(format!("webhook `{id}` is not found")))?;
    let mut filter = RecordFilter::default().any_of(vec![term("webhook", &id)]);
    if let Some(status) = ctx.query.filter.get("status") {
        filter = filter.any_of(vec![term("status", status)]);
    }
    let request: PageRequest = paging::request(&ctx.query)?;
    let page = state
        .store
        .find::<Delivery>(ctx.env_id(), &filter, &request)?;
    let schedule = state.config.webhook_retry_schedule.clone();
    paging::list_reply(
        &ctx,
        &format!("/api/v1/webhooks/{id}/deliveries"),
        &paging::filter_pairs(&ctx.query),
        &request,
        &page,
        |d| d.id.clone(),
        |d| {
            Ok(Some(views::webhook::delivery(
                d,
                d.attempts_left(&schedule),
            )))
        },
    )
}

/// The most events one redelivery sends.
const MAX_REDELIVER: usize = 1000;

/// Beyond Persona: `POST /webhooks/{id}/redeliver` with `meta.event-ids` (up to 100) or a
/// time range (`meta.created-at-start`, `meta.created-at-end`, up to 1000 events): each
/// event the webhook subscribes to is delivered again, as a new delivery.
pub async fn redeliver(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("webhook", Access::Write)?;
    let meta = body.meta()?;
    allow_meta(&meta, &["event-ids", "created-at-start", "created-at-end"])?;
    let time = |name: &str| -> ApiResult<Option<i64>> {
        match meta.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => {
                vigil_domain::time::parse_millis(s)
                    .map(Some)
                    .ok_or_else(|| {
                        ApiError::invalid(
                            &format!("/meta/{name}"),
                            "must be an ISO 8601 date or date-time",
                        )
                    })
            }
            Some(_) => Err(ApiError::bad_field(
                &format!("/meta/{name}"),
                "must be a string",
            )),
        }
    };
    let (start, end) = (time("created-at-start")?, time("created-at-end")?);
    let env = ctx.env_id().to_string();
    let mut chosen: Vec<vigil_store::Event> = Vec::new();
    match meta.get("event-ids") {
        Some(Value::Array(ids)) if !ids.is_empty() && ids.len() <= 100 => {
            for (i, event_id) in ids.iter().enumerate() {
                let at = format!("/meta/event-ids/{i}");
                let event_id = event_id
                    .as_str()
                    .ok_or_else(|| ApiError::bad_field(&at, "must be an event id"))?;
                let event = state.store.event(&env, event_id)?.ok_or_else(|| {
                    ApiError::invalid(&at, &format!("event `{event_id}` is not found"))
                })?;
                chosen.push(event);
            }
        }
        Some(Value::Array(_)) => {
            return Err(ApiError::invalid(
                "/meta/event-ids",
                "must name 1 to 100 events",
            ))
        }
        Some(_) => {
            return Err(ApiError::bad_field(
                "/meta/event-ids",
                "must be an array of event ids",
            ))
        }
        None if start.is_none() => {
            return Err(ApiError::bad_field(
                "/meta/event-ids",
                "is missing (or give meta.created-at-start)",
            ))
        }
        None => {
            let mut request = PageRequest {
                size: 100,
                ..Default::default()
            };
            'pages: loop {
                let page =
                    state
                        .store
                        .events(&env, &vigil_store::EventFilter::default(), &request)?;
                for event in &page.items {
                    if start.is_some_and(|s| event.created_at < s) {
                        break 'pages;
                    }
                    if end.is_none_or(|e| event.created_at <= e) {
                        chosen.push(event.clone());
                        if chosen.len() > MAX_REDELIVER {
                            return Err(ApiError::invalid(
                                "/meta/created-at-start",
                                &format!(
                                    "the range holds more than {MAX_REDELIVER} events; narrow it"
                                ),
                            ));
                        }
                    }
                }
                match (page.has_older, page.items.last()) {
                    (true, Some(last)) => request.after = Some(last.id.clone()),
                    _ => break,
                }
            }
            chosen.reverse();
        }
    }
    let reply = write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let made = webhooks::redeliver(tx, &ctx.acting(), &id, &chosen)?;
        Ok(Written {
            status: StatusCode::OK,
            object_id: None,
            doc: Doc::later(move |_| json!({ "data": made.iter().map(|d| views::webhook::delivery(d, 0)).collect::<Vec<_>>() })),
        })
    })
    .await?;
    state.webhook_sent_soon();
    Ok(reply)
}
