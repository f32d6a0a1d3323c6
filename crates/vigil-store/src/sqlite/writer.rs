//! The single writer: group commit with one savepoint per job.
//!
//! SQLite allows one writer at a time, and with `synchronous = FULL` every commit costs an
//! fsync. Funnelling writes through one thread and committing whatever jobs queued up
//! while the previous fsync ran turns N fsyncs into one, without weakening durability:
//! no job's caller hears "done" before the commit holding its writes is on disk.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{Receiver, SyncSender};

use rusqlite::Connection;

use super::cache::AccountCache;
use crate::sql::writes::SqlTx;
use crate::{AccountType, Result, StoreError, WriteJob};

/// Upper bound on jobs per commit, so one commit never grows unboundedly under load.
const MAX_BATCH: usize = 512;

pub(super) fn run(
    conn: Connection,
    jobs: Receiver<WriteJob>,
    cache: &AccountCache,
    checkpoint: SyncSender<()>,
    wal: std::path::PathBuf,
) {
    // Account types by (environment, id or "" for the default), read on nearly every
    // account write. Only this thread writes them, so it alone keeps this coherent:
    // cleared on every type change and on every rollback.
    let mut types = HashMap::new();
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        run_batch(&conn, batch, cache, &mut types);
        // A burst of writes outruns a checkpointer that never waits (readers keep using
        // the WAL, so it is never started over): past the limit the writer itself waits
        // for a checkpoint to copy and truncate it before taking more work, which bounds
        // the WAL at about the limit plus one batch.
        if std::fs::metadata(&wal).map_or(0, |m| m.len()) > WAL_SOFT_LIMIT {
            // One try: readers are waited for up to the busy timeout, never longer.
            let started = std::time::Instant::now();
            match conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                r.get::<_, i64>(0)
            }) {
                Ok(busy) => tracing::debug!(
                    busy,
                    ms = started.elapsed().as_millis() as u64,
                    "the writer truncated the wal"
                ),
                Err(error) => tracing::warn!(%error, "wal checkpoint failed; it will be retried"),
            }
        }
        // Coalescing: if a wake-up is already pending, this one is not needed.
        let _ = checkpoint.try_send(());
    }
    tracing::debug!("storage writer stopped");
}

/// One statement, prepared once per connection (these run several times per batch).
fn exec(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}

/// Above this size the writer waits for the WAL to be copied and truncated before its
/// next batch: a long burst of writes (a million-row import) never grows it without bound.
const WAL_SOFT_LIMIT: u64 = 32 * 1024 * 1024;
/// With no commit for this long, the WAL is copied into the database and truncated.
const IDLE: std::time::Duration = std::time::Duration::from_secs(1);

/// Copies committed WAL frames into the database file on its own thread and connection,
/// so the writer's commits rarely pay for it (SQLite's automatic checkpoint would run
/// inside a commit). PASSIVE after commits (never waits for anyone), so the writer's own
/// checkpoint past `WAL_SOFT_LIMIT` has little left to copy; TRUNCATE when idle, so an idle
/// server's WAL is empty.
pub(super) fn checkpointer(conn: Connection, woken: Receiver<()>, wal: std::path::PathBuf) {
    let size = || std::fs::metadata(&wal).map_or(0, |m| m.len());
    let checkpoint = |mode: &str| {
        let sql = format!("PRAGMA wal_checkpoint({mode})");
        let started = std::time::Instant::now();
        match conn.query_row(&sql, [], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        }) {
            Ok((busy, frames, copied)) => tracing::debug!(
                mode,
                busy,
                frames,
                copied,
                ms = started.elapsed().as_millis() as u64,
                "wal checkpoint"
            ),
            Err(error) => tracing::warn!(%error, mode, "wal checkpoint failed; it will be retried"),
        }
    };
    checkpoint("TRUNCATE");
    loop {
        match woken.recv_timeout(IDLE) {
            Ok(()) => {
                checkpoint("PASSIVE");
                // Let commits accumulate: one checkpoint per interval is plenty.
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                if size() > 0 {
                    checkpoint("TRUNCATE");
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
        }
    }
}

fn run_batch(
    conn: &Connection,
    batch: Vec<WriteJob>,
    cache: &AccountCache,
    types: &mut HashMap<(String, String), AccountType>,
) {
    if let Err(error) = exec(conn, "BEGIN IMMEDIATE") {
        fail_all(
            batch
                .into_iter()
                .map(|job| run_job_unstarted(job))
                .collect(),
            &error.into(),
        );
        return;
    }
    let mut completions = Vec::with_capacity(batch.len());
    let mut checkpoint = false;
    let mut touched = Vec::new();
    for job in batch {
        if let Err(error) = exec(conn, "SAVEPOINT job") {
            tracing::error!(%error, "could not open a savepoint");
            completions.push(run_job_unstarted(job));
            continue;
        }
        let mut tx = SqlTx {
            conn,
            checkpoint: false,
            touched: &mut touched,
            types: &mut *types,
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| job(&mut tx)));
        let keep = matches!(&outcome, Ok(o) if o.keep);
        checkpoint |= keep && tx.checkpoint;
        if !keep {
            // It may have cached a type its rollback just removed.
            types.clear();
        }
        let released = if keep {
            exec(conn, "RELEASE job")
        } else {
            conn.execute_batch("ROLLBACK TO job; RELEASE job")
        };
        if let Err(error) = released {
            tracing::error!(%error, "could not close a savepoint");
        }
        match outcome {
            Ok(outcome) => completions.push(outcome.complete),
            Err(_) => tracing::error!("a write job panicked; its writes were rolled back"),
        }
    }
    let committed = exec(conn, "COMMIT");
    // Before anyone hears "done" (see cache.rs); after a failure too, to be safe.
    cache.invalidate(&touched);
    match committed {
        Ok(()) => {
            if checkpoint {
                truncate_wal(conn);
            }
            for complete in completions {
                complete(Ok(()));
            }
        }
        Err(error) => {
            tracing::error!(%error, "group commit failed");
            types.clear();
            let _ = conn.execute_batch("ROLLBACK");
            fail_all(completions, &error.into());
        }
    }
}

/// A job that could not run still owes its caller an answer: run it against nothing by
/// dropping it, which closes its channel (the caller sees `WriterGone`).
fn run_job_unstarted(job: WriteJob) -> Box<dyn FnOnce(Result<()>) + Send> {
    drop(job);
    Box::new(|_| {})
}

fn fail_all(completions: Vec<Box<dyn FnOnce(Result<()>) + Send>>, error: &StoreError) {
    for complete in completions {
        complete(Err(StoreError::Corrupt(format!("commit failed: {error}"))));
    }
}

/// Copy the WAL into the database and truncate it, retrying while readers hold old
/// snapshots (after a redaction: so page images with redacted data leave the disk).
fn truncate_wal(conn: &Connection) {
    for _ in 0..50 {
        match conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            r.get::<_, i64>(0)
        }) {
            Ok(0) => return,
            Ok(_) => std::thread::sleep(std::time::Duration::from_millis(10)),
            Err(error) => {
                tracing::error!(%error, "wal checkpoint failed");
                return;
            }
        }
    }
    tracing::warn!(
        "wal checkpoint stayed busy; it will complete on a later redaction or at shutdown"
    );
}
