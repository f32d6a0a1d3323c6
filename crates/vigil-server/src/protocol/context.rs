//! The API middleware: request id, authentication, rate limit, version and inflection,
//! and the headers every response carries. Handlers receive the result as [`Ctx`].

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use vigil_domain::actor::{Actor, Process};
use vigil_domain::ids::{self, prefix};
use vigil_domain::inquiry::session::{InquirySession, SessionStatus};
use vigil_domain::permissions::{self, Access};
use vigil_domain::user::{AuditEntry, User, UserSession};
use vigil_store::{transact, ApiKey, Environment};

use crate::credentials::hash_secret;

use super::error::{ApiError, ApiResult};
use super::inflection::Inflection;
use super::metrics::RequestLabels;
use super::query::{self, QueryParams};
use super::ratelimit::Quota;
use super::version::ApiVersion;
use crate::use_cases::Acting;
use crate::AppState;

/// Who is asking: an API key, or a person signed in to the console (whose requests carry
/// their session's token; the console is a client of this API like any other).
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub permissions: Vec<String>,
    /// Defaults when the request does not say (`Persona-Version`, `Key-Inflection`).
    pub api_version: String,
    pub key_inflection: String,
    /// A console session: whose, for the user audit log and for signing out.
    pub session: Option<SessionCaller>,
    /// The verification flow, as the person in one inquiry session: it may use the
    /// `/inquiry-flow` routes, on that inquiry only, and nothing else.
    pub flow: Option<FlowCaller>,
}

#[derive(Debug, Clone)]
pub struct FlowCaller {
    pub inquiry_id: String,
    pub session_id: String,
}

#[derive(Debug, Clone)]
pub struct SessionCaller {
    pub session: UserSession,
    pub user: User,
    /// The organization requires a second factor and this user has none yet: the session
    /// may only set one up (and read itself, and sign out).
    pub two_factor_setup_required: bool,
}

impl Caller {
    fn of_key(key: &ApiKey) -> Caller {
        Caller {
            actor: Actor::ApiKey {
                id: key.id.clone(),
                name: key.name.clone(),
            },
            permissions: key.permissions.clone(),
            api_version: key.api_version.clone(),
            key_inflection: key.key_inflection.clone(),
            session: None,
            flow: None,
        }
    }

    fn of_flow(session: &InquirySession) -> Caller {
        Caller {
            actor: Actor::system_for(Process::VerificationFlow, &session.id, None),
            // No permission a key or role can hold: every route but the flow's refuses it.
            permissions: Vec::new(),
            api_version: ApiVersion::default().as_str().to_string(),
            key_inflection: "kebab".into(),
            session: None,
            flow: Some(FlowCaller {
                inquiry_id: session.inquiry_id.clone(),
                session_id: session.id.clone(),
            }),
        }
    }

    fn of_session(session: UserSession, user: User, two_factor_setup_required: bool) -> Caller {
        Caller {
            actor: Actor::User {
                id: user.id.clone(),
                name: user.display_name(),
            },
            permissions: user.role.permissions(),
            api_version: ApiVersion::default().as_str().to_string(),
            key_inflection: "kebab".into(),
            session: Some(SessionCaller {
                session,
                user,
                two_factor_setup_required,
            }),
            flow: None,
        }
    }

    pub fn holds(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p == permission)
    }
}

/// Everything a handler needs to know about who is asking and how to answer.
#[derive(Clone)]
pub struct Ctx {
    pub env: Arc<Environment>,
    pub caller: Arc<Caller>,
    pub request_id: String,
    pub version: ApiVersion,
    pub inflection: Inflection,
    pub query: Arc<QueryParams>,
    pub idempotency_key: Option<String>,
    /// Milliseconds since the epoch when the request arrived.
    pub now: i64,
}

impl Ctx {
    /// 403 unless the key holds `<family>.<read|write>`.
    pub fn require(&self, family: &str, access: Access) -> ApiResult<()> {
        self.require_permission(&permissions::permission(family, access))
    }

