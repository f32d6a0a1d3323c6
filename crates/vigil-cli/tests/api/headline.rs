//! The headline flows end to end, through HTTP only: a person signs up through an
//! inquiry, something is wrong (they match a blocklist, or their data does not agree with
//! what vigil knows), a case opens with everything attached, a reviewer decides, and the
//! decision reaches the inquiry, the account's tags and its sessions.

use serde_json::{json, Value};

use crate::common::{Client, Server};

fn related(case: &Value, relation: &str) -> Vec<String> {
    case["relationships"][relation]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

async fn tags(api: &Client, account: &str) -> Vec<String> {
    let got = api.get(&format!("/api/v1/accounts/{account}")).await;
    got.attr("tags")
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_sign_up_that_matches_a_blocklist_is_reviewed_and_declined() {
    let server = Server::start();
    let api = server.client();
    let blocklist = api.create_list("names", "Known fraudsters").await;
    api.add_list_item(
        "names",
        &blocklist,
        json!({"name-first": "Joe", "name-last": "Imposter"}),
    )
    .await;
    let template = api.get("/api/v1/inquiry-templates").await.ids()[0].clone();

    // The person signs up: an inquiry with a fresh account and a session for the front end.
    let signup = api
        .post("/api/v1/inquiries", json!({"data": {"attributes": {"inquiry-template-id": template, "reference-id": "signup-42"}},
            "meta": {"auto-create-inquiry-session": true}}))
        .await;
    assert_eq!(signup.status, 201, "{:?}", signup.body);
    let inquiry = signup.id();
    let account = signup.body["data"]["relationships"]["account"]["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let session = signup.body["data"]["relationships"]["sessions"]["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let submitted = api
        .patch(&format!("/api/v1/inquiries/{inquiry}"), json!({"data": {"attributes": {"fields": {
            "name-first": "Joe", "name-last": "Imposter", "birthdate": "1980-01-02", "email-address": "joe@example.com"}}}}))
        .await;
    assert_eq!(submitted.attr("status"), "pending");
    assert_eq!(
        api.get(&format!("/api/v1/inquiry-sessions/{session}"))
            .await
            .attr("status"),
        "active"
    );
    let completed = api
        .post(&format!("/api/v1/inquiries/{inquiry}/complete"), json!({}))
        .await;
    assert_eq!(
        completed.attr("status"),
        "completed",
        "an empty account is filled, not compared"
    );

    // The filled account is screened, matches the blocklist, and a case opens.
    let case = api.first_open_case_of(&account).await;
    assert_eq!(related(&case, "accounts"), vec![account.clone()]);
    assert_eq!(related(&case, "inquiries"), vec![inquiry.clone()]);
    assert_eq!(related(&case, "reports").len(), 1);
    let report = api
        .get(&format!("/api/v1/reports/{}", related(&case, "reports")[0]))
        .await;
    assert_eq!(report.attr("has-match"), true);
    assert!(tags(&api, &account)
        .await
        .contains(&"watchlist-match".to_string()));

    // A reviewer takes it and declines.
    let id = case["id"].as_str().unwrap();
    api.post(
        &format!("/api/v1/cases/{id}/assign"),
        json!({"meta": {"user-email-address": "reviewer@example.com"}}),
    )
    .await;
    api.post(
        &format!("/api/v1/cases/{id}/comments"),
        json!({"data": {"attributes": {"message": "Same person as the listed one"}}}),
    )
    .await;
    let decided = api
        .post(
            &format!("/api/v1/cases/{id}/set-status"),
            json!({"meta": {"status": "Declined"}}),
        )
        .await;
    assert_eq!(decided.status, 200, "{:?}", decided.body);
    assert_eq!(decided.attr("status"), "Declined");

    assert_eq!(
        api.get(&format!("/api/v1/inquiries/{inquiry}"))
            .await
            .attr("status"),
        "declined"
    );
    assert!(tags(&api, &account).await.contains(&"declined".to_string()));
    assert_eq!(
        api.get(&format!("/api/v1/inquiry-sessions/{session}"))
            .await
            .attr("status"),
        "expired"
    );
    assert_eq!(
        api.event_names(&inquiry).await,
        vec![
            "inquiry.declined",
            "inquiry.completed",
            "inquiry.updated",
            "inquiry.started",
            "inquiry.created"
        ]
    );
}

#[tokio::test]
async fn a_returning_user_whose_data_disagrees_is_reviewed_and_approved() {
    let server = Server::start();
    let api = server.client();
    let account = api
        .create_account(json!({"reference-id": "u-7", "name-first": "Margaret", "name-last": "Hamilton", "birthdate": "1936-08-17",
            "address-street-1": "1 Infinite Loop", "address-postal-code": "95014", "country-code": "US"}))
        .await
        .id();
    let template = api.get("/api/v1/inquiry-templates").await.ids()[0].clone();
    let inquiry = api
        .post("/api/v1/inquiries", json!({"data": {"attributes": {"inquiry-template-id": template, "reference-id": "u-7",
            "fields": {"name-first": "Margret", "name-last": "Hamilton", "birthdate": "1936-08-17",
                "address-street-1": "77 Massachusetts Avenue", "address-postal-code": "95014", "address-country-code": "US"}}}}))
        .await;
    assert_eq!(
        inquiry.body["data"]["relationships"]["account"]["data"]["id"],
        json!(account)
    );
    let id = inquiry.id();
    let done = api
        .post(&format!("/api/v1/inquiries/{id}/complete"), json!({}))
        .await;
    assert_eq!(done.attr("status"), "needs_review", "{:?}", done.body);
    let comparison = api.get(&format!("/api/v1/inquiries/{id}/comparison")).await;
    assert_eq!(comparison.attr("verdict"), "review");

    let case = api.first_open_case_of(&account).await;
    assert_eq!(related(&case, "inquiries"), vec![id.clone()]);
    let case_id = case["id"].as_str().unwrap();
    let decided = api
        .post(
            &format!("/api/v1/cases/{case_id}/set-status"),
            json!({"meta": {"status": "resolved", "resolution": "Approved"}}),
        )
        .await;
    assert_eq!(decided.attr("status"), "Approved");
    assert_eq!(
        api.get(&format!("/api/v1/inquiries/{id}"))
            .await
            .attr("status"),
        "approved"
    );
    let account_tags = tags(&api, &account).await;
    assert!(
        account_tags.contains(&"approved".to_string())
            && account_tags.contains(&"inquiry-review".to_string()),
        "{account_tags:?}"
    );
}
