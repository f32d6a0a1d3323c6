//! Watchlist reports: recording a run (the report, a history line, the list items' match
//! counts and the events; for `POST /reports`, `run`, and the screening monitor), the
//! history of actions on a report, and redaction. Screening itself (what a query matches)
//! is `crate::screening`'s.

use serde_json::{json, Value};
use vigil_domain::account::Account;
use vigil_domain::events;
use vigil_domain::ids::{self, prefix};
use vigil_domain::list::ListKind;
use vigil_domain::report::{HistoryEntry, MatchRecord, Origin, Query, Report, RunChange};
use vigil_domain::tag_change::TagChange;
use vigil_store::WriteTx;

use super::{record, replace_snapshots, Acting, Input, Outcome, Refusal};

/// The environment's watchlist report template (`rptp_`). vigil has one per environment,
/// derived from its id, so it needs no storage and is the same after every restart.
pub fn template_id(env: &str) -> String {
    format!(
        "{}_{}",
        prefix::REPORT_TEMPLATE,
        env.split_once('_').map_or(env, |(_, rest)| rest)
    )
}

/// How a run came about (Persona's history `run-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunType {
    /// Created or re-run through the API.
    Manual,
    /// Re-run by continuous monitoring (a list, a source or the account changed).
    Triggered,
}

impl RunType {
    fn as_str(self) -> &'static str {
        match self {
            RunType::Manual => "manual",
            RunType::Triggered => "triggered",
        }
    }
}

/// Whether taking `found` would change what the report shows.
pub fn would_change(report: &Report, found: &[MatchRecord]) -> bool {
    let mut trial = report.clone();
    trial.apply_run(found.to_vec(), report.updated_at).changed
}

/// Apply a run to `report` and write it (`is_new`: insert) with its history line, the match
/// counts of newly matched list items, and events: `ready` for manual runs, `matched`
/// when something new matched.
pub fn record_run(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    report: &mut Report,
    found: Vec<MatchRecord>,
    run_type: RunType,
    is_new: bool,
) -> Outcome<RunChange> {
    let (env, now) = (acting.env.as_str(), acting.now);
    let change = report.apply_run(found, now);
    if is_new {
        tx.insert_report(env, report)?;
    } else {
        tx.update_report(env, report)?;
    }
    tx.insert_report_history(
        env,
        &HistoryEntry {
            id: ids::new_id(prefix::REPORT_RUN),
            report_id: report.id.clone(),
            kind: "run".into(),
            run_type: Some(run_type.as_str().into()),
            matches: Some(report.matches.len() as u32),
            creator_name: None,
            created_at: now,
        },
    )?;
    for record in &change.new {
        if ListKind::of_item_id(&record.key).is_some() {
            if let Some(mut item) = tx.list_item(env, &record.key)? {
                item.match_count += 1;
                tx.update_list_item(env, &item)?;
            }
        }
    }
    if run_type == RunType::Manual {
        record(tx, acting, events::REPORT_WATCHLIST_READY, &*report, None)?;
    }
    if !change.new.is_empty() {
        let context = serde_json::json!({
            "new-matches": change.new.iter().map(|m| &m.key).collect::<Vec<_>>(),
            "run-type": run_type.as_str(),
        });
        record(
            tx,
            acting,
            events::REPORT_WATCHLIST_MATCHED,
            &*report,
            Some(context),
        )?;
    }
    Ok(change)
}

/// Record an action (dismiss, pause, resume) in the report's history, by the actor.
fn record_action(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    report_id: &str,
    kind: &str,
) -> Outcome<()> {
    tx.insert_report_history(
        &acting.env,
        &HistoryEntry {
            id: ids::new_id(prefix::REPORT_ACTION),
            report_id: report_id.to_string(),
            kind: kind.to_string(),
            run_type: None,
            matches: None,
            creator_name: Some(acting.actor.display_name()),
            created_at: acting.now,
        },
    )?;
    Ok(())
}

/// A report that may still change: not redacted.
pub fn load_unredacted(tx: &mut dyn WriteTx, env: &str, id: &str) -> Outcome<Report> {
    let report = tx
        .report(env, id)?
        .ok_or_else(|| Refusal::NotFound(format!("report `{id}` is not found")))?;
    if report.redacted_at.is_some() {
        return Err(Refusal::Conflict(format!("report `{id}` is redacted")));
    }
    Ok(report)
}

/// A new watchlist report of `query` for `account` (if any), recorded with its first run,
/// which found `found`.
pub fn create(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    account: Option<&Account>,
    query: Query,
    found: Vec<MatchRecord>,
) -> Outcome<Report> {
    let mut report = Report::new(
        ids::new_id(prefix::REPORT),
        account,
        template_id(&acting.env),
        Origin::Request,
        query,
        acting.now,
    );
    record_run(tx, acting, &mut report, found, RunType::Manual, true)?;
    Ok(report)
}

