//! Verifications (`ver_`, Persona's `verification/<kind>`): one per step a person submits
//! in an inquiry, each with the checks vigil ran on it and what each found.
//!
//! vigil runs every check itself, offline. A check it cannot run says `not_applicable`
//! with the reason, never `passed`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::inquiry::reverify::{Comparison, Outcome};

pub mod government_id;

/// What a verification verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VerificationKind {
    /// The typed fields against the account (vigil's database is the account itself).
    Database,
    GovernmentId,
    Selfie,
}

impl VerificationKind {
    pub const ALL: [VerificationKind; 3] = [
        VerificationKind::Database,
        VerificationKind::GovernmentId,
        VerificationKind::Selfie,
    ];

    /// The JSON:API type: `verification/database`.
    pub fn type_name(self) -> &'static str {
        match self {
            VerificationKind::Database => "verification/database",
            VerificationKind::GovernmentId => "verification/government-id",
            VerificationKind::Selfie => "verification/selfie",
        }
    }

    /// The path segment of the per-kind retrieve: `/verification/databases/{id}`.
    pub fn plural(self) -> &'static str {
        match self {
            VerificationKind::Database => "databases",
            VerificationKind::GovernmentId => "government-ids",
            VerificationKind::Selfie => "selfies",
        }
    }

    pub fn by_plural(plural: &str) -> Option<VerificationKind> {
        Self::ALL.into_iter().find(|k| k.plural() == plural)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    Initiated,
    Submitted,
    Passed,
    Failed,
    RequiresRetry,
}

impl VerificationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VerificationStatus::Initiated => "initiated",
            VerificationStatus::Submitted => "submitted",
            VerificationStatus::Passed => "passed",
            VerificationStatus::Failed => "failed",
            VerificationStatus::RequiresRetry => "requires_retry",
        }
    }

    /// The event a verification reaching this status records, if any.
    pub fn event(self) -> Option<&'static str> {
        match self {
            VerificationStatus::Initiated => None,
            VerificationStatus::Submitted => Some(crate::events::VERIFICATION_SUBMITTED),
            VerificationStatus::Passed => Some(crate::events::VERIFICATION_PASSED),
            VerificationStatus::Failed => Some(crate::events::VERIFICATION_FAILED),
            VerificationStatus::RequiresRetry => Some(crate::events::VERIFICATION_REQUIRES_RETRY),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Passed,
    Failed,
    NotApplicable,
}

/// One check: what was checked, what it found, and why (reasons, for a failure or a check
/// that did not apply).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    pub status: CheckStatus,
    pub reasons: Vec<String>,
    /// Whether a failure of this check fails the verification.
    pub required: bool,
    pub metadata: Map<String, Value>,
}

