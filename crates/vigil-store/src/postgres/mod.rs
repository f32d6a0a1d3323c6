//! The PostgreSQL backend: the same SQL as SQLite's (`crate::sql`), run over tokio-postgres.
//!
//! - Connections are driven by a small runtime of the store's own (one thread); reads take
//!   one from a pool, so they never wait for the writer.
//! - One writer thread per process commits write jobs in groups, one savepoint per job, as
//!   SQLite's writer does: a failing job rolls back alone, and nobody hears "done" before
//!   the commit holding their writes returned.
//! - Migrations under `migrations/postgres/` have the names of SQLite's; each runs in its
//!   own transaction, which first claims its version row, so two processes starting at
//!   once never apply one twice.
//! - Nothing is cached between requests (another process may write the same rows).

mod db;
mod scrub;

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{mpsc, Arc, Mutex};

use tokio_postgres::{Config, NoTls};

pub use db::PgConn;

use crate::sql::writes::SqlTx;
use crate::sql::{Db, SqlBackend};
use crate::{params, Result, StoreError, WriteJob};

/// The PostgreSQL migrations, in order; each has the name of its SQLite twin.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../../migrations/postgres/0001_initial.sql"),
    ),
    (
        2,
        "account_actions",
        include_str!("../../migrations/postgres/0002_account_actions.sql"),
    ),
    (
        3,
        "files",
        include_str!("../../migrations/postgres/0003_files.sql"),
    ),
    (
        4,
        "lists",
        include_str!("../../migrations/postgres/0004_lists.sql"),
    ),
    (
        5,
        "reports",
        include_str!("../../migrations/postgres/0005_reports.sql"),
    ),
    (
        6,
        "importers",
        include_str!("../../migrations/postgres/0006_importers.sql"),
    ),
    (
        7,
        "records",
        include_str!("../../migrations/postgres/0007_records.sql"),
    ),
    (
        8,
        "cursors",
        include_str!("../../migrations/postgres/0008_cursors.sql"),
    ),
    (
        9,
        "due_by_kind",
        include_str!("../../migrations/postgres/0009_due_by_kind.sql"),
    ),
    (
        10,
        "event_actor",
        include_str!("../../migrations/postgres/0010_event_actor.sql"),
    ),
    (
        11,
        "users",
        include_str!("../../migrations/postgres/0011_users.sql"),
    ),
    (
        12,
        "review_console",
        include_str!("../../migrations/postgres/0012_review_console.sql"),
    ),
    (
        13,
        "account_lookups",
        include_str!("../../migrations/postgres/0013_account_lookups.sql"),
    ),
    (
        14,
        "events_by_name",
        include_str!("../../migrations/postgres/0014_events_by_name.sql"),
    ),
    (
        15,
        "write_order",
        include_str!("../../migrations/postgres/0015_write_order.sql"),
    ),
    (
        16,
        "leases_and_blobs",
        include_str!("../../migrations/postgres/0016_leases_and_blobs.sql"),
    ),
    (
        17,
        "full_name_terms",
        include_str!("../../migrations/postgres/0017_full_name_terms.sql"),
    ),
];

/// Readers kept open for reuse; more are opened on demand under load.
const MAX_IDLE_READERS: usize = 16;
/// Upper bound on jobs per commit.
const MAX_BATCH: usize = 512;

pub struct PgStore {
    config: Config,
    /// Drives every connection's socket; `None` only while dropping.
    runtime: Option<tokio::runtime::Runtime>,
    readers: Mutex<Vec<PgConn>>,
    /// `None` once dropping: the writer then finishes what is queued and stops.
    jobs: Mutex<Option<mpsc::Sender<WriteJob>>>,
    writer: Option<std::thread::JoinHandle<()>>,
}