    /// 403 unless the caller holds `needed` (`case.decide`).
    pub fn require_permission(&self, needed: &str) -> ApiResult<()> {
        if self.caller.holds(needed) {
            Ok(())
        } else {
            let who = match self.caller.actor {
                Actor::User { .. } => "Your role does not have",
                _ => "This API key lacks",
            };
            Err(ApiError::Forbidden {
                details: format!("{who} the `{needed}` permission"),
            })
        }
    }

    /// The request's key as the actor of what it changes, in its environment, now.
    pub fn acting(&self) -> Acting {
        Acting {
            env: self.env.id.clone(),
            actor: self.caller.actor.clone(),
            now: self.now,
        }
    }

    pub fn env_id(&self) -> &str {
        &self.env.id
    }

    /// The context of a DELETE: idempotency keys do not apply to it, as in Persona.
    pub fn without_idempotency_key(mut self) -> Ctx {
        self.idempotency_key = None;
        self
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| ApiError::Internal("handler mounted outside the API middleware".into()))
    }
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The secret of a request's `Authorization: Bearer` header, if it has one (the scheme is
/// case-insensitive, as RFC 9110 says: `bearer`, `BEARER`).
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let (scheme, secret) = header(headers, "authorization")?.split_once(' ')?;
    Some(secret.trim()).filter(|s| scheme.eq_ignore_ascii_case("bearer") && !s.is_empty())
}

/// The address a request came from (the TCP peer; `None` in tests that call the router
/// directly), which wrong keys are counted against.
pub fn peer(extensions: &axum::http::Extensions) -> Option<std::net::IpAddr> {
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip())
}

/// Where a request really comes from: the connection's address and `User-Agent`, or, for
/// a request the review console makes for a person (it proves it with the secret only it
/// holds), that person's, which the console forwards.
pub fn origin(
    config: &crate::ServerConfig,
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
) -> (Option<String>, Option<String>) {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let vouched = match (&config.forwarding_secret, text("vigil-forwarded-secret")) {
        (Some(secret), Some(sent)) => {
            use sha2::Digest;
            // Compared as digests: equal length, no early exit on the first difference.
            sha2::Sha256::digest(secret.as_bytes()) == sha2::Sha256::digest(sent.as_bytes())
        }
        _ => false,
    };
    let clip = |v: &str| v.chars().take(512).collect::<String>();
    if vouched {
        let address = text("vigil-forwarded-for")
            .and_then(|a| a.parse::<std::net::IpAddr>().ok())
            .map(|ip| ip.to_string());
        return (address, text("vigil-forwarded-user-agent").map(clip));
    }
    (
        peer(extensions).map(|ip| ip.to_string()),
        text("user-agent").map(clip),
    )
}

