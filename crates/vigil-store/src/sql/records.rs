//! SQL for workflow records: one `records` table for every kind, found through
//! `record_terms` (see `migrations/sqlite/0007_records.sql`).

use super::{Db, Dialect, ToParam};
use crate::params;

use super::paging::page;
use crate::{DueRecord, Page, PageRequest, RecordFilter, RecordRow, Result, StoreError};

/// The WHERE clause of a record filter and its parameters.
pub(crate) fn filter_clause(
    dialect: Dialect,
    env: &str,
    kind: &str,
    filter: &RecordFilter,
) -> (String, Vec<Box<dyn ToParam>>) {
    // Planned for its values each time on PostgreSQL (see `PLANNED_EACH_TIME`): one term
    // names fifty cases, another a hundred thousand.
    let mut sql = String::from("environment_id = ? AND kind = ?");
    if !filter.all_of.is_empty() {
        sql.push_str(super::PLANNED_EACH_TIME);
    }
    let mut params: Vec<Box<dyn ToParam>> =
        vec![Box::new(env.to_string()), Box::new(kind.to_string())];
    // SQLite: one `IN` over the intersection of the groups: with one `IN` per group,
    // SQLite 3.54 probes `records_by_kind` for every pair of (seq, rowid) from the two
    // lists — the same column twice — which made "open and unassigned" cost 2 s at 3,300
    // cases. PostgreSQL: one `IN` per group, which it joins from the smallest; its
    // INTERSECT reads every group whole (all 100,000 open cases to intersect with a tag
    // that has none: 65 ms).
    let groups: Vec<String> = filter
        .all_of
        .iter()
        .map(|group| {
            params.extend(
                group
                    .iter()
                    .map(|t| Box::new(t.clone()) as Box<dyn ToParam>),
            );
            format!(
                "SELECT record_seq FROM record_terms WHERE term IN ({})",
                vec!["?"; group.len()].join(", ")
            )
        })
        .collect();
    if !groups.is_empty() {
        match dialect {
            Dialect::Sqlite => {
                sql.push_str(&format!(" AND seq IN ({})", groups.join(" INTERSECT ")))
            }
            Dialect::Postgres => {
                for group in groups {
                    sql.push_str(&format!(" AND seq IN ({group})"));
                }
            }
        }
    }
    if let Some(from) = filter.created_from {
        sql.push_str(" AND created_at >= ?");
        params.push(Box::new(from));
    }
    if let Some(to) = filter.created_to {
        sql.push_str(" AND created_at <= ?");
        params.push(Box::new(to));
    }
    if let Some(to) = filter.rank_to {
        sql.push_str(" AND rank_at <= ?");
        params.push(Box::new(to));
    }
    (sql, params)
}

pub(crate) fn record(conn: &dyn Db, env: &str, kind: &str, id: &str) -> Result<Option<String>> {
    conn.query_row(
        "SELECT body FROM records WHERE id = ?1 AND environment_id = ?2 AND kind = ?3",
        params![id, env, kind],
        |r| r.get(0),
    )
}

pub(crate) fn records(
    conn: &dyn Db,
    env: &str,
    kind: &str,
    filter: &RecordFilter,
    request: &PageRequest,
) -> Result<Page<String>> {
    let (clause, owned) = filter_clause(conn.dialect(), env, kind, filter);
    let params: Vec<&dyn ToParam> = owned.iter().map(|p| p.as_ref()).collect();
    if filter.by_rank {
        return ranked_page(conn, env, kind, &clause, &params, request);
    }
    page(
        conn,
        "SELECT seq, body FROM records",
        &clause,
        &params,
        |id| {
            conn.query_row(
                "SELECT seq FROM records WHERE id = ?1 AND environment_id = ?2 AND kind = ?3",
                params![id, env, kind],
                |r| r.get(0),
            )
        },
        request,
        |r| r.get::<String>(1),
    )
}

/// The records of a filter's clause that have a rank. `rank_at IS NOT NULL` lets SQLite
/// walk the partial index `records_by_rank` in order and stop at a page (without it:
/// every open case read and sorted, 1.8 s at 100,000). Kinds that are ranked always have
/// a rank.
pub(crate) fn ranked_select(clause: &str) -> String {
    format!(
        "SELECT COALESCE(rank_at, 9223372036854775807), seq, body FROM records \
         WHERE {clause} AND rank_at IS NOT NULL"
    )
}

