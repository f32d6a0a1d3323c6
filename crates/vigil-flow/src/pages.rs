//! The flow's steps: consent, the template's fields, review, and the end (completed,
//! under review or failed), plus leaving, a one-time link's landing page and errors.
//! Each handler calls the API as the person's session and renders the next step.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use serde_json::{json, Map, Value};
use vigil_client::{Method, Request};

use crate::protocol::{self, Embed, Message};
use crate::query;
use crate::text::{self, Text};
use crate::Flow;

/// What every page shares: its words, the script's data, and what each form carries on.
pub(crate) struct Chrome {
    pub(crate) text: &'static Text,
    pub(crate) script_data: String,
    /// In the SDK's iframe: a close button that ends with `exit`.
    pub(crate) embedded: bool,
    pub(crate) carried: Vec<(&'static str, String)>,
    /// The step and how many there are (details, the template's photo steps, review),
    /// when on one.
    pub(crate) step: Option<(usize, usize)>,
    /// The theme set whose stylesheet the page links.
    pub(crate) theme: Option<String>,
}

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage {
    chrome: Chrome,
    start: Vec<(&'static str, String)>,
    error: bool,
}

/// One input of the details step.
struct Input {
    key: String,
    label: String,
    /// `text`, `date`, `email`, `number`, `checkbox`.
    kind: &'static str,
    value: String,
    checked: bool,
    required: bool,
    error: Option<String>,
    autocomplete: &'static str,
}

#[derive(Template)]
#[template(path = "fields.html")]
struct FieldsPage {
    chrome: Chrome,
    inputs: Vec<Input>,
    any_error: bool,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    chrome: Chrome,
    rows: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    chrome: Chrome,
    heading: String,
    body: String,
    /// A form to continue with (a one-time link's landing page): its action and hidden
    /// fields.
    continue_to: Option<(&'static str, Vec<(&'static str, String)>)>,
}

/// What the forms carry from page to page (no personal data; the token is the person's
/// own credential, in the page they are on).
pub(crate) struct Carried {
    pub(crate) token: String,
    pub(crate) inquiry_id: String,
    pub(crate) embed: Embed,
}

pub(crate) fn form_value(form: &[(String, String)], name: &str) -> Option<String> {
    form.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty())
}

impl Carried {
    pub(crate) fn from_form(form: &[(String, String)]) -> Carried {
        let embed = Embed::new(
            form_value(form, "_c"),
            None,
            form_value(form, "_o"),
            form_value(form, "_tid"),
            form_value(form, "_a")
                .map(|a| a.split(' ').map(str::to_string).collect())
                .unwrap_or_default(),
            form_value(form, "_lang").unwrap_or_else(|| "en".into()),
        )
        .themed(form_value(form, "_th"));
        Carried {
            token: form_value(form, "_t").unwrap_or_default(),
            inquiry_id: form_value(form, "_i").unwrap_or_default(),
            embed,
        }
    }

    /// Act as the session a start or a redeem answered with (its token and inquiry).
    fn took_over(&mut self, answer: &Value) {
        self.token = session_token(answer);
        self.inquiry_id = answer["data"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
    }

    fn hidden(&self) -> Vec<(&'static str, String)> {
        let e = &self.embed;
        let mut out = vec![("_lang", e.language.clone())];
        let mut put = |name: &'static str, value: &Option<String>| {
            if let Some(value) = value {
                out.push((name, value.clone()));
            }
        };
        put("_c", &e.container_id);
        put("_o", &e.target_origin);
        put("_tid", &e.template_id);
        put("_th", &e.theme_set_id);
        if !e.frame_ancestors.is_empty() {
            out.push(("_a", e.frame_ancestors.join(" ")));
        }
        if !self.token.is_empty() {
            out.push(("_t", self.token.clone()));
        }
        if !self.inquiry_id.is_empty() {
            out.push(("_i", self.inquiry_id.clone()));
        }
        out
    }

    pub(crate) fn chrome(&self, messages: &[Message], step: Option<(usize, usize)>) -> Chrome {
        let exit = protocol::cancelled(
            Some(&self.inquiry_id)
                .filter(|i| !i.is_empty())
                .map(String::as_str),
            Some(&self.token)
                .filter(|t| !t.is_empty())
                .map(String::as_str),
        );
        Chrome {
            text: text::for_language(&self.embed.language),
            script_data: protocol::script_data(&self.embed, messages, Some(&exit)),
            embedded: self.embed.container_id.is_some(),
            carried: self.hidden(),
            step,
            theme: self.embed.theme_set_id.clone(),
        }
    }
}

