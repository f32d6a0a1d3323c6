//! [`Db`] over a tokio-postgres connection, called from synchronous code.
//!
//! The connection's socket is driven by the store's own small runtime; a query here only
//! sends a message to it and waits for the answer on a channel, which any thread may do
//! (`futures_executor::block_on`), including a server's async worker, as SQLite's reads
//! block it on disk. vigil's SQL is written with SQLite's `?` / `?N` placeholders: they
//! become `$N` here, and SQLite's `INDEXED BY` hints are dropped (PostgreSQL's planner
//! takes none). Each translated statement is prepared once per connection.
//!
//! The writer's connection pipelines: a statement whose count nobody reads
//! ([`Db::write`], and the writer's savepoints) is sent at once and its answer collected
//! later, so a job's inserts travel together instead of one round trip each. Answers come
//! back in the order statements were sent; a failure aborts the transaction (every later
//! statement fails too), so nothing runs past one unnoticed, and [`Db::settle`] names it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error;
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{BufMut, BytesMut};
use futures_util::StreamExt;
use tokio_postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use tokio_postgres::{Client, Statement};

use crate::sql::{Db, Dialect, Param, Row, ToParam, Value};
use crate::{Result, StoreError};

/// One connection and the statements prepared on it.
pub struct PgConn {
    client: Arc<Client>,
    prepared: RefCell<HashMap<String, Statement>>,
    /// A connection used by one thread only (the writer's) is driven by that thread's own
    /// runtime while it waits: no hop to another thread per statement.
    driver: Option<tokio::runtime::Runtime>,
    /// Statements sent without waiting (only on a connection with a driver), oldest first.
    sent: RefCell<Vec<Sent>>,
    /// The first of them that failed, kept until [`Db::settle`] hands it over: a job that
    /// swallowed the error it caused later must not be kept.
    failure: RefCell<Option<String>>,
}

type Answer = std::result::Result<(), tokio_postgres::Error>;

/// A statement sent ahead: its answer, or the task that will collect it.
enum Sent {
    Answered(Answer),
    Waiting(tokio::task::JoinHandle<Answer>),
}

impl PgConn {
    pub(super) fn new(client: Client) -> PgConn {
        PgConn {
            client: Arc::new(client),
            prepared: RefCell::new(HashMap::new()),
            driver: None,
            sent: RefCell::new(Vec::new()),
            failure: RefCell::new(None),
        }
    }

    /// A connection driven by the calling thread (which must not be a runtime's worker).
    pub(super) fn on_this_thread(config: &tokio_postgres::Config) -> Result<PgConn> {
        let driver = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let client = driver.block_on(async {
            let (client, connection) = config.connect(tokio_postgres::NoTls).await?;
            tokio::spawn(async move {
                if let Err(error) = connection.await {
                    tracing::warn!(error = %StoreError::from(error), "a postgresql connection ended");
                }
            });
            Ok::<_, tokio_postgres::Error>(client)
        })?;
        Ok(PgConn {
            client: Arc::new(client),
            prepared: RefCell::new(HashMap::new()),
            driver: Some(driver),
            sent: RefCell::new(Vec::new()),
            failure: RefCell::new(None),
        })
    }

    /// Wait for `work`, driving the connection here when this thread owns it.
    fn wait<T>(&self, work: impl std::future::Future<Output = T>) -> T {
        match &self.driver {
            Some(driver) => driver.block_on(work),
            None => futures_executor::block_on(work),
        }
    }

    /// Whether the server closed this connection (a pool drops it).
    pub(super) fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    /// Run statements that take no parameters and return nothing (`BEGIN`, `COMMIT`).
    pub(crate) fn batch(&self, sql: &str) -> Result<()> {
        let done = self.wait(self.client.batch_execute(sql));
        self.first_failure(done.map_err(StoreError::from))
    }

    /// [`PgConn::batch`] without waiting for the answer (see [`Db::settle`]).
    pub(crate) fn batch_later(&self, sql: String) -> Result<()> {
        let client = self.client.clone();
        self.send_ahead(async move { client.batch_execute(&sql).await })
    }

