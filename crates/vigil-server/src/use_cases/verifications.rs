//! Verifications: made when a person submits a step of an inquiry, each concluded from
//! the checks vigil ran; redacted (unless under investigation), locked and unlocked.

use serde_json::{json, Value};
use vigil_domain::document::{DocumentFile, IdDocument};
use vigil_domain::events;
use vigil_domain::ids::{self, prefix};
use vigil_domain::inquiry::reverify::{self, Comparison};
use vigil_domain::inquiry::template::InquiryTemplate;
use vigil_domain::inquiry::{Inquiry, InquiryStatus, VerificationRef};
use vigil_domain::verification::government_id::{
    self as id_checks, IdContext, IdReading, PhotoFindings,
};
use vigil_domain::verification::{self, Verification, VerificationKind, VerificationStatus};
use vigil_store::{term, RecordFilter, WriteTx};

use super::documents::{self, NewDocument};
use super::{record, replace_snapshots, Acting, Outcome, Refusal};

pub fn load(tx: &mut dyn WriteTx, env: &str, id: &str) -> Outcome<Verification> {
    tx.get::<Verification>(env, id)?
        .ok_or_else(|| Refusal::NotFound(format!("verification `{id}` is not found")))
}

/// The database verification of an inquiry being submitted: its typed fields against its
/// account (`comparison`, from reverification; `None` without an account). Recorded as
/// created, submitted and then passed or failed; listed on the inquiry, which the caller
/// saves.
pub fn verify_database(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    inquiry: &mut Inquiry,
    comparison: Option<&Comparison>,
) -> Outcome<Verification> {
    let mut found = Verification::new(
        ids::new_time_ordered_id(prefix::VERIFICATION, acting.now),
        VerificationKind::Database,
        inquiry,
        acting.now,
    );
    found.attributes = verification::database_attributes(&inquiry.fields);
    found.country_code = inquiry
        .field_text("address-country-code")
        .map(str::to_ascii_uppercase);
    found.checks = verification::database_checks(comparison);
    submit_and_conclude(tx, acting, inquiry, found)
}

/// A government ID a person handed in: what was read from its photos, the photos
/// (stored, front first), and what screening found for the identity it carries.
pub struct IdSubmission {
    pub reading: IdReading,
    pub files: Vec<DocumentFile>,
    /// (list or source name, list type, matched on).
    pub matches: Vec<(String, String, String)>,
    /// `photo` (the camera) or `upload` (a file), as the flow says.
    pub capture_method: String,
}

/// A selfie a person took: how it looks and its stored photo.
pub struct SelfieSubmission {
    pub findings: PhotoFindings,
    pub file: DocumentFile,
    pub capture_method: String,
}

/// The template of an in-progress inquiry, refusing one that is no longer collecting.
fn collecting(tx: &mut dyn WriteTx, env: &str, inquiry: &Inquiry) -> Outcome<InquiryTemplate> {
    if !matches!(
        inquiry.status(),
        InquiryStatus::Created | InquiryStatus::Pending
    ) {
        return Err(Refusal::Conflict(format!(
            "inquiry `{}` is {}: it takes no more photos",
            inquiry.id,
            inquiry.status().as_str()
        )));
    }
    tx.get::<InquiryTemplate>(env, &inquiry.template_id)?
        .ok_or_else(|| Refusal::Internal(format!("template {} is gone", inquiry.template_id)))
}

fn today(now: i64) -> String {
    vigil_domain::time::format_millis(now)[..10].to_string()
}

fn photo_url(document: &str, file: &DocumentFile) -> Value {
    json!(format!(
        "/api/v1/documents/{document}/files/{}/{}",
        file.sha256, file.filename
    ))
}

/// Other inquiries (of this environment) that handed in a photo with the same bytes.
fn repeated_in(
    tx: &mut dyn WriteTx,
    env: &str,
    inquiry: &Inquiry,
    files: &[DocumentFile],
) -> Outcome<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for file in files {
        let same = RecordFilter::default().any_of(vec![term("sha256", &file.sha256)]);
        for other in tx.find::<vigil_domain::document::Document>(env, &same, 20)? {
            if let Some(id) = other.inquiry_id.filter(|id| *id != inquiry.id) {
                if !out.contains(&id) {
                    out.push(id);
                }
            }
        }
    }
    Ok(out)
}

