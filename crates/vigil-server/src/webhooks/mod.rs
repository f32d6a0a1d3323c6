//! Delivering events to webhooks, at least once, across crashes.
//!
//! The event log is the outbox: every event is written in the transaction of the change
//! it describes. `dispatch` follows the log by cursor and, for each event, writes one
//! `Delivery` per enabled webhook that wants it, in one transaction with the cursor.
//! `send` takes deliveries whose next attempt is due, posts them (signed, with Persona's
//! headers), and records each attempt; a failure is retried on the schedule, and a
//! delivery that runs out of attempts disables its webhook (`webhook.disabled`). A crash
//! mid-send leaves the delivery due, so it is sent again after the restart.

pub mod address;
pub mod sign;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::sync::Semaphore;
use vigil_domain::ids::{self, prefix};
use vigil_domain::webhook::{
    apply_blocklist, payload_matches, Attempt, Delivery, DeliveryStatus, Webhook, WebhookStatus,
};
use vigil_store::{term, transact, LoggedEvent, Record, RecordFilter, WriteTx};

use crate::protocol::inflection::{inflect_response, Inflection};
use crate::protocol::version::ApiVersion;
use crate::use_cases::{advance_cursor, webhooks, Acting, Outcome, Refusal};
use crate::{views, AppState};
use vigil_domain::actor::{Actor, Process};

pub(crate) const CURSOR: &str = "webhooks";
const BATCH: usize = 256;
const IDLE: Duration = Duration::from_secs(1);
/// Requests in flight in all, at least (one webhook may have up to
/// `config.webhook_concurrency`).
const IN_FLIGHT: usize = 64;
const TIMEOUT: Duration = Duration::from_secs(10);

/// Follow the event log and write the deliveries each event owes.
pub(crate) async fn dispatch(state: AppState) {
    loop {
        if !state.leader.wait(IDLE).await {
            continue;
        }
        match dispatch_batch(&state).await {
            Ok(true) => state.webhook_send.notify_one(),
            Ok(false) => {
                let _ = tokio::time::timeout(IDLE, state.webhook_dispatch.notified()).await;
            }
            Err(error) => {
                tracing::error!(error = %error, "webhook dispatch failed; retrying");
                tokio::time::sleep(IDLE).await;
            }
        }
    }
}

/// The event rendered as a webhook receives it: the event resource in the webhook's API
/// version and key inflection, blocklisted attributes removed.
fn body(webhook: &Webhook, event: &vigil_store::Event) -> Vec<u8> {
    let version = ApiVersion::parse(&webhook.api_version).unwrap_or_default();
    let mut doc = json!({ "data": views::event::resource(event, version) });
    apply_blocklist(&mut doc, &webhook.api_attributes_blocklist);
    let inflection = Inflection::parse(&webhook.api_key_inflection).unwrap_or(Inflection::Kebab);
    serde_json::to_vec(&inflect_response(doc, inflection)).unwrap_or_default()
}

async fn dispatch_batch(state: &AppState) -> Outcome<bool> {
    let position = state.store.cursor(CURSOR)?;
    let batch = state.store.events_after(position, BATCH)?;
    let Some(last) = batch.last().map(|e| e.seq) else {
        return Ok(false);
    };
    let done = transact(&state.store, move |tx| -> Outcome<()> {
        let mut webhooks: HashMap<String, Vec<Webhook>> = HashMap::new();
        for logged in &batch {
            let enabled = match webhooks.get(&logged.environment_id) {
                Some(list) => list.clone(),
                None => {
                    let filter = RecordFilter::default().any_of(vec![term("status", "enabled")]);
                    let list = tx.find::<Webhook>(&logged.environment_id, &filter, 1000)?;
                    webhooks.insert(logged.environment_id.clone(), list.clone());
                    list
                }
            };
            for webhook in enabled.iter().filter(|w| w.wants(&logged.event.name)) {
                if let Some(filter) = &webhook.payload_filter {
                    let version = ApiVersion::parse(&webhook.api_version).unwrap_or_default();
                    let payload = json!({ "data": views::event::render_snapshot(&logged.event.object_type, &logged.event.snapshot, version) });
                    if !payload_matches(filter, &payload) {
                        continue;
                    }
                }
                owe(tx, logged, webhook)?;
            }
        }
        // Another server may have dispatched these events since the cursor was read.
        advance_cursor(tx, CURSOR, position, last)
    })
    .await;
    match done {
        Ok(()) | Err(Refusal::Superseded) => Ok(true),
        Err(error) => Err(error),
    }
}

