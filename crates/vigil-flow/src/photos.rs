//! The template's photo steps, after the details: a government ID (country, type, front
//! and back, by the camera or a file) and a selfie (the camera, through the browser, or
//! a photo the device takes). Each hands the photos to the API, which reads them and
//! answers with a verification; one whose photo must be taken again shows the step once
//! more, saying why in the person's words.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine;
use serde_json::{json, Map, Value};

use crate::pages::{self, included, page, Carried, Chrome};
use crate::protocol::{self, Message};
use crate::text::{self, Text};
use crate::Flow;

/// Where a page is in the flow, for its "Step n of m".
pub(crate) enum Step {
    Details,
    GovernmentId,
    Selfie,
    Review,
}

fn steps(current: &Value) -> (Option<&Value>, Option<&Value>) {
    let attributes = &included(current, "inquiry-template-steps")["attributes"];
    let on = |v: &'_ Value| -> bool { v.is_object() };
    let id = &attributes["government_id"];
    let selfie = &attributes["selfie"];
    (on(id).then_some(id), on(selfie).then_some(selfie))
}

/// "Step n of m": details, the template's photo steps, review.
pub(crate) fn progress(current: &Value, at: Step) -> Option<(usize, usize)> {
    let (id, selfie) = steps(current);
    let total = 2 + usize::from(id.is_some()) + usize::from(selfie.is_some());
    let n = match at {
        Step::Details => 1,
        Step::GovernmentId => 2,
        Step::Selfie => 2 + usize::from(id.is_some()),
        Step::Review => total,
    };
    Some((n, total))
}

/// The latest of the inquiry's verifications of `kind` (`verification/selfie`).
fn latest<'a>(current: &'a Value, kind: &str) -> Option<&'a Value> {
    current["included"]
        .as_array()?
        .iter()
        .rev()
        .find(|r| r["type"] == kind)
}

/// Whether a step's latest verification settles it (passed or failed; a photo to take
/// again does not).
fn settled(current: &Value, kind: &str) -> bool {
    latest(current, kind)
        .and_then(|v| v["attributes"]["status"].as_str())
        .is_some_and(|s| s == "passed" || s == "failed")
}

