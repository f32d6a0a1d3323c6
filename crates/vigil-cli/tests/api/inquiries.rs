//! Inquiries, their templates and sessions through HTTP: create with every way of naming
//! an account, list filters, every status action and every illegal one, reverification on
//! submit, sessions and one-time links, expiry on time (test clock, and across a kill -9),
//! redaction.

use std::time::Duration;

use serde_json::{json, Value};

use crate::common::{contains, data_bytes, Client, Response, Server};

async fn create(api: &Client, attributes: Value, meta: Value) -> Response {
    api.post(
        "/api/v1/inquiries",
        json!({"data": {"attributes": attributes}, "meta": meta}),
    )
    .await
}

/// A new inquiry of the default template; its id.
async fn new_inquiry(api: &Client, attributes: Value) -> String {
    let mut attributes = attributes;
    attributes["inquiry-template-id"] = json!(api.default_inquiry_template().await);
    let created = create(api, attributes, json!({})).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    created.id()
}

async fn status_of(api: &Client, id: &str) -> String {
    let got = api.get(&format!("/api/v1/inquiries/{id}")).await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    got.attr("status").as_str().unwrap().to_string()
}

async fn act(api: &Client, id: &str, action: &str, meta: Value) -> Response {
    api.post(
        &format!("/api/v1/inquiries/{id}/{action}"),
        json!({"meta": meta}),
    )
    .await
}

