//! The few things vigil's SQL needs from a database connection, so one copy of every query
//! serves each backend.
//!
//! Queries are written once, in the SQL SQLite and PostgreSQL share, with SQLite's `?` /
//! `?N` placeholders; a backend's [`Db`] runs them (PostgreSQL's rewrites the placeholders
//! and drops SQLite's `INDEXED BY` hints). Values cross as [`Param`]s and come back as
//! [`Value`]s: integers, reals, text, bytes, null; flags are stored as integers 0 and 1 in
//! both, so a query reads the same everywhere. What truly differs (a JSON path, how a
//! transaction is committed) asks [`Db::dialect`] or lives in the backend's own folder.

pub(crate) mod keys;
pub(crate) mod paging;
pub(crate) mod reads;
pub(crate) mod records;
pub(crate) mod users;
pub(crate) mod writes;

use crate::{Result, StoreError};

/// A backend that runs vigil's SQL: where its reads run and where write jobs go. Every
/// such backend is a [`crate::Store`] (the reads in `reads.rs`, the writes in `writes.rs`).
pub trait SqlBackend: Send + Sync + 'static {
    /// Run `f` on a connection that reads committed data.
    fn read<T>(&self, f: impl FnOnce(&dyn Db) -> Result<T>) -> Result<T>;
    /// Queue a write job for this backend's writer.
    fn submit_job(&self, job: crate::WriteJob);
    /// Accounts kept in memory, coherent with every write (only a backend whose writer
    /// is the only one can promise that).
    fn account_cache(&self) -> Option<&crate::sqlite::AccountCache> {
        None
    }
    /// Whether other processes write the same database (see `Store::is_shared`).
    fn is_shared(&self) -> bool {
        false
    }
    /// See `Store::scrub_pending` (SQLite clears what a redaction overwrote at commit).
    fn scrub_pending(&self) -> Result<bool> {
        Ok(false)
    }
    /// See `Store::scrub`.
    fn scrub(&self, _force: bool) -> Result<crate::Scrub> {
        Ok(crate::Scrub::default())
    }
}

/// Which SQL a connection speaks, for the few queries that differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A value bound to a placeholder.
#[derive(Debug, Clone, Copy)]
pub enum Param<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Bytes(&'a [u8]),
}

/// A column's value in a result row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
}

impl Param<'_> {
    /// The parameter as a value of its own (a statement sent ahead outlives its caller's).
    pub fn to_value(&self) -> Value {
        match *self {
            Param::Null => Value::Null,
            Param::Int(n) => Value::Int(n),
            Param::Real(x) => Value::Real(x),
            Param::Text(text) => Value::Text(text.to_string()),
            Param::Bytes(bytes) => Value::Bytes(bytes.to_vec()),
        }
    }
}

impl Value {
    /// The value as a parameter.
    pub fn as_param(&self) -> Param<'_> {
        match self {
            Value::Null => Param::Null,
            Value::Int(n) => Param::Int(*n),
            Value::Real(x) => Param::Real(*x),
            Value::Text(text) => Param::Text(text),
            Value::Bytes(bytes) => Param::Bytes(bytes),
        }
    }
}

/// A comment that asks PostgreSQL to plan a statement for its parameters every time it
/// runs, not once for all values: where the rows a value selects range from a handful to
/// most of a table (a search term), the plan PostgreSQL would otherwise settle on after
/// five runs suits neither (a count of open cases took 93 ms with it, 4 ms planned for the
/// term). SQLite ignores it, as any comment.
pub(crate) const PLANNED_EACH_TIME: &str = " /* planned each time */ ";

/// A connection (or a transaction on one).
pub trait Db {
    fn dialect(&self) -> Dialect;
    /// Run `sql`, handing each result row to `each` until it answers false.
    fn run(
        &self,
        sql: &str,
        params: &[&dyn ToParam],
        each: &mut dyn FnMut(&Row) -> Result<bool>,
    ) -> Result<()>;
    /// Run a statement; how many rows it changed.
    fn execute(&self, sql: &str, params: &[&dyn ToParam]) -> Result<usize>;
    /// Run a statement whose count nobody reads. A backend may send it without waiting
    /// for its answer (PostgreSQL's writer pipelines these, saving a round trip each);
    /// its failure then surfaces from a later statement or from [`Db::settle`].
    fn write(&self, sql: &str, params: &[&dyn ToParam]) -> Result<()> {
        self.execute(sql, params).map(drop)
    }
    /// Wait for the answers to every statement [`Db::write`] sent; the first failure.
    fn settle(&self) -> Result<()> {
        Ok(())
    }
}

