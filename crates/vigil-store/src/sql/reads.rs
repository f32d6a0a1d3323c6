//! The whole `Store` (reads) for any [`SqlBackend`], and the read queries the write side
//! shares (`writes.rs`).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::{Db, Row, ToParam};
use crate::params;
use vigil_domain::account::Account;
use vigil_domain::importer::{Importer, RowError};
use vigil_domain::list::{List, ListItem};
use vigil_domain::report::{HistoryEntry, Report};
use vigil_screening::sources::Party;

use super::paging::page;
use super::users;
use super::SqlBackend;
use crate::term_walk::{TermIndex, TermWalk};
use crate::{
    AccountAction, AccountFilter, AccountStatus, AccountType, ApiKey, DueRecord, Environment,
    Event, EventFilter, LoggedEvent, Page, PageRequest, RecordFilter, Relation, RelationFilter,
    ReportFilter, Result, Source, Store, StoreError, StoredFile, StoredResponse, WriteJob,
};
use vigil_domain::user::{AuditEntry, User, UserSession};

pub(crate) fn decode<T: serde::de::DeserializeOwned>(body: &str) -> Result<T> {
    Ok(serde_json::from_str(body)?)
}

/// The JSON body of the row of `table` with this id in the environment, decoded.
fn body_by_id<T: serde::de::DeserializeOwned>(
    conn: &dyn Db,
    table: &str,
    env: &str,
    id: &str,
) -> Result<Option<T>> {
    conn.query_row(
        &format!("SELECT body FROM {table} WHERE id = ?1 AND environment_id = ?2"),
        params![id, env],
        |r| decode(&r.get::<String>(0)?),
    )
}

/// How far the event-log reader `name` has acted (0 when it never has).
pub(crate) fn cursor(conn: &dyn Db, name: &str) -> Result<i64> {
    Ok(conn
        .query_row(
            "SELECT event_seq FROM cursors WHERE name = ?1",
            params![name],
            |r| r.get(0),
        )?
        .unwrap_or(0))
}

pub(crate) fn list(conn: &dyn Db, env: &str, id: &str) -> Result<Option<List>> {
    body_by_id(conn, "lists", env, id)
}

pub(crate) fn report(conn: &dyn Db, env: &str, id: &str) -> Result<Option<Report>> {
    body_by_id(conn, "reports", env, id)
}

pub(crate) fn importer(conn: &dyn Db, env: &str, id: &str) -> Result<Option<Importer>> {
    body_by_id(conn, "importers", env, id)
}

pub(crate) fn list_item(conn: &dyn Db, env: &str, id: &str) -> Result<Option<ListItem>> {
    body_by_id(conn, "list_items", env, id)
}

pub(crate) fn account(conn: &dyn Db, env: &str, id: &str) -> Result<Option<Account>> {
    body_by_id(conn, "accounts", env, id)
}

pub(crate) fn account_type(
    conn: &dyn Db,
    env: &str,
    filter_sql: &str,
    value: &str,
) -> Result<Option<AccountType>> {
    let sql = format!("SELECT id, environment_id, name, created_at, updated_at FROM account_types WHERE environment_id = ?1 AND {filter_sql} = ?2");
    let found = conn.query_row(&sql, params![env, value], |r| {
        Ok(AccountType {
            id: r.get(0)?,
            environment_id: r.get(1)?,
            name: r.get(2)?,
            created_at: r.get(3)?,
            updated_at: r.get(4)?,
            statuses: Vec::new(),
        })
    })?;
    let Some(mut account_type) = found else {
        return Ok(None);
    };
    account_type.statuses = conn
        .query_map("SELECT id, name, is_default FROM account_statuses WHERE account_type_id = ?1 ORDER BY created_at, name", params![&account_type.id], |r| Ok(AccountStatus { id: r.get(0)?, name: r.get(1)?, is_default: r.get(2)? }))?;
    Ok(Some(account_type))
}

pub(crate) fn account_action_row(r: &Row) -> Result<AccountAction> {
    Ok(AccountAction {
        id: r.get(0)?,
        environment_id: r.get(1)?,
        name: r.get(2)?,
        kind: r.get(3)?,
        created_at: r.get(4)?,
    })
}

fn event_row(row: &Row) -> Result<Event> {
    let context: Option<String> = row.get(6)?;
    let actor: Option<String> = row.get(8)?;
    Ok(Event {
        id: row.get(1)?,
        name: row.get(2)?,
        object_id: row.get(3)?,
        object_type: row.get(4)?,
        snapshot: decode(&row.get::<String>(5)?)?,
        context: context.as_deref().map(decode).transpose()?,
        created_at: row.get(7)?,
        actor: actor.as_deref().map(decode).transpose()?,
    })
}

