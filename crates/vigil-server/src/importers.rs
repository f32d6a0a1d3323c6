//! Running imports: rows are checked off the writer, then written in chunks, each chunk
//! one transaction with its items (or accounts), their events, its row errors and the
//! importer's progress. A crash loses at most the chunk in flight, and the import resumes
//! after the last committed row; other writes go on between chunks.
//!
//! The server leading background work runs pending imports in one task (woken by each new
//! import it receives, and looking for others' every second when servers share a
//! database); `vigil import list` runs the same code in the foreground.

use std::sync::Arc;
use std::time::Duration;

use vigil_domain::account::AccountChanges;
use vigil_domain::importer::{
    account_row, list_item_row, rows_of, Importer, ImporterKind, ImporterStatus, ReadRow, RowError,
};
use vigil_domain::list::ItemValue;
use vigil_store::{transact, Store};

use crate::blobs::Blobs;
use crate::now_millis;
use crate::use_cases::imports::write_chunk;
use crate::use_cases::{Input, Outcome, Refusal};

/// Rows written per transaction.
const CHUNK: usize = 2_000;

/// A row checked and ready to write.
pub(crate) enum Prepared {
    Item(ItemValue, String),
    Account(Box<AccountChanges>),
    Bad(RowError),
}

/// Check one row as the single create would.
fn prepare(kind: ImporterKind, row: ReadRow) -> Prepared {
    let checked = row.and_then(|row| match kind {
        ImporterKind::ListItem(list_kind) => {
            list_item_row(list_kind, &row).map(|(value, key)| Prepared::Item(value, key))
        }
        ImporterKind::Account => {
            account_row(&row).map(|changes| Prepared::Account(Box::new(changes)))
        }
    });
    checked.unwrap_or_else(Prepared::Bad)
}

/// Where an import's file is read from.
enum Source {
    /// In memory (`vigil import list`, or a server without a data directory).
    Bytes(Vec<u8>),
    /// In the imports folder: name and hash.
    Stored(Arc<Blobs>, String, String),
}

impl Source {
    /// A reader over the file (blocking).
    fn open(self) -> Result<Box<dyn std::io::Read + Send>, String> {
        match self {
            Source::Bytes(bytes) => Ok(Box::new(std::io::Cursor::new(bytes))),
            Source::Stored(files, name, sha256) => match files.open_checked(&name, &sha256) {
                Ok(Some(file)) => Ok(Box::new(std::io::BufReader::new(file))),
                Ok(None) => Err("the uploaded file is gone from the data directory".into()),
                Err(error) => Err(format!("the uploaded file cannot be read: {error}")),
            },
        }
    }
}

/// The row count of a file, its header checked (blocking: reads the whole file, holding
/// one row at a time).
fn count_rows(kind: ImporterKind, source: Source) -> Result<u64, String> {
    Ok(rows_of(kind, source.open()?)?.count() as u64)
}

/// Read and check the rows after the first `skip`, a chunk at a time, on a blocking
/// thread: at most two chunks wait for the writer, so an import of any size holds a few
/// thousand rows, never all of them (and, read from the imports folder, not its file).
/// A file that cannot be read, or whose header is wrong, is one `Err`.
fn prepared_chunks(
    kind: ImporterKind,
    source: Source,
    skip: usize,
) -> tokio::sync::mpsc::Receiver<Result<Vec<Prepared>, String>> {
    let (sender, receiver) = tokio::sync::mpsc::channel(2);
    tokio::task::spawn_blocking(move || {
        let rows = match source.open().and_then(|file| rows_of(kind, file)) {
            Ok(rows) => rows,
            Err(problem) => {
                let _ = sender.blocking_send(Err(problem));
                return;
            }
        };
        let mut rows = rows.skip(skip).map(|row| prepare(kind, row)).peekable();
        loop {
            let chunk: Vec<Prepared> = rows.by_ref().take(CHUNK).collect();
            if chunk.is_empty() || sender.blocking_send(Ok(chunk)).is_err() {
                return;
            }
            if rows.peek().is_none() {
                return;
            }
        }
    });
    receiver
}

