//! Console users, sessions and the user audit log: the SQL behind the `Store` and
//! `WriteTx` methods of the same names (one connection type serves reads and writes).

use super::{Db, ToParam};
use crate::params;
use vigil_domain::user::{AuditEntry, User, UserSession};

use super::paging::page;
use crate::{Page, PageRequest, Result, StoreError};

fn decode<T: serde::de::DeserializeOwned>(what: &str, body: &str) -> Result<T> {
    serde_json::from_str(body)
        .map_err(|e| StoreError::Corrupt(format!("a stored {what} is unreadable: {e}")))
}

/// A page of JSON bodies, decoded.
fn decode_page<T: serde::de::DeserializeOwned>(what: &str, found: Page<String>) -> Result<Page<T>> {
    Ok(Page {
        items: found
            .items
            .iter()
            .map(|body| decode(what, body))
            .collect::<Result<_>>()?,
        has_older: found.has_older,
        has_newer: found.has_newer,
    })
}

fn one_user(conn: &dyn Db, column: &str, value: &str) -> Result<Option<User>> {
    let body: Option<String> = conn.query_row(
        &format!("SELECT body FROM users WHERE {column} = ?1"),
        params![value],
        |r| r.get(0),
    )?;
    body.map(|b| decode("user", &b)).transpose()
}

pub(crate) fn user(conn: &dyn Db, id: &str) -> Result<Option<User>> {
    one_user(conn, "id", id)
}

pub(crate) fn user_by_email(conn: &dyn Db, email: &str) -> Result<Option<User>> {
    one_user(conn, "email", email)
}

pub(crate) fn user_by_invitation(conn: &dyn Db, token_hash: &str) -> Result<Option<User>> {
    one_user(conn, "invitation_hash", token_hash)
}

pub(crate) fn users(conn: &dyn Db, org: &str, request: &PageRequest) -> Result<Page<User>> {
    let found = page(
        conn,
        "SELECT seq, body FROM users",
        "organization_id = ?",
        &[&org],
        |id| {
            conn.query_row(
                "SELECT seq FROM users WHERE id = ?1 AND organization_id = ?2",
                params![id, org],
                |r| r.get(0),
            )
        },
        request,
        |r| r.get::<String>(1),
    )?;
    decode_page("user", found)
}

pub(crate) fn insert_user(conn: &dyn Db, user: &User) -> Result<()> {
    conn.execute(
        "INSERT INTO users (id, organization_id, email, invitation_hash, body) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            user.id,
            user.organization_id,
            user.email,
            user.invitation.as_ref().map(|i| &i.token_hash),
            serde_json::to_string(user)?
        ],
    )?;
    Ok(())
}

pub(crate) fn update_user(conn: &dyn Db, user: &User) -> Result<()> {
    conn.execute(
        "UPDATE users SET email = ?2, invitation_hash = ?3, body = ?4 WHERE id = ?1",
        params![
            user.id,
            user.email,
            user.invitation.as_ref().map(|i| &i.token_hash),
            serde_json::to_string(user)?
        ],
    )?;
    Ok(())
}

pub(crate) fn session_by_hash(
    conn: &dyn Db,
    token_hash: &str,
) -> Result<Option<(UserSession, User)>> {
    let row: Option<(String, String)> = conn
        .query_row("SELECT s.body, u.body FROM user_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1", params![token_hash], |r| Ok((r.get(0)?, r.get(1)?)))?;
    row.map(|(session, user)| Ok((decode("session", &session)?, decode("user", &user)?)))
        .transpose()
}

pub(crate) fn put_session(conn: &dyn Db, session: &UserSession) -> Result<()> {
    conn.execute(
        "INSERT INTO user_sessions (id, user_id, token_hash, body) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body",
        params![
            session.id,
            session.user_id,
            session.token_hash,
            serde_json::to_string(session)?
        ],
    )?;
    Ok(())
}

/// End every live session of a user (a password reset, a disabled user): how many.
pub(crate) fn end_sessions(conn: &dyn Db, user_id: &str, now: i64) -> Result<usize> {
    let bodies: Vec<String> = conn.query_map(
        "SELECT body FROM user_sessions WHERE user_id = ?1",
        params![user_id],
        |r| r.get(0),
    )?;
    let mut ended = 0;
    for body in bodies {
        let mut session: UserSession = decode("session", &body)?;
        if session.ended_at.is_none() {
            session.ended_at = Some(now);
            put_session(conn, &session)?;
            ended += 1;
        }
    }
    Ok(ended)
}

pub(crate) fn insert_audit_entry(conn: &dyn Db, entry: &AuditEntry) -> Result<()> {
    conn.execute(
        "INSERT INTO user_audit_logs (id, organization_id, user_id, created_at, body) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            entry.id,
            entry.organization_id,
            entry.user_id,
            entry.created_at,
            serde_json::to_string(entry)?
        ],
    )?;
    Ok(())
}

pub(crate) fn audit_entry(conn: &dyn Db, org: &str, id: &str) -> Result<Option<AuditEntry>> {
    let body: Option<String> = conn.query_row(
        "SELECT body FROM user_audit_logs WHERE id = ?1 AND organization_id = ?2",
        params![id, org],
        |r| r.get(0),
    )?;
    body.map(|b| decode("audit entry", &b)).transpose()
}

pub(crate) fn audit_entries(
    conn: &dyn Db,
    org: &str,
    user_id: Option<&str>,
    request: &PageRequest,
) -> Result<Page<AuditEntry>> {
    let mut filter = String::from("organization_id = ?");
    let mut params: Vec<&dyn ToParam> = vec![&org];
    if let Some(user_id) = &user_id {
        filter.push_str(" AND user_id = ?");
        params.push(user_id);
    }
    let found = page(
        conn,
        "SELECT seq, body FROM user_audit_logs",
        &filter,
        &params,
        |id| {
            conn.query_row(
                "SELECT seq FROM user_audit_logs WHERE id = ?1 AND organization_id = ?2",
                params![id, org],
                |r| r.get(0),
            )
        },
        request,
        |r| r.get::<String>(1),
    )?;
    decode_page("audit entry", found)
}
