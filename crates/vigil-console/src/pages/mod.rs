//! One module per screen. Each handler loads the signed-in person, calls the API as them,
//! and renders a template; a form post checks its CSRF token, acts through the API, and
//! redirects (so a reload never posts twice).

pub mod accounts;
pub mod auth;
pub mod cases;
pub mod documents;
pub mod events;
pub mod keys;
pub mod lists;
pub mod rules;
pub mod templates;
pub mod two_factor;
pub mod users;
pub mod webhooks;

use askama::Template;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::session::{cookie, Env, SignedIn};
use crate::Console;

/// The environment a person last worked in (`/` goes back there), sandbox at first.
pub const ENV_COOKIE: &str = "vigil_env";

/// `/`: the case inbox of the environment last worked in.
pub async fn home(headers: HeaderMap) -> Response {
    let env = cookie(&headers, ENV_COOKIE)
        .and_then(|e| Env::parse(&e))
        .unwrap_or(Env::Sandbox);
    Redirect::to(&format!("/{}/cases", env.as_str())).into_response()
}

#[derive(Template)]
#[template(path = "message.html")]
struct Message<'a> {
    title: &'a str,
    message: String,
}

fn message(status: StatusCode, title: &str, text: String) -> Response {
    let page = Message {
        title,
        message: text,
    };
    let body = page
        .render()
        .unwrap_or_else(|_| "Something went wrong".into());
    (status, Html(body)).into_response()
}

/// A page the console does not have.
pub async fn not_found() -> Response {
    message(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is no such page. Go back to the case inbox.".into(),
    )
}

/// A form post without this session's CSRF token, or from another site.
pub fn forbidden_form() -> Response {
    message(
        StatusCode::FORBIDDEN,
        "This form has expired",
        "The form was not sent from this console session (it may be from an old page, or another site). Go back, reload the page and try again.".into(),
    )
}

/// An API error the person cannot fix from here, said in their terms.
pub fn failure(error: &vigil_client::Error) -> Response {
    let (status, title) = match error {
        vigil_client::Error::Api { status: 403, .. } => {
            (StatusCode::FORBIDDEN, "Your role does not allow this")
        }
        vigil_client::Error::Api { status: 404, .. } => (StatusCode::NOT_FOUND, "Not found"),
        vigil_client::Error::Api { status, .. } if *status < 500 => {
            (StatusCode::UNPROCESSABLE_ENTITY, "That did not work")
        }
        _ => (StatusCode::BAD_GATEWAY, "vigil could not answer"),
    };
    message(status, title, error_text(error))
}

/// The API's own words for what went wrong.
pub fn error_text(error: &vigil_client::Error) -> String {
    match error {
        vigil_client::Error::Api { errors, .. }
        | vigil_client::Error::Unauthorized { errors, .. } => errors
            .iter()
            .map(|e| e.details.clone().unwrap_or_else(|| e.title.clone()))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// An env path segment, or the not-found page.
pub fn env_of(text: &str) -> Result<Env, Response> {
    Env::parse(text).ok_or_else(|| {
        message(
            StatusCode::NOT_FOUND,
            "Not found",
            format!(
                "`{}` is not an environment (sandbox or production).",
                text.chars().take(32).collect::<String>()
            ),
        )
    })
}

/// Render a page, remembering its environment for `/`.
pub fn page(template: &impl Template, env: Env) -> Response {
    match template.render() {
        Ok(body) => {
            let mut response = Html(body).into_response();
            response.headers_mut().insert(
                header::SET_COOKIE,
                crate::session::set_cookie(ENV_COOKIE, env.as_str(), false, None),
            );
            response
        }
        Err(error) => {
            tracing::error!(cause = %error, "a console page did not render");
            message(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "This page could not be shown.".into(),
            )
        }
    }
}

/// The person a page in `/{env}/...` is for (`back`: where to return after signing in).
pub async fn person(
    console: &Console,
    headers: &HeaderMap,
    env: &str,
    back: &str,
) -> Result<SignedIn, Response> {
    let env = env_of(env)?;
    SignedIn::load(console, headers, env, &format!("/{}{back}", env.as_str())).await
}

/// The person a form post is from, its CSRF token checked.
pub async fn poster(
    console: &Console,
    headers: &HeaderMap,
    env: &str,
    csrf: &str,
    back: &str,
) -> Result<SignedIn, Response> {
    let signed_in = person(console, headers, env, back).await?;
    signed_in.check_form(headers, csrf)?;
    Ok(signed_in)
}

/// GET a path of the API as the person; `Null` when it is not there (a redacted object).
pub async fn read(signed_in: &SignedIn, path: &str) -> Result<serde_json::Value, Response> {
    match signed_in.api.get(path).await {
        Ok(answer) => Ok(answer.body),
        Err(vigil_client::Error::Api { status: 404, .. }) => Ok(serde_json::Value::Null),
        Err(error) => Err(failure(&error)),
    }
}

/// A posted form whose `repeated` field comes once per ticked box: the other fields by
/// name (the last value of each), and the repeated one's values in order.
pub struct TickedForm {
    fields: std::collections::HashMap<String, String>,
    pub ticked: Vec<String>,
}

impl TickedForm {
    pub fn parse(body: &[u8], repeated: &str) -> TickedForm {
        let mut form = TickedForm {
            fields: Default::default(),
            ticked: Vec::new(),
        };
        for (name, value) in form_urlencoded::parse(body) {
            if name == repeated {
                form.ticked.push(value.into_owned());
            } else {
                form.fields.insert(name.into_owned(), value.into_owned());
            }
        }
        form
    }

    /// A field's value, or "".
    pub fn field(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

/// One API operation (by its name in the client's table) as the person.
pub async fn call(
    signed_in: &SignedIn,
    operation: &str,
    args: serde_json::Value,
) -> Result<vigil_client::Response, vigil_client::Error> {
    let args = args.as_object().cloned().unwrap_or_default();
    signed_in.api.call(operation, &args).await
}
