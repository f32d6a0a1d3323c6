//! `vigil-client` against a real vigil server: every operation in the table reaches a
//! route, rate limits are waited out (honouring `Retry-After`), retried POSTs keep their
//! idempotency key so nothing is created twice, and errors come back typed. Every response
//! the client receives is validated against Persona's schema.

use std::time::Duration;

use serde_json::{json, Map, Value};
use vigil_client::{operations, Client, Config, Error, Request, Response};

use crate::common::{conformance, Server};

fn client(server: &Server, key: &str) -> Client {
    let mut config = Config::new(format!("{}/api/v1", server.base), key);
    config.base_delay = Duration::from_millis(50);
    Client::new(config).unwrap()
}

/// Send `request` and validate what came back against Persona's schema.
async fn send(client: &Client, request: Request) -> Result<Response, Error> {
    let (method, path) = (request.method.to_string(), request.path.clone());
    let result = client.send(request).await;
    match &result {
        Ok(response) => conformance::check(
            &method,
            &path,
            "2025-12-08",
            response.status,
            &response.body,
        ),
        Err(error) if error.status().is_some() => {
            let errors: Vec<Value> = error
                .items()
                .iter()
                .map(|e| json!({"title": e.title, "details": e.details}))
                .collect();
            conformance::check(
                &method,
                &path,
                "2025-12-08",
                error.status().unwrap(),
                &json!({"errors": errors}),
            );
        }
        Err(_) => {}
    }
    result
}