/// The reasons of a verification's failed checks, in the person's words.
fn retake(t: &Text, verification: Option<&Value>) -> Vec<&'static str> {
    let Some(verification) = verification else {
        return Vec::new();
    };
    if verification["attributes"]["status"] != "requires_retry" {
        return Vec::new();
    }
    let reasons: Vec<&str> = verification["attributes"]["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["status"] == "failed")
        .flat_map(|c| c["reasons"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .collect();
    text::retake_reasons(t, reasons)
}

#[derive(Template)]
#[template(path = "id.html")]
struct IdPage {
    chrome: Chrome,
    retake: Vec<&'static str>,
    /// Code, name, chosen.
    countries: Vec<(String, String, bool)>,
    /// Class, label, chosen.
    classes: Vec<(&'static str, &'static str, bool)>,
    camera_only: bool,
}

#[derive(Template)]
#[template(path = "selfie.html")]
struct SelfiePage {
    chrome: Chrome,
    retake: Vec<&'static str>,
    camera_only: bool,
}

fn id_page(
    carried: &Carried,
    current: &Value,
    step: &Value,
    status: StatusCode,
    messages: &[Message],
    refused: Option<&'static str>,
) -> Response {
    let t = text::for_language(&carried.embed.language);
    let allowed: Vec<String> = step["countries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let name = |code: &str| {
        isocountry::CountryCode::for_alpha2(code)
            .map(|c| c.name().to_string())
            .unwrap_or_else(|_| code.to_string())
    };
    let mut countries: Vec<(String, String)> = if allowed.is_empty() {
        isocountry::CountryCode::iter()
            .map(|c| (c.alpha2().to_string(), c.name().to_string()))
            .collect()
    } else {
        allowed.iter().map(|c| (c.clone(), name(c))).collect()
    };
    countries.sort_by(|a, b| a.1.cmp(&b.1));
    let previous = latest(current, "verification/government-id");
    let typed_country = current["data"]["attributes"]["fields"]["address-country-code"]["value"]
        .as_str()
        .map(str::to_ascii_uppercase);
    let chosen_country = previous
        .and_then(|v| v["attributes"]["country_code"].as_str())
        .map(str::to_string)
        .or(typed_country)
        .filter(|c| countries.iter().any(|(code, _)| code == c))
        .unwrap_or_else(|| countries.first().map(|c| c.0.clone()).unwrap_or_default());
    let classes: Vec<(&'static str, &'static str)> =
        [("dl", t.licence), ("pp", t.passport), ("id", t.id_card)]
            .into_iter()
            .filter(|(class, _)| {
                step["id_classes"]
                    .as_array()
                    .is_none_or(|allowed| allowed.iter().any(|c| c == class))
            })
            .collect();
    let chosen_class = previous
        .and_then(|v| v["attributes"]["id_class"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| classes.first().map(|c| c.0.to_string()).unwrap_or_default());
    let chrome = carried.chrome(messages, progress(current, Step::GovernmentId));
    page(
        status,
        &carried.embed,
        IdPage {
            chrome,
            retake: refused.map_or_else(|| retake(t, previous), |r| text::retake_reasons(t, [r])),
            countries: countries
                .into_iter()
                .map(|(code, name)| {
                    let chosen = code == chosen_country;
                    (code, name, chosen)
                })
                .collect(),
            classes: classes
                .into_iter()
                .map(|(class, label)| (class, label, class == chosen_class))
                .collect(),
            camera_only: step["capture"] == "camera-only",
        }
        .render(),
    )
}

fn selfie_page(
    carried: &Carried,
    current: &Value,
    step: &Value,
    status: StatusCode,
    messages: &[Message],
    refused: Option<&'static str>,
) -> Response {
    let t = text::for_language(&carried.embed.language);
    let chrome = carried.chrome(messages, progress(current, Step::Selfie));
    page(
        status,
        &carried.embed,
        SelfiePage {
            chrome,
            retake: refused.map_or_else(
                || retake(t, latest(current, "verification/selfie")),
                |r| text::retake_reasons(t, [r]),
            ),
            camera_only: step["capture"] == "camera-only",
        }
        .render(),
    )
}

/// The next page after the details: a photo step not settled yet, else the review; it
/// tells the embedding page `messages`.
pub(crate) fn next(carried: &Carried, current: &Value, messages: &[Message]) -> Response {
    let (id, selfie) = steps(current);
    let retaking = |kind: &str| {
        latest(current, kind).is_some_and(|v| v["attributes"]["status"] == "requires_retry")
    };
    let status = |kind: &str| {
        if retaking(kind) {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        }
    };
    if let Some(step) = id.filter(|_| !settled(current, "verification/government-id")) {
        return id_page(
            carried,
            current,
            step,
            status("verification/government-id"),
            messages,
            None,
        );
    }
    if let Some(step) = selfie.filter(|_| !settled(current, "verification/selfie")) {
        return selfie_page(
            carried,
            current,
            step,
            status("verification/selfie"),
            messages,
            None,
        );
    }
    pages::review(carried, current, current, messages)
}

/// The review's rows for the photo steps handed in.
pub(crate) fn review_rows(t: &Text, current: &Value) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    if latest(current, "verification/government-id").is_some() {
        rows.push((t.identity_document.to_string(), t.received.to_string()));
    }
    if latest(current, "verification/selfie").is_some() {
        rows.push((t.selfie.to_string(), t.received.to_string()));
    }
    rows
}

/// A multipart form: its text fields, and its files by name (empty file inputs left out).
async fn read_form(
    mut multipart: Multipart,
) -> Result<(Vec<(String, String)>, Map<String, Value>), String> {
    let mut form = Vec::new();
    let mut files = Map::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or_default().to_string();
        if let Some(filename) = field.file_name().map(str::to_string) {
            let bytes = field.bytes().await.map_err(|e| e.to_string())?;
            if !bytes.is_empty() {
                let filename = if filename.trim().is_empty() {
                    "photo.jpg".into()
                } else {
                    filename
                };
                files.insert(
                    name,
                    json!({"data": base64::engine::general_purpose::STANDARD.encode(&bytes), "filename": filename}),
                );
            }
        } else {
            form.push((name, field.text().await.map_err(|e| e.to_string())?));
        }
    }
    Ok((form, files))
}

/// What is wrong with a photo the person chose, when the API refused it (not a photo,
/// too large, missing), as a reason the person reads.
fn refused_photo(error: &vigil_client::Error) -> Option<&'static str> {
    let item = error.items().first()?;
    let pointer = item.pointer.as_deref()?;
    if !pointer.contains("photo") {
        return None;
    }
    let details = item.details.as_deref().unwrap_or_default();
    Some(if details.contains("is missing") {
        "missing_photo"
    } else if details.contains("at most") {
        "too_large"
    } else {
        "not_an_image"
    })
}

