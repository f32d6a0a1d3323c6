//! Webhooks through HTTP: every operation and its errors, and deliveries to a real
//! receiver on loopback that verifies signatures the way Persona documents them,
//! including retries, disabling, secret rotation and a kill -9 with nothing lost.

use serde_json::{json, Value};

use crate::common::receiver::Receiver;
use crate::common::{Client, Response, Server};

const PRIVATE: &[&str] = &[
    "--allow-private-webhooks",
    "--webhook-retry-schedule",
    "1,1",
];

async fn create(api: &Client, attributes: Value) -> Response {
    api.post(
        "/api/v1/webhooks",
        json!({"data": {"attributes": attributes}}),
    )
    .await
}

/// A webhook to `url` for `events`, enabled; its id and secret.
async fn enabled(api: &Client, url: &str, events: Value) -> (String, String) {
    let created = create(api, json!({"url": url, "enabled-events": events})).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.id();
    let secret = created.attr("secrets")[0]["value"]
        .as_str()
        .unwrap()
        .to_string();
    let on = api
        .post(&format!("/api/v1/webhooks/{id}/enable"), json!({}))
        .await;
    assert_eq!(on.attr("status"), "enabled");
    (id, secret)
}

#[tokio::test]
async fn webhooks_are_created_changed_and_refused_with_reasons() {
    let server = Server::start_with(PRIVATE);
    let api = server.client();
    let created = create(&api, json!({"url": "http://127.0.0.1:9/hook", "enabled-events": ["inquiry.*", "case.created"], "name": "CRM",
        "api-attributes-blocklist": ["name-*"], "custom-http-headers": {"x-api-key": "k"}, "payload-filter": {"data": {"attributes": {"status": "approved"}}}})).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(
        created.attr("status"),
        "disabled",
        "created disabled, as in Persona"
    );
    assert!(created
        .attr("secret")
        .as_str()
        .unwrap()
        .starts_with("wbhsec_"));
    let id = created.id();
    let got = api.get(&format!("/api/v1/webhooks/{id}")).await;
    assert_eq!(
        got.attr("enabled-events"),
        &json!(["inquiry.*", "case.created"])
    );
    let updated = api
        .patch(
            &format!("/api/v1/webhooks/{id}"),
            json!({"data": {"attributes": {"api-key-inflection": "camel", "name": "CRM sync"}}}),
        )
        .await;
    assert_eq!(updated.status, 200, "{:?}", updated.body);
    assert_eq!(updated.attr("api-key-inflection"), "camel");
    assert_eq!(
        api.post(&format!("/api/v1/webhooks/{id}/enable"), json!({}))
            .await
            .attr("status"),
        "enabled"
    );
    assert_eq!(
        api.post(&format!("/api/v1/webhooks/{id}/disable"), json!({}))
            .await
            .attr("status"),
        "disabled"
    );
    let clone = api
        .post(&format!("/api/v1/webhooks/{id}/clone"), json!({}))
        .await;
    assert_eq!(clone.status, 200, "{:?}", clone.body);
    assert_ne!(clone.id(), id);
    assert_eq!(clone.attr("name"), "CRM sync");
    assert_ne!(
        clone.attr("secret"),
        created.attr("secret"),
        "a clone gets its own secret"
    );
    let rotated = api
        .post(
            &format!("/api/v1/webhooks/{id}/rotate-secret"),
            json!({"meta": {"expires-in-seconds": 3600}}),
        )
        .await;
    assert_eq!(rotated.status, 200, "{:?}", rotated.body);
    let secrets = rotated.attr("secrets").as_array().unwrap().clone();
    assert_eq!(secrets.len(), 2);
    assert!(secrets[0]["expires-at"].is_null() && !secrets[1]["expires-at"].is_null());
    assert_eq!(api.get("/api/v1/webhooks").await.ids().len(), 2);
    let archived = api
        .post(&format!("/api/v1/webhooks/{id}/archive"), json!({}))
        .await;
    assert_eq!(archived.attr("status"), "archived");
    assert_eq!(
        api.post(&format!("/api/v1/webhooks/{id}/enable"), json!({}))
            .await
            .status,
        409
    );
    // Events about webhooks never carry their secrets.
    let events = api
        .get(&format!("/api/v1/events?filter[object-id]={id}"))
        .await;
    assert!(!events.body.to_string().contains("wbhsec_"));

    for (attributes, status, pointer) in [
        (
            json!({"url": "not a url", "enabled-events": ["*"]}),
            422,
            "/data/attributes/url",
        ),
        (
            json!({"url": "ftp://example.com/x", "enabled-events": ["*"]}),
            422,
            "/data/attributes/url",
        ),
        (
            json!({"url": "http://127.0.0.1:9/x", "enabled-events": ["inquiry.aproved"]}),
            422,
            "/data/attributes/enabled-events/0",
        ),
        (
            json!({"url": "http://127.0.0.1:9/x", "enabled-events": ["*"], "payload-filter": "x"}),
            400,
            "",
        ),
        (
            json!({"url": "http://127.0.0.1:9/x", "enabled-events": ["*"], "custom-http-headers": {"Host": "x"}}),
            422,
            "/data/attributes/custom-http-headers/host",
        ),
        (
            json!({"url": "http://127.0.0.1:9/x", "enabled-events": ["*"], "api-version": "1999-01-01"}),
            422,
            "/data/attributes/api-version",
        ),
        (json!({"enabled-events": ["*"]}), 400, ""),
    ] {
        let refused = create(&api, attributes.clone()).await;
        assert_eq!(refused.status, status, "{attributes}: {:?}", refused.body);
        if status == 422 {
            assert_eq!(
                refused.body["errors"][0]["source"]["pointer"], pointer,
                "{attributes}"
            );
        }
    }
    assert_eq!(api.get("/api/v1/webhooks/wbh_nope").await.status, 404);
    // Without --allow-private-webhooks, loopback and private addresses are refused.
    let strict = Server::start();
    let refused = create(
        &strict.client(),
        json!({"url": "http://127.0.0.1:9/x", "enabled-events": ["*"]}),
    )
    .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.details().contains("--allow-private-webhooks"),
        "{:?}",
        refused.body
    );
    let refused = create(
        &strict.client(),
        json!({"url": "http://10.1.2.3/x", "enabled-events": ["*"]}),
    )
    .await;
    assert_eq!(refused.status, 422);
}

