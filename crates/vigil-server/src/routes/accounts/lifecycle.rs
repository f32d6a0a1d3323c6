//! Redact, consolidate, and (beyond Persona) archive and restore.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{json, Map, Value};
use vigil_domain::case::Case;
use vigil_domain::events;
use vigil_domain::inquiry::Inquiry;
use vigil_domain::permissions::Access;

use super::{act_on_account, allow_meta, ensure_active, load, record, written_account};
use crate::protocol::{record_event_at, write, ApiBody, ApiError, ApiResult, Ctx, Reply};
use crate::AppState;
use vigil_store::{term, RecordFilter};

/// `DELETE /accounts/{id}`: remove the account's personal data from the account, from the
/// snapshots of every event about it, and from stored idempotent responses; then truncate
/// the write-ahead log so the old pages leave the disk. The account stays usable.
pub async fn redact(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Reply> {
    ctx.require("account", Access::Write)?;
    let ctx = ctx.without_idempotency_key();
    let orphaned = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let out = orphaned.clone();
    let reply = write(&state, &ctx, "", move |tx, ctx| {
        let mut account = load(tx, ctx, &id)?;
        // Its inquiries (and their sessions and documents) go with it, as in Persona, and
        // the identity keys flagging rules kept.
        let env = ctx.env_id();
        let of_account = RecordFilter::default().any_of(vec![term("account", &id)]);
        for mut inquiry in tx.find::<Inquiry>(env, &of_account, 100_000)? {
            if inquiry.redacted_at.is_none() {
                let hashes =
                    crate::routes::inquiries::redact_in_tx(tx, env, ctx.now, &mut inquiry)?;
                out.lock().unwrap().extend(hashes);
            }
        }
        // Its watchlist reports (the query is about the person), and the cases about it
        // (their fields and comments), with everything stored about them.
        for mut report in tx.reports_of_account(env, &id)? {
            if report.redacted_at.is_none() {
                crate::routes::reports::redact_in_tx(tx, env, &mut report, ctx.now)?;
                record_event_at(
                    tx,
                    env,
                    ctx.now,
                    events::REPORT_WATCHLIST_REDACTED,
                    (crate::views::report::TYPE, &report.id),
                    &report,
                    None,
                )?;
            }
        }
        for mut case in tx.find::<Case>(env, &of_account, 100_000)? {
            if case.redacted_at.is_none() {
                crate::routes::cases::crud::redact_in_tx(tx, env, ctx.now, &mut case)?;
            }
        }
        crate::rules::forget_account(tx, env, &id)?;
        account.redact(ctx.now);
        tx.update_account(ctx.env_id(), &account)?;
        tx.rewrite_event_snapshots(ctx.env_id(), &id, &mut |snapshot: &mut Value| {
            if let Some(object) = snapshot.as_object_mut() {
                object.insert("fields".into(), Value::Object(Map::new()));
            }
        })?;
        tx.delete_stored_responses_for(ctx.env_id(), &id)?;
        tx.delete_files(ctx.env_id(), &id, None)?;
        record(tx, ctx, events::ACCOUNT_REDACTED, &account, None)?;
        tx.request_checkpoint();
        written_account(tx, ctx, StatusCode::OK, account)
    })
    .await?;
    let hashes = std::mem::take(&mut *orphaned.lock().unwrap());
    crate::routes::documents::delete_files(&state, hashes).await;
    Ok(reply)
}

/// Largest number of sources one consolidation takes.
const MAX_SOURCES: usize = 100;

pub async fn consolidate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("account", Access::Write)?;
    let meta = body.meta()?;
    allow_meta(&meta, &["source-account-ids"])?;
    let sources: Vec<String> = match meta.get("source-account-ids") {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                item.as_str().map(String::from).ok_or_else(|| {
                    ApiError::bad_field(
                        &format!("/meta/source-account-ids/{i}"),
                        "must be a string",
                    )
                })
            })
            .collect::<ApiResult<_>>()?,
        None | Some(Value::Null) => {
            return Err(ApiError::bad_field(
                "/meta/source-account-ids",
                "is missing",
            ))
        }
        Some(_) => {
            return Err(ApiError::bad_field(
                "/meta/source-account-ids",
                "must be an array of account ids",
            ))
        }
    };
    if sources.is_empty() || sources.len() > MAX_SOURCES {
        return Err(ApiError::invalid(
            "/meta/source-account-ids",
            &format!("must name 1 to {MAX_SOURCES} accounts"),
        ));
    }
    if let Some(i) = sources.iter().position(|s| *s == id) {
        return Err(ApiError::invalid(
            &format!("/meta/source-account-ids/{i}"),
            "an account cannot be consolidated into itself",
        ));
    }
    let mut unique = sources.clone();
    unique.sort();
    unique.dedup();
    if unique.len() != sources.len() {
        return Err(ApiError::invalid(
            "/meta/source-account-ids",
            "names an account more than once",
        ));
    }
    write(&state, &ctx, &body.request_hash, move |tx, ctx| {
        let env = ctx.env_id().to_string();
        let mut destination = load(tx, ctx, &id)?;
        ensure_active(&destination)?;
        let mut moved = Moved::default();
        for (i, source_id) in sources.iter().enumerate() {
            let mut source = tx
                .account(&env, source_id)?
                .ok_or_else(|| ApiError::not_found(format!("meta.source-account-ids[{i}] `{source_id}` is not found")))?;
            if let Some(into) = &source.consolidated_into {
                return Err(ApiError::conflict(format!("meta.source-account-ids[{i}] `{source_id}` was already consolidated into `{into}`; an account is consolidated once")));
            }
            if source.archived_at.is_some() {
                return Err(ApiError::conflict(format!("meta.source-account-ids[{i}] `{source_id}` is archived; restore it first")));
            }
            // Every resource of the source moves to the destination; the source's own
            // attributes stay with it.
            move_children(tx, &env, source_id, &id, &mut moved)?;
            source.archived_at = Some(ctx.now);
            source.consolidated_into = Some(id.clone());
            source.updated_at = ctx.now;
            tx.update_account(&env, &source)?;
            record(tx, ctx, events::ACCOUNT_CONSOLIDATED, &source, Some(json!({ "destination-account-id": id })))?;
        }
        destination.updated_at = ctx.now;
        tx.update_account(&env, &destination)?;
        let counts = moved.counts();
        record(tx, ctx, events::ACCOUNT_CONSOLIDATED_WITH, &destination, Some(json!({ "source-account-ids": sources, "moved": counts, "moved-relations": moved.relations })))?;
        // What moved is counted in the event's context: Persona's 202 document has no
        // room for it (no top-level meta).
        written_account(tx, ctx, StatusCode::ACCEPTED, destination)
    })
    .await
}

