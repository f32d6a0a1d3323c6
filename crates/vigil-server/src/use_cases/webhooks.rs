//! Webhooks: turning one off when its deliveries cannot get through.

use serde_json::json;
use vigil_domain::events;
use vigil_domain::webhook::{Webhook, WebhookStatus};
use vigil_store::WriteTx;

use super::{record, Acting, Outcome};

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
    // Events store webhooks without their secrets.
    let snapshot = webhook.without_secrets();
    let context = json!({"delivery-id": delivery_id, "reason": webhook.disabled_reason});
    record(
        tx,
        acting,
        events::WEBHOOK_DISABLED,
        &snapshot,
        Some(context),
    )
}
