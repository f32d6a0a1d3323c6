//! Inquiries, their sessions and templates as JSON:API resources; beyond Persona, an
//! inquiry's reverification comparison.

use serde_json::{json, Map, Value};
use vigil_domain::inquiry::reverify::Comparison;
use vigil_domain::inquiry::session::{Device, InquirySession};
use vigil_domain::inquiry::template::InquiryTemplate;
use vigil_domain::inquiry::Inquiry;
use vigil_domain::time::format_millis;

use super::time;

pub const TYPE: &str = "inquiry";
pub const SESSION: &str = "inquiry-session";
pub const TEMPLATE: &str = "inquiry-template";
const TEMPLATE_VERSION: &str = "inquiry-template-version";

fn one(kind: &str, id: Option<&str>) -> Value {
    json!({ "data": id.map(|id| json!({"type": kind, "id": id})) })
}

fn many(kind: &str, ids: &[String]) -> Value {
    json!({ "data": ids.iter().map(|id| json!({"type": kind, "id": id})).collect::<Vec<_>>() })
}

pub fn resource(inquiry: &Inquiry) -> Value {
    let l = &inquiry.lifecycle;
    let mut a = Map::new();
    a.insert("status".into(), json!(inquiry.status().as_str()));
    a.insert("reference-id".into(), json!(inquiry.reference_id));
    a.insert("note".into(), json!(inquiry.note));
    a.insert("behaviors".into(), Value::Null);
    a.insert("tags".into(), json!(inquiry.tags));
    a.insert("creator".into(), json!(inquiry.creator));
    a.insert("reviewer-comment".into(), json!(inquiry.reviewer_comment));
    a.insert("created-at".into(), json!(format_millis(l.created_at)));
    a.insert(
        "updated-at".into(),
        json!(format_millis(inquiry.updated_at)),
    );
    a.insert("started-at".into(), time(l.started_at));
    a.insert("expires-at".into(), time(inquiry.due_at()));
    a.insert("completed-at".into(), time(l.completed_at));
    a.insert("failed-at".into(), time(l.failed_at));
    a.insert("marked-for-review-at".into(), time(l.marked_for_review_at));
    a.insert("decisioned-at".into(), time(l.decisioned_at));
    a.insert("expired-at".into(), time(l.expired_at));
    a.insert("redacted-at".into(), time(inquiry.redacted_at));
    a.insert("previous-step-name".into(), Value::Null);
    a.insert("next-step-name".into(), Value::Null);
    a.insert("fields".into(), Value::Object(inquiry.fields.clone()));
    let mut r = Map::new();
    r.insert(
        "account".into(),
        one("account", inquiry.account_id.as_deref()),
    );
    r.insert(
        "inquiry-template".into(),
        one(TEMPLATE, Some(&inquiry.template_id)),
    );
    r.insert(
        "inquiry-template-version".into(),
        one(TEMPLATE_VERSION, Some(&inquiry.template_version_id)),
    );
    r.insert(
        "reports".into(),
        many("report/watchlist", &inquiry.report_ids),
    );
    r.insert(
        "verifications".into(),
        json!({ "data": inquiry.verifications.iter().map(|v| json!({"type": v.kind.type_name(), "id": v.id})).collect::<Vec<_>>() }),
    );
    r.insert("sessions".into(), many(SESSION, &inquiry.session_ids));
    r.insert(
        "documents".into(),
        many("document/generic", &inquiry.document_ids),
    );
    r.insert("selfies".into(), many("selfie", &[]));
    json!({ "type": TYPE, "id": inquiry.id, "attributes": a, "relationships": r })
}

pub fn session(session: &InquirySession) -> Value {
    json!({
        "type": SESSION,
        "id": session.id,
        "attributes": {
            "status": session.status.as_str(),
            "created-at": format_millis(session.created_at),
            "started-at": time(session.started_at),
            "expired-at": time(session.expired_at),
            "ip-address": session.ip_address,
            "user-agent": session.user_agent,
        },
        "relationships": {
            "inquiry": one(TYPE, Some(&session.inquiry_id)),
            "device": one(DEVICE, session.device_id.as_deref()),
        },
    })
}

pub const DEVICE: &str = "device";

/// A device: the browser fingerprint the flow took (vigil has no mobile SDK, so no
/// device fingerprint or vendor id).
pub fn device(device: &Device) -> Value {
    json!({
        "type": DEVICE,
        "id": device.id,
        "attributes": {
            "device-vendor-id": null,
            "device-fingerprint": null,
            "browser-fingerprint": device.browser_fingerprint,
        },
    })
}