/// The government ID step: its photos kept as a `document/government-id` of the
/// inquiry, and a `verification/government-id` concluded from the checks (a photo to
/// take again leaves it `requires_retry`; the person may hand in another).
pub fn verify_government_id(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    inquiry: &mut Inquiry,
    submission: IdSubmission,
) -> Outcome<Verification> {
    let env = acting.env.clone();
    let template = collecting(tx, &env, inquiry)?;
    let Some(step) = template.steps.government_id.clone() else {
        return Err(Refusal::Conflict(format!(
            "inquiry template `{}` has no government ID step",
            template.id
        )));
    };
    let IdSubmission {
        reading,
        files,
        matches,
        capture_method,
    } = submission;
    let identity = reading.identity().cloned();
    let account = match (&inquiry.account_id, &identity) {
        (Some(id), Some(identity)) => tx
            .account(&env, id)?
            .map(|account| reverify::compare(&account, &identity.as_fields(), acting.now)),
        _ => None,
    };
    let context = IdContext {
        today: today(acting.now),
        typed: inquiry.fields.clone(),
        account,
        repeated_in: repeated_in(tx, &env, inquiry, &files)?,
        matches,
    };
    let checks = id_checks::government_id_checks(&reading, &step.rules, &context);
    let document = documents::create_for(
        tx,
        acting,
        NewDocument {
            kind: "government_id".into(),
            document_type: Some(reading.id_class.clone()),
            inquiry_id: Some(inquiry.id.clone()),
            files,
            government_id: Some(IdDocument {
                id_class: reading.id_class.clone(),
                country_code: reading.country_code.clone(),
                identity: identity.clone(),
                has_back: reading.photos.len() > 1,
            }),
        },
        inquiry,
    )?;
    let mut found = Verification::new(
        ids::new_time_ordered_id(prefix::VERIFICATION, acting.now),
        VerificationKind::GovernmentId,
        inquiry,
        acting.now,
    );
    if let Some(identity) = &identity {
        found.attributes = identity.attributes();
    }
    found
        .attributes
        .insert("id-class".into(), json!(reading.id_class));
    found
        .attributes
        .insert("capture-method".into(), json!(capture_method));
    for (index, key) in ["front-photo-url", "back-photo-url"].iter().enumerate() {
        if let Some(file) = document.files.get(index) {
            found
                .attributes
                .insert((*key).into(), photo_url(&document.id, file));
        }
    }
    found.country_code = Some(reading.country_code.clone());
    found.checks = checks;
    found.document_id = Some(document.id.clone());
    inquiry.updated_at = acting.now;
    submit_and_conclude(tx, acting, inquiry, found)
}

/// The selfie step: its photo kept as a document of the inquiry, and a
/// `verification/selfie` (exactly one face; the comparison with the ID's portrait is not
/// something vigil does, and says so).
pub fn verify_selfie(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    inquiry: &mut Inquiry,
    submission: SelfieSubmission,
) -> Outcome<Verification> {
    let template = collecting(tx, &acting.env, inquiry)?;
    if template.steps.selfie.is_none() {
        return Err(Refusal::Conflict(format!(
            "inquiry template `{}` has no selfie step",
            template.id
        )));
    }
    let document = documents::create_for(
        tx,
        acting,
        NewDocument {
            kind: "selfie".into(),
            document_type: None,
            inquiry_id: Some(inquiry.id.clone()),
            files: vec![submission.file],
            government_id: None,
        },
        inquiry,
    )?;
    let mut found = Verification::new(
        ids::new_time_ordered_id(prefix::VERIFICATION, acting.now),
        VerificationKind::Selfie,
        inquiry,
        acting.now,
    );
    found
        .attributes
        .insert("capture-method".into(), json!(submission.capture_method));
    found.attributes.insert(
        "center-photo-url".into(),
        photo_url(&document.id, &document.files[0]),
    );
    found.checks = id_checks::selfie_checks(&submission.findings);
    found.document_id = Some(document.id.clone());
    inquiry.updated_at = acting.now;
    submit_and_conclude(tx, acting, inquiry, found)
}

