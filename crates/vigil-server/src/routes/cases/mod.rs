//! Cases for manual review (`/cases`), their templates (`/case-templates`), queues
//! (`/case-queues`, beyond Persona) and comments (`/cases/{id}/comments`, beyond Persona).

pub mod actions;
pub mod crud;
pub mod decide;
pub mod setup;

use axum::http::StatusCode;
use serde_json::Value;
use vigil_domain::case::{Actor, Case};
use vigil_domain::inquiry::Inquiry;
use vigil_store::WriteTx;

use crate::protocol::{record_event_at, write, ApiError, ApiResult, Ctx, Doc, Reply, Written};
use crate::views;
use crate::AppState;

pub(crate) fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("case `{id}` is not found"))
}

pub(crate) fn load(tx: &mut dyn WriteTx, env: &str, id: &str) -> ApiResult<Case> {
    tx.get::<Case>(env, id)?.ok_or_else(|| not_found(id))
}

/// The API key making a request, as a case's actor.
pub(crate) fn actor(ctx: &Ctx) -> Actor {
    Actor {
        id: ctx.key.name.clone(),
        kind: "user".into(),
    }
}

pub(crate) fn record(
    tx: &mut dyn WriteTx,
    env: &str,
    now: i64,
    name: &str,
    case: &Case,
    context: Option<Value>,
) -> ApiResult<()> {
    record_event_at(
        tx,
        env,
        now,
        name,
        (views::case::TYPE, &case.id),
        case,
        context,
    )
}

pub(crate) fn written(status: StatusCode, case: Case) -> Written {
    Written {
        status,
        object_id: Some(case.id.clone()),
        doc: Doc::later(move |_| views::single(views::case::resource(&case), None)),
    }
}

/// Attach objects (accounts, inquiries, reports) to a case; each must exist. Returns
/// whether anything was added. `pointer` names the list in the request.
pub(crate) fn attach(
    tx: &mut dyn WriteTx,
    env: &str,
    case: &mut Case,
    ids: &[String],
    pointer: &str,
) -> ApiResult<bool> {
    let mut added = false;
    for (index, id) in ids.iter().enumerate() {
        if case.attached_mut(id).is_some_and(|list| list.contains(id)) {
            continue;
        }
        let at = format!("{pointer}/{index}");
        let reference = match id.split_once('_').map(|(p, _)| p) {
            Some("act") => match tx.account(env, id)? {
                Some(account) => account.reference_id,
                None => return Err(ApiError::invalid(&at, &format!("account `{id}` is not found"))),
            },
            Some("inq") if tx.get::<Inquiry>(env, id)?.is_some() => None,
            Some("rep") if tx.report(env, id)?.is_some() => None,
            Some("inq" | "rep") => {
                return Err(ApiError::invalid(&at, &format!("`{id}` is not found")))
            }
            _ => {
                return Err(ApiError::invalid(
                    &at,
                    &format!("`{id}` is not an object vigil attaches to cases (accounts, inquiries, reports)"),
                ))
            }
        };
        let list = case.attached_mut(id).expect("prefix checked above");
        if !list.contains(id) {
            list.push(id.clone());
            added = true;
        }
        if let Some(reference) = reference {
            if !case.reference_ids.contains(&reference) {
                case.reference_ids.push(reference);
            }
        }
    }
    Ok(added)
}

/// `meta.object-ids` as a list of ids.
pub(crate) fn object_ids(meta: &serde_json::Map<String, Value>) -> ApiResult<Vec<String>> {
    match meta.get("object-ids") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) if items.len() <= 100 => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
                _ => Err(ApiError::bad_field(
                    &format!("/meta/object-ids/{i}"),
                    "must be an object id",
                )),
            })
            .collect(),
        Some(Value::Array(_)) => Err(ApiError::invalid(
            "/meta/object-ids",
            "may name at most 100 objects",
        )),
        Some(_) => Err(ApiError::bad_field(
            "/meta/object-ids",
            "must be an array of object ids",
        )),
    }
}

pub(crate) fn ensure_not_redacted(case: &Case) -> ApiResult<()> {
    match case.redacted_at {
        Some(_) => Err(ApiError::conflict(format!(
            "case `{}` is redacted",
            case.id
        ))),
        None => Ok(()),
    }
}

/// Load a case that is not redacted, let `change` change it (recording its own events),
/// save it and answer with it.
pub(crate) async fn act_on_case<F>(
    state: &AppState,
    ctx: &Ctx,
    request_hash: &str,
    id: String,
    change: F,
) -> ApiResult<Reply>
where
    F: FnOnce(&mut dyn WriteTx, &Ctx, &mut Case) -> ApiResult<()> + Send + 'static,
{
    write(state, ctx, request_hash, move |tx, ctx| {
        let mut case = load(tx, ctx.env_id(), &id)?;
        ensure_not_redacted(&case)?;
        change(tx, ctx, &mut case)?;
        tx.put(ctx.env_id(), &case)?;
        Ok(written(StatusCode::OK, case))
    })
    .await
}
