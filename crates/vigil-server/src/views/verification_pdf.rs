//! A verification as a PDF (`GET /verifications/{id}/print`): its status, times, every
//! check with its reasons, and what it read. A redacted verification prints no data.

use serde_json::Value;
use vigil_domain::time::format_millis;
use vigil_domain::verification::{CheckStatus, Verification};

use super::pdf::Line;

fn lines(found: &Verification, printed_at: i64) -> Vec<Line> {
    let mut out = vec![
        Line::Title(format!("Verification {}", found.id)),
        Line::Text(format!("Printed {}", format_millis(printed_at))),
        Line::Gap,
        Line::Field("Kind", found.kind.type_name().into()),
        Line::Field("Status", found.status.as_str().replace('_', " ")),
        Line::Field("Inquiry", found.inquiry_id.clone()),
        Line::Field("Created", format_millis(found.created_at)),
    ];
    if let Some(at) = found.completed_at {
        out.push(Line::Field("Completed", format_millis(at)));
    }
    if found.locked {
        out.push(Line::Field("Locked", "under investigation".into()));
    }
    if let Some(at) = found.redacted_at {
        out.push(Line::Field("Redacted", format_millis(at)));
    }
    out.push(Line::Gap);
    out.push(Line::Heading("Checks".into()));
    for check in &found.checks {
        let status = match check.status {
            CheckStatus::Passed => "passed",
            CheckStatus::Failed => "failed",
            CheckStatus::NotApplicable => "not applicable",
        };
        let reasons = if check.reasons.is_empty() {
            String::new()
        } else {
            format!(" ({})", check.reasons.join(", "))
        };
        out.push(Line::Text(format!("{}: {status}{reasons}", check.name)));
    }
    if found.redacted_at.is_none() && !found.attributes.is_empty() {
        out.push(Line::Gap);
        out.push(Line::Heading("Read".into()));
        for (key, value) in &found.attributes {
            let value = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            out.push(Line::Text(format!("{key}: {value}")));
        }
    }
    out
}

pub fn render(found: &Verification, printed_at: i64) -> Vec<u8> {
    super::pdf::render(
        &format!("Verification {}", found.id),
        &found.id,
        lines(found, printed_at),
    )
}
