//! Plain documents as PDF (a watchlist report, an inquiry, for a reviewer's file): A4 pages
//! of text in the standard Helvetica fonts (nothing embedded); characters outside
//! Latin-1 are transliterated ("Владимир" prints as "Vladimir"), so read values from the
//! API when the script matters. A document is a list of [`Line`]s; [`render`] lays them out.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

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
pub enum Line {
    Title(String),
    Heading(String),
    Text(String),
    /// A field: its label, then its value.
    Field(&'static str, String),
    Gap,
}

/// Text as the fonts' WinAnsi encoding has it: Latin-1 as is, anything else
/// transliterated to ASCII.
pub(crate) fn win_ansi(text: &str) -> Vec<u8> {
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
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
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
fn rows(lines: Vec<Line>) -> Vec<Vec<Run>> {
    let mut rows = Vec::new();
    for line in lines {
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

/// A document of `lines` as PDF bytes, titled `title`; every page's footer names
/// `footer_id`.
pub fn render(title: &str, footer_id: &str, lines: Vec<Line>) -> Vec<u8> {
    let rows = rows(lines);
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
        .title(TextStr(title))
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
        let footer = format!("{footer_id} - page {} of {total}", number + 1);
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

    #[test]
    fn long_values_wrap_at_spaces() {
        let lines = wrap("aaa bbb ccc dddddddddd", 7);
        assert_eq!(lines, ["aaa bbb", "ccc", "ddddddd", "ddd"]);
        assert_eq!(wrap("", 7), [""]);
    }
}
