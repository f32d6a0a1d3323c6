//! Cases for manual review (`/cases`), their templates (`/case-templates`), queues
//! (`/case-queues`, beyond Persona) and comments (`/cases/{id}/comments`, beyond Persona).

pub mod actions;
pub mod crud;
pub mod setup;

use axum::http::StatusCode;
use serde_json::Value;
use vigil_domain::case::Case;
use vigil_store::WriteTx;

use crate::protocol::{write, ApiError, ApiResult, Ctx, Doc, Reply, Written};
use crate::use_cases::{cases, Acting};
use crate::views;
use crate::AppState;

pub(crate) fn written(status: StatusCode, case: Case) -> Written {
    Written {
        status,
        object_id: Some(case.id.clone()),
        doc: Doc::later(move |_| views::single(views::case::resource(&case), None)),
    }
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
    F: FnOnce(&mut dyn WriteTx, &Acting, &mut Case) -> ApiResult<()> + Send + 'static,
{
    write(state, ctx, request_hash, move |tx, ctx| {
        let mut case = cases::load_open(tx, ctx.env_id(), &id)?;
        change(tx, &ctx.acting(), &mut case)?;
        tx.put(ctx.env_id(), &case)?;
        Ok(written(StatusCode::OK, case))
    })
    .await
}
