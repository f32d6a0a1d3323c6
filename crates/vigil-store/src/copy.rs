//! `vigil migrate`: a SQLite database copied into an empty PostgreSQL one, table by table
//! in one transaction, and checked: the same rows (count and a digest of every value, in
//! key order) read back from both before the transaction commits.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;

use crate::postgres::PgStore;
use crate::sql::{Db, ToParam, Value};
use crate::{params, Result, StoreError};

/// Every table, parents before children, with the columns rows are ordered by. `seq`
/// columns keep their values (cursors and the event log's positions stay valid).
const TABLES: &[(&str, &str)] = &[
    ("organizations", "id"),
    ("environments", "id"),
    ("api_keys", "seq"),
    ("account_types", "id"),
    ("account_statuses", "id"),
    ("accounts", "seq"),
    ("account_relations", "seq"),
    ("account_terms", "term, account_seq"),
    ("account_actions", "seq"),
    ("events", "seq"),
    ("idempotency_keys", "environment_id, idempotency_key"),
    ("files", "id"),
    ("lists", "seq"),
    ("list_items", "seq"),
    ("reports", "seq"),
    ("report_history", "seq"),
    ("sources", "id"),
    ("source_parties", "seq"),
    ("screening_cursor", "id"),
    ("importers", "seq"),
    ("importer_errors", "importer_id, line"),
    ("records", "seq"),
    ("record_terms", "term, record_seq"),
    ("cursors", "name"),
    ("users", "seq"),
    ("user_sessions", "id"),
    ("user_audit_logs", "seq"),
    ("blobs", "name, part"),
];

/// Rows per INSERT statement.
const BATCH: usize = 200;

/// What was copied: each table's name and row count, and how many document files.
pub struct Copied {
    pub tables: Vec<(String, u64)>,
    pub files: u64,
}

/// Copy the SQLite database at `from` into the PostgreSQL database at `to`, which must
/// hold no vigil data yet (its tables are made if missing), with the document files of
/// the folder `files` (kept in PostgreSQL, where every server reads them). Nothing is
/// written unless every table's rows and every file read back the same.
pub fn sqlite_to_postgres(from: &Path, files: Option<&Path>, to: &str) -> Result<Copied> {
    let source = rusqlite::Connection::open_with_flags(
        from,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let source: &dyn Db = &source;
    // One read transaction: the copy is of one moment even if a server still runs.
    source.execute("BEGIN", params![])?;
    // A pending import's upload waits in the data directory's imports folder, which
    // servers on PostgreSQL do not read: let it finish first.
    let pending: i64 = source
        .query_row(
            "SELECT COUNT(*) FROM importers WHERE status = 'pending'",
            params![],
            |r| r.get(0),
        )?
        .unwrap_or(0);
    if pending > 0 {
        return Err(StoreError::Refused(format!(
            "{pending} imports are still running; start the server on the data directory until they finish, then migrate"
        )));
    }
    let store = PgStore::connect(to)?;
    let target_conn = store.connection()?;
    let target: &dyn Db = &target_conn;
    let existing: i64 = target
        .query_row("SELECT COUNT(*) FROM environments", params![], |r| r.get(0))?
        .unwrap_or(0);
    if existing > 0 {
        return Err(StoreError::Refused(
            "the PostgreSQL database already holds vigil data; migrate into an empty one".into(),
        ));
    }
    target_conn.batch("BEGIN")?;
    let copied = copy_tables(source, target).and_then(|tables| {
        let files = match files {
            Some(folder) => copy_files(folder, target)?,
            None => 0,
        };
        Ok(Copied { tables, files })
    });
    match copied {
        Ok(copied) => {
            target_conn.batch("COMMIT")?;
            Ok(copied)
        }
        Err(error) => {
            let _ = target_conn.batch("ROLLBACK");
            Err(error)
        }
    }
}

fn copy_tables(source: &dyn Db, target: &dyn Db) -> Result<Vec<(String, u64)>> {
    // Rows a migration seeds (the screening cursor) are replaced by the source's.
    target.execute("DELETE FROM screening_cursor", params![])?;
    let mut tables = Vec::new();
    for (table, order) in TABLES {
        let columns = columns(source, table)?;
        // SQLite pages API keys by rowid; PostgreSQL keeps it as `seq`.
        let select_list = if *table == "api_keys" {
            format!("rowid AS seq, {}", columns.join(", "))
        } else {
            columns.join(", ")
        };
        let mut names = columns.clone();
        if *table == "api_keys" {
            names.insert(0, "seq".into());
        }
        let mut rows: Vec<Vec<Value>> = Vec::new();
        let mut count = 0u64;
        let mut digest = DefaultHasher::new();
        let select = format!("SELECT {select_list} FROM {table} ORDER BY {order}");
        let mut failure = None;
        source.each(&select, params![], |row| {
            hash_row(&row.0, &mut digest);
            rows.push(row.0.clone());
            count += 1;
            if rows.len() == BATCH {
                if let Err(error) = insert(target, table, &names, &rows) {
                    failure = Some(error);
                    return Ok(false);
                }
                rows.clear();
            }
            Ok(true)
        })?;
        if let Some(error) = failure {
            return Err(error);
        }
        insert(target, table, &names, &rows)?;
        // Read back, in the same order: the same values, or nothing is kept.
        let mut check = DefaultHasher::new();
        let mut found = 0u64;
        target.each(
            &format!("SELECT {} FROM {table} ORDER BY {order}", names.join(", ")),
            params![],
            |row| {
                hash_row(&row.0, &mut check);
                found += 1;
                Ok(true)
            },
        )?;
        if found != count || check.finish() != digest.finish() {
            return Err(StoreError::Corrupt(format!(
                "{table}: {count} rows read from SQLite, {found} read back from PostgreSQL, \
                 and their values differ"
            )));
        }
        if names.iter().any(|c| c == "seq") {
            // New rows continue after the copied ones.
            target.query_row(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'seq'), \
                     COALESCE((SELECT MAX(seq) FROM {table}), 0) + 1, false)"
                ),
                params![],
                |_| Ok(()),
            )?;
        }
        tables.push((table.to_string(), count));
    }
    Ok(tables)
}