const EVENT_SELECT: &str =
    "SELECT seq, id, name, object_id, object_type, snapshot, context, created_at, actor FROM events";

/// The WHERE clause of a report filter, naming only the filters given: an `(? IS NULL OR
/// account_id = ?)` form kept SQLite from the account's index (an account's reports were
/// a walk of the environment: 70 ms at a million accounts, 1.3 s cold).
pub(crate) fn reports_clause<'a>(
    env: &'a &str,
    filter: &'a ReportFilter,
) -> (String, Vec<&'a dyn ToParam>) {
    let mut clause = String::from("environment_id = ?");
    let mut params: Vec<&dyn ToParam> = vec![env];
    if let Some(account_id) = &filter.account_id {
        clause.push_str(" AND account_id = ?");
        params.push(account_id);
    }
    if let Some(reference_id) = &filter.reference_id {
        clause.push_str(" AND reference_id = ?");
        params.push(reference_id);
    }
    (clause, params)
}

/// The events a filter reads, from the index that finds them. A few objects' (or people's)
/// events are few: read through their index and sorted. Left to itself, SQLite 3.54 walks
/// the whole environment newest first to skip the sort whenever an `IN` names more than
/// one (a case page's history of a case and its objects: 3 s at 100,000 accounts).
pub(crate) fn events_select(filter: &EventFilter) -> String {
    let index = if !filter.object_ids.is_empty() {
        " INDEXED BY events_by_object"
    } else if !filter.actor_ids.is_empty() {
        " INDEXED BY events_by_actor"
    } else if filter.names.len() == 1 {
        // One kind of event is a range of this index in `seq` order, however rare; with
        // several, the environment's walk is left to the planner.
        " INDEXED BY events_by_name"
    } else {
        ""
    };
    format!("{EVENT_SELECT}{index}")
}

pub(crate) fn stored_response(
    conn: &dyn Db,
    env: &str,
    key: &str,
) -> Result<Option<StoredResponse>> {
    conn
        .query_row("SELECT request_hash, object_id, status, body, created_at FROM idempotency_keys WHERE environment_id = ?1 AND idempotency_key = ?2", params![env, key], |r| {
            Ok(StoredResponse { request_hash: r.get(0)?, object_id: r.get(1)?, status: r.get(2)?, body: r.get(3)?, created_at: r.get(4)? })
        })
}

/// `IN (?, ?, ...)` with `n` placeholders.
fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

impl<B: SqlBackend> Store for B {
    fn ping(&self) -> Result<()> {
        self.read(|conn| {
            conn.query_row("SELECT 1", params![], |_| Ok(()))?
                .ok_or_else(|| StoreError::Corrupt("SELECT 1 had no row".into()))
        })
    }

    fn environments(&self) -> Result<Vec<Environment>> {
        self.read(|conn| {
            conn
                .query_map("SELECT id, organization_id, name, created_at FROM environments ORDER BY created_at, name", params![], |r| Ok(Environment { id: r.get(0)?, organization_id: r.get(1)?, name: r.get(2)?, created_at: r.get(3)? }))
        })
    }

    fn api_key(&self, env: &str, id: &str) -> Result<Option<ApiKey>> {
        self.read(|conn| super::keys::key(conn, env, id))
    }

    fn api_keys(&self, env: &str, name: Option<&str>, page: &PageRequest) -> Result<Page<ApiKey>> {
        self.read(|conn| super::keys::keys(conn, env, name, page))
    }

