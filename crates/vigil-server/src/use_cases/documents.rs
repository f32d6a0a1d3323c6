//! Generic documents: add one (its files already durable in the data directory) and
//! redact one. Files are deleted only after the transaction that forgets them commits
//! ([`delete_files`]), and swept at start ([`sweep`]) after a crash between the two.

use vigil_domain::document::{Document, DocumentFile};
use vigil_domain::events;
use vigil_domain::ids::{self, prefix};
use vigil_domain::inquiry::Inquiry;
use vigil_store::{term, PageRequest, RecordFilter, WriteTx};

use crate::AppState;

use super::{record, replace_snapshots, Acting, Input, Outcome, Refusal};

/// What a new document is.
pub struct NewDocument {
    pub kind: String,
    pub document_type: Option<String>,
    pub inquiry_id: Option<String>,
    pub files: Vec<DocumentFile>,
    pub government_id: Option<vigil_domain::document::IdDocument>,
}

/// Add a document (`document.created`), to its inquiry when it names one.
pub fn create(tx: &mut dyn WriteTx, acting: &Acting, new: NewDocument) -> Outcome<Document> {
    let Some(id) = new.inquiry_id.clone() else {
        let document = new_document(acting, new);
        tx.put(&acting.env, &document)?;
        record(tx, acting, events::DOCUMENT_CREATED, &document, None)?;
        return Ok(document);
    };
    let mut inquiry =
        tx.get::<Inquiry>(&acting.env, &id)?
            .ok_or_else(|| Refusal::UnknownReference {
                input: Input::named("inquiry-id"),
                id: id.clone(),
            })?;
    super::inquiries::ensure_not_redacted(&inquiry)?;
    let document = create_for(tx, acting, new, &mut inquiry)?;
    inquiry.updated_at = acting.now;
    tx.put(&acting.env, &inquiry)?;
    Ok(document)
}

/// Add a document to `inquiry`, which the caller saves.
pub fn create_for(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    new: NewDocument,
    inquiry: &mut Inquiry,
) -> Outcome<Document> {
    let mut document = new_document(acting, new);
    document.inquiry_id = Some(inquiry.id.clone());
    inquiry.document_ids.push(document.id.clone());
    tx.put(&acting.env, &document)?;
    record(tx, acting, events::DOCUMENT_CREATED, &document, None)?;
    Ok(document)
}

fn new_document(acting: &Acting, new: NewDocument) -> Document {
    Document {
        id: ids::new_time_ordered_id(prefix::DOCUMENT, acting.now),
        kind: new.kind,
        document_type: new.document_type,
        inquiry_id: new.inquiry_id,
        files: new.files,
        created_at: acting.now,
        redacted_at: None,
        government_id: new.government_id,
    }
}

pub fn load_unredacted(tx: &mut dyn WriteTx, env: &str, id: &str) -> Outcome<Document> {
    let document = tx
        .get::<Document>(env, id)?
        .ok_or_else(|| Refusal::NotFound(format!("document `{id}` is not found")))?;
    if document.redacted_at.is_some() {
        return Err(Refusal::Conflict(format!("document `{id}` is redacted")));
    }
    Ok(document)
}

/// Redact one document: returns the names of the files no live document holds any more,
/// for the caller to delete ([`delete_files`]) once the transaction commits.
pub fn redact(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    document: &mut Document,
) -> Outcome<Vec<String>> {
    let env = &acting.env;
    let files = document.redact(acting.now);
    tx.put(env, &*document)?;
    replace_snapshots(tx, env, &document.id, &*document)?;
    record(tx, acting, events::DOCUMENT_REDACTED, document, None)?;
    let mut orphaned = Vec::new();
    for file in files {
        // A file named per document is this document's alone; one stored by its hash
        // (before names were per document) may be held by documents in any environment.
        if file.stored_as.is_some() || !held_anywhere(tx, &file.sha256)? {
            orphaned.push(file.stored_name().to_string());
        }
    }
    Ok(orphaned)
}

/// Whether a live document of any environment holds the file stored as `name`.
fn held_anywhere(tx: &mut dyn WriteTx, name: &str) -> Outcome<bool> {
    let holders = RecordFilter::default().any_of(vec![term("file", name), term("sha256", name)]);
    for env in tx.environments()? {
        let found = tx.find::<Document>(&env.id, &holders, 50)?;
        if found
            .iter()
            .any(|d| d.files.iter().any(|f| f.stored_name() == name))
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Delete files whose last document was redacted (after the commit).
pub async fn delete_files(state: &AppState, names: Vec<String>) {
    let Some(blobs) = state.blobs.clone() else {
        return;
    };
    let _ = tokio::task::spawn_blocking(move || {
        for name in names {
            if let Err(error) = blobs.delete(&name) {
                tracing::error!(%error, "a redacted document's file could not be deleted; the next start retries");
            }
        }
    })
    .await;
}

/// At start: delete files no live document holds (a crash between a commit and the file
/// operation that follows it).
pub async fn sweep(state: &AppState) {
    let (Some(blobs), store) = (state.blobs.clone(), state.store.clone()) else {
        return;
    };
    let swept = tokio::task::spawn_blocking(move || {
        let environments = store.environments().unwrap_or_default();
        blobs.sweep(|name| {
            let filter =
                RecordFilter::default().any_of(vec![term("file", name), term("sha256", name)]);
            let one = PageRequest {
                size: 50,
                ..Default::default()
            };
            // When unsure (a read failed), keep the file.
            environments.iter().any(|env| {
                store
                    .find::<Document>(&env.id, &filter, &one)
                    .map_or(true, |p| {
                        p.items
                            .iter()
                            .any(|d| d.files.iter().any(|f| f.stored_name() == name))
                    })
            })
        })
    })
    .await;
    match swept {
        Ok(Ok(0)) => {}
        Ok(Ok(n)) => tracing::info!(files = n, "removed document files no document holds"),
        Ok(Err(error)) => tracing::error!(%error, "could not sweep document files"),
        Err(error) => tracing::error!(%error, "could not sweep document files"),
    }
}
