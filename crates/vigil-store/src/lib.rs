//! vigil's storage layer.
//!
//! Handlers and the engine talk to storage only through the [`Store`] trait (reads) and
//! [`WriteTx`] (the inside of one write transaction). Writes are submitted as closures with
//! [`transact`]: the closure runs inside a transaction, and its result is handed back only
//! after that transaction is durably committed, so a mutation and the event it produces
//! are always written together or not at all.
//!
//! The SQLite backend ([`sqlite::SqliteStore`]) runs every write closure on one writer
//! thread and commits many of them per fsync (group commit), each inside its own
//! savepoint so one failing request never undoes another. A PostgreSQL backend implements
//! the same two traits with its own SQL under `migrations/postgres/`.
//!
//! # Layout
//! - `lib.rs`: the traits, records, errors and [`transact`].
//! - `sql/`: vigil's SQL, written once for every backend (reads, the inside of a write
//!   transaction, records, users, keys, paging) over the small [`sql::Db`] interface.
//! - `sqlite/`: the SQLite backend: connection setup and migrations, the group-commit writer.
//! - `postgres/`: the PostgreSQL backend: connections, migrations, its writer.

use std::sync::Arc;

use serde_json::Value;
use vigil_domain::account::Account;
use vigil_domain::importer::{Importer, RowError};
use vigil_domain::list::{List, ListItem};
use vigil_domain::report::{HistoryEntry, Report};
use vigil_domain::user::{AuditEntry, User, UserSession};
use vigil_screening::sources::Party;

pub mod copy;
pub mod postgres;
pub mod records;
pub mod sql;
pub mod sqlite;
pub mod term_walk;

pub use records::{term, Record};

/// Our-fault storage errors. Caller mistakes are decided above this layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// The server's message and SQLSTATE, without its detail (which can quote the
    /// values of a row: personal data that must not reach a log).
    #[error("postgresql error: {0}")]
    Postgres(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// An operation on the whole store (`vigil migrate`) that cannot run as things stand.
    #[error("{0}")]
    Refused(String),
    #[error("the storage writer has stopped")]
    WriterGone,
    #[error("io error: {0}")]
    Io(#[from] std::io::Error),
    /// A `page[after]`/`page[before]` id that is not in the listed collection (caller fault).
    #[error("cursor `{0}` is not an object in this list")]
    UnknownCursor(String),
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(error: tokio_postgres::Error) -> Self {
        StoreError::Postgres(match error.as_db_error() {
            Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
            None => error.to_string(),
        })
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An environment (sandbox or production): the unit of data isolation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub created_at: i64,
}

/// An API key. Only the SHA-256 of its secret is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: String,
    pub environment_id: String,
    pub name: String,
    pub secret_hash: String,
    pub permissions: Vec<String>,
    /// Default `Persona-Version` for requests made with this key.
    pub api_version: String,
    /// Default `Key-Inflection` for requests made with this key.
    pub key_inflection: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    /// What the key is for, in people's words.
    pub note: Option<String>,
}

/// An account type and the statuses its accounts may take.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AccountType {
    pub id: String,
    pub environment_id: String,
    pub name: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub statuses: Vec<AccountStatus>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AccountStatus {
    pub id: String,
    pub name: String,
    pub is_default: bool,
}

/// An account action (`accac_`): what `POST /accounts/{id}/run-action` runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountAction {
    pub id: String,
    pub environment_id: String,
    pub name: String,
    /// One of `vigil_domain::account_action::ActionKind`'s names.
    pub kind: String,
    pub created_at: i64,
}

/// A file attached to one field of an object (an account's `selfie_photo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub id: String,
    pub object_id: String,
    pub field: String,
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub created_at: i64,
}

/// A stored event. `snapshot` is the object in vigil's internal form; it is rendered in
/// the reader's API version and inflection when read, so one event serves every version.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: String,
    pub name: String,
    pub object_id: String,
    pub object_type: String,
    pub snapshot: Value,
    pub context: Option<Value>,
    pub created_at: i64,
    /// Who made the change; `None` for events written before vigil recorded it.
    pub actor: Option<vigil_domain::actor::Actor>,
}

/// A relation from an account to another object under a relation key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    pub account_id: String,
    pub key: String,
    pub target_id: String,
    pub created_at: i64,
}