    fn api_key_by_hash(&self, secret_hash: &str) -> Result<Option<(ApiKey, Environment)>> {
        self.read(|conn| {
            let row = conn
                .query_row("SELECT k.id, k.environment_id, k.name, k.secret_hash, k.permissions, k.api_version, k.key_inflection, k.created_at, k.expires_at, k.note,
                            e.organization_id, e.name, e.created_at
                     FROM api_keys k JOIN environments e ON e.id = k.environment_id WHERE k.secret_hash = ?1", params![secret_hash], |r| {
                    let key = super::keys::key_row(r)?;
                    let env = Environment { id: key.environment_id.clone(), organization_id: r.get(10)?, name: r.get(11)?, created_at: r.get(12)? };
                    Ok((key, env))
                })?;
            Ok(row)
        })
    }

    fn user(&self, id: &str) -> Result<Option<User>> {
        self.read(|conn| users::user(conn, id))
    }

    fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        self.read(|conn| users::user_by_email(conn, email))
    }

    fn security_settings(
        &self,
        organization: &str,
    ) -> Result<vigil_domain::user::SecuritySettings> {
        self.read(|conn| {
            let required: Option<bool> = conn.query_row(
                "SELECT require_two_factor FROM organizations WHERE id = ?1",
                params![organization],
                |r| r.get(0),
            )?;
            Ok(vigil_domain::user::SecuritySettings {
                require_two_factor: required.unwrap_or(false),
            })
        })
    }

    fn users(&self, organization: &str, page: &PageRequest) -> Result<Page<User>> {
        self.read(|conn| users::users(conn, organization, page))
    }

    fn user_session_by_hash(&self, token_hash: &str) -> Result<Option<(UserSession, User)>> {
        self.read(|conn| users::session_by_hash(conn, token_hash))
    }

    fn user_audit_entry(&self, organization: &str, id: &str) -> Result<Option<AuditEntry>> {
        self.read(|conn| users::audit_entry(conn, organization, id))
    }

    fn user_audit_entries(
        &self,
        organization: &str,
        user_id: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<AuditEntry>> {
        self.read(|conn| users::audit_entries(conn, organization, user_id, page))
    }

    fn account(&self, env: &str, id: &str) -> Result<Option<Arc<Account>>> {
        let Some(cache) = self.account_cache() else {
            return Ok(self.read(|conn| account(conn, env, id))?.map(Arc::new));
        };
        if let Some(hit) = cache.get(env, id) {
            return Ok(Some(hit));
        }
        let generation = cache.generation();
        let Some(found) = self.read(|conn| account(conn, env, id))? else {
            return Ok(None);
        };
        let found = Arc::new(found);
        cache.fill(generation, env, found.clone());
        Ok(Some(found))
    }

    fn accounts(
        &self,
        env: &str,
        filter: &AccountFilter,
        request: &PageRequest,
    ) -> Result<Page<Account>> {
        self.read(|conn| {
            let archived = filter.archived as i64;
            let mut sql_filter = String::from("environment_id = ? AND archived = ?");
            let mut params: Vec<&dyn ToParam> = vec![&env, &archived];
            if !filter.reference_ids.is_empty() {
                sql_filter.push_str(&format!(
                    " AND reference_id IN ({})",
                    placeholders(filter.reference_ids.len())
                ));
                params.extend(filter.reference_ids.iter().map(|r| r as &dyn ToParam));
            }
            if let Some(account_type_id) = &filter.account_type_id {
                sql_filter.push_str(" AND account_type_id = ?");
                params.push(account_type_id);
            }
            page(
                conn,
                "SELECT seq, body FROM accounts",
                &sql_filter,
                &params,
                |id| {
                    conn.query_row(
                        "SELECT seq FROM accounts WHERE id = ?1 AND environment_id = ?2",
                        params![id, env],
                        |r| r.get(0),
                    )
                },
                request,
                |row| decode::<Account>(&row.get::<String>(1)?),
            )
        })
    }

    fn walk_accounts(
        &self,
        env: &str,
        plan: Option<&vigil_domain::search::IndexPlan>,
        from: Option<&str>,
        newest_first: bool,
        visit: &mut dyn FnMut(Account) -> bool,
    ) -> Result<()> {
        self.read(|conn| {
            let from = match from {
                Some(id) => Some(
                    conn.query_row("SELECT seq FROM accounts WHERE id = ?1 AND environment_id = ?2", params![id, env], |r| r.get::<i64>(0))?
                    .ok_or_else(|| StoreError::UnknownCursor(id.to_string()))?,
                ),
                None => None,
            };
            let Some(plan) = plan else {
                // Every live account, from the cursor on, through `accounts_by_environment`.
                let sql = if newest_first {
                    "SELECT body FROM accounts WHERE environment_id = ?1 AND archived = 0 \
                     AND seq < ?2 ORDER BY seq DESC"
                } else {
                    "SELECT body FROM accounts WHERE environment_id = ?1 AND archived = 0 \
                     AND seq > ?2 ORDER BY seq ASC"
                };
                let bound = from.unwrap_or(if newest_first { i64::MAX } else { i64::MIN });
                conn.each(sql, params![env, bound], |row| {
                    if !visit(decode::<Account>(&row.get::<String>(0)?)?) {
                        return Ok(false);
                    }
                    Ok(true)
})?;
                return Ok(());
            };
            // Terms are not per environment: another environment's accounts are left out.
            walk_terms(
                &Terms::ACCOUNTS.on(conn),
                plan,
                from,
                newest_first,
                &mut |seqs| {
                    bodies_of(
                        conn,
                        "SELECT seq, body FROM accounts WHERE environment_id = ? AND archived = 0 AND seq IN",
                        &[&env],
                        seqs,
                    )
                },
                &mut |body| Ok(visit(decode::<Account>(&body)?)),
            )
        })
    }

    fn scan_accounts(
        &self,
        env: &str,
        archived: bool,
        visit: &mut dyn FnMut(Account) -> bool,
    ) -> Result<()> {
        self.read(|conn| {
            conn.each("SELECT body FROM accounts WHERE environment_id = ?1 AND archived = ?2 ORDER BY seq DESC", params![env, archived as i64], |row| {
                if !visit(decode::<Account>(&row.get::<String>(0)?)?) {
                    return Ok(false);
                }
                Ok(true)
})?;
            Ok(())
        })
    }

    fn account_type(&self, env: &str, id: &str) -> Result<Option<AccountType>> {
        self.read(|conn| account_type(conn, env, "id", id))
    }

    fn account_types(&self, env: &str) -> Result<Vec<AccountType>> {
        self.read(|conn| {
            let ids: Vec<String> = conn.query_map(
                "SELECT id FROM account_types WHERE environment_id = ?1 ORDER BY created_at, name",
                params![env],
                |r| r.get(0),
            )?;
            let mut types = Vec::with_capacity(ids.len());
            for id in ids {
                types.extend(account_type(conn, env, "id", &id)?);
            }
            Ok(types)
        })
    }

    fn file(&self, env: &str, id: &str) -> Result<Option<StoredFile>> {
        self.read(|conn| {
            conn
                .query_row("SELECT id, object_id, field, filename, content_type, bytes, created_at FROM files WHERE environment_id = ?1 AND id = ?2", params![env, id], |r| {
                    Ok(StoredFile {
                        id: r.get(0)?,
                        object_id: r.get(1)?,
                        field: r.get(2)?,
                        filename: r.get(3)?,
                        content_type: r.get(4)?,
                        bytes: r.get(5)?,
                        created_at: r.get(6)?,
                    })
                })
        })
    }

    fn account_actions(&self, env: &str) -> Result<Vec<AccountAction>> {
        self.read(|conn| {
            conn
                .query_map("SELECT id, environment_id, name, kind, created_at FROM account_actions WHERE environment_id = ?1 ORDER BY seq", params![env], account_action_row)
        })
    }

    fn relations(
        &self,
        env: &str,
        account_id: &str,
        filter: &RelationFilter,
        request: &PageRequest,
    ) -> Result<Page<Relation>> {
        self.read(|conn| {
            let start = filter.created_at_start.unwrap_or(i64::MIN);
            let end = filter.created_at_end.unwrap_or(i64::MAX);
            let params: Vec<&dyn ToParam> = vec![&env, &account_id, &filter.key, &start, &end];
            page(
                conn,
                "SELECT seq, account_id, relation_key, target_id, created_at FROM account_relations",
                "environment_id = ? AND account_id = ? AND relation_key = ? AND created_at >= ? AND created_at <= ?",
                &params,
                |id| {
                    conn
                        .query_row("SELECT seq FROM account_relations WHERE account_id = ?1 AND relation_key = ?2 AND target_id = ?3", params![account_id, filter.key, id], |r| r.get(0))
                },
                request,
                |row| Ok(Relation { account_id: row.get(1)?, key: row.get(2)?, target_id: row.get(3)?, created_at: row.get(4)? }),
            )
        })
    }

    fn relation_keys(&self, env: &str, account_id: &str) -> Result<Vec<(String, u64)>> {
        self.read(|conn| {
            conn.query_map(
                "SELECT relation_key, count(*) FROM account_relations \
                     WHERE account_id = ?1 AND environment_id = ?2 \
                     GROUP BY relation_key ORDER BY relation_key",
                params![account_id, env],
                |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)? as u64)),
            )
        })
    }

    fn event(&self, env: &str, id: &str) -> Result<Option<Event>> {
        self.read(|conn| {
            conn.query_row(
                &format!("{EVENT_SELECT} WHERE id = ?1 AND environment_id = ?2"),
                params![id, env],
                event_row,
            )
        })
    }

    fn events(
        &self,
        env: &str,
        filter: &EventFilter,
        request: &PageRequest,
    ) -> Result<Page<Event>> {
        self.read(|conn| {
            let mut sql_filter = String::from("environment_id = ?");
            let mut params: Vec<&dyn ToParam> = vec![&env];
            for (column, values) in [
                ("name", &filter.names),
                ("object_id", &filter.object_ids),
                ("id", &filter.ids),
                ("actor_id", &filter.actor_ids),
            ] {
                if !values.is_empty() {
                    sql_filter.push_str(&format!(
                        " AND {column} IN ({})",
                        placeholders(values.len())
                    ));
                    params.extend(values.iter().map(|v| v as &dyn ToParam));
                }
            }
            if let Some(from) = &filter.created_from {
                sql_filter.push_str(" AND created_at >= ?");
                params.push(from);
            }
            if let Some(to) = &filter.created_to {
                sql_filter.push_str(" AND created_at <= ?");
                params.push(to);
            }
            let select = events_select(filter);
            page(
                conn,
                &select,
                &sql_filter,
                &params,
                |id| {
                    conn.query_row(
                        "SELECT seq FROM events WHERE id = ?1 AND environment_id = ?2",
                        params![id, env],
                        |r| r.get(0),
                    )
                },
                request,
                event_row,
            )
        })
    }

    fn stored_response(&self, env: &str, key: &str) -> Result<Option<StoredResponse>> {
        self.read(|conn| stored_response(conn, env, key))
    }

    fn list(&self, env: &str, id: &str) -> Result<Option<List>> {
        self.read(|conn| list(conn, env, id))
    }

    fn lists(
        &self,
        env: &str,
        archived: Option<bool>,
        request: &PageRequest,
    ) -> Result<Page<List>> {
        self.read(|conn| {
            let archived = archived.map(i64::from);
            let (filter, params): (&str, &[&dyn ToParam]) = match &archived {
                Some(archived) => ("environment_id = ? AND archived = ?", &[&env, archived]),
                None => ("environment_id = ?", &[&env]),
            };
            page(
                conn,
                "SELECT seq, body FROM lists",
                filter,
                params,
                |id| {
                    conn.query_row(
                        "SELECT seq FROM lists WHERE id = ?1 AND environment_id = ?2",
                        params![id, env],
                        |r| r.get(0),
                    )
                },
                request,
                |r| decode(&r.get::<String>(1)?),
            )
        })
    }

    fn list_item(&self, env: &str, id: &str) -> Result<Option<ListItem>> {
        self.read(|conn| list_item(conn, env, id))
    }

    fn list_items(
        &self,
        env: &str,
        list_id: &str,
        active_only: bool,
        request: &PageRequest,
    ) -> Result<Page<ListItem>> {
        self.read(|conn| {
            let active_only = i64::from(active_only);
            page(
                conn,
                "SELECT seq, body FROM list_items",
                "environment_id = ? AND list_id = ? AND (? = 0 OR active = 1)",
                &[&env, &list_id, &active_only],
                |id| {
                    conn.query_row(
                        "SELECT seq FROM list_items WHERE id = ?1 AND environment_id = ?2",
                        params![id, env],
                        |r| r.get(0),
                    )
                },
                request,
                |r| decode(&r.get::<String>(1)?),
            )
        })
    }

    fn scan_active_list_items(&self, env: &str, visit: &mut dyn FnMut(ListItem)) -> Result<()> {
        self.read(|conn| {
            conn.each(
                "SELECT i.body FROM list_items i JOIN lists l ON l.id = i.list_id \
                 WHERE i.environment_id = ?1 AND i.active = 1 AND l.archived = 0 ORDER BY i.seq",
                params![env],
                |row| {
                    visit(decode(&row.get::<String>(0)?)?);
                    Ok(true)
                },
            )?;
            Ok(())
        })
    }

    fn report(&self, env: &str, id: &str) -> Result<Option<Report>> {
        self.read(|conn| report(conn, env, id))
    }

    fn reports(
        &self,
        env: &str,
        filter: &ReportFilter,
        request: &PageRequest,
    ) -> Result<Page<Report>> {
        self.read(|conn| {
            let (clause, params) = reports_clause(&env, filter);
            page(
                conn,
                "SELECT seq, body FROM reports",
                &clause,
                &params,
                |id| {
                    conn.query_row(
                        "SELECT seq FROM reports WHERE id = ?1 AND environment_id = ?2",
                        params![id, env],
                        |r| r.get(0),
                    )
                },
                request,
                |r| decode(&r.get::<String>(1)?),
            )
        })
    }

    fn scan_reports(&self, env: &str, visit: &mut dyn FnMut(Report)) -> Result<()> {
        self.read(|conn| {
            conn.each(
                "SELECT body FROM reports WHERE environment_id = ?1 ORDER BY seq",
                params![env],
                |row| {
                    visit(decode(&row.get::<String>(0)?)?);
                    Ok(true)
                },
            )?;
            Ok(())
        })
    }

    fn report_history(
        &self,
        env: &str,
        report_id: &str,
        request: &PageRequest,
    ) -> Result<Page<HistoryEntry>> {
        self.read(|conn| {
            page(
                conn,
                "SELECT seq, body FROM report_history",
                "environment_id = ? AND report_id = ?",
                &[&env, &report_id],
                |id| {
                    conn.query_row(
                        "SELECT seq FROM report_history WHERE id = ?1 AND report_id = ?2",
                        params![id, report_id],
                        |r| r.get(0),
                    )
                },
                request,
                |r| decode(&r.get::<String>(1)?),
            )
        })
    }

    fn sources(&self) -> Result<Vec<Source>> {
        self.read(|conn| {
            conn.query_map(
                "SELECT body, generation FROM sources ORDER BY id",
                params![],
                |r| {
                    let mut source: Source = decode(&r.get::<String>(0)?)?;
                    source.generation = r.get(1)?;
                    Ok(source)
                },
            )
        })
    }

    fn scan_source_parties(&self, source_id: &str, visit: &mut dyn FnMut(Party)) -> Result<()> {
        self.read(|conn| {
            conn.each(
                "SELECT body FROM source_parties WHERE source_id = ?1 ORDER BY seq",
                params![source_id],
                |row| {
                    visit(decode(&row.get::<String>(0)?)?);
                    Ok(true)
                },
            )?;
            Ok(())
        })
    }

    fn events_after(&self, seq: i64, limit: usize) -> Result<Vec<LoggedEvent>> {
        self.read(|conn| {
            conn.query_map("SELECT seq, id, name, object_id, object_type, snapshot, context, created_at, actor, environment_id \
                 FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2", params![seq, limit as i64], |r| {
                Ok(LoggedEvent {
                    seq: r.get(0)?,
                    environment_id: r.get(9)?,
                    event: event_row(r)?,
                })
            })
        })
    }

    fn last_event_seq(&self) -> Result<i64> {
        self.read(|conn| {
            conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM events", params![], |r| {
                r.get(0)
            })
            .and_then(crate::sql::one)
        })
    }

    fn screening_cursor(&self) -> Result<i64> {
        self.read(|conn| {
            conn.query_row(
                "SELECT event_seq FROM screening_cursor WHERE id = 1",
                params![],
                |r| r.get(0),
            )
            .and_then(crate::sql::one)
        })
    }

    fn importer(&self, env: &str, id: &str) -> Result<Option<Importer>> {
        self.read(|conn| importer(conn, env, id))
    }

    fn importers(&self, env: &str, request: &PageRequest) -> Result<Page<Importer>> {
        self.read(|conn| {
            page(
                conn,
                "SELECT seq, body FROM importers",
                "environment_id = ?",
                &[&env],
                |id| {
                    conn.query_row(
                        "SELECT seq FROM importers WHERE id = ?1 AND environment_id = ?2",
                        params![id, env],
                        |r| r.get(0),
                    )
                },
                request,
                |r| decode(&r.get::<String>(1)?),
            )
        })
    }

    fn importer_errors(
        &self,
        importer_id: &str,
        after_line: u64,
        limit: usize,
    ) -> Result<Vec<RowError>> {
        self.read(|conn| {
            conn.query_map("SELECT body FROM importer_errors WHERE importer_id = ?1 AND line > ?2 ORDER BY line LIMIT ?3", params![importer_id, after_line as i64, limit as i64],
                |r| decode(&r.get::<String>(0)?))
        })
    }

    fn pending_importers(&self) -> Result<Vec<(String, Importer)>> {
        self.read(|conn| {
            conn.query_map(
                "SELECT environment_id, body FROM importers WHERE status = 'pending' ORDER BY seq",
                params![],
                |r| Ok((r.get::<String>(0)?, decode(&r.get::<String>(1)?)?)),
            )
        })
    }

    fn importer_file(&self, env: &str, id: &str) -> Result<Option<Vec<u8>>> {
        self.read(|conn| {
            Ok(conn
                .query_row(
                    "SELECT file FROM importers WHERE id = ?1 AND environment_id = ?2",
                    params![id, env],
                    |r| r.get::<Option<Vec<u8>>>(0),
                )?
                .flatten())
        })
    }

    fn record(&self, env: &str, kind: &str, id: &str) -> Result<Option<String>> {
        self.read(|conn| super::records::record(conn, env, kind, id))
    }

    fn records(
        &self,
        env: &str,
        kind: &str,
        filter: &RecordFilter,
        request: &PageRequest,
    ) -> Result<Page<String>> {
        self.read(|conn| super::records::records(conn, env, kind, filter, request))
    }

    fn count_records(
        &self,
        env: &str,
        kind: &str,
        filter: &RecordFilter,
        limit: Option<u64>,
    ) -> Result<u64> {
        self.read(|conn| super::records::count(conn, env, kind, filter, limit))
    }

    fn walk_records(
        &self,
        env: &str,
        kind: &str,
        plan: Option<&vigil_domain::search::IndexPlan>,
        from: Option<&str>,
        newest_first: bool,
        visit: &mut dyn FnMut(String) -> bool,
    ) -> Result<()> {
        self.read(|conn| {
            let from = match from {
                Some(id) => Some(
                    conn.query_row("SELECT seq FROM records WHERE id = ?1 AND environment_id = ?2 AND kind = ?3", params![id, env, kind], |r| r.get::<i64>(0))?
                    .ok_or_else(|| StoreError::UnknownCursor(id.to_string()))?,
                ),
                None => None,
            };
            let Some(plan) = plan else {
                // Every record of the kind, from the cursor on, through `records_by_kind`.
                let sql = if newest_first {
                    "SELECT body FROM records WHERE environment_id = ?1 AND kind = ?2 \
                     AND seq < ?3 ORDER BY seq DESC"
                } else {
                    "SELECT body FROM records WHERE environment_id = ?1 AND kind = ?2 \
                     AND seq > ?3 ORDER BY seq ASC"
                };
                let bound = from.unwrap_or(if newest_first { i64::MAX } else { i64::MIN });
                conn.each(sql, params![env, kind, bound], |row| {
                    if !visit(row.get(0)?) {
                        return Ok(false);
                    }
                    Ok(true)
})?;
                return Ok(());
            };
            // Terms are shared by every kind and environment: others are left out.
            walk_terms(
                &Terms::RECORDS.on(conn),
                plan,
                from,
                newest_first,
                &mut |seqs| {
                    bodies_of(
                        conn,
                        "SELECT seq, body FROM records WHERE environment_id = ? AND kind = ? AND seq IN",
                        &[&env, &kind],
                        seqs,
                    )
                },
                &mut |body| Ok(visit(body)),
            )
        })
    }

    fn due_records(&self, kinds: &[&str], now: i64, limit: usize) -> Result<Vec<DueRecord>> {
        self.read(|conn| super::records::due(conn, kinds, now, limit))
    }

    fn next_due(&self, kinds: &[&str]) -> Result<Option<i64>> {
        self.read(|conn| super::records::next_due(conn, kinds))
    }

    fn cursor(&self, name: &str) -> Result<i64> {
        self.read(|conn| cursor(conn, name))
    }

    fn lease(&self, name: &str) -> Result<Option<crate::Lease>> {
        self.read(|conn| {
            conn.query_row(
                "SELECT holder, expires_at, acquired_at FROM leases WHERE name = ?1",
                params![name],
                |r| {
                    Ok(crate::Lease {
                        holder: r.get(0)?,
                        expires_at: r.get(1)?,
                        acquired_at: r.get(2)?,
                    })
                },
            )
        })
    }

    fn blob(&self, name: &str) -> Result<Option<Vec<u8>>> {
        self.read(|conn| super::blob(conn, name))
    }

    fn blob_names(&self, created_before: i64) -> Result<Vec<String>> {
        self.read(|conn| {
            conn.query_map(
                "SELECT name FROM blobs WHERE part = 0 AND created_at < ?1",
                params![created_before],
                |r| r.get(0),
            )
        })
    }

    fn is_shared(&self) -> bool {
        SqlBackend::is_shared(self)
    }

    fn scrub_pending(&self) -> Result<bool> {
        SqlBackend::scrub_pending(self)
    }

    fn scrub(&self, force: bool) -> Result<crate::Scrub> {
        SqlBackend::scrub(self, force)
    }

    fn readers_position(&self, names: &[&str]) -> Result<i64> {
        let mut lowest = self.screening_cursor()?;
        for name in names {
            lowest = lowest.min(self.cursor(name)?);
        }
        Ok(lowest)
    }

    fn submit(&self, job: WriteJob) {
        self.submit_job(job);
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(error: serde_json::Error) -> Self {
        StoreError::Corrupt(error.to_string())
    }
}

