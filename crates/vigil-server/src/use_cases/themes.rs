//! Theme sets: create, change (a sparse update of the styles), archive.

use serde_json::Value;
use vigil_domain::events;
use vigil_domain::ids::{self, prefix};
use vigil_domain::theme::{merge_styles, ThemeSet};
use vigil_store::WriteTx;

use super::{record, Acting, Outcome, Refusal};

pub fn load(tx: &mut dyn WriteTx, env: &str, id: &str) -> Outcome<ThemeSet> {
    tx.get::<ThemeSet>(env, id)?
        .ok_or_else(|| Refusal::NotFound(format!("theme set `{id}` is not found")))
}

/// A new theme set (`theme-set.created`); `styles` checked by the caller.
pub fn create(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    name: String,
    styles: Value,
) -> Outcome<ThemeSet> {
    let theme = ThemeSet {
        id: ids::new_id(prefix::THEME_SET),
        name,
        status: "active".into(),
        styles,
        created_at: acting.now,
        updated_at: acting.now,
        archived_at: None,
    };
    tx.put(&acting.env, &theme)?;
    record(tx, acting, events::THEME_SET_CREATED, &theme, None)?;
    Ok(theme)
}

/// Rename it and lay `styles` over its own, cell by cell (`theme-set.updated` when that
/// changed anything); an archived theme set is not edited.
pub fn update(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    id: &str,
    name: Option<String>,
    styles: Option<Value>,
) -> Outcome<ThemeSet> {
    let mut theme = load(tx, &acting.env, id)?;
    if theme.status == "archived" {
        return Err(Refusal::Conflict(format!(
            "theme set `{id}` is archived: it is no longer edited"
        )));
    }
    let before = theme.clone();
    if let Some(name) = name {
        theme.name = name;
    }
    if let Some(styles) = styles {
        merge_styles(&mut theme.styles, &styles);
    }
    if theme != before {
        theme.updated_at = acting.now;
        tx.put(&acting.env, &theme)?;
        record(tx, acting, events::THEME_SET_UPDATED, &theme, None)?;
    }
    Ok(theme)
}

/// Archive it (`theme-set.archived`); the flow no longer uses it. Archiving it again
/// changes nothing.
pub fn archive(tx: &mut dyn WriteTx, acting: &Acting, id: &str) -> Outcome<ThemeSet> {
    let mut theme = load(tx, &acting.env, id)?;
    if theme.status != "archived" {
        theme.status = "archived".into();
        theme.archived_at = Some(acting.now);
        theme.updated_at = acting.now;
        tx.put(&acting.env, &theme)?;
        record(tx, acting, events::THEME_SET_ARCHIVED, &theme, None)?;
    }
    Ok(theme)
}
