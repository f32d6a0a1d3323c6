//! The review console: the pages risk analysts work in, served by `vigil serve` at `/`.
//!
//! **A client of the API, nothing more.** Every page reads, and every form acts, through
//! the public API (`vigil-client`), as the signed-in person: their session token is the
//! bearer token, their environment the `Vigil-Environment` header. So everything a person
//! does here is authorized by their role, validated, evented with them as the actor and
//! sent to webhooks exactly as an API call is, and no rule exists here a second time.
//!
//! Pages are server-rendered (askama templates compiled in), work without JavaScript, and
//! carry every asset in the binary.
//!
//! # Layout
//! - [`session`]: the session cookie, CSRF tokens, and the signed-in extractor.
//! - `pages/`: one module per screen (sign-in, cases).
//! - `assets`: the stylesheet and the small keyboard script, embedded.

// A page handler's error is the page it answers with; boxing it would buy nothing.
#![allow(clippy::result_large_err)]

mod assets;
mod pages;
pub mod session;
mod view;

use axum::routing::{get, post};
use axum::Router;

/// What every page handler shares: how to reach the API, and whether cookies need HTTPS.
#[derive(Clone)]
pub struct Console {
    api: vigil_client::Client,
    secure_cookies: bool,
    /// Proves to the API that the address the console forwards is the person's.
    forwarding_secret: Option<String>,
}

impl Console {
    /// `api_base`: where the API answers (`http://127.0.0.1:PORT/api/v1`, the same
    /// process); `public_url`: where people reach the console (cookies are `Secure` when
    /// it is HTTPS).
    pub fn new(
        api_base: &str,
        public_url: &str,
        forwarding_secret: Option<String>,
    ) -> Result<Console, vigil_client::Error> {
        let mut config = vigil_client::Config::new(api_base, "");
        // A person is waiting: fail fast rather than retry for long.
        config.max_attempts = 2;
        config.timeout = std::time::Duration::from_secs(15);
        Ok(Console {
            api: vigil_client::Client::new(config)?,
            secure_cookies: public_url.starts_with("https://"),
            forwarding_secret,
        })
    }

    /// The API client for a request: with the person's address and browser forwarded, so
    /// sign-in limits and the user audit log see them rather than the console.
    pub(crate) fn client_for(&self, headers: &axum::http::HeaderMap) -> vigil_client::Client {
        let mut api = self.api.clone();
        vigil_pages::forward_person(&mut api, self.forwarding_secret.as_deref(), headers);
        api
    }
}

/// The console's routes, to mount beside the API.
pub fn router(console: Console) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route(
            "/login",
            get(pages::auth::login_page).post(pages::auth::login),
        )
        .route("/logout", post(pages::auth::logout))
        .route(
            "/invitations/{token}",
            get(pages::auth::invitation_page).post(pages::auth::accept_invitation),
        )
        .route("/{env}/cases", get(pages::cases::inbox))
        .route("/{env}/cases/next", post(pages::cases::next_unassigned))
        .route("/{env}/cases/batch", post(pages::cases::batch))
        .route("/{env}/cases/{id}", get(pages::cases::case_page))
        .route("/{env}/cases/{id}/assign", post(pages::cases::assign_to_me))
        .route("/{env}/cases/{id}/version", get(pages::cases::version))
        .route("/{env}/cases/{id}/comment", post(pages::cases::comment))
        .route("/{env}/cases/{id}/decide", post(pages::cases::decide))
        .route(
            "/{env}/reports/{id}/dismiss",
            post(pages::cases::dismiss_report),
        )
        .route("/{env}/accounts", get(pages::accounts::search))
        .route("/{env}/accounts/{id}", get(pages::accounts::account_page))
        .route("/{env}/accounts/{id}/tags", post(pages::accounts::tag))
        .route(
            "/{env}/accounts/{id}/action",
            post(pages::accounts::run_action),
        )
        .route(
            "/{env}/accounts/{id}/consolidate",
            post(pages::accounts::consolidate),
        )
        .route("/{env}/accounts/{id}/redact", post(pages::accounts::redact))
        .route(
            "/{env}/settings/users",
            get(pages::users::list).post(pages::users::invite),
        )
        .route("/{env}/settings/users/{id}", post(pages::users::change))
        .route("/{env}/settings/security", post(pages::users::security))
        .route("/{env}/settings/audit-log", get(pages::users::audit_log))
        .route(
            "/{env}/me/two-factor",
            get(pages::two_factor::show).post(pages::two_factor::change),
        )
        .route(
            "/{env}/documents/{id}/files/{sha}/{name}",
            get(pages::documents::file),
        )
        .route("/{env}/events", get(pages::events::explore))
        .route(
            "/{env}/lists",
            get(pages::lists::lists).post(pages::lists::create),
        )
        .route(
            "/{env}/lists/{id}",
            get(pages::lists::list_page).post(pages::lists::change),
        )
        .route("/{env}/lists/{id}/import", post(pages::lists::import))
        .route("/{env}/importers/{id}", get(pages::lists::importer))
        .route("/{env}/webhooks", get(pages::webhooks::list))
        .route(
            "/{env}/webhooks/{id}",
            get(pages::webhooks::webhook_page).post(pages::webhooks::change),
        )
        .route(
            "/{env}/settings/keys",
            get(pages::keys::list).post(pages::keys::change),
        )
        .route("/{env}/settings/rules", get(pages::rules::list))
        .route("/{env}/settings/rules/{id}", post(pages::rules::toggle))
        .route("/{env}/settings/templates", get(pages::templates::list))
        .route("/{env}/settings/queues", post(pages::templates::add_queue))
        .route(
            "/{env}/settings/templates/{id}",
            post(pages::templates::save),
        )
        .route("/assets/{name}", get(assets::serve))
        .fallback(pages::not_found)
        .layer(axum::middleware::map_response(security_headers))
        .layer(axum::middleware::from_fn(vigil_pages::person_address))
        .with_state(console)
}

/// Every console response: no framing by other sites, scripts and styles only from here,
/// no referrer (an invitation link carries its token), nothing personal kept in caches.
async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let headers = response.headers_mut();
    // A document's file sets its own (it is framed by the case page); everything else is
    // never framed.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
        );
    }
    if !headers.contains_key(header::X_FRAME_OPTIONS) {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
