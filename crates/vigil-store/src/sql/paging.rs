//! Cursor pagination over `seq`-ordered tables, newest first.

use super::{Db, Row, ToParam};

use crate::{Page, PageRequest, Result, StoreError};

/// One page of `SELECT seq, <columns> FROM <from> WHERE <filter>`; `cursor_seq` turns a
/// cursor id into its `seq` (None: not in this list).
pub(crate) fn page<T>(
    conn: &dyn Db,
    select: &str,
    filter: &str,
    params: &[&dyn ToParam],
    cursor_seq: impl Fn(&str) -> Result<Option<i64>>,
    request: &PageRequest,
    map: impl Fn(&Row) -> Result<T>,
) -> Result<Page<T>> {
    let limit = request.size as i64 + 1;
    let resolve =
        |id: &str| cursor_seq(id)?.ok_or_else(|| StoreError::UnknownCursor(id.to_string()));
    let (bound, newest_first) = match (&request.after, &request.before) {
        (Some(after), _) => (Some(("<", resolve(after)?)), true),
        (None, Some(before)) => (Some((">", resolve(before)?)), false),
        (None, None) => (None, true),
    };
    let mut sql = format!("{select} WHERE {filter}");
    let mut all: Vec<&dyn ToParam> = params.to_vec();
    let bound_seq;
    if let Some((op, seq)) = bound {
        bound_seq = seq;
        sql.push_str(&format!(" AND seq {op} ?"));
        all.push(&bound_seq);
    }
    sql.push_str(if newest_first {
        " ORDER BY seq DESC LIMIT ?"
    } else {
        " ORDER BY seq ASC LIMIT ?"
    });
    all.push(&limit);
    let mut rows: Vec<(i64, T)> = conn.query_map(&sql, all.as_slice(), |row| {
        Ok((row.get::<i64>(0)?, map(row)?))
    })?;
    let more = rows.len() as i64 == limit;
    rows.truncate(request.size);
    if !newest_first {
        rows.reverse();
    }
    let exists = |op: &str, seq: i64| -> Result<bool> {
        let from = select
            .split_once(" FROM ")
            .map(|(_, rest)| rest)
            .unwrap_or(select);
        let sql = format!("SELECT EXISTS(SELECT 1 FROM {from} WHERE {filter} AND seq {op} ?)");
        let mut all: Vec<&dyn ToParam> = params.to_vec();
        all.push(&seq);
        conn.query_row(&sql, all.as_slice(), |r| r.get(0))
            .and_then(crate::sql::one)
    };
    let (has_older, has_newer) = match (newest_first, bound, rows.first(), rows.last()) {
        (true, None, _, _) => (more, false),
        (true, Some((_, cursor)), first, _) => (
            more,
            exists(">", first.map_or(cursor - 1, |(seq, _)| *seq))?,
        ),
        (false, Some((_, cursor)), _, last) => {
            (exists("<", last.map_or(cursor + 1, |(seq, _)| *seq))?, more)
        }
        (false, None, _, _) => unreachable!("oldest-first pages always have a cursor"),
    };
    Ok(Page {
        items: rows.into_iter().map(|(_, item)| item).collect(),
        has_older,
        has_newer,
    })
}