/// Who a request's `Authorization: Bearer` header names, and in which environment, checked
/// as every API request is (unknown, expired, ended); also guards routes mounted beside the
/// API. An API key belongs to one environment; a console session names its environment in
/// `Vigil-Environment`. Wrong secrets count against `peer`: past `--failed-auth-limit` a
/// minute, a secret that is not already known is answered 429 without a lookup.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<std::net::IpAddr>,
) -> ApiResult<(Arc<Caller>, Arc<Environment>)> {
    let missing = ApiError::Unauthorized {
        title: "Must be authenticated to access this endpoint",
    };
    let Some(secret) = bearer(headers) else {
        return Err(missing);
    };
    let peer = peer.map_or_else(|| "unknown".to_string(), |ip| ip.to_string());
    let failed = || {
        let now = Instant::now();
        state.failed_auth.check(&peer, now);
        if rand::random::<u8>() == 0 {
            state.failed_auth.forget_closed(now);
        }
        ApiError::Unauthorized {
            title: "Token is invalid",
        }
    };
    let exhausted = || {
        state
            .failed_auth
            .exhausted(&peer, Instant::now())
            .map(|reset_seconds| ApiError::RateLimited {
                limit: state.config.failed_auth_limit,
                window_seconds: 60,
                reset_seconds,
            })
    };
    let hash = hash_secret(secret);
    if secret.starts_with(prefix::INQUIRY_SESSION_TOKEN) {
        if let Some(limited) = exhausted() {
            return Err(limited);
        }
        let Some((session, env)) = flow_session_by_token(state, &hash)? else {
            return Err(failed());
        };
        if session.status == SessionStatus::Expired {
            return Err(ApiError::Unauthorized {
                title: "This verification session has ended: start again from the link or page you came from",
            });
        }
        return Ok((Arc::new(Caller::of_flow(&session)), Arc::new(env)));
    }
    if secret.starts_with(prefix::SESSION_TOKEN) {
        if let Some(limited) = exhausted() {
            return Err(limited);
        }
        let Some((session, user)) = state.store.user_session_by_hash(&hash)? else {
            return Err(failed());
        };
        let now = state.now();
        if !session.is_live(now) || user.disabled {
            return Err(failed());
        }
        let env = session_environment(state, headers, &user)?;
        // Each use keeps the session alive; a write a minute is enough to know that.
        if now - session.last_seen_at > 60_000 {
            let seen = session.clone();
            transact(&state.store, move |tx| {
                crate::use_cases::users::touch(tx, now, &seen)
            })
            .await
            .map_err(ApiError::from)?;
        }
        let required = !user.has_two_factor()
            && state
                .store
                .security_settings(&user.organization_id)?
                .require_two_factor;
        return Ok((Arc::new(Caller::of_session(session, user, required)), env));
    }
    // Keys seen before skip the wrong-key limit. Servers sharing a database still look
    // every key up (a key revoked through one must stop working on all of them at once);
    // a server alone on its database trusts what it cached (it forgets on every change).
    let known = state
        .key_cache
        .lock()
        .expect("key cache poisoned")
        .get(&hash)
        .cloned();
    let trusted = known.clone().filter(|_| !state.store.is_shared());
    let (key, env) = match trusted {
        Some(found) => found,
        None => {
            if known.is_none() {
                if let Some(limited) = exhausted() {
                    return Err(limited);
                }
            }
            let Some((key, env)) = state.store.api_key_by_hash(&hash)? else {
                if known.is_some() {
                    state
                        .key_cache
                        .lock()
                        .expect("key cache poisoned")
                        .remove(&hash);
                }
                return Err(failed());
            };
            let pair = (Arc::new(key), Arc::new(env));
            state
                .key_cache
                .lock()
                .expect("key cache poisoned")
                .insert(hash, pair.clone());
            pair
        }
    };
    if key.expires_at.is_some_and(|at| at <= state.now()) {
        return Err(failed());
    }
    Ok((Arc::new(Caller::of_key(&key)), env))
}

/// The session a flow token names, and its environment (tokens do not say which, and an
/// organization has two).
fn flow_session_by_token(
    state: &AppState,
    hash: &str,
) -> ApiResult<Option<(InquirySession, Environment)>> {
    let filter =
        vigil_store::RecordFilter::default().any_of(vec![vigil_store::term("token", hash)]);
    let first = vigil_store::PageRequest {
        after: None,
        before: None,
        size: 1,
    };
    Ok(state.in_any_environment(|env| {
        let found = state
            .store
            .find::<InquirySession>(&env.id, &filter, &first)?;
        Ok(found.items.into_iter().next())
    })?)
}

/// The environment a console session's request names (`Vigil-Environment: sandbox`).
fn session_environment(
    state: &AppState,
    headers: &HeaderMap,
    user: &User,
) -> ApiResult<Arc<Environment>> {
    let name = header(headers, "vigil-environment").ok_or_else(|| {
        ApiError::bad_request(
            "Vigil-Environment must name the environment (sandbox or production) of a request made with a console session",
        )
    })?;
    state
        .store
        .environments()?
        .into_iter()
        .find(|env| env.name == name && env.organization_id == user.organization_id)
        .map(Arc::new)
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "Vigil-Environment `{}` is not an environment (sandbox or production)",
                name.chars().take(32).collect::<String>()
            ))
        })
}

