//! Account types and custom statuses (beyond Persona), and account actions run with
//! `POST /accounts/{id}/run-action`.

use serde_json::json;

use crate::common::Server;

fn create_action(server: &Server, name: &str, kind: &str) -> String {
    let output = crate::common::vigil_on(&server.data_dir)
        .args([
            "actions",
            "create",
            "--data-dir",
            server.data_dir.to_str().unwrap(),
        ])
        .args(["--name", name, "--kind", kind])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

#[tokio::test]
async fn custom_account_types_and_statuses() {
    let server = Server::start();
    let api = server.client();
    let created = api
        .post(
            "/api/v1/account-types",
            json!({"data": {"attributes": {"name": "Business", "statuses": ["onboarding", "verified"]}}}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let type_id = created.id();
    assert!(type_id.starts_with("acttp_"));
    assert_eq!(created.attr("name"), &json!("Business"));

    // Accounts of the type get its default status and only its statuses.
    let account = api
        .create_account(json!({"account-type-id": type_id, "reference-id": "biz-1"}))
        .await;
    assert_eq!(account.status, 201);
    assert_eq!(account.attr("account-status"), &json!("onboarding"));
    assert_eq!(account.attr("account-type-name"), &json!("Business"));
    let path = format!("/api/v1/accounts/{}", account.id());
    let wrong = api
        .patch(
            &path,
            json!({"data": {"attributes": {"account-status": "suspended"}}}),
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(
        wrong.details().contains("onboarding, verified"),
        "{}",
        wrong.details()
    );

    // Add a status and move the default; existing statuses cannot be dropped.
    let type_path = format!("/api/v1/account-types/{type_id}");
    let updated = api
        .patch(
            &type_path,
            json!({"data": {"attributes": {"statuses": ["onboarding", "verified", "frozen"], "default-status": "verified"}}}),
        )
        .await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    let dropped = api
        .patch(
            &type_path,
            json!({"data": {"attributes": {"statuses": ["verified"]}}}),
        )
        .await;
    assert_eq!(dropped.status, 422);
    assert!(
        dropped.details().contains("onboarding"),
        "{}",
        dropped.details()
    );
    let frozen = api
        .patch(
            &path,
            json!({"data": {"attributes": {"account-status": "frozen"}}}),
        )
        .await;
    assert_eq!(frozen.status, 200);
    assert_eq!(frozen.attr("account-status"), &json!("frozen"));
    let second = api
        .create_account(json!({"account-type-id": type_id}))
        .await;
    assert_eq!(second.attr("account-status"), &json!("verified"));

    // Both changes are events, with the type as it was.
    let events = api
        .get(&format!("/api/v1/events?filter[object-id]={type_id}"))
        .await;
    let names: Vec<&str> = events.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["attributes"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["account-type.updated", "account-type.created"]);
    assert_eq!(
        events.body["data"][1]["attributes"]["payload"]["data"]["attributes"]["name"],
        "Business"
    );

    // The list carries every type and, in `included`, the statuses by name.
    let list = api.get("/api/v1/account-types").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.ids().len(), 2, "User and Business");
    let names: Vec<&str> = list.body["included"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["relationships"]["account-type"]["data"]["id"] == json!(type_id))
        .map(|s| s["attributes"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["onboarding", "verified", "frozen"]);

    // Bad input names its field; duplicates conflict; the other environment sees nothing.
    let bad = api
        .post(
            "/api/v1/account-types",
            json!({"data": {"attributes": {"name": "Vendor", "statuses": ["Not A Slug"]}}}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.details().contains("data.attributes.statuses.0"),
        "{}",
        bad.details()
    );
    let missing = api
        .post(
            "/api/v1/account-types",
            json!({"data": {"attributes": {"name": "Vendor"}}}),
        )
        .await;
    assert_eq!(missing.status, 400);
    let duplicate = api
        .post(
            "/api/v1/account-types",
            json!({"data": {"attributes": {"name": "Business", "statuses": ["a"]}}}),
        )
        .await;
    assert_eq!(duplicate.status, 409);
    let production = server.client_with_key(&server.production_key);
    assert_eq!(production.get(&type_path).await.status, 404);
    let read_only = crate::common::create_key(&server.data_dir, &["--permissions", "account.read"]);
    let reader = server.client_with_key(String::from_utf8(read_only.stdout).unwrap().trim());
    let denied = reader
        .post(
            "/api/v1/account-types",
            json!({"data": {"attributes": {"name": "Other", "statuses": ["a"]}}}),
        )
        .await;
    assert_eq!(denied.status, 403);
}

#[tokio::test]
async fn run_action_applies_the_configured_action() {
    let server = Server::start();
    let suspend = create_action(&server, "Suspend for review", "set-status");
    let flag = create_action(&server, "Flag", "add-tags");
    assert!(suspend.starts_with("accac_"), "{suspend}");
    let listed = crate::common::vigil_on(&server.data_dir)
        .args([
            "actions",
            "list",
            "--data-dir",
            server.data_dir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert!(
        listed.contains(&format!("{suspend}\tset-status\tSuspend for review")),
        "{listed}"
    );

    let api = server.client();
    // The API lists them too (beyond Persona), oldest first, for the console.
    let actions = api.get("/api/v1/account-actions").await;
    assert_eq!(actions.status, 200, "{:?}", actions.body);
    assert_eq!(actions.ids(), vec![suspend.clone(), flag.clone()]);
    assert_eq!(actions.body["data"][0]["attributes"]["kind"], "set-status");
    assert_eq!(
        api.get("/api/v1/account-actions?page[after]=accac_x")
            .await
            .status,
        400
    );
    let account = api.create_account(json!({"name-first": "Ada"})).await.id();
    let path = format!("/api/v1/accounts/{account}/run-action");
    let run = |id: &str, parameters: serde_json::Value| json!({"data": {"account-action-id": id, "parameters": parameters}});
    let suspended = api
        .post(&path, run(&suspend, json!({"status": "suspended"})))
        .await;
    assert_eq!(suspended.status, 200, "{:?}", suspended.body);
    assert_eq!(suspended.attr("account-status"), &json!("suspended"));
    let run_id = suspended.body["meta"]["workflow-run-id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(run_id.starts_with("wfr_"), "{run_id}");
    let flagged = api
        .post(&path, run(&flag, json!({"tags": ["fraud-review", "vip"]})))
        .await;
    assert_eq!(flagged.status, 200);
    assert_eq!(flagged.attr("tags"), &json!(["fraud-review", "vip"]));

    // Each change is an event naming the action.
    let events = api
        .get(&format!(
            "/api/v1/events?filter[object-id]={account}&filter[name]=account.tag-added"
        ))
        .await;
    assert_eq!(events.ids().len(), 2);
    let status_events = api
        .get(&format!(
            "/api/v1/events?filter[object-id]={account}&filter[name]=account.status-updated"
        ))
        .await;
    assert_eq!(status_events.ids().len(), 1);
    let event = api
        .get(&format!("/api/v1/events/{}", status_events.ids()[0]))
        .await;
    assert_eq!(event.status, 200);

    // Errors name the field; nothing changes.
    let unknown_status = api
        .post(&path, run(&suspend, json!({"status": "gone"})))
        .await;
    assert_eq!(unknown_status.status, 422);
    assert!(
        unknown_status.details().contains("data.parameters.status"),
        "{}",
        unknown_status.details()
    );
    let wrong_parameter = api.post(&path, run(&flag, json!({"tag": ["x"]}))).await;
    assert_eq!(wrong_parameter.status, 422);
    assert!(wrong_parameter.details().contains("data.parameters.tag"));
    let no_action = api
        .post(&path, run("accac_missingmissingmissing12", json!({})))
        .await;
    assert_eq!(no_action.status, 404);
    let no_id = api.post(&path, json!({"data": {"parameters": {}}})).await;
    assert_eq!(no_id.status, 400);
    assert!(no_id.details().contains("data.account-action-id"));
    let no_account = api
        .post(
            "/api/v1/accounts/act_missingmissingmissing12/run-action",
            run(&flag, json!({"tags": ["x"]})),
        )
        .await;
    assert_eq!(no_account.status, 404);
    let after = api.get(&format!("/api/v1/accounts/{account}")).await;
    assert_eq!(after.attr("account-status"), &json!("suspended"));
    assert_eq!(after.attr("tags"), &json!(["fraud-review", "vip"]));

    // Actions belong to their environment.
    let production = server.client_with_key(&server.production_key);
    let other = production.create_account(json!({})).await.id();
    let foreign = production
        .post(
            &format!("/api/v1/accounts/{other}/run-action"),
            run(&flag, json!({"tags": ["x"]})),
        )
        .await;
    assert_eq!(foreign.status, 404);
}
