//! The agent tool server's faces: `vigil mcp` over stdio, against a vigil server or a
//! Persona tenant (the key comes from the environment so a desktop agent's config holds no
//! secret on its command line), and `/mcp` over streamable HTTP on `vigil serve`
//! ([`http`]); the execution log both write ([`log`]) and `vigil audit tail` ([`tail`]).

pub mod http;
pub mod log;
pub mod tail;

use std::sync::Arc;

use anyhow::Context;
use rmcp::ServiceExt;
use vigil_mcp::{Settings, ToolServer};

use log::Log;

#[derive(clap::Args)]
pub struct McpArgs {
    /// The API the tools call: a vigil server's `/api/v1`, or
    /// `https://api.withpersona.com/api/v1`. The key is read from VIGIL_API_KEY (or
    /// PERSONA_API_KEY).
    #[arg(
        long,
        env = "VIGIL_BASE_URL",
        default_value = "http://127.0.0.1:8080/api/v1"
    )]
    base_url: String,
    /// `Persona-Version` to send (default: the key's).
    #[arg(long, env = "VIGIL_PERSONA_VERSION")]
    persona_version: Option<String>,
    /// Offer only these toolsets (comma-separated): accounts, inquiries, cases, lists,
    /// reports, events, webhooks, keys.
    #[arg(long, env = "VIGIL_MCP_TOOLSETS", value_delimiter = ',')]
    toolsets: Option<Vec<String>>,
    /// Allow tools that change data (read-only without it).
    #[arg(long, env = "VIGIL_MCP_WRITE")]
    write: bool,
    /// Destructive tools to allow (comma-separated tool names, or `*`); they also need
    /// --write.
    #[arg(long, env = "VIGIL_MCP_ALLOW_DESTRUCTIVE", value_delimiter = ',')]
    allow_destructive: Vec<String>,
    /// Offer three tools (search, describe, run) instead of one per operation.
    #[arg(long, env = "VIGIL_MCP_COMPACT")]
    compact: bool,
    /// The largest tool result, in bytes of JSON; larger ones are cut and say so.
    #[arg(long, env = "VIGIL_MCP_MAX_RESULT_BYTES", default_value_t = 24_000)]
    max_result_bytes: usize,
    /// A vigil data directory to keep the execution log in (read it with `vigil audit
    /// tail` or `GET /api/v1/tool-calls`); without it calls are logged to stderr only.
    /// Safe beside a running server.
    #[arg(long, env = "VIGIL_MCP_DATA_DIR")]
    data_dir: Option<std::path::PathBuf>,
    /// The PostgreSQL database of that vigil, when it keeps its records there.
    #[arg(long, env = "VIGIL_DATABASE_URL", requires = "data_dir")]
    database: Option<String>,
}

/// The tool server's settings from an operator's flags (which begin with `flag_prefix`),
/// checked.
pub fn settings(
    flag_prefix: &'static str,
    toolsets: Option<Vec<String>>,
    write: bool,
    allow_destructive: Vec<String>,
    compact: bool,
    max_result_bytes: usize,
) -> anyhow::Result<Settings> {
    let settings = Settings {
        toolsets,
        write,
        allow_destructive,
        compact,
        max_result_bytes: max_result_bytes.max(1_000),
        flag_prefix,
    };
    settings.validate().map_err(|why| anyhow::anyhow!(why))?;
    Ok(settings)
}

pub fn run(args: McpArgs) -> anyhow::Result<()> {
    let key = crate::api_key("the API key the tools use")?;
    let settings = settings(
        "--",
        args.toolsets,
        args.write,
        args.allow_destructive,
        args.compact,
        args.max_result_bytes,
    )?;
    let (log, key_caller) = match &args.data_dir {
        Some(dir) => {
            let storage = crate::storage::Storage {
                data_dir: dir.clone(),
                database: args.database.clone(),
            };
            log::in_data_dir(&storage, &key, &args.base_url)?
        }
        None => (Log::stderr(), "a key".to_string()),
    };
    let caller = format!("{key_caller} on stdio ({})", whoami());
    let version = args.persona_version.clone();
    let log: Arc<dyn vigil_mcp::CallLog> = Arc::new(log);
    let server = ToolServer::for_api(&args.base_url, key, version, settings, Some(log), caller)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let service = server
            .serve(rmcp::transport::stdio())
            .await
            .context("starting the MCP session on stdio")?;
        service.waiting().await.context("the MCP session")?;
        Ok(())
    })
}

fn whoami() -> String {
    std::env::var("USER").unwrap_or_else(|_| "unknown user".into())
}