impl Check {
    pub fn new(name: &str, status: CheckStatus, reasons: &[&str], required: bool) -> Check {
        Check {
            name: name.into(),
            status,
            reasons: reasons.iter().map(|r| (*r).to_string()).collect(),
            required,
            metadata: Map::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    pub id: String,
    pub kind: VerificationKind,
    pub inquiry_id: String,
    pub inquiry_template_id: String,
    pub account_id: Option<String>,
    pub status: VerificationStatus,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub redacted_at: Option<i64>,
    pub country_code: Option<String>,
    pub tags: Vec<String>,
    pub checks: Vec<Check>,
    /// What the verification read, as Persona's attributes name it (`name-first`,
    /// `birthdate`, `identification-number`, ...): removed by redaction.
    pub attributes: Map<String, Value>,
    /// Under investigation: redaction is refused until it is unlocked.
    #[serde(default)]
    pub locked: bool,
    /// The document holding its photos (a government ID's, a selfie's): redacted with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
}

impl Verification {
    pub fn new(
        id: String,
        kind: VerificationKind,
        inquiry: &crate::inquiry::Inquiry,
        now: i64,
    ) -> Verification {
        Verification {
            id,
            kind,
            inquiry_id: inquiry.id.clone(),
            inquiry_template_id: inquiry.template_id.clone(),
            account_id: inquiry.account_id.clone(),
            status: VerificationStatus::Initiated,
            created_at: now,
            submitted_at: None,
            completed_at: None,
            redacted_at: None,
            country_code: None,
            tags: Vec::new(),
            checks: Vec::new(),
            attributes: Map::new(),
            locked: false,
            document_id: None,
        }
    }

    /// Decide from the checks: a photo to take again → requires retry; any other
    /// required check failed → failed; else passed.
    pub fn conclude(&mut self, now: i64) {
        self.status = match government_id::strongest_effect(&self.checks) {
            Some(government_id::Effect::Retry) => VerificationStatus::RequiresRetry,
            Some(_) => VerificationStatus::Failed,
            None => VerificationStatus::Passed,
        };
        self.completed_at = Some(now);
    }

    /// Remove what it read and the checks' details; status and times stay.
    pub fn redact(&mut self, now: i64) {
        self.attributes = Map::new();
        self.country_code = None;
        for check in &mut self.checks {
            check.metadata = Map::new();
        }
        self.redacted_at = Some(now);
    }
}

/// The database verification of a submitted inquiry: its typed identity fields checked
/// against its account by reverification (`comparison`; `None` when the inquiry has no
/// account to compare with). A partial agreement fails the check (a person should look);
/// a field without a value on either side does not apply.
pub fn database_checks(comparison: Option<&Comparison>) -> Vec<Check> {
    const FIELDS: [(&str, &str); 4] = [
        ("name", "account_name_comparison"),
        ("birthdate", "account_birthdate_comparison"),
        ("address", "account_address_comparison"),
        (
            "identification-number",
            "account_identification_number_comparison",
        ),
    ];
    FIELDS
        .iter()
        .map(|(field, check)| {
            let Some(comparison) = comparison else {
                return Check::new(check, CheckStatus::NotApplicable, &["no_account"], true);
            };
            if comparison.populated_account {
                return Check::new(
                    check,
                    CheckStatus::NotApplicable,
                    &["account_had_no_identity"],
                    true,
                );
            }
            let found = comparison.fields.iter().find(|f| f.field == *field);
            let mut result = match found.map(|f| f.outcome) {
                Some(Outcome::Match) => Check::new(check, CheckStatus::Passed, &[], true),
                Some(Outcome::Partial) => {
                    Check::new(check, CheckStatus::Failed, &["partial_match"], true)
                }
                Some(Outcome::Mismatch) => {
                    Check::new(check, CheckStatus::Failed, &["mismatch"], true)
                }
                Some(Outcome::NotCompared) | None => {
                    Check::new(check, CheckStatus::NotApplicable, &["no_value"], true)
                }
            };
            if let Some(found) = found {
                result
                    .metadata
                    .insert("method".into(), Value::String(found.method.clone()));
                if let Some(score) = found.score {
                    result.metadata.insert("score".into(), score.into());
                }
            }
            result
        })
        .collect()
}

/// The identity a verification reads about a person, in Persona's attribute names.
pub const PERSON_ATTRIBUTES: [&str; 10] = [
    "name-first",
    "name-middle",
    "name-last",
    "birthdate",
    "address-street-1",
    "address-street-2",
    "address-city",
    "address-subdivision",
    "address-postal-code",
    "identification-number",
];

/// The identity attributes of a database verification: the inquiry's typed values.
pub fn database_attributes(fields: &Map<String, Value>) -> Map<String, Value> {
    PERSON_ATTRIBUTES
        .iter()
        .filter_map(|key| {
            let value = fields.get(*key)?.get("value")?;
            (!value.is_null()).then(|| ((*key).to_string(), value.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inquiry::reverify::{FieldComparison, Verdict};

    fn comparison(outcomes: &[(&str, Outcome)]) -> Comparison {
        Comparison {
            verdict: Verdict::Pass,
            fields: outcomes
                .iter()
                .map(|(field, outcome)| FieldComparison {
                    field: (*field).into(),
                    outcome: *outcome,
                    method: "exact".into(),
                    score: None,
                })
                .collect(),
            populated_account: false,
            compared_at: 0,
        }
    }

    fn status_of(checks: &[Check], name: &str) -> CheckStatus {
        checks.iter().find(|c| c.name == name).unwrap().status
    }

    #[test]
    fn each_compared_field_becomes_a_check_and_a_partial_name_fails() {
        let checks = database_checks(Some(&comparison(&[
            ("name", Outcome::Partial),
            ("birthdate", Outcome::Match),
            ("address", Outcome::NotCompared),
        ])));
        assert_eq!(
            status_of(&checks, "account_name_comparison"),
            CheckStatus::Failed
        );
        assert_eq!(
            status_of(&checks, "account_birthdate_comparison"),
            CheckStatus::Passed
        );
        assert_eq!(
            status_of(&checks, "account_address_comparison"),
            CheckStatus::NotApplicable
        );
        assert_eq!(
            status_of(&checks, "account_identification_number_comparison"),
            CheckStatus::NotApplicable
        );
        let inquiry_fields = Map::new();
        let mut v = Verification {
            id: "ver_a".into(),
            kind: VerificationKind::Database,
            inquiry_id: "inq_a".into(),
            inquiry_template_id: "itmpl_a".into(),
            account_id: None,
            status: VerificationStatus::Submitted,
            created_at: 0,
            submitted_at: Some(0),
            completed_at: None,
            redacted_at: None,
            country_code: None,
            tags: vec![],
            checks,
            attributes: database_attributes(&inquiry_fields),
            locked: false,
            document_id: None,
        };
        v.conclude(5);
        assert_eq!(v.status, VerificationStatus::Failed);
        v.checks[0].status = CheckStatus::Passed;
        v.conclude(6);
        assert_eq!(v.status, VerificationStatus::Passed);
    }

    #[test]
    fn without_an_account_nothing_is_compared_and_nothing_claims_to_pass() {
        let checks = database_checks(None);
        assert!(checks
            .iter()
            .all(|c| c.status == CheckStatus::NotApplicable && c.reasons == ["no_account"]));
    }

    #[test]
    fn redaction_removes_what_was_read() {
        let mut fields = Map::new();
        fields.insert(
            "name-first".into(),
            serde_json::json!({"type": "string", "value": "Jane"}),
        );
        fields.insert(
            "name-last".into(),
            serde_json::json!({"type": "string", "value": null}),
        );
        let attributes = database_attributes(&fields);
        assert_eq!(attributes.len(), 1);
        let mut checks = database_checks(None);
        checks[0].metadata.insert("score".into(), 0.9.into());
        let mut v = Verification {
            id: "ver_a".into(),
            kind: VerificationKind::Database,
            inquiry_id: "inq_a".into(),
            inquiry_template_id: "itmpl_a".into(),
            account_id: None,
            status: VerificationStatus::Passed,
            created_at: 0,
            submitted_at: Some(0),
            completed_at: Some(0),
            redacted_at: None,
            country_code: Some("US".into()),
            tags: vec![],
            checks,
            attributes,
            locked: false,
            document_id: None,
        };
        v.redact(9);
        let text = serde_json::to_string(&v).unwrap();
        assert!(!text.contains("Jane") && !text.contains("0.9"));
        assert_eq!(v.redacted_at, Some(9));
    }
}
