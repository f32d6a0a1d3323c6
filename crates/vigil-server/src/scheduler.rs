//! Does on time what falls due without a request: inquiries expire when their interval
//! runs out, a case whose SLA ran out records `case.sla-expired`, and (when the operator
//! set a retention) events past it are deleted once every reader of the log has acted
//! on them. Due times live in storage (`records.due_at`), so a restart loses nothing: the
//! first pass after start expires whatever fell due while the server was down. Only the
//! server leading background work runs it; each use case checks inside its transaction
//! that the record is still due, so nothing is done twice.

use std::time::Duration;

use vigil_domain::actor::{Actor, Process};
use vigil_domain::case::Case;
use vigil_domain::inquiry::Inquiry;
use vigil_store::{transact, Record};

use crate::use_cases::{cases, inquiries, Acting, Outcome};
use crate::AppState;

/// The longest the scheduler sleeps, so a record made due sooner than the next known one
/// is still handled within this.
const MAX_SLEEP: Duration = Duration::from_secs(1);
const BATCH: usize = 200;
/// The kinds of record this scheduler looks after (webhook deliveries have their own).
const KINDS: &[&str] = &[<Inquiry as Record>::KIND, <Case as Record>::KIND];

/// How often old events are pruned (on the server's clock, so the test clock moves it).
const PRUNE_EVERY_MS: i64 = 60_000;
const PRUNE_CHUNK: usize = 5_000;

pub async fn run(state: AppState) {
    let mut pruned_at: Option<i64> = None;
    loop {
        if !state.leader.wait(MAX_SLEEP).await {
            continue;
        }
        let now = state.now();
        if let Some(days) = state.config.event_retention_days {
            if pruned_at.is_none_or(|at| now - at >= PRUNE_EVERY_MS) {
                pruned_at = Some(now);
                if let Err(error) = prune(&state, now - i64::from(days) * 86_400_000).await {
                    tracing::error!(error = %error, "could not prune old events");
                }
            }
        }
        match state.store.due_records(KINDS, now, BATCH) {
            Ok(due) if !due.is_empty() => {
                for record in due {
                    let done = if record.kind == <Inquiry as Record>::KIND {
                        expire_inquiry(&state, record.environment_id, record.id).await
                    } else if record.kind == <Case as Record>::KIND {
                        report_sla(&state, record.environment_id, record.id).await
                    } else {
                        Ok(())
                    };
                    if let Err(error) = done {
                        tracing::error!(error = %error, kind = %record.kind, "scheduler could not handle a due record");
                        tokio::time::sleep(MAX_SLEEP).await;
                    }
                }
                continue;
            }
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "scheduler could not read due records"),
        }
        let sleep = match state.store.next_due(KINDS) {
            Ok(Some(at)) => Duration::from_millis(
                (at - state.now()).clamp(1, MAX_SLEEP.as_millis() as i64) as u64,
            ),
            _ => MAX_SLEEP,
        };
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = state.schedule.notified() => {}
        }
    }
}

/// Expire one inquiry whose time ran out.
async fn expire_inquiry(state: &AppState, env: String, id: String) -> Outcome<()> {
    let acting = Acting::new(&env, Actor::system(Process::Scheduler), state.now());
    transact(&state.store, move |tx| {
        inquiries::expire_if_due(tx, &acting, &id)
    })
    .await?;
    state.written();
    Ok(())
}

/// Record once that an unresolved case's SLA ran out.
async fn report_sla(state: &AppState, env: String, id: String) -> Outcome<()> {
    let acting = Acting::new(&env, Actor::system(Process::Scheduler), state.now());
    transact(&state.store, move |tx| cases::report_sla(tx, &acting, &id)).await?;
    state.written();
    Ok(())
}

/// Delete events created before `cutoff` that every reader of the log has acted on.
async fn prune(state: &AppState, cutoff: i64) -> Outcome<()> {
    loop {
        let below = state.store.readers_position(crate::LOG_READERS)? + 1;
        let removed = transact(&state.store, move |tx| -> Outcome<usize> {
            Ok(tx.prune_events(cutoff, below, PRUNE_CHUNK)?)
        })
        .await?;
        if removed > 0 {
            tracing::info!(events = removed, "pruned events past their retention");
        }
        if removed < PRUNE_CHUNK {
            return Ok(());
        }
    }
}