fn args(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

#[tokio::test]
async fn every_operation_in_the_table_reaches_a_route() {
    let server = Server::start();
    let api = client(&server, &server.sandbox_key);
    // Twice: with the required parameters only, then with every parameter. Placeholder
    // ids are unknown, so most calls answer 404 or 422 without changing anything; what
    // must never come back is a missing route or a parameter the route does not know.
    for every in [false, true] {
        for op in operations::all() {
            let mut given = Map::new();
            for param in op.params.iter().filter(|p| every || p.required) {
                let value = match param.kind {
                    operations::Type::Integer => json!(1),
                    operations::Type::Boolean => json!(false),
                    operations::Type::Object => json!({}),
                    operations::Type::Array => json!(["none_1"]),
                    operations::Type::Objects => json!([{}]),
                    operations::Type::Date => json!("2000-01-01"),
                    operations::Type::Datetime => json!("2000-01-01T00:00:00Z"),
                    operations::Type::String => json!(param
                        .choices
                        .first()
                        .cloned()
                        .unwrap_or_else(|| "none_1".into())),
                };
                given.insert(param.name.clone(), value);
            }
            let request = operations::build(op, &given).unwrap();
            let Err(error) = send(&api, request).await else {
                continue;
            };
            let text = error.to_string();
            assert!(
                !text.contains("No such endpoint") && error.status() != Some(405),
                "{} ({} {}) has no route: {text}",
                op.name,
                op.method,
                op.path
            );
            for unknown in [
                "is not an allowed attribute",
                "is not an attribute",
                "is not an allowed member",
                "is not a supported filter",
                "is not a member",
                "is not a watchlist query attribute",
            ] {
                assert!(!text.contains(unknown), "{}: {text}", op.name);
            }
            assert!(
                !matches!(error, Error::InvalidArgument { .. } | Error::Transport(_)),
                "{}: {text}",
                op.name
            );
        }
    }
}

#[tokio::test]
async fn operations_round_trip_with_snake_case_arguments() {
    let server = Server::start();
    let api = client(&server, &server.sandbox_key);
    let op = operations::find("create_account").unwrap();
    let created = send(
        &api,
        operations::build(op, &args(json!({"reference_id": "cl-1", "name_first": "Jane", "email_address": "jane@example.com", "tags": ["a"]}))).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(created.status, 201);
    assert!(created
        .request_id
        .as_deref()
        .is_some_and(|r| r.starts_with("req_")));
    let id = created.body["data"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        created.body["data"]["attributes"]["reference_id"], "cl-1",
        "answers in snake_case"
    );
    let tagged = api
        .call(
            "add_account_tag",
            &args(json!({"account_id": id, "tag_name": "vip"})),
        )
        .await
        .unwrap();
    assert_eq!(
        tagged.body["data"]["attributes"]["tags"],
        json!(["a", "vip"])
    );
    // Paging: three accounts, pages of two.
    for n in 2..=3 {
        api.call(
            "create_account",
            &args(json!({"reference_id": format!("cl-{n}")})),
        )
        .await
        .unwrap();
    }
    let page_args = args(json!({"page_size": 2}));
    let first = api
        .call_page("list_accounts", &page_args, None)
        .await
        .unwrap();
    let cursor = first.next_cursor().expect("a next page");
    let second = api
        .call_page("list_accounts", &page_args, Some(cursor))
        .await
        .unwrap();
    let ids = |r: &Response| -> Vec<String> {
        r.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&first).len() + ids(&second).len(), 3);
    assert!(ids(&second).iter().all(|id| !ids(&first).contains(id)));
    // The API's errors, typed, with the pointer naming the attribute.
    let error = api
        .call("create_account", &args(json!({"birthdate": "1990-13-45"})))
        .await
        .unwrap_err();
    match &error {
        Error::Api {
            status: 422,
            errors,
            ..
        } => {
            assert_eq!(
                errors[0].pointer.as_deref(),
                Some("/data/attributes/birthdate"),
                "{errors:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    let refused = client(&server, "persona_sandbox_nope")
        .call("list_accounts", &Map::new())
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::Unauthorized { .. }), "{refused:?}");
}

#[tokio::test]
async fn rate_limits_are_waited_out_and_retries_create_nothing_twice() {
    // Five requests per two-second window: twelve creates must wait out two windows.
    let server = Server::start_with(&["--rate-limit", "5", "--rate-limit-window", "2"]);
    let api = client(&server, &server.sandbox_key);
    let mut handles = Vec::new();
    for n in 0..12 {
        let api = api.clone();
        handles.push(tokio::spawn(async move {
            api.call(
                "create_account",
                &args(json!({"reference_id": format!("rl-{n}")})),
            )
            .await
        }));
    }
    let mut retried = 0;
    for handle in handles {
        let response = handle
            .await
            .unwrap()
            .expect("every create lands after waiting");
        assert_eq!(response.status, 201);
        retried += usize::from(response.attempts > 1);
    }
    assert!(
        retried >= 7,
        "at most five fit the first window; {retried} retried"
    );
    // Exactly twelve accounts: no retry made a second one.
    let mut count = 0;
    let mut cursor = None;
    let page_args = args(json!({"page_size": 100}));
    loop {
        let page = loop {
            match api
                .call_page("list_accounts", &page_args, cursor.clone())
                .await
            {
                Ok(page) => break page,
                Err(Error::RateLimited { retry_after, .. }) => {
                    tokio::time::sleep(retry_after).await
                }
                Err(other) => panic!("{other}"),
            }
        };
        count += page.body["data"].as_array().unwrap().len();
        cursor = page.next_cursor();
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(count, 12);

    // A rate limit longer than the client will wait comes back typed, at once.
    let mut config = Config::new(format!("{}/api/v1", server.base), &server.sandbox_key);
    config.max_rate_limit_wait = Duration::from_millis(1);
    config.base_delay = Duration::from_millis(1);
    let impatient = Client::new(config).unwrap();
    let mut limited = None;
    for _ in 0..10 {
        if let Err(error) = impatient.get("/accounts").await {
            limited = Some(error);
            break;
        }
    }
    match limited.expect("the window fills") {
        Error::RateLimited { retry_after, .. } => {
            assert!(retry_after >= Duration::from_secs(1) && retry_after <= Duration::from_secs(2))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_explicit_idempotency_key_replays_the_first_answer() {
    let server = Server::start();
    let api = client(&server, &server.sandbox_key);
    let op = operations::find("create_account").unwrap();
    let mut request = operations::build(op, &args(json!({"reference_id": "idem-1"}))).unwrap();
    request.idempotency_key = Some("agent-call-77".into());
    let first = send(&api, request.clone()).await.unwrap();
    let again = send(&api, request).await.unwrap();
    assert_eq!(first.body["data"]["id"], again.body["data"]["id"]);
    assert_eq!(again.idempotency_key.as_deref(), Some("agent-call-77"));
    let listed = api
        .call("list_accounts", &args(json!({"reference_id": "idem-1"})))
        .await
        .unwrap();
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 1);
}

/// Operations vigil serves that Persona does not have, and why.
const BEYOND_PERSONA: &[(&str, &str)] = &[
    (
        "retrieve_inquiry_template_verification_steps",
        "Persona sets a flow's steps in its dashboard's flow editor",
    ),
    (
        "update_inquiry_template_verification_steps",
        "Persona sets a flow's steps in its dashboard's flow editor",
    ),
    ("archive_account", "vigil keeps archived accounts listable"),
    (
        "update_inquiry_template",
        "Persona sets a template's embedding domains in its dashboard",
    ),
    ("restore_account", "the undo of archive"),
    (
        "list_account_types",
        "not in Persona's published spec (its API has it)",
    ),
    (
        "create_account_type",
        "Persona makes types in its dashboard",
    ),
    (
        "update_account_type",
        "Persona makes types in its dashboard",
    ),
    (
        "list_importer_errors",
        "an import's refused rows, which Persona emails",
    ),
    (
        "complete_inquiry",
        "vigil has no hosted flow to complete inquiries in",
    ),
    (
        "retrieve_inquiry_comparison",
        "vigil's comparison of a submission with its account",
    ),
    (
        "create_inquiry_template",
        "Persona makes templates in its dashboard",
    ),
    (
        "create_case_template",
        "Persona makes templates in its dashboard",
    ),
    ("create_case_queue", "Persona makes queues in its dashboard"),
    (
        "retrieve_case_queue",
        "Persona makes queues in its dashboard",
    ),
    ("list_case_queues", "Persona makes queues in its dashboard"),
    (
        "list_case_templates",
        "Persona makes templates in its dashboard",
    ),
    (
        "list_case_comments",
        "case comments are read in Persona's dashboard",
    ),
    (
        "create_case_comment",
        "not in Persona's published spec (its dashboard has it)",
    ),
    (
        "create_document",
        "not in Persona's published spec (its API has it)",
    ),
    ("list_flagging_rules", "flagging rules are vigil's"),
    ("retrieve_flagging_rule", "flagging rules are vigil's"),
    ("create_flagging_rule", "flagging rules are vigil's"),
    ("update_flagging_rule", "flagging rules are vigil's"),
    (
        "redact_document",
        "vigil deletes a document's files on request",
    ),
    ("list_report_matches", "a report's scored matches"),
    ("list_webhook_deliveries", "vigil's delivery log"),
    ("redeliver_webhook_events", "vigil's redelivery"),
    ("list_tool_calls", "the agent tools' execution log"),
    ("count_cases", "a queue's size, for the review console"),
    (
        "retrieve_case_template_second_review",
        "four eyes, set in Persona's dashboard",
    ),
    (
        "update_case_template_second_review",
        "four eyes, set in Persona's dashboard",
    ),
    (
        "retrieve_case_proposal",
        "a decision waiting for a second reviewer",
    ),
    (
        "list_list_items",
        "a list's items, which Persona shows in its dashboard",
    ),
    (
        "list_account_actions",
        "Persona makes account actions in its dashboard",
    ),
    (
        "list_account_relation_keys",
        "Persona's relation keys are its account types' relation schemas",
    ),
];

/// Arguments vigil takes beyond what Persona's spec names for that operation, and why.
const BEYOND_PERSONA_ARGUMENTS: &[(&str, &str, &str)] = &[
    ("list_accounts", "account_type_id", "filter by type"),
    (
        "list_accounts",
        "archived",
        "archived accounts stay listable",
    ),
    (
        "mark_inquiry_for_review",
        "comment",
        "why, kept in the event log",
    ),
    ("list_inquiry_sessions", "status", "filter by status"),
    ("list_inquiry_templates", "name", "filter by name"),
    ("list_inquiry_templates", "status", "filter by status"),
    (
        "generate_inquiry_session_one_time_link",
        "expires_in_seconds",
        "as the inquiry's link takes it",
    ),
    ("list_cases", "case_queue_id", "filter by queue"),
    ("list_cases", "assignee_id", "filter by assignee"),
    ("list_cases", "created_at_start", "filter by creation time"),
    ("list_cases", "created_at_end", "filter by creation time"),
    ("list_cases", "tag", "filter by tag"),
    ("list_cases", "sla_expires_at_end", "filter by SLA due"),
    ("list_cases", "sort", "order by SLA due"),
    (
        "count_cases",
        "limit",
        "count a large queue no further than needed",
    ),
    (
        "set_case_status",
        "resolution",
        "the resolution with status resolved",
    ),
    ("list_webhooks", "status", "filter by status"),
    ("list_events", "actor_id", "filter by who acted"),
    ("list_events", "created_at_start", "filter by creation time"),
    ("list_events", "created_at_end", "filter by creation time"),
];

/// The route test above proves each argument reaches a route that knows it; this one
/// proves each is the name Persona's own spec gives it (an argument of an operation whose
/// path needs a real id is otherwise only checked where a test makes the object).
#[test]
fn every_argument_is_named_as_persona_names_it() {
    let mut wrong = Vec::new();
    for op in operations::all() {
        // Placeholder ids; a path parameter with choices takes its first.
        let path: String = op
            .path
            .split('/')
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => op
                        .param(name)
                        .and_then(|p| p.choices.first().cloned())
                        .unwrap_or_else(|| "x1".into()),
                    None => s.to_string(),
                },
            )
            .collect::<Vec<_>>()
            .join("/");
        let Some(names) = conformance::request_names(op.method.as_str(), &path) else {
            eprintln!("SKIPPED: Persona's spec is absent; argument names are not checked");
            return;
        };
        let names = match names {
            Ok(names) => names,
            Err(why) => {
                if !BEYOND_PERSONA.iter().any(|(name, _)| *name == op.name) {
                    wrong.push(format!("{}: {why}", op.name));
                }
                continue;
            }
        };
        if BEYOND_PERSONA.iter().any(|(name, _)| *name == op.name) {
            wrong.push(format!(
                "{} is Persona's: take it off BEYOND_PERSONA",
                op.name
            ));
        }
        for param in &op.params {
            let kebab = param.name.replace('_', "-");
            let known = match param.location {
                operations::Location::Path | operations::Location::Page => true,
                operations::Location::Filter => names.query.contains(&format!("filter[{kebab}]")),
                operations::Location::Query => names.query.contains(&kebab),
                operations::Location::Attribute => names.attributes.contains(&kebab),
                operations::Location::Meta => names.meta.contains(&kebab),
                operations::Location::Data => names.data.contains(&kebab),
                operations::Location::Body => names.body.contains(&kebab),
            };
            let excused = BEYOND_PERSONA_ARGUMENTS
                .iter()
                .any(|(o, p, _)| *o == op.name && *p == param.name);
            if !known && !excused {
                wrong.push(format!(
                    "{}.{} ({:?}): Persona's spec has {:?}",
                    op.name,
                    param.name,
                    param.location,
                    match param.location {
                        operations::Location::Attribute => &names.attributes,
                        operations::Location::Meta => &names.meta,
                        operations::Location::Data => &names.data,
                        operations::Location::Body => &names.body,
                        _ => &names.query,
                    }
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
