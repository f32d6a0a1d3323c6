//! `vigil mcp`: the agent tool server over stdio, against a vigil server or a Persona
//! tenant. The key comes from the environment so a desktop agent's config holds no secret
//! on its command line.

use std::sync::Arc;

use anyhow::Context;
use rmcp::ServiceExt;
use vigil_domain::ids;
use vigil_domain::tool_call::{ToolCall, EXTERNAL_ENVIRONMENT};
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
    /// A vigil data directory to keep the execution log in (read it with `vigil audit
    /// tail` or `GET /api/v1/tool-calls`); without it calls are logged to stderr only.
    /// Safe beside a running server.
    #[arg(long, env = "VIGIL_MCP_DATA_DIR")]
    data_dir: Option<std::path::PathBuf>,
}

/// Tool calls go to stderr (arguments masked): stdout is the protocol's; and, with a data
/// directory, to its execution log before the result goes back.
struct Log {
    store: Option<StoreLog>,
}

struct StoreLog {
    store: Arc<dyn vigil_store::Store>,
    environment_id: String,
    target: String,
}

impl CallLog for Log {
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
        let Some(log) = &self.store else {
            return;
        };
        let now = vigil_server::now_millis();
        let entry = ToolCall {
            id: ids::new_time_ordered_id(ids::prefix::TOOL_CALL, now),
            caller: call.caller,
            tool: call.tool,
            arguments: call.arguments,
            outcome: call.outcome,
            status: call.status,
            message: call.message,
            latency_ms: call.latency_ms,
            request_id: call.request_id,
            target: log.target.clone(),
            created_at: now,
        };
        let (store, env) = (log.store.clone(), log.environment_id.clone());
        // Written before the result goes back, so no call goes unrecorded.
        let written = tokio::task::block_in_place(|| {
            vigil_store::transact_blocking(&store, move |tx| tx.put(&env, &entry))
        });
        if let Err(error) = written {
            tracing::error!(%error, "the tool call could not be written to the execution log");
        }
    }
}

/// The execution log in `dir`: calls made with one of its keys go to that key's
/// environment, others to `external`.
fn store_log(dir: &std::path::Path, key: &str, target: &str) -> anyhow::Result<(StoreLog, String)> {
    if !dir.join("vigil.db").exists() {
        anyhow::bail!(
            "--data-dir: {} is not a vigil data directory",
            dir.display()
        );
    }
    let store = crate::open_store(dir)?;
    let hash = vigil_server::protocol::context::hash_secret(key);
    let (environment_id, caller) = match store.api_key_by_hash(&hash)? {
        Some((api_key, env)) => (env.id, format!("key {} ({})", api_key.id, api_key.name)),
        None => (
            EXTERNAL_ENVIRONMENT.to_string(),
            "an external key".to_string(),
        ),
    };
    Ok((
        StoreLog {
            store,
            environment_id,
            target: target.to_string(),
        },
        caller,
    ))
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
    let (store, key_caller) = match &args.data_dir {
        Some(dir) => {
            let (log, caller) = store_log(dir, &key, &args.base_url)?;
            (Some(log), caller)
        }
        None => (None, "a key".to_string()),
    };
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
    let caller = format!("{key_caller} on stdio ({})", whoami());
    let server = ToolServer::new(client, settings, Some(Arc::new(Log { store })), caller);
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

#[derive(clap::Args)]
pub struct TailArgs {
    /// The data directory.
    #[arg(long, env = "VIGIL_DATA_DIR", default_value = "./vigil-data")]
    data_dir: std::path::PathBuf,
    /// Only this environment's calls (`sandbox`, `production`, or `external` for calls
    /// made with keys this directory does not hold); default: all.
    #[arg(long)]
    env: Option<String>,
    /// How many of the latest calls.
    #[arg(long, default_value_t = 20)]
    limit: usize,
}

/// `vigil audit tail`: the latest tool calls, oldest first, one line each.
pub fn tail(args: TailArgs) -> anyhow::Result<()> {
    if !args.data_dir.join("vigil.db").exists() {
        anyhow::bail!("{} is not a vigil data directory", args.data_dir.display());
    }
    let store = crate::open_store(&args.data_dir)?;
    let mut environments: Vec<(String, String)> = store
        .environments()?
        .into_iter()
        .map(|e| (e.id, e.name))
        .collect();
    environments.push((EXTERNAL_ENVIRONMENT.into(), EXTERNAL_ENVIRONMENT.into()));
    if let Some(wanted) = &args.env {
        environments.retain(|(_, name)| name == wanted);
        if environments.is_empty() {
            anyhow::bail!("--env: no environment named `{wanted}`");
        }
    }
    let page = vigil_store::PageRequest {
        after: None,
        before: None,
        size: args.limit.max(1),
    };
    let mut calls: Vec<(String, ToolCall)> = Vec::new();
    for (id, name) in &environments {
        let found = store.find::<ToolCall>(id, &vigil_store::RecordFilter::default(), &page)?;
        calls.extend(found.items.into_iter().map(|c| (name.clone(), c)));
    }
    calls.sort_by(|a, b| {
        a.1.created_at
            .cmp(&b.1.created_at)
            .then(a.1.id.cmp(&b.1.id))
    });
    let skip = calls.len().saturating_sub(args.limit);
    for (env, call) in calls.into_iter().skip(skip) {
        println!(
            "{}  {env}  {}  {}  {}  {} ms  {}  {}  {}  {}",
            vigil_domain::time::format_millis(call.created_at),
            call.tool,
            call.outcome,
            call.status.map_or("-".to_string(), |s| s.to_string()),
            call.latency_ms,
            call.arguments,
            call.request_id.as_deref().unwrap_or("-"),
            call.caller,
            call.message.as_deref().unwrap_or(""),
        );
    }
    Ok(())
}
