//! vigil's agent tool server: every operation of `vigil-client`'s table as an MCP tool
//! (`persona_<operation>`), served with the official Rust SDK (`rmcp`) over stdio or
//! streamable HTTP, against vigil or a Persona tenant.
//!
//! Safety is the server's, not the agent's: tools that change data need `write`, and
//! destructive ones also need to be named in `allow_destructive`; annotations only describe.
//! Every call is handed to a [`CallLog`] with its arguments masked.

mod audit;
mod results;
mod server;
pub mod tools;

pub use audit::{mask, CallLog, CallRecord};
pub use server::ToolServer;

/// What the server offers and allows.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Only these toolsets (accounts, inquiries, cases, lists, reports, events, webhooks);
    /// `None` offers all.
    pub toolsets: Option<Vec<String>>,
    /// Allow tools that change data.
    pub write: bool,
    /// Destructive tools allowed (tool names, or `*`); they also need `write`.
    pub allow_destructive: Vec<String>,
    /// Offer three tools (search, describe, run) instead of one per operation, for hosts
    /// that limit how many tools a server may have.
    pub compact: bool,
    /// The largest result, in bytes of JSON; larger ones are cut and say so.
    pub max_result_bytes: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            toolsets: None,
            write: false,
            allow_destructive: Vec::new(),
            compact: false,
            max_result_bytes: 24_000,
        }
    }
}

/// Every toolset's name.
pub const TOOLSETS: &[&str] = &[
    "accounts",
    "inquiries",
    "cases",
    "lists",
    "reports",
    "events",
    "webhooks",
];