#[tokio::test]
async fn events_arrive_signed_in_the_webhooks_shape() {
    let server = Server::start_with(PRIVATE);
    let api = server.client();
    let receiver = Receiver::start().await;
    let (id, secret) = enabled(&api, &receiver.url, json!(["account.*"])).await;
    api.patch(&format!("/api/v1/webhooks/{id}"), json!({"data": {"attributes": {"api-key-inflection": "snake", "api-attributes-blocklist": ["reference-id"]}}})).await;
    let account = api
        .create_account(json!({"reference-id": "secret-ref", "name-first": "Ann"}))
        .await
        .id();
    let list = api.create_list("names", "not subscribed").await;
    let got = receiver.until(|r| !r.is_empty()).await;
    let first = &got[0];
    assert!(
        first.signed_by(&secret),
        "{:?}",
        first.header("Persona-Signature")
    );
    assert!(!first.signed_by("wbhsec_wrong"));
    assert_eq!(first.header("Persona-Webhook-Attempts-Made"), Some("1"));
    assert_eq!(first.header("Persona-Webhook-Attempts-Left"), Some("2"));
    assert!(first.header("Persona-Webhook-First-Attempted-At").is_some());
    let body = first.json();
    assert_eq!(body["data"]["type"], "event");
    assert_eq!(body["data"]["attributes"]["name"], "account.created");
    let object = &body["data"]["attributes"]["payload"]["data"];
    assert_eq!(object["id"], json!(account));
    assert!(
        object["attributes"].get("reference_id").is_none(),
        "blocklisted: {object}"
    );
    assert!(
        object["attributes"].get("created_at").is_some(),
        "snake case"
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        receiver
            .all()
            .iter()
            .all(|r| !r.body.windows(list.len()).any(|w| w == list.as_bytes())),
        "list events are not subscribed"
    );
}

#[tokio::test]
async fn failures_are_retried_then_the_webhook_is_disabled() {
    let server = Server::start_with(PRIVATE);
    let api = server.client();
    let receiver = Receiver::start().await;
    receiver.answer(500);
    let (id, _) = enabled(&api, &receiver.url, json!(["account.created"])).await;
    api.create_account(json!({})).await;
    // Three attempts (schedule 1,1), then the webhook is disabled.
    let got = receiver.until(|r| r.len() >= 3).await;
    assert_eq!(got[2].header("Persona-Webhook-Attempts-Made"), Some("3"));
    assert_eq!(got[2].header("Persona-Webhook-Attempts-Left"), Some("0"));
    for _ in 0..100 {
        if api
            .get(&format!("/api/v1/webhooks/{id}"))
            .await
            .attr("status")
            == "disabled"
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        api.get(&format!("/api/v1/webhooks/{id}"))
            .await
            .attr("status"),
        "disabled"
    );
    let events = api
        .get(&format!(
            "/api/v1/events?filter[object-id]={id}&filter[name]=webhook.disabled"
        ))
        .await;
    assert_eq!(events.body["data"].as_array().unwrap().len(), 1);
    // A receiver that recovers gets the next events once the webhook is enabled again.
    receiver.answer(200);
    api.post(&format!("/api/v1/webhooks/{id}/enable"), json!({}))
        .await;
    let later = api.create_account(json!({})).await.id();
    receiver
        .until(|r| {
            r.iter()
                .any(|x| x.body.windows(later.len()).any(|w| w == later.as_bytes()))
        })
        .await;
}

