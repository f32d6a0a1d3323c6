//! Lists and list items: create and archive a list, add a checked value to a list (one
//! active item per value per list, which storage also enforces), archive an item.

use vigil_domain::events;
use vigil_domain::ids::{self, prefix};
use vigil_domain::list::{self, List, ListItem, ListKind};
use vigil_store::WriteTx;

use super::{record, Acting, Input, Outcome, Refusal};

/// A new list (`list.created`).
pub fn create(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    kind: ListKind,
    name: String,
    allow_fuzzy_name_first: bool,
) -> Outcome<List> {
    let list = List {
        id: ids::new_id(prefix::LIST),
        kind,
        name,
        allow_fuzzy_name_first,
        archived_at: None,
        created_at: acting.now,
        updated_at: acting.now,
    };
    tx.insert_list(&acting.env, &list)?;
    record(tx, acting, events::LIST_CREATED, &list, None)?;
    Ok(list)
}

/// Archive the list `id` (`list.archived`): it stays retrievable and stops matching.
pub fn archive(tx: &mut dyn WriteTx, acting: &Acting, id: &str) -> Outcome<List> {
    let mut list = tx
        .list(&acting.env, id)?
        .ok_or_else(|| Refusal::NotFound(format!("list `{id}` is not found")))?;
    if list.archived_at.is_some() {
        return Err(Refusal::Conflict(format!(
            "list `{id}` is already archived"
        )));
    }
    list.archived_at = Some(acting.now);
    list.updated_at = acting.now;
    tx.update_list(&acting.env, &list)?;
    record(tx, acting, events::LIST_ARCHIVED, &list, None)?;
    Ok(list)
}

/// The active list `list_id` (the `list-id` input), which must hold items of `kind`.
pub fn open_list(tx: &mut dyn WriteTx, env: &str, list_id: &str, kind: ListKind) -> Outcome<List> {
    let list = tx
        .list(env, list_id)?
        .ok_or_else(|| Refusal::NotFound(format!("list `{list_id}` is not found")))?;
    if list.kind != kind.list_kind() {
        return Err(Refusal::invalid(
            Input::named("list-id"),
            format!(
                "is a {} list; {} items go in {} lists",
                list.kind.name(),
                kind.name(),
                kind.list_kind().name()
            ),
        ));
    }
    if list.archived_at.is_some() {
        return Err(Refusal::invalid(
            Input::named("list-id"),
            "is an archived list",
        ));
    }
    Ok(list)
}

/// Add a checked value to an open list with its `list-item.created` event; `None` when
/// the value is already active in the list.
pub fn add_item(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    list_id: &str,
    value: list::ItemValue,
    match_key: String,
) -> Outcome<Option<ListItem>> {
    if tx
        .active_list_item_by_key(&acting.env, list_id, &match_key)?
        .is_some()
    {
        return Ok(None);
    }
    let item = ListItem {
        id: ids::new_id(value.kind().item_prefix()),
        list_id: list_id.to_owned(),
        value,
        match_key,
        match_count: 0,
        archived_at: None,
        redacted_at: None,
        created_at: acting.now,
        updated_at: acting.now,
    };
    tx.insert_list_item(&acting.env, &item)?;
    record(tx, acting, events::LIST_ITEM_CREATED, &item, None)?;
    Ok(Some(item))
}

/// Add a value to list `list_id` (which must be open and of `kind`); a value already
/// active there is refused, as Persona refuses it.
pub fn add_new_item(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    list_id: &str,
    kind: ListKind,
    value: list::ItemValue,
    match_key: String,
) -> Outcome<ListItem> {
    open_list(tx, &acting.env, list_id, kind)?;
    add_item(tx, acting, list_id, value, match_key)?.ok_or_else(|| {
        Refusal::Conflict(format!(
            "{} already exists as an active item in list",
            if kind == ListKind::Name {
                "Name"
            } else {
                "Value"
            }
        ))
    })
}

/// Archive the item `id` of `kind` (`list-item.archived`); archiving an archived item
/// changes nothing and records nothing (idempotent, as Persona documents it).
pub fn archive_item(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    kind: ListKind,
    id: &str,
) -> Outcome<ListItem> {
    let mut item = tx
        .list_item(&acting.env, id)?
        .filter(|item| item.kind() == kind)
        .ok_or_else(|| Refusal::NotFound(format!("list item `{id}` is not found")))?;
    if item.archived_at.is_some() {
        return Ok(item);
    }
    item.archived_at = Some(acting.now);
    item.updated_at = acting.now;
    tx.update_list_item(&acting.env, &item)?;
    record(tx, acting, events::LIST_ITEM_ARCHIVED, &item, None)?;
    Ok(item)
}
