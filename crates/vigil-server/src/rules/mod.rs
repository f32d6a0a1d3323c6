//! Flagging rules at work: one task reads the event log in commit order and, for each
//! event a rule cares about, evaluates the environment's enabled rules. A rule that finds
//! something opens a case (or adds to the case already open for that finding), attaches
//! what it found, and tags the accounts. Each event is handled in one transaction that
//! also moves the task's cursor, so a crash neither loses nor repeats a finding.

pub mod file;

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use vigil_domain::account::Account;
use vigil_domain::case::{Actor, Case, CaseComment, CaseTemplate, DEFAULT_TEMPLATE_NAME};
use vigil_domain::events;
use vigil_domain::ids::{self, prefix};
use vigil_domain::inquiry::{Inquiry, InquiryStatus};
use vigil_domain::report::Report;
use vigil_domain::rule::{identity_keys, key_prefix, AccountKeys, Condition, FlaggingRule};
use vigil_store::{term, transact, LoggedEvent, RecordFilter, Store, WriteTx};

use crate::protocol::{record_event_at, ApiError, ApiResult};
use crate::routes::cases::crud::new_case;
use crate::views;

/// The cursor's name in storage.
pub(crate) const CURSOR: &str = "flagging-rules";
const BATCH: usize = 256;
const IDLE: Duration = Duration::from_secs(1);
/// The most undecided inquiries of an account a case gathers.
const MAX_OPEN_INQUIRIES: usize = 10;
/// The most objects a rule attaches to one case.
const MAX_CASE_OBJECTS: usize = 200;
/// The most accounts a shared-value finding lists.
const MAX_SHARED: usize = 100;

pub(crate) async fn run(store: Arc<dyn Store>, wake: Arc<tokio::sync::Notify>) {
    loop {
        match step(&store).await {
            Ok(true) => {}
            Ok(false) => {
                let _ = tokio::time::timeout(IDLE, wake.notified()).await;
            }
            Err(error) => {
                tracing::error!(error = %error.details(), "flagging rules failed; retrying");
                tokio::time::sleep(IDLE).await;
            }
        }
    }
}

/// Handle the next batch; false when there was nothing new.
async fn step(store: &Arc<dyn Store>) -> ApiResult<bool> {
    let position = store.cursor(CURSOR)?;
    let batch = store.events_after(position, BATCH)?;
    if batch.is_empty() {
        return Ok(false);
    }
    // One transaction for the batch keeps the single writer free for requests.
    let last = batch.last().map_or(position, |e| e.seq);
    let whole = batch.clone();
    let done = transact(store, move |tx| -> ApiResult<()> {
        let mut rules = Rules::default();
        for logged in &whole {
            handle(tx, &mut rules, logged)?;
        }
        tx.set_cursor(CURSOR, last)?;
        Ok(())
    })
    .await;
    if done.is_ok() {
        return Ok(true);
    }
    // Something in the batch failed (and was rolled back): go one event at a time, and
    // step over an event that fails on its own rather than stop flagging for good.
    for logged in batch {
        let seq = logged.seq;
        let name = logged.event.name.clone();
        let alone = transact(store, move |tx| -> ApiResult<()> {
            handle(tx, &mut Rules::default(), &logged)?;
            tx.set_cursor(CURSOR, seq)?;
            Ok(())
        })
        .await;
        if let Err(error) = alone {
            tracing::error!(event = %name, seq, error = %error.details(), "flagging rules skipped an event they could not handle");
            transact(store, move |tx| -> ApiResult<()> {
                Ok(tx.set_cursor(CURSOR, seq)?)
            })
            .await?;
        }
    }
    Ok(true)
}

/// Forget an account's identity keys (its redaction, in the same transaction).
pub(crate) fn forget_account(tx: &mut dyn WriteTx, env: &str, account_id: &str) -> ApiResult<()> {
    if let Some(mut keys) = tx.get::<AccountKeys>(env, account_id)? {
        keys.keys.clear();
        tx.put(env, &keys)?;
    }
    Ok(())
}

/// A shared key as a finding names it: a digest, so no case holds the value itself (it
/// may be personal data that a redaction must be able to remove).
fn key_digest(key: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(key.as_bytes())[..12])
}

