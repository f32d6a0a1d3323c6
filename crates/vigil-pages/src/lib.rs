//! What vigil's faces in a browser share (the review console and the verification flow,
//! both clients of the API): who the person is to the API (their address and browser,
//! forwarded with the secret only this server's faces hold), the assets compiled into the
//! binary, and refusing forms another site posts.

use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The request header [`person_address`] sets to the person's address (one a browser
/// sends is dropped first).
const PERSON_ADDRESS: &str = "x-vigil-person-address";

/// A layer's function: put the connection's address in the request for
/// [`forward_person`] (dropping one a client sent).
pub async fn person_address(mut request: Request, next: Next) -> Response {
    let address = request
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip().to_string());
    let headers = request.headers_mut();
    headers.remove(PERSON_ADDRESS);
    if let Some(value) = address.and_then(|a| HeaderValue::from_str(&a).ok()) {
        headers.insert(PERSON_ADDRESS, value);
    }
    next.run(request).await
}

/// Make `api` speak for the person whose request `headers` are: their address and
/// browser, vouched for by `secret`, so the API's limits and logs see them, not the face.
pub fn forward_person(api: &mut vigil_client::Client, secret: Option<&str>, headers: &HeaderMap) {
    let Some(secret) = secret else {
        return;
    };
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    api.add_header("Vigil-Forwarded-Secret", secret);
    if let Some(address) = text(PERSON_ADDRESS) {
        api.add_header("Vigil-Forwarded-For", address);
    }
    if let Some(agent) = text("user-agent").filter(|a| a.is_ascii()) {
        api.add_header("Vigil-Forwarded-User-Agent", agent);
    }
}

/// A file compiled into the binary: its name, content type and text.
pub type Asset = (&'static str, &'static str, &'static str);

/// Serve `name` from `files` (same binary, same bytes: a short cache never goes stale for
/// long), or 404.
pub fn serve_asset(files: &[Asset], name: &str) -> Response {
    match files.iter().find(|(file, _, _)| *file == name) {
        Some((_, content_type, body)) => {
            let mut response = (*body).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            );
            response
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Whether a form post comes from a page of this site (`Sec-Fetch-Site`, else `Origin`
/// against `Host`; a request with neither is a client that is not a browser).
pub fn same_origin(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    match (text("origin"), text("host")) {
        (Some(origin), Some(host)) => origin.split_once("://").map(|(_, rest)| rest) == Some(host),
        _ => true,
    }
}
