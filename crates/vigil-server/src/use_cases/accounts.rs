//! Accounts: create (or upsert), update, tag, archive and restore, run a configured
//! action, redact (which takes the account's inquiries, reports, cases and identity keys
//! with it) and consolidate.

use serde_json::{json, Map, Value};
use vigil_domain::account::{Account, AccountChanges, ChangeSummary};
use vigil_domain::account_action::{parse_run, ActionKind, ActionRun};
use vigil_domain::case::Case;
use vigil_domain::events;
use vigil_domain::ids::{self, prefix};
use vigil_domain::inquiry::Inquiry;
use vigil_domain::rule::AccountKeys;
use vigil_domain::upload::Upload;
use vigil_store::{term, AccountType, RecordFilter, Relation, StoredFile, WriteTx};

use super::{record, Acting, Input, Outcome, Refusal};

pub fn load(tx: &mut dyn WriteTx, env: &str, id: &str) -> Outcome<Account> {
    tx.account(env, id)?
        .ok_or_else(|| Refusal::NotFound(format!("account `{id}` is not found")))
}

/// Save a changed account with the event that says what changed.
fn save(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    account: &Account,
    event: &str,
    context: Option<Value>,
) -> Outcome<()> {
    tx.update_account(&acting.env, account)?;
    record(tx, acting, event, account, context)
}

/// An account that takes changes: not archived.
fn load_active(tx: &mut dyn WriteTx, env: &str, id: &str) -> Outcome<Account> {
    let account = load(tx, env, id)?;
    ensure_active(&account)?;
    Ok(account)
}

/// Archived accounts (including consolidated sources) take no changes until restored.
pub fn ensure_active(account: &Account) -> Outcome<()> {
    if account.archived_at.is_some() {
        return Err(Refusal::Conflict(format!(
            "account `{}` is archived; restore it before changing it",
            account.id
        )));
    }
    Ok(())
}

/// The account type `id` names (`input` names it when unknown), or the environment's
/// default type.
pub fn type_or_default(
    tx: &mut dyn WriteTx,
    env: &str,
    id: Option<&str>,
    input: Input,
) -> Outcome<AccountType> {
    match id {
        Some(id) => tx
            .account_type(env, id)?
            .ok_or_else(|| Refusal::UnknownReference {
                input,
                id: id.to_string(),
            }),
        None => tx
            .default_account_type(env)?
            .ok_or_else(|| Refusal::Internal("environment has no default account type".into())),
    }
}

/// A new account of `account_type`, in its default status (not yet saved).
pub fn blank(account_type: &AccountType, now: i64) -> Account {
    let mut account = Account::new(
        ids::new_time_ordered_id(prefix::ACCOUNT, now),
        account_type.id.clone(),
        account_type.name.clone(),
        now,
    );
    account.account_status = account_type
        .statuses
        .iter()
        .find(|s| s.is_default)
        .map(|s| s.name.clone());
    account
}

/// Tag the account `id` with `tag` unless it has it (or is gone or redacted), recording
/// `account.tag-added` with `context`. Returns whether it was tagged.
pub fn tag_if_untagged(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    id: &str,
    tag: &str,
    context: Value,
) -> Outcome<bool> {
    let Some(mut account) = tx.account(&acting.env, id)? else {
        return Ok(false);
    };
    if account.redacted_at.is_some() || !account.add_tag(tag, acting.now) {
        return Ok(false);
    }
    save(
        tx,
        acting,
        &account,
        events::ACCOUNT_TAG_ADDED,
        Some(context),
    )?;
    Ok(true)
}