/// One result row.
pub struct Row(pub(crate) Vec<Value>);

impl Row {
    /// Column `index` as `T` (a mismatch is corrupt data, never a caller's fault).
    pub fn get<T: FromValue>(&self, index: usize) -> Result<T> {
        let value = self
            .0
            .get(index)
            .ok_or_else(|| StoreError::Corrupt(format!("no column {index} in a result row")))?;
        T::from_value(value).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "column {index} holds {value:?}, not a {}",
                std::any::type_name::<T>()
            ))
        })
    }
}

impl dyn Db + '_ {
    /// The first row, if any.
    pub fn query_row<T>(
        &self,
        sql: &str,
        params: &[&dyn ToParam],
        read: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut read = Some(read);
        let mut found = None;
        self.run(sql, params, &mut |row| {
            if let Some(read) = read.take() {
                found = Some(read(row)?);
            }
            Ok(false)
        })?;
        Ok(found)
    }

    /// Every row.
    pub fn query_map<T>(
        &self,
        sql: &str,
        params: &[&dyn ToParam],
        mut read: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut found = Vec::new();
        self.run(sql, params, &mut |row| {
            found.push(read(row)?);
            Ok(true)
        })?;
        Ok(found)
    }

    /// Whether the query has a row.
    pub fn exists(&self, sql: &str, params: &[&dyn ToParam]) -> Result<bool> {
        Ok(self.query_row(sql, params, |_| Ok(()))?.is_some())
    }

    /// Rows one at a time, until `each` answers false.
    pub fn each(
        &self,
        sql: &str,
        params: &[&dyn ToParam],
        mut each: impl FnMut(&Row) -> Result<bool>,
    ) -> Result<()> {
        self.run(sql, params, &mut each)
    }
}

/// `&[&dyn ToParam]` from a list of values: `params![id, env]`.
#[macro_export]
macro_rules! params {
    ($($value:expr),* $(,)?) => {
        &[$(&$value as &dyn $crate::sql::ToParam),*] as &[&dyn $crate::sql::ToParam]
    };
}
pub use params;

/// What can be bound to a placeholder.
pub trait ToParam {
    fn to_param(&self) -> Param<'_>;
}

impl<T: ToParam + ?Sized> ToParam for &T {
    fn to_param(&self) -> Param<'_> {
        (**self).to_param()
    }
}

impl<T: ToParam> ToParam for Option<T> {
    fn to_param(&self) -> Param<'_> {
        match self {
            Some(value) => value.to_param(),
            None => Param::Null,
        }
    }
}

impl ToParam for str {
    fn to_param(&self) -> Param<'_> {
        Param::Text(self)
    }
}

impl ToParam for String {
    fn to_param(&self) -> Param<'_> {
        Param::Text(self)
    }
}

impl ToParam for [u8] {
    fn to_param(&self) -> Param<'_> {
        Param::Bytes(self)
    }
}

impl ToParam for Vec<u8> {
    fn to_param(&self) -> Param<'_> {
        Param::Bytes(self)
    }
}

impl ToParam for bool {
    fn to_param(&self) -> Param<'_> {
        Param::Int(*self as i64)
    }
}

impl ToParam for f64 {
    fn to_param(&self) -> Param<'_> {
        Param::Real(*self)
    }
}

macro_rules! integer_params {
    ($($t:ty),*) => {$(
        impl ToParam for $t {
            fn to_param(&self) -> Param<'_> {
                Param::Int(*self as i64)
            }
        }
    )*};
}
integer_params!(i64, i32, u16, u32, usize);

/// What a column's value can be read as.
pub trait FromValue: Sized {
    fn from_value(value: &Value) -> Option<Self>;
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

impl FromValue for String {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Text(text) => Some(text.clone()),
            _ => None,
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Bytes(bytes) => Some(bytes.clone()),
            _ => None,
        }
    }
}

impl FromValue for bool {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Int(n) => Some(*n != 0),
            _ => None,
        }
    }
}

impl FromValue for f64 {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Real(x) => Some(*x),
            Value::Int(n) => Some(*n as f64),
            _ => None,
        }
    }
}

macro_rules! integer_values {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(value: &Value) -> Option<Self> {
                match value {
                    Value::Int(n) => <$t>::try_from(*n).ok(),
                    _ => None,
                }
            }
        }
    )*};
}
integer_values!(i64, i32, u16, u32, u64, usize);

