//! Every event names who made the change (`context.actor`, beyond Persona): the API key of
//! a request, or the part of vigil that acted on its own (a flagging rule, the scheduler,
//! an import, the screening monitor, a `vigil` command).

use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

use crate::common::{create_key, load_rules, Client, Server};

/// The events about `object` named `name`, once there are `at_least` of them.
async fn events_about(api: &Client, object: &str, name: &str, at_least: usize) -> Vec<Value> {
    for _ in 0..200 {
        let listed = api
            .get(&format!(
                "/api/v1/events?filter[object-id]={object}&filter[name]={name}&page[size]=100"
            ))
            .await;
        assert_eq!(listed.status, 200, "{:?}", listed.body);
        let events = listed.body["data"].as_array().unwrap().clone();
        if events.len() >= at_least {
            return events;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no {name} event about {object}");
}

fn actor(event: &Value) -> &Value {
    &event["attributes"]["context"]["actor"]
}

#[tokio::test]
async fn a_request_s_changes_name_its_key_and_keep_their_context() {
    let server = Server::start();
    let made = create_key(&server.data_dir, &["--env", "sandbox", "--name", "ops-bot"]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let ops = server.client_with_key(String::from_utf8(made.stdout).unwrap().trim());
    let account = ops.create_account(json!({"name-first": "Ada"})).await.id();
    ops.post(
        &format!("/api/v1/accounts/{account}/add-tag"),
        json!({"meta": {"tag-name": "vip"}}),
    )
    .await;
    let created = &events_about(&ops, &account, "account.created", 1).await[0];
    let who = actor(created);
    assert_eq!(who["type"], "api-key");
    assert_eq!(who["name"], "ops-bot");
    assert!(who["id"].as_str().unwrap().starts_with("api_"), "{who}");
    // The context an event already had stays beside the actor.
    let tagged = &events_about(&ops, &account, "account.tag-added", 1).await[0];
    assert_eq!(tagged["attributes"]["context"]["tag-name"], "vip");
    assert_eq!(actor(tagged)["name"], "ops-bot");
    // Another key's changes name that key.
    let admin = server.client();
    admin
        .post(
            &format!("/api/v1/accounts/{account}/remove-tag"),
            json!({"meta": {"tag-name": "vip"}}),
        )
        .await;
    let removed = &events_about(&ops, &account, "account.tag-removed", 1).await[0];
    assert_eq!(actor(removed)["type"], "api-key");
    assert_eq!(actor(removed)["name"], "admin");
}

#[tokio::test]
async fn flagging_rules_and_the_screening_monitor_are_named_for_what_they_did() {
    let server = Server::start();
    let api = server.client();
    let id_number = json!({"identification_numbers": [{"identification_class": "pp", "identification_number": "X1", "issuing_country": "US"}]});
    let first = api.create_account(json!({"fields": id_number})).await.id();
    let second = api.create_account(json!({"fields": id_number})).await.id();
    let tagged = &events_about(&api, &second, "account.tag-added", 1).await[0];
    let rule = actor(tagged);
    assert_eq!(rule["type"], "system");
    assert_eq!(rule["process"], "flagging-rule");
    assert!(rule["id"].as_str().unwrap().starts_with("frule_"), "{rule}");
    assert_eq!(rule["name"], "Shared government id number");
    let cases = api
        .get(&format!("/api/v1/cases?filter[account-id]={first}"))
        .await;
    let case = cases.body["data"][0]["id"].as_str().unwrap().to_string();
    let opened = &events_about(&api, &case, "case.created", 1).await[0];
    assert_eq!(actor(opened), rule);
    assert!(opened["attributes"]["context"]["finding"].is_string());

    // A list item added by a request; the report it makes match is the monitor's.
    let names = api.create_list("names", "Fraudsters").await;
    let joe = api
        .create_account(json!({"name-first": "Joe", "name-last": "Imposter"}))
        .await
        .id();
    api.add_list_item(
        "names",
        &names,
        json!({"name-first": "Joe", "name-last": "Imposter"}),
    )
    .await;
    let mut report = None;
    for _ in 0..200 {
        let listed = api
            .get(&format!("/api/v1/reports?filter[account-id]={joe}"))
            .await;
        if let Some(id) = listed.body["data"][0]["id"].as_str() {
            report = Some(id.to_string());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let report = report.expect("the monitor made a report");
    let matched = &events_about(&api, &report, "report/watchlist.matched", 1).await[0];
    assert_eq!(
        actor(matched),
        &json!({"type": "system", "process": "screening-monitor"})
    );
}

#[tokio::test]
async fn the_scheduler_and_imports_are_named_for_what_they_did() {
    let server = Server::start_with(&["--test-clock"]);
    let api = server.client();
    let templates = api.get("/api/v1/inquiry-templates").await;
    let template = templates.body["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let inquiry = api
        .post(
            "/api/v1/inquiries",
            json!({"data": {"attributes": {"inquiry-template-id": template}},
                   "meta": {"expiration-after-create-interval-seconds": 60}}),
        )
        .await;
    assert_eq!(inquiry.status, 201, "{:?}", inquiry.body);
    let inquiry = inquiry.id();
    let moved = api
        .post(
            "/api/v1/test-clock/advance",
            json!({"meta": {"seconds": 61}}),
        )
        .await;
    assert_eq!(moved.status, 200);
    let expired = &events_about(&api, &inquiry, "inquiry.expired", 1).await[0];
    assert_eq!(
        actor(expired),
        &json!({"type": "system", "process": "scheduler"})
    );

    let emails = api.create_list("email-addresses", "Imported").await;
    let csv = base64::engine::general_purpose::STANDARD.encode("value\nimported@example.com\n");
    let import = api
        .post(
            "/api/v1/importer/list-item/email-addresses",
            json!({"data": {"attributes": {"list-id": emails, "file": {"data": csv, "filename": "e.csv"}}}}),
        )
        .await;
    assert_eq!(import.status, 201, "{:?}", import.body);
    let importer = import.id();
    let mut item = None;
    for _ in 0..200 {
        let listed = api
            .get("/api/v1/events?filter[name]=list-item.created&page[size]=100")
            .await;
        if let Some(event) = listed.body["data"].as_array().unwrap().first() {
            item = Some(event.clone());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let item = item.expect("the import wrote its row");
    assert_eq!(
        actor(&item),
        &json!({"type": "system", "process": "importer", "id": importer})
    );
}

#[tokio::test]
async fn rules_loaded_from_a_file_are_named_for_the_command() {
    let server = Server::start();
    let api = server.client();
    let out = load_rules(
        &server.data_dir,
        "[[rules]]\nname = \"Watchlist match\"\nenabled = false\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = api
        .get("/api/v1/events?filter[name]=flagging-rule.updated")
        .await;
    let updated = &listed.body["data"][0];
    assert_eq!(
        actor(updated),
        &json!({"type": "system", "process": "cli", "id": "vigil rules load"})
    );
}