/// The first response to an idempotent POST, replayed for later requests with its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub request_hash: String,
    pub object_id: Option<String>,
    pub status: u16,
    pub body: Vec<u8>,
    pub created_at: i64,
}

/// Which slice of a newest-first list to return.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    /// Return objects older than this id.
    pub after: Option<String>,
    /// Return objects newer than this id.
    pub before: Option<String>,
    pub size: usize,
}

/// One page of a newest-first list, and whether there is more on either side.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_older: bool,
    pub has_newer: bool,
}

/// Filters for listing accounts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountFilter {
    pub reference_ids: Vec<String>,
    pub account_type_id: Option<String>,
    /// Beyond Persona: archived accounts are listed only when asked for.
    pub archived: bool,
}

/// Filters for listing events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    pub names: Vec<String>,
    pub object_ids: Vec<String>,
    pub ids: Vec<String>,
    /// Made by these actors (an API key's, a user's, a rule's id).
    pub actor_ids: Vec<String>,
    /// Created at or after / at or before (milliseconds).
    pub created_from: Option<i64>,
    pub created_to: Option<i64>,
}

/// Filters for listing an account's relations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RelationFilter {
    pub key: String,
    pub created_at_start: Option<i64>,
    pub created_at_end: Option<i64>,
}

/// Filters for listing reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFilter {
    pub account_id: Option<String>,
    pub reference_id: Option<String>,
}

/// Filters for listing records of one kind, and their order. A record matches when, for
/// every group, it carries at least one of the group's terms, it was created in the range,
/// and its rank (see [`RecordRow::rank_at`]) is at or before `rank_to`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordFilter {
    pub all_of: Vec<Vec<String>>,
    /// Created at or after (milliseconds).
    pub created_from: Option<i64>,
    /// Created at or before (milliseconds).
    pub created_to: Option<i64>,
    /// Ranked at or before (milliseconds): a case whose SLA is due by then.
    pub rank_to: Option<i64>,
    /// Soonest rank first (then oldest first) instead of newest first.
    pub by_rank: bool,
}

impl RecordFilter {
    /// Add a group of terms a record must carry one of (an empty group is ignored).
    pub fn any_of(mut self, terms: Vec<String>) -> Self {
        if !terms.is_empty() {
            self.all_of.push(terms);
        }
        self
    }
}

/// A workflow record as stored: its body and what it is found by. See [`Record`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRow {
    pub id: String,
    pub kind: String,
    pub created_at: i64,
    /// When the scheduler must look at it again.
    pub due_at: Option<i64>,
    /// The time a list may be ordered and bounded by (a case's SLA), [`RANK_NEVER`] for a
    /// record of a ranked kind with none; `None` for kinds that are never ranked.
    pub rank_at: Option<i64>,
    pub terms: Vec<String>,
    pub body: String,
}

/// The rank of a record with no time to be ranked by: after every other.
pub const RANK_NEVER: i64 = i64::MAX;

/// A record whose `due_at` has come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueRecord {
    pub environment_id: String,
    pub kind: String,
    pub id: String,
    pub due_at: i64,
}

/// A loaded sanctions source (shared by every environment).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Source {
    /// `ofac-sdn`, `un-consolidated`.
    pub id: String,
    pub name: String,
    pub format: String,
    pub loaded_at: i64,
    pub parties: usize,
    /// Grows with every load of any source, so a running server notices.
    #[serde(default)]
    pub generation: i64,
    /// Every load, oldest first (the last hundred): what each added and delisted.
    #[serde(default)]
    pub history: Vec<SourceLoad>,
}

/// One load of a source: how many parties it had, and which came and went against the
/// load before it (a party is known by its id at the publisher).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SourceLoad {
    pub loaded_at: i64,
    pub parties: usize,
    pub added: usize,
    pub delisted: usize,
    /// The delisted parties, `id: primary name`, at most a hundred.
    #[serde(default)]
    pub delisted_parties: Vec<String>,
}

/// An event with its position in the log (`seq` grows in commit order).
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedEvent {
    pub seq: i64,
    pub environment_id: String,
    pub event: Event,
}