#[tokio::test]
async fn during_rotation_both_secrets_sign() {
    let server = Server::start_with(PRIVATE);
    let api = server.client();
    let receiver = Receiver::start().await;
    let (id, old) = enabled(&api, &receiver.url, json!(["account.created"])).await;
    let rotated = api
        .post(
            &format!("/api/v1/webhooks/{id}/rotate-secret"),
            json!({"meta": {"expires-in-seconds": 600}}),
        )
        .await;
    let new = rotated.attr("secret").as_str().unwrap().to_string();
    api.create_account(json!({})).await;
    let got = receiver.until(|r| !r.is_empty()).await;
    assert!(got[0].signed_by(&old) && got[0].signed_by(&new));
    assert_eq!(
        got[0]
            .header("Persona-Signature")
            .unwrap()
            .split(' ')
            .count(),
        2
    );
    api.post(&format!("/api/v1/webhooks/{id}/rotate-secret"), json!({}))
        .await;
    let newest = api
        .get(&format!("/api/v1/webhooks/{id}"))
        .await
        .attr("secret")
        .as_str()
        .unwrap()
        .to_string();
    api.create_account(json!({})).await;
    let got = receiver.until(|r| r.len() >= 2).await;
    assert!(got[1].signed_by(&newest) && !got[1].signed_by(&old) && !got[1].signed_by(&new));
}

#[tokio::test]
async fn nothing_is_lost_across_a_kill() {
    let mut server = Server::start_with(PRIVATE);
    let api = server.client();
    let receiver = Receiver::start().await;
    let (_, secret) = enabled(&api, &receiver.url, json!(["account.created"])).await;
    let mut accounts = Vec::new();
    for _ in 0..30 {
        accounts.push(api.create_account(json!({})).await.id());
    }
    server.kill();
    let temp = server.take_tempdir();
    let restarted = Server::spawn(&server.data_dir, PRIVATE);
    let api = restarted.client_with_key(&server.sandbox_key);
    for _ in 0..5 {
        accounts.push(api.create_account(json!({})).await.id());
    }
    let got = receiver
        .until(|r| {
            accounts.iter().all(|a| {
                r.iter()
                    .any(|x| x.json()["data"]["attributes"]["payload"]["data"]["id"] == json!(a))
            })
        })
        .await;
    assert!(got.iter().all(|r| r.signed_by(&secret)));
    drop(temp);
}

