//! Console users (beyond Persona, whose dashboard users live outside its public API):
//! signing in and out, invitations, managing users; and Persona's user audit log.
//!
//! Signing in (`POST /user-sessions`) and accepting an invitation are the two routes that
//! take no bearer token; they are mounted outside the API middleware. Answers that carry a
//! one-time secret (a session token, an invitation link) are never stored for idempotent
//! replay.

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use serde_json::{json, Map, Value};
use vigil_domain::permissions::Access;
use vigil_domain::user::{self, Role};
use vigil_store::transact;

use crate::protocol::context::{self, SessionCaller};
use crate::protocol::{finish, paging, ApiBody, ApiError, ApiResult, Ctx, Reply};
use crate::routes::accounts::required_string;
use crate::use_cases::users::{self as use_case, Origin, SignInRefused, UserChanges};
use crate::use_cases::{Input, Refusal};
use crate::views;
use crate::AppState;

/// `data.attributes`, refusing members other than `allowed`.
fn attributes_of(body: &ApiBody, allowed: &[&str]) -> ApiResult<Map<String, Value>> {
    let attributes = body.attributes()?;
    if let Some(unknown) = attributes.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(ApiError::bad_field(
            &format!("/data/attributes/{unknown}"),
            &format!("is not an attribute here (it takes {})", allowed.join(", ")),
        ));
    }
    Ok(attributes)
}

fn optional_string(attributes: &Map<String, Value>, name: &str) -> ApiResult<Option<String>> {
    match attributes.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(ApiError::bad_field(
            &format!("/data/attributes/{name}"),
            "must be a string",
        )),
    }
}

fn role_of(attributes: &Map<String, Value>) -> ApiResult<Option<Role>> {
    optional_string(attributes, "role")?
        .map(|text| {
            Role::parse(&text).ok_or_else(|| {
                ApiError::invalid(
                    "/data/attributes/role",
                    "must be one of admin, reviewer, analyst, viewer",
                )
            })
        })
        .transpose()
}

/// A password from `name`, checked against the password rules.
fn password_of(attributes: &Map<String, Value>, name: &str) -> ApiResult<String> {
    let password = match attributes.get(name) {
        Some(Value::String(text)) => text.clone(),
        None | Some(Value::Null) => {
            return Err(ApiError::bad_field(
                &format!("/data/attributes/{name}"),
                "is missing",
            ))
        }
        Some(_) => {
            return Err(ApiError::bad_field(
                &format!("/data/attributes/{name}"),
                "must be a string",
            ))
        }
    };
    user::check_password(&format!("/data/attributes/{name}"), &password)?;
    Ok(password)
}

/// Hash on a blocking thread: argon2 is slow on purpose.
async fn hashed(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || use_case::hash_password(&password))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::from)
}

/// `stored` (a user's password hash) when `password` matches it, checked on a blocking
/// thread; a missing hash is checked against nobody's, so it takes as long.
async fn verified(stored: Option<String>, password: String) -> ApiResult<Option<String>> {
    tokio::task::spawn_blocking(move || {
        use_case::verify_password(stored.as_deref(), &password).then_some(stored)
    })
    .await
    .map(Option::flatten)
    .map_err(|e| ApiError::Internal(e.to_string()))
}

fn reply(doc: Value, status: StatusCode) -> Reply {
    Reply {
        status,
        body: crate::protocol::render::json_bytes(&doc),
        replayed: false,
    }
}

