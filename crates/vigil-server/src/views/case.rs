//! Cases, their templates, queues and comments as JSON:API resources.

use serde_json::{json, Map, Value};
use vigil_domain::case::{Case, CaseComment, CaseQueue, CaseTemplate, Participant};
use vigil_domain::time::format_millis;

use super::time;

pub const TYPE: &str = "case";
pub const TEMPLATE: &str = "case-template";
pub const QUEUE: &str = "case-queue";
pub const COMMENT: &str = "case-comment";

fn many(kind: &str, ids: &[String]) -> Value {
    json!({ "data": ids.iter().map(|id| json!({"type": kind, "id": id})).collect::<Vec<_>>() })
}

fn actor(a: &mut Map<String, Value>, role: &str, who: Option<&Participant>) {
    a.insert(format!("{role}-id"), json!(who.map(|w| &w.id)));
    a.insert(format!("{role}-type"), json!(who.map(|w| &w.kind)));
}

pub fn resource(case: &Case) -> Value {
    let mut a = Map::new();
    a.insert(
        "status".into(),
        json!(case.resolution.as_deref().unwrap_or(case.status.as_str())),
    );
    a.insert("name".into(), json!(case.name));
    a.insert("resolution".into(), json!(case.resolution));
    a.insert("created-at".into(), json!(format_millis(case.created_at)));
    a.insert("updated-at".into(), json!(format_millis(case.updated_at)));
    a.insert("assigned-at".into(), time(case.assigned_at));
    a.insert("resolved-at".into(), time(case.resolved_at));
    a.insert("redacted-at".into(), time(case.redacted_at));
    a.insert("sla-expires-at".into(), time(case.sla_expires_at));
    actor(&mut a, "creator", Some(&case.creator));
    a.insert("assignee-id".into(), json!(case.assignee));
    actor(&mut a, "assigner", case.assigner.as_ref());
    actor(&mut a, "resolver", case.resolver.as_ref());
    actor(&mut a, "updater", case.updater.as_ref());
    a.insert("tags".into(), json!(case.tags));
    a.insert("fields".into(), Value::Object(case.fields.clone()));
    a.insert("attachments".into(), json!([]));
    json!({
        "type": TYPE,
        "id": case.id,
        "attributes": a,
        "relationships": {
            "accounts": many("account", &case.account_ids),
            "case-comments": many(COMMENT, &case.comment_ids),
            "case-template": { "data": { "type": TEMPLATE, "id": case.template_id } },
            "case-queue": { "data": case.queue_id.as_ref().map(|id| json!({"type": QUEUE, "id": id})) },
            "inquiries": many("inquiry", &case.inquiry_ids),
            "reports": many("report/watchlist", &case.report_ids),
            "verifications": many("verification", &[]),
            "txns": many("transaction", &[]),
        },
    })
}

pub fn template(template: &CaseTemplate) -> Value {
    json!({
        "type": TEMPLATE,
        "id": template.id,
        "attributes": {
            "status": template.status,
            "name": template.name,
            "resolutions": template.resolutions,
            "created-at": format_millis(template.created_at),
            "updated-at": format_millis(template.updated_at),
            "archived-at": null,
            "field-schemas": template.field_schemas.iter().map(|f| json!({
                "type": f.kind.as_str(), "key": f.key, "label": f.label, "config": {"required": f.required},
            })).collect::<Vec<_>>(),
        },
    })
}

/// Beyond Persona (which has no queue endpoints): a queue.
pub fn queue(queue: &CaseQueue) -> Value {
    json!({
        "type": QUEUE,
        "id": queue.id,
        "attributes": {
            "status": queue.status,
            "name": queue.name,
            "created-at": format_millis(queue.created_at),
            "updated-at": format_millis(queue.updated_at),
            "archived-at": null,
        },
    })
}

pub fn comment(comment: &CaseComment) -> Value {
    json!({
        "type": COMMENT,
        "id": comment.id,
        "attributes": {
            "message": comment.message,
            "created-at": format_millis(comment.created_at),
            "updated-at": format_millis(comment.updated_at),
            "commenter-id": comment.commenter.id,
            "commenter-type": comment.commenter.kind,
        },
        "relationships": { "case": { "data": { "type": TYPE, "id": comment.case_id } } },
    })
}

/// Beyond Persona: a template's second review (four eyes), `case-template-second-review`.
pub fn second_review(template: &CaseTemplate) -> Value {
    json!({
        "type": "case-template-second-review",
        "id": template.id,
        "attributes": {
            "resolutions": template.second_review,
            "template-resolutions": template.resolutions,
            "updated-at": format_millis(template.updated_at),
        },
    })
}

/// Beyond Persona: the decision a case waits on a second reviewer for (`case-proposal`),
/// or `null`.
pub fn proposal(case: &Case) -> Value {
    match &case.proposal {
        None => Value::Null,
        Some(proposal) => json!({
            "type": "case-proposal",
            "id": case.id,
            "attributes": {
                "resolution": proposal.resolution,
                "proposed-at": format_millis(proposal.at),
                "proposer": proposal.by,
            },
        }),
    }
}