#[tokio::test]
async fn templates_list_retrieve_and_create_with_their_fields() {
    let server = Server::start();
    let api = server.client();
    let default = api.default_inquiry_template().await;
    let got = api
        .get(&format!("/api/v1/inquiry-templates/{default}"))
        .await;
    assert_eq!(got.status, 200);
    let keys: Vec<&str> = got
        .attr("field-schemas")
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert!(keys.contains(&"name-first") && keys.contains(&"identification-number"));

    let created = api
        .post(
            "/api/v1/inquiry-templates",
            json!({"data": {"attributes": {"name": "KYC lite", "field-schemas": [
                {"key": "name-first", "type": "string"},
                {"key": "employer", "type": "string", "label": "Employer", "config": {"required": true}},
            ]}}}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.attr("name"), "KYC lite");
    assert_eq!(created.attr("field-schemas")[1]["config"]["required"], true);
    let listed = api.get("/api/v1/inquiry-templates").await;
    assert_eq!(listed.ids().len(), 2);

    let bad = api
        .post(
            "/api/v1/inquiry-templates",
            json!({"data": {"attributes": {"name": "x", "field-schemas": [{"key": "a", "type": "blob"}]}}}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        bad.body["errors"][0]["source"]["pointer"],
        "/data/attributes/field-schemas/0/type"
    );
    let missing = api.get("/api/v1/inquiry-templates/itmpl_nope").await;
    assert_eq!(missing.status, 404);
    let versions = api
        .get(&format!(
            "/api/v1/inquiry-template-versions?filter[inquiry-template-id]={default}"
        ))
        .await;
    assert_eq!(versions.status, 200, "{:?}", versions.body);
    assert_eq!(
        versions.ids(),
        vec![
            got.body["data"]["relationships"]["latest-published-version"]["data"]["id"]
                .as_str()
                .unwrap()
                .to_string()
        ]
    );
    assert_eq!(
        api.get("/api/v1/inquiry-template-versions").await.status,
        400
    );
    // Production has its own default template.
    let production = server.client_with_key(&server.production_key);
    assert_ne!(production.default_inquiry_template().await, default);
}

#[tokio::test]
async fn create_finds_or_makes_the_account_and_prefills_fields() {
    let server = Server::start();
    let api = server.client();
    let template = api.default_inquiry_template().await;
    let created = create(
        &api,
        json!({"inquiry-template-id": template, "reference-id": "user-7", "note": "vip",
               "tags": ["web"], "fields": {"name-first": " Jane ", "birthdate": "1990-04-01", "address-country-code": "gb"}}),
        json!({"auto-create-inquiry-session": true, "auto-create-one-time-link": true}),
    )
    .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.attr("status"), "created");
    assert_eq!(created.attr("reference-id"), "user-7");
    assert_eq!(
        created.attr("fields")["name-first"],
        json!({"type": "string", "value": "Jane"})
    );
    assert_eq!(
        created.attr("fields")["address-country-code"]["value"],
        "GB"
    );
    assert_eq!(
        created.attr("fields")["name-last"],
        json!({"type": "string", "value": null})
    );
    assert!(created.body["meta"]["session-token"]
        .as_str()
        .unwrap()
        .starts_with("iqst_"));
    let link = created.body["meta"]["one-time-link"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("{}/verify?code=", server.base)),
        "{link}"
    );
    assert!(!created.attr("expires-at").is_null());
    let account = created.body["data"]["relationships"]["account"]["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let sessions = created.body["data"]["relationships"]["sessions"]["data"]
        .as_array()
        .unwrap();
    assert_eq!(sessions.len(), 1);
    let got = api.get(&format!("/api/v1/accounts/{account}")).await;
    assert_eq!(got.attr("reference-id"), "user-7");

    // The same reference id finds the same account.
    let again = create(
        &api,
        json!({"inquiry-template-id": template, "reference-id": "user-7"}),
        json!({}),
    )
    .await;
    assert_eq!(
        again.body["data"]["relationships"]["account"]["data"]["id"],
        json!(account)
    );
    assert!(again.body["meta"]["session-token"].is_null());
    // By account id.
    let by_id = create(
        &api,
        json!({"inquiry-template-id": template, "account-id": account}),
        json!({}),
    )
    .await;
    assert_eq!(by_id.status, 201);
    assert_eq!(by_id.attr("reference-id"), "user-7");
    // Without an account when asked not to create one.
    let loose = create(
        &api,
        json!({"inquiry-template-id": template}),
        json!({"auto-create-account": false}),
    )
    .await;
    assert!(loose.body["data"]["relationships"]["account"]["data"].is_null());
    assert_eq!(
        api.event_names(&created.id()).await,
        vec!["inquiry.created"]
    );
}

#[tokio::test]
async fn create_refuses_bad_input_naming_the_field() {
    let server = Server::start();
    let api = server.client();
    let template = api.default_inquiry_template().await;
    let cases = [
        (
            json!({}),
            json!({}),
            400,
            "/data/attributes/inquiry-template-id",
        ),
        (
            json!({"inquiry-template-id": "itmpl_missing"}),
            json!({}),
            404,
            "",
        ),
        (
            json!({"template-id": "tmpl_old"}),
            json!({}),
            422,
            "/data/attributes/template-id",
        ),
        (
            json!({"inquiry-template-id": template, "fields": {"shoe-size": 9}}),
            json!({}),
            422,
            "/data/attributes/fields/shoe-size",
        ),
        (
            json!({"inquiry-template-id": template, "fields": {"birthdate": "1990-02-31"}}),
            json!({}),
            422,
            "/data/attributes/fields/birthdate",
        ),
        (
            json!({"inquiry-template-id": template, "colour": "red"}),
            json!({}),
            422,
            "/data/attributes/colour",
        ),
        (
            json!({"inquiry-template-id": template}),
            json!({"expiration-after-create-interval-seconds": 0}),
            422,
            "/meta/expiration-after-create-interval-seconds",
        ),
        (
            json!({"inquiry-template-id": template}),
            json!({"surprise": true}),
            400,
            "",
        ),
        (
            json!({"inquiry-template-id": template, "account-id": "act_nope"}),
            json!({}),
            404,
            "",
        ),
    ];
    for (attributes, meta, status, pointer) in cases {
        let refused = create(&api, attributes.clone(), meta).await;
        assert_eq!(refused.status, status, "{attributes}: {:?}", refused.body);
        if status == 422 {
            assert_eq!(
                refused.body["errors"][0]["source"]["pointer"], pointer,
                "{attributes}"
            );
        }
        if status == 400 && !pointer.is_empty() {
            assert!(
                refused.details().contains("inquiry-template-id"),
                "{:?}",
                refused.body
            );
        }
    }
    let listed = api.get("/api/v1/inquiries").await;
    assert!(listed.ids().is_empty(), "nothing half-written");
    let inactive = api
        .post(
            "/api/v1/inquiry-templates",
            json!({"data": {"attributes": {"name": "old", "status": "inactive"}}}),
        )
        .await;
    let refused = create(
        &api,
        json!({"inquiry-template-id": inactive.id()}),
        json!({}),
    )
    .await;
    assert_eq!(refused.status, 422);
}

#[tokio::test]
async fn lists_filter_by_status_account_reference_template_note_and_date() {
    let server = Server::start();
    let api = server.client();
    let first = new_inquiry(&api, json!({"reference-id": "r-1", "note": "call back"})).await;
    let second = new_inquiry(&api, json!({"reference-id": "r-2"})).await;
    let third = new_inquiry(&api, json!({"reference-id": "r-1"})).await;
    assert_eq!(act(&api, &third, "approve", json!({})).await.status, 200);
    let ids = |r: Response| r.ids();
    assert_eq!(
        ids(api.get("/api/v1/inquiries").await),
        vec![third.clone(), second.clone(), first.clone()]
    );
    assert_eq!(
        ids(api.get("/api/v1/inquiries?filter[status]=approved").await),
        vec![third.clone()]
    );
    assert_eq!(
        ids(api
            .get("/api/v1/inquiries?filter[status]=created,approved&filter[reference-id]=r-1")
            .await),
        vec![third.clone(), first.clone()]
    );
    assert_eq!(
        ids(api.get("/api/v1/inquiries?filter[note]=call back").await),
        vec![first.clone()]
    );
    assert_eq!(
        ids(api
            .get(&format!(
                "/api/v1/inquiries?filter[inquiry-id]={first},{second}"
            ))
            .await),
        vec![second.clone(), first.clone()]
    );
    let account = api.get(&format!("/api/v1/inquiries/{second}")).await.body["data"]
        ["relationships"]["account"]["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        ids(api
            .get(&format!("/api/v1/inquiries?filter[account-id]={account}"))
            .await),
        vec![second.clone()]
    );
    let template = api.default_inquiry_template().await;
    assert_eq!(
        ids(api
            .get(&format!(
                "/api/v1/inquiries?filter[inquiry-template-id]={template}&page[size]=2"
            ))
            .await)
        .len(),
        2
    );
    assert!(ids(api
        .get("/api/v1/inquiries?filter[created-at-end]=2000-01-01T00:00:00.000Z")
        .await)
    .is_empty());
    assert_eq!(
        ids(api
            .get("/api/v1/inquiries?filter[created-at-start]=2000-01-01")
            .await)
        .len(),
        3
    );
    // Paging walks newest first.
    let page = api.get("/api/v1/inquiries?page[size]=2").await;
    let next = page.body["links"]["next"].as_str().unwrap().to_string();
    assert_eq!(ids(api.get(&next).await), vec![first.clone()]);
    for bad in [
        "filter[status]=done",
        "filter[colour]=red",
        "filter[note]=x&filter[status]=created",
        "filter[created-at-start]=yesterday",
    ] {
        let refused = api.get(&format!("/api/v1/inquiries?{bad}")).await;
        assert_eq!(refused.status, 400, "{bad}");
    }
}