    /// Send `statement` now and collect its answer later: on a connection this thread
    /// drives, the first poll encodes and queues the request (tokio-postgres sends before
    /// its first await), and a task on the driver collects the answer whenever this
    /// thread next waits. Elsewhere it simply runs.
    fn send_ahead(&self, statement: impl Future<Output = Answer> + Send + 'static) -> Result<()> {
        let Some(driver) = &self.driver else {
            return Ok(self.wait(statement)?);
        };
        let mut statement = Box::pin(statement);
        let mut context = Context::from_waker(futures_util::task::noop_waker_ref());
        let sent = match statement.as_mut().poll(&mut context) {
            Poll::Ready(answer) => Sent::Answered(answer),
            Poll::Pending => Sent::Waiting(driver.spawn(statement)),
        };
        self.sent.borrow_mut().push(sent);
        Ok(())
    }

    /// `result`, unless a statement sent ahead failed: that failure is the cause (it
    /// aborted the transaction `result` ran in), so it is the one reported.
    fn first_failure<T>(&self, result: Result<T>) -> Result<T> {
        match result {
            Err(error) => {
                self.collect();
                match &*self.failure.borrow() {
                    Some(cause) => Err(StoreError::Postgres(cause.clone())),
                    None => Err(error),
                }
            }
            ok => ok,
        }
    }

    fn statement(&self, sql: &str) -> Result<Statement> {
        if let Some(found) = self.prepared.borrow().get(sql) {
            return Ok(found.clone());
        }
        let prepared = self.wait(self.client.prepare(&translate(sql)))?;
        // Prepared afresh each time: a statement's first runs are planned for their values
        // (it is closed when dropped, after this run). Not on the writer's connection
        // (the one with a driver): its lookups by term name a few records each (an
        // identity key, an account), and planning one afresh on every create was a third
        // of the writer backend's time, more than running it.
        if self.driver.is_none() && sql.contains(crate::sql::PLANNED_EACH_TIME) {
            return Ok(prepared);
        }
        self.prepared
            .borrow_mut()
            .insert(sql.to_string(), prepared.clone());
        Ok(prepared)
    }

    /// Wait for every statement sent ahead; the first failure among them is kept.
    fn collect(&self) {
        let sent = std::mem::take(&mut *self.sent.borrow_mut());
        for sent in sent {
            let answer = match sent {
                Sent::Answered(answer) => answer.map_err(StoreError::from),
                Sent::Waiting(task) => match self.wait(task) {
                    Ok(answer) => answer.map_err(StoreError::from),
                    Err(error) => Err(StoreError::Postgres(format!(
                        "a pipelined statement was lost: {error}"
                    ))),
                },
            };
            if let Err(error) = answer {
                let mut failure = self.failure.borrow_mut();
                if failure.is_none() {
                    *failure = Some(match error {
                        StoreError::Postgres(message) => message,
                        other => other.to_string(),
                    });
                }
            }
        }
    }
}

/// SQLite's placeholders (`?`, `?N`) as PostgreSQL's (`$N`), without `INDEXED BY` hints.
pub(super) fn translate(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut next = 1;
    let mut chars = sql.char_indices().peekable();
    let mut quoted = false;
    while let Some((_, c)) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c != '?' || quoted {
            out.push(c);
            continue;
        }
        let mut digits = String::new();
        while let Some((_, d)) = chars.peek().filter(|(_, d)| d.is_ascii_digit()) {
            digits.push(*d);
            chars.next();
        }
        if digits.is_empty() {
            out.push_str(&format!("${next}"));
            next += 1;
        } else {
            out.push('$');
            out.push_str(&digits);
        }
    }
    while let Some(start) = out.find(" INDEXED BY ") {
        let rest = &out[start + " INDEXED BY ".len()..];
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        out.replace_range(start..start + " INDEXED BY ".len() + end, "");
    }
    out
}

/// A parameter, written as the type PostgreSQL inferred for its placeholder.
#[derive(Debug)]
struct Bound<'a>(Param<'a>);

type BoxError = Box<dyn Error + Sync + Send>;

