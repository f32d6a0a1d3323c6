//! Bulk imports (`importer/<kind>`, `mprt_`): a CSV file of list items or accounts, read
//! row by row. A bad row is reported by its line number and the rest still land; rows
//! whose value is already there count as duplicates, not errors.
//!
//! Rows are checked by the very rules a single create uses (`list::parse_item`,
//! `account::parse_changes`): each cell becomes the attribute its column names, so an
//! import and `POST /list-item/...` can never disagree about what is valid.

use std::collections::VecDeque;
use std::io::Read;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::account::{parse_changes, AccountChanges};
use crate::error::FieldError;
use crate::list::{self, ItemValue, ListKind};

/// What an importer creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImporterKind {
    Account,
    ListItem(ListKind),
}

/// The list item kinds Persona imports, by the plural in `/importer/list-item/<plural>`.
const LIST_ITEM_KINDS: [ListKind; 6] = [
    ListKind::EmailAddress,
    ListKind::Geolocation,
    ListKind::GovernmentIdNumber,
    ListKind::IpAddress,
    ListKind::Name,
    ListKind::PhoneNumber,
];

impl ImporterKind {
    /// The kind `/importer/list-item/<plural>` imports, if Persona imports it.
    pub fn list_item(plural: &str) -> Option<ImporterKind> {
        LIST_ITEM_KINDS
            .into_iter()
            .find(|k| k.plural() == plural)
            .map(ImporterKind::ListItem)
    }

    /// The JSON:API type: `importer/account`, `importer/list-item/name`, ...
    pub fn type_name(self) -> String {
        match self {
            ImporterKind::Account => "importer/account".into(),
            ImporterKind::ListItem(kind) => format!("importer/list-item/{}", kind.name()),
        }
    }

    pub fn from_type_name(name: &str) -> Option<ImporterKind> {
        if name == "importer/account" {
            return Some(ImporterKind::Account);
        }
        let kind = ListKind::from_name(name.strip_prefix("importer/list-item/")?)?;
        LIST_ITEM_KINDS
            .contains(&kind)
            .then_some(ImporterKind::ListItem(kind))
    }

    /// The CSV columns the importer reads, as Persona documents them.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            ImporterKind::Account => &[
                "reference_id",
                "name_first",
                "name_middle",
                "name_last",
                "birthdate",
                "social_security_number",
                "tags",
            ],
            ImporterKind::ListItem(kind) => match kind {
                ListKind::EmailAddress => &["value", "match_type"],
                ListKind::Geolocation => &["latitude", "longitude", "radius_meters"],
                ListKind::GovernmentIdNumber => &["id_number", "id_class"],
                ListKind::Name => &["name_first", "name_last"],
                _ => &["value"],
            },
        }
    }

    /// Columns the header must have; for names, one of the two will do.
    fn required_columns(self) -> &'static [&'static str] {
        match self {
            ImporterKind::Account => &[],
            ImporterKind::ListItem(ListKind::Name) => &[],
            ImporterKind::ListItem(ListKind::Geolocation) => &["latitude", "longitude"],
            ImporterKind::ListItem(ListKind::GovernmentIdNumber) => &["id_number"],
            ImporterKind::ListItem(_) => &["value"],
        }
    }
}

impl Serialize for ImporterKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.type_name())
    }
}

impl<'de> Deserialize<'de> for ImporterKind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        ImporterKind::from_type_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown importer type `{name}`")))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImporterStatus {
    /// Rows are still being imported.
    Pending,
    /// Every row was read: imported, a duplicate, or an error.
    Ready,
    /// The import stopped before the end (its list was archived meanwhile).
    Errored,
}

impl ImporterStatus {
    /// As Persona's `status` attribute spells it (and as storage indexes it).
    pub fn as_str(self) -> &'static str {
        match self {
            ImporterStatus::Pending => "pending",
            ImporterStatus::Ready => "ready",
            ImporterStatus::Errored => "errored",
        }
    }
}

