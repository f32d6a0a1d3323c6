//! The API middleware: request id, authentication, rate limit, version and inflection,
//! and the headers every response carries. Handlers receive the result as [`Ctx`].

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use vigil_domain::actor::Actor;
use vigil_domain::ids::{self, prefix};
use vigil_domain::permissions::{self, Access};
use vigil_store::{ApiKey, Environment};

use super::error::{ApiError, ApiResult};
use super::inflection::Inflection;
use super::metrics::RequestLabels;
use super::query::{self, QueryParams};
use super::ratelimit::Quota;
use super::version::ApiVersion;
use crate::use_cases::Acting;
use crate::AppState;

/// Everything a handler needs to know about who is asking and how to answer.
#[derive(Clone)]
pub struct Ctx {
    pub env: Arc<Environment>,
    pub key: Arc<ApiKey>,
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
        let needed = permissions::permission(family, access);
        if self.key.permissions.contains(&needed) {
            Ok(())
        } else {
            Err(ApiError::Forbidden {
                details: format!("This API key lacks the `{needed}` permission"),
            })
        }
    }

    /// The request's key as the actor of what it changes, in its environment, now.
    pub fn acting(&self) -> Acting {
        Acting {
            env: self.env.id.clone(),
            actor: Actor::ApiKey {
                id: self.key.id.clone(),
                name: self.key.name.clone(),
            },
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

/// SHA-256 of an API key secret, hex: the only form in which keys are stored.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
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

/// The key and environment a request's `Authorization: Bearer` header names, checked as
/// every API request is (unknown, expired); also guards routes mounted beside the API.
/// Wrong keys count against `peer`: past `--failed-auth-limit` a minute, a key that is
/// not already known is answered 429 without a lookup.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<std::net::IpAddr>,
) -> ApiResult<(Arc<ApiKey>, Arc<Environment>)> {
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
    let hash = hash_secret(secret);
    let cached = state
        .key_cache
        .lock()
        .expect("key cache poisoned")
        .get(&hash)
        .cloned();
    let (key, env) = match cached {
        Some(found) => found,
        None => {
            if let Some(reset_seconds) = state.failed_auth.exhausted(&peer, Instant::now()) {
                return Err(ApiError::RateLimited {
                    limit: state.config.failed_auth_limit,
                    window_seconds: 60,
                    reset_seconds,
                });
            }
            let store = state.store.clone();
            let lookup = hash.clone();
            let found = store.api_key_by_hash(&lookup)?;
            let Some((key, env)) = found else {
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
    Ok((key, env))
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

    let outcome: ApiResult<Response> = async {
        let (key, env) =
            authenticate(&state, request.headers(), peer(request.extensions())).await?;
        environment = Some(env.clone());
        let checked = state.limiter.check(&env.id, Instant::now());
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
            None => ApiVersion::parse(&key.api_version).unwrap_or_default(),
        };
        let inflection = match header(headers, "key-inflection") {
            Some(text) => Inflection::parse(text).ok_or_else(|| {
                ApiError::bad_request("Key-Inflection must be one of kebab, camel, snake")
            })?,
            None => Inflection::parse(&key.key_inflection).unwrap_or(Inflection::Kebab),
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
        served_version = Some(version);
        let ctx = Ctx {
            env,
            key,
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