impl ToSql for Bound<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, BoxError> {
        match self.0 {
            Param::Null => Ok(IsNull::Yes),
            Param::Int(n) => match *ty {
                Type::INT2 => i16::try_from(n)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(n)?.to_sql(ty, out),
                Type::BOOL => (n != 0).to_sql(ty, out),
                Type::FLOAT4 | Type::FLOAT8 => (n as f64).to_sql(&Type::FLOAT8, out),
                Type::TEXT | Type::VARCHAR | Type::UNKNOWN => {
                    out.put_slice(n.to_string().as_bytes());
                    Ok(IsNull::No)
                }
                _ => n.to_sql(&Type::INT8, out),
            },
            Param::Real(x) => match *ty {
                Type::FLOAT4 => (x as f32).to_sql(ty, out),
                _ => x.to_sql(&Type::FLOAT8, out),
            },
            Param::Text(text) => {
                if *ty == Type::JSONB {
                    // JSONB's binary form is a version byte, then the text.
                    out.put_u8(1);
                }
                out.put_slice(text.as_bytes());
                Ok(IsNull::No)
            }
            Param::Bytes(bytes) => {
                out.put_slice(bytes);
                Ok(IsNull::No)
            }
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// Column `i` as a [`Value`].
fn value(row: &tokio_postgres::Row, i: usize) -> Result<Value> {
    let ty = row.columns()[i].type_().clone();
    let value = match ty {
        Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map(Value::Int),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(i)?
            .map(|n| Value::Int(n.into())),
        Type::INT2 => row
            .try_get::<_, Option<i16>>(i)?
            .map(|n| Value::Int(n.into())),
        Type::BOOL => row
            .try_get::<_, Option<bool>>(i)?
            .map(|b| Value::Int(b.into())),
        Type::FLOAT8 => row.try_get::<_, Option<f64>>(i)?.map(Value::Real),
        Type::FLOAT4 => row
            .try_get::<_, Option<f32>>(i)?
            .map(|x| Value::Real(x.into())),
        Type::BYTEA => row.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Bytes),
        Type::TEXT | Type::VARCHAR | Type::NAME | Type::BPCHAR => {
            row.try_get::<_, Option<String>>(i)?.map(Value::Text)
        }
        other => {
            return Err(StoreError::Corrupt(format!(
                "a query returned a column of type {other}, which vigil does not read"
            )))
        }
    };
    Ok(value.unwrap_or(Value::Null))
}

impl Db for PgConn {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn write(&self, sql: &str, params: &[&dyn ToParam]) -> Result<()> {
        if self.driver.is_none() {
            return self.execute(sql, params).map(drop);
        }
        let statement = self.statement(sql)?;
        let owned: Vec<Value> = params.iter().map(|p| p.to_param().to_value()).collect();
        let client = self.client.clone();
        self.send_ahead(async move {
            let bound: Vec<Bound<'_>> = owned.iter().map(|v| Bound(v.as_param())).collect();
            client.execute_raw(&statement, bound.iter()).await.map(drop)
        })
    }

    fn settle(&self) -> Result<()> {
        self.collect();
        match self.failure.borrow_mut().take() {
            Some(cause) => Err(StoreError::Postgres(cause)),
            None => Ok(()),
        }
    }

    fn run(
        &self,
        sql: &str,
        params: &[&dyn ToParam],
        each: &mut dyn FnMut(&Row) -> Result<bool>,
    ) -> Result<()> {
        let statement = self.first_failure(self.statement(sql))?;
        let bound: Vec<Bound<'_>> = params.iter().map(|p| Bound(p.to_param())).collect();
        let done = self.wait(async {
            let rows = self.client.query_raw(&statement, bound.iter()).await?;
            futures_util::pin_mut!(rows);
            while let Some(row) = rows.next().await {
                let row = row?;
                let values = (0..row.len())
                    .map(|i| value(&row, i))
                    .collect::<Result<Vec<_>>>()?;
                if !each(&Row(values))? {
                    break;
                }
            }
            Ok(())
        });
        self.first_failure(done)
    }

    fn execute(&self, sql: &str, params: &[&dyn ToParam]) -> Result<usize> {
        let statement = self.first_failure(self.statement(sql))?;
        let bound: Vec<Bound<'_>> = params.iter().map(|p| Bound(p.to_param())).collect();
        let changed = self.wait(self.client.execute_raw(&statement, bound.iter()));
        self.first_failure(changed.map_err(StoreError::from).map(|n| n as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::translate;

    #[test]
    fn placeholders_and_hints_become_postgres() {
        assert_eq!(
            translate("SELECT a FROM t INDEXED BY t_by_b WHERE b = ? AND c IN (?, ?) LIMIT ?"),
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3) LIMIT $4"
        );
        assert_eq!(
            translate("UPDATE t SET a = ?2 WHERE id = ?1 AND note = 'why?'"),
            "UPDATE t SET a = $2 WHERE id = $1 AND note = 'why?'"
        );
    }
}
