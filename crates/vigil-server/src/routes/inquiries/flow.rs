//! Beyond Persona: the API the verification flow (`vigil-flow`, the pages end users see)
//! works through, as the person verifying themselves. Persona's own flow talks to private
//! endpoints; these are vigil's, documented in `docs/flow.md`.
//!
//! - `POST /inquiry-flows` (no key): a person starts a new inquiry of a template, as
//!   Persona's embedded flow does with a template id; answered with a session token.
//! - `POST /inquiry-flows/redeem` (no key): a one-time link's code, used up, for a token.
//! - With that token as the bearer (`iqst_…`): `GET` / `PATCH /inquiry-flow/current` and
//!   `POST /inquiry-flow/current/submit`, on the token's inquiry only. The middleware
//!   refuses the token on every other route, and limits it per session.
//!
//! The rules are the inquiry use cases' (fields checked by the template, completion with
//! reverification and its verification); the person is the actor, by session.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{json, Map, Value};
use vigil_domain::actor::{Actor, Process};
use vigil_domain::inquiry::template::InquiryTemplate;
use vigil_domain::inquiry::Inquiry;
use vigil_store::Environment;

use super::issue_token;
use crate::credentials::hash_secret;
use crate::protocol::context::{self, FlowCaller};
use crate::protocol::render::json_bytes;
use crate::protocol::{ApiBody, ApiError, ApiResult, Ctx, Reply};
use crate::routes::accounts::allow_meta;
use crate::use_cases::inquiries::{self, Arrival, InquiryChanges, NewInquiry};
use crate::use_cases::{Acting, Refusal};
use crate::views;
use crate::AppState;

const POINTER: &str = "/data/attributes";

impl Ctx {
    /// The flow session asking, or 403 for any other caller.
    pub fn flow(&self) -> ApiResult<&FlowCaller> {
        self.caller
            .flow
            .as_ref()
            .ok_or_else(|| ApiError::Forbidden {
                details:
                    "only the verification flow, with an inquiry session token, uses this route"
                        .into(),
            })
    }
}

/// The origins of the pages the flow's page is embedded in, as the flow says
/// (`Vigil-Frame-Ancestors`, space-separated); none for a page of its own.
pub(super) fn frame_ancestors(headers: &HeaderMap) -> Vec<String> {
    headers
        .get("vigil-frame-ancestors")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split_whitespace().take(8).map(str::to_string).collect())
        .unwrap_or_default()
}

/// 403 unless the template lets every one of those pages embed its flow.
pub(super) fn check_embedding(template: &InquiryTemplate, origins: &[String]) -> ApiResult<()> {
    match origins.iter().find(|o| !template.may_embed(o)) {
        None => Ok(()),
        Some(origin) => Err(ApiError::Forbidden {
            details: format!(
            "the page at `{}` may not embed the verification flow of inquiry template `{}`: add its domain to the template's embedded-flow-domain-allowlist (PATCH /inquiry-templates/{})",
            origin.chars().take(100).collect::<String>(),
            template.id,
            template.id
        ),
        }),
    }
}

/// The first language an `Accept-Language` header names (`es-MX` of `es-MX,es;q=0.9`;
/// `es_MX` read as `es-MX`), if it reads as a language tag.
fn accepted_language(headers: &HeaderMap) -> Option<String> {
    let value = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)?
        .to_str()
        .ok()?;
    let first = value.split(',').next()?.split(';').next()?.trim();
    let tag = first.replace('_', "-");
    vigil_domain::inquiry::translation::is_locale(&tag).then_some(tag)
}

/// The template of an inquiry, in a write.
pub(super) fn template_of(
    tx: &mut dyn vigil_store::WriteTx,
    env: &str,
    inquiry: &Inquiry,
) -> ApiResult<InquiryTemplate> {
    tx.get::<InquiryTemplate>(env, &inquiry.template_id)?
        .ok_or_else(|| ApiError::Internal(format!("template {} is gone", inquiry.template_id)))
}

/// Who started or opened a flow, from where; refused past the per-address limit.
fn arriving(state: &AppState, request: &Request) -> ApiResult<Arrival> {
    let (ip_address, user_agent) =
        context::origin(&state.config, request.headers(), request.extensions());
    let key = ip_address.clone().unwrap_or_else(|| "unknown".into());
    let quota = state.flow_starts.check(&key, std::time::Instant::now());
    if !quota.allowed {
        return Err(ApiError::RateLimited {
            limit: quota.limit,
            window_seconds: quota.window_seconds,
            reset_seconds: quota.reset_seconds,
        });
    }
    Ok(Arrival {
        ip_address,
        user_agent,
        browser_fingerprint: None,
    })
}

