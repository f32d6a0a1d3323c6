//! The SQLite backend: WAL, `synchronous = FULL` (a commit is on disk before its response
//! leaves), `secure_delete` (freed pages are zeroed, so redacted data does not linger), a
//! small pool of read connections, and one writer thread doing group commit.

mod cache;
mod db;
mod writer;

pub use cache::AccountCache;

use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};

use rusqlite::Connection;

use crate::{Result, StoreError, WriteJob};

/// Versioned migrations, applied in order and recorded in `schema_migrations`.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../../migrations/sqlite/0001_initial.sql"),
    ),
    (
        2,
        "account_actions",
        include_str!("../../migrations/sqlite/0002_account_actions.sql"),
    ),
    (
        3,
        "files",
        include_str!("../../migrations/sqlite/0003_files.sql"),
    ),
    (
        4,
        "lists",
        include_str!("../../migrations/sqlite/0004_lists.sql"),
    ),
    (
        5,
        "reports",
        include_str!("../../migrations/sqlite/0005_reports.sql"),
    ),
    (
        6,
        "importers",
        include_str!("../../migrations/sqlite/0006_importers.sql"),
    ),
    (
        7,
        "records",
        include_str!("../../migrations/sqlite/0007_records.sql"),
    ),
    (
        8,
        "cursors",
        include_str!("../../migrations/sqlite/0008_cursors.sql"),
    ),
    (
        9,
        "due_by_kind",
        include_str!("../../migrations/sqlite/0009_due_by_kind.sql"),
    ),
    (
        10,
        "event_actor",
        include_str!("../../migrations/sqlite/0010_event_actor.sql"),
    ),
    (
        11,
        "users",
        include_str!("../../migrations/sqlite/0011_users.sql"),
    ),
    (
        12,
        "review_console",
        include_str!("../../migrations/sqlite/0012_review_console.sql"),
    ),
    (
        13,
        "account_lookups",
        include_str!("../../migrations/sqlite/0013_account_lookups.sql"),
    ),
    (
        14,
        "events_by_name",
        include_str!("../../migrations/sqlite/0014_events_by_name.sql"),
    ),
    (
        15,
        "write_order",
        include_str!("../../migrations/sqlite/0015_write_order.sql"),
    ),
    (
        16,
        "leases_and_blobs",
        include_str!("../../migrations/sqlite/0016_leases_and_blobs.sql"),
    ),
    (
        17,
        "full_name_terms",
        include_str!("../../migrations/sqlite/0017_full_name_terms.sql"),
    ),
];

/// Readers kept open for reuse; more are opened on demand under load.
const MAX_IDLE_READERS: usize = 16;

pub struct SqliteStore {
    path: PathBuf,
    readers: Mutex<Vec<Connection>>,
    jobs: Mutex<mpsc::Sender<WriteJob>>,
    accounts: Arc<cache::AccountCache>,
}

/// Apply the pragmas every connection needs.
fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -16000;
         PRAGMA journal_size_limit = 67108864;",
    )?;
    Ok(())
}

/// Make the database file readable by its owner only (0600), creating it if needed, before
/// SQLite opens it: SQLite gives the WAL and shared-memory files the database file's mode,
/// so they follow whatever the umask.
fn owner_only(path: &Path) -> Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(path)
        .map_err(StoreError::Io)?;
    if file
        .metadata()
        .map_err(StoreError::Io)?
        .permissions()
        .mode()
        & 0o077
        != 0
    {
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(StoreError::Io)?;
    }
    Ok(())
}

/// Open a connection with vigil's pragmas (also used by the benchmark's raw baseline).
pub fn open_connection(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    configure(&conn)?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    )?;
    for (version, name, sql) in MIGRATIONS {
        let applied: bool = conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM schema_migrations WHERE version = ?1)",
            [version],
            |r| r.get(0),
        )?;
        if applied {
            continue;
        }
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, strftime('%s','now'))",
            rusqlite::params![version, name],
        )?;
        tx.commit()?;
        tracing::info!(version, name, "applied migration");
    }
    Ok(())
}