/// A file to import, its header checked and its rows counted.
pub struct NewImport {
    pub kind: ImporterKind,
    pub list_id: Option<String>,
    pub filename: String,
    pub file: Vec<u8>,
    pub(crate) row_count: u64,
    /// The file's name and hash in the imports folder, once it is kept there (then `file`
    /// is empty and the database holds none of it).
    pub(crate) stored: Option<(String, String)>,
}

impl NewImport {
    /// Check the header and count the rows (off the writer: this reads the whole file).
    pub fn new(
        kind: ImporterKind,
        list_id: Option<String>,
        filename: String,
        file: Vec<u8>,
    ) -> Outcome<NewImport> {
        let row_count = rows_of(kind, file.as_slice())
            .map_err(|problem| Refusal::invalid(Input::named("file"), problem))?
            .count() as u64;
        Ok(NewImport {
            kind,
            list_id,
            filename,
            file,
            row_count,
            stored: None,
        })
    }

    /// A file already in the imports folder (an upload streamed there): its header is
    /// checked and its rows counted from disk; a file refused is deleted.
    pub async fn stored(
        kind: ImporterKind,
        list_id: Option<String>,
        filename: String,
        files: Arc<Blobs>,
        name: String,
        sha256: String,
    ) -> Outcome<NewImport> {
        let source = Source::Stored(files.clone(), name.clone(), sha256.clone());
        let counted = tokio::task::spawn_blocking(move || count_rows(kind, source))
            .await
            .map_err(|e| Refusal::Internal(e.to_string()))?;
        let row_count = match counted {
            Ok(count) => count,
            Err(problem) => {
                let _ = files.delete(&name);
                return Err(Refusal::invalid(Input::named("file"), problem));
            }
        };
        Ok(NewImport {
            kind,
            list_id,
            filename,
            file: Vec::new(),
            row_count,
            stored: Some((name, sha256)),
        })
    }

    /// The file's name in the imports folder, if it waits there.
    pub fn stored_name(&self) -> Option<&str> {
        self.stored.as_ref().map(|(name, _)| name.as_str())
    }

    /// Keep the file in `files` (written and fsynced now, before the import is recorded)
    /// instead of the database.
    pub async fn keep_in(mut self, files: Arc<Blobs>) -> Outcome<NewImport> {
        let bytes = std::mem::take(&mut self.file);
        let (sha256, name) = tokio::task::spawn_blocking(move || files.put(&bytes))
            .await
            .map_err(|e| Refusal::Internal(e.to_string()))?
            .map_err(|e| Refusal::Internal(e.to_string()))?;
        self.stored = Some((name, sha256));
        Ok(self)
    }
}

/// At start: delete import files no pending import waits on (an import that ended, or an
/// upload whose transaction never committed).
pub fn sweep(store: &Arc<dyn Store>, files: Option<&Blobs>) {
    let Some(files) = files else { return };
    let waiting: Option<Vec<String>> = store.pending_importers().ok().map(|pending| {
        pending
            .into_iter()
            .filter_map(|(_, importer)| importer.stored_file.map(|(name, _)| name))
            .collect()
    });
    // When unsure (the read failed), keep everything.
    let Some(waiting) = waiting else { return };
    match files.sweep(|name| waiting.iter().any(|w| w == name)) {
        Ok(0) => {}
        Ok(n) => tracing::info!(files = n, "removed import files no pending import needs"),
        Err(error) => tracing::error!(%error, "could not sweep import files"),
    }
}

/// The time an import is written at: the server's clock (which the test clock moves), or
/// the wall clock for `vigil import list`.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The wall clock.
pub fn wall_clock() -> Clock {
    Arc::new(now_millis)
}