/// Remove the account's personal data from the account, from the snapshots of every
/// event about it, and from stored idempotent responses. Its inquiries (with their
/// sessions and documents), watchlist reports and the cases about it go with it, and the
/// identity keys flagging rules kept. Returns the document files to delete once this
/// commits. The caller asks for the checkpoint that takes the old pages off the disk.
pub fn redact(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    account: &mut Account,
) -> Outcome<Vec<String>> {
    let env = acting.env.as_str();
    let id = account.id.clone();
    let mut orphaned = Vec::new();
    let of_account = RecordFilter::default().any_of(vec![term("account", &id)]);
    for mut inquiry in tx.find::<Inquiry>(env, &of_account, 100_000)? {
        if inquiry.redacted_at.is_none() {
            orphaned.extend(super::inquiries::redact(tx, acting, &mut inquiry)?);
        }
    }
    // The reports' queries are about the person.
    for mut report in tx.reports_of_account(env, &id)? {
        if report.redacted_at.is_none() {
            super::reports::redact(tx, acting, &mut report)?;
        }
    }
    for mut case in tx.find::<Case>(env, &of_account, 100_000)? {
        if case.redacted_at.is_none() {
            super::cases::redact(tx, acting, &mut case)?;
        }
    }
    if let Some(mut keys) = tx.get::<AccountKeys>(env, &id)? {
        keys.keys.clear();
        tx.put(env, &keys)?;
    }
    account.redact(acting.now);
    tx.update_account(env, account)?;
    tx.rewrite_event_snapshots(env, &id, &mut |snapshot: &mut Value| {
        if let Some(object) = snapshot.as_object_mut() {
            object.insert("fields".into(), Value::Object(Map::new()));
        }
    })?;
    tx.delete_stored_responses_for(env, &id)?;
    tx.delete_files(env, &id, None)?;
    record(tx, acting, events::ACCOUNT_REDACTED, account, None)?;
    Ok(orphaned)
}

/// Consolidate the accounts `sources` into `destination`: everything of theirs (inquiries
/// with their documents and sessions, watchlist reports, the cases that name them,
/// relations) moves to it and they are archived, with `account.consolidated` on each and
/// `account.consolidated-with` (counting what moved) on the destination. Saves them all.
pub fn consolidate(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    destination: &mut Account,
    sources: &[String],
) -> Outcome<()> {
    let env = acting.env.as_str();
    ensure_active(destination)?;
    let mut moved = Moved::default();
    for (i, source_id) in sources.iter().enumerate() {
        let input = Input::item("source-account-ids", i);
        let Some(mut source) = tx.account(env, source_id)? else {
            return Err(Refusal::UnknownReference {
                input,
                id: source_id.clone(),
            });
        };
        if let Some(into) = &source.consolidated_into {
            return Err(Refusal::Conflict(format!("meta.source-account-ids[{i}] `{source_id}` was already consolidated into `{into}`; an account is consolidated once")));
        }
        if source.archived_at.is_some() {
            return Err(Refusal::Conflict(format!(
                "meta.source-account-ids[{i}] `{source_id}` is archived; restore it first"
            )));
        }
        // Every resource of the source moves to the destination; the source's own
        // attributes stay with it.
        move_children(tx, env, source_id, &destination.id, &mut moved)?;
        source.archived_at = Some(acting.now);
        source.consolidated_into = Some(destination.id.clone());
        source.updated_at = acting.now;
        tx.update_account(env, &source)?;
        let context = json!({ "destination-account-id": destination.id });
        record(
            tx,
            acting,
            events::ACCOUNT_CONSOLIDATED,
            &source,
            Some(context),
        )?;
    }
    destination.updated_at = acting.now;
    tx.update_account(env, destination)?;
    let context = json!({
        "source-account-ids": sources,
        "moved": moved.counts(),
        "moved-relations": moved.relations,
    });
    record(
        tx,
        acting,
        events::ACCOUNT_CONSOLIDATED_WITH,
        destination,
        Some(context),
    )
}

/// How many of each resource a consolidation moved.
#[derive(Default)]
struct Moved {
    inquiries: usize,
    reports: usize,
    documents: usize,
    cases: usize,
    relations: usize,
}

impl Moved {
    fn counts(&self) -> Value {
        json!({
            "inquiries": self.inquiries,
            "reports": self.reports,
            "documents": self.documents,
            "cases": self.cases,
            "relations": self.relations,
        })
    }
}

/// Point everything that belongs to `source` at `destination`.
fn move_children(
    tx: &mut dyn WriteTx,
    env: &str,
    source: &str,
    destination: &str,
    moved: &mut Moved,
) -> Outcome<()> {
    let of_source = RecordFilter::default().any_of(vec![term("account", source)]);
    for mut inquiry in tx.find::<Inquiry>(env, &of_source, 100_000)? {
        inquiry.account_id = Some(destination.to_string());
        moved.documents += inquiry.document_ids.len();
        tx.put(env, &inquiry)?;
        moved.inquiries += 1;
    }
    for mut report in tx.reports_of_account(env, source)? {
        report.account_id = Some(destination.to_string());
        tx.update_report(env, &report)?;
        moved.reports += 1;
    }
    for mut case in tx.find::<Case>(env, &of_source, 100_000)? {
        case.account_ids.retain(|a| a != source);
        if !case.account_ids.iter().any(|a| a == destination) {
            case.account_ids.push(destination.to_string());
        }
        tx.put(env, &case)?;
        moved.cases += 1;
    }
    moved.relations += tx.move_relations(env, source, destination)?;
    Ok(())
}

