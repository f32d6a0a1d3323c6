//! The verification flow: the pages a person verifies themselves in, served by
//! `vigil serve` at `/widget` (what Persona's JavaScript SDK loads in its iframe when its
//! `host` points at vigil) and at `/verify` (a one-time link, as a page of its own).
//!
//! **A client of the API, nothing more.** The flow starts an inquiry, or opens one from a
//! link, through the API's public flow routes, then acts with the inquiry session's token
//! as its bearer: the API checks every field against the template, completes the inquiry
//! with its verifications, records the person (by session) as the actor, and refuses the
//! token anywhere else. No rule of vigil's is written here a second time.
//!
//! Pages are server-rendered (askama), work without JavaScript, and carry the session
//! token in a hidden form field, never in a URL or a cookie (the flow runs in a
//! third-party iframe, where cookies are not to be relied on). One small script tells the
//! embedding page what happened, with `postMessage`, in the shape the SDK listens for
//! (`protocol`).
//!
//! # Layout
//! - `query`: the parameters the SDK puts in the iframe's URL.
//! - `protocol`: the messages to the embedding page, and where they may go (CSP).
//! - `text`: every word a person reads, in English and Spanish.
//! - `pages`: one handler per step, and the templates they fill.
//! - `photos`: the template's photo steps (a government ID, a selfie).

// A page handler's error is the page it answers with; boxing it would buy nothing.
#![allow(clippy::result_large_err)]

mod assets;
mod pages;
mod photos;
pub mod protocol;
pub mod query;
pub mod text;
pub mod theme;

use axum::routing::{get, post};
use axum::Router;

/// How the flow reaches the API, and proves the person's address to it.
#[derive(Clone)]
pub struct Flow {
    api: vigil_client::Client,
    forwarding_secret: Option<String>,
}

impl Flow {
    /// `api_base`: where the API answers (`http://127.0.0.1:PORT/api/v1`, this process).
    pub fn new(
        api_base: &str,
        forwarding_secret: Option<String>,
    ) -> Result<Flow, vigil_client::Error> {
        let mut config = vigil_client::Config::new(api_base, "");
        // A person is waiting: fail fast rather than retry for long.
        config.max_attempts = 2;
        config.timeout = std::time::Duration::from_secs(15);
        Ok(Flow {
            api: vigil_client::Client::new(config)?,
            forwarding_secret,
        })
    }

    /// The API client for a request, acting with `token` (a session token, or nothing
    /// before there is one) for a page framed as `embed` says, forwarding the person's address and browser so the API
    /// records their device and limits them, not the flow.
    pub(crate) fn client(
        &self,
        headers: &axum::http::HeaderMap,
        token: &str,
        embed: &protocol::Embed,
    ) -> vigil_client::Client {
        let mut api = self.api.with_key(token);
        // Which pages frame this one: the API refuses the flow where the template does
        // not allow them.
        if !embed.frame_ancestors.is_empty() {
            api.add_header("Vigil-Frame-Ancestors", &embed.frame_ancestors.join(" "));
        }
        // The API picks the template's texts for the person's language.
        api.add_header("Accept-Language", &embed.language);
        vigil_pages::forward_person(&mut api, self.forwarding_secret.as_deref(), headers);
        api
    }
}

/// The flow's routes, to mount beside the API (no fallback: the console has it).
pub fn router(flow: Flow) -> Router {
    Router::new()
        .route("/widget", get(pages::widget))
        .route("/widget/start", post(pages::start))
        .route("/widget/fields", post(pages::fields))
        .route("/widget/submit", post(pages::submit))
        // Photos from a phone's camera are several megabytes each.
        .route(
            "/widget/government-id",
            post(photos::government_id)
                .layer(axum::extract::DefaultBodyLimit::max(40 * 1024 * 1024)),
        )
        .route(
            "/widget/selfie",
            post(photos::selfie).layer(axum::extract::DefaultBodyLimit::max(20 * 1024 * 1024)),
        )
        .route("/widget/cancel", post(pages::cancel))
        .route("/widget/assets/{name}", get(assets::serve))
        .route("/widget/theme/{file}", get(pages::theme_css))
        .route("/verify", get(pages::link_page).post(pages::open_link))
        .route("/v/{code}", get(pages::short_link_page))
        .layer(axum::middleware::from_fn(vigil_pages::person_address))
        .with_state(flow)
}
