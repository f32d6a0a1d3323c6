//! Inquiries: a person's pass through an inquiry template, its sessions, and the rules for
//! what may change it.
//!
//! - `lifecycle`: Persona's statuses and which action moves which (pure state machine).
//! - `template`: inquiry templates and the fields they collect.
//! - `session`: inquiry sessions (one per visit of the person).
//! - `reverify`: comparing submitted fields with what the account already says.

mod lifecycle;
pub mod reverify;
pub mod session;
pub mod steps;
pub mod template;
pub mod translation;

pub use lifecycle::{Action, IllegalTransition, InquiryStatus, Lifecycle, Transition};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use self::template::{Expiration, InquiryTemplate};

/// A verification of an inquiry: its id (`ver_`) and kind (its JSON:API type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationRef {
    pub id: String,
    pub kind: crate::verification::VerificationKind,
}

/// An inquiry as vigil stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inquiry {
    pub id: String,
    pub template_id: String,
    pub template_version_id: String,
    pub account_id: Option<String>,
    pub reference_id: Option<String>,
    pub lifecycle: Lifecycle,
    pub note: Option<String>,
    pub tags: Vec<String>,
    /// Who created it: the API key's name, or the creator email address given.
    pub creator: String,
    pub reviewer_comment: Option<String>,
    pub updated_at: i64,
    /// When it expires if nothing happens; only while created or pending.
    pub expires_at: Option<i64>,
    pub expiration: Expiration,
    pub redacted_at: Option<i64>,
    /// Typed fields (`{"name-first": {"type": "string", "value": "Jane"}}`), keys as
    /// Persona spells them (never inflected).
    pub fields: Map<String, Value>,
    pub session_ids: Vec<String>,
    pub document_ids: Vec<String>,
    pub report_ids: Vec<String>,
    /// The verifications its submitted steps became, oldest first.
    #[serde(default)]
    pub verifications: Vec<VerificationRef>,
    /// Beyond Persona: what reverification found when the inquiry was submitted.
    pub comparison: Option<reverify::Comparison>,
}

impl Inquiry {
    /// A new inquiry of `template`, in `created`, expiring after its create interval.
    pub fn new(
        id: String,
        template: &InquiryTemplate,
        expiration: Expiration,
        creator: String,
        now: i64,
    ) -> Inquiry {
        Inquiry {
            id,
            template_id: template.id.clone(),
            template_version_id: template.version_id.clone(),
            account_id: None,
            reference_id: None,
            lifecycle: Lifecycle::new(now),
            note: None,
            tags: Vec::new(),
            creator,
            reviewer_comment: None,
            updated_at: now,
            expires_at: Some(now + expiration.after_create_secs * 1000),
            expiration,
            redacted_at: None,
            // Every field of the template, empty until given (as Persona renders them).
            fields: template
                .field_schemas
                .iter()
                .map(|f| {
                    let mut typed = Map::new();
                    typed.insert("type".into(), Value::String(f.kind.value_type().into()));
                    typed.insert("value".into(), Value::Null);
                    (f.key.clone(), Value::Object(typed))
                })
                .collect(),
            session_ids: Vec::new(),
            document_ids: Vec::new(),
            report_ids: Vec::new(),
            verifications: Vec::new(),
            comparison: None,
        }
    }

    pub fn status(&self) -> InquiryStatus {
        self.lifecycle.status
    }

    /// Apply a lifecycle action: the status, its timestamp, and when it now expires.
    pub fn apply(&mut self, action: Action, now: i64) -> Result<Transition, IllegalTransition> {
        let transition = self.lifecycle.apply(action, now)?;
        if transition.event.is_some() {
            self.updated_at = now;
            self.expires_at = match (transition.from, transition.to) {
                (InquiryStatus::Expired, InquiryStatus::Pending) => {
                    Some(now + self.expiration.after_resume_secs * 1000)
                }
                (_, InquiryStatus::Pending) => Some(now + self.expiration.after_start_secs * 1000),
                (_, to) if to.in_progress() => self.expires_at,
                _ => None,
            };
        }
        Ok(transition)
    }

    /// When the scheduler must expire it, if it is still in progress then.
    pub fn due_at(&self) -> Option<i64> {
        if self.status().in_progress() && self.redacted_at.is_none() {
            self.expires_at
        } else {
            None
        }
    }

    /// Merge checked fields in (see [`InquiryTemplate::check_fields`]).
    pub fn merge_fields(&mut self, fields: Map<String, Value>, now: i64) -> bool {
        let mut changed = false;
        for (key, value) in fields {
            if self.fields.get(&key) != Some(&value) {
                self.fields.insert(key, value);
                changed = true;
            }
        }
        if changed {
            self.updated_at = now;
        }
        changed
    }

    /// A field's plain value, if it has one.
    pub fn field_text(&self, key: &str) -> Option<&str> {
        self.fields
            .get(key)
            .and_then(|f| f.get("value"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// Remove what the person submitted: fields, note, comparison. Status and times stay.
    pub fn redact(&mut self, now: i64) {
        self.fields = Map::new();
        self.note = None;
        self.reviewer_comment = None;
        self.reference_id = None;
        self.comparison = None;
        self.redacted_at = Some(now);
        self.updated_at = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inquiry::template::{standard_field_schemas, Expiration};

    fn template() -> InquiryTemplate {
        InquiryTemplate {
            id: "itmpl_a".into(),
            version_id: "itmplv_a".into(),
            name: "Default".into(),
            status: "active".into(),
            field_schemas: standard_field_schemas(),
            embedded_flow_domains: Vec::new(),
            translations: Vec::new(),
            steps: Default::default(),
            expiration: Expiration::default(),
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn expiry_follows_each_stage() {
        let expiration = Expiration {
            after_create_secs: 10,
            after_start_secs: 20,
            after_resume_secs: 30,
        };
        let mut inquiry = Inquiry::new("inq_a".into(), &template(), expiration, "k".into(), 1_000);
        assert_eq!(inquiry.due_at(), Some(11_000));
        inquiry.apply(Action::Start, 2_000).unwrap();
        assert_eq!(inquiry.due_at(), Some(22_000));
        inquiry.apply(Action::Expire, 22_000).unwrap();
        assert_eq!(inquiry.due_at(), None);
        inquiry.apply(Action::Resume, 40_000).unwrap();
        assert_eq!(inquiry.status(), InquiryStatus::Pending);
        assert_eq!(inquiry.due_at(), Some(70_000));
        inquiry.apply(Action::Complete, 41_000).unwrap();
        assert_eq!(inquiry.due_at(), None);
        assert_eq!(inquiry.expires_at, None);
    }

    #[test]
    fn redaction_removes_what_was_submitted() {
        let mut inquiry = Inquiry::new(
            "inq_a".into(),
            &template(),
            Expiration::default(),
            "k".into(),
            0,
        );
        inquiry.fields.insert(
            "name-first".into(),
            serde_json::json!({"type": "string", "value": "Jane"}),
        );
        inquiry.note = Some("called from 555-0101".into());
        inquiry.redact(5);
        assert!(inquiry.fields.is_empty());
        assert!(inquiry.note.is_none());
        assert_eq!(inquiry.due_at(), None);
        assert!(!serde_json::to_string(&inquiry).unwrap().contains("Jane"));
    }
}