/// Read access to storage, plus the door to the writer.
pub trait Store: Send + Sync + 'static {
    /// Cheap liveness check for `/health`.
    fn ping(&self) -> Result<()>;
    fn environments(&self) -> Result<Vec<Environment>>;
    /// The key with this secret hash and its environment, if any.
    fn api_key_by_hash(&self, secret_hash: &str) -> Result<Option<(ApiKey, Environment)>>;
    /// One key of an environment.
    fn api_key(&self, env: &str, id: &str) -> Result<Option<ApiKey>>;
    /// The keys of an environment (named `name`, when given), newest first.
    fn api_keys(&self, env: &str, name: Option<&str>, page: &PageRequest) -> Result<Page<ApiKey>>;
    fn user(&self, id: &str) -> Result<Option<User>>;
    /// `email` lower-cased.
    fn user_by_email(&self, email: &str) -> Result<Option<User>>;
    /// An organization's security settings (two-factor required or not).
    fn security_settings(&self, organization: &str)
        -> Result<vigil_domain::user::SecuritySettings>;
    /// The users of an organization, newest first.
    fn users(&self, organization: &str, page: &PageRequest) -> Result<Page<User>>;
    /// The session whose token hashes to `token_hash`, and its user.
    fn user_session_by_hash(&self, token_hash: &str) -> Result<Option<(UserSession, User)>>;
    fn user_audit_entry(&self, organization: &str, id: &str) -> Result<Option<AuditEntry>>;
    /// The user audit log of an organization (of one user, when given), newest first.
    fn user_audit_entries(
        &self,
        organization: &str,
        user_id: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<AuditEntry>>;
    /// One account; backends may serve it from a cache they keep coherent with writes.
    fn account(&self, env: &str, id: &str) -> Result<Option<Arc<Account>>>;
    fn accounts(
        &self,
        env: &str,
        filter: &AccountFilter,
        page: &PageRequest,
    ) -> Result<Page<Account>>;
    /// The environment's live (not archived) accounts in creation order, newest first
    /// when `newest_first`, strictly past the account `from` (any account of the
    /// environment, else `UnknownCursor`): those an index plan finds when one is given
    /// (terms from `vigil_domain::search::account_terms`), else all of them. Reads only as
    /// far as the visitor goes: it returns false to stop.
    fn walk_accounts(
        &self,
        env: &str,
        plan: Option<&vigil_domain::search::IndexPlan>,
        from: Option<&str>,
        newest_first: bool,
        visit: &mut dyn FnMut(Account) -> bool,
    ) -> Result<()>;
    /// Visit accounts newest first until the visitor returns false (search).
    fn scan_accounts(
        &self,
        env: &str,
        archived: bool,
        visit: &mut dyn FnMut(Account) -> bool,
    ) -> Result<()>;
    fn account_type(&self, env: &str, id: &str) -> Result<Option<AccountType>>;
    /// Every account type of the environment, oldest first.
    fn account_types(&self, env: &str) -> Result<Vec<AccountType>>;
    fn file(&self, env: &str, id: &str) -> Result<Option<StoredFile>>;
    /// Every account action of the environment, oldest first.
    fn account_actions(&self, env: &str) -> Result<Vec<AccountAction>>;
    fn relations(
        &self,
        env: &str,
        account_id: &str,
        filter: &RelationFilter,
        page: &PageRequest,
    ) -> Result<Page<Relation>>;
    /// The relation keys an account relates others under, each with how many, by key.
    fn relation_keys(&self, env: &str, account_id: &str) -> Result<Vec<(String, u64)>>;
    fn event(&self, env: &str, id: &str) -> Result<Option<Event>>;
    fn events(&self, env: &str, filter: &EventFilter, page: &PageRequest) -> Result<Page<Event>>;
    fn stored_response(&self, env: &str, key: &str) -> Result<Option<StoredResponse>>;
    fn list(&self, env: &str, id: &str) -> Result<Option<List>>;
    /// Lists newest first; `archived` None lists both.
    fn lists(&self, env: &str, archived: Option<bool>, page: &PageRequest) -> Result<Page<List>>;
    fn list_item(&self, env: &str, id: &str) -> Result<Option<ListItem>>;
    /// The items of a list (the active ones only, when `active_only`), newest first.
    fn list_items(
        &self,
        env: &str,
        list_id: &str,
        active_only: bool,
        page: &PageRequest,
    ) -> Result<Page<ListItem>>;
    /// Visit every active item of every active list of the environment (index rebuild).
    fn scan_active_list_items(&self, env: &str, visit: &mut dyn FnMut(ListItem)) -> Result<()>;
    fn report(&self, env: &str, id: &str) -> Result<Option<Report>>;
    fn reports(&self, env: &str, filter: &ReportFilter, page: &PageRequest)
        -> Result<Page<Report>>;
    /// Visit every report of the environment, oldest first (monitoring's rebuild).
    fn scan_reports(&self, env: &str, visit: &mut dyn FnMut(Report)) -> Result<()>;
    fn report_history(
        &self,
        env: &str,
        report_id: &str,
        page: &PageRequest,
    ) -> Result<Page<HistoryEntry>>;
    /// Every loaded sanctions source.
    fn sources(&self) -> Result<Vec<Source>>;
    fn scan_source_parties(&self, source_id: &str, visit: &mut dyn FnMut(Party)) -> Result<()>;
    /// Events of every environment after `seq`, in commit order, at most `limit`.
    fn events_after(&self, seq: i64, limit: usize) -> Result<Vec<LoggedEvent>>;
    /// The `seq` of the newest event (0 when there is none).
    fn last_event_seq(&self) -> Result<i64>;
    /// The last event continuous screening acted on.
    fn screening_cursor(&self) -> Result<i64>;
    fn importer(&self, env: &str, id: &str) -> Result<Option<Importer>>;
    /// Newest first.
    fn importers(&self, env: &str, page: &PageRequest) -> Result<Page<Importer>>;
    /// Up to `limit` row errors of an import, in line order, after line `after_line`.
    fn importer_errors(
        &self,
        importer_id: &str,
        after_line: u64,
        limit: usize,
    ) -> Result<Vec<RowError>>;
    /// Imports not yet finished, oldest first, with their environments.
    fn pending_importers(&self) -> Result<Vec<(String, Importer)>>;
    /// The uploaded file of a pending import.
    fn importer_file(&self, env: &str, id: &str) -> Result<Option<Vec<u8>>>;
    /// The body of one record of `kind`.
    fn record(&self, env: &str, kind: &str, id: &str) -> Result<Option<String>>;
    /// Bodies of records of `kind`, newest first.
    fn records(
        &self,
        env: &str,
        kind: &str,
        filter: &RecordFilter,
        page: &PageRequest,
    ) -> Result<Page<String>>;
    /// How many records of `kind` match `filter`, counting no further than `limit`.
    fn count_records(
        &self,
        env: &str,
        kind: &str,
        filter: &RecordFilter,
        limit: Option<u64>,
    ) -> Result<u64>;
    /// The environment's records of `kind` in creation order, as [`Store::walk_accounts`]
    /// walks accounts (terms from each kind's [`Record::terms`]).
    fn walk_records(
        &self,
        env: &str,
        kind: &str,
        plan: Option<&vigil_domain::search::IndexPlan>,
        from: Option<&str>,
        newest_first: bool,
        visit: &mut dyn FnMut(String) -> bool,
    ) -> Result<()>;
    /// Records of `kinds`, of every environment, due at or before `now`, soonest first,
    /// at most `limit`.
    fn due_records(&self, kinds: &[&str], now: i64, limit: usize) -> Result<Vec<DueRecord>>;
    /// When the next record of `kinds` falls due, if any does.
    fn next_due(&self, kinds: &[&str]) -> Result<Option<i64>>;
    /// How far the event-log reader `name` has acted (0 when it never has).
    fn cursor(&self, name: &str) -> Result<i64>;
    /// The lowest position every event-log reader has reached (screening and the named
    /// cursors): events at or below it have been acted on by all of them.
    fn readers_position(&self, names: &[&str]) -> Result<i64>;
    /// Who holds the lease `name`, and until when (milliseconds); `None` if nobody ever did.
    fn lease(&self, name: &str) -> Result<Option<Lease>>;
    /// The bytes of a file kept in the database (its parts joined), if it is there.
    fn blob(&self, name: &str) -> Result<Option<Vec<u8>>>;
    /// The names of files kept in the database that were written before `created_before`.
    fn blob_names(&self, created_before: i64) -> Result<Vec<String>>;
    /// Whether other processes write this database too (PostgreSQL: several servers): then
    /// nothing written may be cached in memory, and files go in the database, where every
    /// server reads them.
    fn is_shared(&self) -> bool {
        false
    }
    /// Whether a redaction committed since the last [`Store::scrub`] left personal data in
    /// the database's files (PostgreSQL keeps old row versions, index keys and WAL; SQLite
    /// clears them at commit, so it never owes a scrub).
    fn scrub_pending(&self) -> Result<bool>;
    /// Remove from the database's files what redactions overwrote, when one is owed (or
    /// always, with `force`). Slow on a large database, and each table is locked while it
    /// is rewritten: run it at a quiet hour.
    fn scrub(&self, force: bool) -> Result<Scrub>;
    /// Queue a write job; see [`transact`].
    fn submit(&self, job: WriteJob);
}

