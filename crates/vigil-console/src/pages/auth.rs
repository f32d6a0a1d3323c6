//! Signing in and out, and accepting an invitation (choosing a password), all through the
//! API's `/user-sessions` and `/user-invitations/accept`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::json;

use super::error_text;
use crate::session::{
    constant_time_eq, cookie, csrf_token, same_origin, set_cookie, LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
};
use crate::Console;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    email: String,
    error: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: Option<String>,
}

/// Only a path on this site, never another site (an open redirect would help phishing).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_string()
        }
        _ => "/".into(),
    }
}

/// A form shown before sign-in (there is no session to bind a token to): its page, with a
/// fresh token both in the form and in a cookie.
fn pre_session_form(status: StatusCode, page: impl FnOnce(String) -> String) -> Response {
    let token = fresh_token();
    let mut response = (status, Html(page(token.clone()))).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        set_cookie(LOGIN_CSRF_COOKIE, &token, false, None),
    );
    response
}

/// Whether a pre-session form post is from this site and carries the token its cookie has.
fn pre_session_post_ok(headers: &HeaderMap, sent: &str) -> bool {
    let expected = cookie(headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    same_origin(headers) && !expected.is_empty() && constant_time_eq(sent, &expected)
}

fn login_form(status: StatusCode, next: String, email: String, error: String) -> Response {
    pre_session_form(status, |csrf| {
        LoginPage {
            csrf,
            next,
            email,
            error,
        }
        .render()
        .unwrap_or_else(|_| "sign-in".into())
    })
}

/// A fresh token for a form shown before sign-in.
fn fresh_token() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// `GET /login`.
pub async fn login_page(Query(query): Query<NextQuery>) -> Response {
    login_form(
        StatusCode::OK,
        safe_next(query.next.as_deref()),
        String::new(),
        String::new(),
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    /// The code of the person's second factor, when they set one up.
    #[serde(default)]
    code: String,
    csrf: String,
    #[serde(default)]
    next: Option<String>,
}

/// `POST /login`: a session from the API, kept in an `HttpOnly` cookie.
pub async fn login(
    State(console): State<Console>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    if !pre_session_post_ok(&headers, &form.csrf) {
        return login_form(
            StatusCode::FORBIDDEN,
            next,
            form.email,
            "The sign-in form expired. Please try again.".into(),
        );
    }
    let mut attributes = json!({"email_address": form.email, "password": form.password});
    if !form.code.trim().is_empty() {
        attributes["two_factor_code"] = json!(form.code.trim());
    }
    let body = json!({"data": {"attributes": attributes}});
    match console
        .client_for(&headers)
        .post("/user-sessions", body)
        .await
    {
        Ok(answer) => {
            let token = answer.body["data"]["attributes"]["token"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let mut response = Redirect::to(&next).into_response();
            let cookies = response.headers_mut();
            cookies.append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &token, console.secure_cookies, None),
            );
            cookies.append(
                header::SET_COOKIE,
                set_cookie(LOGIN_CSRF_COOKIE, "", false, Some(0)),
            );
            response
        }
        Err(error) => {
            let status = match &error {
                vigil_client::Error::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
                vigil_client::Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let said = match &error {
                vigil_client::Error::Unauthorized { errors, .. } => errors
                    .first()
                    .map(|e| e.title.clone())
                    .unwrap_or_else(|| "Sign-in refused".into()),
                other => error_text(other),
            };
            login_form(status, next, form.email, said)
        }
    }
}

#[derive(Deserialize)]
pub struct LogoutForm {
    csrf: String,
}

/// `POST /logout`: end the session in the API and forget the cookie.
pub async fn logout(
    State(console): State<Console>,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Response {
    if let Some(secret) = cookie(&headers, SESSION_COOKIE) {
        if !same_origin(&headers) || !constant_time_eq(&form.csrf, &csrf_token(&secret)) {
            return super::forbidden_form();
        }
        let mut api = console.client_for(&headers).with_key(&secret);
        // Any environment will do to name the session.
        api.set_environment(Some("sandbox".into()));
        let _ = api
            .send(vigil_client::Request::new(
                vigil_client::Method::DELETE,
                "/user-sessions/current",
            ))
            .await;
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", console.secure_cookies, Some(0)),
    );
    response
}

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    csrf: String,
    error: String,
}

fn invitation_form(status: StatusCode, error: String) -> Response {
    pre_session_form(status, |csrf| {
        InvitationPage { csrf, error }
            .render()
            .unwrap_or_else(|_| "invitation".into())
    })
}

/// `GET /invitations/{token}`: choose a password.
pub async fn invitation_page(Path(_token): Path<String>) -> Response {
    invitation_form(StatusCode::OK, String::new())
}

#[derive(Deserialize)]
pub struct InvitationForm {
    #[serde(default)]
    name: String,
    password: String,
    password_again: String,
    csrf: String,
}

/// `POST /invitations/{token}`: the password is set; on to sign in.
pub async fn accept_invitation(
    State(console): State<Console>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<InvitationForm>,
) -> Response {
    if !pre_session_post_ok(&headers, &form.csrf) {
        return invitation_form(
            StatusCode::FORBIDDEN,
            "The form expired. Please try again.".into(),
        );
    }
    if form.password != form.password_again {
        return invitation_form(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The two passwords are not the same.".into(),
        );
    }
    let mut attributes = json!({"token": token, "password": form.password});
    if !form.name.trim().is_empty() {
        attributes["name"] = json!(form.name.trim());
    }
    match console
        .api
        .post(
            "/user-invitations/accept",
            json!({"data": {"attributes": attributes}}),
        )
        .await
    {
        Ok(_) => Redirect::to("/login?next=/").into_response(),
        Err(error) => invitation_form(StatusCode::UNPROCESSABLE_ENTITY, error_text(&error)),
    }
}
