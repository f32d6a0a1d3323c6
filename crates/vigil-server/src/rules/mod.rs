//! Flagging rules at work: one task reads the event log in commit order and, for each
//! event a rule cares about, evaluates the environment's enabled rules. A rule that finds
//! something opens a case (or adds to the case already open for that finding), attaches
//! what it found, and tags the accounts. Each event is handled in one transaction that
//! also moves the task's cursor, so a crash neither loses nor repeats a finding.

pub mod file;

use std::sync::Arc;
use std::time::Duration;

use vigil_domain::account::Account;
use vigil_domain::events;
use vigil_domain::inquiry::session::{Device, InquirySession};
use vigil_domain::inquiry::{Inquiry, InquiryStatus};
use vigil_domain::report::Report;
use vigil_domain::rule::{
    identity_keys, key_prefix, session_keys, AccountKeys, Condition, FlaggingRule, SessionKeys,
};
use vigil_domain::verification::CheckStatus;
use vigil_store::{term, transact, LoggedEvent, RecordFilter, Store, WriteTx};

use crate::use_cases::rules::{flag, has_open_case};
use crate::use_cases::{advance_cursor, Outcome, Refusal};

/// The cursor's name in storage.
pub(crate) const CURSOR: &str = "flagging-rules";
const BATCH: usize = 256;
const IDLE: Duration = Duration::from_secs(1);
/// The most accounts a shared-value finding lists.
const MAX_SHARED: usize = 100;

pub(crate) async fn run(
    store: Arc<dyn Store>,
    wake: Arc<tokio::sync::Notify>,
    leader: Arc<crate::leadership::Leadership>,
) {
    loop {
        if !leader.wait(IDLE).await {
            continue;
        }
        match step(&store).await {
            Ok(true) => {}
            Ok(false) => {
                let _ = tokio::time::timeout(IDLE, wake.notified()).await;
            }
            Err(error) => {
                tracing::error!(error = %error, "flagging rules failed; retrying");
                tokio::time::sleep(IDLE).await;
            }
        }
    }
}

/// Move the rules' cursor, unless another server already did (`advance_cursor`).
fn advance(tx: &mut dyn WriteTx, from: i64, to: i64) -> Outcome<()> {
    advance_cursor(tx, CURSOR, from, to)
}

/// Handle the next batch; false when there was nothing new.
async fn step(store: &Arc<dyn Store>) -> Outcome<bool> {
    let position = store.cursor(CURSOR)?;
    let batch = store.events_after(position, BATCH)?;
    if batch.is_empty() {
        return Ok(false);
    }
    // One transaction for the batch keeps the single writer free for requests.
    let last = batch.last().map_or(position, |e| e.seq);
    let whole = batch.clone();
    let done = transact(store, move |tx| -> Outcome<()> {
        let mut rules = Rules::default();
        for logged in &whole {
            handle(tx, &mut rules, logged)?;
        }
        advance(tx, position, last)
    })
    .await;
    match done {
        Ok(()) => return Ok(true),
        Err(Refusal::Superseded) => return Ok(true),
        Err(_) => {}
    }
    // Something in the batch failed (and was rolled back): go one event at a time, and
    // step over an event that fails on its own rather than stop flagging for good.
    let mut from = position;
    for logged in batch {
        let seq = logged.seq;
        let name = logged.event.name.clone();
        let alone = transact(store, move |tx| -> Outcome<()> {
            handle(tx, &mut Rules::default(), &logged)?;
            advance(tx, from, seq)
        })
        .await;
        match alone {
            Ok(()) => {}
            Err(Refusal::Superseded) => return Ok(true),
            Err(error) => {
                tracing::error!(event = %name, seq, error = %error, "flagging rules skipped an event they could not handle");
                let skipped = transact(store, move |tx| advance(tx, from, seq)).await;
                if let Err(Refusal::Superseded) = skipped {
                    return Ok(true);
                }
                skipped?;
            }
        }
        from = seq;
    }
    Ok(true)
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
    fn of(&mut self, tx: &mut dyn WriteTx, env: &str) -> Outcome<Vec<FlaggingRule>> {
        if let Some(rules) = self.0.get(env) {
            return Ok(rules.clone());
        }
        let filter = RecordFilter::default().any_of(vec![term("enabled", "true")]);
        let rules = tx.find::<FlaggingRule>(env, &filter, 1000)?;
        self.0.insert(env.to_string(), rules.clone());
        Ok(rules)
    }
}

