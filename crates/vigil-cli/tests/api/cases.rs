//! Cases through HTTP: templates and queues, create with attached objects, list filters,
//! assignment, statuses and resolutions, objects, tags, comments, SLA expiry, redaction.

use std::time::Duration;

use serde_json::{json, Value};

use crate::common::{contains, data_bytes, Client, Response, Server};

async fn default_template(api: &Client) -> String {
    let listed = api.get("/api/v1/case-templates").await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    listed.ids()[0].clone()
}

async fn new_case(api: &Client, attributes: Value, meta: Value) -> Response {
    let mut attributes = attributes;
    if attributes.get("case-template-id").is_none() {
        attributes["case-template-id"] = json!(default_template(api).await);
    }
    api.post(
        "/api/v1/cases",
        json!({"data": {"attributes": attributes}, "meta": meta}),
    )
    .await
}

async fn act(api: &Client, id: &str, action: &str, meta: Value) -> Response {
    api.post(
        &format!("/api/v1/cases/{id}/{action}"),
        json!({"meta": meta}),
    )
    .await
}

fn related(case: &Response, name: &str) -> Vec<String> {
    case.body["data"]["relationships"][name]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_case_opens_with_its_objects_and_is_decided() {
    let server = Server::start();
    let api = server.client();
    let account = api
        .create_account(json!({"reference-id": "cust-1", "name-first": "Ann"}))
        .await
        .id();
    let queue = api
        .post(
            "/api/v1/case-queues",
            json!({"data": {"attributes": {"name": "Fraud"}}}),
        )
        .await;
    assert_eq!(queue.status, 201, "{:?}", queue.body);
    let created = new_case(
        &api,
        json!({"case-queue-id": queue.id()}),
        json!({"object-ids": [account], "sla-expires-in-seconds": 3600}),
    )
    .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.id();
    assert_eq!(created.attr("status"), "open");
    assert_eq!(related(&created, "accounts"), vec![account.clone()]);
    assert!(!created.attr("sla-expires-at").is_null());
    assert_eq!(created.attr("creator-id"), "admin");

    let assigned = act(
        &api,
        &id,
        "assign",
        json!({"user-email-address": "rev@example.com"}),
    )
    .await;
    assert_eq!(assigned.attr("assignee-id"), "rev@example.com");
    assert!(!assigned.attr("assigned-at").is_null());
    let pending = act(&api, &id, "set-status", json!({"status": "pending"})).await;
    assert_eq!(pending.attr("status"), "pending");
    let approved = act(&api, &id, "set-status", json!({"status": "Approved"})).await;
    assert_eq!(approved.status, 200, "{:?}", approved.body);
    assert_eq!(approved.attr("status"), "Approved");
    assert_eq!(approved.attr("resolution"), "Approved");
    assert!(!approved.attr("resolved-at").is_null());
    assert_eq!(approved.attr("resolver-id"), "admin");
    // A decision is final until the case is reopened: no second resolution on top.
    let twice = act(&api, &id, "set-status", json!({"status": "Declined"})).await;
    assert_eq!(twice.status, 409, "{:?}", twice.body);
    assert!(twice.details().contains("reopen"), "{}", twice.details());
    let kept = api.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(kept.attr("resolution"), "Approved");
    let bad = act(&api, &id, "set-status", json!({"status": "Escalated"})).await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.body["errors"][0]["source"]["pointer"], "/meta/status");
    let reopened = act(&api, &id, "set-status", json!({"status": "open"})).await;
    assert!(reopened.attr("resolved-at").is_null());
    assert_eq!(
        api.event_names(&id).await,
        vec![
            "case.reopened",
            "case.status-updated",
            "case.resolved",
            "case.status-updated",
            "case.status-updated",
            "case.assigned",
            "case.created"
        ]
    );
    assert_eq!(
        act(&api, &id, "assign", json!({"user-email-address": "nope"}))
            .await
            .status,
        422
    );
    assert_eq!(
        act(
            &api,
            "case_nope",
            "assign",
            json!({"user-email-address": "a@b.co"})
        )
        .await
        .status,
        404
    );
}