impl PgStore {
    /// Connect to the database at `url` (`postgres://user:password@host:port/name`, or
    /// `host=... dbname=...`), apply the migrations it lacks, and start the writer.
    pub fn connect(url: &str) -> Result<PgStore> {
        let config: Config = url
            .parse()
            .map_err(|e: tokio_postgres::Error| StoreError::Postgres(e.to_string()))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("vigil-postgres")
            .enable_all()
            .build()?;
        let (sender, receiver) = mpsc::channel::<WriteJob>();
        let mut store = PgStore {
            config,
            runtime: Some(runtime),
            readers: Mutex::new(Vec::new()),
            jobs: Mutex::new(Some(sender)),
            writer: None,
        };
        migrate(&store.open()?)?;
        // The writer's connection lives on its thread, driven there (see `PgConn`).
        let config = store.config.clone();
        let analyzer = store.connector();
        let (started, writer_ready) = mpsc::channel();
        store.writer = Some(
            std::thread::Builder::new()
                .name("vigil-pg-writer".into())
                .spawn(move || {
                    let reconnect = || PgConn::on_this_thread(&config);
                    match reconnect() {
                        Ok(conn) => {
                            let _ = started.send(Ok(()));
                            run_writer(conn, reconnect, receiver, analyzer);
                        }
                        Err(error) => {
                            let _ = started.send(Err(error));
                        }
                    }
                })?,
        );
        writer_ready.recv().map_err(|_| StoreError::WriterGone)??;
        Ok(store)
    }

    /// A connection of its own, for work outside the writer (`vigil migrate`).
    pub(crate) fn connection(&self) -> Result<PgConn> {
        self.open()
    }

    /// A new connection.
    fn open(&self) -> Result<PgConn> {
        (self.connector())()
    }

    /// Something that opens connections on this store's runtime (the writer reconnects
    /// with it after losing its connection).
    fn connector(&self) -> impl Fn() -> Result<PgConn> + Send + 'static {
        let config = self.config.clone();
        let handle = self
            .runtime
            .as_ref()
            .expect("the runtime lives as long as the store")
            .handle()
            .clone();
        move || {
            let config = config.clone();
            let connecting = handle.spawn(async move {
                let (client, connection) = config.connect(NoTls).await?;
                tokio::spawn(async move {
                    if let Err(error) = connection.await {
                        tracing::warn!(error = %StoreError::from(error), "a postgresql connection ended");
                    }
                });
                Ok::<_, tokio_postgres::Error>(client)
            });
            let client = futures_executor::block_on(connecting)
                .map_err(|e| StoreError::Postgres(format!("connecting failed: {e}")))??;
            Ok(PgConn::new(client))
        }
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // The writer commits what is queued, then stops; only then do the connections go.
        self.jobs.lock().map(|mut jobs| jobs.take()).ok();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
        // A runtime may not be dropped where blocking is not allowed (inside a server's
        // async code): let its thread finish on its own.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl SqlBackend for PgStore {
    fn is_shared(&self) -> bool {
        true
    }

    fn scrub_pending(&self) -> Result<bool> {
        // A pooled reader: the leader asks every few seconds.
        self.read(scrub::pending)
    }

    fn scrub(&self, force: bool) -> Result<crate::Scrub> {
        // A connection of its own: the rewrites take minutes on a large database.
        scrub::scrub(&self.open()?, force)
    }

    fn read<T>(&self, f: impl FnOnce(&dyn Db) -> Result<T>) -> Result<T> {
        let pooled = loop {
            match self.readers.lock().expect("reader pool poisoned").pop() {
                Some(conn) if conn.is_closed() => continue,
                found => break found,
            }
        };
        let conn = match pooled {
            Some(conn) => conn,
            None => self.open()?,
        };
        let result = f(&conn);
        let mut pool = self.readers.lock().expect("reader pool poisoned");
        if pool.len() < MAX_IDLE_READERS && !conn.is_closed() {
            pool.push(conn);
        }
        result
    }

    fn submit_job(&self, job: WriteJob) {
        // If the writer has stopped, the job is dropped and its caller sees `WriterGone`.
        if let Some(jobs) = self.jobs.lock().expect("writer channel poisoned").as_ref() {
            let _ = jobs.send(job);
        }
    }
}

