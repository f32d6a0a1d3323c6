//! Continuous screening: one task reads the event log in commit order, keeps the indexes
//! in step with it, and re-runs the reports a change affects.
//!
//! Reading the durable event log (rather than being told by handlers) means nothing is
//! missed across a crash: the position read up to is saved, and everything after it is
//! read again at start. Acting on an event twice is harmless: indexes replace entries by
//! id, and a re-run that finds what the report already shows writes nothing.
//!
//! Every server runs a monitor, so each keeps its own indexes current; only the one
//! leading background work (`crate::leadership`) re-runs reports and saves the position.
//! When a server starts leading, it goes back to the saved position and acts on what the
//! previous leader may not have (its indexes already hold those changes; replaying them
//! is harmless, as above).
//!
//! Ordering: the monitor alone changes the indexes, one event at a time. A new account is
//! put in the subject index before it is screened against the lists; a new list item is
//! put in the list index before the subjects are searched for it. Whichever of the two
//! comes second in the log finds the other.

use std::sync::Arc;
use std::time::Duration;

use vigil_domain::account::Account;
use vigil_domain::events;
use vigil_domain::report::{Origin, Query, Report};
use vigil_store::{transact, LoggedEvent, Store, StoreError};

use vigil_domain::actor::{Actor, Process};

use super::{item_subject, Screening, SubjectKind};
use crate::now_millis;
use crate::use_cases::reports::{self, record_run, would_change, RunType};
use crate::use_cases::{Acting, Outcome, Refusal};

/// The cursor holding the source generation monitored subjects were last re-screened
/// against (a generation, not an event position).
const SOURCES_RESCREENED: &str = "screening-sources";

/// The monitor as the actor of what it writes, in `env`, at `now`.
fn acting(env: &str, now: i64) -> Acting {
    Acting::new(env, Actor::system(Process::ScreeningMonitor), now)
}

/// Events read per query of the log.
const BATCH: usize = 512;
/// How long the monitor sleeps when idle, unless a write wakes it.
const IDLE: Duration = Duration::from_millis(250);

pub struct Monitor {
    store: Arc<dyn Store>,
    screening: Arc<Screening>,
    wake: Arc<tokio::sync::Notify>,
    leader: Arc<crate::leadership::Leadership>,
    /// The source generation known to be re-screened (the saved cursor only grows), so the
    /// cursor is read only when a newer generation appears, not on every step.
    rescreened: std::sync::atomic::AtomicI64,
}

impl Monitor {
    pub fn new(
        store: Arc<dyn Store>,
        screening: Arc<Screening>,
        wake: Arc<tokio::sync::Notify>,
        leader: Arc<crate::leadership::Leadership>,
    ) -> Self {
        Monitor {
            store,
            screening,
            wake,
            leader,
            rescreened: std::sync::atomic::AtomicI64::new(0),
        }
    }

    /// Fill the indexes from storage: every active list and item, every account, every
    /// monitored report with its own query, and the sanctions sources. Returns the event
    /// position the indexes are at least as new as.
    pub fn rebuild(&self) -> Result<i64, StoreError> {
        let upto = self.store.last_event_seq()?;
        self.load_sources()?;
        for env in self.store.environments()? {
            let env = env.id;
            let mut page = vigil_store::PageRequest {
                size: 1000,
                ..Default::default()
            };
            loop {
                let lists = self.store.lists(&env, Some(false), &page)?;
                for list in &lists.items {
                    self.screening.add_list(&env, list);
                }
                match (lists.has_older, lists.items.last()) {
                    (true, Some(last)) => page.after = Some(last.id.clone()),
                    _ => break,
                }
            }
            self.store.scan_active_list_items(&env, &mut |item| {
                self.screening.add_item(&env, &item);
            })?;
            self.store.scan_accounts(&env, false, &mut |account| {
                self.watch_account(&env, &account);
                true
            })?;
            self.store.scan_reports(&env, &mut |report| {
                self.watch_report(&env, &report);
            })?;
        }
        self.screening.mark_applied(upto);
        Ok(upto)
    }

    fn load_sources(&self) -> Result<(), StoreError> {
        let mut loaded = Vec::new();
        for source in self.store.sources()? {
            let mut parties = Vec::new();
            self.store
                .scan_source_parties(&source.id, &mut |p| parties.push(p))?;
            loaded.push((source, parties));
        }
        self.screening.load_sources(loaded);
        Ok(())
    }