/// What the template's steps (government ID, selfie) say about a submitted inquiry: the
/// strongest effect among their latest verifications (`Fail` before `Review`; `None`
/// when all passed). A step not done yet, or whose photo must be taken again, refuses
/// the submission, naming the step.
pub fn steps_outcome(
    tx: &mut dyn WriteTx,
    env: &str,
    template: &InquiryTemplate,
    inquiry: &Inquiry,
) -> Outcome<Option<id_checks::Effect>> {
    let mut effects = Vec::new();
    let wanted = [
        (
            template.steps.government_id.is_some(),
            VerificationKind::GovernmentId,
            "a photo of a government ID",
        ),
        (
            template.steps.selfie.is_some(),
            VerificationKind::Selfie,
            "a selfie",
        ),
    ];
    for (on, kind, what) in wanted {
        if !on {
            continue;
        }
        let latest = inquiry.verifications.iter().rev().find(|v| v.kind == kind);
        let found = match latest {
            Some(v) => load(tx, env, &v.id)?,
            None => {
                return Err(Refusal::Conflict(format!(
                    "inquiry `{}` needs {what} before it can be submitted",
                    inquiry.id
                )))
            }
        };
        match found.status {
            VerificationStatus::Passed => {}
            VerificationStatus::Failed => {
                effects.extend(id_checks::strongest_effect(&found.checks));
            }
            _ => {
                return Err(Refusal::Conflict(format!(
                    "inquiry `{}` needs {what} taken again (verification `{}` is {}) before it can be submitted",
                    inquiry.id,
                    found.id,
                    found.status.as_str()
                )))
            }
        }
    }
    Ok([id_checks::Effect::Fail, id_checks::Effect::Review]
        .into_iter()
        .find(|e| effects.contains(e)))
}

/// Record a new verification's life up to its conclusion, in order: created, submitted,
/// passed or failed.
fn submit_and_conclude(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    inquiry: &mut Inquiry,
    mut found: Verification,
) -> Outcome<Verification> {
    let env = &acting.env;
    record(tx, acting, events::VERIFICATION_CREATED, &found, None)?;
    found.status = VerificationStatus::Submitted;
    found.submitted_at = Some(acting.now);
    record(tx, acting, events::VERIFICATION_SUBMITTED, &found, None)?;
    found.conclude(acting.now);
    if let Some(event) = found.status.event() {
        record(tx, acting, event, &found, None)?;
    }
    tx.put(env, &found)?;
    inquiry.verifications.push(VerificationRef {
        id: found.id.clone(),
        kind: found.kind,
    });
    Ok(found)
}

/// Remove what a verification read (here and in its events), and its photos' document;
/// refused while it is locked for an investigation. Redacting it again changes nothing.
/// Returns the files to delete once the transaction commits
/// ([`documents::delete_files`]).
pub fn redact(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    found: &mut Verification,
) -> Outcome<Vec<String>> {
    if found.locked {
        return Err(Refusal::Conflict(format!(
            "verification `{}` is locked for an investigation: unlock it before redacting it",
            found.id
        )));
    }
    if found.redacted_at.is_some() {
        return Ok(Vec::new());
    }
    found.redact(acting.now);
    tx.put(&acting.env, &*found)?;
    replace_snapshots(tx, &acting.env, &found.id, &*found)?;
    tx.delete_stored_responses_for(&acting.env, &found.id)?;
    record(tx, acting, events::VERIFICATION_REDACTED, &*found, None)?;
    let mut orphaned = Vec::new();
    if let Some(id) = &found.document_id {
        if let Some(mut document) = tx.get::<vigil_domain::document::Document>(&acting.env, id)? {
            if document.redacted_at.is_none() {
                orphaned = documents::redact(tx, acting, &mut document)?;
            }
        }
    }
    Ok(orphaned)
}

/// Lock (`true`) or unlock a verification against redaction; the same state again
/// changes nothing.
pub fn set_locked(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    found: &mut Verification,
    locked: bool,
) -> Outcome<()> {
    if found.locked == locked {
        return Ok(());
    }
    if locked && found.redacted_at.is_some() {
        return Err(Refusal::Conflict(format!(
            "verification `{}` is redacted: there is nothing left to investigate",
            found.id
        )));
    }
    found.locked = locked;
    tx.put(&acting.env, &*found)?;
    let event = if locked {
        events::VERIFICATION_LOCKED
    } else {
        events::VERIFICATION_UNLOCKED
    };
    record(tx, acting, event, &*found, None)?;
    Ok(())
}
