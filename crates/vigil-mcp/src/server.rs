//! The MCP server: lists the tools the settings offer, and runs a call through the policy,
//! the client, and the result shaping, writing it to the call log.

use std::sync::Arc;
use std::time::Instant;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};
use serde_json::{json, Map, Value};
use vigil_client::{operations, Client, Effect, Error, Operation, Returns};

use crate::audit::{mask, CallLog, CallRecord};
use crate::confirm::{self, Confirmation};
use crate::{results, tools, Caller, Settings};

const SEARCH: &str = "persona_search_tools";
const DESCRIBE: &str = "persona_describe_tool";
const RUN: &str = "persona_run_tool";

#[derive(Clone)]
pub struct ToolServer {
    client: Client,
    settings: Arc<Settings>,
    /// What `tools/list` answers, made once: the settings never change.
    tools: Arc<Vec<Tool>>,
    log: Option<Arc<dyn CallLog>>,
    /// Who is calling, for the log (the key's name or id; the MCP client's name is added).
    caller: String,
}

/// Who a call is from, and the client that acts for them.
struct Identity {
    client: Client,
    label: String,
    scope: Option<String>,
}

enum Resolved {
    /// Answered without the API (the compact mode's search and describe, its errors).
    Answer(CallToolResult),
    Run(&'static Operation, Map<String, Value>),
}

/// Why a call did not reach the API, or what the API said, for the agent to act on.
struct Failure {
    outcome: &'static str,
    status: Option<u16>,
    message: String,
    request_id: Option<String>,
}

impl ToolServer {
    /// The tools over the API at `base_url`, called with `key` (empty: each caller's own
    /// key, set per call) in Persona-Version `version` (the key's default when `None`).
    pub fn for_api(
        base_url: &str,
        key: String,
        version: Option<String>,
        settings: Settings,
        log: Option<Arc<dyn CallLog>>,
        caller: impl Into<String>,
    ) -> Result<ToolServer, vigil_client::Error> {
        let mut config = vigil_client::Config::new(base_url, key);
        config.version = version;
        let client = Client::new(config)?;
        Ok(ToolServer::new(client, settings, log, caller))
    }

    pub fn new(
        client: Client,
        settings: Settings,
        log: Option<Arc<dyn CallLog>>,
        caller: impl Into<String>,
    ) -> ToolServer {
        let mut server = ToolServer {
            client,
            settings: Arc::new(settings),
            tools: Arc::default(),
            log,
            caller: caller.into(),
        };
        server.tools = Arc::new(server.tool_list());
        server
    }

    /// The operations this server offers (its toolsets).
    fn offered(&self) -> impl Iterator<Item = &'static Operation> + '_ {
        operations::all().iter().filter(|op| {
            self.settings
                .toolsets
                .as_ref()
                .is_none_or(|sets| sets.iter().any(|s| s == &op.toolset))
        })
    }

    fn operation(&self, tool: &str) -> Option<&'static Operation> {
        let name = tool.strip_prefix(tools::PREFIX)?;
        self.offered().find(|op| op.name == name)
    }

    /// Whether this server lets `op` run; if not, what would.
    fn permit(&self, op: &Operation) -> Result<(), String> {
        let name = tools::name(op);
        let allowed = |list: &[String]| list.iter().any(|a| a == "*" || *a == name);
        match op.effect {
            Effect::Read => Ok(()),
            Effect::Write if self.settings.write => Ok(()),
            Effect::Destructive if self.settings.write && allowed(&self.settings.allow_destructive) => {
                Ok(())
            }
            Effect::Write => Err(format!(
                "{name} changes data and this tool server is read-only; the operator can allow changes with {p}write (VIGIL_MCP_WRITE=true)",
                p = self.settings.flag_prefix,
            )),
            Effect::Destructive => Err(format!(
                "{name} is destructive (hard or impossible to undo) and this tool server does not allow it; the operator can allow it with {p}write {p}allow-destructive {name}",
                p = self.settings.flag_prefix,
            )),
        }
    }

    /// What the tool description adds about this server's policy.
    fn note(&self, op: &Operation) -> Option<String> {
        self.permit(op)
            .err()
            .map(|why| format!("Not allowed on this server: {why}."))
    }

    fn tool_list(&self) -> Vec<Tool> {
        if self.settings.compact {
            return compact_tools();
        }
        self.offered()
            .map(|op| tools::tool(op, self.note(op).as_deref()))
            .collect()
    }

    /// Run `op` with `args`: the policy, the client, the result's shape.
    async fn run(
        &self,
        client: &Client,
        op: &Operation,
        args: &Map<String, Value>,
    ) -> Result<(Value, u16, Option<String>), Failure> {
        self.permit(op).map_err(|message| Failure {
            outcome: "refused",
            status: None,
            message,
            request_id: None,
        })?;
        let response = client
            .call(&op.name, args)
            .await
            .map_err(|error| failure(op, error))?;
        let cap = self.settings.max_result_bytes;
        let shaped = match op.returns {
            Returns::List => results::page(&response, cap),
            Returns::Object => results::object(&response, cap),
        };
        Ok((shaped, response.status, response.request_id))
    }