fn owe(tx: &mut dyn WriteTx, logged: &LoggedEvent, webhook: &Webhook) -> Outcome<()> {
    let now = logged.event.created_at;
    tx.put(
        &logged.environment_id,
        &Delivery {
            id: ids::new_time_ordered_id(prefix::WEBHOOK_DELIVERY, now),
            webhook_id: webhook.id.clone(),
            event_id: logged.event.id.clone(),
            event_name: logged.event.name.clone(),
            event_created_at: now,
            status: DeliveryStatus::Pending,
            attempts: Vec::new(),
            next_attempt_at: Some(now),
            created_at: now,
        },
    )?;
    Ok(())
}

/// Send due deliveries, a bounded number at a time.
pub(crate) async fn send(state: AppState) {
    // Redirects are never followed and proxies never used: the address connected to is the
    // one the resolver checked.
    let mut client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy();
    if !state.config.allow_private_webhooks {
        client = client.dns_resolver(Arc::new(address::PublicOnly::system()));
    }
    let client = client.build().expect("an HTTP client");
    let in_flight: Arc<Mutex<HashSet<String>>> = Arc::default();
    let limit = IN_FLIGHT.max(state.config.webhook_concurrency);
    let all = Arc::new(Semaphore::new(limit));
    let per_webhook: Arc<Mutex<HashMap<String, Arc<Semaphore>>>> = Arc::default();
    loop {
        if !state.leader.wait(IDLE).await {
            continue;
        }
        let now = state.now();
        let due = state
            .store
            .due_records(&[<Delivery as Record>::KIND], now, limit * 4)
            .unwrap_or_else(|error| {
                tracing::error!(%error, "cannot read due webhook deliveries");
                Vec::new()
            });
        let mut started = 0;
        for record in due {
            if !in_flight.lock().unwrap().insert(record.id.clone()) {
                continue;
            }
            let Ok(permit) = all.clone().acquire_owned().await else {
                return;
            };
            started += 1;
            let (state, client, in_flight, per_webhook) = (
                state.clone(),
                client.clone(),
                in_flight.clone(),
                per_webhook.clone(),
            );
            tokio::spawn(async move {
                if let Err(error) = attempt(
                    &state,
                    &client,
                    &per_webhook,
                    &record.environment_id,
                    &record.id,
                )
                .await
                {
                    tracing::error!(error = %error, "a webhook delivery attempt could not be recorded");
                }
                in_flight.lock().unwrap().remove(&record.id);
                drop(permit);
                state.webhook_send.notify_one();
            });
        }
        if started == 0 {
            let sleep = match state.store.next_due(&[<Delivery as Record>::KIND]) {
                Ok(Some(at)) => Duration::from_millis(
                    (at - state.now()).clamp(1, IDLE.as_millis() as i64) as u64,
                ),
                _ => IDLE,
            };
            let _ = tokio::time::timeout(sleep, state.webhook_send.notified()).await;
        }
    }
}

