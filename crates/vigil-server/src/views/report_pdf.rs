//! A watchlist report as a PDF (`GET /reports/{id}/print`): what was screened, every
//! match with its score and how the names matched, every dismissal with who and why, for
//! a reviewer's file (laid out by `views::pdf`).

use super::pdf::Line;
use serde_json::Value;
use vigil_domain::report::{MatchRecord, Report};
use vigil_domain::time::format_millis;

/// The report's lines, top to bottom.
fn lines(report: &Report, printed_at: i64) -> Vec<Line> {
    let mut out = vec![
        Line::Title(format!("Watchlist report {}", report.id)),
        Line::Text(format!("Printed {}", format_millis(printed_at))),
        Line::Gap,
    ];
    let status = if report.completed_at.is_some() {
        "ready"
    } else {
        "pending"
    };
    out.push(Line::Field("Status", status.into()));
    let has_match = if report.has_match() { "yes" } else { "no" };
    out.push(Line::Field("Has match", has_match.into()));
    out.push(Line::Field("Created", format_millis(report.created_at)));
    if let Some(completed) = report.completed_at {
        out.push(Line::Field("Last run", format_millis(completed)));
    }
    out.push(Line::Field("Runs", report.runs.to_string()));
    let monitoring = match (report.is_monitored(), report.paused) {
        (true, _) => "continuous",
        (false, true) => "paused",
        (false, false) => "off",
    };
    out.push(Line::Field("Monitoring", monitoring.into()));
    if let Some(account) = &report.account_id {
        out.push(Line::Field("Account", account.clone()));
    }
    if let Some(reference) = &report.reference_id {
        out.push(Line::Field("Reference id", reference.clone()));
    }
    if !report.tags.is_empty() {
        out.push(Line::Field("Tags", report.tags.join(", ")));
    }
    if let Some(redacted) = report.redacted_at {
        out.push(Line::Gap);
        out.push(Line::Text(format!(
            "Redacted {}: what was screened and what matched are removed.",
            format_millis(redacted)
        )));
        return out;
    }

    out.push(Line::Gap);
    out.push(Line::Heading("Screened".into()));
    let q = &report.query;
    if let Some(name) = q.term() {
        out.push(Line::Field("Name", name));
    }
    if let Some(birthdate) = &q.birthdate {
        out.push(Line::Field("Birthdate", birthdate.clone()));
    }
    if let Some(country) = &q.country_code {
        out.push(Line::Field("Country", country.clone()));
    }
    for email in &q.email_addresses {
        out.push(Line::Field("Email address", email.clone()));
    }
    for phone in &q.phone_numbers {
        out.push(Line::Field("Phone number", phone.clone()));
    }
    for (class, number) in &q.id_numbers {
        let class = class
            .as_deref()
            .map_or(String::new(), |c| format!(" ({c})"));
        out.push(Line::Field("Government id", format!("{number}{class}")));
    }

    out.push(Line::Gap);
    out.push(Line::Heading(format!("Matches ({})", report.matches.len())));
    if report.matches.is_empty() {
        out.push(Line::Text("None.".into()));
    }
    for (n, record) in report.matches.iter().enumerate() {
        match_lines(&mut out, n + 1, record);
    }
    if !report.ignored.is_empty() {
        out.push(Line::Gap);
        out.push(Line::Heading(format!(
            "Dismissed ({})",
            report.ignored.len()
        )));
        for (n, ignored) in report.ignored.iter().enumerate() {
            match_lines(&mut out, n + 1, &ignored.matched);
            out.push(Line::Field(
                "Dismissed",
                format!("{} by {}", format_millis(ignored.ignored_at), ignored.user),
            ));
            out.push(Line::Field("Reason", ignored.reason.clone()));
        }
    }
    out
}

