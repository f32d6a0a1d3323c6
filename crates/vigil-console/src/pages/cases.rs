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
use crate::view::{self, CaseRow, Chrome, Comment, Field, InquiryCard, ReportCard, TimelineEntry};
use crate::Console;

/// The inbox's views: which cases a reviewer is looking at.
const VIEWS: &[(&str, &str)] = &[
    ("unassigned", "Unassigned"),
    ("mine", "Assigned to me"),
    ("open", "All open"),
    ("resolved", "Resolved"),
];

#[derive(Deserialize)]
pub struct InboxQuery {
    #[serde(default)]
    view: Option<String>,
    #[serde(default)]
    after: Option<String>,
    #[serde(default)]
    notice: Option<String>,
}

/// The inbox's list alone, which the page's script fetches every few seconds (with
/// `Vigil-Partial: inbox`) to show new and changed cases without a reload.
#[derive(Template)]
#[template(path = "inbox_table.html")]
struct InboxTable {
    chrome: Chrome,
    rows: Vec<CaseRow>,
    next_page: String,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    chrome: Chrome,
    view: String,
    views: Vec<(&'static str, &'static str)>,
    rows: Vec<CaseRow>,
    next_page: String,
    notice: String,
}

/// The API's answer for a list, or the page that says why there is none.
async fn list(
    signed_in: &SignedIn,
    operation: &str,
    args: Value,
) -> Result<vigil_client::Response, Response> {
    let args: Map<String, Value> = args.as_object().cloned().unwrap_or_default();
    signed_in
        .api
        .call(operation, &args)
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

pub(super) fn now_iso() -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    // Only compared with the API's ISO times, so the format must match theirs.
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

/// `GET /{env}/cases?view=unassigned|mine|open|resolved`.
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
        .filter(|v| VIEWS.iter().any(|(name, _)| name == v))
        .unwrap_or_else(|| "unassigned".into());
    let mut args = view_filters(&view, &signed_in.person.email);
    args["page_size"] = json!(25);
    if let Some(after) = query.after.filter(|a| !a.is_empty()) {
        args["cursor"] = json!(after);
    }
    let answer = match list(&signed_in, "list_cases", args).await {
        Ok(answer) => answer,
        Err(response) => return response,
    };
    let now = now_iso();
    let rows = answer.body["data"]
        .as_array()
        .map(|cases| cases.iter().map(|c| view::case_row(c, &now)).collect())
        .unwrap_or_default();
    let next_page = answer
        .next_cursor()
        .map(|cursor| format!("{here}?view={view}&after={cursor}"))
        .unwrap_or_default();
    let notice = match query.notice.as_deref() {
        Some("empty") => "No unassigned case is waiting. Well done.".to_string(),
        Some(assigned) => match assigned
            .strip_prefix("assigned-")
            .and_then(|n| n.parse::<u32>().ok())
        {
            Some(1) => "1 case assigned to you.".to_string(),
            Some(n) => format!("{n} cases assigned to you."),
            None => String::new(),
        },
        None => String::new(),
    };
    let title = VIEWS
        .iter()
        .find(|(name, _)| *name == view)
        .map(|(_, label)| *label)
        .unwrap_or("Cases");
    let chrome = Chrome::new(&signed_in, "cases", format!("Cases: {title}"));
    if headers.get("vigil-partial").is_some_and(|v| v == "inbox") {
        return page(
            &InboxTable {
                chrome,
                rows,
                next_page,
            },
            env,
        );
    }
    page(
        &InboxPage {
            chrome,
            view,
            views: VIEWS.to_vec(),
            rows,
            next_page,
            notice,
        },
        env,
    )
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// `POST /{env}/cases/batch` with `case=...` for each ticked case and `action=assign`:
/// each is assigned to me through the API; the inbox then says how many.
pub async fn batch(
    State(console): State<Console>,
    Path(env): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (mut csrf, mut action, mut ids) = (String::new(), String::new(), Vec::new());
    for (name, value) in form_urlencoded::parse(&body) {
        match name.as_ref() {
            "csrf" => csrf = value.into_owned(),
            "action" => action = value.into_owned(),
            "case" => ids.push(value.into_owned()),
            _ => {}
        }
    }
    let signed_in = match poster(&console, &headers, &env, &csrf, "/cases").await {
        Ok(s) => s,
        Err(response) => return response,
    };
    if action != "assign" {
        return super::not_found().await;
    }
    let mut done = 0;
    for id in ids.iter().filter(|id| id.starts_with("case_")) {
        match assign(&signed_in, id).await {
            Ok(()) => done += 1,
            Err(error) => return failure(&error),
        }
    }
    Redirect::to(&format!("/{env}/cases?view=mine&notice=assigned-{done}")).into_response()
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
    signed_in
        .api
        .call("assign_case", args.as_object().unwrap())
        .await
        .map(|_| ())
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
    match signed_in
        .api
        .call("create_case_comment", args.as_object().unwrap())
        .await
    {
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
        return page(
            &ConfirmPage {
                chrome: Chrome::new(&signed_in, "cases", "Confirm the decision"),
                case_name: view::text(&case, "name"),
                case_id: id,
                status: form.status,
            },
            signed_in.env,
        );
    }
    let args = json!({"case_id": id, "status": form.status});
    match signed_in
        .api
        .call("set_case_status", args.as_object().unwrap())
        .await
    {
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
    for inquiry_id in view::related(&case, "inquiries") {
        let inquiry = read(signed_in, &format!("/inquiries/{inquiry_id}")).await?;
        let inquiry = &inquiry["data"];
        if inquiry.is_null() {
            continue;
        }
        let comparison = read(signed_in, &format!("/inquiries/{inquiry_id}/comparison")).await?;
        inquiries.push(InquiryCard {
            status: view::text(inquiry, "status"),
            rows: view::comparison(&comparison, inquiry),
            id: inquiry_id,
        });
    }
    let comments = read(signed_in, &format!("/cases/{id}/comments?page[size]=100")).await?;
    let comments = comments["data"]
        .as_array()
        .map(|items| items.iter().rev().map(view::comment).collect())
        .unwrap_or_default();
    // The case's history and its objects' (a dismissed hit is the report's event).
    let mut objects = vec![id.to_string()];
    for name in ["accounts", "reports", "inquiries"] {
        objects.extend(view::related(&case, name));
    }
    let events = read(
        signed_in,
        &format!(
            "/events?filter[object-id]={}&page[size]=100",
            objects.join(",")
        ),
    )
    .await?;
    let events = events["data"].as_array().cloned().unwrap_or_default();
    let timeline: Vec<TimelineEntry> = events.iter().map(view::timeline_entry).collect();
    let opened_by = events
        .iter()
        .rev()
        .find(|e| e["attributes"]["name"] == "case.created")
        .map(|created| view::timeline_entry(created).who)
        .unwrap_or_default();
    let status = view::text(&case, "status");
    let is_open = matches!(status.as_str(), "open" | "pending");
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