/// Send a step's photos; then the next page (the same step again to retake).
async fn hand_in(
    flow: &Flow,
    headers: &HeaderMap,
    carried: &Carried,
    path: &'static str,
    attributes: Map<String, Value>,
    which: Step,
) -> Response {
    let sent_attributes = attributes.clone();
    let api = flow.client(headers, &carried.token, &carried.embed);
    let sent = api
        .post(path, json!({ "data": { "attributes": sent_attributes } }))
        .await;
    let current = match api.get("/inquiry-flow/current").await {
        Ok(current) => current.body,
        Err(error) => return pages::error_page(carried, &error),
    };
    match sent {
        Ok(made) => {
            // The SDK's step events, for the page's `onEvent`.
            let verification = &made.body["data"];
            let mut messages = Vec::new();
            match which {
                Step::Selfie => {
                    if attributes_method(&attributes) == Some("photo") {
                        messages.push(protocol::step("selfie-camera-capture", json!({})));
                    }
                }
                _ => {
                    messages.push(protocol::step(
                        "country-select",
                        json!({ "countryCode": attributes.get("country-code") }),
                    ));
                    messages.push(protocol::step("document-upload", json!({})));
                }
            }
            messages.push(protocol::step(
                "verification-change",
                json!({ "verificationId": verification["id"], "type": verification["type"],
                        "status": verification["attributes"]["status"] }),
            ));
            next(carried, &current, &messages)
        }
        Err(error) => match refused_photo(&error) {
            Some(reason) => {
                let (id, selfie) = steps(&current);
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                match which {
                    Step::Selfie => {
                        selfie.map(|s| selfie_page(carried, &current, s, status, &[], Some(reason)))
                    }
                    _ => id.map(|s| id_page(carried, &current, s, status, &[], Some(reason))),
                }
                .unwrap_or_else(|| pages::error_page(carried, &error))
            }
            None => pages::error_page(carried, &error),
        },
    }
}

fn attributes_method(attributes: &Map<String, Value>) -> Option<&str> {
    attributes.get("capture-method").and_then(Value::as_str)
}

/// A photo step's form (multipart): its text fields and files, by form name → the API's
/// attribute, sent as the person's session; then the next page.
async fn photo_step(
    flow: &Flow,
    headers: &HeaderMap,
    multipart: Multipart,
    which: Step,
    texts: &[(&str, &str)],
    photos: &[(&str, &str)],
) -> Response {
    let Ok((form, files)) = read_form(multipart).await else {
        // Larger than the flow takes, or cut off: nothing of the form can be trusted.
        let carried = Carried::from_form(&[]);
        let t = text::for_language(&carried.embed.language);
        return pages::message_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            &carried,
            &[protocol::failed(413, "photo_too_large")],
            t.retake_heading,
            text::retake_reasons(t, ["too_large"])
                .first()
                .copied()
                .unwrap_or_default(),
        );
    };
    let carried = Carried::from_form(&form);
    if !vigil_pages::same_origin(headers) {
        return pages::cross_site(&carried);
    }
    let mut attributes = Map::new();
    for (name, key) in texts {
        if let Some(value) = pages::form_value(&form, name) {
            attributes.insert((*key).into(), json!(value));
        }
    }
    for (name, key) in photos {
        if let Some(file) = files.get(*name) {
            attributes.insert((*key).into(), file.clone());
        }
    }
    let path = match which {
        Step::Selfie => "/inquiry-flow/current/selfie",
        _ => "/inquiry-flow/current/government-id",
    };
    hand_in(flow, headers, &carried, path, attributes, which).await
}

/// `POST /widget/government-id` (multipart): country, type, front and back.
pub async fn government_id(
    State(flow): State<Flow>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let texts = [
        ("country", "country-code"),
        ("id_class", "id-class"),
        ("capture_method", "capture-method"),
    ];
    let photos = [("front", "front-photo"), ("back", "back-photo")];
    photo_step(
        &flow,
        &headers,
        multipart,
        Step::GovernmentId,
        &texts,
        &photos,
    )
    .await
}

/// `POST /widget/selfie` (multipart): the photo, from the camera or the device.
pub async fn selfie(
    State(flow): State<Flow>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let texts = [("capture_method", "capture-method")];
    let photos = [("selfie", "center-photo")];
    photo_step(&flow, &headers, multipart, Step::Selfie, &texts, &photos).await
}
