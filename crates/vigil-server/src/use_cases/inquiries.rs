//! Inquiries: every status change (through the domain's lifecycle, `Inquiry::apply`, which
//! refuses illegal moves and names the event each move records), their sessions, expiry
//! and redaction; creating, changing and completing one.

use serde_json::{json, Map, Value};
use vigil_domain::account::parse_changes;
use vigil_domain::document::Document;
use vigil_domain::events;
use vigil_domain::ids::{self, prefix};
use vigil_domain::inquiry::reverify::{self, Verdict};
use vigil_domain::inquiry::session::{Device, InquirySession};
use vigil_domain::inquiry::template::{Expiration, InquiryTemplate};
use vigil_domain::inquiry::{Action, Inquiry, InquiryStatus};
use vigil_domain::tag_change::TagChange;
use vigil_domain::verification::government_id::Effect;
use vigil_domain::FieldError;
use vigil_store::{term, RecordFilter, WriteTx};

use super::{record, replace_snapshots, Acting, Input, Outcome, Refusal};

/// Persona's limit of sessions per inquiry.
pub const MAX_SESSIONS: usize = 25;

pub fn load(tx: &mut dyn WriteTx, env: &str, id: &str) -> Outcome<Inquiry> {
    tx.get::<Inquiry>(env, id)?
        .ok_or_else(|| Refusal::NotFound(format!("inquiry `{id}` is not found")))
}

pub fn ensure_not_redacted(inquiry: &Inquiry) -> Outcome<()> {
    match inquiry.redacted_at {
        Some(_) => Err(Refusal::Conflict(format!(
            "inquiry `{}` is redacted",
            inquiry.id
        ))),
        None => Ok(()),
    }
}

/// Move the inquiry by `action`, recording the event the move names (none when it was
/// already there). Expiring also expires its sessions; starting starts the newest one.
/// The caller saves the inquiry (once, however many moves it made).
pub fn transition(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    inquiry: &mut Inquiry,
    action: Action,
) -> Outcome<bool> {
    let moved = inquiry
        .apply(action, acting.now)
        .map_err(|e| Refusal::Conflict(format!("{e} (inquiry `{}`)", inquiry.id)))?;
    let Some(event) = moved.event else {
        return Ok(false);
    };
    if action == Action::Expire {
        expire_sessions(tx, acting, &inquiry.id)?;
    }
    if action == Action::Start {
        start_newest_session(tx, acting, &inquiry.id)?;
    }
    record(tx, acting, event, inquiry, None)?;
    Ok(true)
}

/// Expire one inquiry whose time ran out, if it still has (it may have moved since it
/// fell due).
pub fn expire_if_due(tx: &mut dyn WriteTx, acting: &Acting, id: &str) -> Outcome<()> {
    let Some(mut inquiry) = tx.get::<Inquiry>(&acting.env, id)? else {
        return Ok(());
    };
    if vigil_store::Record::due_at(&inquiry).is_some_and(|at| at <= acting.now)
        && transition(tx, acting, &mut inquiry, Action::Expire)?
    {
        tx.put(&acting.env, &inquiry)?;
    }
    Ok(())
}

/// Expire every session of the inquiry that has not expired; returns them.
pub fn expire_sessions(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    inquiry_id: &str,
) -> Outcome<Vec<InquirySession>> {
    let filter = RecordFilter::default()
        .any_of(vec![term("inquiry", inquiry_id)])
        .any_of(vec![term("status", "new"), term("status", "active")]);
    let mut expired = Vec::new();
    for mut session in tx.find::<InquirySession>(&acting.env, &filter, MAX_SESSIONS * 4)? {
        if session.expire(acting.now) {
            tx.put(&acting.env, &session)?;
            record(tx, acting, events::INQUIRY_SESSION_EXPIRED, &session, None)?;
            expired.push(session);
        }
    }
    Ok(expired)
}

/// Expire the session `id` now (`inquiry-session.expired`, unless it already was).
pub fn expire_session(tx: &mut dyn WriteTx, acting: &Acting, id: &str) -> Outcome<InquirySession> {
    let mut session = tx
        .get::<InquirySession>(&acting.env, id)?
        .ok_or_else(|| Refusal::NotFound(format!("inquiry session `{id}` is not found")))?;
    if session.expire(acting.now) {
        tx.put(&acting.env, &session)?;
        record(tx, acting, events::INQUIRY_SESSION_EXPIRED, &session, None)?;
    }
    Ok(session)
}