/// How many of each resource a consolidation moved.
#[derive(Default)]
struct Moved {
    inquiries: usize,
    reports: usize,
    documents: usize,
    cases: usize,
    relations: usize,
}

impl Moved {
    fn counts(&self) -> Value {
        json!({
            "inquiries": self.inquiries,
            "reports": self.reports,
            "documents": self.documents,
            "cases": self.cases,
            "relations": self.relations,
        })
    }
}

/// Point everything that belongs to `source` at `destination`, in the consolidation's
/// transaction: inquiries (their documents and sessions follow them), watchlist reports,
/// the cases that name it, and relations.
fn move_children(
    tx: &mut dyn vigil_store::WriteTx,
    env: &str,
    source: &str,
    destination: &str,
    moved: &mut Moved,
) -> ApiResult<()> {
    let of_source = RecordFilter::default().any_of(vec![term("account", source)]);
    for mut inquiry in tx.find::<Inquiry>(env, &of_source, 100_000)? {
        inquiry.account_id = Some(destination.to_string());
        moved.documents += inquiry.document_ids.len();
        tx.put(env, &inquiry)?;
        moved.inquiries += 1;
    }
    for mut report in tx.reports_of_account(env, source)? {
        report.account_id = Some(destination.to_string());
        tx.update_report(env, &report)?;
        moved.reports += 1;
    }
    for mut case in tx.find::<Case>(env, &of_source, 100_000)? {
        case.account_ids.retain(|a| a != source);
        if !case.account_ids.iter().any(|a| a == destination) {
            case.account_ids.push(destination.to_string());
        }
        tx.put(env, &case)?;
        moved.cases += 1;
    }
    moved.relations += tx.move_relations(env, source, destination)?;
    Ok(())
}

pub async fn archive(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("account", Access::Write)?;
    allow_meta(&body.meta()?, &[])?;
    act_on_account(&state, &ctx, &body.request_hash, id, |account, ctx| {
        ensure_active(account)?;
        account.archived_at = Some(ctx.now);
        account.updated_at = ctx.now;
        Ok(Some((events::ACCOUNT_ARCHIVED, None)))
    })
    .await
}

pub async fn restore(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    body: ApiBody,
) -> ApiResult<Reply> {
    ctx.require("account", Access::Write)?;
    allow_meta(&body.meta()?, &[])?;
    act_on_account(&state, &ctx, &body.request_hash, id, |account, ctx| {
        if let Some(into) = &account.consolidated_into {
            return Err(ApiError::conflict(format!(
                "account `{}` was consolidated into `{into}` and cannot be restored",
                account.id
            )));
        }
        if account.archived_at.is_none() {
            return Err(ApiError::conflict(format!(
                "account `{}` is not archived",
                account.id
            )));
        }
        account.archived_at = None;
        account.updated_at = ctx.now;
        Ok(Some((events::ACCOUNT_RESTORED, None)))
    })
    .await
}