#[tokio::test]
async fn status_actions_move_inquiries_and_refuse_illegal_moves() {
    let server = Server::start();
    let api = server.client();
    let id = new_inquiry(&api, json!({})).await;
    let reviewed = act(
        &api,
        &id,
        "mark-for-review",
        json!({"comment": "odd selfie"}),
    )
    .await;
    assert_eq!(reviewed.status, 200);
    assert_eq!(reviewed.attr("status"), "needs_review");
    assert!(!reviewed.attr("marked-for-review-at").is_null());
    assert!(
        reviewed.attr("expires-at").is_null(),
        "only created or pending inquiries expire"
    );
    let approved = act(&api, &id, "approve", json!({"comment": "looks fine"})).await;
    assert_eq!(approved.attr("status"), "approved");
    assert_eq!(approved.attr("reviewer-comment"), "looks fine");
    assert!(!approved.attr("decisioned-at").is_null());
    // Approving again changes nothing and records nothing.
    assert_eq!(act(&api, &id, "approve", json!({})).await.status, 200);
    for action in ["decline", "mark-for-review", "expire", "complete"] {
        let refused = act(&api, &id, action, json!({})).await;
        assert_eq!(refused.status, 409, "{action}: {:?}", refused.body);
        assert!(refused.details().contains("approved"), "{:?}", refused.body);
    }
    let resumed = act(&api, &id, "resume", json!({})).await;
    assert_eq!(resumed.status, 409);
    assert_eq!(
        api.event_names(&id).await,
        vec![
            "inquiry.approved",
            "inquiry.marked-for-review",
            "inquiry.created"
        ]
    );
    let bad = act(&api, &id, "approve", json!({"comment": 5})).await;
    assert_eq!(bad.status, 400);
    let missing = act(&api, "inq_nope", "approve", json!({})).await;
    assert_eq!(missing.status, 404);

    let other = new_inquiry(&api, json!({})).await;
    let declined = act(&api, &other, "decline", json!({})).await;
    assert_eq!(declined.attr("status"), "declined");
    assert_eq!(act(&api, &other, "approve", json!({})).await.status, 409);
}