/// The account field that holds the selfie photo.
pub const SELFIE_FIELD: &str = "selfie_photo";

/// Replace the file in an account's file `field` with `upload` (or remove it), in the
/// same transaction as the account. The field then carries the file's name, size and a
/// URL under `/api/v1/files/` (beyond Persona, which signs URLs on its own file host).
fn save_file(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    account: &mut Account,
    field: &str,
    upload: Option<&Upload>,
) -> Outcome<()> {
    tx.delete_files(&acting.env, &account.id, Some(field))?;
    let Some(upload) = upload else {
        account.set_file(field, None, acting.now);
        return Ok(());
    };
    let id = ids::new_id(prefix::FILE);
    let name: String = form_urlencoded::byte_serialize(upload.filename.as_bytes()).collect();
    let url = format!("/api/v1/files/{id}/{name}");
    tx.insert_file(
        &acting.env,
        &StoredFile {
            id,
            object_id: account.id.clone(),
            field: field.to_string(),
            filename: upload.filename.clone(),
            content_type: upload.content_type.to_string(),
            bytes: upload.bytes.clone(),
            created_at: acting.now,
        },
    )?;
    account.set_file(
        field,
        Some((&upload.filename, upload.bytes.len(), &url)),
        acting.now,
    );
    Ok(())
}

/// Refused (naming `input`) unless `status` is one of the type's statuses.
pub fn ensure_status(account_type: &AccountType, status: &str, input: Input) -> Outcome<()> {
    if account_type.statuses.iter().any(|s| s.name == status) {
        return Ok(());
    }
    let known: Vec<&str> = account_type
        .statuses
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    Err(Refusal::invalid(
        input,
        format!(
            "`{status}` is not a status of account type {} (known: {})",
            account_type.name,
            known.join(", ")
        ),
    ))
}

fn the_type(tx: &mut dyn WriteTx, env: &str, account: &Account) -> Outcome<AccountType> {
    tx.account_type(env, &account.account_type_id)?
        .ok_or_else(|| Refusal::Internal("account type vanished".into()))
}

/// Apply changes (the requested status checked against the type), storing a selfie photo
/// beside them.
fn apply_changes(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    account: &mut Account,
    account_type: &AccountType,
    changes: &AccountChanges,
) -> Outcome<ChangeSummary> {
    if let Some(status) = &changes.account_status {
        ensure_status(account_type, status, Input::named("account-status"))?;
    }
    let mut summary = account.apply(changes, acting.now);
    if let Some(selfie) = &changes.selfie_photo {
        save_file(tx, acting, account, SELFIE_FIELD, selfie.as_ref())?;
        summary.fields = true;
    }
    Ok(summary)
}

/// Save a changed account and record the events Persona sends for the parts that changed.
fn save_changes(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    account: &Account,
    summary: ChangeSummary,
) -> Outcome<()> {
    if !summary.any() {
        return Ok(());
    }
    tx.update_account(&acting.env, account)?;
    if summary.fields || summary.attributes {
        record(tx, acting, events::ACCOUNT_UPDATED_FIELDS, account, None)?;
    }
    if summary.tags {
        record(tx, acting, events::ACCOUNT_UPDATED_TAGS, account, None)?;
    }
    if summary.status {
        record(tx, acting, events::ACCOUNT_STATUS_UPDATED, account, None)?;
    }
    Ok(())
}

/// The value `changes` set for the field an upsert is keyed by (`reference_id`, or a
/// field, dotted into its parts), if any.
pub fn upsert_value(changes: &AccountChanges, field: &str) -> Option<Value> {
    if field == "reference_id" {
        return changes.reference_id.clone().flatten().map(Value::String);
    }
    let mut parts = field.split('.');
    let mut current = changes.fields.get(parts.next()?)?.get("value")?;
    for part in parts {
        current = current.get(part)?.get("value")?;
    }
    (!current.is_null()).then(|| current.clone())
}

