//! `vigil audit tail`: the latest tool calls from the execution log.

use vigil_domain::tool_call::{ToolCall, EXTERNAL_ENVIRONMENT};

#[derive(clap::Args)]
pub struct TailArgs {
    #[command(flatten)]
    storage: crate::storage::Storage,
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
    let store = crate::open_existing(&args.storage)?;
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