/// Add, remove or set an inquiry's tags (`inquiry.updated-tags` when they changed). The
/// caller saves it.
pub fn retag(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    inquiry: &mut Inquiry,
    change: TagChange,
) -> Outcome<()> {
    if change.apply(&mut inquiry.tags) {
        inquiry.updated_at = acting.now;
        record(tx, acting, events::INQUIRY_UPDATED_TAGS, inquiry, None)?;
    }
    Ok(())
}

/// The person began: their newest session that has not started becomes active.
fn start_newest_session(tx: &mut dyn WriteTx, acting: &Acting, inquiry_id: &str) -> Outcome<()> {
    let filter = RecordFilter::default()
        .any_of(vec![term("inquiry", inquiry_id)])
        .any_of(vec![term("status", "new")]);
    if let Some(mut session) = tx.find::<InquirySession>(&acting.env, &filter, 1)?.pop() {
        if session.start(acting.now) {
            tx.put(&acting.env, &session)?;
            record(tx, acting, events::INQUIRY_SESSION_STARTED, &session, None)?;
        }
    }
    Ok(())
}

/// A new session of `inquiry` (saved, event recorded), refused past Persona's limit.
pub fn new_session(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    inquiry: &mut Inquiry,
) -> Outcome<InquirySession> {
    ensure_not_redacted(inquiry)?;
    if inquiry.status().decided() {
        return Err(Refusal::Conflict(format!(
            "inquiry `{}` is {}: it takes no new sessions",
            inquiry.id,
            inquiry.status()
        )));
    }
    if inquiry.session_ids.len() >= MAX_SESSIONS {
        return Err(Refusal::invalid(
            Input::named("inquiry-id"),
            format!(
                "inquiry `{}` already has {MAX_SESSIONS} sessions, the most it may have",
                inquiry.id
            ),
        ));
    }
    let session = InquirySession::new(
        ids::new_time_ordered_id(prefix::INQUIRY_SESSION, acting.now),
        inquiry.id.clone(),
        acting.now,
    );
    inquiry.session_ids.push(session.id.clone());
    tx.put(&acting.env, &session)?;
    record(tx, acting, events::INQUIRY_SESSION_CREATED, &session, None)?;
    Ok(session)
}

/// Redact an inquiry: what the person submitted, its sessions' device data and its
/// documents (here and in their events), its stored responses. Returns the document files
/// no live document holds any more, to delete once this commits. The caller asks for the
/// checkpoint.
pub fn redact(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    inquiry: &mut Inquiry,
) -> Outcome<Vec<String>> {
    let env = &acting.env;
    // A verification under investigation keeps the whole inquiry: refuse before writing.
    let mut verifications = Vec::new();
    for verification in &inquiry.verifications {
        let id = &verification.id;
        let found = super::verifications::load(tx, env, id)?;
        if found.locked {
            return Err(Refusal::Conflict(format!(
                "verification `{id}` of inquiry `{}` is locked for an investigation: unlock it before redacting the inquiry",
                inquiry.id
            )));
        }
        verifications.push(found);
    }
    let mut orphaned = Vec::new();
    for mut found in verifications {
        orphaned.extend(super::verifications::redact(tx, acting, &mut found)?);
    }
    for document_id in inquiry.document_ids.clone() {
        if let Some(mut document) = tx.get::<Document>(env, &document_id)? {
            if document.redacted_at.is_none() {
                orphaned.extend(super::documents::redact(tx, acting, &mut document)?);
            }
        }
    }
    expire_sessions(tx, acting, &inquiry.id)?;
    for session_id in inquiry.session_ids.clone() {
        if let Some(mut session) = tx.get::<InquirySession>(env, &session_id)? {
            if let Some(device_id) = &session.device_id {
                if let Some(mut device) = tx.get::<Device>(env, device_id)? {
                    device.redact(acting.now);
                    tx.put(env, &device)?;
                }
            }
            session.redact();
            tx.put(env, &session)?;
            replace_snapshots(tx, env, &session.id, &session)?;
        }
    }
    inquiry.redact(acting.now);
    tx.put(env, &*inquiry)?;
    replace_snapshots(tx, env, &inquiry.id, &*inquiry)?;
    tx.delete_stored_responses_for(env, &inquiry.id)?;
    record(tx, acting, events::INQUIRY_REDACTED, inquiry, None)?;
    Ok(orphaned)
}