#[tokio::test]
async fn expire_ends_the_sessions_and_resume_brings_the_inquiry_back() {
    let server = Server::start();
    let api = server.client();
    let template = api.default_inquiry_template().await;
    let created = create(
        &api,
        json!({"inquiry-template-id": template}),
        json!({"auto-create-inquiry-session": true}),
    )
    .await;
    let id = created.id();
    let session = created.body["data"]["relationships"]["sessions"]["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let expired = act(&api, &id, "expire", json!({})).await;
    assert_eq!(expired.status, 200);
    assert_eq!(expired.attr("status"), "expired");
    assert!(!expired.attr("expired-at").is_null());
    let got = api
        .get(&format!("/api/v1/inquiry-sessions/{session}"))
        .await;
    assert_eq!(got.attr("status"), "expired");
    assert_eq!(
        api.event_names(&session).await,
        vec!["inquiry-session.expired", "inquiry-session.created"]
    );
    let resumed = act(&api, &id, "resume", json!({})).await;
    assert_eq!(resumed.status, 200, "{:?}", resumed.body);
    assert_eq!(resumed.attr("status"), "pending");
    assert!(resumed.body["meta"]["session-token"]
        .as_str()
        .unwrap()
        .starts_with("iqst_"));
    assert!(!resumed.attr("expires-at").is_null());
    assert_eq!(
        resumed.body["data"]["relationships"]["sessions"]["data"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        api.event_names(&id).await[..2],
        ["inquiry.transitioned", "inquiry.expired"]
    );
}

#[tokio::test]
async fn submitted_fields_start_the_inquiry_and_tags_change() {
    let server = Server::start();
    let api = server.client();
    let id = new_inquiry(&api, json!({})).await;
    let patched = api
        .patch(
            &format!("/api/v1/inquiries/{id}"),
            json!({"data": {"attributes": {"fields": {"name-last": "Doe"}, "note": "n"}}}),
        )
        .await;
    assert_eq!(patched.status, 200, "{:?}", patched.body);
    assert_eq!(patched.attr("status"), "pending");
    assert!(!patched.attr("started-at").is_null());
    assert_eq!(patched.attr("fields")["name-last"]["value"], "Doe");
    let bad = api
        .patch(
            &format!("/api/v1/inquiries/{id}"),
            json!({"data": {"attributes": {"fields": {"email-address": "nope"}}}}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        bad.body["errors"][0]["source"]["pointer"],
        "/data/attributes/fields/email-address"
    );
    let tagged = act(&api, &id, "add-tag", json!({"tag-name": "vip"})).await;
    assert_eq!(tagged.attr("tags"), &json!(["vip"]));
    let set = act(&api, &id, "set-tags", json!({"tag-name": ["a", "b"]})).await;
    assert_eq!(set.attr("tags"), &json!(["a", "b"]));
    let removed = act(&api, &id, "remove-tag", json!({"tag-name": "a"})).await;
    assert_eq!(removed.attr("tags"), &json!(["b"]));
    assert_eq!(act(&api, &id, "decline", json!({})).await.status, 200);
    let late = api
        .patch(
            &format!("/api/v1/inquiries/{id}"),
            json!({"data": {"attributes": {"fields": {"name-last": "Roe"}}}}),
        )
        .await;
    assert_eq!(late.status, 409);
    let names = api.event_names(&id).await;
    assert_eq!(
        names
            .iter()
            .filter(|n| *n == "inquiry.updated-tags")
            .count(),
        3
    );
    assert!(
        names.contains(&"inquiry.started".to_string())
            && names.contains(&"inquiry.updated".to_string())
    );
}

/// An account holding Jane Doe's identity; its id.
async fn jane(api: &Client) -> String {
    api.create_account(json!({
        "name-first": "Jane", "name-last": "Doe", "birthdate": "1990-04-01",
        "address-street-1": "123 Main Street", "address-postal-code": "94105", "country-code": "US",
    }))
    .await
    .id()
}

async fn submit(api: &Client, account: &str, fields: Value) -> Response {
    let id = new_inquiry(api, json!({"account-id": account, "fields": fields})).await;
    let done = act(api, &id, "complete", json!({})).await;
    assert_eq!(done.status, 200, "{:?}", done.body);
    done
}

#[tokio::test]
async fn submitting_compares_the_identity_with_the_account() {
    let server = Server::start();
    let api = server.client();
    let account = jane(&api).await;
    let same = submit(&api, &account, json!({"name-first": "JANE", "name-last": "Doé", "birthdate": "1990-04-01", "address-street-1": "123 Main St", "address-postal-code": "94105"})).await;
    assert_eq!(same.attr("status"), "completed");
    let comparison = api
        .get(&format!("/api/v1/inquiries/{}/comparison", same.id()))
        .await;
    assert_eq!(comparison.status, 200);
    assert_eq!(comparison.attr("verdict"), "pass");
    let name = comparison
        .attr("fields")
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "name")
        .unwrap()
        .clone();
    assert_eq!(name["outcome"], "match");
    assert_eq!(name["method"], "fuzzy");

    let other_birthday = submit(
        &api,
        &account,
        json!({"name-first": "Jane", "name-last": "Doe", "birthdate": "1991-04-01"}),
    )
    .await;
    assert_eq!(other_birthday.attr("status"), "failed");
    assert!(!other_birthday.attr("failed-at").is_null());
    let close = submit(
        &api,
        &account,
        json!({"name-first": "Janet", "name-last": "Dorn"}),
    )
    .await;
    assert_eq!(close.attr("status"), "needs_review");
    assert!(!close.attr("completed-at").is_null());
    let names = api.event_names(&close.id()).await;
    assert_eq!(
        names[..2],
        ["inquiry.marked-for-review", "inquiry.completed"]
    );
    // The account did not change.
    let got = api.get(&format!("/api/v1/accounts/{account}")).await;
    assert_eq!(
        got.attr("fields")["name"]["value"]["first"]["value"],
        "Jane"
    );
}

#[tokio::test]
async fn the_first_completed_inquiry_fills_an_empty_account() {
    let server = Server::start();
    let api = server.client();
    let template = api.default_inquiry_template().await;
    let created = create(&api, json!({"inquiry-template-id": template, "reference-id": "new-user",
        "fields": {"name-first": "Ada", "name-last": "Lovelace", "birthdate": "1815-12-10", "address-country-code": "GB", "identification-number": "P-123", "identification-class": "pp"}}), json!({})).await;
    let account = created.body["data"]["relationships"]["account"]["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let done = act(&api, &created.id(), "complete", json!({})).await;
    assert_eq!(done.attr("status"), "completed");
    let comparison = api
        .get(&format!("/api/v1/inquiries/{}/comparison", created.id()))
        .await;
    assert_eq!(comparison.attr("populated-account"), true);
    let got = api.get(&format!("/api/v1/accounts/{account}")).await;
    let fields = got.attr("fields");
    assert_eq!(fields["name"]["value"]["last"]["value"], "Lovelace");
    assert_eq!(fields["birthdate"]["value"], "1815-12-10");
    assert_eq!(
        fields["identification_numbers"]["value"][0]["value"]["identification_number"]["value"],
        "P-123"
    );
    assert!(api
        .event_names(&account)
        .await
        .contains(&"account.updated-fields".to_string()));
    // The next inquiry is compared with what the first one filled in.
    let mismatch = submit(
        &api,
        &account,
        json!({"name-first": "Ada", "name-last": "Lovelace", "identification-number": "P-999"}),
    )
    .await;
    assert_eq!(mismatch.attr("status"), "failed");
}

#[tokio::test]
async fn required_fields_must_be_given_before_completing() {
    let server = Server::start();
    let api = server.client();
    let template = api
        .post(
            "/api/v1/inquiry-templates",
            json!({"data": {"attributes": {"name": "needs employer", "field-schemas": [
            {"key": "employer", "type": "string", "config": {"required": true}}]}}}),
        )
        .await
        .id();
    let id = create(&api, json!({"inquiry-template-id": template}), json!({}))
        .await
        .id();
    let refused = act(&api, &id, "complete", json!({})).await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.body["errors"][0]["source"]["pointer"],
        "/data/attributes/fields/employer"
    );
    assert_eq!(status_of(&api, &id).await, "created", "nothing changed");
    api.patch(
        &format!("/api/v1/inquiries/{id}"),
        json!({"data": {"attributes": {"fields": {"employer": "ACME"}}}}),
    )
    .await;
    assert_eq!(
        act(&api, &id, "complete", json!({})).await.attr("status"),
        "completed"
    );
}

#[tokio::test]
async fn sandbox_simulates_actions_and_production_refuses() {
    let server = Server::start();
    let api = server.client();
    let id = new_inquiry(&api, json!({})).await;
    let simulated = act(&api, &id, "perform-simulate-actions", json!({"simulate-actions": [{"type": "start_inquiry"}, {"type": "complete_inquiry"}, {"type": "approve_inquiry"}]})).await;
    assert_eq!(simulated.status, 200, "{:?}", simulated.body);
    assert_eq!(simulated.attr("status"), "approved");
    let bad = act(
        &api,
        &id,
        "perform-simulate-actions",
        json!({"simulate-actions": [{"type": "create_passed_verification"}]}),
    )
    .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        bad.body["errors"][0]["source"]["pointer"],
        "/meta/simulate-actions/0/type"
    );
    let production = server.client_with_key(&server.production_key);
    let prod_id = new_inquiry(&production, json!({})).await;
    let refused = act(
        &production,
        &prod_id,
        "perform-simulate-actions",
        json!({"simulate-actions": [{"type": "start_inquiry"}]}),
    )
    .await;
    assert_eq!(refused.status, 422);
    // Environments are apart.
    assert_eq!(
        api.get(&format!("/api/v1/inquiries/{prod_id}"))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn sessions_are_created_listed_expired_and_linked() {
    let server = Server::start();
    let api = server.client();
    let first = new_inquiry(&api, json!({})).await;
    let second = new_inquiry(&api, json!({})).await;
    let mut sessions = Vec::new();
    for inquiry in [&first, &first, &second] {
        let created = api
            .post(
                "/api/v1/inquiry-sessions",
                json!({"data": {"attributes": {"inquiry-id": inquiry}}}),
            )
            .await;
        assert_eq!(created.status, 201, "{:?}", created.body);
        assert_eq!(created.attr("status"), "new");
        sessions.push(created.id());
    }
    let of_first = api
        .get(&format!(
            "/api/v1/inquiry-sessions?filter[inquiry-id]={first}"
        ))
        .await;
    assert_eq!(
        of_first.ids(),
        vec![sessions[1].clone(), sessions[0].clone()]
    );
    let one = api
        .post(
            &format!("/api/v1/inquiry-sessions/{}/expire", sessions[0]),
            json!({}),
        )
        .await;
    assert_eq!(one.attr("status"), "expired");
    let linked = api
        .post(
            &format!(
                "/api/v1/inquiry-sessions/{}/generate-one-time-link",
                sessions[1]
            ),
            json!({"meta": {"expires-in-seconds": 600}}),
        )
        .await;
    assert_eq!(linked.status, 200, "{:?}", linked.body);
    assert!(linked.body["meta"]["one-time-link-short"]
        .as_str()
        .unwrap()
        .contains("/v/otl_"));
    let inquiry_link = act(&api, &second, "generate-one-time-link", json!({})).await;
    assert_eq!(inquiry_link.status, 200, "{:?}", inquiry_link.body);
    assert!(inquiry_link.body["meta"]["one-time-link"]
        .as_str()
        .unwrap()
        .contains("/verify?code=otl_"));

    let all = api
        .post(
            "/api/v1/inquiry-sessions/expire-all",
            json!({"meta": {"inquiry-ids": [first, second]}}),
        )
        .await;
    assert_eq!(all.status, 200, "{:?}", all.body);
    // sessions[0] had already expired; the rest (including the link's session) expire now.
    let expired: Vec<String> = all.ids();
    assert_eq!(expired.len(), 3, "{:?}", all.body);
    assert!(!expired.contains(&sessions[0]));
    let active = api
        .get("/api/v1/inquiry-sessions?filter[status]=new,active")
        .await;
    assert!(active.ids().is_empty());
    let again = api
        .post(
            "/api/v1/inquiry-sessions/expire-all",
            json!({"meta": {"inquiry-ids": [first]}}),
        )
        .await;
    assert!(again.ids().is_empty());
    let unknown = api
        .post(
            "/api/v1/inquiry-sessions/expire-all",
            json!({"meta": {"inquiry-ids": [first, "inq_nope"]}}),
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert_eq!(
        unknown.body["errors"][0]["source"]["pointer"],
        "/meta/inquiry-ids/1"
    );
    let missing = api
        .post(
            "/api/v1/inquiry-sessions",
            json!({"data": {"attributes": {"inquiry-id": "inq_nope"}}}),
        )
        .await;
    assert_eq!(missing.status, 404);
    let expired_link = api
        .post(
            &format!(
                "/api/v1/inquiry-sessions/{}/generate-one-time-link",
                sessions[0]
            ),
            json!({}),
        )
        .await;
    assert_eq!(expired_link.status, 409);
}

async fn advance(api: &Client, seconds: i64) {
    let moved = api
        .post(
            "/api/v1/test-clock/advance",
            json!({"meta": {"seconds": seconds}}),
        )
        .await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
}

async fn wait_for_status(api: &Client, id: &str, wanted: &str) {
    for _ in 0..100 {
        if status_of(api, id).await == wanted {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "inquiry {id} never became {wanted} (is {})",
        status_of(api, id).await
    );
}

#[tokio::test]
async fn inquiries_expire_on_time_without_a_request() {
    let server = Server::start_with(&["--test-clock"]);
    let api = server.client();
    let template = api.default_inquiry_template().await;
    let day = create(
        &api,
        json!({"inquiry-template-id": template}),
        json!({"auto-create-inquiry-session": true}),
    )
    .await
    .id();
    let hour = create(
        &api,
        json!({"inquiry-template-id": template}),
        json!({"expiration-after-create-interval-seconds": 3600}),
    )
    .await
    .id();
    let started = new_inquiry(&api, json!({})).await;
    api.patch(
        &format!("/api/v1/inquiries/{started}"),
        json!({"data": {"attributes": {"fields": {"name-first": "A"}}}}),
    )
    .await;
    let done = new_inquiry(&api, json!({})).await;
    act(&api, &done, "approve", json!({})).await;

    advance(&api, 3601).await;
    wait_for_status(&api, &hour, "expired").await;
    assert_eq!(status_of(&api, &day).await, "created");
    advance(&api, 86_400).await;
    wait_for_status(&api, &day, "expired").await;
    wait_for_status(&api, &started, "expired").await;
    assert_eq!(
        status_of(&api, &done).await,
        "approved",
        "decided inquiries never expire"
    );
    let sessions = api
        .get(&format!(
            "/api/v1/inquiry-sessions?filter[inquiry-id]={day}"
        ))
        .await;
    assert_eq!(sessions.body["data"][0]["attributes"]["status"], "expired");
    assert_eq!(api.event_names(&day).await[0], "inquiry.expired");
    // Without --test-clock the clock cannot be moved.
    let plain = Server::start();
    let refused = plain
        .client()
        .post(
            "/api/v1/test-clock/advance",
            json!({"meta": {"seconds": 5}}),
        )
        .await;
    assert_eq!(refused.status, 404);
}

#[tokio::test]
async fn expiry_due_while_the_server_was_down_happens_at_start() {
    let mut server = Server::start();
    let api = server.client();
    let template = api.default_inquiry_template().await;
    let id = create(
        &api,
        json!({"inquiry-template-id": template}),
        json!({"expiration-after-create-interval-seconds": 1}),
    )
    .await
    .id();
    server.kill();
    let temp = server.take_tempdir();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let restarted = Server::spawn(&server.data_dir, &[]);
    let api = restarted.client_with_key(&server.sandbox_key);
    wait_for_status(&api, &id, "expired").await;
    drop(temp);
}

#[tokio::test]
async fn redaction_removes_what_the_person_submitted() {
    let server = Server::start_with(&["--scrub-at", "never"]);
    let api = server.client();
    let marker = "Quixotebramblewick";
    let template = api.default_inquiry_template().await;
    let created = create(&api, json!({"inquiry-template-id": template, "fields": {"name-last": marker}, "note": format!("{marker} called")}), json!({"auto-create-inquiry-session": true})).await;
    let id = created.id();
    assert_eq!(
        crate::common::markers_on_disk(&server.data_dir, &[marker]),
        [marker],
        "on disk before"
    );
    let redacted = api.delete(&format!("/api/v1/inquiries/{id}")).await;
    assert_eq!(redacted.status, 200, "{:?}", redacted.body);
    assert!(!redacted.attr("redacted-at").is_null());
    assert!(redacted.attr("fields").as_object().unwrap().is_empty());
    let events = api
        .get(&format!("/api/v1/events?filter[object-id]={id}"))
        .await;
    assert!(!events.body.to_string().contains(marker));
    crate::common::scrub_now(&server.data_dir);
    assert_eq!(
        crate::common::markers_on_disk(&server.data_dir, &[marker]),
        Vec::<&str>::new(),
        "the name left the disk"
    );
    for (action, meta) in [
        ("approve", json!({})),
        ("resume", json!({})),
        ("add-tag", json!({"tag-name": "x"})),
    ] {
        let refused = act(&api, &id, action, meta).await;
        assert_eq!(refused.status, 409, "{action}");
    }
    assert_eq!(
        api.delete(&format!("/api/v1/inquiries/{id}")).await.status,
        409
    );
}

#[tokio::test]
async fn search_finds_inquiries_with_boolean_queries() {
    let server = Server::start();
    let api = server.client();
    let first = new_inquiry(
        &api,
        json!({"reference-id": "s-1", "fields": {"name-last": "Quince"}}),
    )
    .await;
    let second = new_inquiry(&api, json!({"reference-id": "s-2"})).await;
    let third = new_inquiry(&api, json!({"reference-id": "s-3"})).await;
    act(&api, &second, "approve", json!({})).await;
    let search = |query: Value| {
        let api = api.clone();
        async move {
            let found = api
                .post(
                    "/api/v1/inquiries/search",
                    json!({"query": query, "page": {"size": 10}}),
                )
                .await;
            assert_eq!(found.status, 200, "{:?}", found.body);
            found.ids()
        }
    };
    assert_eq!(
        search(json!({"attribute": "status", "operator": "eq", "value": "approved"})).await,
        vec![second.clone()]
    );
    assert_eq!(
        search(json!({"or": [{"attribute": "reference_id", "operator": "eq", "value": "s-1"}, {"attribute": "status", "operator": "eq", "value": "approved"}]})).await,
        vec![second.clone(), first.clone()]
    );
    assert_eq!(
        search(json!({"attribute": "fields.name-last", "operator": "eq", "value": "Quince"})).await,
        vec![first.clone()]
    );
    assert_eq!(
        search(json!({"not": {"attribute": "status", "operator": "eq", "value": "approved"}}))
            .await,
        vec![third.clone(), first.clone()]
    );
    let template = api.default_inquiry_template().await;
    assert_eq!(
        search(json!({"attribute": "inquiry_template_id", "operator": "eq", "value": template}))
            .await
            .len(),
        3
    );
    let paged = api
        .post("/api/v1/inquiries/search", json!({"page": {"size": 2}}))
        .await;
    assert_eq!(paged.ids(), vec![third.clone(), second.clone()]);
    let bad = api
        .post(
            "/api/v1/inquiries/search",
            json!({"query": {"attribute": "status", "operator": "like", "value": "x"}}),
        )
        .await;
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    assert_eq!(
        bad.body["errors"][0]["source"]["pointer"],
        "/query/operator"
    );
    let unknown = api
        .post(
            "/api/v1/inquiries/search",
            json!({"query": {"attribute": "account_type_name", "operator": "eq", "value": "x"}}),
        )
        .await;
    assert_eq!(
        unknown.status, 422,
        "accounts' attributes are not inquiries'"
    );
}

/// Every status action from every status, over HTTP: allowed moves answer 200, the rest
/// 409 and change nothing. The table is written out here, apart from the domain's rules.
#[tokio::test]
async fn every_action_from_every_status_is_allowed_or_refused() {
    let server = Server::start();
    let api = server.client();
    let reach: [(&str, &[&str]); 8] = [
        ("created", &[]),
        ("pending", &["start_inquiry"]),
        ("completed", &["complete_inquiry"]),
        ("failed", &["fail_inquiry"]),
        ("expired", &["expire_inquiry"]),
        ("needs_review", &["mark_for_review_inquiry"]),
        ("approved", &["approve_inquiry"]),
        ("declined", &["decline_inquiry"]),
    ];
    // action → the statuses it is refused from, and where it leads when allowed.
    let rules: [(&str, &[&str], Option<&str>); 6] = [
        ("approve", &["declined"], Some("approved")),
        ("decline", &["approved"], Some("declined")),
        (
            "mark-for-review",
            &["approved", "declined"],
            Some("needs_review"),
        ),
        (
            "expire",
            &[
                "completed",
                "failed",
                "needs_review",
                "approved",
                "declined",
            ],
            Some("expired"),
        ),
        (
            "resume",
            &[
                "completed",
                "failed",
                "needs_review",
                "approved",
                "declined",
            ],
            None,
        ),
        (
            "complete",
            &[
                "completed",
                "failed",
                "expired",
                "needs_review",
                "approved",
                "declined",
            ],
            Some("completed"),
        ),
    ];
    for (status, steps) in reach {
        for (action, refused_from, leads_to) in rules {
            let id = new_inquiry(&api, json!({})).await;
            let steps: Vec<Value> = steps.iter().map(|s| json!({"type": s})).collect();
            if !steps.is_empty() {
                let moved = act(
                    &api,
                    &id,
                    "perform-simulate-actions",
                    json!({"simulate-actions": steps}),
                )
                .await;
                assert_eq!(
                    moved.attr("status"),
                    status,
                    "reaching {status}: {:?}",
                    moved.body
                );
            }
            let answer = act(&api, &id, action, json!({})).await;
            if refused_from.contains(&status) {
                assert_eq!(
                    answer.status, 409,
                    "{action} from {status}: {:?}",
                    answer.body
                );
                assert!(
                    answer.details().contains(&status.replace('_', " ")),
                    "{:?}",
                    answer.body
                );
                assert_eq!(
                    status_of(&api, &id).await,
                    status,
                    "{action} from {status} changed nothing"
                );
            } else {
                assert_eq!(
                    answer.status, 200,
                    "{action} from {status}: {:?}",
                    answer.body
                );
                let expected = match (action, status) {
                    ("resume", "expired") => "pending",
                    ("resume", s) => s,
                    (_, _) => leads_to.unwrap(),
                };
                assert_eq!(answer.attr("status"), expected, "{action} from {status}");
            }
        }
    }
}

#[tokio::test]
async fn redacting_an_account_redacts_its_inquiries() {
    let server = Server::start();
    let api = server.client();
    let marker = "Plumbottomley";
    let account = api
        .create_account(json!({"reference-id": "gone-1"}))
        .await
        .id();
    let id = new_inquiry(
        &api,
        json!({"account-id": account, "fields": {"name-last": marker}}),
    )
    .await;
    let other = new_inquiry(&api, json!({"fields": {"name-last": "Keepme"}})).await;
    assert_eq!(
        api.delete(&format!("/api/v1/accounts/{account}"))
            .await
            .status,
        200
    );
    let got = api.get(&format!("/api/v1/inquiries/{id}")).await;
    assert!(!got.attr("redacted-at").is_null());
    assert!(got.attr("fields").as_object().unwrap().is_empty());
    assert!(api
        .get(&format!("/api/v1/inquiries/{other}"))
        .await
        .attr("redacted-at")
        .is_null());
    // The records are files here only on SQLite.
    if crate::common::on_sqlite() {
        assert!(!contains(&data_bytes(&server.data_dir), marker));
    }
}
