//! Flagging rules: create, change, save by name (`vigil rules load`), and act on what a
//! rule found ([`flag`]). Which events a rule looks at and what it finds there is the
//! `rules` task's; what a finding does is here.

use serde_json::json;
use vigil_domain::account::Account;
use vigil_domain::actor::{Actor, Process};
use vigil_domain::case::{Case, CaseQueue, CaseTemplate, DEFAULT_TEMPLATE_NAME};
use vigil_domain::events;
use vigil_domain::ids::{self, prefix};
use vigil_domain::inquiry::Inquiry;
use vigil_domain::rule::{FlaggingRule, RuleChanges};
use vigil_store::{term, RecordFilter, WriteTx};

use super::{accounts, cases, record, Acting, Input, Outcome, Refusal};

/// The most undecided inquiries of an account a case gathers.
const MAX_OPEN_INQUIRIES: usize = 10;
/// The most objects a rule attaches to one case.
const MAX_CASE_OBJECTS: usize = 200;

pub const TYPE: &str = "flagging-rule";

/// Check the template and queue the changes name, then change the rule.
fn apply(
    tx: &mut dyn WriteTx,
    env: &str,
    rule: &mut FlaggingRule,
    changes: RuleChanges,
) -> Outcome<()> {
    if let Some(Some(id)) = &changes.template {
        if tx.get::<CaseTemplate>(env, id)?.is_none() {
            return Err(Refusal::UnknownReference {
                input: Input::named("case-template-id"),
                id: id.clone(),
            });
        }
    }
    if let Some(Some(id)) = &changes.queue {
        if tx.get::<CaseQueue>(env, id)?.is_none() {
            return Err(Refusal::UnknownReference {
                input: Input::named("case-queue-id"),
                id: id.clone(),
            });
        }
    }
    changes.apply_to(rule);
    Ok(())
}

/// A new rule (`flagging-rule.created`).
pub fn create(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    changes: RuleChanges,
) -> Outcome<FlaggingRule> {
    changes.complete()?;
    let mut rule = FlaggingRule::blank(ids::new_id(prefix::FLAGGING_RULE), acting.now);
    apply(tx, &acting.env, &mut rule, changes)?;
    tx.put(&acting.env, &rule)?;
    record(tx, acting, "flagging-rule.created", &rule, None)?;
    Ok(rule)
}

/// Change the rule `id` (`flagging-rule.updated`).
pub fn update(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    id: &str,
    changes: RuleChanges,
) -> Outcome<FlaggingRule> {
    let mut rule = tx
        .get::<FlaggingRule>(&acting.env, id)?
        .ok_or_else(|| Refusal::NotFound(format!("flagging rule `{id}` is not found")))?;
    save(tx, acting, &mut rule, changes)?;
    Ok(rule)
}

fn save(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    rule: &mut FlaggingRule,
    changes: RuleChanges,
) -> Outcome<()> {
    apply(tx, &acting.env, rule, changes)?;
    rule.updated_at = acting.now;
    tx.put(&acting.env, &*rule)?;
    record(tx, acting, "flagging-rule.updated", &*rule, None)
}

/// Change the environment's rule called `name`, or create it when there is none; returns
/// the rule and whether it was created.
pub fn put_by_name(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    name: &str,
    changes: RuleChanges,
) -> Outcome<(FlaggingRule, bool)> {
    let existing = tx
        .find::<FlaggingRule>(&acting.env, &RecordFilter::default(), 10_000)?
        .into_iter()
        .find(|r| r.name == name);
    match existing {
        Some(mut rule) => {
            save(tx, acting, &mut rule, changes)?;
            Ok((rule, false))
        }
        None => Ok((create(tx, acting, changes)?, true)),
    }
}

fn open_finding(finding: &str) -> RecordFilter {
    RecordFilter::default().any_of(vec![term("open-finding", finding)])
}

pub fn has_open_case(tx: &mut dyn WriteTx, env: &str, finding: &str) -> Outcome<bool> {
    Ok(!tx.find::<Case>(env, &open_finding(finding), 1)?.is_empty())
}

fn template_for(
    tx: &mut dyn WriteTx,
    env: &str,
    rule: &FlaggingRule,
) -> Outcome<Option<CaseTemplate>> {
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
pub fn flag(
    tx: &mut dyn WriteTx,
    env: &str,
    now: i64,
    rule: &FlaggingRule,
    finding: &str,
    accounts: &[Account],
    objects: &[String],
    note: Option<String>,
) -> Outcome<()> {
    let acting = Acting::new(
        env,
        Actor::system_for(Process::FlaggingRule, &rule.id, Some(&rule.name)),
        now,
    );
    let by_rule = acting.actor.as_participant();
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
        let context = Some(json!({"rule-id": rule.id}));
        if !ids.is_empty() && cases::change_objects(tx, &acting, &mut case, &ids, true, context)? {
            tx.put(env, &case)?;
        }
    } else {
        let Some(template) = template_for(tx, env, rule)? else {
            tracing::warn!(rule = %rule.id, "no case template to flag with");
            return Ok(());
        };
        let mut case = cases::blank(&template, by_rule, now);
        case.name = format!("{}: {}", rule.name, &case.id[case.id.len() - 6..]);
        case.queue_id = rule.case_queue_id.clone();
        case.finding = Some(finding.to_string());
        case.rule_id = Some(rule.id.clone());
        cases::attach(tx, env, &mut case, &ids)?;
        if let Some(note) = note {
            cases::comment(tx, &acting, &mut case, note)?;
        }
        tx.put(env, &case)?;
        let context = json!({"rule-id": rule.id, "finding": finding});
        record(tx, &acting, events::CASE_CREATED, &case, Some(context))?;
    }
    for account in accounts {
        let context = json!({"tag-name": rule.account_tag, "rule-id": rule.id});
        accounts::tag_if_untagged(tx, &acting, &account.id, &rule.account_tag, context)?;
    }
    Ok(())
}