/// One attempt at one delivery, recorded.
async fn attempt(
    state: &AppState,
    client: &reqwest::Client,
    per_webhook: &Mutex<HashMap<String, Arc<Semaphore>>>,
    env: &str,
    id: &str,
) -> Outcome<()> {
    let Some(delivery) = state.store.get::<Delivery>(env, id)? else {
        return Ok(());
    };
    let now = state.now();
    if delivery.status != DeliveryStatus::Pending
        || delivery.next_attempt_at.is_none_or(|at| at > now)
    {
        return Ok(());
    }
    let webhook = state.store.get::<Webhook>(env, &delivery.webhook_id)?;
    let event = state.store.event(env, &delivery.event_id)?;
    let schedule = state.config.webhook_retry_schedule.clone();
    let (Some(webhook), Some(event)) = (webhook, event) else {
        return finish(
            state,
            env,
            id,
            None,
            Attempt {
                at: now,
                status_code: None,
                latency_ms: 0,
                error: Some("the webhook or the event is gone".into()),
            },
            &[],
            None,
        )
        .await;
    };
    if webhook.status != WebhookStatus::Enabled {
        let error = format!("the webhook is {}", webhook.status.as_str());
        return finish(
            state,
            env,
            id,
            None,
            Attempt {
                at: now,
                status_code: None,
                latency_ms: 0,
                error: Some(error),
            },
            &[],
            None,
        )
        .await;
    }
    if !state.config.allow_private_webhooks {
        if let Some(refused) = address::refusal_for_literal(&webhook.url) {
            return refuse(state, env, id, &webhook, now, refused).await;
        }
    }
    let gate = per_webhook
        .lock()
        .unwrap()
        .entry(webhook.id.clone())
        .or_insert_with(|| Arc::new(Semaphore::new(state.config.webhook_concurrency.max(1))))
        .clone();
    let permit = gate
        .acquire_owned()
        .await
        .map_err(|e| Refusal::Internal(e.to_string()))?;
    let body = body(&webhook, &event);
    let t = state.now() / 1000;
    let first = delivery.attempts.first().map_or(state.now(), |a| a.at);
    let mut request = client
        .post(&webhook.url)
        .header("Content-Type", "application/json")
        .header("User-Agent", "vigil-webhooks")
        .header(
            "Persona-Signature",
            sign::header(&webhook.active_secrets(state.now()), t, &body),
        )
        .header(
            "Persona-Webhook-Attempts-Made",
            (delivery.attempts.len() + 1).to_string(),
        )
        .header(
            "Persona-Webhook-Attempts-Left",
            delivery
                .attempts_left(&schedule)
                .saturating_sub(1)
                .to_string(),
        )
        .header(
            "Persona-Webhook-First-Attempted-At",
            (first / 1000).to_string(),
        );
    for (name, value) in &webhook.custom_http_headers {
        if let Some(value) = value.as_str() {
            request = request.header(name.as_str(), value);
        }
    }
    let started = Instant::now();
    let answer = request.body(body).send().await;
    let latency_ms = started.elapsed().as_millis() as i64;
    // The limit is on requests to the endpoint: the next one may go while this attempt
    // is being recorded (the delivery stays marked in flight until then).
    drop(permit);
    if let Some(refused) = answer.as_ref().err().and_then(|e| address::refusal_in(e)) {
        return refuse(state, env, id, &webhook, now, refused).await;
    }
    let attempt = match answer {
        Ok(response) => Attempt {
            at: now,
            status_code: Some(response.status().as_u16()),
            latency_ms,
            error: None,
        },
        Err(error) => {
            let kind = if error.is_timeout() {
                "timed out"
            } else if error.is_connect() {
                "could not connect"
            } else {
                "failed"
            };
            Attempt {
                at: now,
                status_code: None,
                latency_ms,
                error: Some(kind.into()),
            }
        }
    };
    finish(state, env, id, Some(webhook.id), attempt, &schedule, None).await
}

/// An attempt refused before connecting (the address is not public): the delivery fails
/// at once and the webhook is disabled with the reason, since every later event would be
/// refused the same way.
async fn refuse(
    state: &AppState,
    env: &str,
    id: &str,
    webhook: &Webhook,
    now: i64,
    refused: address::Refused,
) -> Outcome<()> {
    tracing::warn!(webhook = %webhook.id, "webhook delivery refused: not a public address");
    let attempt = Attempt {
        at: now,
        status_code: None,
        latency_ms: 0,
        error: Some(format!("refused: {refused}")),
    };
    let reason = format!("its URL was refused at delivery: {refused}");
    finish(
        state,
        env,
        id,
        Some(webhook.id.clone()),
        attempt,
        &[],
        Some(reason),
    )
    .await
}

/// Record `attempt`; a delivery out of attempts disables its webhook (with `reason`, or
/// the number of failures).
async fn finish(
    state: &AppState,
    env: &str,
    id: &str,
    webhook_id: Option<String>,
    attempt: Attempt,
    schedule: &[i64],
    reason: Option<String>,
) -> Outcome<()> {
    let (env, id, schedule) = (env.to_string(), id.to_string(), schedule.to_vec());
    let jitter: f64 = rand::random();
    transact(&state.store, move |tx| -> Outcome<()> {
        let Some(mut delivery) = tx.get::<Delivery>(&env, &id)? else {
            return Ok(());
        };
        let at = attempt.at;
        delivery.record(attempt, &schedule, jitter);
        tx.put(&env, &delivery)?;
        if delivery.status == DeliveryStatus::Failed {
            if let Some(webhook_id) = webhook_id {
                let reason = reason.unwrap_or_else(|| {
                    format!(
                        "delivery {} failed {} times",
                        delivery.id,
                        delivery.attempts.len()
                    )
                });
                let acting = Acting::new(&env, Actor::system(Process::WebhookSender), at);
                webhooks::disable(tx, &acting, &webhook_id, &delivery.id, reason)?;
            }
        }
        Ok(())
    })
    .await
}