    /// What a call is: one of the compact mode's own answers, or an operation to run.
    fn resolve(&self, name: &str, args: Map<String, Value>) -> Result<Resolved, McpError> {
        if self.settings.compact {
            match name {
                SEARCH => return Ok(Resolved::Answer(self.search(&args))),
                DESCRIBE => return Ok(Resolved::Answer(self.describe(&args))),
                RUN => {
                    let Some(tool) = args.get("tool").and_then(Value::as_str) else {
                        return Ok(Resolved::Answer(tool_error(
                            "argument `tool`: is required (a tool name from persona_search_tools)",
                        )));
                    };
                    let inner = match args.get("arguments") {
                        None | Some(Value::Null) => Map::new(),
                        Some(Value::Object(map)) => map.clone(),
                        Some(_) => {
                            return Ok(Resolved::Answer(tool_error(
                                "argument `arguments`: must be an object",
                            )))
                        }
                    };
                    return Ok(match self.operation(tool) {
                        Some(op) => Resolved::Run(op, inner),
                        None => Resolved::Answer(tool_error(&format!("argument `tool`: `{tool}` is not a tool of this server; persona_search_tools lists them"))),
                    });
                }
                _ => {}
            }
        }
        match self.operation(name).filter(|_| !self.settings.compact) {
            Some(op) => Ok(Resolved::Run(op, args)),
            None => Err(McpError::invalid_params(
                format!("`{name}` is not a tool of this server"),
                None,
            )),
        }
    }

    /// Who this call is from: the caller the host put on the HTTP request (over HTTP,
    /// each call runs with its caller's key), else this server's own key.
    fn identity(&self, context: &RequestContext<RoleServer>) -> Identity {
        let client_name = context.client_info().map(|info| info.name);
        let from_http = context
            .extensions
            .get::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<Caller>());
        let (client, label, scope) = match from_http {
            Some(caller) => (
                self.client.with_key(&caller.key),
                caller.label.clone(),
                caller.scope.clone(),
            ),
            None => (self.client.clone(), self.caller.clone(), None),
        };
        let label = match client_name {
            Some(client_name) => format!("{label} via {client_name}"),
            None => label,
        };
        Identity {
            client,
            label,
            scope,
        }
    }

    /// Run and write the call to the log.
    async fn logged(
        &self,
        who: &Identity,
        op: &Operation,
        args: Map<String, Value>,
    ) -> CallToolResult {
        let started = Instant::now();
        let outcome = self.run(&who.client, op, &args).await;
        let latency_ms = started.elapsed().as_millis() as u64;
        let (outcome, status, message, request_id, result) = match outcome {
            Ok((value, status, request_id)) => (
                "ok",
                Some(status),
                None,
                request_id,
                CallToolResult::structured(value),
            ),
            Err(failure) => (
                failure.outcome,
                failure.status,
                Some(failure.message.clone()),
                failure.request_id,
                tool_error(&failure.message),
            ),
        };
        let record = CallRecord {
            caller: who.label.clone(),
            scope: who.scope.clone(),
            tool: tools::name(op),
            arguments: mask(&args),
            outcome: outcome.into(),
            status,
            message,
            latency_ms,
            request_id,
        };
        self.write(record);
        result
    }

    fn write(&self, record: CallRecord) {
        if let Some(log) = &self.log {
            log.record(record);
        }
    }

    fn search(&self, args: &Map<String, Value>) -> CallToolResult {
        let query = args
            .get("query")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_lowercase();
        let words: Vec<&str> = query.split_whitespace().collect();
        let found: Vec<Value> = self
            .offered()
            .filter(|op| {
                let text = format!("{} {} {} {}", op.name, op.title, op.toolset, op.description)
                    .to_lowercase();
                words.iter().all(|w| text.contains(w))
            })
            .map(|op| {
                json!({"name": tools::name(op), "title": op.title, "toolset": op.toolset,
                       "effect": effect_name(op.effect), "allowed": self.permit(op).is_ok()})
            })
            .collect();
        CallToolResult::structured(json!({ "tools": found }))
    }

    fn describe(&self, args: &Map<String, Value>) -> CallToolResult {
        let Some(name) = args.get("tool").and_then(Value::as_str) else {
            return tool_error("argument `tool`: is required");
        };
        let Some(op) = self.operation(name) else {
            return tool_error(&format!(
                "argument `tool`: `{name}` is not a tool of this server"
            ));
        };
        let tool = tools::tool(op, self.note(op).as_deref());
        CallToolResult::structured(serde_json::to_value(tool).unwrap_or_default())
    }
}

fn effect_name(effect: Effect) -> &'static str {
    match effect {
        Effect::Read => "read",
        Effect::Write => "write",
        Effect::Destructive => "destructive",
    }
}

fn tool_error(message: &str) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message.to_string())])
}

/// The argument an API error's pointer names (`/data/attributes/name-first` →
/// `name_first`), when the operation has that parameter.
fn argument_of(op: &Operation, pointer: &str) -> Option<String> {
    let last = pointer.trim_end_matches('/').rsplit('/').next()?;
    let name = last.replace('-', "_");
    op.param(&name).map(|p| p.name.clone())
}