fn handle(tx: &mut dyn WriteTx, rules: &mut Rules, logged: &LoggedEvent) -> Outcome<()> {
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
            if account.redacted_at.is_some() {
                // Where the person verified from goes with the rest of them.
                if tx.get::<SessionKeys>(env, &account.id)?.is_some() {
                    let cleared = SessionKeys {
                        id: account.id.clone(),
                        keys: Vec::new(),
                        created_at: account.created_at,
                    };
                    tx.put(env, &cleared)?;
                }
            }
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
        events::INQUIRY_SESSION_STARTED => {
            let Ok(session) = serde_json::from_value::<InquirySession>(event.snapshot.clone())
            else {
                return Ok(());
            };
            let Some(inquiry) = tx.get::<Inquiry>(env, &session.inquiry_id)? else {
                return Ok(());
            };
            let Some(account) = owner(tx, env, inquiry.account_id.as_deref())? else {
                return Ok(());
            };
            let new = keys_of_session(tx, env, &session)?;
            if new.is_empty() || account.redacted_at.is_some() {
                return Ok(());
            }
            let mut kept = tx
                .get::<SessionKeys>(env, &account.id)?
                .unwrap_or(SessionKeys {
                    id: account.id.clone(),
                    keys: Vec::new(),
                    created_at: account.created_at,
                });
            let before = kept.keys.len();
            for key in &new {
                if !kept.keys.contains(key) {
                    kept.keys.push(key.clone());
                }
            }
            if kept.keys.len() == before {
                return Ok(()); // nothing new: every rule already saw these
            }
            tx.put(env, &kept)?;
            for rule in rules.of(tx, env)? {
                if let Condition::SharedValue {
                    key,
                    more_than,
                    within_seconds,
                } = &rule.condition
                {
                    let prefix = key_prefix(*key);
                    if prefix == "ip:" || prefix == "fingerprint:" {
                        let since = Some(now - within_seconds * 1000);
                        let limit = *more_than as usize;
                        shared(tx, env, now, &rule, &account, &new, prefix, limit, since)?;
                    }
                }
            }
        }
        events::INQUIRY_REDACTED => {
            // What the redacted inquiry's sessions said leaves its account's keys.
            let Ok(inquiry) = serde_json::from_value::<Inquiry>(event.snapshot.clone()) else {
                return Ok(());
            };
            if let Some(account) = inquiry.account_id.as_deref() {
                rebuild_session_keys(tx, env, account)?;
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
        events::VERIFICATION_FAILED => {
            let Ok(found) = serde_json::from_value::<vigil_domain::verification::Verification>(
                event.snapshot.clone(),
            ) else {
                return Ok(());
            };
            let Some(repeat) = found
                .checks
                .iter()
                .find(|c| c.name == "id_repeat_detection" && c.status == CheckStatus::Failed)
            else {
                return Ok(());
            };
            // This inquiry's account and the accounts of the inquiries with the same photo.
            let mut inquiries = vec![found.inquiry_id.clone()];
            inquiries.extend(
                repeat.metadata["inquiry-ids"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_string)),
            );
            let mut accounts: Vec<Account> = Vec::new();
            for id in &inquiries {
                let Some(inquiry) = tx.get::<Inquiry>(env, id)? else {
                    continue;
                };
                if let Some(account) = owner(tx, env, inquiry.account_id.as_deref())? {
                    if !accounts.iter().any(|a| a.id == account.id) {
                        accounts.push(account);
                    }
                }
            }
            if accounts.is_empty() {
                return Ok(());
            }
            let finding = format!("document-reused:{}", found.id);
            for rule in rules.of(tx, env)? {
                if rule.condition == Condition::DocumentReused {
                    flag(tx, env, now, &rule, &finding, &accounts, &inquiries, None)?;
                }
            }
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

/// The keys a flow session gives its account: its address, and its device's fingerprint.
fn keys_of_session(
    tx: &mut dyn WriteTx,
    env: &str,
    session: &InquirySession,
) -> Outcome<Vec<String>> {
    let fingerprint = match &session.device_id {
        Some(id) => tx
            .get::<Device>(env, id)?
            .and_then(|d| d.browser_fingerprint),
        None => None,
    };
    Ok(session_keys(
        session.ip_address.as_deref(),
        fingerprint.as_deref(),
    ))
}

/// An account's session keys again, from its inquiries' sessions that are not redacted.
fn rebuild_session_keys(tx: &mut dyn WriteTx, env: &str, account_id: &str) -> Outcome<()> {
    let Some(mut kept) = tx.get::<SessionKeys>(env, account_id)? else {
        return Ok(());
    };
    let mut keys = Vec::new();
    let filter = RecordFilter::default().any_of(vec![term("account", account_id)]);
    for inquiry in tx.find::<Inquiry>(env, &filter, 1000)? {
        if inquiry.redacted_at.is_some() {
            continue;
        }
        for session_id in &inquiry.session_ids {
            let Some(session) = tx.get::<InquirySession>(env, session_id)? else {
                continue;
            };
            for key in keys_of_session(tx, env, &session)? {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
    }
    kept.keys = keys;
    tx.put(env, &kept)?;
    Ok(())
}

/// The account an object belongs to, if it has one (and it still exists).
fn owner(tx: &mut dyn WriteTx, env: &str, account_id: Option<&str>) -> Outcome<Option<Account>> {
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
) -> Outcome<()> {
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
) -> Outcome<()> {
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
        // Who holds it: by their own fields, or by where they verified from.
        let mut holders: Vec<String> = tx
            .find::<AccountKeys>(env, &filter, MAX_SHARED)?
            .into_iter()
            .map(|h| h.id)
            .collect();
        if key.starts_with("ip:") || key.starts_with("fingerprint:") {
            for held in tx.find::<SessionKeys>(env, &filter, MAX_SHARED)? {
                if !holders.contains(&held.id) {
                    holders.push(held.id);
                }
            }
        }
        if holders.len() <= more_than || !holders.contains(&account.id) {
            continue;
        }
        let mut accounts = Vec::new();
        for holder in &holders {
            if let Some(other) = tx.account(env, holder)? {
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
