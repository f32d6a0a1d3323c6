//! An inquiry as a PDF (`GET /inquiries/{id}/print`): its status and times, what the
//! person submitted, and what reverification found, for a reviewer's file (laid out by
//! `views::pdf`). A redacted inquiry prints only that it was redacted.

use serde_json::Value;
use vigil_domain::inquiry::Inquiry;
use vigil_domain::time::format_millis;

use super::pdf::Line;

fn lines(inquiry: &Inquiry, printed_at: i64) -> Vec<Line> {
    let l = &inquiry.lifecycle;
    let mut out = vec![
        Line::Title(format!("Inquiry {}", inquiry.id)),
        Line::Text(format!("Printed {}", format_millis(printed_at))),
        Line::Gap,
        Line::Field("Status", inquiry.status().as_str().replace('_', " ")),
        Line::Field("Template", inquiry.template_id.clone()),
        Line::Field(
            "Account",
            inquiry.account_id.clone().unwrap_or_else(|| "none".into()),
        ),
    ];
    if let Some(redacted) = inquiry.redacted_at {
        out.push(Line::Field("Redacted", format_millis(redacted)));
        return out;
    }
    if let Some(reference) = &inquiry.reference_id {
        out.push(Line::Field("Reference id", reference.clone()));
    }
    for (label, at) in [
        ("Created", Some(l.created_at)),
        ("Started", l.started_at),
        ("Completed", l.completed_at),
        ("Failed", l.failed_at),
        ("For review", l.marked_for_review_at),
        ("Decided", l.decisioned_at),
        ("Expired", l.expired_at),
    ] {
        if let Some(at) = at {
            out.push(Line::Field(label, format_millis(at)));
        }
    }
    if let Some(comment) = &inquiry.reviewer_comment {
        out.push(Line::Field("Reviewer", comment.clone()));
    }
    if !inquiry.tags.is_empty() {
        out.push(Line::Field("Tags", inquiry.tags.join(", ")));
    }
    out.push(Line::Gap);
    out.push(Line::Heading("Submitted".into()));
    let mut any = false;
    for (key, field) in &inquiry.fields {
        let value = match field.get("value") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => continue,
            Some(other) => other.to_string(),
        };
        out.push(Line::Text(format!("{key}: {value}")));
        any = true;
    }
    if !any {
        out.push(Line::Text("Nothing yet.".into()));
    }
    if let Some(comparison) = &inquiry.comparison {
        out.push(Line::Gap);
        out.push(Line::Heading(format!(
            "Reverification: {:?}{}",
            comparison.verdict,
            if comparison.populated_account {
                " (the account was filled from this inquiry)"
            } else {
                ""
            }
        )));
        for field in &comparison.fields {
            let score = field.score.map(|s| format!(", {s:.3}")).unwrap_or_default();
            out.push(Line::Text(format!(
                "{}: {:?} ({}{score})",
                field.field, field.outcome, field.method
            )));
        }
    }
    out
}

pub fn render(inquiry: &Inquiry, printed_at: i64) -> Vec<u8> {
    super::pdf::render(
        &format!("Inquiry {}", inquiry.id),
        &inquiry.id,
        lines(inquiry, printed_at),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_domain::inquiry::template::{standard_field_schemas, Expiration, InquiryTemplate};

    fn inquiry() -> Inquiry {
        let template = InquiryTemplate {
            id: "itmpl_a".into(),
            version_id: "itmplv_a".into(),
            name: "Default".into(),
            status: "active".into(),
            field_schemas: standard_field_schemas(),
            embedded_flow_domains: Vec::new(),
            translations: Vec::new(),
            steps: Default::default(),
            expiration: Expiration::default(),
            created_at: 0,
            updated_at: 0,
        };
        let mut inquiry = Inquiry::new(
            "inq_print".into(),
            &template,
            Expiration::default(),
            "k".into(),
            1_700_000_000_000,
        );
        inquiry.fields["name-last"] = serde_json::json!({"type": "string", "value": "Thistlewood"});
        inquiry
    }

    #[test]
    fn prints_what_was_submitted_and_nothing_once_redacted() {
        let body = String::from_utf8_lossy(&render(&inquiry(), 0)).into_owned();
        assert!(body.starts_with("%PDF-"));
        assert!(body.contains("(name-last: Thistlewood)"));
        assert!(body.contains("(inq_print - page 1 of 1)"));
        let mut redacted = inquiry();
        redacted.redact(5);
        let body = String::from_utf8_lossy(&render(&redacted, 0)).into_owned();
        assert!(!body.contains("Thistlewood"));
        assert!(body.contains("Redacted"));
    }
}