/// The report continuous screening keeps for an account once something matches it:
/// its first run found `found` (`report/watchlist.matched`, and `ready`, as a report made
/// through the API announces itself).
pub fn monitor_account(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    account: &Account,
    query: Query,
    found: Vec<MatchRecord>,
) -> Outcome<Report> {
    let mut report = Report::new(
        ids::new_id(prefix::REPORT),
        Some(account),
        template_id(&acting.env),
        Origin::Account,
        query,
        acting.now,
    );
    record_run(tx, acting, &mut report, found, RunType::Triggered, true)?;
    record(tx, acting, events::REPORT_WATCHLIST_READY, &report, None)?;
    Ok(report)
}

/// Run the report `id` again, now with `query`, which found `found`.
pub fn rerun(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    id: &str,
    query: Query,
    found: Vec<MatchRecord>,
) -> Outcome<Report> {
    let mut report = load_unredacted(tx, &acting.env, id)?;
    report.query = query;
    record_run(tx, acting, &mut report, found, RunType::Manual, false)?;
    Ok(report)
}

/// The event a change of a report records, if it changed anything.
type ReportEvent = Option<(&'static str, Option<Value>)>;

/// Change a report that is not redacted; when `change` names an event, save it with that.
fn change(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    id: &str,
    change: impl FnOnce(&mut dyn WriteTx, &mut Report) -> Outcome<ReportEvent>,
) -> Outcome<Report> {
    let mut report = load_unredacted(tx, &acting.env, id)?;
    if let Some((event, context)) = change(tx, &mut report)? {
        report.updated_at = acting.now;
        tx.update_report(&acting.env, &report)?;
        record(tx, acting, event, &report, context)?;
    }
    Ok(report)
}

/// Pause continuous monitoring, or resume it.
pub fn set_paused(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    id: &str,
    paused: bool,
) -> Outcome<Report> {
    change(tx, acting, id, |tx, report| {
        if report.paused == paused {
            return Ok(None);
        }
        report.paused = paused;
        let (kind, event) = if paused {
            ("pause", events::REPORT_WATCHLIST_PAUSED)
        } else {
            ("resume", events::REPORT_WATCHLIST_RESUMED)
        };
        record_action(tx, acting, &report.id, kind)?;
        Ok(Some((event, None)))
    })
}

/// Every current match moves to the ignore list and never comes back; later, new
/// matches still do.
/// Dismiss a report's current matches (`only`: just the match of that id, Persona's
/// `dismiss-type: entity`) as false positives, with `report/watchlist.dismissed`.
pub fn dismiss(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    id: &str,
    reason: &str,
    only: Option<&str>,
) -> Outcome<Report> {
    change(tx, acting, id, |tx, report| {
        if !report.has_match() {
            return Err(Refusal::Conflict(format!(
                "report `{id}` has no matches to dismiss"
            )));
        }
        let who = acting.actor.display_name();
        let count = match only {
            None => report.dismiss(reason, &who, acting.now),
            Some(key) if report.dismiss_one(key, reason, &who, acting.now) => 1,
            Some(key) => {
                return Err(Refusal::UnknownReference {
                    input: Input::named("entity-id"),
                    id: key.to_string(),
                })
            }
        };
        record_action(tx, acting, id, "dismiss")?;
        let context = json!({ "dismissed": count, "reason": reason });
        Ok(Some((events::REPORT_WATCHLIST_DISMISSED, Some(context))))
    })
}

/// Add, remove or set a report's tags (`report/watchlist.updated-tags` when they changed).
pub fn retag(tx: &mut dyn WriteTx, acting: &Acting, id: &str, tags: TagChange) -> Outcome<Report> {
    change(tx, acting, id, |_, report| {
        let changed = tags.apply(&mut report.tags);
        Ok(changed.then_some((events::REPORT_WATCHLIST_UPDATED_TAGS, None)))
    })
}

/// Remove a report's query, matches and dismissals, here, in its events and in stored
/// responses, with `report/watchlist.redacted`; it stops being monitored.
pub fn redact(tx: &mut dyn WriteTx, acting: &Acting, report: &mut Report) -> Outcome<()> {
    let env = &acting.env;
    report.redact(acting.now);
    tx.update_report(env, report)?;
    replace_snapshots(tx, env, &report.id, &*report)?;
    tx.delete_stored_responses_for(env, &report.id)?;
    record(
        tx,
        acting,
        events::REPORT_WATCHLIST_REDACTED,
        &*report,
        None,
    )
}
