//! Importers and (beyond Persona) the rows an import could not take.

use serde_json::{json, Value};
use vigil_domain::importer::{Importer, RowError};
use vigil_domain::time::format_millis;

use super::time;

/// An importer as Persona shows it: status and counts.
pub fn resource(importer: &Importer) -> Value {
    json!({
        "type": importer.kind.type_name(),
        "id": importer.id,
        "attributes": {
            "status": importer.status.as_str(),
            "created-at": format_millis(importer.created_at),
            "completed-at": time(importer.completed_at),
            "error-count": importer.error_count,
            "successful-count": importer.successful_count,
            "duplicate-count": importer.duplicate_count,
        },
    })
}

/// One rejected row of `GET /importers/{id}/errors`.
pub fn row_error(error: &RowError) -> Value {
    json!({
        "type": "importer-error",
        "id": error.line.to_string(),
        "attributes": {
            "line": error.line,
            "column": error.column,
            "details": error.message,
        },
    })
}

/// What `errors` adds about the import itself: how far it has got, and why it stopped.
pub fn progress(importer: &Importer) -> Value {
    json!({
        "status": importer.status.as_str(),
        "list-id": importer.list_id,
        "filename": importer.filename,
        "row-count": importer.row_count,
        "rows-done": importer.rows_done,
        "failure": importer.failure,
    })
}