/// `?, ?, ?` for an `IN` list of `n` values.
pub fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// File the object with id `id` in `owner` under its search terms in `table`. Its `seq`
/// is read inside the statements (by id), so nothing waits for it and they can be sent
/// ahead ([`Db::write`]). `replace` first removes what it was filed under (an update; a
/// redaction empties them); a new object has nothing to remove.
pub(crate) fn file_terms(
    conn: &dyn Db,
    (table, column): (&str, &str),
    (owner, id): (&str, &str),
    terms: &[String],
    replace: bool,
) -> Result<()> {
    let seq = format!("(SELECT seq FROM {owner} WHERE id = ?1)");
    if replace {
        conn.write(
            &format!("DELETE FROM {table} WHERE {column} = {seq}"),
            params![id],
        )?;
    }
    if terms.is_empty() {
        return Ok(());
    }
    let values = (2..terms.len() + 2)
        .map(|n| format!("(?{n})"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut bound: Vec<&dyn ToParam> = Vec::with_capacity(1 + terms.len());
    bound.push(&id);
    for term in terms {
        bound.push(term);
    }
    // `WHERE true`: SQLite's parser needs it between a SELECT and ON CONFLICT.
    conn.write(
        &format!(
            "INSERT INTO {table} ({column}, term) SELECT {seq}, column1 FROM (VALUES {values}) AS terms WHERE true ON CONFLICT DO NOTHING"
        ),
        &bound,
    )
}

/// The one row a query always has (a count, a maximum).
pub fn one<T>(found: Option<T>) -> Result<T> {
    found.ok_or_else(|| StoreError::Corrupt("a query that always has a row had none".into()))
}

/// A file kept in the `blobs` table, its parts joined (`None` when it has none).
pub(crate) fn blob(conn: &dyn Db, name: &str) -> Result<Option<Vec<u8>>> {
    let parts = conn.query_map(
        "SELECT bytes FROM blobs WHERE name = ?1 ORDER BY part",
        crate::params![name],
        |r| r.get::<Vec<u8>>(0),
    )?;
    Ok((!parts.is_empty()).then(|| parts.concat()))
}

/// Keep a file in the `blobs` table, in parts (`blob` joins them again).
pub(crate) fn put_blob(conn: &dyn Db, name: &str, created_at: i64, bytes: &[u8]) -> Result<()> {
    // An empty file is one empty part, so it exists.
    let parts: Vec<&[u8]> = if bytes.is_empty() {
        vec![bytes]
    } else {
        bytes.chunks(crate::BLOB_PART).collect()
    };
    for (part, bytes) in parts.into_iter().enumerate() {
        conn.execute(
            "INSERT INTO blobs (name, part, created_at, bytes) VALUES (?1, ?2, ?3, ?4)",
            crate::params![name, part as i64, created_at, bytes],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod leases_and_blobs {
    use std::sync::Arc;

    use crate::sqlite::SqliteStore;
    use crate::{transact_blocking, Store, StoreError};

    fn store() -> (tempfile::TempDir, Arc<dyn Store>) {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> =
            Arc::new(SqliteStore::open(dir.path().join("vigil.db")).unwrap());
        (dir, store)
    }

    fn claim(store: &Arc<dyn Store>, holder: &str, now: i64, take_over: bool) -> bool {
        let holder = holder.to_string();
        transact_blocking(store, move |tx| -> Result<bool, StoreError> {
            tx.claim_lease("background", &holder, now, 1_000, take_over)
        })
        .unwrap()
    }

    #[test]
    fn a_lease_has_one_holder_until_it_runs_out_or_is_given_up() {
        let (_dir, store) = store();
        assert_eq!(store.lease("background").unwrap(), None);
        assert!(claim(&store, "a", 0, false), "a free lease is taken");
        assert!(!claim(&store, "b", 500, false), "held by a until 1000");
        assert!(claim(&store, "a", 900, false), "its holder renews it");
        assert!(!claim(&store, "b", 1_500, false), "renewed until 1900");
        let lease = store.lease("background").unwrap().unwrap();
        assert_eq!((lease.holder.as_str(), lease.expires_at), ("a", 1_900));
        assert!(claim(&store, "b", 1_900, false), "taken once it ran out");
        assert!(!claim(&store, "a", 1_901, false), "the old holder lost it");
        transact_blocking(&store, |tx| -> Result<(), StoreError> {
            tx.release_lease("background", "a")?; // not a's: nothing happens
            tx.release_lease("background", "b")
        })
        .unwrap();
        assert!(claim(&store, "c", 1_902, false), "given up, taken at once");
        assert!(
            claim(&store, "d", 1_903, true),
            "a sole server takes it over"
        );
        assert_eq!(store.lease("background").unwrap().unwrap().holder, "d");
    }

    #[test]
    fn a_file_kept_in_the_database_comes_back_whole_and_goes_with_its_parts() {
        let (_dir, store) = store();
        let big: Vec<u8> = (0..crate::BLOB_PART * 2 + 17).map(|i| i as u8).collect();
        let copy = big.clone();
        transact_blocking(&store, move |tx| -> Result<(), StoreError> {
            tx.put_blob("big", 5, &copy)?;
            tx.put_blob("empty", 50, b"")
        })
        .unwrap();
        assert_eq!(store.blob("big").unwrap().unwrap(), big);
        assert_eq!(store.blob("empty").unwrap().unwrap(), b"");
        assert_eq!(store.blob("missing").unwrap(), None);
        assert_eq!(store.blob_names(10).unwrap(), vec!["big".to_string()]);
        transact_blocking(&store, |tx| tx.delete_blob("big")).unwrap();
        assert_eq!(store.blob("big").unwrap(), None);
        assert_eq!(store.blob_names(100).unwrap(), vec!["empty".to_string()]);
    }
}

/// Statements sent ahead without waiting ([`Db::write`]: PostgreSQL's writer pipelines
/// them) still fail their job, and only it. Runs on SQLite, and on PostgreSQL too when
/// `VIGIL_TEST_POSTGRES` names a server (the test command's PostgreSQL pass).
#[cfg(test)]
mod pipelined_writes {
    use std::sync::{mpsc, Arc};

    use crate::sqlite::SqliteStore;
    use crate::{transact_blocking, Event, Store, StoreError};

    fn stores() -> Vec<(tempfile::TempDir, Arc<dyn Store>)> {
        let dir = tempfile::tempdir().unwrap();
        let sqlite: Arc<dyn Store> =
            Arc::new(SqliteStore::open(dir.path().join("vigil.db")).unwrap());
        let mut stores = vec![(dir, sqlite)];
        if let Ok(url) = std::env::var("VIGIL_TEST_POSTGRES") {
            let name = format!(
                "vigil_units_{}_{}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos()
            );
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let (client, connection) =
                    tokio_postgres::connect(&format!("{url}/postgres"), tokio_postgres::NoTls)
                        .await
                        .unwrap();
                tokio::spawn(connection);
                client
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .await
                    .unwrap();
            });
            let pg: Arc<dyn Store> =
                Arc::new(crate::postgres::PgStore::connect(&format!("{url}/{name}")).unwrap());
            stores.push((tempfile::tempdir().unwrap(), pg));
        }
        stores
    }

    fn event() -> Event {
        Event {
            id: "evt_once".into(),
            name: "account.created".into(),
            object_id: "act_x".into(),
            object_type: "account".into(),
            snapshot: serde_json::json!({}),
            context: None,
            created_at: 1,
            actor: None,
        }
    }

    #[test]
    fn a_failed_write_fails_its_job_even_when_the_job_swallowed_what_followed() {
        for (_dir, store) in stores() {
            let (sender, results) = mpsc::channel();
            let first = sender.clone();
            store.submit(crate::job(
                |tx| -> Result<(), StoreError> {
                    tx.set_cursor("kept-not", 5)?;
                    tx.insert_event("env", &event())?;
                    // Its id is taken: refused. On PostgreSQL the insert was only sent;
                    // this read is where its failure shows (the transaction is aborted),
                    // and the job ignores it.
                    tx.insert_event("env", &event())?;
                    let _ = tx.cursor("kept-not");
                    Ok(())
                },
                move |result| first.send(("failing", result)).unwrap(),
            ));
            store.submit(crate::job(
                |tx| -> Result<(), StoreError> { tx.set_cursor("kept", 7) },
                move |result| sender.send(("fine", result)).unwrap(),
            ));
            let mut outcomes: Vec<_> = results.iter().take(2).collect();
            outcomes.sort_by_key(|(name, _)| *name);
            assert!(
                outcomes[0].0 == "failing" && outcomes[0].1.is_err(),
                "{outcomes:?}"
            );
            assert!(
                outcomes[1].0 == "fine" && outcomes[1].1.is_ok(),
                "{outcomes:?}"
            );
            assert_eq!(
                store.cursor("kept-not").unwrap(),
                0,
                "the failed job left nothing"
            );
            assert_eq!(store.cursor("kept").unwrap(), 7, "the other job was kept");
            // The connection carries on.
            transact_blocking(&store, |tx| tx.set_cursor("after", 9)).unwrap();
            assert_eq!(store.cursor("after").unwrap(), 9);
        }
    }
}
