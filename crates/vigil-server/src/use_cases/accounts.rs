//! Accounts: a new blank account of a type, tagging, redaction (which takes the
//! account's inquiries, reports, cases and identity keys with it) and consolidation.

use serde_json::{json, Map, Value};
use vigil_domain::account::Account;
use vigil_domain::case::Case;
use vigil_domain::events;
use vigil_domain::ids::{self, prefix};
use vigil_domain::inquiry::Inquiry;
use vigil_domain::rule::AccountKeys;
use vigil_store::{term, AccountType, RecordFilter, WriteTx};

use crate::views::account::TYPE;

use super::{record as record_event, Acting, Input, Outcome, Refusal};

/// Record an event about an account, in the same transaction as the change.
pub fn record(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    name: &str,
    account: &Account,
    context: Option<Value>,
) -> Outcome<()> {
    record_event(tx, acting, name, (TYPE, &account.id), account, context)
}

pub fn load(tx: &mut dyn WriteTx, env: &str, id: &str) -> Outcome<Account> {
    tx.account(env, id)?
        .ok_or_else(|| Refusal::NotFound(format!("account `{id}` is not found")))
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
    tx.update_account(&acting.env, &account)?;
    record(
        tx,
        acting,
        events::ACCOUNT_TAG_ADDED,
        &account,
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