/// A rendered page with the flow's headers: its CSP (who may frame it), nothing cached,
/// no referrer (a link's code must not leak).
pub(crate) fn page(
    status: StatusCode,
    embed: &Embed,
    html: Result<String, askama::Error>,
) -> Response {
    let body = html.unwrap_or_else(|error| {
        tracing::error!(%error, "a flow page did not render");
        "The page could not be shown.".into()
    });
    let mut response = (status, Html(body)).into_response();
    let headers = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&embed.content_security_policy()) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

pub(crate) fn message_page(
    status: StatusCode,
    carried: &Carried,
    messages: &[Message],
    heading: &str,
    body: &str,
) -> Response {
    let chrome = carried.chrome(messages, None);
    page(
        status,
        &carried.embed,
        MessagePage {
            chrome,
            heading: heading.into(),
            body: body.into(),
            continue_to: None,
        }
        .render(),
    )
}

/// An error the person can do nothing about but try again (and the page is told).
pub(crate) fn error_page(carried: &Carried, error: &vigil_client::Error) -> Response {
    let status = error.status().unwrap_or(502);
    tracing::info!(status, request_id = ?error.request_id(), "the flow's API call failed");
    let t = text::for_language(&carried.embed.language);
    let detail = error
        .items()
        .first()
        .and_then(|item| item.details.clone())
        .filter(|_| status < 500)
        .unwrap_or_else(|| t.error_retry.to_string());
    message_page(
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
        carried,
        &[protocol::failed(status, "api_error")],
        t.error_heading,
        &detail,
    )
}

pub(crate) fn cross_site(carried: &Carried) -> Response {
    message_page(
        StatusCode::FORBIDDEN,
        carried,
        &[],
        text::for_language(&carried.embed.language).error_heading,
        "This form was sent from another site.",
    )
}

/// `GET /widget?…`: the SDK's iframe. A template starts at consent; an inquiry id with its
/// session token resumes at the details (or shows how it ended).
pub async fn widget(
    State(flow): State<Flow>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let parsed = query::parse(raw.as_deref().unwrap_or_default());
    let query = match parsed {
        Ok(query) => query,
        Err(refused) => {
            let carried = Carried {
                token: String::new(),
                inquiry_id: String::new(),
                embed: Embed::default(),
            };
            let t = text::for_language("en");
            return message_page(
                StatusCode::BAD_REQUEST,
                &carried,
                &[protocol::failed(400, "invalid_parameter")],
                t.error_heading,
                &format!("The parameter `{}` {}.", refused.parameter, refused.message),
            );
        }
    };
    let embed = Embed::new(
        query.container_id.clone(),
        query.iframe_origin.clone(),
        query.message_target_origin.clone(),
        query.template_id.clone(),
        query.frame_ancestors.clone(),
        query.language.clone().unwrap_or_else(|| "en".into()),
    )
    .themed(query.theme_set_id.clone());
    let mut carried = Carried {
        token: query.session_token.clone().unwrap_or_default(),
        inquiry_id: query.inquiry_id.clone().unwrap_or_default(),
        embed,
    };
    if let Some(template_id) = &query.template_id {
        let mut start = vec![("template", template_id.clone())];
        if let Some(env) = &query.environment_id {
            start.push(("environment", env.clone()));
        }
        if let Some(reference) = &query.reference_id {
            start.push(("reference", reference.clone()));
        }
        if !query.fields.is_empty() {
            start.push(("prefill", Value::Object(query.fields.clone()).to_string()));
        }
        let chrome = carried.chrome(&protocol::opened(), None);
        return page(
            StatusCode::OK,
            &carried.embed,
            ConsentPage {
                chrome,
                start,
                error: false,
            }
            .render(),
        );
    }
    // Resume: the token must be this inquiry's.
    let api = flow.client(&headers, &carried.token, &carried.embed);
    let current = match api.get("/inquiry-flow/current").await {
        Ok(current) => current.body,
        Err(error) => return error_page(&carried, &error),
    };
    if current["data"]["id"].as_str() != Some(carried.inquiry_id.as_str()) {
        carried.token.clear();
        let t = text::for_language(&carried.embed.language);
        return message_page(
            StatusCode::FORBIDDEN,
            &carried,
            &[protocol::failed(403, "session_mismatch")],
            t.error_heading,
            "This session token is not for this inquiry.",
        );
    }
    let mut messages = protocol::opened();
    messages.push(protocol::started(&carried.inquiry_id));
    show_current(&carried, &current, messages, Map::new())
}

