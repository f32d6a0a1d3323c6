//! The signed-in person's second factor (`/{env}/me/two-factor`): set it up (a QR code of
//! the secret, then a first code to confirm), or turn it off with the password. Through the
//! API's `/user-sessions/current/two-factor`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use base64::Engine;
use serde::Deserialize;
use serde_json::json;

use super::{error_text, failure, page, person, poster};
use crate::session::SignedIn;
use crate::view::Chrome;
use crate::Console;

const HERE: &str = "/me/two-factor";

#[derive(Template)]
#[template(path = "two_factor.html")]
struct TwoFactorPage {
    chrome: Chrome,
    enabled: bool,
    /// The organization requires it and the person has none: nothing else works yet.
    required: bool,
    /// A setup in progress: the secret, its link as a QR code (an SVG data URL).
    secret: String,
    qr: String,
    url: String,
    notice: String,
    error: String,
}

/// The page; `setup`: a setup in progress (secret, QR code, link).
fn render(
    signed_in: &SignedIn,
    setup: Option<(String, String, String)>,
    notice: &str,
    error: String,
) -> Response {
    let (secret, qr, url) = setup.unwrap_or_default();
    let mut response = page(
        &TwoFactorPage {
            chrome: Chrome::new(signed_in, "security", "Two-factor sign-in"),
            enabled: signed_in.person.two_factor,
            required: signed_in.setup_required,
            secret,
            qr,
            url,
            notice: notice.to_string(),
            error: error.clone(),
        },
        signed_in.env,
    );
    if !error.is_empty() {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// An `otpauth://` link as a QR code, for authenticator apps to scan.
fn qr_code(url: &str) -> String {
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build();
            format!(
                "data:image/svg+xml;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(svg)
            )
        }
        Err(_) => String::new(),
    }
}

/// `GET /{env}/me/two-factor`.
pub async fn show(
    State(console): State<Console>,
    Path(env): Path<String>,
    headers: HeaderMap,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    let notice = if query.as_deref() == Some("on=1") {
        "Two-factor sign-in is on: from now on, signing in asks for a code."
    } else {
        ""
    };
    match person(&console, &headers, &env, HERE).await {
        Ok(signed_in) => render(&signed_in, None, notice, String::new()),
        Err(response) => response,
    }
}

#[derive(Deserialize)]
pub struct TwoFactorForm {
    csrf: String,
    /// `begin`, `confirm` (with `code` and the `secret` being confirmed) or `disable`
    /// (with `password`).
    action: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    password: String,
}

/// `POST /{env}/me/two-factor`.
pub async fn change(
    State(console): State<Console>,
    Path(env): Path<String>,
    headers: HeaderMap,
    Form(form): Form<TwoFactorForm>,
) -> Response {
    let signed_in = match poster(&console, &headers, &env, &form.csrf, HERE).await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let path = "/user-sessions/current/two-factor";
    match form.action.as_str() {
        "begin" => match signed_in.api.post(path, json!({})).await {
            Ok(answer) => {
                let attributes = &answer.body["data"]["attributes"];
                let secret = attributes["secret"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let url = attributes["otpauth_url"].as_str().unwrap_or_default();
                let setup = (secret, qr_code(url), url.to_string());
                render(&signed_in, Some(setup), "", String::new())
            }
            Err(error) => failure(&error),
        },
        "confirm" => {
            let body = json!({"data": {"attributes": {"code": form.code.trim()}}});
            match signed_in.api.post(&format!("{path}/confirm"), body).await {
                // Now signed in with two factors, every page is open.
                Ok(_) => Redirect::to(&format!("/{env}{HERE}?on=1")).into_response(),
                // A wrong code: the same setup again (its secret and link came back in the
                // form), to try the next code.
                Err(error @ vigil_client::Error::Api { status: 422, .. }) => {
                    let qr = if form.url.starts_with("otpauth://totp/") {
                        qr_code(&form.url)
                    } else {
                        String::new()
                    };
                    let setup = Some((form.secret.clone(), qr, form.url.clone()));
                    render(&signed_in, setup, "", error_text(&error))
                }
                Err(error) => failure(&error),
            }
        }
        "disable" => {
            let body = json!({"data": {"attributes": {"password": form.password}}});
            match signed_in.api.post(&format!("{path}/disable"), body).await {
                Ok(_) => Redirect::to(&format!("/{env}{HERE}")).into_response(),
                Err(
                    error @ vigil_client::Error::Api {
                        status: 409 | 422, ..
                    },
                ) => render(&signed_in, None, "", error_text(&error)),
                Err(error) => failure(&error),
            }
        }
        _ => super::not_found().await,
    }
}
