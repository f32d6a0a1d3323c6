//! The tool server driven by an independent client, the official Python MCP SDK (PyPI
//! `mcp`, installed by `.ci/run`), over stdio (`vigil mcp`) and over streamable HTTP
//! (`/mcp` on `vigil serve`), in the current protocol and in the older initialize
//! handshake: tools listed with their schemas, a read, a write refused then allowed, a
//! destructive tool refused, then allowed but declined by the person when asked to confirm,
//! then confirmed; invalid arguments; compact mode. Every structured result is validated
//! against the tool's own output schema.

use serde_json::Value;

use crate::common::{Server, BIN};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mcp/client.py");

/// What the Python client saw running `phases` over `transport` (`stdio` against
/// `server`'s API, `http` against its `/mcp`), or None (with a notice) when the SDK is not
/// installed outside CI.
fn python_client(server: &Server, transport: &str, mode: &str, phases: &[&str]) -> Option<Value> {
    let mut python = std::process::Command::new("python3");
    // The tool server it starts keeps its log in the server's data (and database).
    if let Some(database) = crate::common::postgres_database(&server.data_dir) {
        python.env("VIGIL_DATABASE_URL", database);
    }
    let out = python
        .arg(SCRIPT)
        .args([transport, mode])
        .args(phases)
        .env("VIGIL_BIN", BIN)
        .env("VIGIL_BASE_URL", format!("{}/api/v1", server.base))
        .env("VIGIL_MCP_URL", format!("{}/mcp", server.base))
        .env("VIGIL_API_KEY", &server.sandbox_key)
        .env("VIGIL_MCP_DATA_DIR", &server.data_dir)
        .env("VIGIL_LOG", "warn")
        .output()
        .expect("python3 runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() && stderr.contains("No module named 'mcp'") {
        crate::common::skip::skipped(
            "the official Python MCP SDK's checks of the tool server",
            "its package is not installed: run bash scripts/test, or pip install mcp==2.3.0",
        );
        return None;
    }
    assert!(out.status.success(), "the MCP client failed:\n{stderr}");
    Some(serde_json::from_slice(&out.stdout).expect("one JSON line"))
}

fn text<'a>(seen: &'a Value, step: &str) -> &'a str {
    assert_eq!(seen[step]["error"], true, "{step}: {}", seen[step]);
    seen[step]["text"].as_str().unwrap()
}

/// The structured result of `step`, checked against `tool`'s output schema.
fn structured<'a>(seen: &'a Value, step: &str, tool: &str) -> &'a Value {
    assert_eq!(seen[step]["error"], false, "{step}: {}", seen[step]);
    let result = &seen[step]["structured"];
    let schema = &seen["schemas"][tool]["output"];
    let validator = jsonschema::validator_for(schema).expect("the output schema compiles");
    if let Err(error) = validator.validate(result) {
        panic!("{step}: the result does not match {tool}'s output schema: {error}\n{result}");
    }
    result
}

