//! Imports: store a pending import, and write one chunk of its rows (items or accounts,
//! their events, the refused rows and the importer's progress) in one transaction. Reading
//! the file and running imports to their end is `crate::importers`'.

use serde_json::Value;
use vigil_domain::account::AccountChanges;
use vigil_domain::actor::{Actor, Process};
use vigil_domain::events;
use vigil_domain::ids::{self, prefix};
use vigil_domain::importer::{Importer, ImporterKind, ImporterStatus, RowOutcome};
use vigil_store::WriteTx;

use crate::importers::{NewImport, Prepared};

use super::{accounts, lists, Acting, Input, Outcome, Refusal};

/// Store a pending import in `tx`; nothing is imported yet: [`run`] does that.
pub fn start(tx: &mut dyn WriteTx, env: &str, now: i64, import: NewImport) -> Outcome<Importer> {
    let NewImport {
        kind,
        list_id,
        filename,
        file,
        row_count,
        stored,
    } = import;
    if let (ImporterKind::ListItem(item_kind), Some(list_id)) = (kind, &list_id) {
        // Persona's importers answer no 404: an unknown list is a bad `list-id`.
        lists::open_list(tx, env, list_id, item_kind).map_err(|error| match error {
            Refusal::NotFound(_) => {
                Refusal::invalid(Input::named("list-id"), "is not a list of this environment")
            }
            other => other,
        })?;
    }
    let mut importer = Importer::new(
        ids::new_id(prefix::IMPORTER),
        kind,
        list_id,
        filename,
        row_count,
        now,
    );
    importer.stored_file = stored;
    tx.insert_importer(env, &importer, &file)?;
    Ok(importer)
}

/// Write one account row; a reference id already in use makes it a duplicate.
fn import_account(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    changes: &AccountChanges,
) -> Outcome<RowOutcome> {
    let (env, now) = (acting.env.as_str(), acting.now);
    let account_type = accounts::type_or_default(tx, env, None, Input::named("account-type-id"))?;
    if let Some(Some(reference_id)) = &changes.reference_id {
        let taken = tx.account_by_unique(
            env,
            &account_type.id,
            "reference_id",
            &Value::String(reference_id.clone()),
        )?;
        if taken.is_some() {
            return Ok(RowOutcome::Duplicate);
        }
    }
    let mut account = accounts::blank(&account_type, now);
    account.apply(changes, now);
    tx.insert_account(env, &account)?;
    super::record(tx, acting, events::ACCOUNT_CREATED, &account, None)?;
    Ok(RowOutcome::Imported)
}

/// Write the rows `first..first + rows.len()` of an import, if it is still where the
/// caller thinks it is; the `last` chunk ends it. Returns the importer as committed.
pub(crate) fn write_chunk(
    tx: &mut dyn WriteTx,
    env: &str,
    id: &str,
    first: u64,
    rows: Vec<Prepared>,
    last: bool,
    now: i64,
) -> Outcome<Importer> {
    let mut importer = tx
        .importer(env, id)?
        .ok_or_else(|| Refusal::Internal(format!("importer {id} vanished")))?;
    if importer.status != ImporterStatus::Pending || importer.rows_done != first {
        return Ok(importer); // finished, or run by someone else meanwhile
    }
    let acting = Acting::new(env, Actor::system_for(Process::Importer, id, None), now);
    if let (ImporterKind::ListItem(kind), Some(list_id)) = (importer.kind, &importer.list_id) {
        if let Err(error) = lists::open_list(tx, env, list_id, kind) {
            importer.fail(format!("the list can no longer take items: {error}"), now);
            tx.update_importer(env, &importer)?;
            return Ok(importer);
        }
    }
    for row in rows {
        let outcome = match row {
            Prepared::Bad(error) => RowOutcome::Error(error),
            Prepared::Item(value, key) => {
                let list_id = importer.list_id.as_deref().unwrap_or_default();
                match lists::add_item(tx, &acting, list_id, value, key)? {
                    Some(_) => RowOutcome::Imported,
                    None => RowOutcome::Duplicate,
                }
            }
            Prepared::Account(changes) => import_account(tx, &acting, &changes)?,
        };
        if let RowOutcome::Error(error) = &outcome {
            tx.insert_importer_error(id, error)?;
        }
        importer.count(&outcome);
    }
    if last {
        importer.row_count = importer.rows_done;
    }
    importer.finish_if_done(now);
    tx.update_importer(env, &importer)?;
    Ok(importer)
}
