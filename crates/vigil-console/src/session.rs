//! Who is signed in: the session cookie (the API session token, `HttpOnly`, `SameSite=Strict`,
//! `Secure` behind HTTPS), the CSRF token every form carries, and [`SignedIn`], the
//! person's API client in the environment a page is about.

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::Console;

/// The session cookie: the API's session token itself, so the console keeps no state.
pub const SESSION_COOKIE: &str = "vigil_session";
/// Before sign-in there is no session to bind a CSRF token to: the login form's token is
/// also set as a cookie and must match (double submit).
pub const LOGIN_CSRF_COOKIE: &str = "vigil_login_csrf";

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// A `Set-Cookie` value for the console: whole site, never readable by scripts, never sent
/// by other sites. `max_age` 0 deletes it.
pub fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> HeaderValue {
    let mut text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if secure {
        text.push_str("; Secure");
    }
    if let Some(seconds) = max_age {
        text.push_str(&format!("; Max-Age={seconds}"));
    }
    HeaderValue::from_str(&text).expect("cookie values are tokens")
}

/// The CSRF token of a session: derived from its secret (which only the person's browser
/// holds, in an `HttpOnly` cookie), so a page on another site can neither read nor make it.
pub fn csrf_token(secret: &str) -> String {
    let digest = Sha256::digest(format!("vigil-console-csrf\0{secret}").as_bytes());
    hex::encode(&digest[..16])
}

pub use vigil_pages::same_origin;

/// sandbox or production: the two worlds a person works in, never mixed on one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Env {
    Sandbox,
    Production,
}

impl Env {
    pub fn parse(text: &str) -> Option<Env> {
        match text {
            "sandbox" => Some(Env::Sandbox),
            "production" => Some(Env::Production),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Env::Sandbox => "sandbox",
            Env::Production => "production",
        }
    }

    pub fn other(self) -> Env {
        match self {
            Env::Sandbox => Env::Production,
            Env::Production => Env::Sandbox,
        }
    }
}

/// The signed-in person, as the API describes them.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub permissions: Vec<String>,
    /// Signs in with a second factor.
    pub two_factor: bool,
}

impl Person {
    pub fn may(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p == permission)
    }
}

/// A signed-in person working in one environment: their API client, who they are, and
/// the token their forms carry.
pub struct SignedIn {
    pub api: vigil_client::Client,
    pub env: Env,
    pub person: Person,
    pub csrf: String,
    /// The organization requires a second factor this person has not set up yet.
    pub setup_required: bool,
}

/// Where to go when there is no (live) session: the sign-in page, then back here.
pub fn to_login(next: &str) -> Response {
    let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
    Redirect::to(&format!("/login?next={next}")).into_response()
}

impl SignedIn {
    /// The person whose session cookie the request carries, in `env`; a redirect to the
    /// sign-in page when there is none or it has ended.
    pub async fn load(
        console: &Console,
        headers: &HeaderMap,
        env: Env,
        here: &str,
    ) -> Result<SignedIn, Response> {
        let Some(secret) = cookie(headers, SESSION_COOKIE) else {
            return Err(to_login(here));
        };
        let mut api = console.client_for(headers).with_key(&secret);
        api.set_environment(Some(env.as_str().to_string()));
        let current = match api.get("/user-sessions/current").await {
            Ok(answer) => answer.body,
            Err(vigil_client::Error::Unauthorized { .. }) => return Err(to_login(here)),
            Err(error) => return Err(crate::pages::failure(&error)),
        };
        // An organization that requires a second factor lets a person without one do
        // nothing else: every page leads to setting it up.
        let setup_page = format!("/{}/me/two-factor", env.as_str());
        let setup_required = current["data"]["attributes"]["two_factor_setup_required"] == true;
        if setup_required && here != setup_page {
            return Err(Redirect::to(&setup_page).into_response());
        }
        let user = current["included"]
            .as_array()
            .and_then(|items| items.iter().find(|i| i["type"] == "user"))
            .cloned()
            .unwrap_or(Value::Null);
        let attributes = &user["attributes"];
        let text = |name: &str| attributes[name].as_str().unwrap_or_default().to_string();
        let email = text("email_address");
        let person = Person {
            id: user["id"].as_str().unwrap_or_default().to_string(),
            name: attributes["name"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| email.clone()),
            email,
            role: text("role"),
            permissions: attributes["permissions"]
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|p| p.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            two_factor: attributes["two_factor_enabled"] == true,
        };
        Ok(SignedIn {
            api,
            env,
            person,
            csrf: csrf_token(&secret),
            setup_required,
        })
    }

    /// Refuse a form post that is cross-site or lacks this session's token.
    pub fn check_form(&self, headers: &HeaderMap, token: &str) -> Result<(), Response> {
        if same_origin(headers) && constant_time_eq(token, &self.csrf) {
            Ok(())
        } else {
            Err(crate::pages::forbidden_form())
        }
    }
}

/// Compare secrets without telling, by timing, how much of them matched.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_by_name_among_several() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; vigil_session=s3cret; b=2"),
        );
        assert_eq!(cookie(&headers, "vigil_session").as_deref(), Some("s3cret"));
        assert_eq!(cookie(&headers, "missing"), None);
    }

    #[test]
    fn the_session_cookie_is_http_only_strict_and_secure_behind_https() {
        let plain = set_cookie(SESSION_COOKIE, "t", false, None);
        assert_eq!(plain, "vigil_session=t; Path=/; HttpOnly; SameSite=Strict");
        let secure = set_cookie(SESSION_COOKIE, "t", true, Some(0));
        assert!(secure.to_str().unwrap().ends_with("; Secure; Max-Age=0"));
    }

    #[test]
    fn csrf_tokens_differ_per_session_and_cross_site_posts_are_refused() {
        assert_ne!(csrf_token("a"), csrf_token("b"));
        assert_eq!(csrf_token("a").len(), 32);
        let mut headers = HeaderMap::new();
        headers.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!same_origin(&headers));
        let mut headers = HeaderMap::new();
        headers.insert("origin", HeaderValue::from_static("https://evil.example"));
        headers.insert("host", HeaderValue::from_static("vigil.example"));
        assert!(!same_origin(&headers));
        headers.insert("origin", HeaderValue::from_static("https://vigil.example"));
        assert!(same_origin(&headers));
        assert!(constant_time_eq("abc", "abc") && !constant_time_eq("abc", "abd"));
    }
}