/// Every tool has a title, a description, schemas and truthful annotations.
fn tools_are_described(seen: &Value) {
    // One tool per operation, each with a title, description, schemas and annotations.
    let tools: Vec<&str> = seen["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(tools.len(), vigil_client::operations::all().len());
    for (name, tool) in seen["schemas"].as_object().unwrap() {
        assert!(name.starts_with("persona_"), "{name}");
        assert!(
            tool["title"].as_str().is_some_and(|t| !t.is_empty()),
            "{name}"
        );
        assert!(
            tool["description"].as_str().is_some_and(|d| d.len() > 20),
            "{name}"
        );
        let input = &tool["input"];
        assert_eq!(input["type"], "object", "{name}");
        assert_eq!(input["additionalProperties"], false, "{name}");
        for (arg, schema) in input["properties"].as_object().unwrap() {
            assert!(
                arg.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{name}.{arg}"
            );
            assert!(
                schema["description"].as_str().is_some(),
                "{name}.{arg} is documented"
            );
        }
        jsonschema::validator_for(input).expect("the input schema compiles");
        jsonschema::validator_for(&tool["output"]).expect("the output schema compiles");
        let hints = &tool["annotations"];
        let op = vigil_client::operations::find(&name["persona_".len()..]).unwrap();
        let read_only = op.effect == vigil_client::Effect::Read;
        assert_eq!(hints["readOnlyHint"], read_only, "{name}");
        assert_eq!(
            hints["destructiveHint"],
            op.effect == vigil_client::Effect::Destructive,
            "{name}"
        );
        if name.starts_with("persona_list_") || name.starts_with("persona_retrieve_") {
            assert!(read_only, "{name} reads");
        }
    }
    let redact = &seen["schemas"]["persona_redact_account"]["annotations"];
    assert_eq!(redact["destructiveHint"], true);
    assert_eq!(redact["readOnlyHint"], false);
    let tag = &seen["schemas"]["persona_add_account_tag"];
    assert_eq!(tag["annotations"]["destructiveHint"], false);
    assert_eq!(tag["annotations"]["idempotentHint"], true);
    assert_eq!(
        tag["input"]["required"],
        serde_json::json!(["account_id", "tag_name"])
    );
    assert_eq!(
        seen["schemas"]["persona_list_webhooks"]["input"]["properties"]["status"]["enum"],
        serde_json::json!(["enabled", "disabled", "archived"])
    );
}

/// The calls both transports make: a read, refusals, errors naming the argument, writes,
/// and a destructive call confirmed by the person. `write_flag` is how the operator allows
/// writes on this face.
fn calls_behave(seen: &Value, write_flag: &str) {
    // A read, paged.
    let listed = structured(seen, "list", "persona_list_accounts");
    assert_eq!(listed["items"], serde_json::json!([]));
    // Read-only by default: the write is refused and says how to allow it.
    let refused = text(seen, "write_refused");
    assert!(refused.contains(write_flag), "{refused}");
    // Bad calls name the argument.
    assert!(text(seen, "invalid").contains("argument `bogus`"));
    assert!(text(seen, "missing").contains("HTTP 404"));
    let bad = text(seen, "bad_value");
    assert!(bad.contains("argument `birthdate`"), "{bad}");
    // With --write: a write, then a tag.
    let created = structured(seen, "created", "persona_create_account");
    assert_eq!(created["object"]["attributes"]["reference_id"], "mcp-1");
    let tagged = structured(seen, "tagged", "persona_add_account_tag");
    assert_eq!(
        tagged["object"]["attributes"]["tags"],
        serde_json::json!(["agent"])
    );
    // Destructive: refused unless named; named, the person is asked to confirm: declined,
    // nothing happens; confirmed, it is done.
    assert!(text(seen, "destructive_refused")
        .contains("allow-destructive persona_consolidate_accounts"));
    let declined = text(seen, "destructive_declined");
    assert!(
        declined.contains("declined") && declined.contains("nothing was changed"),
        "{declined}"
    );
    let redacted = structured(seen, "destructive_allowed", "persona_redact_account");
    assert!(redacted["object"]["attributes"]["redacted_at"].is_string());
    let asked = seen["asked"].as_array().unwrap();
    // Asked once per call that would run: not for one with a bad argument.
    let invalid = text(seen, "destructive_invalid");
    assert!(invalid.contains("argument `bogus`"), "{invalid}");
    assert_eq!(asked.len(), 2, "asked once per call: {asked:?}");
    for form in asked {
        let message = form["message"].as_str().unwrap();
        assert!(message.contains("persona_redact_account"), "{message}");
        assert!(
            message.contains(seen["account"].as_str().unwrap()),
            "{message}"
        );
        assert_eq!(form["schema"]["properties"]["confirm"]["type"], "boolean");
    }
}

#[tokio::test]
async fn an_independent_mcp_client_lists_and_calls_tools_over_stdio() {
    for mode in ["auto", "legacy"] {
        let server = Server::start();
        let phases = ["read_only", "writer", "destroyer", "compact"];
        let Some(seen) = python_client(&server, "stdio", mode, &phases) else {
            return;
        };
        tools_are_described(&seen);
        calls_behave(&seen, "--write");
        let created = &seen["created"]["structured"];
        // Compact mode: three tools, search finds the tag tool, run goes through.
        assert_eq!(
            seen["compact_tools"],
            serde_json::json!([
                "persona_search_tools",
                "persona_describe_tool",
                "persona_run_tool"
            ])
        );
        let found: Vec<&str> = seen["compact_search"]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert!(found.contains(&"persona_add_account_tag"), "{found:?}");
        assert!(
            !found.contains(&"persona_list_cases"),
            "only the accounts toolset"
        );
        assert_eq!(seen["compact_run"]["error"], false);
        assert_eq!(
            seen["compact_run"]["structured"]["items"][0]["id"],
            created["object"]["id"]
        );
        let log = execution_log(&server).await;
        assert_eq!(outcomes(&log, "persona_create_account"), ["ok", "refused"]);
        assert_eq!(
            outcomes(&log, "persona_redact_account"),
            ["ok", "declined", "invalid"]
        );
        assert_eq!(outcomes(&log, "persona_consolidate_accounts"), ["refused"]);
        assert_eq!(outcomes(&log, "persona_update_account"), ["error"]);
        assert_eq!(
            outcomes(&log, "persona_retrieve_account"),
            ["error", "invalid"]
        );
        assert_eq!(
            outcomes(&log, "persona_list_accounts"),
            ["ok", "ok"],
            "the compact run is logged as the tool it ran"
        );
        log_is_masked(&server, &log, "on stdio").await;
        audit_tail_shows_the_latest(&server);
    }
}

#[tokio::test]
async fn an_independent_mcp_client_calls_tools_over_http_with_its_own_key() {
    for mode in ["auto", "legacy"] {
        // /mcp is read-only unless the server allows more.
        let reader = Server::start();
        let writer = Server::start_with(&[
            "--mcp-write",
            "--mcp-allow-destructive",
            "persona_redact_account",
        ]);
        let Some(mut seen) = python_client(&reader, "http", mode, &["read_only"]) else {
            return;
        };
        let more = python_client(&writer, "http", mode, &["writer", "destroyer"]).unwrap();
        seen.as_object_mut()
            .unwrap()
            .extend(more.as_object().unwrap().clone());
        tools_are_described(&seen);
        calls_behave(&seen, "--mcp-write");
        // Each server logs its own calls, under the caller key's environment.
        let log = execution_log(&reader).await;
        assert_eq!(outcomes(&log, "persona_create_account"), ["refused"]);
        assert_eq!(
            outcomes(&log, "persona_retrieve_account"),
            ["error", "invalid"]
        );
        log_is_masked(&reader, &log, "over HTTP").await;
        let log = execution_log(&writer).await;
        assert_eq!(outcomes(&log, "persona_create_account"), ["ok"]);
        assert_eq!(
            outcomes(&log, "persona_redact_account"),
            ["ok", "declined", "invalid"]
        );
        assert_eq!(outcomes(&log, "persona_consolidate_accounts"), ["refused"]);
        log_is_masked(&writer, &log, "over HTTP").await;
        // The calls ran with the caller's key: the account is in its environment.
        let account = seen["account"].as_str().unwrap();
        let found = writer
            .client()
            .get(&format!("/api/v1/accounts/{account}"))
            .await;
        assert_eq!(found.status, 200);
    }
}

#[tokio::test]
async fn mcp_over_http_needs_a_valid_key_before_the_protocol() {
    let server = Server::start();
    let initialize = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    let post = |key: Option<&str>, host: Option<&str>| {
        let mut request = reqwest::Client::new()
            .post(format!("{}/mcp", server.base))
            .header("accept", "application/json, text/event-stream")
            .json(&initialize);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(host) = host {
            request = request.header("host", host);
        }
        request.send()
    };
    for key in [None, Some("persona_sandbox_not_a_key")] {
        let refused = post(key, None).await.unwrap();
        assert_eq!(refused.status(), 401, "{key:?}");
        assert_eq!(refused.headers()["www-authenticate"], "Bearer");
        let body: Value = refused.json().await.unwrap();
        assert!(body["errors"][0]["title"].is_string(), "{body}");
    }
    let accepted = post(Some(&server.sandbox_key), None).await.unwrap();
    assert_eq!(accepted.status(), 200);
    // Against DNS rebinding: a Host that is not this server's is refused.
    let rebound = post(Some(&server.sandbox_key), Some("evil.example"))
        .await
        .unwrap();
    assert_eq!(rebound.status(), 403);
}

/// The execution log over the API (`GET /tool-calls`, newest first).
async fn execution_log(server: &Server) -> Value {
    let log = server
        .client()
        .get("/api/v1/tool-calls?page[size]=100")
        .await;
    assert_eq!(log.status, 200, "{:?}", log.body);
    log.body
}

/// The outcomes of `tool`'s calls, newest first.
fn outcomes<'a>(log: &'a Value, tool: &str) -> Vec<&'a str> {
    log["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["attributes"]["tool"] == tool)
        .map(|c| c["attributes"]["outcome"].as_str().unwrap())
        .collect()
}