/// `POST /user-sessions` with `email-address` and `password`: a session token for the
/// console (and for any client acting as that person). Wrong passwords lock the user out
/// for a while after five; they also count against the caller's address like wrong keys.
pub async fn sign_in(State(state): State<AppState>, request: Request) -> ApiResult<Reply> {
    // The person's own address (forwarded by the console), so one person's wrong
    // passwords do not lock everyone signing in through the console out.
    let (ip_address, user_agent) =
        context::origin(&state.config, request.headers(), request.extensions());
    let peer = ip_address
        .as_deref()
        .and_then(|a| a.parse::<std::net::IpAddr>().ok());
    let origin = Origin {
        ip_address,
        user_agent,
    };
    let body = ApiBody::read(request, state.config.max_body_bytes).await?;
    let attributes = attributes_of(&body, &["email-address", "password", "two-factor-code"])?;
    let code = optional_string(&attributes, "two-factor-code")?;
    let email = required_string(&attributes, "/data/attributes", "email-address")?;
    let Some(Value::String(password)) = attributes.get("password").cloned() else {
        return Err(ApiError::bad_field(
            "/data/attributes/password",
            "must be a string",
        ));
    };
    let peer_name = peer.map_or_else(|| "unknown".to_string(), |ip| ip.to_string());
    if let Some(reset_seconds) = state
        .failed_auth
        .exhausted(&peer_name, std::time::Instant::now())
    {
        return Err(ApiError::RateLimited {
            limit: state.config.failed_auth_limit,
            window_seconds: 60,
            reset_seconds,
        });
    }
    let known = state.store.user_by_email(&email.trim().to_lowercase())?;
    let verified = verified(known.and_then(|u| u.password_hash), password).await?;
    let now = state.now();
    let outcome = transact(&state.store, move |tx| {
        use_case::sign_in(
            tx,
            now,
            &email,
            verified.as_deref(),
            code.as_deref(),
            &origin,
        )
    })
    .await?;
    match outcome {
        Ok(issued) => {
            let (session, owner) = &issued.value;
            let required = !owner.has_two_factor()
                && state
                    .store
                    .security_settings(&owner.organization_id)?
                    .require_two_factor;
            Ok(reply(
                views::user::session(session, owner, Some(&issued.token), required, now),
                StatusCode::CREATED,
            ))
        }
        Err(SignInRefused::TwoFactorNeeded) => Err(ApiError::Unauthorized {
            title: "Two-factor code required: enter the 6-digit code from your authenticator app",
        }),
        Err(refused) => {
            state
                .failed_auth
                .check(&peer_name, std::time::Instant::now());
            Err(ApiError::Unauthorized {
                title: match refused {
                    SignInRefused::WrongCredentials => "Email address or password is wrong",
                    SignInRefused::Locked { .. } => {
                        "Too many wrong passwords: this user is locked for a while; try again later or ask an admin to reset the password"
                    }
                    SignInRefused::WrongCode => {
                        "The two-factor code is wrong or was already used: enter the current code from your authenticator app"
                    }
                    SignInRefused::TwoFactorNeeded => unreachable!("answered above"),
                },
            })
        }
    }
}

/// `POST /user-invitations/accept` with the invitation's `token`, a `password` and
/// optionally a `name`: the person can now sign in.
pub async fn accept_invitation(State(state): State<AppState>, body: ApiBody) -> ApiResult<Reply> {
    let attributes = attributes_of(&body, &["token", "password", "name"])?;
    let token = required_string(&attributes, "/data/attributes", "token")?;
    let password = password_of(&attributes, "password")?;
    let name = optional_string(&attributes, "name")?;
    let hash = hashed(password).await?;
    let now = state.now();
    let accepted = transact(&state.store, move |tx| {
        use_case::accept_invitation(tx, now, &token, hash, name)
    })
    .await?;
    Ok(reply(
        json!({ "data": views::user::user(&accepted, now) }),
        StatusCode::OK,
    ))
}

/// The console session a request was made with (these routes mean nothing to a key).
fn session_of(ctx: &Ctx) -> ApiResult<&SessionCaller> {
    ctx.caller
        .session
        .as_ref()
        .ok_or_else(|| ApiError::Forbidden {
            details: "This route is for console sessions; the request was made with an API key"
                .into(),
        })
}

/// `GET /user-sessions/current`: who is signed in, with what role and permissions.
pub async fn current(ctx: Ctx) -> ApiResult<Reply> {
    let signed_in = session_of(&ctx)?;
    Ok(finish(
        views::user::session(
            &signed_in.session,
            &signed_in.user,
            None,
            signed_in.two_factor_setup_required,
            ctx.now,
        ),
        &ctx,
        StatusCode::OK,
    ))
}

