//! The execution log: each tool call to stderr (arguments masked) and, with a store, as a
//! `tool-call` record in vigil's storage, written before the result goes back.

use std::sync::Arc;

use vigil_domain::ids;
use vigil_domain::tool_call::{ToolCall, EXTERNAL_ENVIRONMENT};
use vigil_mcp::{CallLog, CallRecord};

/// Where tool calls are written.
pub struct Log {
    store: Option<StoreLog>,
}

struct StoreLog {
    store: Arc<dyn vigil_store::Store>,
    /// The environment calls are filed under when the call names none.
    environment_id: String,
    /// The API the tools called, as the log shows it.
    target: String,
}

impl Log {
    /// Only stderr.
    pub fn stderr() -> Log {
        Log { store: None }
    }

    /// Also into `store`, under the call's scope (the caller key's environment), else
    /// `environment_id`.
    pub fn store(
        store: Arc<dyn vigil_store::Store>,
        environment_id: String,
        target: String,
    ) -> Log {
        Log {
            store: Some(StoreLog {
                store,
                environment_id,
                target,
            }),
        }
    }
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
        let env = call
            .scope
            .clone()
            .unwrap_or_else(|| log.environment_id.clone());
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
        let store = log.store.clone();
        // Written before the result goes back, so no call goes unrecorded.
        let written = tokio::task::block_in_place(|| {
            vigil_store::transact_blocking(&store, move |tx| tx.put(&env, &entry))
        });
        if let Err(error) = written {
            tracing::error!(%error, "the tool call could not be written to the execution log");
        }
    }
}

/// The execution log in the data directory `dir`, for a tool server using `key`: its
/// calls go to that key's environment, or to `external` for keys the directory does not
/// hold. Returns the log and who the key is.
pub fn in_data_dir(
    dir: &crate::storage::Storage,
    key: &str,
    target: &str,
) -> anyhow::Result<(Log, String)> {
    let store = crate::open_existing(dir).map_err(|e| anyhow::anyhow!("--data-dir: {e:#}"))?;
    let hash = vigil_server::credentials::hash_secret(key);
    let (environment_id, caller) = match store.api_key_by_hash(&hash)? {
        Some((api_key, env)) => (env.id, format!("key {} ({})", api_key.id, api_key.name)),
        None => (
            EXTERNAL_ENVIRONMENT.to_string(),
            "an external key".to_string(),
        ),
    };
    Ok((
        Log::store(store, environment_id, target.to_string()),
        caller,
    ))
}
