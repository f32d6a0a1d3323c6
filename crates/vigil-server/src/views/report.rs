//! Watchlist reports, their history and (beyond Persona) their scored matches.

use serde_json::{json, Map, Value};
use vigil_domain::report::{HistoryEntry, MatchRecord, Report};
use vigil_domain::time::format_millis;

use super::time;

/// The report's JSON:API type (also the internal object type of its events).
pub const TYPE: &str = "report/watchlist";

/// A matched entity as Persona shows it: name, alias type, birth years.
fn entity(record: &MatchRecord) -> Value {
    let alias_type = if record.matched_on != "name"
        || record.matched_value == record.entity_name.to_lowercase()
    {
        "primary_name"
    } else {
        "aka"
    };
    json!({
        "name": record.entity_name,
        "alias-type": alias_type,
        "birthdates": record.birth_years.iter().map(|y| json!({"year": y.to_string(), "granularity": "year"})).collect::<Vec<_>>(),
    })
}

fn list_head(record: &MatchRecord) -> Map<String, Value> {
    let mut head = Map::new();
    head.insert("name".into(), json!(record.list.name));
    head.insert("list-type".into(), json!(record.list.list_type));
    head.insert("list-types".into(), json!([record.list.list_type]));
    head.insert("slug".into(), json!(record.list.id));
    head
}

/// `matched-lists`: matches grouped by the list they came from.
fn matched_lists(matches: &[MatchRecord]) -> Value {
    let mut lists: Vec<(String, Map<String, Value>, Vec<Value>)> = Vec::new();
    for record in matches {
        match lists.iter_mut().find(|(id, ..)| *id == record.list.id) {
            Some((_, _, entities)) => entities.push(entity(record)),
            None => lists.push((
                record.list.id.clone(),
                list_head(record),
                vec![entity(record)],
            )),
        }
    }
    Value::Array(
        lists
            .into_iter()
            .map(|(_, mut head, entities)| {
                head.insert("entities".into(), Value::Array(entities));
                Value::Object(head)
            })
            .collect(),
    )
}

pub fn resource(report: &Report) -> Value {
    let q = &report.query;
    let mut a = Map::new();
    let status = if report.completed_at.is_some() {
        "ready"
    } else {
        "pending"
    };
    a.insert("status".into(), json!(status));
    a.insert("created-at".into(), json!(format_millis(report.created_at)));
    a.insert("completed-at".into(), time(report.completed_at));
    a.insert("redacted-at".into(), time(report.redacted_at));
    a.insert("report-template-version-name".into(), json!("v1"));
    a.insert("has-match".into(), json!(report.has_match()));
    a.insert("is-continuous".into(), json!(report.runs > 1));
    a.insert("is-recurring".into(), json!(report.is_monitored()));
    a.insert("tags".into(), json!(report.tags));
    a.insert("name-first".into(), json!(q.name_first));
    a.insert("name-middle".into(), json!(q.name_middle));
    a.insert("name-last".into(), json!(q.name_last));
    a.insert("term".into(), json!(q.term()));
    // Persona's `birthdate` is a whole date and its attributes take nothing else: a
    // partial one (a year, or a year and month) screens by year but is not echoed.
    let whole = q.birthdate.as_deref().filter(|d| d.len() == 10);
    a.insert("birthdate".into(), json!(whole));
    a.insert("country-code".into(), json!(q.country_code));
    a.insert("matched-lists".into(), matched_lists(&report.matches));
    let ignored: Vec<Value> = report
        .ignored
        .iter()
        .map(|i| {
            let mut head = list_head(&i.matched);
            head.insert("entities".into(), json!([entity(&i.matched)]));
            let mut entry = Map::new();
            entry.insert("ignored-at".into(), json!(format_millis(i.ignored_at)));
            if let Some(completed) = i.run_completed_at {
                entry.insert(
                    "run-history-completed-at".into(),
                    json!(format_millis(completed)),
                );
            }
            entry.insert("match".into(), Value::Object(head));
            entry.insert("user".into(), json!(i.user));
            entry.insert("ignore-reason".into(), json!(i.reason));
            Value::Object(entry)
        })
        .collect();
    a.insert("ignore-list".into(), Value::Array(ignored));
    let account = report
        .account_id
        .as_ref()
        .map_or(Value::Null, |id| json!({"type": "account", "id": id}));
    json!({
        "type": TYPE,
        "id": report.id,
        "attributes": a,
        "relationships": {
            "inquiry": {"data": null},
            "account": {"data": account},
            "transaction": {"data": null},
            "report-template": {"data": {"type": "report-template/watchlist", "id": report.template_id}},
        }
    })
}

/// One line of `GET /reports/{id}/history`.
pub fn history(entry: &HistoryEntry) -> Value {
    let mut out = Map::new();
    out.insert("type".into(), json!(entry.kind));
    out.insert("id".into(), json!(entry.id));
    if entry.kind == "run" {
        out.insert("run-type".into(), json!(entry.run_type));
        out.insert(
            "scheduled-date".into(),
            json!(&format_millis(entry.created_at)[..10]),
        );
        out.insert(
            "completed-at".into(),
            json!(format_millis(entry.created_at)),
        );
        out.insert("matches".into(), json!(entry.matches));
    } else {
        out.insert("created-at".into(), json!(format_millis(entry.created_at)));
        out.insert(
            "creator-name".into(),
            json!(entry.creator_name.clone().unwrap_or_default()),
        );
    }
    Value::Object(out)
}

/// Beyond Persona: one scored match with its explanation (`GET /reports/{id}/matches`).
pub fn scored_match(record: &MatchRecord, dismissed: bool) -> Value {
    json!({
        "type": "report-match",
        "id": record.key,
        "attributes": {
            "list-id": record.list.id,
            "list-name": record.list.name,
            "list-type": record.list.list_type,
            "entity-name": record.entity_name,
            "matched-on": record.matched_on,
            "matched-value": record.matched_value,
            "birth-years": record.birth_years,
            "score": record.score,
            "explanation": record.explanation,
            "first-matched-at": format_millis(record.first_matched_at),
            "dismissed": dismissed,
        }
    })
}
