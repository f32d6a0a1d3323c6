//! The case inbox and the case page: take the next case, read why it was opened and the
//! evidence side by side, dismiss false hits, comment, and decide.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use vigil_client::Request;

use super::{failure, page, person, poster, read};
use crate::session::SignedIn;
use crate::view::{
    self, CaseRow, Chrome, Comment, DocumentCard, Field, InquiryCard, ReportCard, TimelineEntry,
};
use crate::Console;

/// How far an inbox tab counts its cases.
const TAB_COUNT_LIMIT: u64 = 1000;

/// The inbox's views: which cases a reviewer is looking at.
const VIEWS: &[(&str, &str)] = &[
    ("unassigned", "Unassigned"),
    ("mine", "Assigned to me"),
    ("open", "All open"),
    ("resolved", "Resolved"),
];

#[derive(Deserialize, Default)]
pub struct InboxQuery {
    #[serde(default)]
    view: Option<String>,
    #[serde(default)]
    after: Option<String>,
    #[serde(default)]
    notice: Option<String>,
    /// Filters on every view: a case template, a tag, SLA due (`overdue`, `day`, `week`),
    /// created from / to (`YYYY-MM-DD`), and the order (`newest`, `sla`).
    #[serde(default)]
    template: String,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    sort: String,
}

/// When "SLA due" ends for each choice: now, in a day, in a week.
const DUE: &[(&str, &str, i64)] = &[
    ("overdue", "Overdue", 0),
    ("day", "Due within a day", 86_400_000),
    ("week", "Due within a week", 7 * 86_400_000),
];

impl InboxQuery {
    /// The filters beyond the view, as `list_cases` arguments (also `count_cases`'). A
    /// date that is not `YYYY-MM-DD` is the API's to refuse, in its own words.
    fn filters(&self) -> Map<String, Value> {
        let mut args = Map::new();
        let mut put = |name: &str, value: String| {
            args.insert(name.into(), json!(value));
        };
        if !self.template.is_empty() {
            put("case_template_id", self.template.clone());
        }
        if !self.tag.trim().is_empty() {
            put("tag", self.tag.trim().to_string());
        }
        if let Some((_, _, ahead)) = DUE.iter().find(|(name, _, _)| *name == self.due) {
            put("sla_expires_at_end", iso_at(now_millis() + ahead));
        }
        if !self.from.is_empty() {
            put("created_at_start", self.from.clone());
        }
        if !self.to.is_empty() {
            // The whole last day.
            put("created_at_end", format!("{}T23:59:59.999Z", self.to));
        }
        args
    }

    /// The query string of these filters (without view and page), for links that keep them.
    fn query_string(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("template", &self.template),
            ("tag", &self.tag),
            ("due", &self.due),
            ("from", &self.from),
            ("to", &self.to),
            ("sort", &self.sort),
        ] {
            if !value.is_empty() {
                out.append_pair(name, value);
            }
        }
        out.finish()
    }
}

/// One tab of the inbox: a view and how many cases it holds with the filters applied.
pub struct ViewTab {
    pub name: &'static str,
    pub label: &'static str,
    pub count: String,
    pub href: String,
}

/// The inbox's tabs and list, which the page's script fetches every few seconds (with
/// `Vigil-Partial: inbox`) to show new and changed cases, and counts, without a reload.
#[derive(Template)]
#[template(path = "inbox_table.html")]
struct InboxTable {
    chrome: Chrome,
    view: String,
    tabs: Vec<ViewTab>,
    rows: Vec<CaseRow>,
    next_page: String,
    error: String,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    // What the live part shows (the same names as [`InboxTable`]'s, which it includes).
    chrome: Chrome,
    view: String,
    tabs: Vec<ViewTab>,
    rows: Vec<CaseRow>,
    next_page: String,
    error: String,
    notice: String,
    templates: Vec<(String, String)>,
    queues: Vec<(String, String)>,
    resolutions: Vec<String>,
    due_choices: Vec<(&'static str, &'static str)>,
    query: InboxQuery,
    filtered: bool,
    may_decide: bool,
    may_work: bool,
}