fn opened(inquiry: &Inquiry, token: &str, status: StatusCode) -> Reply {
    let mut doc = views::single(views::inquiry::resource(inquiry), None);
    doc["meta"] = json!({ "session-token": token });
    Reply {
        status,
        body: json_bytes(&doc),
        replayed: false,
    }
}

fn string_member(attributes: &Map<String, Value>, name: &str) -> ApiResult<Option<String>> {
    match attributes.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() && s.len() <= 255 => Ok(Some(s.clone())),
        Some(Value::String(_)) => Err(ApiError::invalid(
            &format!("{POINTER}/{name}"),
            "must be 1 to 255 characters",
        )),
        Some(_) => Err(ApiError::bad_field(
            &format!("{POINTER}/{name}"),
            "must be a string",
        )),
    }
}

/// The active template a flow starts, and its environment.
fn template_to_start(
    state: &AppState,
    attributes: &Map<String, Value>,
) -> ApiResult<(InquiryTemplate, Environment)> {
    let by_inquiry_template = string_member(attributes, "inquiry-template-id")?;
    let by_template = string_member(attributes, "template-id")?;
    let (name, id) = match (by_inquiry_template, by_template) {
        (Some(id), None) => ("inquiry-template-id", id),
        (None, Some(id)) => ("template-id", id),
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                &format!("{POINTER}/template-id"),
                "give inquiry-template-id or template-id, not both",
            ))
        }
        (None, None) => {
            return Err(ApiError::bad_field(
                &format!("{POINTER}/inquiry-template-id"),
                "is missing",
            ))
        }
    };
    let environment = string_member(attributes, "environment-id")?;
    if let Some(wanted) = &environment {
        if !state.store.environments()?.iter().any(|e| &e.id == wanted) {
            return Err(ApiError::invalid(
                &format!("{POINTER}/environment-id"),
                &format!("`{wanted}` is not an environment of this vigil"),
            ));
        }
    }
    let found = state.in_any_environment(|env| {
        if environment.as_ref().is_some_and(|wanted| *wanted != env.id) {
            return Ok(None);
        }
        state.store.get::<InquiryTemplate>(&env.id, &id)
    })?;
    if let Some((template, env)) = found {
        if template.status != "active" {
            return Err(ApiError::invalid(
                &format!("{POINTER}/{name}"),
                &format!(
                    "inquiry template `{id}` is {}: it takes no new inquiries",
                    template.status
                ),
            ));
        }
        return Ok((template, env));
    }
    Err(ApiError::invalid(
        &format!("{POINTER}/{name}"),
        &format!("`{id}` is not an inquiry template of this vigil"),
    ))
}

