//! Cases: open, attach objects, assign, change status (and carry the decision out), edit,
//! comment, redact; and the SLA running out.

use serde_json::{json, Map, Value};
use vigil_domain::case::{
    Case, CaseComment, CaseQueue, CaseStatus, CaseTemplate, Moved, Participant, Review,
};
use vigil_domain::events;
use vigil_domain::ids::{self, prefix};
use vigil_domain::inquiry::template::check_fields;
use vigil_domain::inquiry::{Action, Inquiry};
use vigil_domain::tag_change::TagChange;
use vigil_store::{term, RecordFilter, WriteTx};

use super::inquiries::{expire_sessions, transition, MAX_SESSIONS};
use super::{record, replace_snapshots, Acting, Input, Outcome, Refusal};

pub fn load(tx: &mut dyn WriteTx, env: &str, id: &str) -> Outcome<Case> {
    tx.get::<Case>(env, id)?
        .ok_or_else(|| Refusal::NotFound(format!("case `{id}` is not found")))
}

/// A case that may still change: not redacted.
pub fn load_open(tx: &mut dyn WriteTx, env: &str, id: &str) -> Outcome<Case> {
    let case = load(tx, env, id)?;
    ensure_not_redacted(&case)?;
    Ok(case)
}

pub fn ensure_not_redacted(case: &Case) -> Outcome<()> {
    match case.redacted_at {
        Some(_) => Err(Refusal::Conflict(format!("case `{}` is redacted", case.id))),
        None => Ok(()),
    }
}

fn load_template(tx: &mut dyn WriteTx, env: &str, id: &str, input: Input) -> Outcome<CaseTemplate> {
    tx.get::<CaseTemplate>(env, id)?
        .ok_or_else(|| Refusal::UnknownReference {
            input,
            id: id.to_string(),
        })
}

fn the_template(tx: &mut dyn WriteTx, env: &str, case: &Case) -> Outcome<CaseTemplate> {
    tx.get::<CaseTemplate>(env, &case.template_id)?
        .ok_or_else(|| {
            Refusal::NotFound(format!("case template `{}` is not found", case.template_id))
        })
}

fn load_queue(tx: &mut dyn WriteTx, env: &str, id: &str) -> Outcome<CaseQueue> {
    tx.get::<CaseQueue>(env, id)?
        .ok_or_else(|| Refusal::UnknownReference {
            input: Input::named("case-queue-id"),
            id: id.to_string(),
        })
}

/// A new open case of `template` (not yet saved).
pub fn blank(template: &CaseTemplate, creator: Participant, now: i64) -> Case {
    Case::open(
        ids::new_time_ordered_id(prefix::CASE, now),
        template,
        creator,
        now,
    )
}

/// What a person (or a program) asks for when opening a case.
pub struct NewCase {
    pub template_id: String,
    /// Who is named as its creator; the actor when not given.
    pub creator_email: Option<String>,
    pub queue_id: Option<String>,
    pub fields: Option<Map<String, Value>>,
    pub object_ids: Vec<String>,
    pub sla_seconds: Option<i64>,
}

/// Open a case (`case.created`).
pub fn open(tx: &mut dyn WriteTx, acting: &Acting, new: NewCase) -> Outcome<Case> {
    let env = &acting.env;
    let creator = match new.creator_email {
        Some(email) => Participant {
            id: vigil_domain::validate::email_address(&email)
                .map_err(|m| Refusal::invalid(Input::named("creator-email-address"), m))?,
            kind: "user".into(),
        },
        None => acting.actor.as_participant(),
    };
    let template = load_template(tx, env, &new.template_id, Input::named("case-template-id"))?;
    let mut case = blank(&template, creator, acting.now);
    if let Some(queue) = new.queue_id {
        case.queue_id = Some(load_queue(tx, env, &queue)?.id);
    }
    if let Some(fields) = new.fields {
        let owner = format!("case template `{}`", template.id);
        case.fields = check_fields(&template.field_schemas, &owner, &fields, "fields")?;
    }
    attach(tx, env, &mut case, &new.object_ids)?;
    case.sla_expires_at = new.sla_seconds.map(|s| acting.now + s * 1000);
    tx.put(env, &case)?;
    record(tx, acting, events::CASE_CREATED, &case, None)?;
    Ok(case)
}

/// Attach objects (accounts, inquiries, reports) to a case; each must exist. Returns
/// whether anything was added. The caller saves the case.
pub fn attach(tx: &mut dyn WriteTx, env: &str, case: &mut Case, ids: &[String]) -> Outcome<bool> {
    let mut added = false;
    for (index, id) in ids.iter().enumerate() {
        if case.attached_mut(id).is_some_and(|list| list.contains(id)) {
            continue;
        }
        let at = Input::item("object-ids", index);
        let reference = match id.split_once('_').map(|(p, _)| p) {
            Some("act") => match tx.account(env, id)? {
                Some(account) => account.reference_id,
                None => return Err(Refusal::invalid(at, format!("account `{id}` is not found"))),
            },
            Some("inq") if tx.get::<Inquiry>(env, id)?.is_some() => None,
            Some("rep") if tx.report(env, id)?.is_some() => None,
            Some("inq" | "rep") => {
                return Err(Refusal::invalid(at, format!("`{id}` is not found")))
            }
            _ => {
                return Err(Refusal::invalid(
                    at,
                    format!("`{id}` is not an object vigil attaches to cases (accounts, inquiries, reports)"),
                ))
            }
        };
        let list = case.attached_mut(id).expect("prefix checked above");
        if !list.contains(id) {
            list.push(id.clone());
            added = true;
        }
        if let Some(reference) = reference {
            if !case.reference_ids.contains(&reference) {
                case.reference_ids.push(reference);
            }
        }
    }
    Ok(added)
}