/// Every call names its caller (the key, the face, the client) and holds no personal data.
async fn log_is_masked(server: &Server, log: &Value, face: &str) {
    let calls = log["data"].as_array().unwrap();
    assert!(!calls.is_empty());
    for call in calls {
        let caller = call["attributes"]["caller"].as_str().unwrap();
        assert!(caller.starts_with("key api_"), "{caller}");
        assert!(caller.contains(face), "{caller}");
    }
    if let Some(created) = calls.iter().find(|c| {
        c["attributes"]["tool"] == "persona_create_account" && c["attributes"]["outcome"] == "ok"
    }) {
        let attributes = &created["attributes"];
        assert_eq!(attributes["arguments"]["reference_id"], "<masked: 5 chars>");
        assert!(attributes["request-id"]
            .as_str()
            .unwrap()
            .starts_with("req_"));
        assert_eq!(attributes["status"], 201, "the status the API answered");
    }
    // Tags are free text (they could name the person, and redaction cannot reach the log).
    let tags: Vec<&str> = calls
        .iter()
        .filter(|c| c["attributes"]["tool"] == "persona_add_account_tag")
        .filter_map(|c| c["attributes"]["arguments"]["tag_name"].as_str())
        .collect();
    if face == "on stdio" {
        assert!(!tags.is_empty(), "the stdio client tagged an account");
    }
    assert!(tags.iter().all(|t| t.starts_with("<masked: ")), "{tags:?}");
    let text = log.to_string();
    assert!(
        !text.contains("Jane") && !text.contains("jane@example.com"),
        "no personal data: {text}"
    );
    let refused = server
        .client()
        .get("/api/v1/tool-calls?filter[outcome]=refused")
        .await;
    let all_refused = refused.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["attributes"]["outcome"] == "refused");
    assert!(all_refused, "{}", refused.body);
}