    fn watch_account(&self, env: &str, account: &Account) {
        if account.archived_at.is_some() || account.redacted_at.is_some() {
            self.screening.unwatch_subject(env, &account.id);
        } else {
            let query = Query::of_account(account);
            self.screening
                .watch_subject(env, &account.id, SubjectKind::Account, &query);
        }
    }

    fn watch_report(&self, env: &str, report: &Report) {
        if report.origin == Origin::Request && report.is_monitored() {
            self.screening
                .watch_subject(env, &report.id, SubjectKind::Report, &report.query);
        } else {
            self.screening.unwatch_subject(env, &report.id);
        }
    }

    /// Rebuild, then follow the log until the task is dropped.
    pub async fn run(self) {
        // The indexes are rebuilt up to the log's end; what comes after is followed.
        let mut position = loop {
            match self.rebuild() {
                Ok(upto) => break upto,
                Err(error) => {
                    tracing::error!(%error, "screening could not start; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        };
        let mut acting = false;
        loop {
            let leading = self.leader.is_leading();
            if leading && !acting {
                // Act on everything after the saved position (the previous leader, or
                // this server before a crash, may not have).
                match self.store.screening_cursor() {
                    Ok(saved) => position = position.min(saved),
                    Err(error) => {
                        tracing::error!(%error, "screening cannot read its position; retrying");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                }
            }
            acting = leading;
            match self.step(position, acting).await {
                Ok(Some(next)) => position = next,
                Ok(None) => {
                    let _ = tokio::time::timeout(IDLE, self.wake.notified()).await;
                }
                Err(error) => {
                    tracing::error!(?error, "continuous screening failed; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }

    /// Take in the next batch of events after `position` (and, when `acting`, re-run what
    /// they affect and save the position); `None` when there were none.
    async fn step(&self, position: i64, acting: bool) -> Outcome<Option<i64>> {
        self.check_sources(acting).await?;
        let batch = self.store.events_after(position, BATCH)?;
        let Some(last) = batch.last().map(|e| e.seq) else {
            return Ok(None);
        };
        for logged in &batch {
            self.handle(logged, acting).await?;
            self.screening.mark_applied(logged.seq);
        }
        if acting {
            transact(&self.store, move |tx| tx.set_screening_cursor(last)).await?;
        }
        Ok(Some(last))
    }

    /// Reload the sanctions index when a source was loaded and, when `acting`, re-screen
    /// every monitored subject against it. Which source generation was last re-screened is
    /// saved, by whichever server did it, once it is done: a server that loaded the
    /// sources while following, or a leader that died half-way, leaves the re-screening
    /// to whoever leads next.
    async fn check_sources(&self, acting: bool) -> Outcome<()> {
        let generation = self
            .store
            .sources()?
            .iter()
            .map(|s| s.generation)
            .max()
            .unwrap_or(0);
        if generation != self.screening.source_generation() {
            self.load_sources()?;
        }
        use std::sync::atomic::Ordering::Relaxed;
        if !acting || self.rescreened.load(Relaxed) >= generation {
            return Ok(());
        }
        let saved = self.store.cursor(SOURCES_RESCREENED)?;
        self.rescreened.fetch_max(saved, Relaxed);
        if saved >= generation {
            return Ok(());
        }
        tracing::info!(
            parties = self.screening.source_parties(),
            "sanctions sources reloaded; re-screening monitored subjects"
        );
        for (env, owner, kind) in self.screening.all_subjects() {
            self.rescreen(&env, &owner, kind).await?;
        }
        transact(&self.store, move |tx| {
            tx.set_cursor(SOURCES_RESCREENED, generation)
        })
        .await?;
        self.rescreened.fetch_max(generation, Relaxed);
        Ok(())
    }

    async fn handle(&self, logged: &LoggedEvent, acting: bool) -> Outcome<()> {
        let env = logged.environment_id.as_str();
        let event = &logged.event;
        let id = event.object_id.as_str();
        match event.name.as_str() {
            events::ACCOUNT_CREATED
            | events::ACCOUNT_UPDATED_FIELDS
            | events::ACCOUNT_RESTORED
            | events::ACCOUNT_CONSOLIDATED => {
                if let Some(account) = self.store.account(env, id)? {
                    self.watch_account(env, &account);
                    if acting {
                        self.rescreen_account(env, &account).await?;
                    }
                }
            }
            events::ACCOUNT_ARCHIVED => self.screening.unwatch_subject(env, id),
            events::ACCOUNT_REDACTED => {
                self.screening.unwatch_subject(env, id);
                if acting {
                    self.redact_reports_of(env, id).await?;
                }
            }
            events::LIST_CREATED => {
                if let Some(list) = self.store.list(env, id)? {
                    if list.archived_at.is_none() {
                        self.screening.add_list(env, &list);
                    }
                }
            }
            events::LIST_ARCHIVED => self.screening.remove_list(env, id),
            events::LIST_ITEM_CREATED => {
                let Some(item) = self.store.list_item(env, id)? else {
                    return Ok(());
                };
                if item.archived_at.is_some() || !self.screening.has_list(env, &item.list_id) {
                    return Ok(());
                }
                if self.screening.add_item(env, &item) && acting {
                    let subject = item_subject(&item).unwrap_or_default();
                    for (owner, kind) in self.screening.subjects_matching(env, &subject) {
                        self.rescreen(env, &owner, kind).await?;
                    }
                }
            }
            events::LIST_ITEM_ARCHIVED => {
                if let Some(item) = self.store.list_item(env, id)? {
                    self.screening.remove_item(env, &item);
                }
            }
            name if name.starts_with("report/watchlist.") => {
                if let Some(report) = self.store.report(env, id)? {
                    self.watch_report(env, &report);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Re-run what screens `owner`: an account's own report (made on its first match), or
    /// a report with its own query.
    async fn rescreen(&self, env: &str, owner: &str, kind: SubjectKind) -> Outcome<()> {
        match kind {
            SubjectKind::Account => match self.store.account(env, owner)? {
                Some(account) => self.rescreen_account(env, &account).await,
                None => Ok(()),
            },
            SubjectKind::Report => self.rerun_report(env, owner).await,
        }
    }

    async fn rescreen_account(&self, env: &str, account: &Account) -> Outcome<()> {
        if account.archived_at.is_some() || account.redacted_at.is_some() {
            return Ok(());
        }
        let query = Query::of_account(account);
        let now = now_millis();
        let found = self.screening.find(env, &query, now);
        let (env, account) = (env.to_string(), account.clone());
        transact(&self.store, move |tx| {
            let own = tx
                .reports_of_account(&env, &account.id)?
                .into_iter()
                .find(|r| r.origin == Origin::Account);
            match own {
                Some(mut report) => {
                    if !report.is_monitored() {
                        return Ok(());
                    }
                    let query_changed = report.query != query;
                    report.query = query;
                    if would_change(&report, &found) {
                        let acting = acting(&env, now);
                        record_run(tx, &acting, &mut report, found, RunType::Triggered, false)?;
                    } else if query_changed {
                        tx.update_report(&env, &report)?;
                    }
                }
                None if found.is_empty() => {}
                None => {
                    reports::monitor_account(tx, &acting(&env, now), &account, query, found)?;
                }
            }
            Ok::<_, Refusal>(())
        })
        .await
    }

    async fn rerun_report(&self, env: &str, report_id: &str) -> Outcome<()> {
        let Some(report) = self.store.report(env, report_id)? else {
            return Ok(());
        };
        if !report.is_monitored() {
            return Ok(());
        }
        let now = now_millis();
        let found = self.screening.find(env, &report.query, now);
        if !would_change(&report, &found) {
            return Ok(());
        }
        let (env, report_id) = (env.to_string(), report_id.to_string());
        transact(&self.store, move |tx| {
            let Some(mut report) = tx.report(&env, &report_id)? else {
                return Ok(());
            };
            if report.is_monitored() && would_change(&report, &found) {
                let acting = acting(&env, now);
                record_run(tx, &acting, &mut report, found, RunType::Triggered, false)?;
            }
            Ok::<_, Refusal>(())
        })
        .await
    }

    /// An account's redaction reaches its reports (as in Persona): their queries and
    /// matches are removed too.
    async fn redact_reports_of(&self, env: &str, account_id: &str) -> Outcome<()> {
        let (env_id, account_id) = (env.to_string(), account_id.to_string());
        let env = env_id.clone();
        let now = now_millis();
        let redacted: Vec<String> = transact(&self.store, move |tx| {
            let mut redacted = Vec::new();
            for mut report in tx.reports_of_account(&env, &account_id)? {
                if report.redacted_at.is_some() {
                    continue;
                }
                reports::redact(tx, &acting(&env, now), &mut report)?;
                redacted.push(report.id.clone());
            }
            if !redacted.is_empty() {
                tx.request_checkpoint();
            }
            Ok::<_, Refusal>(redacted)
        })
        .await?;
        for id in redacted {
            self.screening.unwatch_subject(&env_id, &id);
        }
        Ok(())
    }
}
