//! `vigil mcp`: the agent tool server over stdio, against a vigil server or a Persona
//! tenant. The key comes from the environment so a desktop agent's config holds no secret
//! on its command line.

use std::sync::Arc;

use anyhow::Context;
use rmcp::ServiceExt;
use vigil_mcp::{CallLog, CallRecord, Settings, ToolServer, TOOLSETS};

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
    /// reports, events, webhooks.
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
}

/// Tool calls go to stderr (arguments masked): stdout is the protocol's.
struct StderrLog;

impl CallLog for StderrLog {
    fn record(&self, call: CallRecord) {
        tracing::info!(
            tool = %call.tool,
            outcome = %call.outcome,
            status = ?call.status,
            latency_ms = call.latency_ms,
            request_id = ?call.request_id,
            arguments = %call.arguments,
            caller = %call.caller,
            "tool call"
        );
    }
}

pub fn run(args: McpArgs) -> anyhow::Result<()> {
    let key = std::env::var("VIGIL_API_KEY")
        .or_else(|_| std::env::var("PERSONA_API_KEY"))
        .context("set VIGIL_API_KEY (or PERSONA_API_KEY) to the API key the tools use")?;
    if let Some(sets) = &args.toolsets {
        if let Some(unknown) = sets.iter().find(|s| !TOOLSETS.contains(&s.as_str())) {
            anyhow::bail!(
                "--toolsets: `{unknown}` is not a toolset ({})",
                TOOLSETS.join(", ")
            );
        }
    }
    for name in &args.allow_destructive {
        let known = name == "*"
            || name
                .strip_prefix(vigil_mcp::tools::PREFIX)
                .and_then(vigil_client::operations::find)
                .is_some_and(|op| op.effect == vigil_client::Effect::Destructive);
        if !known {
            anyhow::bail!("--allow-destructive: `{name}` is not a destructive tool");
        }
    }
    let mut config = vigil_client::Config::new(&args.base_url, key);
    config.version = args.persona_version.clone();
    let client = vigil_client::Client::new(config)?;
    let settings = Settings {
        toolsets: args.toolsets,
        write: args.write,
        allow_destructive: args.allow_destructive,
        compact: args.compact,
        max_result_bytes: args.max_result_bytes.max(1_000),
    };
    let caller = format!("stdio ({})", whoami());
    let server = ToolServer::new(client, settings, Some(Arc::new(StderrLog)), caller);
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