/// The API's answer for a list, or the page that says why there is none.
async fn list(
    signed_in: &SignedIn,
    operation: &str,
    args: Value,
) -> Result<vigil_client::Response, Response> {
    super::call(signed_in, operation, args)
        .await
        .map_err(|e| failure(&e))
}

/// The filters of an inbox view, as `list_cases` arguments.
fn view_filters(view: &str, me: &str) -> Value {
    match view {
        "mine" => json!({"assignee_id": me, "status": "open,pending"}),
        "open" => json!({"status": "open,pending"}),
        "resolved" => json!({"status": "resolved"}),
        _ => json!({"assignee_id": "none", "status": "open,pending"}),
    }
}

fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub(super) fn now_iso() -> String {
    iso_at(now_millis())
}

/// A time as the API writes it (only compared with, and sent to, the API).
fn iso_at(millis: i64) -> String {
    let days = millis.div_euclid(86_400_000);
    let rest = millis.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000
    )
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `(id, name)` of each item of a setup list (templates, queues).
async fn choices(signed_in: &SignedIn, operation: &str) -> Vec<(String, String, Value)> {
    let args = json!({"page_size": 100});
    match list(signed_in, operation, args).await {
        Ok(answer) => answer.body["data"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|i| {
                        (
                            i["id"].as_str().unwrap_or_default().to_string(),
                            view::text(i, "name"),
                            i.clone(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// `GET /{env}/cases?view=unassigned|mine|open|resolved` and the filters of
/// [`InboxQuery`].
pub async fn inbox(
    State(console): State<Console>,
    Path(env): Path<String>,
    Query(query): Query<InboxQuery>,
    headers: HeaderMap,
) -> Response {
    let signed_in = match person(&console, &headers, &env, "/cases").await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let env = signed_in.env;
    let here = format!("/{}/cases", env.as_str());
    let view = query
        .view
        .clone()
        .filter(|v| VIEWS.iter().any(|(name, _)| name == v))
        .unwrap_or_else(|| "unassigned".into());
    let filters = query.filters();
    let me = signed_in.person.email.clone();
    let with_view = |name: &str| {
        let mut args = view_filters(name, &me);
        for (key, value) in &filters {
            args[key] = value.clone();
        }
        args
    };
    let mut args = with_view(&view);
    args["page_size"] = json!(25);
    if query.sort == "sla" {
        args["sort"] = json!("sla-expires-at");
    }
    if let Some(after) = query.after.clone().filter(|a| !a.is_empty()) {
        args["cursor"] = json!(after);
    }
    let kept = query.query_string();
    let (mut rows, mut next_page, mut error) = (Vec::new(), String::new(), String::new());
    match super::call(&signed_in, "list_cases", args).await {
        Ok(answer) => {
            let now = now_iso();
            rows = answer.body["data"]
                .as_array()
                .map(|cases| cases.iter().map(|c| view::case_row(c, &now)).collect())
                .unwrap_or_default();
            if let Some(cursor) = answer.next_cursor() {
                next_page = format!("{here}?view={view}&after={cursor}&{kept}");
            }
        }
        // A filter the API refuses (a mistyped date) is said on the page, which keeps
        // the form to correct it.
        Err(vigil_client::Error::Api { status: 400, .. })
        | Err(vigil_client::Error::Api { status: 422, .. }) => {
            error = "A filter is not valid; check the dates (YYYY-MM-DD).".into();
        }
        Err(other) => return failure(&other),
    }
    let mut tabs = Vec::new();
    for (name, label) in VIEWS {
        let mut count_args = with_view(name);
        count_args.as_object_mut().map(|a| a.remove("sort"));
        // A tab says "1000+" rather than count a queue of 100,000 on every load.
        count_args["limit"] = json!(TAB_COUNT_LIMIT);
        let count = match (
            error.is_empty(),
            list(&signed_in, "count_cases", count_args).await,
        ) {
            (true, Ok(answer)) => {
                let attributes = &answer.body["data"]["attributes"];
                let more = if attributes["at_least"] == true {
                    "+"
                } else {
                    ""
                };
                attributes["count"]
                    .as_u64()
                    .map(|n| format!("{n}{more}"))
                    .unwrap_or_default()
            }
            _ => String::new(),
        };
        tabs.push(ViewTab {
            name,
            label,
            count,
            href: format!("{here}?view={name}&{kept}"),
        });
    }
    let title = VIEWS
        .iter()
        .find(|(name, _)| *name == view)
        .map(|(_, label)| *label)
        .unwrap_or("Cases");
    let chrome = Chrome::new(&signed_in, "cases", format!("Cases: {title}"));
    let table = InboxTable {
        chrome,
        view,
        tabs,
        rows,
        next_page,
        error,
    };
    if headers.get("vigil-partial").is_some_and(|v| v == "inbox") {
        return page(&table, env);
    }
    let notice = match query.notice.as_deref() {
        Some("empty") => "No unassigned case is waiting. Well done.".to_string(),
        Some(done) => match done.split_once('-') {
            Some((verb, n)) if n.parse::<u32>().is_ok() => {
                let cases = if n == "1" { "case" } else { "cases" };
                match verb {
                    "assigned" => format!("{n} {cases} assigned to you."),
                    "moved" => format!("{n} {cases} moved."),
                    "resolved" => format!("{n} {cases} resolved."),
                    _ => String::new(),
                }
            }
            _ => String::new(),
        },
        None => String::new(),
    };
    let templates = choices(&signed_in, "list_case_templates").await;
    let mut resolutions: Vec<String> = Vec::new();
    for (_, _, template) in &templates {
        for resolution in template["attributes"]["resolutions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !resolutions.iter().any(|r| r == resolution) {
                resolutions.push(resolution.to_string());
            }
        }
    }
    let queues = choices(&signed_in, "list_case_queues").await;
    let strip = |items: Vec<(String, String, Value)>| {
        items.into_iter().map(|(id, name, _)| (id, name)).collect()
    };
    let person = &signed_in.person;
    let InboxTable {
        chrome,
        view,
        tabs,
        rows,
        next_page,
        error,
    } = table;
    page(
        &InboxPage {
            filtered: !kept.is_empty(),
            chrome,
            view,
            tabs,
            rows,
            next_page,
            error,
            notice,
            templates: strip(templates),
            queues: strip(queues),
            resolutions,
            due_choices: DUE.iter().map(|(name, label, _)| (*name, *label)).collect(),
            query,
            may_decide: person.may("case.decide"),
            may_work: person.may("case.write"),
        },
        env,
    )
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

#[derive(Template)]
#[template(path = "batch_confirm.html")]
struct BatchConfirm {
    chrome: Chrome,
    ids: Vec<String>,
    resolution: String,
}

/// `POST /{env}/cases/batch` with `case=...` for each ticked case and `action`: `assign`
/// (to me), `move` (to `queue`), or `resolve` (as `resolution`, after a confirmation page).
/// Each case goes through the API on its own; the inbox then says how many.
pub async fn batch(
    State(console): State<Console>,
    Path(env): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let form = super::TickedForm::parse(&body, "case");
    let field = |name: &str| form.field(name);
    let mut ids = form.ticked.clone();
    let signed_in = match poster(&console, &headers, &env, &field("csrf"), "/cases").await {
        Ok(s) => s,
        Err(response) => return response,
    };
    ids.retain(|id| id.starts_with("case_") && !id.contains(['/', '?', '#']));
    let (verb, view) = match field("action").as_str() {
        "assign" => ("assigned", "mine"),
        "move" => ("moved", "open"),
        "resolve" => ("resolved", "resolved"),
        _ => return super::not_found().await,
    };
    if verb == "resolved" && field("confirmed") != "yes" && !ids.is_empty() {
        return page(
            &BatchConfirm {
                chrome: Chrome::new(&signed_in, "cases", "Confirm the decisions"),
                ids,
                resolution: field("resolution"),
            },
            signed_in.env,
        );
    }
    let mut done = 0;
    for id in &ids {
        let outcome = match verb {
            "assigned" => assign(&signed_in, id).await,
            "moved" => {
                let args = json!({"case_id": id, "case_queue_id": field("queue")});
                call(&signed_in, "update_case", args).await
            }
            _ => {
                let args = json!({"case_id": id, "status": field("resolution")});
                call(&signed_in, "set_case_status", args).await
            }
        };
        match outcome {
            Ok(()) => done += 1,
            Err(error) => return failure(&error),
        }
    }
    Redirect::to(&format!("/{env}/cases?view={view}&notice={verb}-{done}")).into_response()
}

/// One API operation as the person, its answer not needed.
async fn call(
    signed_in: &SignedIn,
    operation: &str,
    args: Value,
) -> Result<(), vigil_client::Error> {
    super::call(signed_in, operation, args).await.map(|_| ())
}

/// `POST /{env}/cases/next`: the oldest unassigned open case, assigned to me, opened.
pub async fn next_unassigned(
    State(console): State<Console>,
    Path(env): Path<String>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    let signed_in = match poster(&console, &headers, &env, &form.csrf, "/cases").await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let mut args = view_filters("unassigned", "");
    args["page_size"] = json!(100);
    let answer = match list(&signed_in, "list_cases", args).await {
        Ok(answer) => answer,
        Err(response) => return response,
    };
    // Newest first from the API: the last is the one waiting longest; an SLA due sooner
    // goes first.
    let cases = answer.body["data"].as_array().cloned().unwrap_or_default();
    let chosen = cases.iter().rev().min_by_key(|c| {
        let sla = view::text(c, "sla_expires_at");
        (sla.is_empty(), sla)
    });
    let Some(chosen) = chosen else {
        return Redirect::to(&format!("/{env}/cases?notice=empty")).into_response();
    };
    let id = chosen["id"].as_str().unwrap_or_default().to_string();
    if let Err(error) = assign(&signed_in, &id).await {
        return failure(&error);
    }
    Redirect::to(&format!("/{env}/cases/{id}")).into_response()
}

async fn assign(signed_in: &SignedIn, id: &str) -> Result<(), vigil_client::Error> {
    let args = json!({"case_id": id, "user_email_address": signed_in.person.email});
    call(signed_in, "assign_case", args).await
}

/// `POST /{env}/cases/{id}/assign`.
pub async fn assign_to_me(
    State(console): State<Console>,
    Path((env, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    let signed_in = match poster(&console, &headers, &env, &form.csrf, "/cases").await {
        Ok(s) => s,
        Err(response) => return response,
    };
    match assign(&signed_in, &id).await {
        Ok(()) => Redirect::to(&format!("/{env}/cases/{id}")).into_response(),
        Err(error) => failure(&error),
    }
}

#[derive(Deserialize)]
pub struct CommentForm {
    csrf: String,
    message: String,
}

/// `POST /{env}/cases/{id}/comment`.
pub async fn comment(
    State(console): State<Console>,
    Path((env, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<CommentForm>,
) -> Response {
    let signed_in = match poster(&console, &headers, &env, &form.csrf, "/cases").await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let args = json!({"case_id": id, "message": form.message});
    match super::call(&signed_in, "create_case_comment", args).await {
        Ok(_) => Redirect::to(&format!("/{env}/cases/{id}#comments")).into_response(),
        Err(error) => failure(&error),
    }
}

#[derive(Deserialize)]
pub struct DecideForm {
    csrf: String,
    status: String,
    #[serde(default)]
    confirmed: Option<String>,
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    case_id: String,
    case_name: String,
    status: String,
    /// The template holds this decision for a second reviewer, and none has proposed it.
    held: bool,
}

/// `POST /{env}/cases/{id}/decide`: first a confirmation page, then the decision.
pub async fn decide(
    State(console): State<Console>,
    Path((env, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<DecideForm>,
) -> Response {
    let signed_in = match poster(&console, &headers, &env, &form.csrf, "/cases").await {
        Ok(s) => s,
        Err(response) => return response,
    };
    if form.confirmed.as_deref() != Some("yes") {
        let case = match signed_in.api.get(&format!("/cases/{id}")).await {
            Ok(answer) => answer.body["data"].clone(),
            Err(error) => return failure(&error),
        };
        let template = case["relationships"]["case_template"]["data"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let (policy, waiting) = match (
            read(
                &signed_in,
                &format!("/case-templates/{template}/second-review"),
            )
            .await,
            read(&signed_in, &format!("/cases/{id}/proposal")).await,
        ) {
            (Ok(policy), Ok(waiting)) => (policy, waiting),
            (Err(response), _) | (_, Err(response)) => return response,
        };
        let same = |v: &Value| {
            v.as_str()
                .is_some_and(|r| r.eq_ignore_ascii_case(&form.status))
        };
        let held = policy["data"]["attributes"]["resolutions"]
            .as_array()
            .is_some_and(|held| held.iter().any(same));
        let proposed = same(&waiting["data"]["attributes"]["resolution"]);
        return page(
            &ConfirmPage {
                chrome: Chrome::new(&signed_in, "cases", "Confirm the decision"),
                case_name: view::text(&case, "name"),
                case_id: id,
                status: form.status,
                held: held && !proposed,
            },
            signed_in.env,
        );
    }
    let args = json!({"case_id": id, "status": form.status});
    match super::call(&signed_in, "set_case_status", args).await {
        Ok(_) => Redirect::to(&format!("/{env}/cases/{id}")).into_response(),
        Err(error) => failure(&error),
    }
}

#[derive(Deserialize)]
pub struct DismissForm {
    csrf: String,
    reason: String,
    case_id: String,
    /// One hit (its match id); absent, all of them.
    #[serde(default)]
    entity_id: Option<String>,
}

/// `POST /{env}/reports/{id}/dismiss`: one hit (`entity_id`), or all the report's hits,
/// are false positives.
pub async fn dismiss_report(
    State(console): State<Console>,
    Path((env, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<DismissForm>,
) -> Response {
    let signed_in = match poster(&console, &headers, &env, &form.csrf, "/cases").await {
        Ok(s) => s,
        Err(response) => return response,
    };
    let mut attributes = json!({"reason": form.reason});
    if let Some(entity) = form.entity_id.filter(|e| !e.is_empty()) {
        attributes["dismiss_type"] = json!("entity");
        attributes["entity_id"] = json!(entity);
    }
    let body = json!({"data": {"attributes": attributes}});
    let request =
        Request::new(vigil_client::Method::POST, format!("/reports/{id}/dismiss")).body(body);
    match signed_in.api.send(request).await {
        Ok(_) => Redirect::to(&format!(
            "/{env}/cases/{}#reports",
            form.case_id.replace(['/', '?', '#'], "")
        ))
        .into_response(),
        Err(error) => failure(&error),
    }
}

/// A decision waiting for a second reviewer (four eyes).
pub struct Proposal {
    pub resolution: String,
    pub by: String,
    pub at: String,
    /// Proposed by the person looking: someone else must approve it.
    pub mine: bool,
}

fn proposal(answer: &Value, me: &str) -> Option<Proposal> {
    let data = &answer["data"];
    if !data.is_object() {
        return None;
    }
    let proposer = &data["attributes"]["proposer"];
    Some(Proposal {
        resolution: view::text(data, "resolution"),
        by: proposer["name"].as_str().unwrap_or("someone").to_string(),
        at: view::when(&view::text(data, "proposed_at")),
        mine: proposer["type"] == "user" && proposer["id"] == me,
    })
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    chrome: Chrome,
    id: String,
    name: String,
    status: String,
    is_open: bool,
    assignee: String,
    assigned_to_me: bool,
    sla: String,
    overdue: bool,
    created: String,
    opened_by: String,
    tags: Vec<String>,
    resolutions: Vec<String>,
    may_decide: bool,
    may_dismiss: bool,
    may_work: bool,
    proposal: Option<Proposal>,
    /// The newest event the page reflects (its script asks whether there is a newer one).
    version: String,
    documents: Vec<DocumentCard>,
    accounts: Vec<(String, String, Vec<Field>)>,
    reports: Vec<ReportCard>,
    inquiries: Vec<InquiryCard>,
    comments: Vec<Comment>,
    timeline: Vec<TimelineEntry>,
}

/// `GET /{env}/cases/{id}`.
pub async fn case_page(
    State(console): State<Console>,
    Path((env, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let signed_in = match person(&console, &headers, &env, &format!("/cases/{id}")).await {
        Ok(s) => s,
        Err(response) => return response,
    };
    match load_case(&signed_in, &id).await {
        Ok(Some(case_page)) => page(&case_page, signed_in.env),
        Ok(None) => super::not_found().await,
        Err(response) => response,
    }
}

/// The case and the objects on it: what its history is made of.
fn case_objects(id: &str, case: &Value) -> Vec<String> {
    let mut objects = vec![id.to_string()];
    for name in ["accounts", "reports", "inquiries"] {
        objects.extend(view::related(case, name));
    }
    objects
}

/// `GET /{env}/cases/{id}/version`: the newest event about the case or its objects, as
/// text; the case page's script asks every few seconds and offers to show what changed.
pub async fn version(
    State(console): State<Console>,
    Path((env, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let signed_in = match person(&console, &headers, &env, &format!("/cases/{id}")).await {
        Ok(s) => s,
        Err(response) => return response,
    };
    if !id.starts_with("case_") || id.contains(['/', '?', '#', '&', ',']) {
        return super::not_found().await;
    }
    let case = match read(&signed_in, &format!("/cases/{id}")).await {
        Ok(case) if case["data"].is_object() => case,
        Ok(_) => return super::not_found().await,
        Err(response) => return response,
    };
    let path = format!(
        "/events?filter[object-id]={}&page[size]=1",
        case_objects(&id, &case["data"]).join(",")
    );
    match read(&signed_in, &path).await {
        Ok(events) => events["data"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string()
            .into_response(),
        Err(response) => response,
    }
}

async fn load_case(signed_in: &SignedIn, id: &str) -> Result<Option<CasePage>, Response> {
    if !id.starts_with("case_") {
        return Ok(None);
    }
    let case = read(signed_in, &format!("/cases/{id}")).await?;
    let case = case["data"].clone();
    if case.is_null() {
        return Ok(None);
    }
    let template_id = case["relationships"]["case_template"]["data"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let template = read(signed_in, &format!("/case-templates/{template_id}")).await?;
    let resolutions = template["data"]["attributes"]["resolutions"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|r| r.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_else(|| vec!["Approved".into(), "Declined".into()]);
    let mut accounts = Vec::new();
    for account_id in view::related(&case, "accounts") {
        let account = read(signed_in, &format!("/accounts/{account_id}")).await?;
        let account = &account["data"];
        if !account.is_null() {
            accounts.push((
                account_id,
                view::account_title(account),
                view::account_fields(account),
            ));
        }
    }
    let mut reports = Vec::new();
    for report_id in view::related(&case, "reports") {
        let report = read(signed_in, &format!("/reports/{report_id}")).await?;
        let report = &report["data"];
        if report.is_null() {
            continue;
        }
        let matches = read(signed_in, &format!("/reports/{report_id}/matches")).await?;
        let hits = matches["data"]
            .as_array()
            .map(|items| items.iter().map(view::hit).collect())
            .unwrap_or_default();
        let names = [
            view::text(report, "name_first"),
            view::text(report, "name_middle"),
            view::text(report, "name_last"),
        ]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
        // A query is names, or one term (a company, a whole name as typed).
        let query = if names.is_empty() {
            view::text(report, "term")
        } else {
            names
        };
        reports.push(ReportCard {
            id: report_id,
            query,
            has_match: report["attributes"]["has_match"].as_bool().unwrap_or(false),
            hits,
        });
    }
    let mut inquiries = Vec::new();
    let mut documents = Vec::new();
    for inquiry_id in view::related(&case, "inquiries") {
        let inquiry = read(signed_in, &format!("/inquiries/{inquiry_id}")).await?;
        let inquiry = &inquiry["data"];
        if inquiry.is_null() {
            continue;
        }
        for document_id in view::related(inquiry, "documents") {
            let document = read(signed_in, &format!("/documents/{document_id}")).await?;
            if document["data"].is_object() {
                documents.push(view::document_card(
                    &document["data"],
                    signed_in.env.as_str(),
                ));
            }
        }
        let comparison = read(signed_in, &format!("/inquiries/{inquiry_id}/comparison")).await?;
        let mut verifications = Vec::new();
        for verification_id in view::related(inquiry, "verifications") {
            let verification =
                read(signed_in, &format!("/verifications/{verification_id}")).await?;
            if verification["data"].is_object() {
                verifications.push(view::verification_card(&verification["data"]));
            }
        }
        inquiries.push(InquiryCard {
            status: view::text(inquiry, "status"),
            rows: view::comparison(&comparison, inquiry),
            id: inquiry_id,
            verifications,
        });
    }
    let comments = read(signed_in, &format!("/cases/{id}/comments?page[size]=100")).await?;
    let comments = comments["data"]
        .as_array()
        .map(|items| items.iter().rev().map(view::comment).collect())
        .unwrap_or_default();
    // The case's history and its objects' (a dismissed hit is the report's event).
    let events = read(
        signed_in,
        &format!(
            "/events?filter[object-id]={}&page[size]=100",
            case_objects(id, &case).join(",")
        ),
    )
    .await?;
    let events = events["data"].as_array().cloned().unwrap_or_default();
    // What the page shows is as of the newest event about the case or its objects.
    let version = events
        .first()
        .and_then(|e| e["id"].as_str())
        .unwrap_or_default()
        .to_string();
    let timeline: Vec<TimelineEntry> = events.iter().map(view::timeline_entry).collect();
    let opened_by = events
        .iter()
        .rev()
        .find(|e| e["attributes"]["name"] == "case.created")
        .map(|created| view::timeline_entry(created).who)
        .unwrap_or_default();
    let status = view::text(&case, "status");
    let is_open = matches!(status.as_str(), "open" | "pending");
    let proposal = if status == "pending" {
        let answer = read(signed_in, &format!("/cases/{id}/proposal")).await?;
        proposal(&answer, &signed_in.person.id)
    } else {
        None
    };
    let assignee = view::text(&case, "assignee_id");
    let row = view::case_row(&case, &now_iso());
    let person = &signed_in.person;
    Ok(Some(CasePage {
        chrome: Chrome::new(signed_in, "cases", format!("Case {}", row.name)),
        id: id.to_string(),
        name: row.name,
        assigned_to_me: !assignee.is_empty() && assignee == person.email,
        assignee,
        status,
        is_open,
        sla: row.sla,
        overdue: row.overdue,
        created: row.created,
        opened_by,
        tags: view::tags(&case),
        resolutions,
        may_decide: person.may("case.decide"),
        may_dismiss: person.may("report.dismiss"),
        may_work: person.may("case.write"),
        proposal,
        version,
        documents,
        accounts,
        reports,
        inquiries,
        comments,
        timeline,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_match_known_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_424), (2025, 12, 2));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn inbox_views_filter_as_reviewers_expect() {
        assert_eq!(view_filters("mine", "a@b.c")["assignee_id"], "a@b.c");
        assert_eq!(view_filters("anything", "a@b.c")["assignee_id"], "none");
        assert_eq!(view_filters("resolved", "")["status"], "resolved");
    }
}