/// The details step, or the end when the inquiry is no longer in progress.
fn show_current(
    carried: &Carried,
    current: &Value,
    messages: Vec<Message>,
    errors: Map<String, Value>,
) -> Response {
    let status = current["data"]["attributes"]["status"]
        .as_str()
        .unwrap_or_default();
    if !matches!(status, "created" | "pending") {
        return finished_page(carried, current, Vec::new());
    }
    let t = text::for_language(&carried.embed.language);
    let fields = &current["data"]["attributes"]["fields"];
    let inputs = inputs_of(t, current, |key| fields[key]["value"].clone(), &errors);
    let chrome = carried.chrome(
        &messages,
        crate::photos::progress(current, crate::photos::Step::Details),
    );
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page(
        status,
        &carried.embed,
        FieldsPage {
            chrome,
            any_error: !errors.is_empty(),
            inputs,
        }
        .render(),
    )
}

/// The template's fields (from `included`), as inputs holding `value_of(key)`.
fn inputs_of(
    t: &Text,
    current: &Value,
    value_of: impl Fn(&str) -> Value,
    errors: &Map<String, Value>,
) -> Vec<Input> {
    let translations =
        included(current, "inquiry-template-translations")["attributes"]["translations"].clone();
    schemas(current)
        .iter()
        .map(|schema| {
            let key = schema["key"].as_str().unwrap_or_default().to_string();
            let kind = match schema["type"].as_str() {
                Some("date") => "date",
                Some("email-address") => "email",
                Some("boolean") => "checkbox",
                Some("integer") | Some("number") => "number",
                _ => "text",
            };
            let value = value_of(&key);
            let autocomplete = match key.as_str() {
                "name-first" => "given-name",
                "name-middle" => "additional-name",
                "name-last" => "family-name",
                "birthdate" => "bday",
                "address-street-1" => "address-line1",
                "address-street-2" => "address-line2",
                "address-city" => "address-level2",
                "address-subdivision" => "address-level1",
                "address-postal-code" => "postal-code",
                "address-country-code" => "country",
                "email-address" => "email",
                "phone-number" => "tel",
                _ => "off",
            };
            Input {
                // A translation imported for the template wins; its plain label (which the
                // translations list as its en-US text) does not over the flow's own words.
                label: text::translated(&translations, "details", &key, "label")
                    .filter(|text| Some(text.as_str()) != schema["label"].as_str())
                    .unwrap_or_else(|| text::label(t, &key, schema["label"].as_str())),
                kind,
                checked: value.as_bool() == Some(true),
                value: match &value {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => String::new(),
                },
                required: schema["config"]["required"].as_bool() == Some(true),
                error: errors
                    .get(&key)
                    .and_then(Value::as_str)
                    .map(|message| text::field_problem(t, kind, message)),
                autocomplete,
                key,
            }
        })
        .collect()
}

/// The included resource of `kind` in a `/inquiry-flow/current` answer (null if none).
pub(crate) fn included<'a>(current: &'a Value, kind: &str) -> &'a Value {
    current["included"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["type"] == kind)
        .unwrap_or(&Value::Null)
}

