//! `vigil mcp` driven by an independent client, the official Python MCP SDK (PyPI `mcp`,
//! installed by `.ci/run`), over stdio, in the current protocol and in the older
//! initialize handshake: tools listed with their schemas, a read, a write refused then
//! allowed, a destructive tool refused then allowed, invalid arguments, compact mode.
//! Every structured result is validated against the tool's own output schema.

use serde_json::Value;

use crate::common::{Server, BIN};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mcp/stdio_client.py");

/// What the Python client saw, or None (with a notice) when the SDK is not installed
/// outside CI.
fn python_client(server: &Server, mode: &str) -> Option<Value> {
    let out = std::process::Command::new("python3")
        .args([SCRIPT, mode])
        .env("VIGIL_BIN", BIN)
        .env("VIGIL_BASE_URL", format!("{}/api/v1", server.base))
        .env("VIGIL_API_KEY", &server.sandbox_key)
        .env("VIGIL_MCP_DATA_DIR", &server.data_dir)
        .env("VIGIL_LOG", "warn")
        .output()
        .expect("python3 runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success()
        && std::env::var_os("CI").is_none()
        && stderr.contains("No module named 'mcp'")
    {
        eprintln!("SKIPPED: the Python MCP SDK is not installed (pip install mcp==2.3.0)");
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

#[tokio::test]
async fn an_independent_mcp_client_lists_and_calls_tools_over_stdio() {
    for mode in ["auto", "legacy"] {
        let server = Server::start();
        let Some(seen) = python_client(&server, mode) else {
            return;
        };
        // One tool per operation, each with a title, description, schemas and annotations.
        let tools: Vec<&str> = seen["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert_eq!(tools.len(), vigil_client::operations::all().len(), "{mode}");
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

        // A read, paged.
        let listed = structured(&seen, "list", "persona_list_accounts");
        assert_eq!(listed["items"], serde_json::json!([]));
        // Read-only by default: the write is refused and says how to allow it.
        assert!(text(&seen, "write_refused").contains("--write"));
        // Bad calls name the argument.
        assert!(text(&seen, "invalid").contains("argument `bogus`"));
        assert!(text(&seen, "missing").contains("HTTP 404"));
        let bad = text(&seen, "bad_value");
        assert!(bad.contains("argument `birthdate`"), "{bad}");
        // With --write: a write, then a tag.
        let created = structured(&seen, "created", "persona_create_account");
        assert_eq!(created["object"]["attributes"]["reference_id"], "mcp-1");
        let tagged = structured(&seen, "tagged", "persona_add_account_tag");
        assert_eq!(
            tagged["object"]["attributes"]["tags"],
            serde_json::json!(["agent"])
        );
        // Destructive: refused with --write alone, done once named.
        assert!(text(&seen, "destructive_refused")
            .contains("--allow-destructive persona_redact_account"));
        let redacted = structured(&seen, "destructive_allowed", "persona_redact_account");
        assert!(redacted["object"]["attributes"]["redacted_at"].is_string());
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
        execution_log_holds_every_call_masked(&server).await;
    }
}

/// After the Python client's sessions: every call is in the execution log, masked, over
/// the API and the CLI.
async fn execution_log_holds_every_call_masked(server: &Server) {
    let api = server.client();
    let log = api.get("/api/v1/tool-calls?page[size]=100").await;
    assert_eq!(log.status, 200, "{:?}", log.body);
    let calls = log.body["data"].as_array().unwrap();
    let outcomes = |tool: &str| -> Vec<&str> {
        calls
            .iter()
            .filter(|c| c["attributes"]["tool"] == tool)
            .map(|c| c["attributes"]["outcome"].as_str().unwrap())
            .collect()
    };
    // Newest first: the refused create came before the allowed one.
    assert_eq!(outcomes("persona_create_account"), ["ok", "refused"]);
    assert_eq!(outcomes("persona_redact_account"), ["ok", "refused"]);
    assert_eq!(outcomes("persona_update_account"), ["error"]);
    assert_eq!(outcomes("persona_retrieve_account"), ["error", "invalid"]);
    assert_eq!(
        outcomes("persona_list_accounts"),
        ["ok", "ok"],
        "the compact run is logged as the tool it ran"
    );
    let created = calls
        .iter()
        .find(|c| {
            c["attributes"]["tool"] == "persona_create_account"
                && c["attributes"]["outcome"] == "ok"
        })
        .unwrap();
    let attributes = &created["attributes"];
    assert_eq!(attributes["arguments"]["reference_id"], "<masked: 5 chars>");
    assert!(attributes["request-id"]
        .as_str()
        .unwrap()
        .starts_with("req_"));
    assert!(
        attributes["caller"]
            .as_str()
            .unwrap()
            .starts_with("key api_"),
        "{attributes}"
    );
    assert_eq!(attributes["status"], 200);
    let text = log.body.to_string();
    assert!(
        !text.contains("Jane") && !text.contains("jane@example.com"),
        "no personal data: {text}"
    );
    let refused = api.get("/api/v1/tool-calls?filter[outcome]=refused").await;
    assert_eq!(refused.body["data"].as_array().unwrap().len(), 2);
    let tail = std::process::Command::new(BIN)
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