/// A page of records in rank order, soonest first, ties oldest first: the cursor is the
/// `(rank_at, seq)` of the record a page starts after or ends before.
fn ranked_page(
    conn: &dyn Db,
    env: &str,
    kind: &str,
    clause: &str,
    params: &[&dyn ToParam],
    request: &PageRequest,
) -> Result<Page<String>> {
    let position = |id: &str| -> Result<(i64, i64)> {
        conn.query_row("SELECT COALESCE(rank_at, 9223372036854775807), seq FROM records WHERE id = ?1 AND environment_id = ?2 AND kind = ?3", params![id, env, kind], |r| Ok((r.get(0)?, r.get(1)?)))?
        .ok_or_else(|| StoreError::UnknownCursor(id.to_string()))
    };
    let key = "(COALESCE(rank_at, 9223372036854775807), seq)";
    let (bound, forward) = match (&request.after, &request.before) {
        (Some(after), _) => (Some((">", position(after)?)), true),
        (None, Some(before)) => (Some(("<", position(before)?)), false),
        (None, None) => (None, true),
    };
    let limit = request.size as i64 + 1;
    let mut sql = ranked_select(clause);
    let mut all: Vec<&dyn ToParam> = params.to_vec();
    let (rank, seq);
    if let Some((op, (r, s))) = bound {
        (rank, seq) = (r, s);
        sql.push_str(&format!(" AND {key} {op} (?, ?)"));
        all.push(&rank);
        all.push(&seq);
    }
    sql.push_str(if forward {
        " ORDER BY rank_at ASC, seq ASC LIMIT ?"
    } else {
        " ORDER BY rank_at DESC, seq DESC LIMIT ?"
    });
    all.push(&limit);
    let mut rows: Vec<((i64, i64), String)> = conn.query_map(&sql, all.as_slice(), |r| {
        Ok(((r.get(0)?, r.get(1)?), r.get(2)?))
    })?;
    let more = rows.len() as i64 == limit;
    rows.truncate(request.size);
    if !forward {
        rows.reverse();
    }
    // Whether anything comes before (`<`) or after (`>`) a position.
    let exists = |op: &str, (r, s): (i64, i64)| -> Result<bool> {
        let sql =
            format!("SELECT EXISTS(SELECT 1 FROM records WHERE {clause} AND {key} {op} (?, ?))");
        let mut all: Vec<&dyn ToParam> = params.to_vec();
        all.push(&r);
        all.push(&s);
        conn.query_row(&sql, all.as_slice(), |row| row.get(0))
            .and_then(crate::sql::one)
    };
    // An empty page still has what is at its cursor on the other side.
    let (has_older, has_newer) = match (forward, bound, rows.first(), rows.last()) {
        (true, None, _, _) => (more, false),
        (true, Some((_, (r, s))), first, _) => {
            (more, exists("<", first.map_or((r, s + 1), |(p, _)| *p))?)
        }
        (false, Some((_, (r, s))), _, last) => {
            (exists(">", last.map_or((r, s - 1), |(p, _)| *p))?, more)
        }
        (false, None, _, _) => unreachable!("backward pages always have a cursor"),
    };
    Ok(Page {
        items: rows.into_iter().map(|(_, body)| body).collect(),
        has_older,
        has_newer,
    })
}

pub(crate) fn count(
    conn: &dyn Db,
    env: &str,
    kind: &str,
    filter: &RecordFilter,
    limit: Option<u64>,
) -> Result<u64> {
    let (clause, owned) = filter_clause(conn.dialect(), env, kind, filter);
    let mut params: Vec<&dyn ToParam> = owned.iter().map(|p| p.as_ref()).collect();
    let limit = limit.map(|n| n.min(i64::MAX as u64) as i64);
    let sql = match &limit {
        Some(limit) => {
            params.push(limit);
            format!("SELECT COUNT(*) FROM (SELECT 1 FROM records WHERE {clause} LIMIT ?) AS found")
        }
        None => format!("SELECT COUNT(*) FROM records WHERE {clause}"),
    };
    let n: i64 = conn
        .query_row(&sql, params.as_slice(), |r| r.get(0))
        .and_then(crate::sql::one)?;
    Ok(n as u64)
}

pub(crate) fn find(
    conn: &dyn Db,
    env: &str,
    kind: &str,
    filter: &RecordFilter,
    limit: usize,
) -> Result<Vec<String>> {
    let (clause, mut owned) = filter_clause(conn.dialect(), env, kind, filter);
    owned.push(Box::new(limit as i64));
    let params: Vec<&dyn ToParam> = owned.iter().map(|p| p.as_ref()).collect();
    let sql = format!("SELECT body FROM records WHERE {clause} ORDER BY seq DESC LIMIT ?");
    conn.query_map(&sql, params.as_slice(), |r| r.get::<String>(0))
}

pub(crate) fn due(conn: &dyn Db, kinds: &[&str], now: i64, limit: usize) -> Result<Vec<DueRecord>> {
    let sql = format!(
        "SELECT environment_id, kind, id, due_at FROM records WHERE due_at IS NOT NULL AND due_at <= ? AND kind IN ({}) ORDER BY due_at LIMIT ?",
        vec!["?"; kinds.len()].join(", ")
    );
    let mut params: Vec<&dyn ToParam> = vec![&now];
    params.extend(kinds.iter().map(|k| k as &dyn ToParam));
    let limit = limit as i64;
    params.push(&limit);
    conn.query_map(&sql, params.as_slice(), |r| {
        Ok(DueRecord {
            environment_id: r.get(0)?,
            kind: r.get(1)?,
            id: r.get(2)?,
            due_at: r.get(3)?,
        })
    })
}

pub(crate) fn next_due(conn: &dyn Db, kinds: &[&str]) -> Result<Option<i64>> {
    let sql = format!(
        "SELECT MIN(due_at) FROM records WHERE due_at IS NOT NULL AND kind IN ({})",
        vec!["?"; kinds.len()].join(", ")
    );
    let params: Vec<&dyn ToParam> = kinds.iter().map(|k| k as &dyn ToParam).collect();
    conn.query_row(&sql, params.as_slice(), |r| r.get(0))
        .and_then(crate::sql::one)
}

pub(crate) fn put(conn: &dyn Db, env: &str, row: &RecordRow) -> Result<()> {
    conn.write("INSERT INTO records (id, environment_id, kind, created_at, due_at, rank_at, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (id) DO UPDATE SET due_at = excluded.due_at, rank_at = excluded.rank_at, body = excluded.body",
        params![row.id, env, row.kind, row.created_at, row.due_at, row.rank_at, row.body])?;
    super::file_terms(
        conn,
        ("record_terms", "record_seq"),
        ("records", &row.id),
        &row.terms,
        true,
    )
}