pub fn template(template: &InquiryTemplate) -> Value {
    let schemas: Vec<Value> = template
        .field_schemas
        .iter()
        .map(|f| {
            json!({
                "type": f.kind.as_str(),
                "key": f.key,
                "label": f.label,
                "config": { "required": f.required },
            })
        })
        .collect();
    json!({
        "type": TEMPLATE,
        "id": template.id,
        "attributes": {
            "name": template.name,
            "status": template.status,
            "embedded-flow-domain-allowlist": template.embedded_flow_domains,
            "hosted-flow-subdomains": [],
            "hosted-flow-redirect-uri-schemes": [],
            "field-schemas": schemas,
        },
        "relationships": {
            "latest-published-version": { "data": { "type": TEMPLATE_VERSION, "id": template.version_id } },
        },
    })
}

/// A template's translations (`inquiry-template-translations`): every field's label
/// (step `details`, its `en-US` text the template's label) and every text imported.
pub fn translations(template: &InquiryTemplate) -> Value {
    translations_in(template, None)
}

/// [`translations`]; with a `language` (the verification flow's, from its
/// `Accept-Language`), each text keeps only the value for it (that locale, else one of its
/// language), none when there is none.
pub fn translations_in(template: &InquiryTemplate, language: Option<&str>) -> Value {
    use vigil_domain::inquiry::translation::Translation;
    let stored = |step: &str, component: &str, attribute: &str| {
        template
            .translations
            .iter()
            .find(|t| t.step == step && t.component == component && t.attribute == attribute)
    };
    let row = |t: &Translation| {
        json!({
            "step": t.step,
            "step-display-name": t.step_display_name.clone().unwrap_or_else(|| t.step.clone()),
            "component": t.component,
            "attribute-name": t.attribute,
            "locale-values": match language {
                None => t.values.iter().collect::<Vec<_>>(),
                Some(language) => t.value_for(language).into_iter().collect(),
            }
            .into_iter()
            .map(|(locale, value)| json!({"locale": locale, "value": value}))
            .collect::<Vec<_>>(),
        })
    };
    let mut rows: Vec<Value> = template
        .field_schemas
        .iter()
        .map(|f| {
            let mut label = Translation {
                step: "details".into(),
                step_display_name: Some("Your details".into()),
                component: f.key.clone(),
                attribute: "label".into(),
                values: f
                    .label
                    .iter()
                    .map(|l| ("en-US".to_string(), l.clone()))
                    .collect(),
            };
            if let Some(kept) = stored("details", &f.key, "label") {
                label
                    .values
                    .retain(|(l, _)| !kept.values.iter().any(|(k, _)| k.eq_ignore_ascii_case(l)));
                label.values.extend(kept.values.iter().cloned());
            }
            row(&label)
        })
        .collect();
    rows.extend(
        template
            .translations
            .iter()
            .filter(|t| {
                !(t.step == "details"
                    && t.attribute == "label"
                    && template.field(&t.component).is_some())
            })
            .map(row),
    );
    json!({
        "type": "inquiry-template-translations",
        "id": template.version_id,
        "attributes": { "translations": rows },
    })
}

/// A template's one version (vigil's templates are not versioned).
pub fn template_version(template: &InquiryTemplate) -> Value {
    json!({
        "type": TEMPLATE_VERSION,
        "id": template.version_id,
        "attributes": {
            "name-display": template.name,
            "description": null,
            "status": "published",
            "live": true,
            "last-updater": null,
            "enabled-locales": ["en-US"],
            "created-at": format_millis(template.created_at),
            "updated-at": format_millis(template.updated_at),
            "published-at": format_millis(template.created_at),
        },
    })
}

/// Beyond Persona: `GET /inquiries/{id}/comparison`.
pub fn comparison(inquiry_id: &str, comparison: Option<&Comparison>) -> Value {
    let Some(c) = comparison else {
        return json!({ "data": { "type": "inquiry-comparison", "id": inquiry_id, "attributes": { "verdict": null, "fields": [] } } });
    };
    json!({
        "data": {
            "type": "inquiry-comparison",
            "id": inquiry_id,
            "attributes": {
                "verdict": c.verdict,
                "populated-account": c.populated_account,
                "compared-at": format_millis(c.compared_at),
                "fields": c.fields.iter().map(|f| json!({
                    "field": f.field, "outcome": f.outcome, "method": f.method, "score": f.score,
                })).collect::<Vec<_>>(),
            }
        }
    })
}

/// Beyond Persona: a template's flow steps after its fields (`inquiry-template-steps`,
/// the template's id).
pub fn steps(template: &InquiryTemplate) -> Value {
    json!({
        "type": "inquiry-template-steps",
        "id": template.id,
        "attributes": template.steps.to_json(),
    })
}
