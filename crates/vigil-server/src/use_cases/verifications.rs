//! Verifications: made when a person submits a step of an inquiry, each concluded from
//! the checks vigil ran; redacted (unless under investigation), locked and unlocked.

use vigil_domain::events;
use vigil_domain::ids::{self, prefix};
use vigil_domain::inquiry::reverify::Comparison;
use vigil_domain::inquiry::{Inquiry, VerificationRef};
use vigil_domain::verification::{self, Verification, VerificationKind, VerificationStatus};
use vigil_store::WriteTx;

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

/// Remove what a verification read (here and in its events); refused while it is locked
/// for an investigation. Redacting it again changes nothing.
pub fn redact(tx: &mut dyn WriteTx, acting: &Acting, found: &mut Verification) -> Outcome<()> {
    if found.locked {
        return Err(Refusal::Conflict(format!(
            "verification `{}` is locked for an investigation: unlock it before redacting it",
            found.id
        )));
    }
    if found.redacted_at.is_some() {
        return Ok(());
    }
    found.redact(acting.now);
    tx.put(&acting.env, &*found)?;
    replace_snapshots(tx, &acting.env, &found.id, &*found)?;
    tx.delete_stored_responses_for(&acting.env, &found.id)?;
    record(tx, acting, events::VERIFICATION_REDACTED, &*found, None)?;
    Ok(())
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