/// `POST /inquiry-flows`: `inquiry-template-id` (or `template-id`), and optionally
/// `environment-id`, `reference-id` and prefilled `fields`. A new inquiry, started, with
/// a session for the person; `meta.session-token` is its token. The reference id is kept
/// on the inquiry only: a stranger's page must not attach an inquiry to an account (an
/// operator who wants that creates the inquiry with a key and hands out a link or token).
pub async fn start(State(state): State<AppState>, request: Request) -> ApiResult<Reply> {
    let mut arrival = arriving(&state, &request)?;
    let origins = frame_ancestors(request.headers());
    let body = ApiBody::read(request, state.config.max_body_bytes).await?;
    allow_meta(&body.meta()?, &[])?;
    let attributes = body.attributes()?;
    const ALLOWED: &[&str] = &[
        "inquiry-template-id",
        "template-id",
        "environment-id",
        "reference-id",
        "fields",
        "browser-fingerprint",
    ];
    if let Some(unknown) = attributes.keys().find(|k| !ALLOWED.contains(&k.as_str())) {
        return Err(ApiError::invalid(
            &format!("{POINTER}/{unknown}"),
            &format!(
                "is not an attribute of a flow start (it takes {})",
                ALLOWED.join(", ")
            ),
        ));
    }
    let (template, env) = template_to_start(&state, &attributes)?;
    check_embedding(&template, &origins)?;
    let reference_id = string_member(&attributes, "reference-id")?;
    arrival.browser_fingerprint = fingerprint(
        string_member(&attributes, "browser-fingerprint")?,
        &format!("{POINTER}/browser-fingerprint"),
    )?;
    let fields = match attributes.get("fields") {
        None | Some(Value::Null) => None,
        Some(Value::Object(map)) => Some(map.clone()),
        Some(_) => {
            return Err(ApiError::bad_field(
                &format!("{POINTER}/fields"),
                "must be an object",
            ))
        }
    };
    let acting = Acting::new(
        &env.id,
        Actor::system(Process::VerificationFlow),
        state.now(),
    );
    let (inquiry, token) = written_by_flow(&state, move |tx| {
        let new = NewInquiry {
            account: None,
            creator: None,
            reference_id,
            note: None,
            tags: Vec::new(),
            fields,
            expiration: [None; 3],
        };
        let mut inquiry = inquiries::create(tx, &acting, &template, new)?;
        let mut session = inquiries::open_in_flow(tx, &acting, &mut inquiry, None, arrival)?;
        let token = issue_token(&mut session);
        tx.put(&acting.env, &session)?;
        tx.put(&acting.env, &inquiry)?;
        Ok::<_, Refusal>((inquiry, token))
    })
    .await?;
    Ok(opened(&inquiry, &token, StatusCode::CREATED))
}

/// `POST /inquiry-flows/redeem` with `meta.code`: a one-time link's code. The link is used
/// up; its session starts and its token is in `meta.session-token`. An unknown, used or
/// expired code is a 404 (which of them is not said).
pub async fn redeem(State(state): State<AppState>, request: Request) -> ApiResult<Reply> {
    let mut arrival = arriving(&state, &request)?;
    let body = ApiBody::read(request, state.config.max_body_bytes).await?;
    let meta = body.meta()?;
    allow_meta(&meta, &["code", "browser-fingerprint"])?;
    arrival.browser_fingerprint = fingerprint(
        match meta.get("browser-fingerprint") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text.clone()),
            Some(_) => {
                return Err(ApiError::bad_field(
                    "/meta/browser-fingerprint",
                    "must be a string",
                ))
            }
        },
        "/meta/browser-fingerprint",
    )?;
    if !body.attributes()?.is_empty() {
        return Err(ApiError::invalid(POINTER, "a redeem takes meta.code only"));
    }
    let code = match meta.get("code") {
        Some(Value::String(code)) if !code.is_empty() && code.len() <= 128 => code.clone(),
        Some(Value::String(_)) => {
            return Err(ApiError::invalid(
                "/meta/code",
                "must be 1 to 128 characters",
            ))
        }
        Some(_) => return Err(ApiError::bad_field("/meta/code", "must be a string")),
        None => return Err(ApiError::bad_field("/meta/code", "is missing")),
    };
    let hash = hash_secret(&code);
    let environments = state.store.environments()?;
    let now = state.now();
    let opened_session = written_by_flow(&state, move |tx| {
        for env in environments {
            let Some(session) = inquiries::redeem_link(tx, &env.id, &hash, now)? else {
                continue;
            };
            let acting = Acting::new(
                &env.id,
                Actor::system_for(Process::VerificationFlow, &session.id, None),
                now,
            );
            let mut inquiry = inquiries::load(tx, &env.id, &session.inquiry_id)?;
            inquiries::ensure_not_redacted(&inquiry)?;
            let mut session =
                inquiries::open_in_flow(tx, &acting, &mut inquiry, Some(session), arrival)?;
            let token = issue_token(&mut session);
            tx.put(&env.id, &session)?;
            tx.put(&env.id, &inquiry)?;
            return Ok::<_, Refusal>(Some((inquiry, token)));
        }
        Ok(None)
    })
    .await?;
    match opened_session {
        Some((inquiry, token)) => Ok(opened(&inquiry, &token, StatusCode::OK)),
        None => Err(ApiError::not_found(
            "This link is unknown, was already used, or has expired: ask for a new one",
        )),
    }
}

/// A browser fingerprint the flow sent: hexadecimal, as its script hashes it.
fn fingerprint(given: Option<String>, pointer: &str) -> ApiResult<Option<String>> {
    given
        .map(|text| {
            vigil_domain::inquiry::session::parse_fingerprint(&text).ok_or_else(|| {
                ApiError::invalid(pointer, "must be 16 to 128 hexadecimal digits (a digest)")
            })
        })
        .transpose()
}