/// Create an account (`account.created`), or with `upsert_by`, change the account whose
/// `upsert_by` field has the value `changes` sets. Returns it and whether it is new.
pub fn create(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    changes: &AccountChanges,
    upsert_by: Option<&str>,
) -> Outcome<(Account, bool)> {
    let env = acting.env.as_str();
    let account_type = type_or_default(
        tx,
        env,
        changes.account_type_id.as_deref(),
        Input::named("account-type-id"),
    )?;
    if let Some(field) = upsert_by {
        let value = upsert_value(changes, field).unwrap_or(Value::Null);
        if let Some(mut existing) = tx.account_by_unique(env, &account_type.id, field, &value)? {
            let summary = apply_changes(tx, acting, &mut existing, &account_type, changes)?;
            save_changes(tx, acting, &existing, summary)?;
            return Ok((existing, false));
        }
    }
    // One account per reference id (per account type), as the importer has it: a second
    // create is refused rather than making a twin that lookups by reference id would then
    // have to choose between.
    if let Some(Some(reference_id)) = &changes.reference_id {
        let key = Value::String(reference_id.clone());
        if let Some(taken) = tx.account_by_unique(env, &account_type.id, "reference_id", &key)? {
            return Err(Refusal::Conflict(format!(
                "Record not unique: account {} already has this reference-id (send meta.upsert-by: reference-id to update it instead)",
                taken.id
            )));
        }
    }
    let mut account = blank(&account_type, acting.now);
    apply_changes(tx, acting, &mut account, &account_type, changes)?;
    account.updated_at = acting.now;
    tx.insert_account(env, &account)?;
    record(tx, acting, events::ACCOUNT_CREATED, &account, None)?;
    Ok((account, true))
}

/// A new account of `account_type` with nothing but a reference id (`account.created`),
/// for a report or inquiry that asked for one.
pub fn create_blank(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    account_type: &AccountType,
    reference_id: Option<String>,
) -> Outcome<Account> {
    let mut account = blank(account_type, acting.now);
    account.reference_id = reference_id;
    tx.insert_account(&acting.env, &account)?;
    record(tx, acting, events::ACCOUNT_CREATED, &account, None)?;
    Ok(account)
}

/// Change an active account's attributes and fields.
pub fn update(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    id: &str,
    changes: &AccountChanges,
) -> Outcome<Account> {
    let mut account = load_active(tx, &acting.env, id)?;
    let account_type = the_type(tx, &acting.env, &account)?;
    let summary = apply_changes(tx, acting, &mut account, &account_type, changes)?;
    save_changes(tx, acting, &account, summary)?;
    Ok(account)
}

/// Add or remove one tag of an active account (`account.tag-added` / `-removed`, naming
/// the tag; nothing when there was nothing to do).
pub fn change_tag(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    id: &str,
    tag: &str,
    add: bool,
) -> Outcome<Account> {
    let mut account = load_active(tx, &acting.env, id)?;
    let (changed, event) = if add {
        (account.add_tag(tag, acting.now), events::ACCOUNT_TAG_ADDED)
    } else {
        (
            account.remove_tag(tag, acting.now),
            events::ACCOUNT_TAG_REMOVED,
        )
    };
    if changed {
        save(
            tx,
            acting,
            &account,
            event,
            Some(json!({ "tag-name": tag })),
        )?;
    }
    Ok(account)
}

/// Replace an active account's tags (`account.updated-tags` when they changed).
pub fn set_tags(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    id: &str,
    tags: Vec<String>,
) -> Outcome<Account> {
    let mut account = load_active(tx, &acting.env, id)?;
    if account.tags != tags {
        account.tags = tags;
        account.updated_at = acting.now;
        save(tx, acting, &account, events::ACCOUNT_UPDATED_TAGS, None)?;
    }
    Ok(account)
}

/// Archive an active account (`account.archived`): it takes no changes until restored.
pub fn archive(tx: &mut dyn WriteTx, acting: &Acting, id: &str) -> Outcome<Account> {
    let mut account = load_active(tx, &acting.env, id)?;
    account.archived_at = Some(acting.now);
    account.updated_at = acting.now;
    save(tx, acting, &account, events::ACCOUNT_ARCHIVED, None)?;
    Ok(account)
}