/// Add objects to a case or take them off (`case.updated-objects` when that changed
/// anything). The caller saves the case.
pub fn change_objects(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    case: &mut Case,
    ids: &[String],
    add: bool,
    context: Option<Value>,
) -> Outcome<bool> {
    let changed = if add {
        attach(tx, &acting.env, case, ids)?
    } else {
        let mut removed = false;
        for id in ids {
            if let Some(list) = case.attached_mut(id) {
                let before = list.len();
                list.retain(|x| x != id);
                removed |= list.len() != before;
            }
        }
        removed
    };
    if changed {
        case.updated_at = acting.now;
        case.updater = Some(acting.actor.as_participant());
        record(tx, acting, events::CASE_UPDATED_OBJECTS, case, context)?;
    }
    Ok(changed)
}

/// Assign a case to the person `email` names (`case.assigned`). The caller saves it.
pub fn assign(tx: &mut dyn WriteTx, acting: &Acting, case: &mut Case, email: &str) -> Outcome<()> {
    let email = vigil_domain::validate::email_address(email)
        .map_err(|m| Refusal::invalid(Input::named("user-email-address"), m))?;
    if case.assign(email, acting.actor.as_participant(), acting.now) {
        record(tx, acting, events::CASE_ASSIGNED, case, None)?;
    }
    Ok(())
}

/// Move a case to `status` (one of the template's resolutions resolves it); a resolution
/// is then carried out (see [`carry_out`]). The caller saves the case.
pub fn set_status(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    case: &mut Case,
    status: &str,
    resolution: Option<&str>,
) -> Outcome<()> {
    let template = the_template(tx, &acting.env, case)?;
    let change = template
        .status_change(status, resolution)
        .map_err(|e| Refusal::invalid(Input::named("status"), e.0))?;
    // Four eyes: a decision the template holds for a second reviewer waits as a proposal.
    if let (Some(decided), CaseStatus::Open | CaseStatus::Pending) =
        (change.resolution.as_deref(), case.status)
    {
        let review = case
            .review(&template, decided, &acting.actor)
            .map_err(|illegal| Refusal::Conflict(illegal.0))?;
        if review == Review::Propose {
            let moved = case.propose(decided.to_string(), acting.actor.clone(), acting.now);
            if moved {
                record(tx, acting, events::CASE_STATUS_UPDATED, case, None)?;
            }
            let context = json!({"resolution": decided});
            record(
                tx,
                acting,
                events::CASE_DECISION_PROPOSED,
                case,
                Some(context),
            )?;
            return Ok(());
        }
    }
    let moved = case
        .set_status(change, acting.actor.as_participant(), acting.now)
        .map_err(|illegal| Refusal::Conflict(illegal.0))?;
    let event = match moved {
        Moved::Unchanged => return Ok(()),
        Moved::Resolved => events::CASE_RESOLVED,
        Moved::Reopened => events::CASE_REOPENED,
        Moved::Changed => events::CASE_STATUS_UPDATED,
    };
    record(tx, acting, events::CASE_STATUS_UPDATED, case, None)?;
    if event != events::CASE_STATUS_UPDATED {
        record(tx, acting, event, case, None)?;
    }
    if event == events::CASE_RESOLVED {
        carry_out(tx, acting, case)?;
    }
    Ok(())
}

/// What a reviewer's decision does beyond the case. Resolving a case:
/// - approves or declines the attached inquiries still awaiting a decision, when the
///   resolution is `Approved` or `Declined` (any letter case);
/// - expires the sessions of the attached inquiries, and on `Declined` every session of
///   every inquiry of the attached accounts (a declined person cannot carry on);
/// - tags the attached accounts with the resolution, lowercased (`declined`).
fn carry_out(tx: &mut dyn WriteTx, acting: &Acting, case: &Case) -> Outcome<()> {
    let env = &acting.env;
    let Some(resolution) = case.resolution.as_deref() else {
        return Ok(());
    };
    let lowered = resolution.to_ascii_lowercase();
    let action = match lowered.as_str() {
        "approved" => Some(Action::Approve),
        "declined" => Some(Action::Decline),
        _ => None,
    };
    let context = json!({ "case-id": case.id, "resolution": resolution });
    for id in &case.inquiry_ids {
        let Some(mut inquiry) = tx.get::<Inquiry>(env, id)? else {
            continue;
        };
        if inquiry.redacted_at.is_some() {
            continue;
        }
        if let Some(action) = action.filter(|_| !inquiry.status().decided()) {
            if transition(tx, acting, &mut inquiry, action)? {
                tx.put(env, &inquiry)?;
            }
        }
        expire_sessions(tx, acting, &inquiry.id)?;
    }
    for account_id in &case.account_ids {
        if action == Some(Action::Decline) {
            let filter = RecordFilter::default().any_of(vec![term("account", account_id)]);
            for inquiry in tx.find::<Inquiry>(env, &filter, MAX_SESSIONS * 40)? {
                expire_sessions(tx, acting, &inquiry.id)?;
            }
        }
        let Ok(tag) = vigil_domain::validate::tag(&lowered) else {
            continue;
        };
        let mut context = context.clone();
        context["tag-name"] = json!(tag);
        super::accounts::tag_if_untagged(tx, acting, account_id, &tag, context)?;
    }
    Ok(())
}