/// A write of the public flow routes (no request context: no key, no idempotency), which
/// wakes the background work as every write does.
async fn written_by_flow<T, F>(state: &AppState, job: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut dyn vigil_store::WriteTx) -> Result<T, Refusal> + Send + 'static,
{
    let done = vigil_store::transact(&state.store, job).await;
    if done.is_ok() {
        state.written();
    }
    done.map_err(ApiError::from)
}

/// `GET /inquiry-flow/current`: the session's inquiry, and in `included` its template, the
/// template's translations (only the texts for the person's language when the request
/// has an `Accept-Language`) and steps (what to ask for, in which words), and the
/// inquiry's verifications (which steps are done).
pub async fn current(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
) -> ApiResult<Reply> {
    let flow = ctx.flow()?;
    let inquiry = state
        .store
        .get::<Inquiry>(ctx.env_id(), &flow.inquiry_id)?
        .filter(|i| i.redacted_at.is_none())
        .ok_or_else(|| ApiError::not_found("this session's inquiry is gone"))?;
    let template = state
        .store
        .get::<InquiryTemplate>(ctx.env_id(), &inquiry.template_id)?
        .ok_or_else(|| ApiError::Internal(format!("template {} is gone", inquiry.template_id)))?;
    check_embedding(&template, &frame_ancestors(&headers))?;
    let mut included = vec![
        views::inquiry::template(&template),
        views::inquiry::translations_in(&template, accepted_language(&headers).as_deref()),
        views::inquiry::steps(&template),
    ];
    // The person's own verifications: which steps are done, and what to retake.
    for reference in &inquiry.verifications {
        if let Some(found) = state
            .store
            .get::<vigil_domain::verification::Verification>(ctx.env_id(), &reference.id)?
        {
            included.push(views::verification::resource(&found));
        }
    }
    let doc = views::single(views::inquiry::resource(&inquiry), Some(included));
    Ok(crate::protocol::finish(doc, &ctx, StatusCode::OK))
}

/// `PATCH /inquiry-flow/current`: the person's `fields`, checked by the template.
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    body: ApiBody,
) -> ApiResult<Reply> {
    let id = ctx.flow()?.inquiry_id.clone();
    let origins = frame_ancestors(&headers);
    allow_meta(&body.meta()?, &[])?;
    let attributes = body.attributes()?;
    if let Some(unknown) = attributes.keys().find(|k| k.as_str() != "fields") {
        return Err(ApiError::invalid(
            &format!("{POINTER}/{unknown}"),
            "the flow changes fields only",
        ));
    }
    let fields = match attributes.get("fields") {
        Some(Value::Object(map)) => map.clone(),
        Some(_) => {
            return Err(ApiError::bad_field(
                &format!("{POINTER}/fields"),
                "must be an object",
            ))
        }
        None => {
            return Err(ApiError::bad_field(
                &format!("{POINTER}/fields"),
                "is missing",
            ))
        }
    };
    super::act_on_inquiry(
        &state,
        &ctx,
        &body.request_hash,
        id,
        move |tx, ctx, inquiry| {
            check_embedding(&template_of(tx, ctx.env_id(), inquiry)?, &origins)?;
            let changes = InquiryChanges {
                fields: Some(fields),
                note: None,
                tags: None,
            };
            inquiries::update(tx, &ctx.acting(), inquiry, changes)?;
            Ok(None)
        },
    )
    .await
}

/// `POST /inquiry-flow/current/submit`: the person is done; the inquiry completes (its
/// database verification made), goes to review or fails, as `POST /inquiries/{id}/complete`.
pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    body: ApiBody,
) -> ApiResult<Reply> {
    let id = ctx.flow()?.inquiry_id.clone();
    let origins = frame_ancestors(&headers);
    allow_meta(&body.meta()?, &[])?;
    super::act_on_inquiry(
        &state,
        &ctx,
        &body.request_hash,
        id,
        move |tx, ctx, inquiry| {
            check_embedding(&template_of(tx, ctx.env_id(), inquiry)?, &origins)?;
            inquiries::complete(tx, &ctx.acting(), inquiry)?;
            Ok(None)
        },
    )
    .await
}
