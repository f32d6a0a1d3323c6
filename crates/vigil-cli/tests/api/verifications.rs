//! Verifications through HTTP, and the verification flow's API: a submitted inquiry's
//! database verification with its checks, the per-kind retrieve, print, the investigation
//! lock that stops redaction, redaction; a person starting, filling and submitting an
//! inquiry with a session token that opens nothing else, and a one-time link that works
//! once.

use serde_json::{json, Value};

use crate::common::{Client, Response, Server};

/// An account holding Jane Doe's identity; its id.
async fn jane(api: &Client) -> String {
    api.create_account(json!({
        "name-first": "Jane", "name-last": "Doe", "birthdate": "1990-04-01",
        "address-postal-code": "94105", "country-code": "US",
    }))
    .await
    .id()
}

/// An inquiry of `account` submitted with `fields`: the answer of the submit.
async fn submitted(api: &Client, account: &str, fields: Value) -> Response {
    let template = api.default_inquiry_template().await;
    let created = api
        .post(
            "/api/v1/inquiries",
            json!({"data": {"attributes": {"inquiry-template-id": template, "account-id": account, "fields": fields}}}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let done = api
        .post(
            &format!("/api/v1/inquiries/{}/complete", created.id()),
            json!({}),
        )
        .await;
    assert_eq!(done.status, 200, "{:?}", done.body);
    done
}

fn verifications_of(inquiry: &Response) -> Vec<(String, String)> {
    inquiry.body["data"]["relationships"]["verifications"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["type"].as_str().unwrap().to_string(),
                v["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn check<'v>(verification: &'v Response, name: &str) -> &'v Value {
    verification
        .attr("checks")
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {}", verification.body))
}

#[tokio::test]
async fn a_submitted_inquiry_has_a_database_verification_with_its_checks() {
    let server = Server::start();
    let api = server.client();
    let account = jane(&api).await;
    let same = submitted(
        &api,
        &account,
        json!({"name-first": "JANE", "name-last": "Doe", "birthdate": "1990-04-01"}),
    )
    .await;
    let listed = verifications_of(&same);
    assert_eq!(listed.len(), 1, "{}", same.body);
    assert_eq!(listed[0].0, "verification/database");
    let id = &listed[0].1;
    assert!(id.starts_with("ver_"));
    let got = api.get(&format!("/api/v1/verifications/{id}")).await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    assert_eq!(got.attr("status"), "passed");
    assert_eq!(got.attr("name-first"), "JANE");
    assert_eq!(check(&got, "account_name_comparison")["status"], "passed");
    assert_eq!(
        check(&got, "account_birthdate_comparison")["status"],
        "passed"
    );
    let id_number = check(&got, "account_identification_number_comparison");
    assert_eq!(id_number["status"], "not_applicable");
    assert_eq!(id_number["reasons"], json!(["no_value"]));
    assert_eq!(
        got.body["data"]["relationships"]["inquiry"]["data"]["id"],
        same.id()
    );
    // Per kind: found as a database verification, not as another kind.
    let typed = api
        .get(&format!("/api/v1/verification/databases/{id}"))
        .await;
    assert_eq!(typed.status, 200, "{:?}", typed.body);
    let other = api
        .get(&format!("/api/v1/verification/government-ids/{id}"))
        .await;
    assert_eq!(other.status, 404);
    let names = api.event_names(id).await;
    for name in [
        "verification.created",
        "verification.submitted",
        "verification.passed",
    ] {
        assert!(names.contains(&name.to_string()), "{names:?}");
    }

    // A name only close to the account's: the check fails, the inquiry goes to review.
    let close = submitted(
        &api,
        &account,
        json!({"name-first": "Janet", "name-last": "Dorn"}),
    )
    .await;
    assert_eq!(close.attr("status"), "needs_review");
    let id = &verifications_of(&close)[0].1;
    let got = api.get(&format!("/api/v1/verifications/{id}")).await;
    assert_eq!(got.attr("status"), "failed");
    let name = check(&got, "account_name_comparison");
    assert_eq!(name["status"], "failed");
    assert_eq!(name["reasons"], json!(["partial_match"]));
    assert!(name["metadata"]["score"].as_f64().unwrap() < 0.85);
    assert!(api
        .event_names(id)
        .await
        .contains(&"verification.failed".to_string()));
}

#[tokio::test]
async fn a_locked_verification_cannot_be_redacted_until_unlocked() {
    let server = Server::start();
    let api = server.client();
    let account = jane(&api).await;
    let done = submitted(
        &api,
        &account,
        json!({"name-first": "Jane", "name-last": "Doe", "birthdate": "1990-04-01"}),
    )
    .await;
    let id = verifications_of(&done)[0].1.clone();
    let (status, headers, pdf) = api
        .get_bytes(&format!("/api/v1/verifications/{id}/print"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(String::from_utf8_lossy(&pdf).contains("account_name_comparison: passed"));

    let locked = api
        .post(
            &format!("/api/v1/verifications/{id}/investigation-lock"),
            json!({}),
        )
        .await;
    assert_eq!(locked.status, 200, "{:?}", locked.body);
    let refused = api.delete(&format!("/api/v1/verifications/{id}")).await;
    assert_eq!(refused.status, 409, "{:?}", refused.body);
    assert!(refused.details().contains("locked"));
    // Nor can its inquiry be redacted while it is locked; nothing of it was removed.
    let inquiry = api
        .delete(&format!("/api/v1/inquiries/{}", done.id()))
        .await;
    assert_eq!(inquiry.status, 409, "{:?}", inquiry.body);
    let still = api.get(&format!("/api/v1/verifications/{id}")).await;
    assert_eq!(still.attr("name-first"), "Jane");

    let unlocked = api
        .post(
            &format!("/api/v1/verifications/{id}/investigation-unlock"),
            json!({}),
        )
        .await;
    assert_eq!(unlocked.status, 200);
    let redacted = api.delete(&format!("/api/v1/verifications/{id}")).await;
    assert_eq!(redacted.status, 200, "{:?}", redacted.body);
    assert!(redacted.attr("name-first").is_null());
    assert!(!redacted.attr("redacted-at").is_null());
    // Its events no longer hold what it read.
    let events = api
        .get(&format!("/api/v1/events?filter[object-id]={id}"))
        .await;
    assert!(!events.body.to_string().contains("\"Jane\""));
    let unknown = api.get("/api/v1/verifications/ver_nothing").await;
    assert_eq!(unknown.status, 404);
}

/// A client holding a flow session token as its bearer.
fn as_person(server: &Server, token: &str) -> Client {
    server.client_with_key(token)
}

#[tokio::test]
async fn a_person_starts_fills_and_submits_an_inquiry_through_the_flow_api() {
    let server = Server::start();
    let api = server.client();
    let template = api.default_inquiry_template().await;
    let anyone = api.clone().without_key();
    let started = anyone
        .post(
            "/api/v1/inquiry-flows",
            json!({"data": {"attributes": {"inquiry-template-id": template, "reference-id": "user-77", "fields": {"name-first": "Ada"},
                "browser-fingerprint": "0123456789abcdef0123456789abcdef"}}}),
        )
        .await;
    assert_eq!(started.status, 201, "{:?}", started.body);
    assert_eq!(started.attr("status"), "pending");
    // What it answers is the inquiry as Persona renders it.
    let same = api
        .get(&format!("/api/v1/inquiries/{}", started.id()))
        .await;
    assert_eq!(same.body["data"], started.body["data"]);
    let token = started.body["meta"]["session-token"].as_str().unwrap();
    assert!(token.starts_with("iqst_"));
    let inquiry = started.id();
    let person = as_person(&server, token);

    let current = person.get("/api/v1/inquiry-flow/current").await;
    assert_eq!(current.status, 200, "{:?}", current.body);
    assert_eq!(current.id(), inquiry);
    let same = api.get(&format!("/api/v1/inquiries/{inquiry}")).await;
    assert_eq!(current.body["data"], same.body["data"]);
    assert_eq!(current.attr("fields")["name-first"]["value"], "Ada");
    let template = &current.body["included"][0];
    assert_eq!(template["type"], "inquiry-template");
    let fields = template["attributes"]["field-schemas"].as_array().unwrap();
    assert!(fields
        .iter()
        .any(|f| f["key"] == "birthdate" && f["type"] == "date"));

    // The token opens the flow's routes only.
    for path in ["/api/v1/accounts", &format!("/api/v1/inquiries/{inquiry}")] {
        let refused = person.get(path).await;
        assert_eq!(refused.status, 403, "{path}: {:?}", refused.body);
    }
    // Bad input names its field; nothing is written.
    let bad = person
        .patch(
            "/api/v1/inquiry-flow/current",
            json!({"data": {"attributes": {"fields": {"birthdate": "31/12/1990"}}}}),
        )
        .await;
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    assert_eq!(
        bad.body["errors"][0]["source"]["pointer"],
        "/data/attributes/fields/birthdate"
    );
    let other = person
        .patch(
            "/api/v1/inquiry-flow/current",
            json!({"data": {"attributes": {"note": "hi"}}}),
        )
        .await;
    assert_eq!(other.status, 422);
    let filled = person
        .patch(
            "/api/v1/inquiry-flow/current",
            json!({"data": {"attributes": {"fields": {"name-last": "Lovelace", "birthdate": "1990-12-10"}}}}),
        )
        .await;
    assert_eq!(filled.status, 200, "{:?}", filled.body);
    let done = person
        .post("/api/v1/inquiry-flow/current/submit", json!({}))
        .await;
    assert_eq!(done.status, 200, "{:?}", done.body);
    assert_eq!(done.attr("status"), "completed");

    // The operator sees it, made by the flow, with its session's device and verification.
    let seen = api.get(&format!("/api/v1/inquiries/{inquiry}")).await;
    assert_eq!(seen.attr("status"), "completed");
    assert_eq!(seen.attr("reference-id"), "user-77");
    assert!(seen.body["data"]["relationships"]["account"]["data"].is_null());
    let (kind, verification) = verifications_of(&seen)[0].clone();
    assert_eq!(kind, "verification/database");
    let got = api
        .get(&format!("/api/v1/verifications/{verification}"))
        .await;
    assert_eq!(got.attr("status"), "passed");
    assert_eq!(
        check(&got, "account_name_comparison")["reasons"],
        json!(["no_account"])
    );
    let session_id = seen.body["data"]["relationships"]["sessions"]["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let session = api
        .get(&format!("/api/v1/inquiry-sessions/{session_id}"))
        .await;
    assert_eq!(session.attr("status"), "active");
    assert_eq!(session.attr("ip-address"), "127.0.0.1");
    // The browser it came from, as a device.
    let device = session.body["data"]["relationships"]["device"]["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let devices = api
        .get(&format!(
            "/api/v1/devices?filter[inquiry-session-id]={session_id}"
        ))
        .await;
    assert_eq!(devices.status, 200, "{:?}", devices.body);
    assert_eq!(devices.ids(), std::slice::from_ref(&device));
    let got = api.get(&format!("/api/v1/devices/{device}")).await;
    assert_eq!(
        got.attr("browser-fingerprint"),
        "0123456789abcdef0123456789abcdef"
    );
    assert_eq!(api.get("/api/v1/devices").await.status, 400);
    let events = api
        .get(&format!("/api/v1/events?filter[object-id]={inquiry}"))
        .await;
    let actor = &events.body["data"][0]["attributes"]["context"]["actor"];
    assert_eq!(actor["process"], "verification-flow", "{actor}");

    // A decided inquiry takes no more fields from the person.
    let late_start = person.get("/api/v1/inquiry-flow/current").await;
    assert_eq!(late_start.attr("status"), "completed");
    let late = person
        .patch(
            "/api/v1/inquiry-flow/current",
            json!({"data": {"attributes": {"fields": {"name-last": "Byron"}}}}),
        )
        .await;
    assert_eq!(late.status, 409);
    // Redacting the inquiry takes the device's fingerprint and ends the person's token.
    let redacted = api.delete(&format!("/api/v1/inquiries/{inquiry}")).await;
    assert_eq!(redacted.status, 200, "{:?}", redacted.body);
    let got = api.get(&format!("/api/v1/devices/{device}")).await;
    assert!(got.attr("browser-fingerprint").is_null(), "{}", got.body);
    assert_eq!(person.get("/api/v1/inquiry-flow/current").await.status, 401);
}

#[tokio::test]
async fn a_flow_start_names_what_is_wrong_and_a_token_must_be_real() {
    let server = Server::start();
    let api = server.client();
    let anyone = api.clone().without_key();
    for (attributes, pointer) in [
        (
            json!({"reference-id": "x"}),
            "/data/attributes/inquiry-template-id",
        ),
        (
            json!({"inquiry-template-id": "itmpl_nothing"}),
            "/data/attributes/inquiry-template-id",
        ),
        (
            json!({"inquiry-template-id": api.default_inquiry_template().await, "account-id": "act_x"}),
            "/data/attributes/account-id",
        ),
        (
            json!({"inquiry-template-id": api.default_inquiry_template().await, "environment-id": "env_nothing"}),
            "/data/attributes/environment-id",
        ),
    ] {
        let refused = anyone
            .post(
                "/api/v1/inquiry-flows",
                json!({"data": {"attributes": attributes}}),
            )
            .await;
        assert!(
            [400, 422].contains(&refused.status),
            "{attributes}: {:?}",
            refused.body
        );
        // A 400 carries the pointer in `meta`, a 422 in `source`, as Persona's bodies do.
        let error = &refused.body["errors"][0];
        let named = error["source"]["pointer"]
            .as_str()
            .or(error["meta"]["pointer"].as_str());
        assert_eq!(named, Some(pointer), "{}", refused.body);
    }
    let odd = anyone
        .post(
            "/api/v1/inquiry-flows",
            json!({"data": {"attributes": {"inquiry-template-id": api.default_inquiry_template().await, "browser-fingerprint": "not hex at all"}}}),
        )
        .await;
    assert_eq!(odd.status, 422, "{:?}", odd.body);
    assert_eq!(
        odd.body["errors"][0]["source"]["pointer"],
        "/data/attributes/browser-fingerprint"
    );
    let stranger = as_person(&server, "iqst_notarealtokenatall");
    assert_eq!(
        stranger.get("/api/v1/inquiry-flow/current").await.status,
        401
    );
    // An API key is not the flow.
    assert_eq!(api.get("/api/v1/inquiry-flow/current").await.status, 403);
}

#[tokio::test]
async fn a_one_time_link_opens_the_flow_once() {
    let server = Server::start();
    let api = server.client();
    let template = api.default_inquiry_template().await;
    let created = api
        .post(
            "/api/v1/inquiries",
            json!({"data": {"attributes": {"inquiry-template-id": template}}, "meta": {"auto-create-one-time-link": true}}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let link = created.body["meta"]["one-time-link"].as_str().unwrap();
    let code = link.split("code=").nth(1).unwrap();
    let anyone = api.clone().without_key();
    let redeem = |code: String| {
        let anyone = anyone.clone();
        async move {
            anyone
                .post(
                    "/api/v1/inquiry-flows/redeem",
                    json!({"meta": {"code": code}}),
                )
                .await
        }
    };
    let opened = redeem(code.to_string()).await;
    assert_eq!(opened.status, 200, "{:?}", opened.body);
    assert_eq!(opened.id(), created.id());
    assert_eq!(opened.attr("status"), "pending");
    let token = opened.body["meta"]["session-token"].as_str().unwrap();
    let person = as_person(&server, token);
    assert_eq!(person.get("/api/v1/inquiry-flow/current").await.status, 200);
    let again = redeem(code.to_string()).await;
    assert_eq!(again.status, 404, "{:?}", again.body);
    assert!(again.details().contains("already used"));
    assert_eq!(redeem("otl_wrong".into()).await.status, 404);
}

#[tokio::test]
async fn only_the_pages_a_template_allows_embed_its_flow() {
    let server = Server::start();
    let api = server.client();
    let template = api.default_inquiry_template().await;
    let anyone = api.clone().without_key();
    let start_from = |origin: &'static str| {
        let anyone = anyone.clone();
        let template = template.clone();
        async move {
            anyone
                .post_with(
                    "/api/v1/inquiry-flows",
                    json!({"data": {"attributes": {"inquiry-template-id": template}}}),
                    &[("Vigil-Frame-Ancestors", origin)],
                )
                .await
        }
    };
    // With no domains listed, only pages on this machine may embed the flow.
    assert_eq!(start_from("http://127.0.0.1:9000").await.status, 201);
    let refused = start_from("https://shop.example").await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    assert!(refused.details().contains("embedded-flow-domain-allowlist"));

    let bad = api
        .patch(
            &format!("/api/v1/inquiry-templates/{template}"),
            json!({"data": {"attributes": {"embedded-flow-domain-allowlist": ["shop.example", "https://x.example/"]}}}),
        )
        .await;
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    assert_eq!(
        bad.body["errors"][0]["source"]["pointer"],
        "/data/attributes/embedded-flow-domain-allowlist/1"
    );
    let listed = api
        .patch(
            &format!("/api/v1/inquiry-templates/{template}"),
            json!({"data": {"attributes": {"embedded-flow-domain-allowlist": ["Shop.example", "*.partners.example"]}}}),
        )
        .await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    assert_eq!(
        listed.attr("embedded-flow-domain-allowlist"),
        &json!(["shop.example", "*.partners.example"])
    );
    let started = start_from("https://shop.example").await;
    assert_eq!(started.status, 201, "{:?}", started.body);
    assert_eq!(start_from("https://eu.partners.example").await.status, 201);
    assert_eq!(start_from("http://127.0.0.1:9000").await.status, 403);
    // A session started on an allowed page cannot be carried into a page that is not.
    let token = started.body["meta"]["session-token"].as_str().unwrap();
    let person = as_person(&server, token);
    let framed = |origin: &'static str| {
        let person = person.clone();
        async move {
            person
                .clone()
                .with_header("Vigil-Frame-Ancestors", origin)
                .get("/api/v1/inquiry-flow/current")
                .await
                .status
        }
    };
    assert_eq!(framed("https://shop.example").await, 200);
    assert_eq!(framed("https://evil.example").await, 403);
    let elsewhere = person
        .clone()
        .with_header("Vigil-Frame-Ancestors", "https://evil.example");
    let change = elsewhere
        .patch(
            "/api/v1/inquiry-flow/current",
            json!({"data": {"attributes": {"fields": {"name-last": "Byron"}}}}),
        )
        .await;
    assert_eq!(change.status, 403, "{:?}", change.body);
    let submit = elsewhere
        .post("/api/v1/inquiry-flow/current/submit", json!({}))
        .await;
    assert_eq!(submit.status, 403, "{:?}", submit.body);
    assert!(api
        .event_names(&template)
        .await
        .contains(&"inquiry-template.updated".to_string()));
}

#[tokio::test]
async fn a_template_s_translations_are_read_and_imported_and_reach_the_flow() {
    let server = Server::start();
    let api = server.client();
    let template = api.default_inquiry_template().await;
    let path = format!("/api/v1/inquiry-templates/{template}/translations");
    let got = api.get(&path).await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    assert_eq!(got.body["data"]["type"], "inquiry-template-translations");
    let row = |body: &Value, component: &str| {
        body["data"]["attributes"]["translations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["component"] == component)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(
        row(&got.body, "name-middle")["locale-values"],
        json!([{"locale": "en-US", "value": "Middle name"}])
    );
    let imported = api
        .post(
            &path,
            json!({"data": {"attributes": {"translations": [
                {"step": "details", "component": "name-middle", "attribute-name": "label",
                 "locale-values": [{"locale": "es", "value": "Segundo nombre (si lo tiene)"}]}
            ]}}}),
        )
        .await;
    assert_eq!(imported.status, 200, "{:?}", imported.body);
    assert_eq!(imported.body["data"]["type"], "inquiry-template-version");
    let got = api.get(&path).await;
    assert_eq!(
        row(&got.body, "name-middle")["locale-values"],
        json!([{"locale": "en-US", "value": "Middle name"}, {"locale": "es", "value": "Segundo nombre (si lo tiene)"}])
    );
    let bad = api
        .post(
            &path,
            json!({"data": {"attributes": {"translations": [
                {"step": "details", "component": "name-middle", "attribute-name": "label",
                 "locale-values": [{"locale": "Spanish!", "value": "x"}]}
            ]}}}),
        )
        .await;
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    assert_eq!(
        bad.body["errors"][0]["source"]["pointer"],
        "/data/attributes/translations/0/locale-values/0/locale"
    );
    assert!(api
        .event_names(&template)
        .await
        .contains(&"inquiry-template.updated".to_string()));
    // The flow reads them with the inquiry.
    let started = api
        .clone()
        .without_key()
        .post(
            "/api/v1/inquiry-flows",
            json!({"data": {"attributes": {"inquiry-template-id": template}}}),
        )
        .await;
    let token = started.body["meta"]["session-token"].as_str().unwrap();
    // The middle name's texts in the translations the flow's answer includes.
    let middle_name = |body: &Value| {
        let translations = body["included"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["type"] == "inquiry-template-translations")
            .cloned()
            .unwrap();
        row(&json!({ "data": translations }), "name-middle")["locale-values"].clone()
    };
    let current = as_person(&server, token)
        .get("/api/v1/inquiry-flow/current")
        .await;
    assert_eq!(
        middle_name(&current.body),
        json!([{"locale": "en-US", "value": "Middle name"}, {"locale": "es", "value": "Segundo nombre (si lo tiene)"}])
    );
    // Asked in a language, each text holds only its value for that language: that
    // locale, else one of the language, else none (the flow then uses its own words).
    for (asked, expected) in [
        (
            "es-MX,es;q=0.9",
            json!([{"locale": "es", "value": "Segundo nombre (si lo tiene)"}]),
        ),
        (
            "en-GB",
            json!([{"locale": "en-US", "value": "Middle name"}]),
        ),
        ("fr", json!([])),
    ] {
        let current = as_person(&server, token)
            .with_header("Accept-Language", asked)
            .get("/api/v1/inquiry-flow/current")
            .await;
        assert_eq!(current.status, 200, "{:?}", current.body);
        assert_eq!(middle_name(&current.body), expected, "{asked}");
    }
}

#[tokio::test]
async fn theme_sets_are_made_changed_cell_by_cell_and_archived() {
    let server = Server::start();
    let api = server.client();
    let created = api
        .post(
            "/api/v1/theme-sets",
            json!({"data": {"attributes": {"name": "Brand", "styles": {
                "light": {"inquiry": {"primary-color": {"unit": "hex", "value": "#0b6e4f"},
                                      "text-color": {"unit": "hex", "value": "#102a43"}}}}}}}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.id();
    assert!(id.starts_with("theset_"));
    assert_eq!(created.attr("status"), "active");
    let changed = api
        .patch(
            &format!("/api/v1/theme-sets/{id}"),
            json!({"data": {"attributes": {"styles": {"light": {"inquiry": {"primary-color": {"unit": "hex", "value": "#7c3aed"}}}}}}}),
        )
        .await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    let inquiry = &changed.attr("styles")["light"]["inquiry"];
    assert_eq!(inquiry["primary-color"]["value"], "#7c3aed");
    assert_eq!(inquiry["text-color"]["value"], "#102a43");
    let unknown = api
        .patch(
            &format!("/api/v1/theme-sets/{id}"),
            json!({"data": {"attributes": {"styles": {"light": {"inquiry": {"shadow": {"value": "big"}}}}}}}),
        )
        .await;
    assert_eq!(unknown.status, 400, "{:?}", unknown.body);
    assert_eq!(
        unknown.body["errors"][0]["meta"]["pointer"],
        "/data/attributes/styles/light/inquiry/shadow"
    );
    let listed = api.get("/api/v1/theme-sets?filter[status]=active").await;
    assert_eq!(listed.ids(), std::slice::from_ref(&id));
    // The flow's pages read an active one without a key.
    let anyone = api.clone().without_key();
    let public = anyone
        .get(&format!("/api/v1/inquiry-flows/theme-sets/{id}"))
        .await;
    assert_eq!(public.status, 200, "{:?}", public.body);
    let archived = api.delete(&format!("/api/v1/theme-sets/{id}")).await;
    assert_eq!(archived.status, 200);
    assert_eq!(archived.attr("status"), "archived");
    assert!(!archived.attr("archived-at").is_null());
    let late = api
        .patch(
            &format!("/api/v1/theme-sets/{id}"),
            json!({"data": {"attributes": {"name": "Again"}}}),
        )
        .await;
    assert_eq!(late.status, 409);
    let gone = anyone
        .get(&format!("/api/v1/inquiry-flows/theme-sets/{id}"))
        .await;
    assert_eq!(gone.status, 404);
    let names = api.event_names(&id).await;
    for name in [
        "theme-set.created",
        "theme-set.updated",
        "theme-set.archived",
    ] {
        assert!(names.contains(&name.to_string()), "{names:?}");
    }
}
