//! The inside of a write transaction ([`WriteTx`]) in SQL, for every backend: its writer
//! opens the transaction (and a savepoint per job) and hands each job a [`SqlTx`].

use std::collections::HashMap;

use serde_json::Value;
use vigil_domain::account::Account;
use vigil_domain::importer::{Importer, RowError};
use vigil_domain::list::{List, ListItem};
use vigil_domain::report::{HistoryEntry, Report};
use vigil_domain::user::{AuditEntry, User, UserSession};
use vigil_screening::sources::Party;

use super::{reads, users, Db, Dialect};
use crate::params;
use crate::{
    AccountAction, AccountType, ApiKey, Environment, Event, RecordFilter, RecordRow, Relation,
    Result, Source, StoreError, StoredFile, StoredResponse, WriteTx,
};

/// An account by its reference id, newest first (upserts, imports' duplicate check).
pub(crate) const ACCOUNT_BY_REFERENCE: &str = "SELECT body FROM accounts WHERE environment_id = ?1 AND account_type_id = ?2 AND reference_id = ?3 AND archived = 0 ORDER BY seq DESC LIMIT 1";

/// One job's view of the batch's transaction.
pub(crate) struct SqlTx<'c> {
    pub conn: &'c dyn Db,
    /// The job asked for the log of old pages to be emptied after the commit (redaction).
    pub checkpoint: bool,
    /// Accounts written in this batch, for cache invalidation after the commit.
    pub touched: &'c mut Vec<String>,
    /// Account types the writer keeps between jobs (cleared whenever a type changes).
    pub types: &'c mut HashMap<(String, String), AccountType>,
}

impl SqlTx<'_> {
    fn cached_type(
        &mut self,
        env: &str,
        id: &str,
        load: impl FnOnce(&dyn Db) -> Result<Option<AccountType>>,
    ) -> Result<Option<AccountType>> {
        let key = (env.to_string(), id.to_string());
        if let Some(found) = self.types.get(&key) {
            return Ok(Some(found.clone()));
        }
        let found = load(self.conn)?;
        if let Some(found) = &found {
            self.types.insert(key, found.clone());
        }
        Ok(found)
    }
}

fn account_body(account: &Account) -> Result<String> {
    Ok(serde_json::to_string(account)?)
}

/// File an account under its search terms; `replace` what it was filed under (an update:
/// a redaction empties them).
fn file_account_terms(conn: &dyn Db, account: &Account, replace: bool) -> Result<()> {
    let terms = vigil_domain::search::account_terms(account);
    super::file_terms(
        conn,
        ("account_terms", "account_seq"),
        ("accounts", &account.id),
        &terms,
        replace,
    )
}