/// Every file of the folder into `blobs` under its own name, each read back and compared.
fn copy_files(folder: &Path, target: &dyn Db) -> Result<u64> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(error) => return Err(error.into()),
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let mut copied = 0;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().to_string();
        // Unfinished writes start with a dot; nothing holds them.
        if name.starts_with('.') || !entry.file_type()?.is_file() {
            continue;
        }
        let bytes = std::fs::read(entry.path())?;
        crate::sql::put_blob(target, &name, now, &bytes)?;
        if crate::sql::blob(target, &name)?.as_deref() != Some(bytes.as_slice()) {
            return Err(StoreError::Corrupt(format!(
                "the document file {name} read back from PostgreSQL differs"
            )));
        }
        copied += 1;
    }
    Ok(copied)
}

/// A table's stored columns in SQLite (generated columns are left out: PostgreSQL makes
/// its own).
fn columns(source: &dyn Db, table: &str) -> Result<Vec<String>> {
    source.query_map(
        "SELECT name FROM pragma_table_info(?1) ORDER BY cid",
        params![table],
        |r| r.get(0),
    )
}

fn insert(target: &dyn Db, table: &str, columns: &[String], rows: &[Vec<Value>]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let row = format!("({})", vec!["?"; columns.len()].join(", "));
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES {}",
        columns.join(", "),
        vec![row; rows.len()].join(", ")
    );
    let params: Vec<&dyn ToParam> = rows
        .iter()
        .flat_map(|r| r.iter().map(|v| v as &dyn ToParam))
        .collect();
    target.execute(&sql, &params)?;
    Ok(())
}

fn hash_row(values: &[Value], into: &mut DefaultHasher) {
    for value in values {
        match value {
            Value::Null => 0u8.hash(into),
            Value::Int(n) => (1u8, n).hash(into),
            Value::Real(x) => (2u8, x.to_bits()).hash(into),
            Value::Text(t) => (3u8, t).hash(into),
            Value::Bytes(b) => (4u8, b).hash(into),
        }
    }
}

impl ToParam for Value {
    fn to_param(&self) -> crate::sql::Param<'_> {
        use crate::sql::Param;
        match self {
            Value::Null => Param::Null,
            Value::Int(n) => Param::Int(*n),
            Value::Real(x) => Param::Real(*x),
            Value::Text(t) => Param::Text(t),
            Value::Bytes(b) => Param::Bytes(b),
        }
    }
}