/// What a console user's request changes (reads are most requests and change nothing).
fn is_write(method: &str) -> bool {
    method != "GET" && method != "HEAD"
}

/// The user audit log's entry for a console session's write, but for its status and time.
fn audit_draft(
    config: &crate::ServerConfig,
    request: &Request,
    session: &SessionCaller,
    env: &Environment,
    method: &str,
) -> AuditEntry {
    let (ip_address, user_agent) = origin(config, request.headers(), request.extensions());
    // The whole path, as the caller sent it (the API is nested under `/api/v1`).
    let path = format!("/api/v1{}", request.uri().path());
    AuditEntry {
        id: ids::new_id(prefix::USER_AUDIT_LOG),
        organization_id: session.user.organization_id.clone(),
        user_id: Some(session.user.id.clone()),
        session_id: Some(session.session.id.clone()),
        environment: Some(env.name.clone()),
        action: audit_action(method, &path).into(),
        method: method.to_string(),
        query_names: request
            .uri()
            .query()
            .map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .map(|(name, _)| name.into_owned())
                    .collect()
            })
            .unwrap_or_default(),
        path,
        response_status: 0,
        ip_address,
        user_agent,
        created_at: 0,
    }
}

/// What kind of change a console user's request was, for people reading the audit log.
fn audit_action(method: &str, path: &str) -> &'static str {
    let last = path.rsplit('/').next().unwrap_or_default();
    if path.contains("/user-sessions") {
        "sign-out"
    } else if method == "DELETE" || last == "redact" {
        "redaction"
    } else if matches!(last, "set-status" | "dismiss" | "approve" | "decline") {
        "decision"
    } else {
        "change"
    }
}

fn insert(headers: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}