/// A terms table: the objects of a table filed under `name:value` terms (account search,
/// workflow records), walked by [`TermWalk`].
#[derive(Clone, Copy)]
pub(crate) struct Terms {
    table: &'static str,
    seq: &'static str,
}

impl Terms {
    pub(crate) const ACCOUNTS: Terms = Terms {
        table: "account_terms",
        seq: "account_seq",
    };
    pub(crate) const RECORDS: Terms = Terms {
        table: "record_terms",
        seq: "record_seq",
    };

    /// A batch of one term's objects, read in `seq` order straight off the primary key.
    pub(crate) fn batch_sql(self, newest_first: bool) -> String {
        let Terms { table, seq } = self;
        if newest_first {
            format!("SELECT {seq} FROM {table} WHERE term = ?1 AND {seq} < ?2 ORDER BY {seq} DESC LIMIT ?3")
        } else {
            format!("SELECT {seq} FROM {table} WHERE term = ?1 AND {seq} > ?2 ORDER BY {seq} ASC LIMIT ?3")
        }
    }

    /// Which of `seqs` seqs are filed under any of `terms` terms.
    pub(crate) fn probe_sql(self, terms: usize, seqs: usize) -> String {
        let Terms { table, seq } = self;
        // Planned for its values: PostgreSQL's one plan for all values reads every seq
        // of the term and filters (seconds for a name 83,000 accounts share).
        format!(
            "SELECT {seq} FROM {table} WHERE term IN ({}) AND{}{seq} IN ({})",
            vec!["?"; terms].join(", "),
            super::PLANNED_EACH_TIME,
            vec!["?"; seqs].join(", ")
        )
    }