/// An import and how far it has got. The file itself is kept beside it only until the
/// import ends: it holds personal data vigil has no reason to keep a second copy of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Importer {
    pub id: String,
    pub kind: ImporterKind,
    /// The list items go in (list item importers).
    pub list_id: Option<String>,
    pub filename: String,
    pub status: ImporterStatus,
    /// Data rows in the file.
    pub row_count: u64,
    /// Data rows dealt with so far, in file order; an import resumes after them.
    pub rows_done: u64,
    pub successful_count: u64,
    pub error_count: u64,
    pub duplicate_count: u64,
    /// Why an `errored` import stopped.
    pub failure: Option<String>,
    pub created_at: i64,
    pub completed_at: Option<i64>,
    /// Where the pending file waits in the data directory (`<data-dir>/imports/`) and its
    /// SHA-256; absent when it waits in the database (`vigil import list`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored_file: Option<(String, String)>,
}

impl Importer {
    pub fn new(
        id: String,
        kind: ImporterKind,
        list_id: Option<String>,
        filename: String,
        row_count: u64,
        now: i64,
    ) -> Importer {
        Importer {
            id,
            kind,
            list_id,
            filename,
            status: ImporterStatus::Pending,
            row_count,
            rows_done: 0,
            successful_count: 0,
            error_count: 0,
            duplicate_count: 0,
            failure: None,
            created_at: now,
            completed_at: None,
            stored_file: None,
        }
    }

    /// Count one row's outcome.
    pub fn count(&mut self, outcome: &RowOutcome) {
        self.rows_done += 1;
        match outcome {
            RowOutcome::Imported => self.successful_count += 1,
            RowOutcome::Duplicate => self.duplicate_count += 1,
            RowOutcome::Error(_) => self.error_count += 1,
        }
    }

    /// Mark the import finished at `now` if every row has been dealt with.
    pub fn finish_if_done(&mut self, now: i64) {
        if self.status == ImporterStatus::Pending && self.rows_done >= self.row_count {
            self.status = ImporterStatus::Ready;
            self.completed_at = Some(now);
        }
    }

    /// Stop the import for good: the rows not yet read are not imported.
    pub fn fail(&mut self, reason: impl Into<String>, now: i64) {
        self.status = ImporterStatus::Errored;
        self.failure = Some(reason.into());
        self.completed_at = Some(now);
    }
}

/// What became of one row.
#[derive(Debug, Clone, PartialEq)]
pub enum RowOutcome {
    Imported,
    /// The value is already active in the list (or the reference id is taken, or the same
    /// value came earlier in the file).
    Duplicate,
    Error(RowError),
}

/// A row that could not be imported: its line in the file (the header is line 1), the
/// column at fault when there is one, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub line: u64,
    pub column: Option<String>,
    pub message: String,
}

impl RowError {
    /// A field error from the single-create rules, told in terms of the file's columns.
    fn from_field(line: u64, error: FieldError) -> RowError {
        // The rules name attributes relative to the object (`name-first`, `fields/...`).
        let attribute = (!error.pointer.starts_with('/'))
            .then_some(error.pointer.as_str())
            .map(|rest| rest.split('/').next().unwrap_or(rest).replace('-', "_"));
        RowError {
            line,
            column: attribute,
            message: error.message,
        }
    }
}

/// One data row: its line and its non-empty cells as the attributes their columns name.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub line: u64,
    pub attributes: Map<String, Value>,
}

/// A file's header and rows, or a row that cannot be read at all.
pub type ReadRow = Result<Row, RowError>;

/// Read a CSV file for `kind` whole (see [`rows_of`]).
pub fn read_csv(kind: ImporterKind, bytes: &[u8]) -> Result<Vec<ReadRow>, String> {
    Ok(rows_of(kind, bytes)?.collect())
}