impl SqliteStore {
    /// Open (creating if needed) the database at `path`, migrate it and start the writer.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self> {
        let path = path.into();
        owner_only(&path)?;
        let mut conn = open_connection(&path)?;
        migrate(&mut conn)?;
        // Checkpoints run beside the writer, not inside its commits (see checkpointer).
        conn.execute_batch("PRAGMA wal_autocheckpoint = 0;")?;
        let checkpointer = open_connection(&path)?;
        let mut wal = path.clone().into_os_string();
        wal.push("-wal");
        let wal = PathBuf::from(wal);
        let wal_of_writer = wal.clone();
        let (wake, woken) = mpsc::sync_channel::<()>(1);
        std::thread::Builder::new()
            .name("vigil-checkpoint".into())
            .spawn(move || writer::checkpointer(checkpointer, woken, wal))
            .map_err(StoreError::Io)?;
        let (sender, receiver) = mpsc::channel::<WriteJob>();
        let accounts = Arc::new(cache::AccountCache::default());
        let invalidated = accounts.clone();
        std::thread::Builder::new()
            .name("vigil-writer".into())
            .spawn(move || writer::run(conn, receiver, &invalidated, wake, wal_of_writer))
            .map_err(StoreError::Io)?;
        Ok(SqliteStore {
            path,
            readers: Mutex::new(Vec::new()),
            jobs: Mutex::new(sender),
            accounts,
        })
    }

    /// The database file (tests and the benchmark inspect it).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Write a consistent copy of the database to `to` (a new file; keep it in a private
    /// directory: it is made 0600 once written), from one read snapshot while writers
    /// carry on (`VACUUM INTO`: compacted, no WAL of its own), and check the copy.
    pub fn snapshot_to(&self, to: &Path) -> Result<()> {
        if to.exists() {
            return Err(StoreError::Io(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!("{} already exists", to.display()),
            )));
        }
        let target = to
            .to_str()
            .ok_or_else(|| StoreError::Corrupt(format!("{} is not UTF-8", to.display())))?;
        open_connection(&self.path)?.execute("VACUUM INTO ?1", [target])?;
        std::fs::set_permissions(to, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
        let verdict: String =
            Connection::open(to)?.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if verdict != "ok" {
            return Err(StoreError::Corrupt(format!(
                "the copy failed its integrity check: {verdict}"
            )));
        }
        Ok(())
    }
}

impl crate::sql::SqlBackend for SqliteStore {
    fn account_cache(&self) -> Option<&AccountCache> {
        Some(&self.accounts)
    }

    fn submit_job(&self, job: WriteJob) {
        // If the writer has stopped, the job (and its completion sender) is dropped and
        // the caller sees `StoreError::WriterGone`.
        let _ = self.jobs.lock().expect("writer channel poisoned").send(job);
    }

    /// Run `f` with a pooled read connection.
    fn read<T>(&self, f: impl FnOnce(&dyn crate::sql::Db) -> Result<T>) -> Result<T> {
        let pooled = self.readers.lock().expect("reader pool poisoned").pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => open_connection(&self.path)?,
        };
        let result = f(&conn);
        let mut pool = self.readers.lock().expect("reader pool poisoned");
        if pool.len() < MAX_IDLE_READERS {
            pool.push(conn);
        }
        result
    }
}

#[cfg(test)]
mod plans {
    use super::*;

    /// The query plan SQLite chooses for `sql` on a migrated database.
    fn plan(sql: &str, params: usize) -> String {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let values: Vec<String> = (0..params).map(|i| format!("v{i}")).collect();
        let mut statement = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = statement
            .query_map(rusqlite::params_from_iter(values.iter()), |r| {
                r.get::<_, String>(3)
            })
            .unwrap();
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .unwrap()
            .join("; ")
    }

    // Lookups by reference id run once per imported row and per upsert: walking the
    // environment's accounts instead made an import of 50,000 accounts slow to 95 a second.
    #[test]
    fn an_account_is_found_by_its_reference_id_without_walking_the_environment() {
        let found = plan(crate::sql::writes::ACCOUNT_BY_REFERENCE, 3);
        assert!(
            found.contains("USING INDEX accounts_by_reference (environment_id=? AND reference_id=? AND archived=?)"),
            "{found}"
        );
        let listed = plan(
            "SELECT seq, body FROM accounts WHERE environment_id = ? AND archived = ? \
             AND reference_id IN (?) ORDER BY seq DESC LIMIT ?",
            4,
        );
        assert!(
            listed.contains("USING INDEX accounts_by_reference"),
            "{listed}"
        );
    }

    // A conjunction's walk asks which of many seqs a group holds: each (term, seq) pair
    // is a lookup in the terms table's primary key, never a walk of a term.
    #[test]
    fn a_search_asks_about_many_seqs_through_the_terms_key() {
        let sql = crate::sql::reads::Terms::ACCOUNTS.probe_sql(2, 32);
        let found = plan(&sql, 34);
        let point = ["(term=? AND account_seq=?)", "(account_seq=? AND term=?)"];
        assert!(
            found.starts_with("SEARCH account_terms USING")
                && point.iter().any(|p| found.contains(p))
                && !found.contains("SCAN"),
            "{found}"
        );
    }