/// The enabled rules of each environment, read once per batch of events.
#[derive(Default)]
struct Rules(std::collections::HashMap<String, Vec<FlaggingRule>>);

impl Rules {
    fn of(&mut self, tx: &mut dyn WriteTx, env: &str) -> ApiResult<Vec<FlaggingRule>> {
        if let Some(rules) = self.0.get(env) {
            return Ok(rules.clone());
        }
        let filter = RecordFilter::default().any_of(vec![term("enabled", "true")]);
        let rules = tx.find::<FlaggingRule>(env, &filter, 1000)?;
        self.0.insert(env.to_string(), rules.clone());
        Ok(rules)
    }
}

fn handle(tx: &mut dyn WriteTx, rules: &mut Rules, logged: &LoggedEvent) -> ApiResult<()> {
    let env = logged.environment_id.as_str();
    let event = &logged.event;
    let now = event.created_at;
    match event.name.as_str() {
        events::ACCOUNT_CREATED | events::ACCOUNT_UPDATED_FIELDS | events::ACCOUNT_REDACTED => {
            // The snapshot is the account as the event left it (redaction rewrites it), so
            // no read is needed; the writer is the bottleneck.
            let account = match serde_json::from_value::<Account>(event.snapshot.clone()) {
                Ok(account) => account,
                Err(_) => match tx.account(env, &event.object_id)? {
                    Some(account) => account,
                    None => return Ok(()),
                },
            };
            let keys = if account.redacted_at.is_some() {
                Vec::new()
            } else {
                identity_keys(&account)
            };
            if keys.is_empty() && event.name == events::ACCOUNT_CREATED {
                return Ok(()); // nothing to file, and nothing filed before
            }
            tx.put(
                env,
                &AccountKeys {
                    id: account.id.clone(),
                    keys: keys.clone(),
                    created_at: account.created_at,
                },
            )?;
            if keys.is_empty() {
                return Ok(());
            }
            for rule in rules.of(tx, env)? {
                match &rule.condition {
                    Condition::SharedIdNumber => {
                        shared(tx, env, now, &rule, &account, &keys, "id:", 1, None)?
                    }
                    Condition::SharedValue {
                        key,
                        more_than,
                        within_seconds,
                    } => shared(
                        tx,
                        env,
                        now,
                        &rule,
                        &account,
                        &keys,
                        key_prefix(*key),
                        *more_than as usize,
                        Some(now - within_seconds * 1000),
                    )?,
                    _ => {}
                }
            }
        }
        events::REPORT_WATCHLIST_MATCHED => {
            let Ok(report) = serde_json::from_value::<Report>(event.snapshot.clone()) else {
                return Ok(());
            };
            let Some(account) = owner(tx, env, report.account_id.as_deref())? else {
                return Ok(());
            };
            let finding = format!("watchlist-match:{}", account.id);
            let found = (&account, report.id.as_str(), finding.as_str());
            flag_each(tx, rules, env, now, &Condition::WatchlistMatch, found)?;
        }
        "inquiry.marked-for-review" | "inquiry.failed" => {
            let Some(inquiry) = tx.get::<Inquiry>(env, &event.object_id)? else {
                return Ok(());
            };
            let Some(account) = owner(tx, env, inquiry.account_id.as_deref())? else {
                return Ok(());
            };
            if event.name == "inquiry.marked-for-review" {
                let finding = format!("inquiry-needs-review:{}", inquiry.id);
                let found = (&account, inquiry.id.as_str(), finding.as_str());
                flag_each(tx, rules, env, now, &Condition::InquiryNeedsReview, found)?;
                return Ok(());
            }
            for rule in rules.of(tx, env)? {
                if let Condition::FailedInquiries {
                    at_least,
                    within_seconds,
                } = rule.condition
                {
                    let filter = RecordFilter {
                        created_from: Some(now - within_seconds * 1000),
                        ..Default::default()
                    }
                    .any_of(vec![term("account", &account.id)])
                    .any_of(vec![term("status", InquiryStatus::Failed.as_str())]);
                    let failed = tx.find::<Inquiry>(env, &filter, 1000)?;
                    if failed.len() >= at_least as usize {
                        let ids: Vec<String> = failed.iter().map(|i| i.id.clone()).collect();
                        let finding = format!("failed-inquiries:{}", account.id);
                        let note = format!(
                            "{} failed inquiries for account {}",
                            failed.len(),
                            account.id
                        );
                        flag(
                            tx,
                            env,
                            now,
                            &rule,
                            &finding,
                            std::slice::from_ref(&account),
                            &ids,
                            Some(note),
                        )?;
                    }
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// The account an object belongs to, if it has one (and it still exists).
fn owner(tx: &mut dyn WriteTx, env: &str, account_id: Option<&str>) -> ApiResult<Option<Account>> {
    Ok(match account_id {
        Some(id) => tx.account(env, id)?,
        None => None,
    })
}

/// Flag a finding about one account and one object (`(account, object id, finding)`) for
/// every enabled rule whose condition is exactly `condition`.
fn flag_each(
    tx: &mut dyn WriteTx,
    rules: &mut Rules,
    env: &str,
    now: i64,
    condition: &Condition,
    (account, object, finding): (&Account, &str, &str),
) -> ApiResult<()> {
    for rule in rules.of(tx, env)? {
        if rule.condition == *condition {
            let objects = [object.to_string()];
            flag(
                tx,
                env,
                now,
                &rule,
                finding,
                std::slice::from_ref(account),
                &objects,
                None,
            )?;
        }
    }
    Ok(())
}

/// A shared-key condition: the account's keys with `prefix`, each held by more than
/// `more_than` accounts (created since `since`).
#[allow(clippy::too_many_arguments)]
fn shared(
    tx: &mut dyn WriteTx,
    env: &str,
    now: i64,
    rule: &FlaggingRule,
    account: &Account,
    keys: &[String],
    prefix: &str,
    more_than: usize,
    since: Option<i64>,
) -> ApiResult<()> {
    for key in keys.iter().filter(|k| k.starts_with(prefix)) {
        let finding = format!("{}:{}", rule.condition.kind(), key_digest(key));
        // Already under review: this account joins the open case; no need to count again
        // (a value shared by thousands costs one lookup per new holder, not thousands).
        if has_open_case(tx, env, &finding)? {
            flag(
                tx,
                env,
                now,
                rule,
                &finding,
                std::slice::from_ref(account),
                &[],
                None,
            )?;
            continue;
        }
        let filter = RecordFilter {
            created_from: since,
            ..Default::default()
        }
        .any_of(vec![key.clone()]);
        let holders = tx.find::<AccountKeys>(env, &filter, MAX_SHARED)?;
        if holders.len() <= more_than || !holders.iter().any(|h| h.id == account.id) {
            continue;
        }
        let mut accounts = Vec::new();
        for holder in &holders {
            if let Some(other) = tx.account(env, &holder.id)? {
                if other.archived_at.is_none() {
                    accounts.push(other);
                }
            }
        }
        if accounts.len() <= more_than {
            continue;
        }
        let note = if rule.condition == Condition::SharedIdNumber {
            let oldest = accounts
                .iter()
                .min_by_key(|a| a.created_at)
                .map(|a| a.id.clone())
                .unwrap_or_default();
            let others: Vec<&str> = accounts
                .iter()
                .filter(|a| a.id != oldest)
                .map(|a| a.id.as_str())
                .collect();
            format!(
                "{} accounts share one government id number. If they are one person, consider consolidating {} into {oldest} (POST /api/v1/accounts/{oldest}/consolidate).",
                accounts.len(),
                others.join(", ")
            )
        } else {
            let what = match prefix {
                "email:" => "an email address",
                "phone:" => "a phone number",
                "ip:" => "an IP address",
                _ => "a device fingerprint",
            };
            format!("{} accounts share {what}.", accounts.len())
        };
        flag(tx, env, now, rule, &finding, &accounts, &[], Some(note))?;
    }
    Ok(())
}

fn open_finding(finding: &str) -> RecordFilter {
    RecordFilter::default().any_of(vec![term("open-finding", finding)])
}

fn has_open_case(tx: &mut dyn WriteTx, env: &str, finding: &str) -> ApiResult<bool> {
    Ok(!tx.find::<Case>(env, &open_finding(finding), 1)?.is_empty())
}

fn template_for(
    tx: &mut dyn WriteTx,
    env: &str,
    rule: &FlaggingRule,
) -> ApiResult<Option<CaseTemplate>> {
    if let Some(id) = &rule.case_template_id {
        if let Some(template) = tx.get::<CaseTemplate>(env, id)? {
            return Ok(Some(template));
        }
    }
    let filter = RecordFilter::default().any_of(vec![term("name", DEFAULT_TEMPLATE_NAME)]);
    Ok(tx.find::<CaseTemplate>(env, &filter, 1)?.pop())
}

/// Open a case for `finding` (or add to the one open for it), attach the accounts and
/// objects, and tag the accounts.
#[allow(clippy::too_many_arguments)]
fn flag(
    tx: &mut dyn WriteTx,
    env: &str,
    now: i64,
    rule: &FlaggingRule,
    finding: &str,
    accounts: &[Account],
    objects: &[String],
    note: Option<String>,
) -> ApiResult<()> {
    let by_rule = Actor {
        id: rule.id.clone(),
        kind: "workflow-run".into(),
    };
    let mut ids: Vec<String> = accounts
        .iter()
        .map(|a| a.id.clone())
        .chain(objects.iter().cloned())
        .collect();
    // Everything a reviewer needs: also the accounts' inquiries still awaiting a decision.
    for account in accounts {
        let filter = RecordFilter::default().any_of(vec![term("account", &account.id)]);
        for inquiry in tx.find::<Inquiry>(env, &filter, MAX_OPEN_INQUIRIES)? {
            if !inquiry.status().decided()
                && inquiry.redacted_at.is_none()
                && !ids.contains(&inquiry.id)
            {
                ids.push(inquiry.id);
            }
        }
    }
    if let Some(mut case) = tx.find::<Case>(env, &open_finding(finding), 1)?.pop() {
        // A case lists at most MAX_CASE_OBJECTS objects: past that, more of the same is
        // no news to its reviewer (the accounts are still tagged, so they can be found).
        let held = case.account_ids.len() + case.inquiry_ids.len() + case.report_ids.len();
        let mut ids = ids;
        ids.truncate(MAX_CASE_OBJECTS.saturating_sub(held));
        if !ids.is_empty()
            && crate::routes::cases::attach(tx, env, &mut case, &ids, "/meta/object-ids")?
        {
            case.updated_at = now;
            case.updater = Some(by_rule);
            tx.put(env, &case)?;
            crate::routes::cases::record(
                tx,
                env,
                now,
                events::CASE_UPDATED_OBJECTS,
                &case,
                Some(json!({"rule-id": rule.id})),
            )?;
        }
    } else {
        let Some(template) = template_for(tx, env, rule)? else {
            tracing::warn!(rule = %rule.id, "no case template to flag with");
            return Ok(());
        };
        let mut case = new_case(&template, by_rule.clone(), now);
        case.name = format!("{}: {}", rule.name, &case.id[case.id.len() - 6..]);
        case.queue_id = rule.case_queue_id.clone();
        case.finding = Some(finding.to_string());
        case.rule_id = Some(rule.id.clone());
        crate::routes::cases::attach(tx, env, &mut case, &ids, "/meta/object-ids")?;
        if let Some(note) = note {
            let comment = CaseComment {
                id: ids::new_time_ordered_id(prefix::CASE_COMMENT, now),
                case_id: case.id.clone(),
                message: note,
                commenter: by_rule,
                created_at: now,
                updated_at: now,
            };
            case.comment_ids.push(comment.id.clone());
            tx.put(env, &comment)?;
            record_event_at(
                tx,
                env,
                now,
                events::CASE_COMMENT_CREATED,
                (views::case::COMMENT, &comment.id),
                &comment,
                None,
            )?;
        }
        tx.put(env, &case)?;
        let context = json!({"rule-id": rule.id, "finding": finding});
        crate::routes::cases::record(tx, env, now, events::CASE_CREATED, &case, Some(context))?;
    }
    for account in accounts {
        let mut account = tx
            .account(env, &account.id)?
            .ok_or_else(|| ApiError::Internal("account vanished".into()))?;
        if account.add_tag(&rule.account_tag, now) {
            tx.update_account(env, &account)?;
            let context = json!({"tag-name": rule.account_tag, "rule-id": rule.id});
            record_event_at(
                tx,
                env,
                now,
                events::ACCOUNT_TAG_ADDED,
                (views::account::TYPE, &account.id),
                &account,
                Some(context),
            )?;
        }
    }
    Ok(())
}
