//! Flagging rules through HTTP: the defaults each open a case when their finding appears
//! (watchlist match, shared government id, shared email/phone/IP/fingerprint, failed
//! inquiries), tag the accounts, and never open a second case for the same open finding.

use std::time::Duration;

use serde_json::{json, Value};

use crate::common::{Client, Server};

/// The cases attached to an account, once `ready` holds (rules run in the background).
async fn cases_of(api: &Client, account: &str, ready: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    for _ in 0..200 {
        let listed = api
            .get(&format!("/api/v1/cases?filter[account-id]={account}"))
            .await;
        assert_eq!(listed.status, 200, "{:?}", listed.body);
        let cases = listed.body["data"].as_array().unwrap().clone();
        if ready(&cases) {
            return cases;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the cases of {account} never became as expected");
}

fn ids(case: &Value, relation: &str) -> Vec<String> {
    let mut ids: Vec<String> = case["relationships"][relation]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

async fn tags_of(api: &Client, account: &str) -> Vec<String> {
    let got = api.get(&format!("/api/v1/accounts/{account}")).await;
    got.attr("tags")
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect()
}

/// Give rules time to act on everything written so far (they follow the event log).
async fn settle() {
    tokio::time::sleep(Duration::from_millis(1500)).await;
}

#[tokio::test]
async fn rules_are_listed_created_and_changed() {
    let server = Server::start();
    let api = server.client();
    let listed = api.get("/api/v1/flagging-rules").await;
    assert_eq!(listed.status, 200);
    let kinds: Vec<&str> = listed.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["attributes"]["condition"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 9, "{kinds:?}");
    for kind in [
        "watchlist-match",
        "shared-id-number",
        "shared-value",
        "failed-inquiries",
        "inquiry-needs-review",
        "document-reused",
    ] {
        assert!(kinds.contains(&kind));
    }
    let created = api
        .post("/api/v1/flagging-rules", json!({"data": {"attributes": {"name": "Two on one IP", "account-tag": "ip-ring",
            "condition": {"type": "shared-value", "key": "ip-address", "more-than": 1, "within-seconds": 3600}}}}))
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.attr("enabled"), true);
    let id = created.id();
    let disabled = api
        .patch(
            &format!("/api/v1/flagging-rules/{id}"),
            json!({"data": {"attributes": {"enabled": false}}}),
        )
        .await;
    assert_eq!(disabled.attr("enabled"), false);
    assert_eq!(
        api.get(&format!("/api/v1/flagging-rules/{id}"))
            .await
            .attr("enabled"),
        false
    );
    let bad = api
        .post("/api/v1/flagging-rules", json!({"data": {"attributes": {"name": "x", "account-tag": "x", "condition": {"type": "shared-value", "key": "ip-address", "more-than": 0, "within-seconds": 5}}}}))
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        bad.body["errors"][0]["source"]["pointer"],
        "/data/attributes/condition/more-than"
    );
    let missing = api
        .post(
            "/api/v1/flagging-rules",
            json!({"data": {"attributes": {"name": "x", "account-tag": "x"}}}),
        )
        .await;
    assert_eq!(missing.status, 400);
    let unknown_template = api
        .patch(
            &format!("/api/v1/flagging-rules/{id}"),
            json!({"data": {"attributes": {"case-template-id": "ctmpl_nope"}}}),
        )
        .await;
    assert_eq!(unknown_template.status, 404);
    assert_eq!(
        api.get("/api/v1/flagging-rules/frule_nope").await.status,
        404
    );
}

#[tokio::test]
async fn a_watchlist_match_opens_one_case_with_the_report_and_tags_the_account() {
    let server = Server::start();
    let api = server.client();
    let list = api.create_list("names", "Blocked").await;
    api.add_list_item(
        "names",
        &list,
        json!({"name-first": "Joe", "name-last": "Imposter"}),
    )
    .await;
    let account = api
        .create_account(json!({"name-first": "Joe", "name-last": "Imposter"}))
        .await
        .id();
    let cases = cases_of(&api, &account, |c| !c.is_empty()).await;
    assert_eq!(cases.len(), 1);
    let case = &cases[0];
    assert_eq!(case["attributes"]["status"], "open");
    assert_eq!(case["attributes"]["creator-type"], "workflow-run");
    assert_eq!(ids(case, "reports").len(), 1);
    assert!(tags_of(&api, &account)
        .await
        .contains(&"watchlist-match".to_string()));
    // A second list that also matches: the open case gains the report, no second case.
    let other = api.create_list("names", "Also blocked").await;
    api.add_list_item(
        "names",
        &other,
        json!({"name-first": "Joseph", "name-last": "Imposter"}),
    )
    .await;
    settle().await;
    let cases = cases_of(&api, &account, |c| !c.is_empty()).await;
    assert_eq!(cases.len(), 1, "{cases:?}");
    // Once decided, a new match is a new finding.
    let id = cases[0]["id"].as_str().unwrap();
    api.post(
        &format!("/api/v1/cases/{id}/set-status"),
        json!({"meta": {"status": "Approved"}}),
    )
    .await;
    let third = api.create_list("names", "Third").await;
    api.add_list_item(
        "names",
        &third,
        json!({"name-first": "Joe", "name-last": "Imposter"}),
    )
    .await;
    let cases = cases_of(&api, &account, |c| c.len() == 2).await;
    assert_eq!(cases.len(), 2);
}

#[tokio::test]
async fn a_shared_government_id_links_both_accounts_and_suggests_consolidation() {
    let server = Server::start();
    let api = server.client();
    let id_number = |n: &str| json!({"identification_numbers": [{"identification_class": "pp", "identification_number": n, "issuing_country": "US"}]});
    let first = api
        .create_account(json!({"fields": id_number("X123-45")}))
        .await
        .id();
    let unrelated = api
        .create_account(json!({"fields": id_number("Z999")}))
        .await
        .id();
    let second = api
        .create_account(json!({"fields": id_number("x12345")}))
        .await
        .id();
    let cases = cases_of(&api, &second, |c| !c.is_empty()).await;
    let mut both = vec![first.clone(), second.clone()];
    both.sort();
    assert_eq!(ids(&cases[0], "accounts"), both);
    let case_id = cases[0]["id"].as_str().unwrap();
    let comments = api.get(&format!("/api/v1/cases/{case_id}/comments")).await;
    let note = comments.body["data"][0]["attributes"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        note.contains(&format!("/accounts/{first}/consolidate")),
        "{note}"
    );
    for account in [&first, &second] {
        assert!(tags_of(&api, account)
            .await
            .contains(&"shared-id-number".to_string()));
    }
    settle().await;
    assert!(cases_of(&api, &unrelated, |_| true).await.is_empty());
    assert!(tags_of(&api, &unrelated).await.is_empty());
}

#[tokio::test]
async fn an_email_shared_by_more_than_three_accounts_is_flagged_once() {
    let server = Server::start();
    let api = server.client();
    let mut accounts = Vec::new();
    for i in 0..3 {
        let email = if i == 0 {
            "Ring@Example.com"
        } else {
            "ring@example.com"
        };
        accounts.push(
            api.create_account(json!({"email-address": email}))
                .await
                .id(),
        );
    }
    settle().await;
    assert!(
        cases_of(&api, &accounts[0], |_| true).await.is_empty(),
        "three is not more than three"
    );
    accounts.push(
        api.create_account(json!({"email-address": "ring@example.com"}))
            .await
            .id(),
    );
    let cases = cases_of(&api, &accounts[0], |c| !c.is_empty()).await;
    assert_eq!(ids(&cases[0], "accounts").len(), 4);
    let fifth = api
        .create_account(json!({"email-address": "ring@example.com"}))
        .await
        .id();
    let cases = cases_of(&api, &fifth, |c| !c.is_empty()).await;
    assert_eq!(cases.len(), 1);
    assert_eq!(
        ids(&cases[0], "accounts").len(),
        5,
        "the open case grew; no second case"
    );
    let all = api.get("/api/v1/cases").await;
    assert_eq!(all.ids().len(), 1);
    assert!(tags_of(&api, &fifth)
        .await
        .contains(&"shared-email-address".to_string()));
}

#[tokio::test]
async fn shared_phone_ip_and_fingerprint_rules_flag_with_their_thresholds() {
    let server = Server::start();
    let api = server.client();
    for (key, field) in [
        ("phone-number", None),
        ("ip-address", Some("ip_address")),
        ("fingerprint", Some("device_fingerprint")),
    ] {
        let created = api
            .post("/api/v1/flagging-rules", json!({"data": {"attributes": {"name": format!("pair {key}"), "account-tag": format!("pair-{key}"),
                "condition": {"type": "shared-value", "key": key, "more-than": 1, "within-seconds": 3600}}}}))
            .await;
        assert_eq!(created.status, 201, "{:?}", created.body);
        let attributes = |value: &str| match field {
            None => json!({"phone-number": value}),
            Some(field) => json!({"fields": {field: {"type": "string", "value": value}}}),
        };
        let value = match key {
            "phone-number" => "+1 415 555 0100",
            "ip-address" => "203.0.113.7",
            _ => "fp-abc",
        };
        let a = api.create_account(attributes(value)).await.id();
        let b = api
            .create_account(attributes(if key == "phone-number" {
                "+14155550100"
            } else {
                value
            }))
            .await
            .id();
        let cases = cases_of(&api, &b, |c| !c.is_empty()).await;
        let mut both = vec![a.clone(), b.clone()];
        both.sort();
        assert_eq!(ids(&cases[0], "accounts"), both, "{key}");
        assert!(
            tags_of(&api, &a).await.contains(&format!("pair-{key}")),
            "{key}"
        );
    }
}

#[tokio::test]
async fn three_failed_inquiries_flag_the_account_with_the_inquiries() {
    let server = Server::start();
    let api = server.client();
    let account = api.create_account(json!({})).await.id();
    let template = api.get("/api/v1/inquiry-templates").await.ids()[0].clone();
    let mut failed = Vec::new();
    for n in 0..3 {
        if n == 2 {
            settle().await;
            assert!(cases_of(&api, &account, |_| true).await.is_empty());
        }
        let id = api.post("/api/v1/inquiries", json!({"data": {"attributes": {"inquiry-template-id": template, "account-id": account}}})).await.id();
        let done = api
            .post(
                &format!("/api/v1/inquiries/{id}/perform-simulate-actions"),
                json!({"meta": {"simulate-actions": [{"type": "fail_inquiry"}]}}),
            )
            .await;
        assert_eq!(done.attr("status"), "failed");
        failed.push(id);
    }
    let cases = cases_of(&api, &account, |c| !c.is_empty()).await;
    failed.sort();
    assert_eq!(ids(&cases[0], "inquiries"), failed);
    assert!(tags_of(&api, &account)
        .await
        .contains(&"failed-inquiries".to_string()));
}

#[tokio::test]
async fn rules_load_from_a_toml_file_beside_a_running_server() {
    let server = Server::start();
    let api = server.client();
    let run = |toml: &str| crate::common::load_rules(&server.data_dir, toml);
    let out = run(r#"
[[rules]]
name = "Two accounts on one fingerprint"
account_tag = "fp-ring"
condition = { type = "shared-value", key = "fingerprint", more_than = 1, within_seconds = 3600 }

[[rules]]
name = "Watchlist match"
enabled = false
"#);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        printed.contains("created frule_") && printed.contains("updated frule_"),
        "{printed}"
    );
    let listed = api.get("/api/v1/flagging-rules?page[size]=100").await;
    let rules = listed.body["data"].as_array().unwrap();
    let by_name = |name: &str| {
        rules
            .iter()
            .find(|r| r["attributes"]["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(by_name("Watchlist match")["attributes"]["enabled"], false);
    assert_eq!(
        by_name("Two accounts on one fingerprint")["attributes"]["account-tag"],
        "fp-ring"
    );
    // The running server uses it at once.
    let fields = json!({"fields": {"browser_fingerprint": {"type": "string", "value": "fp-xyz"}}});
    api.create_account(fields.clone()).await;
    let second = api.create_account(fields).await.id();
    cases_of(&api, &second, |c| !c.is_empty()).await;
    assert!(tags_of(&api, &second)
        .await
        .contains(&"fp-ring".to_string()));

    // A bad file changes nothing and says where it is wrong.
    let out = run("[[rules]]\nname = \"Watchlist match\"\nenabled = true\n[[rules]]\nname = \"x\"\naccount_tag = \"x\"\ncondition = { type = \"shared-value\", key = \"shoe-size\", more_than = 1, within_seconds = 5 }\n");
    assert!(!out.status.success());
    let error = String::from_utf8_lossy(&out.stderr);
    assert!(
        error.contains("rules[1]") && error.contains("condition.key"),
        "{error}"
    );
    let listed = api.get("/api/v1/flagging-rules?page[size]=100").await;
    let still = listed.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["attributes"]["name"] == "Watchlist match")
        .unwrap()
        .clone();
    assert_eq!(still["attributes"]["enabled"], false, "all or nothing");
}

#[tokio::test]
async fn findings_survive_a_kill_and_are_not_repeated() {
    let mut server = Server::start();
    let api = server.client();
    let mut accounts = Vec::new();
    for _ in 0..4 {
        accounts.push(
            api.create_account(json!({"email-address": "crash@example.com"}))
                .await
                .id(),
        );
    }
    // Kill at once: the rules may or may not have acted yet.
    server.kill();
    let temp = server.take_tempdir();
    let restarted = Server::spawn(&server.data_dir, &[]);
    let api = restarted.client_with_key(&server.sandbox_key);
    let cases = cases_of(&api, &accounts[3], |c| !c.is_empty()).await;
    assert_eq!(cases.len(), 1);
    settle().await;
    let all = api.get("/api/v1/cases").await;
    assert_eq!(
        all.ids().len(),
        1,
        "one case for the finding, however the crash fell"
    );
    drop(temp);
}

#[tokio::test]
async fn a_redacted_account_leaves_no_shared_value_behind() {
    let server = Server::start();
    let api = server.client();
    let email = "zorblefrank.unique@example.org";
    let mut accounts = Vec::new();
    for _ in 0..4 {
        accounts.push(
            api.create_account(json!({"email-address": email}))
                .await
                .id(),
        );
    }
    let cases = cases_of(&api, &accounts[0], |c| !c.is_empty()).await;
    let case_id = cases[0]["id"].as_str().unwrap();
    let comments = api.get(&format!("/api/v1/cases/{case_id}/comments")).await;
    assert_eq!(
        comments.body["data"][0]["attributes"]["message"],
        "4 accounts share an email address."
    );
    for account in &accounts {
        assert_eq!(
            api.delete(&format!("/api/v1/accounts/{account}"))
                .await
                .status,
            200
        );
    }
    // The records are files here only on SQLite.
    if crate::common::on_sqlite() {
        assert!(
            !crate::common::contains(&crate::common::data_bytes(&server.data_dir), "zorblefrank"),
            "the email left the disk"
        );
    }
}

/// The shipped phone, IP and fingerprint rules, at their thresholds and windows.
#[tokio::test]
async fn the_default_shared_value_rules_count_within_their_windows() {
    let server = Server::start_with(&["--test-clock"]);
    let api = server.client();
    let fields =
        |field: &str, value: &str| json!({"fields": {field: {"type": "string", "value": value}}});
    // (attributes of each account, how many make a finding, its tag)
    let cases: [(Value, usize, &str); 3] = [
        (
            json!({"phone-number": "+44 20 7946 0018"}),
            4,
            "shared-phone-number",
        ),
        (
            fields("ip_address", "198.51.100.23"),
            6,
            "shared-ip-address",
        ),
        (
            fields("browser_fingerprint", "fp-default-test"),
            4,
            "shared-fingerprint",
        ),
    ];
    for (attributes, needed, tag) in &cases {
        let mut accounts = Vec::new();
        for _ in 0..needed - 1 {
            accounts.push(api.create_account(attributes.clone()).await.id());
        }
        settle().await;
        assert!(
            cases_of(&api, &accounts[0], |_| true).await.is_empty(),
            "{tag}: {} is not more than the threshold",
            needed - 1
        );
        accounts.push(api.create_account(attributes.clone()).await.id());
        let found = cases_of(&api, &accounts[0], |c| !c.is_empty()).await;
        assert_eq!(ids(&found[0], "accounts").len(), *needed, "{tag}");
        assert!(
            tags_of(&api, &accounts[0]).await.contains(&tag.to_string()),
            "{tag}"
        );
    }
    // Outside the window accounts do not count: three share a phone, a month passes, one more.
    let phone = json!({"phone-number": "+44 20 7946 0999"});
    let mut old = Vec::new();
    for _ in 0..3 {
        old.push(api.create_account(phone.clone()).await.id());
    }
    let moved = api
        .post(
            "/api/v1/test-clock/advance",
            json!({"meta": {"seconds": 31 * 24 * 3600}}),
        )
        .await;
    assert_eq!(moved.status, 200);
    let late = api.create_account(phone).await.id();
    settle().await;
    assert!(
        cases_of(&api, &late, |_| true).await.is_empty(),
        "only one account in the last 30 days"
    );
}

#[tokio::test]
async fn two_accounts_verified_from_one_browser_are_flagged() {
    let server = Server::start();
    let api = server.client();
    let created = api
        .post("/api/v1/flagging-rules", json!({"data": {"attributes": {"name": "one browser", "account-tag": "one-browser",
            "condition": {"type": "shared-value", "key": "fingerprint", "more-than": 1, "within-seconds": 3600}}}}))
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let template = api.default_inquiry_template().await;
    let anyone = api.clone().without_key();
    let mut accounts = Vec::new();
    for name in ["Ann", "Bea"] {
        let account = api.create_account(json!({"name-first": name})).await.id();
        let inquiry = api
            .post(
                "/api/v1/inquiries",
                json!({"data": {"attributes": {"inquiry-template-id": template, "account-id": account}},
                    "meta": {"auto-create-one-time-link": true}}),
            )
            .await;
        let link = inquiry.body["meta"]["one-time-link"].as_str().unwrap();
        let code = link.split("code=").nth(1).unwrap();
        // Both links opened in one browser: the flow's fingerprint of it is the same.
        let opened = anyone
            .post(
                "/api/v1/inquiry-flows/redeem",
                json!({"meta": {"code": code, "browser-fingerprint": "feedfacefeedfacefeedfacefeedface"}}),
            )
            .await;
        assert_eq!(opened.status, 200, "{:?}", opened.body);
        accounts.push(account);
    }
    let cases = cases_of(&api, &accounts[1], |c| !c.is_empty()).await;
    accounts.sort();
    assert_eq!(ids(&cases[0], "accounts"), accounts);
    assert!(tags_of(&api, &accounts[0])
        .await
        .contains(&"one-browser".to_string()));
    // Nothing of the fingerprint itself is on the case: a digest names the finding.
    assert!(!cases[0].to_string().contains("feedface"));
}