#[tokio::test]
async fn cases_are_listed_by_status_queue_assignee_and_attached_objects() {
    let server = Server::start();
    let api = server.client();
    let account = api
        .create_account(json!({"reference-id": "ref-9"}))
        .await
        .id();
    let queue = api
        .post(
            "/api/v1/case-queues",
            json!({"data": {"attributes": {"name": "KYC"}}}),
        )
        .await
        .id();
    let first = new_case(&api, json!({}), json!({"object-ids": [account]}))
        .await
        .id();
    let second = new_case(&api, json!({"case-queue-id": queue}), json!({}))
        .await
        .id();
    let third = new_case(&api, json!({}), json!({})).await.id();
    act(
        &api,
        &second,
        "assign",
        json!({"user-email-address": "a@example.com"}),
    )
    .await;
    act(
        &api,
        &third,
        "set-status",
        json!({"status": "resolved", "resolution": "Declined"}),
    )
    .await;
    let ids = |r: Response| r.ids();
    assert_eq!(
        ids(api.get("/api/v1/cases").await),
        vec![third.clone(), second.clone(), first.clone()]
    );
    assert_eq!(
        ids(api.get("/api/v1/cases?filter[status]=open").await),
        vec![second.clone(), first.clone()]
    );
    assert_eq!(
        ids(api.get("/api/v1/cases?filter[status]=Declined").await),
        vec![third.clone()]
    );
    assert_eq!(
        ids(api
            .get(&format!("/api/v1/cases?filter[account-id]={account}"))
            .await),
        vec![first.clone()]
    );
    assert_eq!(
        ids(api.get("/api/v1/cases?filter[reference-id]=ref-9").await),
        vec![first.clone()]
    );
    assert_eq!(
        ids(api
            .get(&format!("/api/v1/cases?filter[case-queue-id]={queue}"))
            .await),
        vec![second.clone()]
    );
    assert_eq!(
        ids(api
            .get("/api/v1/cases?filter[assignee-id]=a@example.com")
            .await),
        vec![second.clone()]
    );
    assert!(ids(api
        .get("/api/v1/cases?filter[created-at-end]=2001-01-01")
        .await)
    .is_empty());
    assert_eq!(
        api.get("/api/v1/cases?filter[colour]=red").await.status,
        400
    );
}