/// `DELETE /user-sessions/current`: sign out; the token stops working.
pub async fn sign_out(State(state): State<AppState>, ctx: Ctx) -> ApiResult<StatusCode> {
    let session = session_of(&ctx)?.session.clone();
    let now = ctx.now;
    transact(&state.store, move |tx| {
        use_case::sign_out(tx, now, &session)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /user-sessions/current/change-password` with `current-password` and
/// `new-password`; the user's other sessions end.
pub async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    body: ApiBody,
) -> ApiResult<Reply> {
    let signed_in = session_of(&ctx)?.clone();
    let attributes = attributes_of(&body, &["current-password", "new-password"])?;
    let Some(Value::String(current)) = attributes.get("current-password").cloned() else {
        return Err(ApiError::bad_field(
            "/data/attributes/current-password",
            "must be a string",
        ));
    };
    let new = password_of(&attributes, "new-password")?;
    let stored = state
        .store
        .user(&signed_in.user.id)?
        .and_then(|u| u.password_hash);
    let Some(stored) = verified(stored, current).await? else {
        return Err(Refusal::invalid(
            Input::named("current-password"),
            "is not your current password",
        )
        .into());
    };
    let hash = hashed(new).await?;
    let now = ctx.now;
    let changed = transact(&state.store, move |tx| {
        use_case::change_password(tx, now, &signed_in.session, &stored, hash)
    })
    .await?;
    Ok(finish(
        json!({ "data": views::user::user(&changed, now) }),
        &ctx,
        StatusCode::OK,
    ))
}

/// `POST /user-sessions/current/two-factor`: start setting up a second factor. The answer
/// holds the secret and its `otpauth://` link, once; `confirm` with a first code turns it on.
pub async fn begin_two_factor(
    State(state): State<AppState>,
    ctx: Ctx,
    body: ApiBody,
) -> ApiResult<Reply> {
    let signed_in = session_of(&ctx)?.clone();
    attributes_of(&body, &[])?;
    let now = ctx.now;
    let (owner, secret) = transact(&state.store, move |tx| {
        use_case::begin_two_factor(tx, now, &signed_in.session)
    })
    .await?;
    let issuer = format!(
        "vigil {}",
        state
            .config
            .public_url
            .split("://")
            .nth(1)
            .unwrap_or("")
            .trim_end_matches('/')
    );
    Ok(finish(
        views::user::two_factor_setup(&owner, &secret, issuer.trim()),
        &ctx,
        StatusCode::CREATED,
    ))
}

/// `POST /user-sessions/current/two-factor/confirm` with `code`: sign-ins take a code from
/// now on.
pub async fn confirm_two_factor(
    State(state): State<AppState>,
    ctx: Ctx,
    body: ApiBody,
) -> ApiResult<Reply> {
    let signed_in = session_of(&ctx)?.clone();
    let attributes = attributes_of(&body, &["code"])?;
    let code = required_string(&attributes, "/data/attributes", "code")?;
    let now = ctx.now;
    let confirmed = transact(&state.store, move |tx| {
        use_case::confirm_two_factor(tx, now, &signed_in.session, &code)
    })
    .await?;
    Ok(finish(
        json!({ "data": views::user::user(&confirmed, now) }),
        &ctx,
        StatusCode::OK,
    ))
}

/// `POST /user-sessions/current/two-factor/disable` with `password`: turn it off (refused
/// while the organization requires it).
pub async fn disable_two_factor(
    State(state): State<AppState>,
    ctx: Ctx,
    body: ApiBody,
) -> ApiResult<Reply> {
    let signed_in = session_of(&ctx)?.clone();
    let attributes = attributes_of(&body, &["password"])?;
    let Some(Value::String(password)) = attributes.get("password").cloned() else {
        return Err(ApiError::bad_field(
            "/data/attributes/password",
            "must be a string",
        ));
    };
    let stored = state
        .store
        .user(&signed_in.user.id)?
        .and_then(|u| u.password_hash);
    let Some(stored) = verified(stored, password).await? else {
        return Err(Refusal::invalid(Input::named("password"), "is not your password").into());
    };
    let now = ctx.now;
    let changed = transact(&state.store, move |tx| {
        use_case::disable_two_factor(tx, now, &signed_in.session, &stored)
    })
    .await?;
    Ok(finish(
        json!({ "data": views::user::user(&changed, now) }),
        &ctx,
        StatusCode::OK,
    ))
}

/// `GET /user-security-settings`: the organization's rules for console users.
pub async fn security_settings(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require("user", Access::Read)?;
    let organization = &ctx.env.organization_id;
    let settings = state.store.security_settings(organization)?;
    Ok(finish(
        views::user::security_settings(organization, &settings),
        &ctx,
        StatusCode::OK,
    ))
}

/// `PATCH /user-security-settings` with `require-two-factor` (admins).
pub async fn update_security_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("user", Access::Write)?;
    let attributes = attributes_of(&body, &["require-two-factor"])?;
    let require_two_factor = match attributes.get("require-two-factor") {
        Some(Value::Bool(flag)) => *flag,
        _ => {
            return Err(ApiError::bad_field(
                "/data/attributes/require-two-factor",
                "must be true or false",
            ))
        }
    };
    let settings = user::SecuritySettings { require_two_factor };
    let organization = ctx.env.organization_id.clone();
    let saved = settings.clone();
    transact(&state.store, move |tx| {
        use_case::set_security(tx, &organization, &saved)
    })
    .await?;
    Ok(finish(
        views::user::security_settings(&ctx.env.organization_id, &settings),
        &ctx,
        StatusCode::OK,
    ))
}

fn invitation_url(state: &AppState, token: &str) -> String {
    format!(
        "{}/invitations/{token}",
        state.config.public_url.trim_end_matches('/')
    )
}

/// `GET /users`.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require("user", Access::Read)?;
    ctx.query.allow_filters(&[])?;
    let request = paging::request(&ctx.query)?;
    let page = state.store.users(&ctx.env.organization_id, &request)?;
    paging::list_reply(
        &ctx,
        "/api/v1/users",
        &[],
        &request,
        &page,
        |u| u.id.clone(),
        |u| Ok(Some(views::user::user(u, ctx.now))),
    )
}

/// `POST /users` with `email-address`, `role` and optionally `name`: invite a person. The
/// answer's `meta.invitation-url` lets them choose a password, once, within seven days.
pub async fn invite(State(state): State<AppState>, ctx: Ctx, body: ApiBody) -> ApiResult<Reply> {
    ctx.require("user", Access::Write)?;
    let attributes = attributes_of(&body, &["email-address", "name", "role"])?;
    let email = required_string(&attributes, "/data/attributes", "email-address")?;
    let role = role_of(&attributes)?
        .ok_or_else(|| ApiError::bad_field("/data/attributes/role", "is missing"))?;
    let name = optional_string(&attributes, "name")?;
    let organization = ctx.env.organization_id.clone();
    let now = ctx.now;
    let issued = transact(&state.store, move |tx| {
        use_case::invite(
            tx,
            &organization,
            now,
            use_case::NewUser { email, name, role },
        )
    })
    .await?;
    Ok(finish(
        views::user::invited(&issued.value, now, &invitation_url(&state, &issued.token)),
        &ctx,
        StatusCode::CREATED,
    ))
}

fn found_in(ctx: &Ctx, found: Option<user::User>, id: &str) -> ApiResult<user::User> {
    found
        .filter(|u| u.organization_id == ctx.env.organization_id)
        .ok_or_else(|| ApiError::not_found(format!("user `{id}` is not found")))
}

/// `GET /users/{id}`.
pub async fn retrieve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("user", Access::Read)?;
    let found = found_in(&ctx, state.store.user(&id)?, &id)?;
    Ok(finish(
        json!({ "data": views::user::user(&found, ctx.now) }),
        &ctx,
        StatusCode::OK,
    ))
}