/// `vigil audit tail` prints the latest calls, oldest first.
fn audit_tail_shows_the_latest(server: &Server) {
    let tail = crate::common::vigil_on(&server.data_dir)
        .args([
            "audit",
            "tail",
            "--data-dir",
            server.data_dir.to_str().unwrap(),
            "--limit",
            "2",
        ])
        .output()
        .unwrap();
    assert!(
        tail.status.success(),
        "{}",
        String::from_utf8_lossy(&tail.stderr)
    );
    let lines: Vec<String> = String::from_utf8(tail.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].contains("  sandbox  persona_redact_account  ok  200  "),
        "{lines:?}"
    );
    assert!(
        lines[1].contains("  sandbox  persona_list_accounts  ok  200  "),
        "{lines:?}"
    );
}

#[test]
fn mcp_refuses_bad_configuration_clearly() {
    let run = |args: &[&str], key: Option<&str>| {
        let mut command = std::process::Command::new(BIN);
        command
            .arg("mcp")
            .args(args)
            .env_remove("VIGIL_API_KEY")
            .env_remove("PERSONA_API_KEY");
        if let Some(key) = key {
            command.env("VIGIL_API_KEY", key);
        }
        let out = command.output().unwrap();
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(run(&[], None).contains("VIGIL_API_KEY"));
    assert!(
        run(&["--toolsets", "accounts,billing"], Some("k")).contains("`billing` is not a toolset")
    );
    assert!(
        run(&["--allow-destructive", "persona_list_accounts"], Some("k"))
            .contains("`persona_list_accounts` is not a destructive tool")
    );
}

const INSPECTOR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/inspector/node_modules/.bin/mcp-inspector"
);