/// Submit the inquiry: every required field must have a value; then its identity is
/// compared with its account's (an empty account is filled instead) and the inquiry
/// completes, goes to review (completed, then marked for review) or fails. The caller
/// saves the inquiry.
pub fn complete(tx: &mut dyn WriteTx, acting: &Acting, inquiry: &mut Inquiry) -> Outcome<()> {
    let env = acting.env.as_str();
    // Refuse early, before anything is written, when the status does not allow it.
    vigil_domain::inquiry::Lifecycle::next(inquiry.status(), Action::Complete)
        .map_err(|e| Refusal::Conflict(format!("{e} (inquiry `{}`)", inquiry.id)))?;
    let template = tx
        .get::<InquiryTemplate>(env, &inquiry.template_id)?
        .ok_or_else(|| Refusal::Internal(format!("template {} is gone", inquiry.template_id)))?;
    if let Some(missing) = template.missing_required(&inquiry.fields).first() {
        return Err(Refusal::Field(FieldError::invalid(
            format!("fields/{missing}"),
            format!(
                "is required by inquiry template `{}` before the inquiry can complete",
                template.id
            ),
        )));
    }
    let steps = super::verifications::steps_outcome(tx, env, &template, inquiry)?;
    let Some(account_id) = inquiry.account_id.clone() else {
        super::verifications::verify_database(tx, acting, inquiry, None)?;
        return conclude(tx, acting, inquiry, Verdict::Pass, steps);
    };
    let mut account = tx
        .account(env, &account_id)?
        .ok_or_else(|| Refusal::Internal(format!("account {account_id} is gone")))?;
    let comparison = reverify::compare(&account, &inquiry.fields, acting.now);
    if comparison.populated_account && reverify::account_is_empty(&account) {
        let changes = parse_changes(&reverify::account_attributes(&inquiry.fields), false)?;
        if account.apply(&changes, acting.now).any() {
            tx.update_account(env, &account)?;
            let context = json!({ "inquiry-id": inquiry.id });
            let event = events::ACCOUNT_UPDATED_FIELDS;
            record(tx, acting, event, &account, Some(context))?;
        }
    }
    let verdict = comparison.verdict;
    super::verifications::verify_database(tx, acting, inquiry, Some(&comparison))?;
    inquiry.comparison = Some(comparison);
    conclude(tx, acting, inquiry, verdict, steps)
}

/// Complete, send to review or fail a submitted inquiry: the worst of reverification's
/// verdict and what its steps' verifications found.
fn conclude(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    inquiry: &mut Inquiry,
    verdict: Verdict,
    steps: Option<Effect>,
) -> Outcome<()> {
    if verdict == Verdict::Fail || steps == Some(Effect::Fail) {
        transition(tx, acting, inquiry, Action::Fail)?;
    } else if verdict == Verdict::Review || steps == Some(Effect::Review) {
        transition(tx, acting, inquiry, Action::Complete)?;
        transition(tx, acting, inquiry, Action::MarkForReview)?;
    } else {
        transition(tx, acting, inquiry, Action::Complete)?;
    }
    Ok(())
}

/// What a new inquiry is given beyond its template.
pub struct NewInquiry {
    /// The account it belongs to (resolved, or made, by the caller).
    pub account: Option<vigil_domain::account::Account>,
    /// The creator's email address; the actor's name when not given.
    pub creator: Option<String>,
    pub reference_id: Option<String>,
    pub note: Option<String>,
    pub tags: Vec<String>,
    /// Fields, checked against the template's schemas.
    pub fields: Option<Map<String, Value>>,
    /// Seconds after creation, start and resume to expire at (the template's when `None`).
    pub expiration: [Option<i64>; 3],
}

/// A new inquiry of `template` (`inquiry.created`), saved.
pub fn create(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    template: &InquiryTemplate,
    new: NewInquiry,
) -> Outcome<Inquiry> {
    let checked = match &new.fields {
        Some(fields) => template.check_fields(fields, "fields")?,
        None => Map::new(),
    };
    let [after_create, after_start, after_resume] = new.expiration;
    let expiration = Expiration {
        after_create_secs: after_create.unwrap_or(template.expiration.after_create_secs),
        after_start_secs: after_start.unwrap_or(template.expiration.after_start_secs),
        after_resume_secs: after_resume.unwrap_or(template.expiration.after_resume_secs),
    };
    let creator = new.creator.unwrap_or_else(|| acting.actor.display_name());
    let mut inquiry = Inquiry::new(
        ids::new_time_ordered_id(prefix::INQUIRY, acting.now),
        template,
        expiration,
        creator,
        acting.now,
    );
    let account = new.account.as_ref();
    inquiry.account_id = account.map(|a| a.id.clone());
    inquiry.reference_id = new
        .reference_id
        .or_else(|| account.and_then(|a| a.reference_id.clone()));
    inquiry.note = new.note;
    inquiry.tags = new.tags;
    inquiry.merge_fields(checked, acting.now);
    tx.put(&acting.env, &inquiry)?;
    record(tx, acting, events::INQUIRY_CREATED, &inquiry, None)?;
    Ok(inquiry)
}