fn match_lines(out: &mut Vec<Line>, n: usize, record: &MatchRecord) {
    out.push(Line::Gap);
    out.push(Line::Text(format!(
        "{n}. {} - {} list \"{}\" ({})",
        record.entity_name, record.list.list_type, record.list.name, record.list.id
    )));
    out.push(Line::Field(
        "Matched on",
        format!("{}: {}", record.matched_on, record.matched_value),
    ));
    out.push(Line::Field("Score", format!("{:.2}", record.score)));
    if !record.birth_years.is_empty() {
        let years: Vec<String> = record.birth_years.iter().map(i32::to_string).collect();
        out.push(Line::Field("Born", years.join(", ")));
    }
    out.push(Line::Field(
        "First matched",
        format_millis(record.first_matched_at),
    ));
    let pairs = record
        .explanation
        .as_ref()
        .and_then(|e| e.get("pairs"))
        .and_then(Value::as_array);
    for pair in pairs.into_iter().flatten() {
        let text = |key: &str| pair.get(key).and_then(Value::as_str).unwrap_or("");
        let score = pair.get("score").and_then(Value::as_f64).unwrap_or(0.0);
        out.push(Line::Field(
            "Token",
            format!(
                "{} ~ {} ({}, {score:.2})",
                text("query"),
                text("candidate"),
                text("how")
            ),
        ));
    }
}

/// The report as PDF bytes, printed at `printed_at` (milliseconds).
pub fn render(report: &Report, printed_at: i64) -> Vec<u8> {
    super::pdf::render(
        &format!("Watchlist report {}", report.id),
        &report.id,
        lines(report, printed_at),
    )
}

#[cfg(test)]
mod tests {
    use super::super::pdf::win_ansi;
    use super::*;
    use vigil_domain::report::{Ignored, MatchedList, Origin, Query};

    fn report(matches: usize) -> Report {
        let query = Query {
            name_first: Some("Владимир".into()),
            name_last: Some("Müller".into()),
            birthdate: Some("1970-01-02".into()),
            ..Query::default()
        };
        let mut report = Report::new(
            "rep_test".into(),
            None,
            "rptp_watchlist".into(),
            Origin::Request,
            query,
            1_700_000_000_000,
        );
        report.matches = (0..matches)
            .map(|n| MatchRecord {
                key: format!("li_{n}"),
                list: MatchedList {
                    id: "lst_blocked".into(),
                    name: "Blocked (names)".into(),
                    list_type: "custom".into(),
                },
                entity_name: format!("Entity number {n}"),
                matched_value: "vladimir muller".into(),
                matched_on: "name".into(),
                birth_years: vec![1970],
                score: 0.93,
                explanation: Some(serde_json::json!({"pairs": [
                    {"query": "vladimir", "candidate": "wladimir", "score": 0.93, "how": "phonetic"}
                ]})),
                first_matched_at: 1_700_000_000_000,
            })
            .collect();
        report.completed_at = Some(1_700_000_000_000);
        report
    }

    fn text(pdf: &[u8]) -> String {
        String::from_utf8_lossy(pdf).into_owned()
    }

    #[test]
    fn prints_the_subject_and_every_match_across_pages() {
        let pdf = render(&report(40), 1_700_000_100_000);
        let body = text(&pdf);
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(body.trim_end().ends_with("%%EOF"));
        // 40 matches of 7 lines each do not fit on one page.
        let pages = body.matches("/Type /Page\n").count();
        assert!(pages >= 5, "{pages} pages");
        assert!(body.contains(&format!("/Count {pages}")));
        assert!(body.contains(&format!("(rep_test - page {pages} of {pages})")));
        for n in 0..40 {
            let line = format!("({}. Entity number {n} - custom list", n + 1);
            assert!(body.contains(&line), "{line}");
        }
        // Transliterated outside Latin-1 (Cyrillic), Latin-1 kept (ü; the line is
        // written as a hex string).
        assert!(body.contains(&format!("<{}>", hex_of("Vladimir M\u{fc}ller"))));
        assert!(body.contains("(vladimir ~ wladimir (phonetic, 0.93))"));
    }

    fn hex_of(text: &str) -> String {
        win_ansi(text).iter().map(|b| format!("{b:02X}")).collect()
    }

    #[test]
    fn a_redacted_report_prints_nothing_it_removed() {
        let mut report = report(2);
        report.ignored.push(Ignored {
            matched: report.matches[0].clone(),
            ignored_at: 1_700_000_000_000,
            run_completed_at: None,
            reason: "a different person".into(),
            user: "reviewer".into(),
        });
        let body = text(&render(&report, 0));
        assert!(body.contains("(Dismissed (1))"));
        assert!(body.contains("a different person"));
        report.redacted_at = Some(1_700_000_200_000);
        let body = text(&render(&report, 0));
        assert!(body.contains("Redacted"));
        let name = hex_of("Vladimir M\u{fc}ller");
        for removed in [&name, "Entity number", "1970-01-02", "different person"] {
            assert!(!body.contains(removed), "{removed} printed");
        }
    }
}