/// What may change on a case after it is opened.
#[derive(Default)]
pub struct CaseChanges {
    pub fields: Option<Map<String, Value>>,
    pub queue_id: Option<String>,
    pub sla_seconds: Option<i64>,
}

/// Change a case's fields (`case.updated-fields`), its queue (`case.queue-updated`) or
/// restart its SLA. The caller saves it.
pub fn update(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    case: &mut Case,
    changes: CaseChanges,
) -> Outcome<()> {
    let env = &acting.env;
    if let Some(fields) = changes.fields {
        let template = the_template(tx, env, case)?;
        let owner = format!("case template `{}`", template.id);
        let checked = check_fields(&template.field_schemas, &owner, &fields, "fields")?;
        let before = case.fields.clone();
        case.fields.extend(checked);
        if case.fields != before {
            case.updated_at = acting.now;
            case.updater = Some(acting.actor.as_participant());
            record(tx, acting, events::CASE_UPDATED_FIELDS, case, None)?;
        }
    }
    if let Some(queue) = changes.queue_id {
        let queue = load_queue(tx, env, &queue)?;
        if case.queue_id.as_deref() != Some(queue.id.as_str()) {
            case.queue_id = Some(queue.id);
            case.updated_at = acting.now;
            record(tx, acting, events::CASE_QUEUE_UPDATED, case, None)?;
        }
    }
    if let Some(seconds) = changes.sla_seconds {
        case.sla_expires_at = Some(acting.now + seconds * 1000);
        case.sla_reported = false;
        case.updated_at = acting.now;
    }
    Ok(())
}

/// Add, remove or set a case's tags (`case.updated-tags` when they changed). The caller
/// saves it.
pub fn retag(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    case: &mut Case,
    change: TagChange,
) -> Outcome<()> {
    if change.apply(&mut case.tags) {
        case.updated_at = acting.now;
        record(tx, acting, events::CASE_UPDATED_TAGS, case, None)?;
    }
    Ok(())
}

/// Comment on a case (`case-comment.created`); saves the comment, the caller the case.
pub fn comment(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    case: &mut Case,
    message: String,
) -> Outcome<CaseComment> {
    let comment = CaseComment {
        id: ids::new_time_ordered_id(prefix::CASE_COMMENT, acting.now),
        case_id: case.id.clone(),
        message,
        commenter: acting.actor.as_participant(),
        created_at: acting.now,
        updated_at: acting.now,
    };
    case.comment_ids.push(comment.id.clone());
    case.updated_at = acting.now;
    tx.put(&acting.env, &comment)?;
    record(tx, acting, events::CASE_COMMENT_CREATED, &comment, None)?;
    Ok(comment)
}

/// Redact a case: its fields and its comments' text, in their events and in stored
/// responses (the comments' own too), with `case.redacted`. Saves it.
pub fn redact(tx: &mut dyn WriteTx, acting: &Acting, case: &mut Case) -> Outcome<()> {
    let env = &acting.env;
    for comment_id in case.comment_ids.clone() {
        if let Some(mut comment) = tx.get::<CaseComment>(env, &comment_id)? {
            comment.message = String::new();
            tx.put(env, &comment)?;
            replace_snapshots(tx, env, &comment.id, &comment)?;
            tx.delete_stored_responses_for(env, &comment.id)?;
        }
    }
    case.redact(acting.now);
    tx.put(env, &*case)?;
    replace_snapshots(tx, env, &case.id, &*case)?;
    tx.delete_stored_responses_for(env, &case.id)?;
    record(tx, acting, events::CASE_REDACTED, case, None)?;
    Ok(())
}

/// Record once that an unresolved case's SLA ran out (`case.sla-expired`), if it still
/// has (it may have moved since it fell due).
pub fn report_sla(tx: &mut dyn WriteTx, acting: &Acting, id: &str) -> Outcome<()> {
    let Some(mut case) = tx.get::<Case>(&acting.env, id)? else {
        return Ok(());
    };
    if vigil_store::Record::due_at(&case).is_some_and(|at| at <= acting.now) {
        case.sla_reported = true;
        tx.put(&acting.env, &case)?;
        record(tx, acting, events::CASE_SLA_EXPIRED, &case, None)?;
    }
    Ok(())
}