/// The rows of a CSV file for `kind`, read one at a time (an import of any size holds
/// one row, not all of them). The header must name only the kind's columns (any case,
/// `-` or `_`) and every column the kind needs; a file whose header is wrong is refused
/// whole (`Err`, a message about the file). Rows that cannot be read are row errors so
/// the rest still land.
pub fn rows_of<R: Read>(kind: ImporterKind, file: R) -> Result<CsvRows<R>, String> {
    let mut file = file;
    // A UTF-8 byte order mark is not part of the first column's name.
    let mut start = Vec::with_capacity(3);
    file.by_ref()
        .take(3)
        .read_to_end(&mut start)
        .map_err(|e| format!("the file cannot be read: {e}"))?;
    if start == b"\xEF\xBB\xBF" {
        start.clear();
    }
    let seen = Arc::new(Mutex::new(VecDeque::new()));
    let breaks = Breaks {
        inner: std::io::Cursor::new(start).chain(file),
        offset: 0,
        seen: seen.clone(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(breaks);
    let header = reader
        .byte_headers()
        .map_err(|e| format!("the header row cannot be read: {e}"))?
        .clone();
    let allowed = kind.columns();
    let mut columns = Vec::with_capacity(header.len());
    for cell in header.iter() {
        let name = std::str::from_utf8(cell)
            .map_err(|_| "the header row is not UTF-8 text".to_string())?
            .to_ascii_lowercase()
            .replace('-', "_");
        if name.is_empty() && header.len() == 1 {
            return Err("the file is empty: the first line must name the columns".into());
        }
        if !allowed.contains(&name.as_str()) {
            return Err(format!(
                "column `{name}` is not one this importer reads (it reads {})",
                allowed.join(", ")
            ));
        }
        if columns.contains(&name) {
            return Err(format!("column `{name}` appears twice in the header"));
        }
        columns.push(name);
    }
    if columns.is_empty() {
        return Err("the file is empty: the first line must name the columns".into());
    }
    if let Some(missing) = kind
        .required_columns()
        .iter()
        .find(|c| !columns.iter().any(|have| have == *c))
    {
        return Err(format!("the header has no `{missing}` column"));
    }
    if kind == ImporterKind::ListItem(ListKind::Name)
        && !columns
            .iter()
            .any(|c| c == "name_first" || c == "name_last")
    {
        return Err("the header needs a `name_first` or `name_last` column".into());
    }
    Ok(CsvRows {
        kind,
        columns,
        reader,
        record: csv::ByteRecord::new(),
        lines: LineCounter { seen, line: 1 },
    })
}

/// The data rows of a CSV file whose header was checked, one at a time.
pub struct CsvRows<R: Read> {
    kind: ImporterKind,
    columns: Vec<String>,
    reader: csv::Reader<Breaks<std::io::Chain<std::io::Cursor<Vec<u8>>, R>>>,
    record: csv::ByteRecord,
    lines: LineCounter,
}

/// Line breaks (`\r`, `\n`) by offset, as the CSV reader reads past them.
type Seen = Arc<Mutex<VecDeque<(u64, u8)>>>;

/// A reader that notes where line breaks are, so rows get their line numbers without
/// the file being in memory.
pub struct Breaks<R> {
    inner: R,
    offset: u64,
    seen: Seen,
}

impl<R: Read> Read for Breaks<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut seen = self.seen.lock().expect("line breaks poisoned");
        for (i, byte) in buf[..n].iter().enumerate() {
            if matches!(byte, b'\n' | b'\r') {
                seen.push_back((self.offset + i as u64, *byte));
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

impl<R: Read> Iterator for CsvRows<R> {
    type Item = ReadRow;

    fn next(&mut self) -> Option<ReadRow> {
        loop {
            let start = self.reader.position().byte();
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {
                    let at = self.record.position().map_or(start, |p| p.byte());
                    let line = self.lines.line_at(at);
                    if self.record.iter().all(|cell| cell.is_empty()) {
                        continue; // blank lines are not rows
                    }
                    return Some(row(self.kind, &self.columns, &self.record, line));
                }
                Err(error) => {
                    // An unreadable record (a stray quote): report it, carry on after it.
                    let line = self
                        .lines
                        .line_at(error.position().map_or(start, |p| p.byte()));
                    return Some(Err(RowError {
                        line,
                        column: None,
                        message: format!("cannot be read as CSV: {}", error.kind_message()),
                    }));
                }
            }
        }
    }
}

/// Line numbers of byte offsets, counted once from the start of the file. The CSV
/// reader's own line count starts a record at the blank lines before it.
struct LineCounter {
    seen: Seen,
    line: u64,
}

impl LineCounter {
    /// The line of the first character at or after `offset` that is not a line break
    /// (offsets only grow, and the reader has read past every one asked about).
    fn line_at(&mut self, offset: u64) -> u64 {
        let mut seen = self.seen.lock().expect("line breaks poisoned");
        let mut target = offset;
        loop {
            while let Some(&(at, byte)) = seen.front() {
                if at >= target {
                    break;
                }
                if byte == b'\n' {
                    self.line += 1;
                }
                seen.pop_front();
            }
            match seen.front() {
                Some(&(at, _)) if at == target => target += 1,
                _ => return self.line,
            }
        }
    }
}

trait KindMessage {
    fn kind_message(&self) -> String;
}

impl KindMessage for csv::Error {
    /// The error without its position, which the row error gives as a line already.
    fn kind_message(&self) -> String {
        match self.kind() {
            csv::ErrorKind::Utf8 { .. } => "invalid UTF-8".into(),
            csv::ErrorKind::UnequalLengths { .. } => "its fields do not line up".into(),
            other => format!("{other:?}"),
        }
    }
}

fn row(
    kind: ImporterKind,
    columns: &[String],
    record: &csv::ByteRecord,
    line: u64,
) -> Result<Row, RowError> {
    if record.len() > columns.len() {
        return Err(RowError {
            line,
            column: None,
            message: format!(
                "has {} cells but the header names {} columns",
                record.len(),
                columns.len()
            ),
        });
    }
    let mut attributes = Map::new();
    for (column, cell) in columns.iter().zip(record.iter()) {
        let text = std::str::from_utf8(cell).map_err(|_| RowError {
            line,
            column: Some(column.clone()),
            message: "is not UTF-8 text".into(),
        })?;
        if text.is_empty() {
            continue;
        }
        let value = if kind == ImporterKind::Account && column == "tags" {
            Value::Array(
                text.split([',', ';'])
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(|t| Value::String(t.to_owned()))
                    .collect(),
            )
        } else {
            Value::String(text.to_owned())
        };
        attributes.insert(column.replace('_', "-"), value);
    }
    Ok(Row { line, attributes })
}

/// Check a list item row as `POST /list-item/<kind>` would.
pub fn list_item_row(kind: ListKind, row: &Row) -> Result<(ItemValue, String), RowError> {
    list::parse_item(kind, &row.attributes).map_err(|e| RowError::from_field(row.line, e))
}

/// Check an account row as `POST /accounts` would.
pub fn account_row(row: &Row) -> Result<AccountChanges, RowError> {
    parse_changes(&row.attributes, true).map_err(|e| RowError::from_field(row.line, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: ImporterKind = ImporterKind::ListItem(ListKind::Name);

    fn lines(rows: &[ReadRow]) -> Vec<(u64, bool)> {
        rows.iter()
            .map(|r| match r {
                Ok(row) => (row.line, true),
                Err(e) => (e.line, false),
            })
            .collect()
    }

    #[test]
    fn kinds_round_trip_their_type_names() {
        for plural in [
            "names",
            "email-addresses",
            "phone-numbers",
            "ip-addresses",
            "geolocations",
            "government-id-numbers",
        ] {
            let kind = ImporterKind::list_item(plural).unwrap();
            assert_eq!(ImporterKind::from_type_name(&kind.type_name()), Some(kind));
        }
        assert_eq!(ImporterKind::list_item("countries"), None);
        assert_eq!(
            ImporterKind::from_type_name("importer/account"),
            Some(ImporterKind::Account)
        );
    }

    #[test]
    fn rows_carry_their_line_numbers_and_bad_rows_do_not_stop_the_rest() {
        let csv = "Name_First,name-last\nJoe,Imposter\n\n\"Ann\",\"Smith, Jr\"\n,\nBob,Jones,extra\nEve,\"unterminated\n";
        let rows = read_csv(NAMES, csv.as_bytes()).unwrap();
        assert_eq!(
            lines(&rows),
            vec![(2, true), (4, true), (6, false), (7, true)]
        );
        let Ok(second) = &rows[1] else { panic!() };
        assert_eq!(second.attributes["name-last"], "Smith, Jr");
        // Line 5 (two empty cells) is blank, not a row.
        let Err(extra) = &rows[2] else { panic!() };
        assert!(extra.message.contains("3 cells"), "{extra:?}");
    }

    #[test]
    fn row_errors_name_the_column_as_the_file_spells_it() {
        let kind = ImporterKind::ListItem(ListKind::Geolocation);
        let rows = read_csv(
            kind,
            b"latitude,longitude,radius_meters\n91,0,100\n1,2,50\n",
        )
        .unwrap();
        let Ok(bad) = &rows[0] else { panic!() };
        let error = list_item_row(ListKind::Geolocation, bad).unwrap_err();
        assert_eq!(error.line, 2);
        assert_eq!(error.column.as_deref(), Some("latitude"));
        let Ok(good) = &rows[1] else { panic!() };
        assert!(list_item_row(ListKind::Geolocation, good).is_ok());
    }

    #[test]
    fn a_wrong_header_refuses_the_file() {
        let phones = ImporterKind::ListItem(ListKind::PhoneNumber);
        assert!(read_csv(phones, b"phone\n+14155550100\n")
            .unwrap_err()
            .contains("`phone`"));
        assert!(read_csv(phones, b"").unwrap_err().contains("empty"));
        assert!(read_csv(NAMES, b"name_first,name_first\nA,B\n")
            .unwrap_err()
            .contains("twice"));
        let ids = ImporterKind::ListItem(ListKind::GovernmentIdNumber);
        assert!(read_csv(ids, b"id_class\npp\n")
            .unwrap_err()
            .contains("id_number"));
    }

    #[test]
    fn account_rows_split_tags_and_check_fields() {
        let rows = read_csv(
            ImporterKind::Account,
            "\u{feff}reference_id,name_first,birthdate,tags\nu-1,Ann,1980-02-03,\"vip, manual\"\nu-2,Bob,1980-13-40,\n".as_bytes(),
        )
        .unwrap();
        let Ok(first) = &rows[0] else { panic!() };
        let changes = account_row(first).unwrap();
        assert_eq!(
            changes.tags,
            Some(vec!["vip".to_string(), "manual".to_string()])
        );
        let Ok(second) = &rows[1] else { panic!() };
        let error = account_row(second).unwrap_err();
        assert_eq!(
            (error.line, error.column.as_deref()),
            (3, Some("birthdate"))
        );
    }

    #[test]
    fn counts_and_completion() {
        let mut importer = Importer::new("mprt_x".into(), NAMES, None, "f.csv".into(), 3, 1);
        importer.count(&RowOutcome::Imported);
        importer.count(&RowOutcome::Duplicate);
        importer.finish_if_done(2);
        assert_eq!(importer.status, ImporterStatus::Pending);
        importer.count(&RowOutcome::Error(RowError {
            line: 4,
            column: None,
            message: "x".into(),
        }));
        importer.finish_if_done(3);
        assert_eq!(importer.status, ImporterStatus::Ready);
        assert_eq!(importer.completed_at, Some(3));
        assert_eq!(
            (
                importer.successful_count,
                importer.duplicate_count,
                importer.error_count
            ),
            (1, 1, 1)
        );
    }
}
