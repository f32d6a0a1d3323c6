//! Webhooks: create (disabled, as in Persona), change, enable, disable, archive, rotate
//! the secret, clone, redeliver events, and turn one off when its deliveries cannot get
//! through. Events store webhooks without their secrets.

use serde_json::{json, Map, Value};
use vigil_domain::events;
use vigil_domain::ids::{self, prefix};
use vigil_domain::webhook::{
    Delivery, DeliveryStatus, Secret, Webhook, WebhookChanges, WebhookStatus,
};
use vigil_store::{Event, WriteTx};

use super::{record, Acting, Outcome, Refusal};

fn new_secret() -> String {
    ids::random_token(prefix::WEBHOOK_SECRET, 32)
}

/// A new webhook's one secret, which never expires until rotated.
fn first_secret() -> Vec<Secret> {
    vec![Secret {
        value: new_secret(),
        expires_at: None,
    }]
}

fn recorded(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    name: &str,
    webhook: &Webhook,
    context: Value,
) -> Outcome<()> {
    record(tx, acting, name, &webhook.without_secrets(), Some(context))
}

/// A webhook that may still change: not archived.
fn load_live(tx: &mut dyn WriteTx, env: &str, id: &str) -> Outcome<Webhook> {
    let webhook = tx
        .get::<Webhook>(env, id)?
        .ok_or_else(|| Refusal::NotFound(format!("webhook `{id}` is not found")))?;
    if webhook.status == WebhookStatus::Archived {
        return Err(Refusal::Conflict(format!("webhook `{id}` is archived")));
    }
    Ok(webhook)
}

/// A new webhook (`webhook.created`), disabled until enabled, with one secret; payloads
/// in `api_version` unless the changes say otherwise.
pub fn create(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    api_version: &str,
    changes: WebhookChanges,
) -> Outcome<Webhook> {
    let mut webhook = Webhook {
        id: ids::new_id(prefix::WEBHOOK),
        name: None,
        description: None,
        url: String::new(),
        status: WebhookStatus::Disabled,
        api_version: api_version.to_string(),
        api_key_inflection: "kebab".into(),
        api_attributes_blocklist: Vec::new(),
        enabled_events: Vec::new(),
        payload_filter: None,
        custom_http_headers: Map::new(),
        file_access_token_expires_in: 21_600,
        secrets: first_secret(),
        created_at: acting.now,
        updated_at: acting.now,
        disabled_reason: None,
    };
    changes.apply_to(&mut webhook);
    tx.put(&acting.env, &webhook)?;
    record(
        tx,
        acting,
        events::WEBHOOK_CREATED,
        &webhook.without_secrets(),
        None,
    )?;
    Ok(webhook)
}

/// Change a webhook that is not archived, saving it with `webhook.updated` naming `action`.
fn change(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    id: &str,
    action: &str,
    apply: impl FnOnce(&mut Webhook),
) -> Outcome<Webhook> {
    let mut webhook = load_live(tx, &acting.env, id)?;
    apply(&mut webhook);
    webhook.updated_at = acting.now;
    tx.put(&acting.env, &webhook)?;
    let context = json!({ "action": action });
    recorded(tx, acting, events::WEBHOOK_UPDATED, &webhook, context)?;
    Ok(webhook)
}

pub fn update(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    id: &str,
    changes: WebhookChanges,
) -> Outcome<Webhook> {
    change(tx, acting, id, "update", |webhook| {
        changes.apply_to(webhook)
    })
}

/// Enable, disable or archive (`action` names which).
pub fn set_status(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    id: &str,
    status: WebhookStatus,
    action: &str,
) -> Outcome<Webhook> {
    change(tx, acting, id, action, |webhook| {
        webhook.status = status;
        webhook.disabled_reason = None;
    })
}

/// A new secret signs from now; the old ones keep signing for `overlap_seconds`.
pub fn rotate_secret(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    id: &str,
    overlap_seconds: i64,
) -> Outcome<Webhook> {
    change(tx, acting, id, "rotate-secret", |webhook| {
        webhook.rotate(new_secret(), overlap_seconds, acting.now)
    })
}

/// The same settings under a new id, with a new secret, disabled (`webhook.created`).
pub fn clone(tx: &mut dyn WriteTx, acting: &Acting, id: &str) -> Outcome<Webhook> {
    let original = tx
        .get::<Webhook>(&acting.env, id)?
        .ok_or_else(|| Refusal::NotFound(format!("webhook `{id}` is not found")))?;
    let copy = Webhook {
        id: ids::new_id(prefix::WEBHOOK),
        status: WebhookStatus::Disabled,
        secrets: first_secret(),
        created_at: acting.now,
        updated_at: acting.now,
        disabled_reason: None,
        ..original
    };
    tx.put(&acting.env, &copy)?;
    let context = json!({ "cloned-from": id });
    recorded(tx, acting, events::WEBHOOK_CREATED, &copy, context)?;
    Ok(copy)
}

/// Deliver again each of `chosen` the webhook subscribes to, as new deliveries due now.
pub fn redeliver(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    id: &str,
    chosen: &[Event],
) -> Outcome<Vec<Delivery>> {
    let webhook = load_live(tx, &acting.env, id)?;
    let mut made = Vec::new();
    for event in chosen.iter().filter(|e| webhook.wants(&e.name)) {
        let delivery = Delivery {
            id: ids::new_time_ordered_id(prefix::WEBHOOK_DELIVERY, acting.now),
            webhook_id: webhook.id.clone(),
            event_id: event.id.clone(),
            event_name: event.name.clone(),
            event_created_at: event.created_at,
            status: DeliveryStatus::Pending,
            attempts: Vec::new(),
            next_attempt_at: Some(acting.now),
            created_at: acting.now,
        };
        tx.put(&acting.env, &delivery)?;
        made.push(delivery);
    }
    Ok(made)
}

/// Disable the webhook `id` (if still enabled) because `delivery_id` failed, saying why
/// in `webhook.disabled`'s context (the webhook's own schema has no room for it).
pub fn disable(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    id: &str,
    delivery_id: &str,
    reason: String,
) -> Outcome<()> {
    let Some(mut webhook) = tx.get::<Webhook>(&acting.env, id)? else {
        return Ok(());
    };
    if webhook.status != WebhookStatus::Enabled {
        return Ok(());
    }
    webhook.status = WebhookStatus::Disabled;
    webhook.disabled_reason = Some(reason);
    webhook.updated_at = acting.now;
    tx.put(&acting.env, &webhook)?;
    let context = json!({"delivery-id": delivery_id, "reason": webhook.disabled_reason});
    recorded(tx, acting, events::WEBHOOK_DISABLED, &webhook, context)
}