/// Run a pending import to its end, calling `committed` after every chunk. Returns the
/// importer as it ends (or as someone else left it).
pub async fn run(
    store: &Arc<dyn Store>,
    files: Option<&Arc<Blobs>>,
    clock: &Clock,
    env: &str,
    id: &str,
    committed: &(dyn Fn(&Importer) + Sync),
) -> Outcome<Option<Importer>> {
    let Some(importer) = store.importer(env, id)? else {
        return Ok(None);
    };
    if importer.status != ImporterStatus::Pending {
        return Ok(Some(importer));
    }
    let source = match (&importer.stored_file, files) {
        (Some((name, sha256)), Some(files)) => {
            Source::Stored(files.clone(), name.clone(), sha256.clone())
        }
        (Some(_), None) => {
            return Err(Refusal::Internal(format!(
                "importer {id}'s file is in a data directory this runner was not given"
            )))
        }
        (None, _) => match store.importer_file(env, id)? {
            Some(bytes) => Source::Bytes(bytes),
            None => return Err(Refusal::Internal(format!("importer {id} has no file"))),
        },
    };
    let kind = importer.kind;
    let skip = importer.rows_done as usize;
    let mut chunks = prepared_chunks(kind, source, skip);
    let mut next = chunks.recv().await;
    if let Some(Err(problem)) = next {
        // Checked when the import was made: only a file gone or changed on disk, or a
        // changed rule, lands here.
        let (env, id, now) = (env.to_owned(), id.to_owned(), clock());
        return transact(store, move |tx| {
            let mut importer = tx
                .importer(&env, &id)?
                .ok_or_else(|| Refusal::Internal(format!("importer {id} vanished")))?;
            importer.fail(problem, now);
            tx.update_importer(&env, &importer)?;
            Ok(Some(importer))
        })
        .await;
    }
    let mut current = importer;
    while current.status == ImporterStatus::Pending {
        let chunk = next.take().and_then(Result::ok).unwrap_or_default();
        next = chunks.recv().await;
        let last = next.is_none();
        let (env_owned, id_owned, first) = (env.to_owned(), id.to_owned(), current.rows_done);
        let expected = first + chunk.len() as u64;
        let now = clock();
        current = transact(store, move |tx| {
            write_chunk(tx, &env_owned, &id_owned, first, chunk, last, now)
        })
        .await?;
        committed(&current);
        if current.status == ImporterStatus::Pending && current.rows_done != expected {
            break; // another runner is on it
        }
    }
    // The file is kept only while the import waits (the database forgets its copy in the
    // chunk that ends it).
    if let (ImporterStatus::Ready | ImporterStatus::Errored, Some((name, _)), Some(files)) =
        (current.status, &current.stored_file, files)
    {
        if let Err(error) = files.delete(name) {
            tracing::error!(%error, "an import file could not be deleted; the next start retries");
        }
    }
    Ok(Some(current))
}

/// The server's import runner: every pending import at start, then each new one.
pub async fn worker(
    store: Arc<dyn Store>,
    files: Option<Arc<Blobs>>,
    clock: Clock,
    wake: Arc<tokio::sync::Notify>,
    written: Arc<tokio::sync::Notify>,
    leader: Arc<crate::leadership::Leadership>,
) {
    // An import added through another server wakes nobody here: look every second.
    let idle = if store.is_shared() {
        Duration::from_secs(1)
    } else {
        Duration::from_secs(30)
    };
    loop {
        if !leader.wait(idle).await {
            continue;
        }
        match store.pending_importers() {
            Ok(pending) => {
                for (env, importer) in pending {
                    let notify = |_: &Importer| written.notify_one();
                    let run = run(&store, files.as_ref(), &clock, &env, &importer.id, &notify);
                    if let Err(error) = run.await {
                        tracing::error!(?error, importer = %importer.id, "import failed; retrying shortly");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
            Err(error) => tracing::error!(%error, "cannot read pending imports"),
        }
        // A missed wake-up costs at most this long.
        let _ = tokio::time::timeout(idle, wake.notified()).await;
    }
}
