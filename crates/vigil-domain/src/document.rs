//! Generic documents (`document/generic`, `doc_`): files a person handed in (a bank
//! statement, proof of employment), kept by content hash, optionally part of an inquiry.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentFile {
    pub filename: String,
    pub content_type: String,
    pub byte_size: usize,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// The file's name in the data directory: its own, never shared with another document
    /// or environment, so redacting one document can never take another's bytes. Absent
    /// in documents stored before names were per document: their file is named `sha256`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored_as: Option<String>,
}

impl DocumentFile {
    /// The name of this file's bytes in the data directory.
    pub fn stored_name(&self) -> &str {
        self.stored_as.as_deref().unwrap_or(&self.sha256)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub id: String,
    /// Persona's `kind` (`document`, `proof_of_employment`, ...).
    pub kind: String,
    pub document_type: Option<String>,
    pub inquiry_id: Option<String>,
    pub files: Vec<DocumentFile>,
    pub created_at: i64,
    pub redacted_at: Option<i64>,
    /// A government ID (`document/government-id`): its front (the first file) and back,
    /// and what was read from them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub government_id: Option<IdDocument>,
}

/// What a government ID document is and says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdDocument {
    /// Persona's `id-class`: `dl`, `pp`, `id`.
    pub id_class: String,
    pub country_code: String,
    /// Read from its barcode or MRZ; removed by redaction.
    pub identity: Option<crate::verification::government_id::DocumentIdentity>,
    /// Whether the second file is its back.
    pub has_back: bool,
}

impl Document {
    /// Forget the files (the caller deletes their bytes once no live document holds them).
    pub fn redact(&mut self, now: i64) -> Vec<DocumentFile> {
        self.redacted_at = Some(now);
        self.document_type = None;
        if let Some(id) = &mut self.government_id {
            id.identity = None;
        }
        std::mem::take(&mut self.files)
    }
}

/// What a file is, from its first bytes (the filename's extension proves nothing).
pub fn sniff(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"%PDF-") {
        "application/pdf"
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "image/jpeg"
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if bytes.starts_with(b"GIF8") {
        "image/gif"
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        "image/webp"
    } else {
        "application/octet-stream"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_known_by_their_bytes() {
        assert_eq!(sniff(b"%PDF-1.7 ..."), "application/pdf");
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), "image/png");
        assert_eq!(sniff(b"plain text"), "application/octet-stream");
    }

    #[test]
    fn redaction_hands_back_the_files_to_delete() {
        let file = DocumentFile {
            filename: "a.pdf".into(),
            content_type: "application/pdf".into(),
            byte_size: 3,
            sha256: "ab".into(),
            stored_as: None,
        };
        let mut doc = Document {
            id: "doc_a".into(),
            kind: "document".into(),
            document_type: Some("bank_statement".into()),
            inquiry_id: None,
            files: vec![file.clone()],
            created_at: 0,
            redacted_at: None,
            government_id: None,
        };
        assert_eq!(doc.redact(5), vec![file]);
        assert!(doc.files.is_empty());
        assert_eq!(doc.redacted_at, Some(5));
    }
}
