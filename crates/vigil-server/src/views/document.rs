//! Generic documents as JSON:API resources; a file's `url` is vigil's own download path.

use serde_json::{json, Value};
use vigil_domain::document::Document;

pub const TYPE: &str = "document/generic";

pub fn resource(document: &Document) -> Value {
    let files: Vec<Value> = document
        .files
        .iter()
        .map(|f| {
            let name: String = form_urlencoded::byte_serialize(f.filename.as_bytes()).collect();
            json!({
                "filename": f.filename,
                "url": format!("/api/v1/documents/{}/files/{}/{name}", document.id, f.sha256),
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