/// Apply the migrations the database lacks, each in a transaction that first claims its
/// version (a second process starting at once waits on that row, then skips it).
fn migrate(conn: &PgConn) -> Result<()> {
    conn.batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version BIGINT PRIMARY KEY,
             name TEXT NOT NULL,
             applied_at BIGINT NOT NULL
         )",
    )?;
    for (version, name, sql) in MIGRATIONS {
        conn.batch("BEGIN")?;
        let applied = (|| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            let claimed = (conn as &dyn Db).execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT DO NOTHING",
                params![version, name, now],
            )?;
            if claimed == 1 {
                conn.batch(sql)?;
                tracing::info!(version, name, "applied postgresql migration");
            }
            conn.batch("COMMIT")
        })();
        if let Err(error) = applied {
            let _ = conn.batch("ROLLBACK");
            return Err(StoreError::Postgres(format!(
                "migration {version:04}_{name} failed: {error}"
            )));
        }
    }
    Ok(())
}

/// The writer: group commit, one savepoint per job.
fn run_writer(
    mut conn: PgConn,
    reconnect: impl Fn() -> Result<PgConn>,
    jobs: mpsc::Receiver<WriteJob>,
    analyzer: impl Fn() -> Result<PgConn> + Send + Sync + 'static,
) {
    let statistics = Statistics::new(analyzer);
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        if conn.is_closed() {
            match reconnect() {
                Ok(fresh) => conn = fresh,
                Err(error) => tracing::error!(%error, "the writer could not reconnect"),
            }
        }
        let kept = run_batch(&conn, batch);
        statistics.wrote(kept);
    }
    tracing::debug!("postgresql writer stopped");
}

/// The planner's statistics kept in step with growth. PostgreSQL's autovacuum analyzes a
/// table once a tenth of it changed, but visits a database only once a minute: a table
/// growing from nothing under load is planned for meanwhile as if nearly empty, and a
/// lookup by search term (a flagging rule's, on every new account) then walks every row
/// of its kind instead of the few the term names, inside the writer. So this process runs
/// `ANALYZE` itself each time its writes have doubled (after 1,000 jobs, 2,000, 4,000...),
/// on a connection of its own, never holding up the writer.
struct Statistics {
    analyzer: Arc<dyn Fn() -> Result<PgConn> + Send + Sync>,
    written: std::cell::Cell<u64>,
    next: std::cell::Cell<u64>,
    running: Arc<std::sync::atomic::AtomicBool>,
}

impl Statistics {
    const FIRST: u64 = 1_000;

    fn new(analyzer: impl Fn() -> Result<PgConn> + Send + Sync + 'static) -> Statistics {
        Statistics {
            analyzer: Arc::new(analyzer),
            written: std::cell::Cell::new(0),
            next: std::cell::Cell::new(Self::FIRST),
            running: Arc::new(std::sync::atomic::AtomicBool::new(false)),
        }
    }

    fn wrote(&self, jobs: usize) {
        use std::sync::atomic::Ordering;
        self.written.set(self.written.get() + jobs as u64);
        if self.written.get() < self.next.get() || self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        self.next.set(self.written.get() * 2);
        let (analyzer, running) = (self.analyzer.clone(), self.running.clone());
        let spawned = std::thread::Builder::new()
            .name("vigil-pg-analyze".into())
            .spawn(move || {
                let started = std::time::Instant::now();
                match analyzer().and_then(|conn| conn.batch("ANALYZE")) {
                    Ok(()) => tracing::debug!(
                        ms = started.elapsed().as_millis() as u64,
                        "analyzed the database after its writes doubled"
                    ),
                    Err(error) => tracing::warn!(%error, "analyze failed; autovacuum will do it"),
                }
                running.store(false, Ordering::Release);
            });
        if spawned.is_err() {
            self.running.store(false, Ordering::Release);
        }
    }
}

type Completion = Box<dyn FnOnce(Result<()>) + Send>;