/// Resolve the request's context, run the handler, decorate the response.
pub async fn api_middleware(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let request_id = ids::new_id(prefix::REQUEST);
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let mut quota: Option<Quota> = None;
    let mut served_version: Option<ApiVersion> = None;
    let mut environment: Option<Arc<Environment>> = None;
    // A console user's change, drafted before the handler runs and written after it with
    // its status (the user audit log); nothing is drafted for keys or for reads.
    let mut audit: Option<AuditEntry> = None;

    let outcome: ApiResult<Response> = async {
        let (caller, env) =
            authenticate(&state, request.headers(), peer(request.extensions())).await?;
        environment = Some(env.clone());
        // A person whose organization requires a second factor sets one up before anything
        // else (reading who they are and signing out stay open).
        if caller
            .session
            .as_ref()
            .is_some_and(|s| s.two_factor_setup_required)
            && !route.starts_with("/api/v1/user-sessions/current")
        {
            return Err(ApiError::Forbidden {
                details: "Your organization requires two-factor sign-in: set it up first (POST /api/v1/user-sessions/current/two-factor)".into(),
            });
        }
        // The verification flow's token opens its own routes only, whatever a handler
        // forgets to check.
        if caller.flow.is_some() && !route.starts_with("/api/v1/inquiry-flow/") {
            return Err(ApiError::Forbidden {
                details: "An inquiry session token may only be used by the verification flow (/api/v1/inquiry-flow/...)".into(),
            });
        }
        if let Some(session) = caller.session.as_ref().filter(|_| is_write(&method)) {
            audit = Some(audit_draft(&state.config, &request, session, &env, &method));
        }
        // The flow is limited per session, so one person cannot use up their
        // environment's quota.
        let checked = match &caller.flow {
            Some(flow) => state.flow_limiter.check(&flow.session_id, Instant::now()),
            None => state.limiter.check(&env.id, Instant::now()),
        };
        quota = Some(checked);
        if !checked.allowed {
            return Err(ApiError::RateLimited {
                limit: checked.limit,
                window_seconds: checked.window_seconds,
                reset_seconds: checked.reset_seconds,
            });
        }
        let headers = request.headers();
        let version = match header(headers, "persona-version") {
            Some(text) => ApiVersion::parse(text).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "Persona-Version `{}` is not supported (supported: {})",
                    text.chars().take(32).collect::<String>(),
                    super::version::SUPPORTED.join(", ")
                ))
            })?,
            None => ApiVersion::parse(&caller.api_version).unwrap_or_default(),
        };
        let inflection = match header(headers, "key-inflection") {
            Some(text) => Inflection::parse(text).ok_or_else(|| {
                ApiError::bad_request("Key-Inflection must be one of kebab, camel, snake")
            })?,
            None => Inflection::parse(&caller.key_inflection).unwrap_or(Inflection::Kebab),
        };
        let idempotency_key = match header(headers, "idempotency-key") {
            Some(k) if k.is_empty() || k.len() > 255 => {
                return Err(ApiError::bad_request(
                    "Idempotency-Key must be 1 to 255 characters",
                ))
            }
            Some(k) => Some(k.to_string()),
            None => None,
        };
        let query = Arc::new(query::parse(request.uri().query())?);
        query.only_where_taken(&route)?;
        served_version = Some(version);
        let ctx = Ctx {
            env,
            caller,
            request_id: request_id.clone(),
            version,
            inflection,
            query,
            idempotency_key,
            now: state.now(),
        };
        request.extensions_mut().insert(ctx);
        Ok(next.run(request).await)
    }
    .await;

    let mut response = outcome.unwrap_or_else(IntoResponse::into_response);
    let headers = response.headers_mut();
    insert(headers, "Request-Id", &request_id);
    // No limit (`--rate-limit 0`), no headers about one.
    if let Some(quota) = quota.filter(|q| q.limit > 0) {
        insert(headers, "RateLimit-Limit", &quota.limit.to_string());
        insert(headers, "RateLimit-Remaining", &quota.remaining.to_string());
        insert(headers, "RateLimit-Reset", &quota.reset_seconds.to_string());
    }
    if let Some(env) = &environment {
        insert(headers, "Persona-Environment-Id", &env.id);
        insert(headers, "Persona-Organization-Id", &env.organization_id);
    }
    if let Some(version) = served_version {
        // Beyond Persona: say which version shaped this response (the key's default or
        // the request's header), as Stripe does.
        insert(headers, "Persona-Version", version.as_str());
    }
    let status = response.status().as_u16();
    if let Some(mut entry) = audit {
        entry.response_status = status;
        entry.created_at = state.now();
        let written = transact(&state.store, move |tx| {
            crate::use_cases::users::audit(tx, &entry)
        })
        .await;
        if let Err(refusal) = written {
            tracing::error!(request_id = %request_id, cause = %refusal, "the user audit log refused an entry");
            return ApiError::Internal(refusal.to_string()).into_response();
        }
    }
    let elapsed = started.elapsed();
    state.metrics.observe(
        RequestLabels {
            method: method.clone(),
            route: route.clone(),
            status,
        },
        elapsed.as_secs_f64(),
    );
    // Ids and route templates only: no bodies, no keys, no personal data. Successful reads
    // are the bulk of traffic (thousands a second) and change nothing, so they log at
    // debug (`VIGIL_LOG=debug` shows them); writes and every error log at info.
    let environment = environment.as_ref().map(|e| e.id.as_str()).unwrap_or("-");
    let micros = elapsed.as_micros() as u64;
    if method == "GET" && status < 400 {
        tracing::debug!(request_id = %request_id, method = %method, route = %route, status, environment, micros, "request");
    } else {
        tracing::info!(request_id = %request_id, method = %method, route = %route, status, environment, micros, "request");
    }
    response
}