/// The MCP Inspector's CLI (npm `@modelcontextprotocol/inspector`, installed by `.ci/run`)
/// run with `args`: its JSON answer and what it said on stderr; None (with a notice) when
/// it is not installed outside CI.
fn inspector(args: &[&str]) -> Option<(Value, String)> {
    if !std::path::Path::new(INSPECTOR).exists() {
        crate::common::skip::skipped(
            "the MCP Inspector's strict check of the tool list",
            "it is not installed: run bash scripts/test, or npm ci --prefix crates/vigil-cli/tests/inspector",
        );
        return None;
    }
    let home = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(INSPECTOR)
        .arg("--cli")
        .args(args)
        // Its catalog and secrets stay in a scratch directory, not the user's.
        .env("MCP_CATALOG_PATH", home.path().join("mcp.json"))
        .env("MCP_INSPECTOR_SECRET_STORE", "memory")
        .env("HOME", home.path())
        .output()
        .expect("the inspector runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "the inspector failed ({}): {stderr}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout)
    );
    let answer = serde_json::from_slice(&out.stdout).expect("the inspector prints JSON");
    Some((answer, stderr))
}

/// Strict mode reports tool schemas that would not port across model providers; vigil's
/// have none, over stdio and over HTTP.
#[test]
fn the_mcp_inspector_lists_every_tool_in_strict_mode() {
    let server = Server::start();
    let key_env = format!("VIGIL_API_KEY={}", server.sandbox_key);
    let base_env = format!("VIGIL_BASE_URL={}/api/v1", server.base);
    let url = format!("{}/mcp", server.base);
    let header = format!("Authorization: Bearer {}", server.sandbox_key);
    let stdio = [
        "--strict",
        "--method",
        "tools/list",
        "-e",
        &key_env,
        "-e",
        &base_env,
        "-e",
        "VIGIL_LOG=warn",
        BIN,
        "mcp",
    ];
    let http = [
        "--strict",
        "--method",
        "tools/list",
        "--transport",
        "http",
        "--server-url",
        &url,
        "--header",
        &header,
    ];
    for args in [&stdio[..], &http[..]] {
        let Some((listed, said)) = inspector(args) else {
            return;
        };
        let tools = listed["tools"].as_array().unwrap();
        assert_eq!(
            tools.len(),
            vigil_client::operations::all().len(),
            "{args:?}"
        );
        assert!(
            !said.contains("Warning:") && !said.contains("Error:"),
            "portability problems: {said}"
        );
    }
    let call = [
        "--method",
        "tools/call",
        "--tool-name",
        "persona_list_accounts",
        "--tool-arg",
        "page_size=1",
        "--transport",
        "http",
        "--server-url",
        &url,
        "--header",
        &header,
    ];
    let (called, _) = inspector(&call).unwrap();
    assert_eq!(called["isError"], false, "{called}");
    assert_eq!(called["structuredContent"]["items"], serde_json::json!([]));
}