/// The size of the parts a file kept in the database is written in (rows stay small
/// enough for PostgreSQL's protocol and memory, whatever the file's size).
pub const BLOB_PART: usize = 1024 * 1024;

/// What a [`Store::scrub`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scrub {
    /// The tables rewritten, in order; empty when no scrub was owed (or none is ever
    /// needed, on SQLite).
    pub rewritten: Vec<String>,
    /// What could not be done, each with what the operator can do about it.
    pub warnings: Vec<String>,
    /// How long it took.
    pub millis: u64,
}

/// A lease on work only one server may do at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub holder: String,
    pub expires_at: i64,
    pub acquired_at: i64,
}

/// What a write job decided, and how to tell its caller once the commit is known.
pub struct Outcome {
    /// Keep this job's writes (false rolls back to the job's savepoint).
    pub keep: bool,
    /// Called once the enclosing transaction committed (or failed to).
    pub complete: Box<dyn FnOnce(Result<()>) + Send>,
}

/// A write job: runs inside a transaction on the writer.
pub type WriteJob = Box<dyn FnOnce(&mut dyn WriteTx) -> Outcome + Send>;

/// The inside of a write transaction. Reads here see the transaction's own writes.
pub trait WriteTx {
    fn environment_count(&mut self) -> Result<i64>;
    fn environment_by_name(&mut self, name: &str) -> Result<Option<Environment>>;
    fn environments(&mut self) -> Result<Vec<Environment>>;
    fn insert_organization(&mut self, id: &str, now: i64) -> Result<()>;
    fn security_settings(
        &mut self,
        organization: &str,
    ) -> Result<vigil_domain::user::SecuritySettings>;
    fn put_security_settings(
        &mut self,
        organization: &str,
        settings: &vigil_domain::user::SecuritySettings,
    ) -> Result<()>;
    fn insert_environment(&mut self, env: &Environment) -> Result<()>;
    fn insert_api_key(&mut self, key: &ApiKey) -> Result<()>;
    fn api_key(&mut self, env: &str, id: &str) -> Result<Option<ApiKey>>;
    /// Change a key's name, note, permissions, defaults and expiry (never its secret).
    fn update_api_key(&mut self, key: &ApiKey) -> Result<()>;
    fn user(&mut self, id: &str) -> Result<Option<User>>;
    fn user_by_email(&mut self, email: &str) -> Result<Option<User>>;
    fn user_by_invitation(&mut self, token_hash: &str) -> Result<Option<User>>;
    fn insert_user(&mut self, user: &User) -> Result<()>;
    fn update_user(&mut self, user: &User) -> Result<()>;
    /// Insert or replace a session.
    fn put_user_session(&mut self, session: &UserSession) -> Result<()>;
    /// End every live session of the user; how many there were.
    fn end_user_sessions(&mut self, user_id: &str, now: i64) -> Result<usize>;
    fn insert_user_audit_entry(&mut self, entry: &AuditEntry) -> Result<()>;
    fn insert_account_type(&mut self, account_type: &AccountType) -> Result<()>;
    /// Save a type's name and `updated_at`, add the statuses it does not have yet, and
    /// move the default to the status marked `is_default`. Statuses are never removed
    /// (accounts may hold them).
    fn update_account_type(&mut self, account_type: &AccountType) -> Result<()>;
    fn account_type_by_name(&mut self, env: &str, name: &str) -> Result<Option<AccountType>>;
    fn insert_account_action(&mut self, action: &AccountAction) -> Result<()>;
    fn insert_file(&mut self, env: &str, file: &StoredFile) -> Result<()>;
    /// Delete the files of `object_id` (of one `field`, or all); returns how many.
    fn delete_files(&mut self, env: &str, object_id: &str, field: Option<&str>) -> Result<usize>;
    fn account_action(&mut self, env: &str, id: &str) -> Result<Option<AccountAction>>;
    fn default_account_type(&mut self, env: &str) -> Result<Option<AccountType>>;
    fn account_type(&mut self, env: &str, id: &str) -> Result<Option<AccountType>>;
    fn account(&mut self, env: &str, id: &str) -> Result<Option<Account>>;
    /// The newest non-archived account whose field (`reference_id` or a dotted field path)
    /// equals `value`, for `meta.upsert-by`.
    fn account_by_unique(
        &mut self,
        env: &str,
        account_type_id: &str,
        field: &str,
        value: &Value,
    ) -> Result<Option<Account>>;
    fn insert_account(&mut self, env: &str, account: &Account) -> Result<()>;
    fn update_account(&mut self, env: &str, account: &Account) -> Result<()>;
    /// Returns false when the relation already existed.
    fn add_relation(&mut self, env: &str, relation: &Relation) -> Result<bool>;
    /// Returns false when there was no such relation.
    fn remove_relation(
        &mut self,
        env: &str,
        account_id: &str,
        key: &str,
        target_id: &str,
    ) -> Result<bool>;
    /// Move every relation held by `from` to `to` (consolidation); returns how many moved.
    fn move_relations(&mut self, env: &str, from: &str, to: &str) -> Result<usize>;
    fn insert_list(&mut self, env: &str, list: &List) -> Result<()>;
    fn update_list(&mut self, env: &str, list: &List) -> Result<()>;
    fn list(&mut self, env: &str, id: &str) -> Result<Option<List>>;
    fn insert_list_item(&mut self, env: &str, item: &ListItem) -> Result<()>;
    fn update_list_item(&mut self, env: &str, item: &ListItem) -> Result<()>;
    fn list_item(&mut self, env: &str, id: &str) -> Result<Option<ListItem>>;
    /// The active item of `list_id` with this match key, if any (duplicate check).
    fn active_list_item_by_key(
        &mut self,
        env: &str,
        list_id: &str,
        match_key: &str,
    ) -> Result<Option<ListItem>>;
    fn insert_report(&mut self, env: &str, report: &Report) -> Result<()>;
    fn update_report(&mut self, env: &str, report: &Report) -> Result<()>;
    fn report(&mut self, env: &str, id: &str) -> Result<Option<Report>>;
    /// Every report about an account, oldest first.
    fn reports_of_account(&mut self, env: &str, account_id: &str) -> Result<Vec<Report>>;
    fn insert_report_history(&mut self, env: &str, entry: &HistoryEntry) -> Result<()>;
    /// Replace a sanctions source and all its parties.
    fn replace_source(&mut self, source: &Source, parties: &[Party]) -> Result<()>;
    fn set_screening_cursor(&mut self, seq: i64) -> Result<()>;
    fn insert_importer(&mut self, env: &str, importer: &Importer, file: &[u8]) -> Result<()>;
    /// Save progress; once the import is no longer pending its file copy is dropped.
    fn update_importer(&mut self, env: &str, importer: &Importer) -> Result<()>;
    fn importer(&mut self, env: &str, id: &str) -> Result<Option<Importer>>;
    fn insert_importer_error(&mut self, importer_id: &str, error: &RowError) -> Result<()>;
    fn set_cursor(&mut self, name: &str, seq: i64) -> Result<()>;
    /// How far the event-log reader `name` has acted, as this transaction sees it (a
    /// reader compares it with where it started, so two servers never act on one event).
    fn cursor(&mut self, name: &str) -> Result<i64>;
    /// Take or renew the lease `name` for `holder` until `now + ttl`: true when `holder`
    /// holds it now (it was free, expired, or already `holder`'s; with `take_over`, whoever
    /// held it: for a process that knows it is the only one).
    fn claim_lease(
        &mut self,
        name: &str,
        holder: &str,
        now: i64,
        ttl: i64,
        take_over: bool,
    ) -> Result<bool>;
    /// Give the lease up if `holder` has it (a server stopping hands its work over at once).
    fn release_lease(&mut self, name: &str, holder: &str) -> Result<()>;
    /// Keep a file in the database under `name` (in parts of [`BLOB_PART`] bytes).
    fn put_blob(&mut self, name: &str, created_at: i64, bytes: &[u8]) -> Result<()>;
    /// Delete every part of a file kept in the database.
    fn delete_blob(&mut self, name: &str) -> Result<()>;
    /// Delete up to `limit` events created before `created_before` with `seq` below
    /// `below_seq` (exclusive), oldest first; returns how many. The newest event is never deleted (its
    /// `seq` keeps positions from being reused).
    fn prune_events(&mut self, created_before: i64, below_seq: i64, limit: usize) -> Result<usize>;
    fn record(&mut self, env: &str, kind: &str, id: &str) -> Result<Option<String>>;
    /// Insert the record, or replace its body, due time and terms.
    fn put_record(&mut self, env: &str, row: &RecordRow) -> Result<()>;
    /// Bodies of records of `kind` matching `filter`, newest first, at most `limit`.
    fn find_records(
        &mut self,
        env: &str,
        kind: &str,
        filter: &RecordFilter,
        limit: usize,
    ) -> Result<Vec<String>>;
    fn insert_event(&mut self, env: &str, event: &Event) -> Result<()>;
    /// Rewrite the snapshots of every event about `object_id` (redaction).
    fn rewrite_event_snapshots(
        &mut self,
        env: &str,
        object_id: &str,
        rewrite: &mut dyn FnMut(&mut Value),
    ) -> Result<usize>;
    fn stored_response(&mut self, env: &str, key: &str) -> Result<Option<StoredResponse>>;
    fn put_stored_response(
        &mut self,
        env: &str,
        key: &str,
        response: &StoredResponse,
    ) -> Result<()>;
    /// Forget stored responses about an object (they may hold its personal data).
    /// Delete the stored idempotent responses about `object_id` or mentioning it.
    fn delete_stored_responses_for(&mut self, env: &str, object_id: &str) -> Result<usize>;
    fn prune_stored_responses(&mut self, older_than: i64) -> Result<usize>;
    /// Ask for the write-ahead log to be checkpointed and truncated after this commit, so
    /// overwritten personal data leaves the disk (redaction).
    fn request_checkpoint(&mut self);
}