fn failure(op: &Operation, error: Error) -> Failure {
    let status = error.status();
    let request_id = error.request_id().map(String::from);
    let message = match &error {
        Error::InvalidArgument { name, message } => format!("argument `{name}`: {message}"),
        Error::RateLimited { retry_after, .. } => format!(
            "rate limited by the API: retry in {} s",
            retry_after.as_secs().max(1)
        ),
        Error::Unauthorized { .. } => {
            "the API refused the key this tool server was given (HTTP 401); the operator must set a valid VIGIL_API_KEY".into()
        }
        Error::Api { status, errors, .. } => {
            let said: Vec<String> = errors
                .iter()
                .map(|e| {
                    let text = e.details.clone().unwrap_or_else(|| e.title.clone());
                    match e.pointer.as_deref().and_then(|p| argument_of(op, p)) {
                        Some(argument) => format!("argument `{argument}`: {text}"),
                        None => text,
                    }
                })
                .collect();
            let hint = match status {
                404 => " (check the id)",
                403 => " (the API key lacks the permission)",
                409 => " (the object's state does not allow this now)",
                _ => "",
            };
            format!("HTTP {status}: {}{hint}", said.join("; "))
        }
        Error::Transport(_) | Error::Decode(_) => error.to_string(),
    };
    Failure {
        outcome: if matches!(error, Error::InvalidArgument { .. }) {
            "invalid"
        } else {
            "error"
        },
        status,
        message,
        request_id,
    }
}

/// The compact mode's three tools.
fn compact_tools() -> Vec<Tool> {
    let schema = |value: Value| match value {
        Value::Object(map) => Arc::new(map),
        _ => unreachable!(),
    };
    let read = rmcp::model::ToolAnnotations::new()
        .read_only(true)
        .destructive(false)
        .idempotent(true)
        .open_world(false);
    vec![
        Tool::new(
            SEARCH,
            "Find the Persona API tools this server has: every word of the query must appear in a tool's name, title or description (empty: all). Then describe one with persona_describe_tool and call it with persona_run_tool.",
            schema(json!({"type": "object", "properties": {"query": {"type": "string", "description": "Words to look for, e.g. \"account tag\"."}}, "additionalProperties": false})),
        )
        .with_title("Search tools")
        .with_annotations(read.clone()),
        Tool::new(
            DESCRIBE,
            "Show one tool's description, argument schema and what it changes.",
            schema(json!({"type": "object", "properties": {"tool": {"type": "string", "description": "A tool name from persona_search_tools."}}, "required": ["tool"], "additionalProperties": false})),
        )
        .with_title("Describe a tool")
        .with_annotations(read),
        Tool::new(
            RUN,
            "Run one tool with its arguments (see persona_describe_tool). The same policy applies as to the tool itself: changes need write access, destructive tools an explicit allowance.",
            schema(json!({"type": "object", "properties": {"tool": {"type": "string", "description": "The tool's name."}, "arguments": {"type": "object", "description": "Its arguments."}}, "required": ["tool"], "additionalProperties": false})),
        )
        .with_title("Run a tool")
        .with_annotations(
            rmcp::model::ToolAnnotations::new()
                .read_only(false)
                .destructive(true)
                .idempotent(false)
                .open_world(false),
        ),
    ]
}

impl ServerHandler for ToolServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new("vigil", env!("CARGO_PKG_VERSION")).with_title("vigil: Persona's API as tools"),
            )
            .with_instructions(
                "Tools over Persona's API (a vigil server or a Persona tenant): accounts, inquiries, cases, lists, reports, events and webhooks. Lists are paged: pass next_cursor back as cursor. Tools that change data are refused unless the operator allowed them; a refusal says how.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(self.tools.to_vec()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.tools.iter().find(|t| t.name == name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let args = request.arguments.clone().unwrap_or_default();
        let (op, args) = match self.resolve(&request.name, args)? {
            Resolved::Answer(result) => return Ok(result.into()),
            Resolved::Run(op, args) => (op, args),
        };
        let who = self.identity(&context);
        // Ask only about a call that would run: permitted, and with valid arguments (a bad
        // one is reported without bothering the person).
        let runnable = self.permit(op).is_ok() && operations::build(op, &args).is_ok();
        if op.effect == Effect::Destructive && runnable {
            let tool = tools::name(op);
            let shown = mask(&args);
            match confirm::confirm(&tool, &op.title, &args, &shown, &request, &context).await {
                Confirmation::Proceed => {}
                Confirmation::Ask(input_required) => return Ok(input_required.into()),
                Confirmation::Stop(message) => {
                    self.write(CallRecord {
                        caller: who.label,
                        scope: who.scope,
                        tool,
                        arguments: shown,
                        outcome: "declined".into(),
                        status: None,
                        message: Some(message.clone()),
                        latency_ms: 0,
                        request_id: None,
                    });
                    return Ok(tool_error(&message).into());
                }
            }
        }
        Ok(self.logged(&who, op, args).await.into())
    }
}
