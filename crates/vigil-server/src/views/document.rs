//! Generic documents as JSON:API resources; a file's `url` is vigil's own download path.

use serde_json::{json, Value};
use vigil_domain::document::Document;

pub const TYPE: &str = "document/generic";
pub const GOVERNMENT_ID: &str = "document/government-id";

fn file_url(document: &Document, f: &vigil_domain::document::DocumentFile) -> String {
    let name: String = form_urlencoded::byte_serialize(f.filename.as_bytes()).collect();
    format!(
        "/api/v1/documents/{}/files/{}/{name}",
        document.id, f.sha256
    )
}

/// A government ID (`document/government-id`): its photos and what was read from them.
fn government_id(document: &Document, id: &vigil_domain::document::IdDocument) -> Value {
    let photo = |index: usize| {
        document.files.get(index).map(|f| {
            json!({"filename": f.filename, "url": file_url(document, f), "byte-size": f.byte_size})
        })
    };
    let identity = id.identity.clone().unwrap_or_default();
    json!({
        "type": GOVERNMENT_ID,
        "id": document.id,
        "attributes": {
            "status": if document.redacted_at.is_some() { "errored" } else { "processed" },
            "created-at": vigil_domain::time::format_millis(document.created_at),
            "processed-at": vigil_domain::time::format_millis(document.created_at),
            "processed-at-ts": document.created_at.div_euclid(1000),
            "front-photo": photo(0),
            "back-photo": if id.has_back { photo(1) } else { None },
            "selfie-photo": null,
            "id-class": id.id_class,
            "name-first": identity.name_first,
            "name-middle": identity.name_middle,
            "name-last": identity.name_last,
            "birthdate": identity.birthdate,
            "issuing-subdivision": identity.issuing_subdivision,
            "document-number": identity.document_number,
            "identification-number": identity.document_number,
            "issue-date": identity.issue_date,
            "expiration-date": identity.expiration_date,
            "sex": identity.sex,
        },
        "relationships": {
            "inquiry": { "data": document.inquiry_id.as_ref().map(|id| json!({"type": "inquiry", "id": id})) },
        },
    })
}

pub fn resource(document: &Document) -> Value {
    if let Some(id) = &document.government_id {
        return government_id(document, id);
    }
    let files: Vec<Value> = document
        .files
        .iter()
        .map(|f| {
            json!({
                "filename": f.filename,
                "url": file_url(document, f),
                "byte-size": f.byte_size,
            })
        })
        .collect();
    json!({
        "type": TYPE,
        "id": document.id,
        "attributes": {
            "status": if document.redacted_at.is_some() { "errored" } else { "submitted" },
            "created-at": vigil_domain::time::format_millis(document.created_at),
            "processed-at": null,
            "processed-at-ts": null,
            "kind": document.kind,
            "document-type": document.document_type,
            "files": files,
            "files-normalized": [],
            "fields": {},
        },
        "relationships": {
            "inquiry": { "data": document.inquiry_id.as_ref().map(|id| json!({"type": "inquiry", "id": id})) },
        },
    })
}
