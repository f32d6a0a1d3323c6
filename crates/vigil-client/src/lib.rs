//! A typed async client for Persona's REST API, usable against
//! `https://api.withpersona.com/api/v1` or a vigil server (`http://HOST:PORT/api/v1`).
//!
//! ```no_run
//! # async fn example() -> Result<(), vigil_client::Error> {
//! use vigil_client::{operations, Client, Config};
//! let client = Client::new(Config::new("http://127.0.0.1:8080/api/v1", "persona_sandbox_..."))?;
//! let args = serde_json::json!({"reference_id": "user-42", "name_first": "Jane"});
//! let created = client.call("create_account", args.as_object().unwrap()).await?;
//! let mut cursor = None;
//! loop {
//!     let page = client.call_page("list_accounts", &Default::default(), cursor).await?;
//!     cursor = page.next_cursor();
//!     if cursor.is_none() { break; }
//! }
//! # Ok(()) }
//! ```
//!
//! Requests and answers use `Key-Inflection: snake`, so arguments and attributes are
//! Persona's names in snake_case.

mod client;
pub mod error;
pub mod operations;

pub use client::{Client, Config, Download, Request, Response};
pub use error::{Error, ErrorItem};
pub use operations::{Effect, Operation, Returns};
pub use reqwest::Method;

use serde_json::{Map, Value};

impl Client {
    /// Run the operation named `name` (see `operations.toml`) with `args`.
    pub async fn call(&self, name: &str, args: &Map<String, Value>) -> Result<Response, Error> {
        let op = operations::find(name).ok_or_else(|| Error::InvalidArgument {
            name: "operation".into(),
            message: format!("`{name}` is not an operation"),
        })?;
        self.send(operations::build(op, args)?).await
    }

    /// Run a list operation from `cursor` (`None`: the first page).
    pub async fn call_page(
        &self,
        name: &str,
        args: &Map<String, Value>,
        cursor: Option<String>,
    ) -> Result<Response, Error> {
        let mut args = args.clone();
        if let Some(cursor) = cursor {
            args.insert("cursor".into(), Value::String(cursor));
        }
        self.call(name, &args).await
    }
}