    // An inbox view filters cases by several term groups (open or pending, and
    // unassigned): probing the kind's index for every pair from two lists cost 2 s at
    // 3,300 cases; their intersection is read once.
    #[test]
    fn records_filtered_by_several_terms_read_their_intersection_once() {
        let filter = crate::RecordFilter::default()
            .any_of(vec!["status:open".into(), "status:pending".into()])
            .any_of(vec!["assignee:none".into()]);
        let (clause, params) =
            crate::sql::records::filter_clause(crate::sql::Dialect::Sqlite, "env", "case", &filter);
        let found = plan(
            &format!("SELECT COUNT(*) FROM records WHERE {clause}"),
            params.len(),
        );
        assert!(found.contains("INTERSECT"), "{found}");
        assert!(!found.contains("rowid=?"), "{found}");
    }

    // A case page reads the history of the case and its objects, the events explorer one
    // person's or one kind of event: ranges of an index, not a walk of the environment's.
    #[test]
    fn events_of_objects_people_or_one_name_are_read_through_their_index() {
        let filter = crate::EventFilter {
            object_ids: vec!["case_1".into(), "act_1".into(), "rep_1".into()],
            ..Default::default()
        };
        let found = plan(
            &format!(
                "{} WHERE environment_id = ? AND object_id IN (?, ?, ?) ORDER BY seq DESC LIMIT ?",
                crate::sql::reads::events_select(&filter)
            ),
            5,
        );
        assert!(
            found.contains("events_by_object (environment_id=? AND object_id=?)"),
            "{found}"
        );
        let filter = crate::EventFilter {
            names: vec!["case.resolved".into()],
            ..Default::default()
        };
        let found = plan(
            &format!(
                "{} WHERE environment_id = ? AND name IN (?) ORDER BY seq DESC LIMIT ?",
                crate::sql::reads::events_select(&filter)
            ),
            3,
        );
        assert!(
            found.contains("events_by_name (environment_id=? AND name=?)"),
            "{found}"
        );
        assert!(!found.contains("TEMP B-TREE"), "{found}");
        let filter = crate::EventFilter {
            actor_ids: vec!["user_1".into(), "api_1".into()],
            ..Default::default()
        };
        let found = plan(
            &format!(
                "{} WHERE environment_id = ? AND actor_id IN (?, ?) ORDER BY seq DESC LIMIT ?",
                crate::sql::reads::events_select(&filter)
            ),
            4,
        );
        assert!(
            found.contains("events_by_actor (environment_id=? AND actor_id=?)"),
            "{found}"
        );
    }

    // "All open, SLA soonest first": the rank index walked in order, not every open case
    // read and sorted (1.8 s at 100,000 cases).
    #[test]
    fn a_page_in_sla_order_walks_the_rank_index() {
        let filter = crate::RecordFilter::default()
            .any_of(vec!["status:open".into(), "status:pending".into()]);
        let (clause, params) =
            crate::sql::records::filter_clause(crate::sql::Dialect::Sqlite, "env", "case", &filter);
        let found = plan(
            &format!(
                "{} ORDER BY rank_at ASC, seq ASC LIMIT ?",
                crate::sql::records::ranked_select(&clause)
            ),
            params.len() + 1,
        );
        assert!(found.contains("USING INDEX records_by_rank"), "{found}");
        assert!(!found.contains("TEMP B-TREE FOR ORDER BY"), "{found}");
    }

    // Search reads a common term a batch at a time in creation order: each batch
    // a range of the terms' primary key, never all of the name's accounts sorted.
    #[test]
    fn a_batch_of_a_terms_accounts_is_a_range_of_its_index() {
        for (terms, seq) in [
            (crate::sql::reads::Terms::ACCOUNTS, "account_seq"),
            (crate::sql::reads::Terms::RECORDS, "record_seq"),
        ] {
            for newest_first in [true, false] {
                let found = plan(&terms.batch_sql(newest_first), 3);
                assert!(
                    found.contains(&format!("USING PRIMARY KEY (term=? AND {seq}")),
                    "{found}"
                );
                assert!(!found.contains("TEMP B-TREE"), "{found}");
            }
        }
    }

    // An account page lists the account's reports: through `reports_by_account`.
    #[test]
    fn an_accounts_reports_are_read_through_their_index() {
        let filter = crate::ReportFilter {
            account_id: Some("act_1".into()),
            ..Default::default()
        };
        let env = "env";
        let (clause, params) = crate::sql::reads::reports_clause(&env, &filter);
        let found = plan(
            &format!("SELECT seq, body FROM reports WHERE {clause} ORDER BY seq DESC LIMIT ?"),
            params.len() + 1,
        );
        assert!(
            found.contains("reports_by_account (environment_id=? AND account_id=?)"),
            "{found}"
        );
    }
}