    fn on(self, conn: &dyn Db) -> TermsOn<'_> {
        TermsOn { terms: self, conn }
    }
}

struct TermsOn<'c> {
    terms: Terms,
    conn: &'c dyn Db,
}

/// Walk what `plan` finds, reading the bodies of what it finds a chunk at a time (one
/// round trip for many, where one each was most of a search's time on a database across a
/// network; `bodies` leaves out what the walk does not list), handing each to `visit`,
/// which answers whether the walk goes on.
fn walk_terms(
    index: &TermsOn<'_>,
    plan: &vigil_domain::search::IndexPlan,
    from: Option<i64>,
    newest_first: bool,
    bodies: &mut dyn FnMut(&[i64]) -> Result<Bodies>,
    visit: &mut dyn FnMut(String) -> Result<bool>,
) -> Result<()> {
    let mut walk = TermWalk::new(index, plan, from, newest_first)?;
    // A page is 10 to 100 objects: the first chunks cover it, later ones grow.
    let mut chunk = 16;
    loop {
        let mut seqs = Vec::with_capacity(chunk);
        while seqs.len() < chunk {
            match walk.next_seq(index)? {
                Some(seq) => seqs.push(seq),
                None => break,
            }
        }
        let mut found = bodies(&seqs)?;
        for seq in &seqs {
            if let Some(body) = found.remove(seq) {
                if !visit(body)? {
                    return Ok(());
                }
            }
        }
        if seqs.len() < chunk {
            return Ok(());
        }
        chunk = (chunk * 4).min(256);
    }
}