/// What an inquiry update may change (`None`: not given; a `None` note clears it).
pub struct InquiryChanges {
    pub fields: Option<Map<String, Value>>,
    pub note: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
}

/// Change an inquiry's fields (only while in progress; the first fields start a created
/// inquiry, as the person has begun), note and tags. The caller saves it.
pub fn update(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    inquiry: &mut Inquiry,
    changes: InquiryChanges,
) -> Outcome<()> {
    let mut changed = false;
    if let Some(fields) = changes.fields.filter(|f| !f.is_empty()) {
        if !inquiry.status().in_progress() {
            return Err(Refusal::Conflict(format!(
                "inquiry `{}` is {}: its fields no longer change",
                inquiry.id,
                inquiry.status()
            )));
        }
        let template = tx
            .get::<InquiryTemplate>(&acting.env, &inquiry.template_id)?
            .ok_or_else(|| {
                Refusal::Internal(format!("template {} is gone", inquiry.template_id))
            })?;
        let checked = template.check_fields(&fields, "fields")?;
        changed |= inquiry.merge_fields(checked, acting.now);
        if inquiry.status() == InquiryStatus::Created {
            transition(tx, acting, inquiry, Action::Start)?;
        }
    }
    if let Some(note) = changes.note {
        changed |= inquiry.note != note;
        inquiry.note = note;
    }
    if let Some(tags) = changes.tags {
        if inquiry.tags != tags {
            inquiry.tags = tags;
            inquiry.updated_at = acting.now;
            record(tx, acting, events::INQUIRY_UPDATED_TAGS, inquiry, None)?;
        }
    }
    if changed {
        inquiry.updated_at = acting.now;
        record(tx, acting, events::INQUIRY_UPDATED, inquiry, None)?;
    }
    Ok(())
}

/// Where a person opened the verification flow from: their address and browser, and the
/// flow's fingerprint of the browser (checked), if it made one.
#[derive(Debug, Clone, Default)]
pub struct Arrival {
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub browser_fingerprint: Option<String>,
}

/// A person opened the verification flow on `inquiry` (new, or resumed), or in `session`
/// (a one-time link's): the session records their device and starts, and the inquiry
/// starts with it if it was only created. The caller issues the session's token, saves
/// the session and the inquiry.
pub fn open_in_flow(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    inquiry: &mut Inquiry,
    session: Option<InquirySession>,
    arrival: Arrival,
) -> Outcome<InquirySession> {
    if !inquiry.status().in_progress() {
        return Err(Refusal::Conflict(format!(
            "inquiry `{}` is {}: there is nothing left to do in it",
            inquiry.id,
            inquiry.status()
        )));
    }
    let mut session = match session {
        Some(session) => session,
        None => new_session(tx, acting, inquiry)?,
    };
    session.ip_address = arrival.ip_address;
    session.user_agent = arrival.user_agent;
    if let Some(fingerprint) = arrival.browser_fingerprint {
        let device = Device {
            id: ids::new_time_ordered_id(prefix::DEVICE, acting.now),
            inquiry_id: inquiry.id.clone(),
            session_id: session.id.clone(),
            browser_fingerprint: Some(fingerprint),
            created_at: acting.now,
            redacted_at: None,
        };
        tx.put(&acting.env, &device)?;
        session.device_id = Some(device.id);
    }
    tx.put(&acting.env, &session)?;
    if inquiry.status() == InquiryStatus::Created {
        // Starting the inquiry starts its newest new session: this one, or one made
        // after the link's; start this one too.
        transition(tx, acting, inquiry, Action::Start)?;
        if let Some(now) = tx.get::<InquirySession>(&acting.env, &session.id)? {
            session = now;
        }
    }
    if session.start(acting.now) {
        tx.put(&acting.env, &session)?;
        record(tx, acting, events::INQUIRY_SESSION_STARTED, &session, None)?;
    }
    Ok(session)
}

/// A one-time link was followed: the session it was made for, if the link is still good,
/// with the link used up (a link works once). `None` when it is unknown, used or expired.
pub fn redeem_link(
    tx: &mut dyn WriteTx,
    env: &str,
    code_hash: &str,
    now: i64,
) -> Outcome<Option<InquirySession>> {
    let filter = RecordFilter::default().any_of(vec![term("link", code_hash)]);
    let Some(mut session) = tx.find::<InquirySession>(env, &filter, 1)?.pop() else {
        return Ok(None);
    };
    let live = session.status != vigil_domain::inquiry::session::SessionStatus::Expired
        && session.link_expires_at.is_some_and(|at| at > now);
    session.link_code_hash = None;
    session.link_expires_at = None;
    tx.put(env, &session)?;
    Ok(live.then_some(session))
}