/// `PATCH /users/{id}` with `role`, `name` or `disabled`.
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("user", Access::Write)?;
    let attributes = attributes_of(&body, &["role", "name", "disabled"])?;
    let disabled = match attributes.get("disabled") {
        None => None,
        Some(Value::Bool(flag)) => Some(*flag),
        Some(_) => {
            return Err(ApiError::bad_field(
                "/data/attributes/disabled",
                "must be true or false",
            ))
        }
    };
    let changes = UserChanges {
        role: role_of(&attributes)?,
        name: attributes
            .contains_key("name")
            .then(|| optional_string(&attributes, "name"))
            .transpose()?,
        disabled,
    };
    let organization = ctx.env.organization_id.clone();
    let actor = ctx.acting().actor;
    let now = ctx.now;
    let changed = transact(&state.store, move |tx| {
        use_case::update(tx, &organization, now, &actor, &id, changes)
    })
    .await?;
    Ok(finish(
        json!({ "data": views::user::user(&changed, now) }),
        &ctx,
        StatusCode::OK,
    ))
}

/// `POST /users/{id}/reset-password`: the password stops working, the user's sessions
/// end, and `meta.invitation-url` lets them choose a new one.
pub async fn reset_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("user", Access::Write)?;
    let organization = ctx.env.organization_id.clone();
    let now = ctx.now;
    let issued = transact(&state.store, move |tx| {
        use_case::reset_password(tx, &organization, now, &id)
    })
    .await?;
    Ok(finish(
        views::user::invited(&issued.value, now, &invitation_url(&state, &issued.token)),
        &ctx,
        StatusCode::OK,
    ))
}

/// `GET /user-audit-logs` (Persona's): what console users did, newest first. Beyond
/// Persona, `filter[user-id]`.
pub async fn audit_logs(State(state): State<AppState>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require("user", Access::Read)?;
    ctx.query.allow_filters(&["user-id"])?;
    let request = paging::request(&ctx.query)?;
    let user_id = ctx.query.filter.get("user-id").cloned();
    let page =
        state
            .store
            .user_audit_entries(&ctx.env.organization_id, user_id.as_deref(), &request)?;
    paging::list_reply(
        &ctx,
        "/api/v1/user-audit-logs",
        &paging::filter_pairs(&ctx.query),
        &request,
        &page,
        |e| e.id.clone(),
        |e| Ok(Some(views::user::audit_entry(e))),
    )
}

/// `GET /user-audit-logs/{id}` (Persona's).
pub async fn audit_log(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("user", Access::Read)?;
    let entry = state
        .store
        .user_audit_entry(&ctx.env.organization_id, &id)?
        .ok_or_else(|| ApiError::not_found(format!("user audit log `{id}` is not found")))?;
    Ok(finish(
        json!({ "data": views::user::audit_entry(&entry) }),
        &ctx,
        StatusCode::OK,
    ))
}