/// Objects' bodies by seq.
type Bodies = HashMap<i64, String>;

/// `seqs` as parameters, padded (repeating the last) to 16, 64, 256... of them, so a
/// backend that prepares each statement once keeps a handful, not one per length.
fn padded(seqs: &[i64]) -> Vec<&dyn ToParam> {
    let mut size = 16;
    while size < seqs.len() {
        size *= 4;
    }
    let mut bound: Vec<&dyn ToParam> = seqs.iter().map(|s| s as &dyn ToParam).collect();
    if let Some(last) = seqs.last() {
        bound.extend(std::iter::repeat_n(last as &dyn ToParam, size - seqs.len()));
    }
    bound
}

/// The bodies of `seqs` that `select` (ending in `seq IN`, after its `leading` parameters)
/// finds, by seq.
fn bodies_of(
    conn: &dyn Db,
    select: &str,
    leading: &[&dyn ToParam],
    seqs: &[i64],
) -> Result<Bodies> {
    let mut found = HashMap::with_capacity(seqs.len());
    if seqs.is_empty() {
        return Ok(found);
    }
    let listed = padded(seqs);
    let sql = format!("{select} ({})", vec!["?"; listed.len()].join(", "));
    let mut bound: Vec<&dyn ToParam> = leading.to_vec();
    bound.extend(listed);
    conn.run(&sql, &bound, &mut |r| {
        found.insert(r.get::<i64>(0)?, r.get::<String>(1)?);
        Ok(true)
    })?;
    Ok(found)
}

