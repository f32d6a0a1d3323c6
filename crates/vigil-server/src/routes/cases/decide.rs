//! What a reviewer's decision does beyond the case. Resolving a case:
//! - approves or declines the attached inquiries still awaiting a decision, when the
//!   resolution is `Approved` or `Declined` (any letter case);
//! - expires the sessions of the attached inquiries, and on `Declined` every session of
//!   every inquiry of the attached accounts (a declined person cannot carry on);
//! - tags the attached accounts with the resolution, lowercased (`declined`).

use serde_json::json;
use vigil_domain::case::Case;
use vigil_domain::events;
use vigil_domain::inquiry::{Action, Inquiry};
use vigil_store::{term, RecordFilter, WriteTx};

use crate::protocol::{record_event_at, ApiResult};
use crate::routes::inquiries::{expire_sessions, transition, MAX_SESSIONS};
use crate::views;

pub(crate) fn carry_out(tx: &mut dyn WriteTx, env: &str, now: i64, case: &Case) -> ApiResult<()> {
    let Some(resolution) = case.resolution.as_deref() else {
        return Ok(());
    };
    let lowered = resolution.to_ascii_lowercase();
    let action = match lowered.as_str() {
        "approved" => Some(Action::Approve),
        "declined" => Some(Action::Decline),
        _ => None,
    };
    let context = json!({ "case-id": case.id, "resolution": resolution });
    for id in &case.inquiry_ids {
        let Some(mut inquiry) = tx.get::<Inquiry>(env, id)? else {
            continue;
        };
        if inquiry.redacted_at.is_some() {
            continue;
        }
        if let Some(action) = action.filter(|_| !inquiry.status().decided()) {
            if transition(tx, env, now, &mut inquiry, action)? {
                tx.put(env, &inquiry)?;
            }
        }
        expire_sessions(tx, env, now, &inquiry.id)?;
    }
    for account_id in &case.account_ids {
        if action == Some(Action::Decline) {
            let filter = RecordFilter::default().any_of(vec![term("account", account_id)]);
            for inquiry in tx.find::<Inquiry>(env, &filter, MAX_SESSIONS * 40)? {
                expire_sessions(tx, env, now, &inquiry.id)?;
            }
        }
        let Some(mut account) = tx.account(env, account_id)? else {
            continue;
        };
        let Ok(tag) = vigil_domain::validate::tag(&lowered) else {
            continue;
        };
        if account.redacted_at.is_none() && account.add_tag(&tag, now) {
            tx.update_account(env, &account)?;
            let mut context = context.clone();
            context["tag-name"] = json!(tag);
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
