//! Removing what redactions leave in PostgreSQL's files. A redaction overwrites and
//! deletes rows in one transaction, but PostgreSQL never writes over a row: the old
//! versions stay in the table's pages (a vacuum frees their space without clearing it),
//! index entries keep their keys, the planner's statistics may hold sampled values, and
//! the WAL holds every write until its segments are removed. SQLite zeroes freed pages at
//! commit (`secure_delete`), so only this backend needs a scrub.
//!
//! A scrub rewrites every table of vigil's schema (`VACUUM FULL`: new files holding only
//! live rows, indexes rebuilt, the old files unlinked), analyzes them again and rewrites
//! the statistics catalog, then starts a new WAL segment and checkpoints, after which
//! PostgreSQL removes the segments written before. Each rewrite locks its table for its
//! length, so servers run it at a quiet hour (`vigil serve --scrub-at`) or an operator
//! with `vigil scrub`. Redactions are counted in `cursors` inside their own transaction
//! (see `run_batch`), so a scrub owed is never forgotten across a crash.

use std::time::Instant;

use super::db::PgConn;
use crate::sql::Db;
use crate::{params, Result, Scrub};

/// Redactions committed so far (a counter, bumped in each redaction's transaction).
pub(super) const REDACTED: &str = "redactions";
/// The value of [`REDACTED`] the last finished scrub covered.
const SCRUBBED: &str = "redactions-scrubbed";

/// Count one more redaction, in the transaction that commits it.
pub(super) fn count_redaction(conn: &PgConn) -> Result<()> {
    conn.write(
        "INSERT INTO cursors (name, event_seq) VALUES (?1, 1) \
         ON CONFLICT (name) DO UPDATE SET event_seq = cursors.event_seq + 1",
        params![REDACTED],
    )
}

fn counted(conn: &dyn Db, name: &str) -> Result<i64> {
    crate::sql::reads::cursor(conn, name)
}

/// Whether a redaction committed after the last scrub began.
pub(super) fn pending(conn: &dyn Db) -> Result<bool> {
    Ok(counted(conn, REDACTED)? > counted(conn, SCRUBBED)?)
}

pub(super) fn scrub(conn: &PgConn, force: bool) -> Result<Scrub> {
    let started = Instant::now();
    // Read before rewriting: a redaction committed meanwhile stays owed.
    let covered = counted(conn, REDACTED)?;
    if !force && covered <= counted(conn, SCRUBBED)? {
        return Ok(Scrub::default());
    }
    let db: &dyn Db = conn;
    let tables: Vec<String> = db.query_map(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename",
        params![],
        |r| r.get(0),
    )?;
    let mut scrub = Scrub::default();
    // A rewrite keeps the row versions any transaction may still read (VACUUM keeps rows
    // recently dead while an older snapshot, or an older transaction that wrote, is open):
    // wait, briefly, until none is, or the redacted values would be copied into the new
    // files. (Sessions of other roles show no snapshot without
    // `pg_read_all_stats`; they are not waited for.)
    let now: Option<String> = db.query_row(
        "SELECT (txid_current() % 4294967296)::text",
        params![],
        |r| r.get(0),
    )?;
    let now = now.unwrap_or_default();
    let waited = Instant::now();
    loop {
        let older: Option<i64> = db.query_row(
            "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() \
             AND (age(backend_xmin) >= age(CAST(?1::text AS xid)) \
                  OR age(backend_xid) >= age(CAST(?1::text AS xid)))",
            params![now],
            |r| r.get(0),
        )?;
        if older.unwrap_or(0) == 0 {
            break;
        }
        if waited.elapsed() > std::time::Duration::from_secs(15) {
            scrub.warnings.push(
                "a transaction older than the scrub stayed open: what it could still read was \
                 kept; run the scrub again"
                    .to_string(),
            );
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    for table in &tables {
        let began = Instant::now();
        conn.batch(&format!("VACUUM (FULL) {}", quoted(table)))?;
        tracing::info!(table = %table, ms = began.elapsed().as_millis() as u64, "rewrote a table");
        scrub.rewritten.push(table.clone());
    }
    // Fresh statistics, then the catalog that kept the old ones rewritten too.
    conn.batch("ANALYZE")?;
    let mut attempt = |sql: &str, why: &str| {
        if let Err(error) = conn.batch(sql) {
            scrub
                .warnings
                .push(format!("{sql} failed ({error}): {why}"));
        }
    };
    attempt(
        "VACUUM (FULL) pg_catalog.pg_statistic",
        "the planner's statistics may still hold sampled values; run it as the database's owner",
    );
    attempt(
        "SELECT pg_switch_wal()",
        "the current WAL segment keeps redacted writes until it fills; grant EXECUTE on pg_switch_wal to vigil's role",
    );
    attempt(
        "CHECKPOINT",
        "WAL segments holding redacted writes stay until the next checkpoint; grant the pg_checkpoint role to vigil's role",
    );
    let recycled: Option<String> =
        db.query_row("SELECT current_setting('wal_recycle')", params![], |r| {
            r.get(0)
        })?;
    if recycled.as_deref() == Some("on") {
        scrub.warnings.push(
            "wal_recycle is on: old WAL segments are renamed for reuse with their bytes until \
             overwritten; set wal_recycle = off so they are deleted"
                .to_string(),
        );
    }
    db.execute(
        "INSERT INTO cursors (name, event_seq) VALUES (?1, ?2) \
         ON CONFLICT (name) DO UPDATE SET event_seq = GREATEST(cursors.event_seq, excluded.event_seq)",
        params![SCRUBBED, covered],
    )?;
    scrub.millis = started.elapsed().as_millis() as u64;
    Ok(scrub)
}

fn quoted(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}