/// Wrap `f` as a write job whose result, or the commit's error, goes to `deliver` once
/// the commit is known.
fn job<T, E, F>(f: F, deliver: impl FnOnce(Result<T, E>) + Send + 'static) -> WriteJob
where
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
    F: FnOnce(&mut dyn WriteTx) -> Result<T, E> + Send + 'static,
{
    Box::new(move |tx| {
        let result = f(tx);
        Outcome {
            keep: result.is_ok(),
            complete: Box::new(move |commit| {
                deliver(match commit {
                    Ok(()) => result,
                    Err(error) => Err(E::from(error)),
                })
            }),
        }
    })
}

/// Run `f` inside a write transaction and return its result once durably committed.
///
/// If `f` fails, its writes are rolled back and its error returned; if the commit
/// itself fails, the storage error is returned. Other jobs in the same group commit are
/// unaffected by either.
pub async fn transact<T, E, F>(store: &Arc<dyn Store>, f: F) -> Result<T, E>
where
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
    F: FnOnce(&mut dyn WriteTx) -> Result<T, E> + Send + 'static,
{
    let (sender, receiver) = tokio::sync::oneshot::channel();
    store.submit(job(f, move |result| {
        let _ = sender.send(result);
    }));
    receiver
        .await
        .unwrap_or_else(|_| Err(E::from(StoreError::WriterGone)))
}

/// The same as [`transact`] for callers outside an async runtime (the CLI).
pub fn transact_blocking<T, E, F>(store: &Arc<dyn Store>, f: F) -> Result<T, E>
where
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
    F: FnOnce(&mut dyn WriteTx) -> Result<T, E> + Send + 'static,
{
    let (sender, receiver) = std::sync::mpsc::channel();
    store.submit(job(f, move |result| {
        let _ = sender.send(result);
    }));
    receiver
        .recv()
        .unwrap_or_else(|_| Err(E::from(StoreError::WriterGone)))
}