/// Restore an archived account (`account.restored`); a consolidated one stays archived.
pub fn restore(tx: &mut dyn WriteTx, acting: &Acting, id: &str) -> Outcome<Account> {
    let mut account = load(tx, &acting.env, id)?;
    if let Some(into) = &account.consolidated_into {
        return Err(Refusal::Conflict(format!(
            "account `{}` was consolidated into `{into}` and cannot be restored",
            account.id
        )));
    }
    if account.archived_at.is_none() {
        return Err(Refusal::Conflict(format!(
            "account `{}` is not archived",
            account.id
        )));
    }
    account.archived_at = None;
    account.updated_at = acting.now;
    save(tx, acting, &account, events::ACCOUNT_RESTORED, None)?;
    Ok(account)
}

/// Run the configured account action `action_id` on an active account with its
/// `parameters` (set a status, add or remove tags), recording an event per change with
/// the action and the run's id. Persona runs an action as a workflow run and answers with
/// its id; vigil's runs are synchronous, and the id ties the answer to the events.
pub fn run_action(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    id: &str,
    action_id: &str,
    parameters: &Map<String, Value>,
) -> Outcome<(Account, String)> {
    let env = acting.env.as_str();
    let mut account = load(tx, env, id)?;
    let action = tx
        .account_action(env, action_id)?
        .ok_or_else(|| Refusal::UnknownReference {
            input: Input::named("account-action-id"),
            id: action_id.to_string(),
        })?;
    let kind = ActionKind::parse(&action.kind).ok_or_else(|| {
        Refusal::Internal(format!("stored action of unknown kind {}", action.kind))
    })?;
    let run = parse_run(kind, parameters)?;
    ensure_active(&account)?;
    let run_id = ids::new_id(prefix::WORKFLOW_RUN);
    let about = |extra: Value| {
        let mut context = json!({
            "account-action-id": action.id,
            "account-action-name": action.name,
            "workflow-run-id": run_id,
        });
        if let (Some(context), Value::Object(extra)) = (context.as_object_mut(), extra) {
            context.extend(extra);
        }
        Some(context)
    };
    let mut recorded: Vec<(&'static str, Option<Value>)> = Vec::new();
    match run {
        ActionRun::SetStatus(status) => {
            let account_type = the_type(tx, env, &account)?;
            ensure_status(&account_type, &status, Input::named("parameters.status"))?;
            if account.account_status.as_deref() != Some(status.as_str()) {
                account.account_status = Some(status);
                account.updated_at = acting.now;
                recorded.push((events::ACCOUNT_STATUS_UPDATED, about(json!({}))));
            }
        }
        ActionRun::AddTags(tags) => {
            for tag in tags {
                if account.add_tag(&tag, acting.now) {
                    recorded.push((events::ACCOUNT_TAG_ADDED, about(json!({ "tag-name": tag }))));
                }
            }
        }
        ActionRun::RemoveTags(tags) => {
            for tag in tags {
                if account.remove_tag(&tag, acting.now) {
                    recorded.push((
                        events::ACCOUNT_TAG_REMOVED,
                        about(json!({ "tag-name": tag })),
                    ));
                }
            }
        }
    }
    if !recorded.is_empty() {
        tx.update_account(env, &account)?;
        for (name, context) in recorded {
            record(tx, acting, name, &account, context)?;
        }
    }
    Ok((account, run_id))
}

/// Relate an active account to another under `key` (`account.added-relation`, once), or
/// remove that relation (`account.removed-relation`; refused when there is none).
pub fn change_relation(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    id: &str,
    key: &str,
    target: &str,
    add: bool,
) -> Outcome<Account> {
    let env = acting.env.as_str();
    let account = load_active(tx, env, id)?;
    let changed = if add {
        if tx.account(env, target)?.is_none() {
            return Err(Refusal::UnknownReference {
                input: Input::named("target-object-id"),
                id: target.to_string(),
            });
        }
        let relation = Relation {
            account_id: id.to_string(),
            key: key.to_string(),
            target_id: target.to_string(),
            created_at: acting.now,
        };
        tx.add_relation(env, &relation)?
    } else if tx.remove_relation(env, id, key, target)? {
        true
    } else {
        return Err(Refusal::NotFound(format!(
            "account `{id}` has no `{key}` relation to `{target}`"
        )));
    };
    if changed {
        let event = if add {
            events::ACCOUNT_ADDED_RELATION
        } else {
            events::ACCOUNT_REMOVED_RELATION
        };
        let context = json!({"relation-schema-key": key, "target-object-id": target});
        record(tx, acting, event, &account, Some(context))?;
    }
    Ok(account)
}
