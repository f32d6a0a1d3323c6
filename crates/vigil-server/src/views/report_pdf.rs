//! A watchlist report as a PDF (`GET /reports/{id}/print`): what was screened, every
//! match with its score and how the names matched, every dismissal with who and why, for
//! a reviewer's file. A4 pages of plain text in the standard Helvetica fonts (nothing
//! embedded); characters outside Latin-1 are transliterated ("Владимир" prints as
//! "Vladimir"), so read the matched values from the API when the script matters.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use serde_json::Value;
use vigil_domain::report::{MatchRecord, Report};
use vigil_domain::time::format_millis;

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;
const SIZE: f32 = 10.0;
const LEADING: f32 = 14.0;
/// Characters per line at `SIZE` in Helvetica (about half an em each) within the margins.
const LINE_CHARS: usize = 92;
/// Where a field's value starts, right of its label, and how many characters it gets.
const LABEL_WIDTH: f32 = 95.0;
const VALUE_CHARS: usize = 74;

const REGULAR: Name = Name(b"F1");
const BOLD: Name = Name(b"F2");

/// One line of the document.
enum Line {
    Title(String),
    Heading(String),
    Text(String),
    /// A field: its label, then its value.
    Field(&'static str, String),
    Gap,
}

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

/// Text as the fonts' WinAnsi encoding has it: Latin-1 as is, anything else
/// transliterated to ASCII.
fn win_ansi(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match u32::from(c) {
            0x20..=0x7e | 0xa0..=0xff => out.push(u32::from(c) as u8),
            _ if c.is_control() => out.push(b' '),
            _ => out.extend(deunicode::deunicode_char(c).unwrap_or("?").bytes()),
        }
    }
    out
}

/// `text` cut into lines of at most `width` characters, at spaces where it can be.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word = word.to_string();
        while word.chars().count() > width {
            let split = word
                .char_indices()
                .nth(width)
                .map_or(word.len(), |(i, _)| i);
            let rest = word.split_off(split);
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(std::mem::replace(&mut word, rest));
        }
        let needed = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
        if needed > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    lines.push(line);
    lines
}

/// A piece of text placed on a line.
struct Run {
    font: Name<'static>,
    size: f32,
    x: f32,
    text: Vec<u8>,
}

fn run(font: Name<'static>, size: f32, x: f32, text: &str) -> Run {
    Run {
        font,
        size,
        x,
        text: win_ansi(text),
    }
}

/// The document's lines laid out: runs per printed line.
fn rows(report: &Report, printed_at: i64) -> Vec<Vec<Run>> {
    let mut rows = Vec::new();
    for line in lines(report, printed_at) {
        match line {
            Line::Title(text) => rows.push(vec![run(BOLD, 14.0, MARGIN, &text)]),
            Line::Heading(text) => rows.push(vec![run(BOLD, 11.0, MARGIN, &text)]),
            Line::Text(text) => rows.extend(
                wrap(&text, LINE_CHARS)
                    .iter()
                    .map(|part| vec![run(REGULAR, SIZE, MARGIN, part)]),
            ),
            // The label, then the value from a fixed column, continued below it.
            Line::Field(label, value) => {
                for (n, part) in wrap(&value, VALUE_CHARS).iter().enumerate() {
                    let mut row = Vec::new();
                    if n == 0 {
                        row.push(run(BOLD, SIZE, MARGIN, label));
                    }
                    row.push(run(REGULAR, SIZE, MARGIN + LABEL_WIDTH, part));
                    rows.push(row);
                }
            }
            Line::Gap => rows.push(Vec::new()),
        }
    }
    rows
}

/// The report as PDF bytes, printed at `printed_at` (milliseconds).
pub fn render(report: &Report, printed_at: i64) -> Vec<u8> {
    let rows = rows(report, printed_at);
    let per_page = ((PAGE_HEIGHT - 2.0 * MARGIN) / LEADING) as usize;
    let pages: Vec<&[Vec<Run>]> = rows.chunks(per_page).collect();

    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let (regular, bold) = (Ref::new(3), Ref::new(4));
    let info = Ref::new(5);
    // Each page and its content stream: 6 and 7, 8 and 9, ...
    let page_ids: Vec<Ref> = (0..pages.len())
        .map(|i| Ref::new(6 + 2 * i as i32))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(pages.len() as i32);
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info)
        .title(TextStr(&format!("Watchlist report {}", report.id)))
        .producer(TextStr("vigil"));
    let total = pages.len();
    for (number, (rows, id)) in pages.into_iter().zip(&page_ids).enumerate() {
        let content_id = Ref::new(id.get() + 1);
        let mut page = pdf.page(*id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT));
        page.parent(tree);
        page.contents(content_id);
        page.resources()
            .fonts()
            .pair(REGULAR, regular)
            .pair(BOLD, bold);
        page.finish();

        let mut content = Content::new();
        let footer = format!("{} - page {} of {total}", report.id, number + 1);
        let footer = [run(REGULAR, 8.0, MARGIN, &footer)];
        let lines = rows
            .iter()
            .enumerate()
            .map(|(n, row)| (PAGE_HEIGHT - MARGIN - n as f32 * LEADING, row.as_slice()));
        for (y, runs) in lines.chain([(MARGIN / 2.0, &footer[..])]) {
            for run in runs {
                content.begin_text();
                content.set_font(run.font, run.size);
                content.next_line(run.x, y);
                content.show(Str(&run.text));
                content.end_text();
            }
        }
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn long_values_wrap_at_spaces() {
        let lines = wrap("aaa bbb ccc dddddddddd", 7);
        assert_eq!(lines, ["aaa bbb", "ccc", "ddddddd", "ddd"]);
        assert_eq!(wrap("", 7), [""]);
    }
}
