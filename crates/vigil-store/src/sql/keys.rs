//! SQL for API keys (`api_keys`): read by id, listed by environment.

use super::{Db, Row, ToParam};
use crate::params;

use super::paging::page;
use crate::{ApiKey, Page, PageRequest, Result};

const COLUMNS: &str = "id, environment_id, name, secret_hash, permissions, api_version, key_inflection, created_at, expires_at, note";

/// A key from a row whose first columns are [`COLUMNS`].
pub(crate) fn key_row(r: &Row) -> Result<ApiKey> {
    key_at(r, 0)
}

/// A key from a row holding [`COLUMNS`] from column `at` on.
fn key_at(r: &Row, at: usize) -> Result<ApiKey> {
    let permissions: String = r.get(at + 4)?;
    Ok(ApiKey {
        id: r.get(at)?,
        environment_id: r.get(at + 1)?,
        name: r.get(at + 2)?,
        secret_hash: r.get(at + 3)?,
        permissions: permissions
            .split(',')
            .filter(|p| !p.is_empty())
            .map(String::from)
            .collect(),
        api_version: r.get(at + 5)?,
        key_inflection: r.get(at + 6)?,
        created_at: r.get(at + 7)?,
        expires_at: r.get(at + 8)?,
        note: r.get(at + 9)?,
    })
}

pub(crate) fn key(conn: &dyn Db, env: &str, id: &str) -> Result<Option<ApiKey>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM api_keys WHERE id = ?1 AND environment_id = ?2"),
        params![id, env],
        key_row,
    )
}

pub(crate) fn keys(
    conn: &dyn Db,
    env: &str,
    name: Option<&str>,
    request: &PageRequest,
) -> Result<Page<ApiKey>> {
    let mut filter = String::from("environment_id = ?");
    let mut values: Vec<&dyn ToParam> = vec![&env];
    let name = name.map(str::to_string);
    if let Some(name) = &name {
        filter.push_str(" AND name = ?");
        values.push(name);
    }
    page(
        conn,
        &format!("SELECT seq, {COLUMNS} FROM api_keys_in_order"),
        &filter,
        &values,
        |id| {
            conn.query_row(
                "SELECT seq FROM api_keys_in_order WHERE id = ?1 AND environment_id = ?2",
                params![id, env],
                |r| r.get(0),
            )
        },
        request,
        // The page's rows start with seq; the key's columns follow.
        |r| key_at(r, 1),
    )
}
