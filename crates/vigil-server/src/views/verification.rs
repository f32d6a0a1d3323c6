//! Verifications as Persona's `verification/<kind>` resources.

use serde_json::{json, Map, Value};
use vigil_domain::verification::{CheckStatus, Verification, VerificationKind, PERSON_ATTRIBUTES};

use super::time;

/// The object type events about verifications carry (the payload says the kind).
pub const SUBJECT: &str = "verification";

/// What each kind shows of what it read, in Persona's attribute names (absent ones are
/// null, as Persona renders them).
fn read_attributes(kind: VerificationKind) -> Vec<&'static str> {
    match kind {
        VerificationKind::Database => PERSON_ATTRIBUTES.to_vec(),
        VerificationKind::GovernmentId => PERSON_ATTRIBUTES
            .iter()
            .copied()
            .chain([
                "document-number",
                "id-class",
                "issue-date",
                "expiration-date",
                "issuing-subdivision",
                "nationality",
                "sex",
                "capture-method",
                "front-photo-url",
                "back-photo-url",
            ])
            .collect(),
        VerificationKind::Selfie => vec!["capture-method", "center-photo-url"],
    }
}

fn seconds(millis: Option<i64>) -> Value {
    json!(millis.map(|m| m.div_euclid(1000)))
}

pub fn resource(found: &Verification) -> Value {
    let mut a = Map::new();
    a.insert("status".into(), json!(found.status.as_str()));
    a.insert("created-at".into(), time(Some(found.created_at)));
    a.insert("created-at-ts".into(), seconds(Some(found.created_at)));
    a.insert("submitted-at".into(), time(found.submitted_at));
    a.insert("submitted-at-ts".into(), seconds(found.submitted_at));
    a.insert("completed-at".into(), time(found.completed_at));
    a.insert("completed-at-ts".into(), seconds(found.completed_at));
    a.insert("redacted-at".into(), time(found.redacted_at));
    a.insert("country-code".into(), json!(found.country_code));
    a.insert("tags".into(), json!(found.tags));
    let checks: Vec<Value> = found
        .checks
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "status": match c.status {
                    CheckStatus::Passed => "passed",
                    CheckStatus::Failed => "failed",
                    CheckStatus::NotApplicable => "not_applicable",
                },
                "reasons": c.reasons,
                "requirement": if c.required { "required" } else { "not_required" },
                "metadata": c.metadata,
            })
        })
        .collect();
    a.insert("checks".into(), Value::Array(checks));
    for key in read_attributes(found.kind) {
        let value = found.attributes.get(key).cloned().unwrap_or(Value::Null);
        a.insert(key.into(), value);
    }
    let inquiry = json!({"type": "inquiry", "id": found.inquiry_id});
    let template = json!({"type": "inquiry-template", "id": found.inquiry_template_id});
    let accounts: Vec<Value> = found
        .account_id
        .iter()
        .map(|id| json!({"type": "account", "id": id}))
        .collect();
    json!({
        "type": found.kind.type_name(),
        "id": found.id,
        "attributes": a,
        "relationships": {
            "inquiry": { "data": inquiry },
            "inquiry-template": { "data": template },
            "accounts": { "data": accounts },
        },
    })
}