#[tokio::test]
async fn a_reviewer_sorts_by_sla_filters_by_tag_and_sla_and_counts_a_queue() {
    let server = Server::start();
    let api = server.client();
    // SLAs in an hour, none, in a minute, in a day; the second and fourth tagged.
    let mut ids = Vec::new();
    for (sla, tags) in [
        (Some(3600), json!([])),
        (None, json!(["pep"])),
        (Some(60), json!([])),
        (Some(86_400), json!(["pep", "urgent"])),
    ] {
        let meta = match sla {
            Some(seconds) => json!({"sla-expires-in-seconds": seconds}),
            None => json!({}),
        };
        let id = new_case(&api, json!({}), meta).await.id();
        for tag in tags.as_array().unwrap() {
            let tagged = api
                .post(
                    &format!("/api/v1/cases/{id}/add-tag"),
                    json!({"meta": {"tag-name": tag}}),
                )
                .await;
            assert_eq!(tagged.status, 200, "{:?}", tagged.body);
        }
        ids.push(id);
    }
    let listed = |query: &'static str| {
        let api = api.clone();
        async move {
            let answer = api.get(&format!("/api/v1/cases?{query}")).await;
            assert_eq!(answer.status, 200, "{query}: {:?}", answer.body);
            answer
        }
    };
    let by_sla = listed("sort=sla-expires-at").await;
    assert_eq!(
        by_sla.ids(),
        vec![
            ids[2].clone(),
            ids[0].clone(),
            ids[3].clone(),
            ids[1].clone()
        ],
        "soonest SLA first, none last"
    );
    // Paging keeps the order and the sort.
    let first = listed("sort=sla-expires-at&page[size]=2").await;
    assert_eq!(first.ids(), vec![ids[2].clone(), ids[0].clone()]);
    let next = first.body["links"]["next"].as_str().unwrap().to_string();
    assert!(next.contains("sort=sla-expires-at"), "{next}");
    let second = api.get(&next).await;
    assert_eq!(second.ids(), vec![ids[3].clone(), ids[1].clone()]);
    assert_eq!(
        listed("filter[tag]=pep").await.ids(),
        vec![ids[3].clone(), ids[1].clone()]
    );
    // Due within two hours: the minute and the hour.
    let soon = (std::time::SystemTime::now() + Duration::from_secs(7200))
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let due = api
        .get(&format!(
            "/api/v1/cases?sort=sla-expires-at&filter[sla-expires-at-end]={}",
            vigil_domain::time::format_millis(soon as i64 * 1000)
        ))
        .await;
    assert_eq!(due.ids(), vec![ids[2].clone(), ids[0].clone()]);
    let count = |query: String| {
        let api = api.clone();
        async move {
            let answer = api.get(&format!("/api/v1/case-counts?{query}")).await;
            assert_eq!(answer.status, 200, "{query}: {:?}", answer.body);
            answer.body["data"]["attributes"]["count"].as_u64().unwrap()
        }
    };
    assert_eq!(count(String::new()).await, 4);
    assert_eq!(count("filter[tag]=urgent".into()).await, 1);
    assert_eq!(
        count("filter[assignee-id]=none&filter[status]=open".into()).await,
        4
    );
    act(
        &api,
        &ids[0],
        "assign",
        json!({"user-email-address": "a@example.com"}),
    )
    .await;
    assert_eq!(count("filter[assignee-id]=none".into()).await, 3);
    // A reviewer's queue: a status and an assignee together.
    assert_eq!(
        count("filter[assignee-id]=a@example.com&filter[status]=open,pending".into()).await,
        1
    );
    assert_eq!(
        count("filter[assignee-id]=none&filter[status]=open,pending".into()).await,
        3
    );
    assert_eq!(
        count("filter[assignee-id]=a@example.com&filter[status]=pending".into()).await,
        0
    );
    // A count can stop early and say so.
    let capped = api.get("/api/v1/case-counts?limit=2").await;
    assert_eq!(capped.status, 200, "{:?}", capped.body);
    assert_eq!(capped.attr("count"), 2);
    assert_eq!(capped.attr("at-least"), true);
    let whole = api.get("/api/v1/case-counts?limit=4").await;
    assert_eq!(whole.attr("count"), 4);
    assert_eq!(whole.attr("at-least"), true);
    let under = api.get("/api/v1/case-counts?limit=5").await;
    assert_eq!(under.attr("count"), 4);
    assert_eq!(under.attr("at-least"), false);
    // A tag added later is found too.
    let tagged = api
        .post(
            &format!("/api/v1/cases/{}/add-tag", ids[2]),
            json!({"meta": {"tag-name": "urgent"}}),
        )
        .await;
    assert_eq!(tagged.status, 200, "{:?}", tagged.body);
    assert_eq!(count("filter[tag]=urgent".into()).await, 2);
    // Bad sorts and filters are refused, naming them.
    for (query, named) in [
        ("/api/v1/cases?sort=name", "sort `name`"),
        (
            "/api/v1/accounts?sort=sla-expires-at",
            "sort is not a parameter here",
        ),
        (
            &format!("/api/v1/cases/{}?sort=sla-expires-at", ids[0]),
            "sort is not a parameter here",
        ),
        ("/api/v1/case-counts?limit=0", "limit must be"),
        ("/api/v1/cases?limit=5", "limit is not a parameter here"),
        ("/api/v1/case-counts?filter[colour]=red", "filter[colour]"),
        (
            "/api/v1/cases?filter[sla-expires-at-end]=soon",
            "filter[sla-expires-at-end]",
        ),
    ] {
        let refused = api.get(query).await;
        assert_eq!(refused.status, 400, "{query}");
        assert!(
            contains(refused.body.to_string().as_bytes(), named),
            "{query}: {:?}",
            refused.body
        );
    }
}