/// Run one group commit; how many jobs it ran, if it committed.
fn run_batch(conn: &PgConn, batch: Vec<WriteJob>) -> usize {
    // Every writing process takes the one `write_order` row first, so transactions commit
    // one after another and events' `seq` order is their commit order (migration 0015).
    if let Err(error) = conn.batch("BEGIN; SELECT id FROM write_order WHERE id = 1 FOR UPDATE") {
        tracing::error!(%error, "could not begin a transaction");
        let _ = conn.batch("ROLLBACK");
        // Dropping the jobs closes their callers' channels: they see `WriterGone`.
        return 0;
    }
    let mut completions: Vec<Completion> = Vec::with_capacity(batch.len());
    let mut redacted = false;
    // Account types are read again in every batch: another process may change them.
    let mut types = HashMap::new();
    let mut touched = Vec::new();
    // Savepoints are sent ahead of each job and released without waiting (see `PgConn`),
    // each under its own name: if one failed unnoticed, rolling back to the next job's
    // name fails too, rather than undoing an earlier job that was told it was kept.
    // Anything left failed breaks the batch: PostgreSQL would turn its COMMIT into a
    // silent ROLLBACK, so it is rolled back and every job told.
    let mut broken: Option<StoreError> = None;
    for (n, job) in batch.into_iter().enumerate() {
        if broken.is_some() {
            drop(job);
            continue;
        }
        if let Err(error) = conn.batch_later(format!("SAVEPOINT job{n}")) {
            broken = Some(error);
            continue;
        }
        let mut tx = SqlTx {
            conn,
            checkpoint: false,
            touched: &mut touched,
            types: &mut types,
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| job(&mut tx)));
        // The job's statements that were sent ahead: a failure among them fails the job.
        let settled = conn.settle();
        let keep = matches!(&outcome, Ok(o) if o.keep) && settled.is_ok();
        redacted |= keep && tx.checkpoint;
        if !keep {
            types.clear();
        }
        let closed = if keep {
            conn.batch_later(format!("RELEASE SAVEPOINT job{n}"))
        } else {
            conn.batch(&format!(
                "ROLLBACK TO SAVEPOINT job{n}; RELEASE SAVEPOINT job{n}"
            ))
        };
        if let Err(error) = closed {
            tracing::error!(%error, "could not close a savepoint");
            broken = Some(error);
        }
        match (outcome, settled) {
            (Ok(outcome), Ok(())) => completions.push(outcome.complete),
            (Ok(outcome), Err(error)) => {
                let complete = outcome.complete;
                completions.push(Box::new(move |_| complete(Err(error))));
            }
            (Err(_), _) => tracing::error!("a write job panicked; its writes were rolled back"),
        }
    }
    if let Err(error) = conn.settle() {
        broken.get_or_insert(error);
    }
    if let Some(error) = broken {
        tracing::error!(%error, "a write transaction broke; it is rolled back");
        let _ = conn.batch("ROLLBACK");
        for complete in completions {
            complete(Err(StoreError::Postgres(format!("rolled back: {error}"))));
        }
        return 0;
    }
    // What a redaction overwrote stays in PostgreSQL's files until a scrub: counted here,
    // in the same transaction, so the scrub it owes is never forgotten (`scrub.rs`).
    if redacted {
        if let Err(error) = scrub::count_redaction(conn).and_then(|()| conn.settle()) {
            tracing::error!(%error, "could not count a redaction; it is rolled back");
            let _ = conn.batch("ROLLBACK");
            for complete in completions {
                complete(Err(StoreError::Postgres(format!("rolled back: {error}"))));
            }
            return 0;
        }
    }
    match conn.batch("COMMIT") {
        Ok(()) => {
            let kept = completions.len();
            for complete in completions {
                complete(Ok(()));
            }
            kept
        }
        Err(error) => {
            tracing::error!(%error, "group commit failed");
            let _ = conn.batch("ROLLBACK");
            for complete in completions {
                complete(Err(StoreError::Postgres(format!("commit failed: {error}"))));
            }
            0
        }
    }
}
