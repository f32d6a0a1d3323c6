//! vigil's agent tool server: every operation of `vigil-client`'s table as an MCP tool
//! (`persona_<operation>`), served with the official Rust SDK (`rmcp`) over stdio or
//! streamable HTTP, against vigil or a Persona tenant.
//!
//! Safety is the server's, not the agent's: tools that change data need `write`, and
//! destructive ones also need to be named in `allow_destructive`; annotations only describe.
//! Every call is handed to a [`CallLog`] with its arguments masked.

mod audit;
mod confirm;
mod results;
mod server;
pub mod tools;

pub use audit::{mask, CallLog, CallRecord};
pub use server::ToolServer;

/// Who calls over HTTP. The host's authentication layer puts it on each HTTP request's
/// extensions; the tool server then calls the API with this caller's own key, so the key's
/// permissions bound what the agent can do.
#[derive(Clone)]
pub struct Caller {
    /// The API key calls are made with. Never logged.
    pub key: String,
    /// Who, for the execution log (e.g. the key's id and name).
    pub label: String,
    /// Where the host files this caller's calls (vigil: the key's environment).
    pub scope: Option<String>,
}

impl std::fmt::Debug for Caller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Caller")
            .field("label", &self.label)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// What the server offers and allows.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Only these toolsets (accounts, inquiries, cases, lists, reports, events, webhooks, keys);
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
    /// How the operator's flags begin (`--` for `vigil mcp`, `--mcp-` for `vigil serve`),
    /// so a refusal says exactly what would allow the call.
    pub flag_prefix: &'static str,
}

impl Settings {
    /// Check the toolset and destructive tool names an operator gave; the error names the
    /// setting and the bad value.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(sets) = &self.toolsets {
            if let Some(unknown) = sets.iter().find(|s| !TOOLSETS.contains(&s.as_str())) {
                return Err(format!(
                    "{}toolsets: `{unknown}` is not a toolset ({})",
                    self.flag_prefix,
                    TOOLSETS.join(", ")
                ));
            }
        }
        for name in &self.allow_destructive {
            let known = name == "*"
                || name
                    .strip_prefix(tools::PREFIX)
                    .and_then(vigil_client::operations::find)
                    .is_some_and(|op| op.effect == vigil_client::Effect::Destructive);
            if !known {
                return Err(format!(
                    "{}allow-destructive: `{name}` is not a destructive tool",
                    self.flag_prefix
                ));
            }
        }
        Ok(())
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            toolsets: None,
            write: false,
            allow_destructive: Vec::new(),
            compact: false,
            max_result_bytes: 24_000,
            flag_prefix: "--",
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
    "keys",
];