/// The field schemas of the inquiry's template.
fn schemas(current: &Value) -> Vec<Value> {
    included(current, "inquiry-template")["attributes"]["field_schemas"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// `POST /widget/start`: the person agreed; a new inquiry of the template.
pub async fn start(
    State(flow): State<Flow>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let mut carried = Carried::from_form(&form);
    if !vigil_pages::same_origin(&headers) {
        return cross_site(&carried);
    }
    let template = form_value(&form, "template").unwrap_or_default();
    let mut start: Vec<(&'static str, String)> = vec![("template", template.clone())];
    for name in ["environment", "reference", "prefill"] {
        if let Some(value) = form_value(&form, name) {
            start.push((name, value));
        }
    }
    if form_value(&form, "consent").as_deref() != Some("yes") {
        let chrome = carried.chrome(&[], None);
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &carried.embed,
            ConsentPage {
                chrome,
                start,
                error: true,
            }
            .render(),
        );
    }
    let mut attributes = Map::new();
    let id_name = if template.starts_with("itmpl_") {
        "inquiry-template-id"
    } else {
        "template-id"
    };
    attributes.insert(id_name.into(), json!(template));
    if let Some(env) = form_value(&form, "environment") {
        attributes.insert("environment-id".into(), json!(env));
    }
    if let Some(reference) = form_value(&form, "reference") {
        attributes.insert("reference-id".into(), json!(reference));
    }
    if let Some(fingerprint) = form_value(&form, "_fp") {
        attributes.insert("browser-fingerprint".into(), json!(fingerprint));
    }
    if let Some(prefill) = form_value(&form, "prefill") {
        if let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(&prefill) {
            attributes.insert("fields".into(), Value::Object(fields));
        }
    }
    let api = flow.client(&headers, "", &carried.embed);
    let started = match api
        .post(
            "/inquiry-flows",
            json!({ "data": { "attributes": attributes } }),
        )
        .await
    {
        Ok(started) => started.body,
        Err(error) => return error_page(&carried, &error),
    };
    carried.took_over(&started);
    // The embedding page hears that an inquiry started (a link's page has none).
    let messages = vec![protocol::started(&carried.inquiry_id)];
    details_of_opened(&flow, &headers, carried, messages).await
}

/// The details step of an inquiry the flow just opened (started, or from a link).
async fn details_of_opened(
    flow: &Flow,
    headers: &HeaderMap,
    carried: Carried,
    messages: Vec<Message>,
) -> Response {
    match flow
        .client(headers, &carried.token, &carried.embed)
        .get("/inquiry-flow/current")
        .await
    {
        Ok(current) => show_current(&carried, &current.body, messages, Map::new()),
        Err(error) => error_page(&carried, &error),
    }
}

/// The session token a start or redeem answered with (the public flow routes answer in
/// the API's own spelling, whatever inflection the client asks for).
fn session_token(answer: &Value) -> String {
    let meta = &answer["meta"];
    meta["session-token"]
        .as_str()
        .or(meta["session_token"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// The values of the details form, typed by the template's schemas: an empty input
/// clears its field; a number that does not read as one goes as typed, for the API to
/// refuse by name.
fn typed_fields(form: &[(String, String)], current: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    for schema in schemas(current) {
        let Some(key) = schema["key"].as_str() else {
            continue;
        };
        let given = form
            .iter()
            .find(|(n, _)| n.strip_prefix("f.") == Some(key))
            .map(|(_, v)| v.trim().to_string());
        let value = match (schema["type"].as_str(), given) {
            (Some("boolean"), given) => json!(given.as_deref() == Some("yes")),
            (_, None) => continue,
            (_, Some(text)) if text.is_empty() => Value::Null,
            (Some("integer"), Some(text)) => text.parse::<i64>().map_or(json!(text), |n| json!(n)),
            (Some("number"), Some(text)) => text
                .parse::<f64>()
                .ok()
                .and_then(|n| serde_json::Number::from_f64(n).map(Value::Number))
                .unwrap_or(json!(text)),
            (_, Some(text)) => json!(text),
        };
        out.insert(key.to_string(), value);
    }
    out
}

/// The API's complaints about fields, by field key.
fn field_errors(error: &vigil_client::Error) -> Map<String, Value> {
    let mut out = Map::new();
    for item in error.items() {
        let key = item
            .pointer
            .as_deref()
            .and_then(|p| p.strip_prefix("/data/attributes/fields/"))
            .map(str::to_string);
        if let Some(key) = key {
            out.insert(
                key,
                json!(item.details.clone().unwrap_or_else(|| item.title.clone())),
            );
        }
    }
    out
}

/// `POST /widget/fields`: save the details and show them for review (or, with `_edit`,
/// show the details again).
pub async fn fields(
    State(flow): State<Flow>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let carried = Carried::from_form(&form);
    if !vigil_pages::same_origin(&headers) {
        return cross_site(&carried);
    }
    let api = flow.client(&headers, &carried.token, &carried.embed);
    let current = match api.get("/inquiry-flow/current").await {
        Ok(current) => current.body,
        Err(error) => return error_page(&carried, &error),
    };
    if form_value(&form, "_edit").is_some() {
        return show_current(&carried, &current, Vec::new(), Map::new());
    }
    let fields = typed_fields(&form, &current);
    let request = Request::new(Method::PATCH, "/inquiry-flow/current")
        .body(json!({ "data": { "attributes": { "fields": fields } } }));
    let saved = match api.send(request).await {
        Ok(saved) => saved.body,
        Err(error) => {
            let errors = field_errors(&error);
            if errors.is_empty() {
                return error_page(&carried, &error);
            }
            // Show what the person typed, with what is wrong with it.
            let mut shown = current.clone();
            for (key, value) in &fields {
                shown["data"]["attributes"]["fields"][key]["value"] = value.clone();
            }
            return show_current(&carried, &shown, Vec::new(), errors);
        }
    };
    // The fields are saved: the template's photo steps, then the review.
    crate::photos::next(&carried, &saved_current(&current, &saved), &[])
}

/// `current` with the inquiry as the fields' save answered it.
fn saved_current(current: &Value, saved: &Value) -> Value {
    let mut out = current.clone();
    out["data"] = saved["data"].clone();
    out
}

pub(crate) fn review(
    carried: &Carried,
    current: &Value,
    saved: &Value,
    messages: &[Message],
) -> Response {
    let t = text::for_language(&carried.embed.language);
    let values = &saved["data"]["attributes"]["fields"];
    let rows = inputs_of(t, current, |key| values[key]["value"].clone(), &Map::new())
        .into_iter()
        // What the person left empty, and need not give, is not worth a row.
        .filter(|input| input.kind == "checkbox" || !input.value.is_empty() || input.required)
        .map(|input| {
            let shown = match input.kind {
                "checkbox" if input.checked => t.yes.to_string(),
                "checkbox" => t.no.to_string(),
                _ if input.value.is_empty() => t.not_given.to_string(),
                _ => input.value,
            };
            (input.label, shown)
        })
        .chain(crate::photos::review_rows(t, current))
        .collect();
    let chrome = carried.chrome(
        messages,
        crate::photos::progress(current, crate::photos::Step::Review),
    );
    page(
        StatusCode::OK,
        &carried.embed,
        ReviewPage { chrome, rows }.render(),
    )
}

/// `POST /widget/submit`: the person is done. A missing required field sends them back to
/// the details with it named.
pub async fn submit(
    State(flow): State<Flow>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let carried = Carried::from_form(&form);
    if !vigil_pages::same_origin(&headers) {
        return cross_site(&carried);
    }
    let api = flow.client(&headers, &carried.token, &carried.embed);
    match api.post("/inquiry-flow/current/submit", json!({})).await {
        Ok(done) => {
            let current = json!({ "data": done.body["data"].clone() });
            finished_page(&carried, &current, Vec::new())
        }
        Err(error) => {
            let errors = field_errors(&error);
            if errors.is_empty() {
                return error_page(&carried, &error);
            }
            match api.get("/inquiry-flow/current").await {
                Ok(current) => show_current(&carried, &current.body, Vec::new(), errors),
                Err(error) => error_page(&carried, &error),
            }
        }
    }
}

/// How the inquiry ended, told to the person and (with its fields) to the page.
pub(crate) fn finished_page(
    carried: &Carried,
    current: &Value,
    mut messages: Vec<Message>,
) -> Response {
    let t = text::for_language(&carried.embed.language);
    let attributes = &current["data"]["attributes"];
    let status = attributes["status"].as_str().unwrap_or_default();
    messages.push(protocol::finished(
        &carried.inquiry_id,
        status,
        attributes["fields"].clone(),
    ));
    let (heading, body) = match status {
        "failed" | "declined" => (t.done_failed, t.done_failed_body),
        "needs_review" => (t.done_review, t.done_review_body),
        _ => (t.done_completed, t.done_completed_body),
    };
    // Nothing is left to do: the page no longer offers to leave with a token.
    let done = Carried {
        token: String::new(),
        inquiry_id: carried.inquiry_id.clone(),
        embed: carried.embed.clone(),
    };
    message_page(StatusCode::OK, &done, &messages, heading, body)
}

/// `POST /widget/cancel`: the person left; the page is told, with the token to resume.
pub async fn cancel(headers: HeaderMap, Form(form): Form<Vec<(String, String)>>) -> Response {
    let carried = Carried::from_form(&form);
    if !vigil_pages::same_origin(&headers) {
        return cross_site(&carried);
    }
    let t = text::for_language(&carried.embed.language);
    let exit = protocol::cancelled(
        Some(carried.inquiry_id.as_str()).filter(|i| !i.is_empty()),
        Some(carried.token.as_str()).filter(|t| !t.is_empty()),
    );
    message_page(
        StatusCode::OK,
        &carried,
        &[exit],
        t.cancelled_heading,
        t.cancelled_body,
    )
}

/// `GET /widget/theme/{id}.css`: a theme set's look, from the API (an archived or
/// unknown one is an empty stylesheet: the flow's own look).
pub async fn theme_css(
    State(flow): State<Flow>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Response {
    let id = file.strip_suffix(".css").unwrap_or(&file).to_string();
    let embed = Embed::default().themed(Some(id));
    let css = match &embed.theme_set_id {
        Some(id) => match flow
            .client(&headers, "", &embed)
            .get(&format!("/inquiry-flows/theme-sets/{id}"))
            .await
        {
            Ok(theme) => crate::theme::css(&theme.body["data"]["attributes"]["styles"]),
            Err(_) => String::new(),
        },
        None => String::new(),
    };
    let mut response = css.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    response
}

/// A one-time link's landing page: nothing is used until the person continues (mail
/// scanners open links too).
fn link_landing(code: String, language: Option<String>) -> Response {
    let carried = Carried {
        token: String::new(),
        inquiry_id: String::new(),
        embed: Embed {
            language: language.unwrap_or_else(|| "en".into()),
            ..Embed::default()
        },
    };
    let t = text::for_language(&carried.embed.language);
    let mut hidden = carried.hidden();
    hidden.push(("code", code));
    let chrome = carried.chrome(&[], None);
    page(
        StatusCode::OK,
        &carried.embed,
        MessagePage {
            chrome,
            heading: t.link_heading.into(),
            body: t.link_body.into(),
            continue_to: Some(("/verify", hidden)),
        }
        .render(),
    )
}

/// `GET /verify?code=…[&language=es]`.
pub async fn link_page(RawQuery(raw): RawQuery) -> Response {
    let mut code = None;
    let mut language = None;
    for (name, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match name.as_ref() {
            "code" => code = Some(value.into_owned()),
            "language" => language = Some(value.into_owned()),
            _ => {
                let carried = Carried {
                    token: String::new(),
                    inquiry_id: String::new(),
                    embed: Embed::default(),
                };
                return message_page(
                    StatusCode::BAD_REQUEST,
                    &carried,
                    &[],
                    text::ENGLISH.error_heading,
                    &format!("The parameter `{name}` is not a parameter of a verification link."),
                );
            }
        }
    }
    link_landing(code.unwrap_or_default(), language)
}

/// `GET /v/{code}`: the short form of a one-time link.
pub async fn short_link_page(Path(code): Path<String>) -> Response {
    link_landing(code, None)
}

/// `POST /verify`: the person continues from a one-time link, which is used up here.
pub async fn open_link(
    State(flow): State<Flow>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let mut carried = Carried::from_form(&form);
    if !vigil_pages::same_origin(&headers) {
        return cross_site(&carried);
    }
    let mut redeem_meta = json!({ "code": form_value(&form, "code").unwrap_or_default() });
    if let Some(fingerprint) = form_value(&form, "_fp") {
        redeem_meta["browser-fingerprint"] = json!(fingerprint);
    }
    let api = flow.client(&headers, "", &carried.embed);
    let opened = match api
        .post("/inquiry-flows/redeem", json!({ "meta": redeem_meta }))
        .await
    {
        Ok(opened) => opened.body,
        Err(error) => return error_page(&carried, &error),
    };
    carried.took_over(&opened);
    details_of_opened(&flow, &headers, carried, Vec::new()).await
}