#[tokio::test]
async fn at_most_the_configured_number_of_requests_are_in_flight_per_webhook() {
    let server = Server::start_with(&[PRIVATE, &["--webhook-concurrency", "3"]].concat());
    let api = server.client();
    let receiver = Receiver::start().await;
    receiver.hold(150);
    let (_, secret) = enabled(&api, &receiver.url, json!(["account.created"])).await;
    for _ in 0..12 {
        api.create_account(json!({})).await;
    }
    let got = receiver.until(|r| r.len() >= 12).await;
    assert!(got.iter().all(|r| r.signed_by(&secret)));
    assert_eq!(
        receiver.most_at_once(),
        3,
        "12 slow deliveries go 3 at a time, never more"
    );
    let refused = std::process::Command::new(crate::common::BIN)
        .args(["serve", "--webhook-concurrency", "0"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--webhook-concurrency"));
}

#[tokio::test]
async fn the_delivery_log_shows_attempts_and_events_can_be_sent_again() {
    let server = Server::start_with(PRIVATE);
    let api = server.client();
    let receiver = Receiver::start().await;
    receiver.answer(503);
    let (id, _) = enabled(&api, &receiver.url, json!(["account.created"])).await;
    let account = api.create_account(json!({})).await.id();
    receiver.until(|r| r.len() >= 3).await;
    let log = loop {
        let log = api
            .get(&format!(
                "/api/v1/webhooks/{id}/deliveries?filter[status]=failed"
            ))
            .await;
        assert_eq!(log.status, 200, "{:?}", log.body);
        if !log.body["data"].as_array().unwrap().is_empty() {
            break log;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let delivery = &log.body["data"][0]["attributes"];
    assert_eq!(delivery["event-name"], "account.created");
    assert_eq!(delivery["attempts"].as_array().unwrap().len(), 3);
    assert_eq!(delivery["attempts"][0]["status-code"], 503);
    assert!(delivery["next-attempt-at"].is_null());
    assert_eq!(delivery["attempts-left"], 0);
    let event_id = delivery["event-id"].as_str().unwrap().to_string();

    receiver.answer(200);
    api.post(&format!("/api/v1/webhooks/{id}/enable"), json!({}))
        .await;
    let again = api
        .post(
            &format!("/api/v1/webhooks/{id}/redeliver"),
            json!({"meta": {"event-ids": [event_id]}}),
        )
        .await;
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert_eq!(again.body["data"].as_array().unwrap().len(), 1);
    let got = receiver.until(|r| r.len() >= 4).await;
    assert_eq!(
        got[3].json()["data"]["attributes"]["payload"]["data"]["id"],
        json!(account)
    );
    // A time range: every subscribed event since the start.
    let range = api
        .post(
            &format!("/api/v1/webhooks/{id}/redeliver"),
            json!({"meta": {"created-at-start": "2000-01-01"}}),
        )
        .await;
    assert_eq!(range.status, 200, "{:?}", range.body);
    assert_eq!(
        range.body["data"].as_array().unwrap().len(),
        1,
        "one account.created in the log"
    );
    receiver.until(|r| r.len() >= 5).await;
    // The receiver has the request before vigil has recorded its answer: wait for that.
    let mut delivered = 0;
    for _ in 0..100 {
        let log = api
            .get(&format!(
                "/api/v1/webhooks/{id}/deliveries?filter[status]=delivered"
            ))
            .await;
        delivered = log.body["data"].as_array().unwrap().len();
        if delivered == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(delivered, 2);
    let bad = api
        .post(
            &format!("/api/v1/webhooks/{id}/redeliver"),
            json!({"meta": {"event-ids": ["evt_nope"]}}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        bad.body["errors"][0]["source"]["pointer"],
        "/meta/event-ids/0"
    );
}

/// The address is checked on every attempt, not only when the URL is saved: webhooks
/// saved while `--allow-private-webhooks` was on (by address and by a name that resolves to
/// loopback, as a rebound name does) are refused at send time after a restart without it.
/// Nothing reaches the receiver; the delivery log and the webhook say why.
#[tokio::test]
async fn private_addresses_are_refused_at_send_time_after_the_permission_is_gone() {
    let mut server = Server::start_with(PRIVATE);
    let api = server.client();
    let receiver = Receiver::start().await;
    let by_name = receiver.url.replace("127.0.0.1", "localhost");
    let (literal, _) = enabled(&api, &receiver.url, json!(["account.created"])).await;
    let (named, _) = enabled(&api, &by_name, json!(["account.created"])).await;
    server.kill();
    let temp = server.take_tempdir();
    let strict = Server::spawn(&server.data_dir, &[]);
    let api = strict.client_with_key(&server.sandbox_key);
    api.create_account(json!({})).await;
    for id in [&literal, &named] {
        let mut webhook = api.get(&format!("/api/v1/webhooks/{id}")).await;
        for _ in 0..100 {
            if webhook.attr("status") == "disabled" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            webhook = api.get(&format!("/api/v1/webhooks/{id}")).await;
        }
        assert_eq!(webhook.attr("status"), "disabled", "{:?}", webhook.body);
        let disabled = api
            .get(&format!(
                "/api/v1/events?filter[object-id]={id}&filter[name]=webhook.disabled"
            ))
            .await;
        let reason = disabled.body["data"][0]["attributes"]["context"]["reason"]
            .as_str()
            .unwrap();
        assert!(
            reason.contains("not a public address") && reason.contains("--allow-private-webhooks"),
            "{reason}"
        );
        let log = api.get(&format!("/api/v1/webhooks/{id}/deliveries")).await;
        let delivery = &log.body["data"][0]["attributes"];
        assert_eq!(delivery["status"], "failed", "{:?}", log.body);
        let attempts = delivery["attempts"].as_array().unwrap();
        assert_eq!(attempts.len(), 1, "refused once, not retried");
        assert!(attempts[0]["status-code"].is_null());
        assert!(attempts[0]["error"]
            .as_str()
            .unwrap()
            .starts_with("refused: "));
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(receiver.all().is_empty(), "nothing was sent to loopback");
    drop(temp);
}