impl WriteTx for SqlTx<'_> {
    fn environment_count(&mut self) -> Result<i64> {
        self.conn
            .query_row("SELECT COUNT(*) FROM environments", params![], |r| r.get(0))
            .and_then(crate::sql::one)
    }

    fn environments(&mut self) -> Result<Vec<Environment>> {
        self
            .conn
            .query_map("SELECT id, organization_id, name, created_at FROM environments ORDER BY created_at, name", params![], |r| {
                Ok(Environment {
                    id: r.get(0)?,
                    organization_id: r.get(1)?,
                    name: r.get(2)?,
                    created_at: r.get(3)?,
                })
            })
    }

    fn environment_by_name(&mut self, name: &str) -> Result<Option<Environment>> {
        self.conn.query_row(
            "SELECT id, organization_id, name, created_at FROM environments WHERE name = ?1",
            params![name],
            |r| {
                Ok(Environment {
                    id: r.get(0)?,
                    organization_id: r.get(1)?,
                    name: r.get(2)?,
                    created_at: r.get(3)?,
                })
            },
        )
    }

    fn insert_organization(&mut self, id: &str, now: i64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO organizations (id, created_at) VALUES (?1, ?2)",
            params![id, now],
        )?;
        Ok(())
    }

    fn security_settings(
        &mut self,
        organization: &str,
    ) -> Result<vigil_domain::user::SecuritySettings> {
        let required: Option<bool> = self.conn.query_row(
            "SELECT require_two_factor FROM organizations WHERE id = ?1",
            params![organization],
            |r| r.get(0),
        )?;
        Ok(vigil_domain::user::SecuritySettings {
            require_two_factor: required.unwrap_or(false),
        })
    }

    fn put_security_settings(
        &mut self,
        organization: &str,
        settings: &vigil_domain::user::SecuritySettings,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE organizations SET require_two_factor = ?2 WHERE id = ?1",
            params![organization, settings.require_two_factor],
        )?;
        Ok(())
    }

    fn insert_environment(&mut self, env: &Environment) -> Result<()> {
        self.conn.execute(
            "INSERT INTO environments (id, organization_id, name, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![env.id, env.organization_id, env.name, env.created_at],
        )?;
        Ok(())
    }

    fn insert_api_key(&mut self, key: &ApiKey) -> Result<()> {
        self.conn.execute(
            "INSERT INTO api_keys (id, environment_id, name, secret_hash, permissions, api_version, key_inflection, created_at, expires_at, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                key.id,
                key.environment_id,
                key.name,
                key.secret_hash,
                key.permissions.join(","),
                key.api_version,
                key.key_inflection,
                key.created_at,
                key.expires_at,
                key.note
            ],
        )?;
        Ok(())
    }

    fn api_key(&mut self, env: &str, id: &str) -> Result<Option<ApiKey>> {
        super::keys::key(self.conn, env, id)
    }

    fn update_api_key(&mut self, key: &ApiKey) -> Result<()> {
        self.conn.execute(
            "UPDATE api_keys SET name = ?2, permissions = ?3, api_version = ?4, key_inflection = ?5, expires_at = ?6, note = ?7 WHERE id = ?1",
            params![
                key.id,
                key.name,
                key.permissions.join(","),
                key.api_version,
                key.key_inflection,
                key.expires_at,
                key.note
            ],
        )?;
        Ok(())
    }

    fn user(&mut self, id: &str) -> Result<Option<User>> {
        users::user(self.conn, id)
    }

    fn user_by_email(&mut self, email: &str) -> Result<Option<User>> {
        users::user_by_email(self.conn, email)
    }

    fn user_by_invitation(&mut self, token_hash: &str) -> Result<Option<User>> {
        users::user_by_invitation(self.conn, token_hash)
    }

    fn insert_user(&mut self, user: &User) -> Result<()> {
        users::insert_user(self.conn, user)
    }

    fn update_user(&mut self, user: &User) -> Result<()> {
        users::update_user(self.conn, user)
    }

    fn put_user_session(&mut self, session: &UserSession) -> Result<()> {
        users::put_session(self.conn, session)
    }

    fn end_user_sessions(&mut self, user_id: &str, now: i64) -> Result<usize> {
        users::end_sessions(self.conn, user_id, now)
    }

    fn insert_user_audit_entry(&mut self, entry: &AuditEntry) -> Result<()> {
        users::insert_audit_entry(self.conn, entry)
    }

    fn insert_account_type(&mut self, account_type: &AccountType) -> Result<()> {
        self.types.clear();
        self.conn.execute(
            "INSERT INTO account_types (id, environment_id, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![account_type.id, account_type.environment_id, account_type.name, account_type.created_at, account_type.updated_at],
        )?;
        for status in &account_type.statuses {
            self.conn.execute(
                "INSERT INTO account_statuses (id, account_type_id, name, is_default, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![status.id, account_type.id, status.name, status.is_default, account_type.created_at],
            )?;
        }
        Ok(())
    }

    fn update_account_type(&mut self, account_type: &AccountType) -> Result<()> {
        self.types.clear();
        self.conn.execute(
            "UPDATE account_types SET name = ?3, updated_at = ?4 WHERE id = ?1 AND environment_id = ?2",
            params![account_type.id, account_type.environment_id, account_type.name, account_type.updated_at],
        )?;
        for status in &account_type.statuses {
            self.conn.execute(
                "INSERT INTO account_statuses (id, account_type_id, name, is_default, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (account_type_id, name) DO UPDATE SET is_default = excluded.is_default",
                params![status.id, account_type.id, status.name, status.is_default, account_type.updated_at],
            )?;
        }
        Ok(())
    }

    fn account_type_by_name(&mut self, env: &str, name: &str) -> Result<Option<AccountType>> {
        reads::account_type(self.conn, env, "name", name)
    }

    fn insert_account_action(&mut self, action: &AccountAction) -> Result<()> {
        self.conn.execute(
            "INSERT INTO account_actions (id, environment_id, name, kind, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![action.id, action.environment_id, action.name, action.kind, action.created_at],
        )?;
        Ok(())
    }

    fn insert_file(&mut self, env: &str, file: &StoredFile) -> Result<()> {
        self.conn
            .execute("INSERT INTO files (id, environment_id, object_id, field, filename, content_type, bytes, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", params![file.id, env, file.object_id, file.field, file.filename, file.content_type, file.bytes, file.created_at])?;
        Ok(())
    }

    fn delete_files(&mut self, env: &str, object_id: &str, field: Option<&str>) -> Result<usize> {
        self.conn.execute(
            match field {
                Some(_) => {
                    "DELETE FROM files WHERE environment_id = ?1 AND object_id = ?2 AND field = ?3"
                }
                None => "DELETE FROM files WHERE environment_id = ?1 AND object_id = ?2",
            },
            &crate::params![env, object_id, field][..if field.is_some() { 3 } else { 2 }],
        )
    }

    fn insert_list(&mut self, env: &str, list: &List) -> Result<()> {
        self.conn.execute(
            "INSERT INTO lists (id, environment_id, archived, body) VALUES (?1, ?2, ?3, ?4)",
            params![
                list.id,
                env,
                list.archived_at.is_some(),
                serde_json::to_string(list)?
            ],
        )?;
        Ok(())
    }

    fn update_list(&mut self, env: &str, list: &List) -> Result<()> {
        self.conn.execute(
            "UPDATE lists SET archived = ?3, body = ?4 WHERE id = ?1 AND environment_id = ?2",
            params![
                list.id,
                env,
                list.archived_at.is_some(),
                serde_json::to_string(list)?
            ],
        )?;
        Ok(())
    }

    fn list(&mut self, env: &str, id: &str) -> Result<Option<List>> {
        reads::list(self.conn, env, id)
    }

    fn insert_list_item(&mut self, env: &str, item: &ListItem) -> Result<()> {
        self.conn
            .execute("INSERT INTO list_items (id, environment_id, list_id, match_key, active, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", params![item.id, env, item.list_id, item.match_key, item.archived_at.is_none(), serde_json::to_string(item)?])?;
        Ok(())
    }

    fn update_list_item(&mut self, env: &str, item: &ListItem) -> Result<()> {
        self.conn
            .execute("UPDATE list_items SET match_key = ?3, active = ?4, body = ?5 WHERE id = ?1 AND environment_id = ?2", params![item.id, env, item.match_key, item.archived_at.is_none(), serde_json::to_string(item)?])?;
        Ok(())
    }

    fn list_item(&mut self, env: &str, id: &str) -> Result<Option<ListItem>> {
        reads::list_item(self.conn, env, id)
    }

    fn active_list_item_by_key(
        &mut self,
        env: &str,
        list_id: &str,
        match_key: &str,
    ) -> Result<Option<ListItem>> {
        self
            .conn
            .query_row("SELECT body FROM list_items WHERE environment_id = ?1 AND list_id = ?2 AND match_key = ?3 AND active = 1", params![env, list_id, match_key], |r| reads::decode(&r.get::<String>(0)?))
    }

    fn account_action(&mut self, env: &str, id: &str) -> Result<Option<AccountAction>> {
        self
            .conn
            .query_row("SELECT id, environment_id, name, kind, created_at FROM account_actions WHERE environment_id = ?1 AND id = ?2", params![env, id], reads::account_action_row)
    }

    fn default_account_type(&mut self, env: &str) -> Result<Option<AccountType>> {
        self.cached_type(env, "", |conn| {
            reads::account_type(
                conn,
                env,
                "name",
                vigil_domain::account::DEFAULT_ACCOUNT_TYPE_NAME,
            )
        })
    }

    fn account_type(&mut self, env: &str, id: &str) -> Result<Option<AccountType>> {
        self.cached_type(env, id, |conn| reads::account_type(conn, env, "id", id))
    }

    fn account(&mut self, env: &str, id: &str) -> Result<Option<Account>> {
        reads::account(self.conn, env, id)
    }

    fn account_by_unique(
        &mut self,
        env: &str,
        account_type_id: &str,
        field: &str,
        value: &Value,
    ) -> Result<Option<Account>> {
        if field == "reference_id" {
            let Some(reference_id) = value.as_str() else {
                return Ok(None);
            };
            return self.conn.query_row(
                ACCOUNT_BY_REFERENCE,
                params![env, account_type_id, reference_id],
                |r| reads::decode::<Account>(&r.get::<String>(0)?),
            );
        }
        // Typed fields live in the JSON body: `$.fields.name.value.first.value`.
        let text = serde_json::to_string(value)?;
        // The field's value inside the stored body: `fields.<part>.value...`.
        let parts = field.split('.').map(|part| part.replace('"', ""));
        let sql = match self.conn.dialect() {
            Dialect::Sqlite => {
                "SELECT body FROM accounts WHERE environment_id = ?1 AND account_type_id = ?2 AND archived = 0
                 AND json_extract(body, ?3) IS NOT NULL AND json_quote(json_extract(body, ?3)) = json(?4) ORDER BY seq DESC LIMIT 1"
            }
            Dialect::Postgres => {
                "SELECT body FROM accounts WHERE environment_id = ?1 AND account_type_id = ?2 AND archived = 0
                 AND (body::jsonb #> string_to_array(?3, ',')) = ?4::jsonb ORDER BY seq DESC LIMIT 1"
            }
        };
        let path: String = match self.conn.dialect() {
            Dialect::Sqlite => std::iter::once("$.fields".to_string())
                .chain(parts.map(|part| format!("\"{part}\".value")))
                .collect::<Vec<_>>()
                .join("."),
            Dialect::Postgres => std::iter::once("fields".to_string())
                .chain(parts.flat_map(|part| [part.replace(',', ""), "value".to_string()]))
                .collect::<Vec<_>>()
                .join(","),
        };
        self.conn
            .query_row(sql, params![env, account_type_id, path, text], |r| {
                reads::decode::<Account>(&r.get::<String>(0)?)
            })
    }

    fn insert_account(&mut self, env: &str, account: &Account) -> Result<()> {
        self.touched.push(account.id.clone());
        self.conn
            .write("INSERT INTO accounts (id, environment_id, account_type_id, reference_id, archived, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", params![account.id, env, account.account_type_id, account.reference_id, account.archived_at.is_some(), account_body(account)?])?;
        file_account_terms(self.conn, account, false)
    }

    fn update_account(&mut self, env: &str, account: &Account) -> Result<()> {
        self.touched.push(account.id.clone());
        let changed = self
            .conn
            .execute("UPDATE accounts SET reference_id = ?3, archived = ?4, body = ?5 WHERE id = ?1 AND environment_id = ?2", params![account.id, env, account.reference_id, account.archived_at.is_some(), account_body(account)?])?;
        if changed != 1 {
            return Err(StoreError::Corrupt(format!(
                "account {} vanished during an update",
                account.id
            )));
        }
        file_account_terms(self.conn, account, true)
    }

    fn add_relation(&mut self, env: &str, relation: &Relation) -> Result<bool> {
        let inserted = self.conn.execute(
            "INSERT INTO account_relations (environment_id, account_id, relation_key, target_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
            params![env, relation.account_id, relation.key, relation.target_id, relation.created_at],
        )?;
        Ok(inserted == 1)
    }

    fn remove_relation(
        &mut self,
        env: &str,
        account_id: &str,
        key: &str,
        target_id: &str,
    ) -> Result<bool> {
        let removed = self.conn.execute(
            "DELETE FROM account_relations WHERE environment_id = ?1 AND account_id = ?2 AND relation_key = ?3 AND target_id = ?4",
            params![env, account_id, key, target_id],
        )?;
        Ok(removed == 1)
    }

    fn move_relations(&mut self, env: &str, from: &str, to: &str) -> Result<usize> {
        // Relations the destination already has are dropped rather than duplicated, and a
        // relation pointing at the destination itself would be a self-loop.
        let moved = self.conn.execute(
            "UPDATE account_relations SET account_id = ?3 WHERE environment_id = ?1 AND account_id = ?2 AND target_id <> ?3 \
             AND NOT EXISTS (SELECT 1 FROM account_relations held WHERE held.account_id = ?3 \
             AND held.relation_key = account_relations.relation_key AND held.target_id = account_relations.target_id)",
            params![env, from, to],
        )?;
        self.conn.execute(
            "DELETE FROM account_relations WHERE environment_id = ?1 AND account_id = ?2",
            params![env, from],
        )?;
        // Relations other accounts hold to the source now point at the destination.
        self.conn.execute(
            "UPDATE account_relations SET target_id = ?3 WHERE environment_id = ?1 AND target_id = ?2 AND account_id <> ?3 \
             AND NOT EXISTS (SELECT 1 FROM account_relations held WHERE held.account_id = account_relations.account_id \
             AND held.relation_key = account_relations.relation_key AND held.target_id = ?3)",
            params![env, from, to],
        )?;
        self.conn.execute(
            "DELETE FROM account_relations WHERE environment_id = ?1 AND target_id = ?2",
            params![env, from],
        )?;
        Ok(moved)
    }

    fn insert_report(&mut self, env: &str, report: &Report) -> Result<()> {
        self.conn
            .execute("INSERT INTO reports (id, environment_id, account_id, reference_id, origin, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", params![report.id, env, report.account_id, report.reference_id, origin(report), serde_json::to_string(report)?])?;
        Ok(())
    }

    fn update_report(&mut self, env: &str, report: &Report) -> Result<()> {
        self.conn
            .execute("UPDATE reports SET account_id = ?3, reference_id = ?4, origin = ?5, body = ?6 WHERE id = ?1 AND environment_id = ?2", params![report.id, env, report.account_id, report.reference_id, origin(report), serde_json::to_string(report)?])?;
        Ok(())
    }

    fn report(&mut self, env: &str, id: &str) -> Result<Option<Report>> {
        reads::report(self.conn, env, id)
    }

    fn reports_of_account(&mut self, env: &str, account_id: &str) -> Result<Vec<Report>> {
        self.conn.query_map(
            "SELECT body FROM reports WHERE environment_id = ?1 AND account_id = ?2 ORDER BY seq",
            params![env, account_id],
            |r| reads::decode(&r.get::<String>(0)?),
        )
    }

    fn insert_report_history(&mut self, env: &str, entry: &HistoryEntry) -> Result<()> {
        self.conn
            .execute("INSERT INTO report_history (id, environment_id, report_id, body) VALUES (?1, ?2, ?3, ?4)", params![entry.id, env, entry.report_id, serde_json::to_string(entry)?])?;
        Ok(())
    }

    fn replace_source(&mut self, source: &Source, parties: &[Party]) -> Result<()> {
        let generation: i64 = self
            .conn
            .query_row(
                "SELECT COALESCE(MAX(generation), 0) + 1 FROM sources",
                params![],
                |r| r.get(0),
            )
            .and_then(crate::sql::one)?;
        self.conn.execute(
            "DELETE FROM source_parties WHERE source_id = ?1",
            params![&source.id],
        )?;
        self.conn
            .execute("INSERT INTO sources (id, generation, body) VALUES (?1, ?2, ?3) ON CONFLICT (id) DO UPDATE SET generation = excluded.generation, body = excluded.body", params![source.id, generation, serde_json::to_string(source)?])?;
        for party in parties {
            self.conn.execute(
                "INSERT INTO source_parties (source_id, body) VALUES (?1, ?2)",
                params![source.id, serde_json::to_string(party)?],
            )?;
        }
        Ok(())
    }

    fn set_screening_cursor(&mut self, seq: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE screening_cursor SET event_seq = CASE WHEN event_seq > ?1 THEN event_seq ELSE ?1 END WHERE id = 1",
            params![seq],
        )?;
        Ok(())
    }

    fn insert_importer(&mut self, env: &str, importer: &Importer, file: &[u8]) -> Result<()> {
        self.conn
            .execute("INSERT INTO importers (id, environment_id, status, body, file) VALUES (?1, ?2, ?3, ?4, ?5)", params![importer.id, env, importer.status.as_str(), serde_json::to_string(importer)?, file])?;
        Ok(())
    }

    fn update_importer(&mut self, env: &str, importer: &Importer) -> Result<()> {
        self.conn
            .execute("UPDATE importers SET status = ?3, body = ?4, file = CASE WHEN ?3 = 'pending' THEN file END WHERE id = ?1 AND environment_id = ?2", params![importer.id, env, importer.status.as_str(), serde_json::to_string(importer)?])?;
        Ok(())
    }

    fn importer(&mut self, env: &str, id: &str) -> Result<Option<Importer>> {
        reads::importer(self.conn, env, id)
    }

    fn insert_importer_error(&mut self, importer_id: &str, error: &RowError) -> Result<()> {
        self.conn.execute(
            "INSERT INTO importer_errors (importer_id, line, body) VALUES (?1, ?2, ?3) \
             ON CONFLICT (importer_id, line) DO UPDATE SET body = excluded.body",
            params![
                importer_id,
                error.line as i64,
                serde_json::to_string(error)?
            ],
        )?;
        Ok(())
    }

    fn prune_events(&mut self, created_before: i64, below_seq: i64, limit: usize) -> Result<usize> {
        self
            .conn
            .execute("DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE seq < ?2 AND seq < (SELECT MAX(seq) FROM events) AND created_at < ?1 ORDER BY seq LIMIT ?3)", params![created_before, below_seq, limit as i64])
    }

    fn set_cursor(&mut self, name: &str, seq: i64) -> Result<()> {
        self.conn
            .write("INSERT INTO cursors (name, event_seq) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET event_seq = CASE WHEN cursors.event_seq > excluded.event_seq THEN cursors.event_seq ELSE excluded.event_seq END", params![name, seq])
    }

    fn cursor(&mut self, name: &str) -> Result<i64> {
        reads::cursor(self.conn, name)
    }

    fn claim_lease(
        &mut self,
        name: &str,
        holder: &str,
        now: i64,
        ttl: i64,
        take_over: bool,
    ) -> Result<bool> {
        let current = self.conn.query_row(
            "SELECT holder, expires_at FROM leases WHERE name = ?1",
            params![name],
            |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)?)),
        )?;
        match current {
            None => {
                self.conn.execute(
                    "INSERT INTO leases (name, holder, expires_at, acquired_at) VALUES (?1, ?2, ?3, ?4)",
                    params![name, holder, now + ttl, now],
                )?;
            }
            Some((current, _)) if current == holder => {
                self.conn.execute(
                    "UPDATE leases SET expires_at = ?2 WHERE name = ?1",
                    params![name, now + ttl],
                )?;
            }
            Some((_, expires_at)) if take_over || expires_at <= now => {
                self.conn.execute(
                    "UPDATE leases SET holder = ?2, expires_at = ?3, acquired_at = ?4 WHERE name = ?1",
                    params![name, holder, now + ttl, now],
                )?;
            }
            Some(_) => return Ok(false),
        }
        Ok(true)
    }

    fn release_lease(&mut self, name: &str, holder: &str) -> Result<()> {
        self.conn.execute(
            "DELETE FROM leases WHERE name = ?1 AND holder = ?2",
            params![name, holder],
        )?;
        Ok(())
    }

    fn put_blob(&mut self, name: &str, created_at: i64, bytes: &[u8]) -> Result<()> {
        super::put_blob(self.conn, name, created_at, bytes)
    }

    fn delete_blob(&mut self, name: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM blobs WHERE name = ?1", params![name])?;
        self.checkpoint = true;
        Ok(())
    }

    fn record(&mut self, env: &str, kind: &str, id: &str) -> Result<Option<String>> {
        super::records::record(self.conn, env, kind, id)
    }

    fn put_record(&mut self, env: &str, row: &RecordRow) -> Result<()> {
        super::records::put(self.conn, env, row)
    }

    fn find_records(
        &mut self,
        env: &str,
        kind: &str,
        filter: &RecordFilter,
        limit: usize,
    ) -> Result<Vec<String>> {
        super::records::find(self.conn, env, kind, filter, limit)
    }

    fn insert_event(&mut self, env: &str, event: &Event) -> Result<()> {
        self.conn
            .write("INSERT INTO events (id, environment_id, name, object_id, object_type, snapshot, context, created_at, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", params![
                event.id,
                env,
                event.name,
                event.object_id,
                event.object_type,
                serde_json::to_string(&event.snapshot)?,
                event.context.as_ref().map(serde_json::to_string).transpose()?,
                event.created_at,
                event.actor.as_ref().map(serde_json::to_string).transpose()?,
            ])
    }

    fn rewrite_event_snapshots(
        &mut self,
        env: &str,
        object_id: &str,
        rewrite: &mut dyn FnMut(&mut Value),
    ) -> Result<usize> {
        let rows: Vec<(i64, String)> = self.conn.query_map(
            "SELECT seq, snapshot FROM events WHERE environment_id = ?1 AND object_id = ?2",
            params![env, object_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        for (seq, text) in &rows {
            let mut snapshot: Value = serde_json::from_str(text)?;
            rewrite(&mut snapshot);
            self.conn.execute(
                "UPDATE events SET snapshot = ?2 WHERE seq = ?1",
                params![seq, serde_json::to_string(&snapshot)?],
            )?;
        }
        Ok(rows.len())
    }

    fn stored_response(&mut self, env: &str, key: &str) -> Result<Option<StoredResponse>> {
        reads::stored_response(self.conn, env, key)
    }

    fn put_stored_response(
        &mut self,
        env: &str,
        key: &str,
        response: &StoredResponse,
    ) -> Result<()> {
        self.conn
            .write("INSERT INTO idempotency_keys (environment_id, idempotency_key, request_hash, object_id, status, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
                ON CONFLICT (environment_id, idempotency_key) DO UPDATE SET request_hash = excluded.request_hash, object_id = excluded.object_id, \
                status = excluded.status, body = excluded.body, created_at = excluded.created_at", params![env, key, response.request_hash, response.object_id, response.status, response.body, response.created_at])
    }

    fn delete_stored_responses_for(&mut self, env: &str, object_id: &str) -> Result<usize> {
        // Responses about another object can quote this one (a report names its account,
        // a comment its case): any stored body that mentions the id goes too. Stored
        // responses live a day, so the scan is over a small table.
        let sql = match self.conn.dialect() {
            Dialect::Sqlite => {
                "DELETE FROM idempotency_keys WHERE environment_id = ?1 \
                AND (object_id = ?2 OR instr(body, CAST(?2 AS BLOB)) > 0)"
            }
            Dialect::Postgres => {
                "DELETE FROM idempotency_keys WHERE environment_id = ?1 \
                AND (object_id = ?2 OR position(convert_to(?2, 'UTF8') IN body) > 0)"
            }
        };
        self.conn.execute(sql, params![env, object_id])
    }

    fn prune_stored_responses(&mut self, older_than: i64) -> Result<usize> {
        self.conn.execute(
            "DELETE FROM idempotency_keys WHERE created_at < ?1",
            params![older_than],
        )
    }

    fn request_checkpoint(&mut self) {
        self.checkpoint = true;
    }
}

fn origin(report: &Report) -> &'static str {
    match report.origin {
        vigil_domain::report::Origin::Account => "account",
        vigil_domain::report::Origin::Request => "request",
    }
}