#[tokio::test]
async fn four_eyes_a_decline_waits_for_a_second_reviewer() {
    let server = Server::start();
    let first = server.client();
    let made = crate::common::create_key(
        &server.data_dir,
        &["--env", "sandbox", "--name", "second-reviewer"],
    );
    assert!(made.status.success());
    let second = server.client_with_key(String::from_utf8(made.stdout).unwrap().trim());
    let template = default_template(&first).await;
    let policy = format!("/api/v1/case-templates/{template}/second-review");
    assert_eq!(first.get(&policy).await.attr("resolutions"), &json!([]));
    // Names are the template's, in any letter case; others are refused, naming the field.
    let set = first
        .patch(
            &policy,
            json!({"data": {"attributes": {"resolutions": ["declined"]}}}),
        )
        .await;
    assert_eq!(set.status, 200, "{:?}", set.body);
    assert_eq!(set.attr("resolutions"), &json!(["Declined"]));
    let bad = first
        .patch(
            &policy,
            json!({"data": {"attributes": {"resolutions": ["Maybe"]}}}),
        )
        .await;
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    assert!(bad.details().contains("Maybe"), "{}", bad.details());
    // A key without case.configure may not switch the control off.
    let made = crate::common::create_key(
        &server.data_dir,
        &[
            "--env",
            "sandbox",
            "--permissions",
            "case.read,case.write,case.decide",
        ],
    );
    let reviewer = server.client_with_key(String::from_utf8(made.stdout).unwrap().trim());
    let refused = reviewer
        .patch(
            &policy,
            json!({"data": {"attributes": {"resolutions": []}}}),
        )
        .await;
    assert_eq!(refused.status, 403);
    assert!(refused.details().contains("case.configure"));

    // The first decline waits, the case pending, the proposal readable.
    let case = new_case(&first, json!({}), json!({})).await.id();
    let declined = act(&first, &case, "set-status", json!({"status": "Declined"})).await;
    assert_eq!(declined.status, 200, "{:?}", declined.body);
    assert_eq!(declined.attr("status"), "pending");
    let waiting = first.get(&format!("/api/v1/cases/{case}/proposal")).await;
    assert_eq!(waiting.attr("resolution"), "Declined");
    assert_eq!(waiting.attr("proposer")["type"], "api-key");
    assert!(first
        .event_names(&case)
        .await
        .contains(&"case.decision-proposed".to_string()));
    // The same key cannot approve its own decline.
    let again = act(&first, &case, "set-status", json!({"status": "Declined"})).await;
    assert_eq!(again.status, 409, "{:?}", again.body);
    assert!(
        again.details().contains("second reviewer"),
        "{}",
        again.details()
    );
    // An approval needs no second look; another key agreeing resolves the case.
    let approved = act(&second, &case, "set-status", json!({"status": "Declined"})).await;
    assert_eq!(approved.status, 200, "{:?}", approved.body);
    assert_eq!(approved.attr("status"), "Declined");
    assert_eq!(approved.attr("resolver-id"), "second-reviewer");
    let none = first.get(&format!("/api/v1/cases/{case}/proposal")).await;
    assert_eq!(none.status, 200);
    assert!(none.body["data"].is_null());
    // Approvals go straight through; sending a proposal back (status open) ends it.
    let other = new_case(&first, json!({}), json!({})).await.id();
    let ok = act(&first, &other, "set-status", json!({"status": "Approved"})).await;
    assert_eq!(ok.attr("status"), "Approved");
    let third = new_case(&first, json!({}), json!({})).await.id();
    act(&first, &third, "set-status", json!({"status": "Declined"})).await;
    let back = act(&second, &third, "set-status", json!({"status": "open"})).await;
    assert_eq!(back.attr("status"), "open");
    assert!(first
        .get(&format!("/api/v1/cases/{third}/proposal"))
        .await
        .body["data"]
        .is_null());
}