impl TermIndex for TermsOn<'_> {
    fn seqs(
        &self,
        term: &str,
        bound: Option<i64>,
        newest_first: bool,
        limit: usize,
    ) -> Result<Vec<i64>> {
        let bound = bound.unwrap_or(if newest_first { i64::MAX } else { i64::MIN });
        self.conn.query_map(
            &self.terms.batch_sql(newest_first),
            params![term, bound, limit as i64],
            |r| r.get(0),
        )
    }

    fn holding(&self, terms: &[String], seqs: &[i64]) -> Result<HashSet<i64>> {
        let mut found = HashSet::new();
        if seqs.is_empty() {
            return Ok(found);
        }
        let listed = padded(seqs);
        let sql = self.terms.probe_sql(terms.len(), listed.len());
        let mut bound: Vec<&dyn ToParam> = terms.iter().map(|t| t as &dyn ToParam).collect();
        bound.extend(listed);
        self.conn.run(&sql, &bound, &mut |r| {
            found.insert(r.get::<i64>(0)?);
            Ok(true)
        })?;
        Ok(found)
    }

    fn count_up_to(&self, term: &str, cap: usize) -> Result<usize> {
        let table = self.terms.table;
        Ok(self
            .conn
            .query_row(
                &format!("SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE term = ?1 LIMIT ?2) AS found"),
                params![term, cap as i64],
                |r| r.get::<i64>(0),
            )
            .and_then(crate::sql::one)? as usize)
    }
}