#[tokio::test]
async fn objects_tags_fields_and_comments_change_a_case() {
    let server = Server::start();
    let api = server.client();
    let template = api
        .post(
            "/api/v1/case-templates",
            json!({"data": {"attributes": {"name": "AML", "resolutions": ["Cleared", "Reported"],
            "field-schemas": [{"key": "risk-score", "type": "integer"}]}}}),
        )
        .await;
    assert_eq!(template.status, 201, "{:?}", template.body);
    assert_eq!(
        template.attr("resolutions"),
        &json!(["Cleared", "Reported"])
    );
    let got = api
        .get(&format!("/api/v1/case-templates/{}", template.id()))
        .await;
    assert_eq!(got.status, 200);
    let id = new_case(
        &api,
        json!({"case-template-id": template.id(), "fields": {"risk-score": 80}}),
        json!({}),
    )
    .await
    .id();
    let account = api.create_account(json!({})).await.id();
    let inquiry_template = api.get("/api/v1/inquiry-templates").await.ids()[0].clone();
    let inquiry = api.post("/api/v1/inquiries", json!({"data": {"attributes": {"inquiry-template-id": inquiry_template, "account-id": account}}})).await.id();
    let added = act(
        &api,
        &id,
        "add-objects",
        json!({"object-ids": [account, inquiry]}),
    )
    .await;
    assert_eq!(added.status, 200, "{:?}", added.body);
    assert_eq!(related(&added, "inquiries"), vec![inquiry.clone()]);
    let removed = act(
        &api,
        &id,
        "remove-objects",
        json!({"object-ids": [inquiry]}),
    )
    .await;
    assert!(related(&removed, "inquiries").is_empty());
    let unknown = act(
        &api,
        &id,
        "add-objects",
        json!({"object-ids": [account, "inq_missing"]}),
    )
    .await;
    assert_eq!(unknown.status, 422);
    assert_eq!(
        unknown.body["errors"][0]["source"]["pointer"],
        "/meta/object-ids/1"
    );
    let patched = api
        .patch(
            &format!("/api/v1/cases/{id}"),
            json!({"data": {"attributes": {"fields": {"risk-score": 95}}}}),
        )
        .await;
    assert_eq!(patched.attr("fields")["risk-score"]["value"], 95);
    let bad = api
        .patch(
            &format!("/api/v1/cases/{id}"),
            json!({"data": {"attributes": {"fields": {"risk-score": "high"}}}}),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        act(&api, &id, "add-tag", json!({"tag-name": "sar"}))
            .await
            .attr("tags"),
        &json!(["sar"])
    );
    assert_eq!(
        act(&api, &id, "set-tags", json!({"tag-name": ["x", "y"]}))
            .await
            .attr("tags"),
        &json!(["x", "y"])
    );
    assert_eq!(
        act(&api, &id, "remove-tag", json!({"tag-name": "x"}))
            .await
            .attr("tags"),
        &json!(["y"])
    );
    let resolved = act(&api, &id, "set-status", json!({"status": "Reported"})).await;
    assert_eq!(resolved.attr("status"), "Reported");
    assert_eq!(
        act(&api, &id, "set-status", json!({"status": "Approved"}))
            .await
            .status,
        422,
        "not this template's resolution"
    );

    let comment = api
        .post(
            &format!("/api/v1/cases/{id}/comments"),
            json!({"data": {"attributes": {"message": "Filed SAR"}}}),
        )
        .await;
    assert_eq!(comment.status, 201, "{:?}", comment.body);
    assert_eq!(comment.attr("message"), "Filed SAR");
    api.post(
        &format!("/api/v1/cases/{id}/comments"),
        json!({"data": {"attributes": {"message": "Second"}}}),
    )
    .await;
    let comments = api.get(&format!("/api/v1/cases/{id}/comments")).await;
    assert_eq!(comments.body["data"].as_array().unwrap().len(), 2);
    assert_eq!(comments.body["data"][0]["attributes"]["message"], "Second");
    let case = api.get(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(related(&case, "case-comments").len(), 2);
    assert_eq!(
        api.post(
            &format!("/api/v1/cases/{id}/comments"),
            json!({"data": {"attributes": {"message": " "}}})
        )
        .await
        .status,
        422
    );
    assert!(api.event_names(&comment.id()).await == vec!["case-comment.created"]);
}

#[tokio::test]
async fn create_refuses_bad_input_naming_the_field() {
    let server = Server::start();
    let api = server.client();
    let template = default_template(&api).await;
    let cases = [
        (json!({}), json!({}), 400),
        (json!({"case-template-id": "ctmpl_missing"}), json!({}), 404),
        (
            json!({"case-template-id": template, "case-queue-id": "cqueue_missing"}),
            json!({}),
            404,
        ),
        (
            json!({"case-template-id": template, "fields": {"colour": "red"}}),
            json!({}),
            422,
        ),
        (
            json!({"case-template-id": template}),
            json!({"object-ids": ["act_missing"]}),
            422,
        ),
        (
            json!({"case-template-id": template}),
            json!({"sla-expires-in-seconds": 99_999_999}),
            422,
        ),
        (
            json!({"case-template-id": template, "name": "x"}),
            json!({}),
            422,
        ),
    ];
    for (attributes, meta, status) in cases {
        let refused = api
            .post(
                "/api/v1/cases",
                json!({"data": {"attributes": attributes.clone()}, "meta": meta}),
            )
            .await;
        assert_eq!(refused.status, status, "{attributes}: {:?}", refused.body);
    }
    assert!(api.get("/api/v1/cases").await.ids().is_empty());
}

#[tokio::test]
async fn an_sla_that_runs_out_is_recorded_once() {
    let server = Server::start_with(&["--test-clock"]);
    let api = server.client();
    let id = new_case(&api, json!({}), json!({"sla-expires-in-seconds": 60}))
        .await
        .id();
    let resolved = new_case(&api, json!({}), json!({"sla-expires-in-seconds": 60}))
        .await
        .id();
    act(&api, &resolved, "set-status", json!({"status": "Approved"})).await;
    api.post(
        "/api/v1/test-clock/advance",
        json!({"meta": {"seconds": 61}}),
    )
    .await;
    for _ in 0..100 {
        if api
            .event_names(&id)
            .await
            .contains(&"case.sla-expired".to_string())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    api.post(
        "/api/v1/test-clock/advance",
        json!({"meta": {"seconds": 61}}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let names = api.event_names(&id).await;
    assert_eq!(
        names.iter().filter(|n| *n == "case.sla-expired").count(),
        1,
        "{names:?}"
    );
    assert!(!api
        .event_names(&resolved)
        .await
        .contains(&"case.sla-expired".to_string()));
}

#[tokio::test]
async fn redaction_removes_fields_and_comments() {
    let server = Server::start();
    let api = server.client();
    let template = api
        .post("/api/v1/case-templates", json!({"data": {"attributes": {"name": "t", "field-schemas": [{"key": "notes", "type": "string"}]}}}))
        .await
        .id();
    let marker = "Wobblethorpe";
    let id = new_case(
        &api,
        json!({"case-template-id": template, "fields": {"notes": marker}}),
        json!({}),
    )
    .await
    .id();
    api.post(
        &format!("/api/v1/cases/{id}/comments"),
        json!({"data": {"attributes": {"message": format!("{marker} again")}}}),
    )
    .await;
    let redacted = api.delete(&format!("/api/v1/cases/{id}")).await;
    assert_eq!(redacted.status, 200, "{:?}", redacted.body);
    assert!(!redacted.attr("redacted-at").is_null());
    // The records are files here only on SQLite.
    if crate::common::on_sqlite() {
        assert!(!contains(&data_bytes(&server.data_dir), marker));
    }
    assert_eq!(
        act(&api, &id, "add-tag", json!({"tag-name": "x"}))
            .await
            .status,
        409
    );
}

// `POST /cases/search` reads through the cases' terms where the query pins them (status,
// a resolution, template, tags) and pages from its cursor; other queries walk every case.
#[tokio::test]
async fn search_finds_cases_through_their_terms_and_pages() {
    let server = Server::start();
    let api = server.client();
    let mut urgent = Vec::new();
    let mut approved = Vec::new();
    let mut all = Vec::new();
    for i in 0..9 {
        let id = new_case(&api, json!({}), json!({})).await.id();
        if i % 2 == 0 {
            let tagged = api
                .post(
                    &format!("/api/v1/cases/{id}/add-tag"),
                    json!({"meta": {"tag-name": "urgent"}}),
                )
                .await;
            assert_eq!(tagged.status, 200, "{}", tagged.body);
            urgent.push(id.clone());
        }
        if i % 3 == 0 {
            let decided = act(&api, &id, "set-status", json!({"status": "Approved"})).await;
            assert_eq!(decided.status, 200, "{}", decided.body);
            approved.push(id.clone());
        }
        all.push(id);
    }
    let search = |body: Value| {
        let api = api.clone();
        async move {
            let found = api.post("/api/v1/cases/search", body).await;
            assert_eq!(found.status, 200, "{}", found.body);
            found
        }
    };
    let newest = |ids: &[String]| ids.iter().rev().cloned().collect::<Vec<_>>();
    let eq = |attribute: &str, value: &str| json!({"attribute": attribute, "operator": "eq", "value": value});
    assert_eq!(
        search(json!({"query": eq("tags", "urgent")})).await.ids(),
        newest(&urgent)
    );
    // A resolved case's status is its resolution.
    assert_eq!(
        search(json!({"query": eq("status", "Approved")}))
            .await
            .ids(),
        newest(&approved)
    );
    let open: Vec<String> = all
        .iter()
        .filter(|id| !approved.contains(id))
        .cloned()
        .collect();
    assert_eq!(
        search(json!({"query": eq("status", "open")})).await.ids(),
        newest(&open)
    );
    let urgent_open = json!({"and": [eq("tags", "urgent"), eq("status", "open")]});
    let expected: Vec<String> = urgent
        .iter()
        .filter(|id| open.contains(id))
        .cloned()
        .collect();
    assert_eq!(
        search(json!({"query": urgent_open})).await.ids(),
        newest(&expected)
    );
    // Oldest first, two a page, through the index and by walking every case.
    let template = default_template(&api).await;
    for query in [
        eq("case_template_id", &template),
        json!({"not": eq("status", "nothing")}),
    ] {
        let mut seen = Vec::new();
        let mut page = json!({"size": 2});
        loop {
            let found = search(json!({"query": query, "sort": {"attribute": "created_at", "direction": "asc"}, "page": page})).await;
            seen.extend(found.ids());
            if !found.body["links"]["next"].is_string() {
                break;
            }
            page = json!({"size": 2, "after": seen.last().unwrap()});
        }
        assert_eq!(seen, all, "{query}");
    }
    // A cursor that is not a case of this environment is refused.
    let refused = api
        .post(
            "/api/v1/cases/search",
            json!({"page": {"after": "case_nothing"}}),
        )
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
}
