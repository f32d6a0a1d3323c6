//! The verification flow in a real browser, embedded by Persona's official SDK
//! (`tests/browser/flow.mjs`): what the person did is then read through the API, and the
//! webhook receiver heard the inquiries complete.

use std::path::Path;

use serde_json::{json, Value};

use crate::common::receiver::Receiver;
use crate::common::{browser, run_browser_script, skip, Client, Server};

/// The environment's inquiries with `reference`.
async fn by_reference(api: &Client, reference: &str) -> Value {
    let found = api
        .get(&format!(
            "/api/v1/inquiries?filter[reference-id]={reference}"
        ))
        .await;
    assert_eq!(found.status, 200, "{:?}", found.body);
    found.body["data"][0].clone()
}

#[tokio::test]
async fn the_official_sdk_runs_a_verification_in_a_real_browser() {
    let chromium = match browser(&["playwright-core", "axe-core", "persona"]) {
        Ok(path) => path,
        Err(why) => {
            skip::skipped("the verification flow in Chromium", &why);
            return;
        }
    };
    let server = Server::start_with(&["--allow-private-webhooks"]);
    let api = server.client();
    let receiver = Receiver::start().await;
    let hook = api
        .post(
            "/api/v1/webhooks",
            json!({"data": {"attributes": {"url": receiver.url, "enabled-events": ["inquiry.completed", "verification.passed"]}}}),
        )
        .await;
    assert_eq!(hook.status, 201, "{:?}", hook.body);
    api.post(&format!("/api/v1/webhooks/{}/enable", hook.id()), json!({}))
        .await;
    let template = api.default_inquiry_template().await;
    // A label of the template's own, in Spanish, for the flow to show.
    let translated = api
        .post(
            &format!("/api/v1/inquiry-templates/{template}/translations"),
            json!({"data": {"attributes": {"translations": [
                {"step": "details", "component": "name-middle", "attribute-name": "label",
                 "locale-values": [{"locale": "es", "value": "Segundo nombre (si lo tiene)"}]}
            ]}}}),
        )
        .await;
    assert_eq!(translated.status, 200, "{:?}", translated.body);
    // The link is for Jane Doe's account: what she types is compared with it.
    let jane = api
        .create_account(
            json!({"name-first": "Jane", "name-last": "Doe", "birthdate": "1990-04-01"}),
        )
        .await
        .id();
    let linked = api
        .post(
            "/api/v1/inquiries",
            json!({"data": {"attributes": {"inquiry-template-id": template, "account-id": jane}}, "meta": {"auto-create-one-time-link": true}}),
        )
        .await;
    assert_eq!(linked.status, 201, "{:?}", linked.body);
    // The shop's colours, for the flow to wear.
    let theme = api
        .post(
            "/api/v1/theme-sets",
            json!({"data": {"attributes": {"name": "Shop", "styles": {
                "light": {"inquiry": {"primary-color": {"unit": "hex", "value": "#0b6e4f"}}}}}}}),
        )
        .await;
    assert_eq!(theme.status, 201, "{:?}", theme.body);
    let port = server.base.rsplit(':').next().unwrap();
    let setup = json!({
        "host": format!("localhost:{port}"),
        "template": template,
        "theme": theme.id(),
        "link": linked.body["meta"]["one-time-link"],
        "chromium": chromium,
        "screenshots": Path::new(env!("CARGO_TARGET_TMPDIR")).join("flow-screenshots"),
    });
    let printed = run_browser_script("flow.mjs", "VIGIL_FLOW_SETUP", setup).await;
    let summary: Value = serde_json::from_str(&printed).unwrap();

    // The clean pass: completed, with its reference id, made by the flow, verified.
    let clean = by_reference(&api, "shop-user-1").await;
    assert_eq!(clean["id"], summary["clean"]);
    assert_eq!(clean["attributes"]["status"], "completed");
    assert_eq!(
        clean["attributes"]["fields"]["email-address"]["value"],
        "ada@example.com"
    );
    let verification = clean["relationships"]["verifications"]["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let got = api
        .get(&format!("/api/v1/verifications/{verification}"))
        .await;
    assert_eq!(got.attr("status"), "passed");
    // The browser's fingerprint, taken by the flow's script, is the session's device.
    let session = clean["relationships"]["sessions"]["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let devices = api
        .get(&format!(
            "/api/v1/devices?filter[inquiry-session-id]={session}"
        ))
        .await;
    let fingerprint = devices.body["data"][0]["attributes"]["browser-fingerprint"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(fingerprint.len(), 64, "{}", devices.body);
    // Left and resumed with the token the page was handed: one inquiry, one session.
    let resumed = by_reference(&api, "shop-user-2").await;
    assert_eq!(resumed["id"], summary["resumed"]);
    assert_eq!(resumed["attributes"]["status"], "completed");
    assert_eq!(
        resumed["relationships"]["sessions"]["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // The link's inquiry: Jane's identity matched her account.
    let link_inquiry = api.get(&format!("/api/v1/inquiries/{}", linked.id())).await;
    assert_eq!(link_inquiry.attr("status"), "completed");
    let verification = link_inquiry.body["data"]["relationships"]["verifications"]["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let got = api
        .get(&format!("/api/v1/verifications/{verification}"))
        .await;
    let name = got
        .attr("checks")
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "account_name_comparison")
        .unwrap()
        .clone();
    assert_eq!(name["status"], "passed", "{}", got.body);
    // The webhook receiver heard every inquiry complete, and each one's verification
    // pass, its payload the verification as served.
    type Heard = [crate::common::receiver::Received];
    let payloads = |all: &Heard, name: &str| {
        all.iter()
            .filter(|r| r.json()["data"]["attributes"]["name"] == name)
            .map(|r| r.json()["data"]["attributes"]["payload"]["data"].clone())
            .collect::<Vec<Value>>()
    };
    let heard = receiver
        .until(|all| {
            payloads(all, "inquiry.completed").len() >= 3
                && payloads(all, "verification.passed").len() >= 3
        })
        .await;
    let ids: Vec<Value> = payloads(&heard, "inquiry.completed")
        .iter()
        .map(|p| p["id"].clone())
        .collect();
    for id in [&clean["id"], &resumed["id"], &json!(linked.id())] {
        assert!(ids.contains(id), "{id} not in {ids:?}");
    }
    let verified = payloads(&heard, "verification.passed");
    assert!(
        verified.iter().any(|v| v["type"] == "verification/database"
            && v["relationships"]["inquiry"]["data"]["id"] == clean["id"]),
        "{verified:?}"
    );
}

/// The latest verification of `kind` of an inquiry, read with a key.
async fn verification_of(api: &Client, inquiry: &Value, kind: &str) -> crate::common::Response {
    let id = inquiry["relationships"]["verifications"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|v| v["type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {inquiry}"))["id"]
        .as_str()
        .unwrap()
        .to_string();
    api.get(&format!("/api/v1/verifications/{id}")).await
}

fn check_status(verification: &crate::common::Response, name: &str) -> String {
    verification
        .attr("checks")
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .map(|c| c["status"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no check {name}"))
}

#[tokio::test]
async fn the_official_sdk_takes_id_photos_and_a_selfie_from_the_camera() {
    use vigil_documents::specimens::{self, camera, jpeg, y4m};
    use vigil_domain::verification::government_id::DocumentIdentity;

    let chromium = match browser(&["playwright-core", "axe-core", "persona"]) {
        Ok(path) => path,
        Err(why) => {
            skip::skipped("the verification flow's photo steps in Chromium", &why);
            return;
        }
    };
    let server = Server::start();
    let api = server.client();
    let template = api.default_inquiry_template().await;
    let steps = api
        .patch(
            &format!("/api/v1/inquiry-templates/{template}/verification-steps"),
            json!({"data": {"attributes": {"government-id": {"countries": ["US", "GB", "CA"]}, "selfie": {}}}}),
        )
        .await;
    assert_eq!(steps.status, 200, "{:?}", steps.body);
    let names = api.create_list("names", "Blocked people").await;
    api.add_list_item(
        "names",
        &names,
        json!({"name-first": "Mallory", "name-last": "Listed"}),
    )
    .await;

    // The documents the person hands in, generated: no real person's data.
    let holder = |first: &str, last: &str, number: &str, expires: &str| DocumentIdentity {
        name_first: Some(first.into()),
        name_last: Some(last.into()),
        birthdate: Some("1990-01-31".into()),
        expiration_date: Some(expires.into()),
        issue_date: Some("2023-01-31".into()),
        document_number: Some(number.into()),
        address_subdivision: Some("VA".into()),
        ..Default::default()
    };
    let jane = holder("JANE", "SPECIMEN", "S12345678", "2031-01-31");
    let mallory = holder("MALLORY", "LISTED", "S87654321", "2031-01-31");
    let expired = holder("JANE", "SPECIMEN", "X9876543", "2021-06-30");
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: Vec<u8>| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let files = json!({
        "licenceFront": write("licence-front.jpg", jpeg(&camera(&specimens::licence_front(&jane), 1))),
        "licenceBack": write("licence-back.jpg", jpeg(&camera(&specimens::licence_back(&jane), 2))),
        "blurred": write("blurred.jpg", jpeg(&camera(&specimens::blurred(&specimens::licence_front(&jane), 5.0), 3))),
        "listedFront": write("listed-front.jpg", jpeg(&camera(&specimens::licence_front(&mallory), 4))),
        "listedBack": write("listed-back.jpg", jpeg(&camera(&specimens::licence_back(&mallory), 5))),
        "notPhoto": write("statement.pdf", b"%PDF-1.7 not a photo".to_vec()),
        "passportExpired": write("passport.jpg", jpeg(&camera(&specimens::passport_page(&specimens::passport_mrz(&expired, "GBR")), 6))),
    });
    let camera_file = write("camera.y4m", y4m(&camera(&specimens::selfie(), 7)));
    // John's inquiry, made for his account by the shop's back end and resumed by the SDK.
    let john = api
        .create_account(
            json!({"name-first": "John", "name-last": "Example", "birthdate": "1985-05-05"}),
        )
        .await
        .id();
    let made = api
        .post(
            "/api/v1/inquiries",
            json!({"data": {"attributes": {"inquiry-template-id": template, "account-id": john, "reference-id": "doc-mismatch"}}}),
        )
        .await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let resumed = api
        .post(
            &format!("/api/v1/inquiries/{}/resume", made.id()),
            json!({}),
        )
        .await;
    assert_eq!(resumed.status, 200, "{:?}", resumed.body);
    let port = server.base.rsplit(':').next().unwrap();
    let setup = json!({
        "host": format!("localhost:{port}"),
        "template": template,
        "files": files,
        "camera": camera_file,
        "mismatch": {"inquiryId": made.id(), "sessionToken": resumed.body["meta"]["session-token"]},
        "chromium": chromium,
        "screenshots": Path::new(env!("CARGO_TARGET_TMPDIR")).join("flow-screenshots"),
    });
    let printed = run_browser_script("flow-documents.mjs", "VIGIL_FLOW_SETUP", setup).await;
    let summary: Value = serde_json::from_str(&printed).unwrap();

    // The clean pass: the licence read, the camera's selfie with one face.
    let clean = by_reference(&api, "doc-clean").await;
    assert_eq!(clean["id"], summary["clean"]);
    assert_eq!(clean["attributes"]["status"], "completed");
    let id = verification_of(&api, &clean, "verification/government-id").await;
    assert_eq!(id.attr("status"), "passed", "{:#?}", id.attr("checks"));
    assert_eq!(id.attr("name-last"), "SPECIMEN");
    assert_eq!(check_status(&id, "id_barcode_detection"), "passed");
    let selfie = verification_of(&api, &clean, "verification/selfie").await;
    assert_eq!(
        selfie.attr("status"),
        "passed",
        "{:#?}",
        selfie.attr("checks")
    );
    assert_eq!(selfie.attr("capture-method"), "photo");
    assert_eq!(
        check_status(&selfie, "selfie_id_comparison"),
        "not_applicable"
    );
    // The blurred photo first asked for another: two government ID verifications.
    let kinds = clean["relationships"]["verifications"]["data"]
        .as_array()
        .unwrap();
    assert_eq!(
        kinds
            .iter()
            .filter(|v| v["type"] == "verification/government-id")
            .count(),
        2
    );

    let mismatch = by_reference(&api, "doc-mismatch").await;
    assert_eq!(mismatch["id"], summary["mismatch"]);
    assert_eq!(mismatch["attributes"]["status"], "needs_review");
    let id = verification_of(&api, &mismatch, "verification/government-id").await;
    assert_eq!(check_status(&id, "id_inquiry_comparison"), "failed");
    assert_eq!(check_status(&id, "id_account_comparison"), "failed");
    // A case for a person to decide, for John's account, holding the inquiry.
    let case = api.first_case_of(&john).await;
    let inquiries = case["relationships"]["inquiries"]["data"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        inquiries.iter().any(|i| i["id"] == mismatch["id"]),
        "no case holds {}: {case}",
        mismatch["id"]
    );

    let expired = by_reference(&api, "doc-expired").await;
    assert_eq!(expired["attributes"]["status"], "failed");
    let id = verification_of(&api, &expired, "verification/government-id").await;
    assert_eq!(check_status(&id, "id_expired_detection"), "failed");
    assert_eq!(
        check_status(&id, "id_mrz_inconsistency_detection"),
        "passed"
    );

    let listed = by_reference(&api, "doc-listed").await;
    assert_eq!(listed["attributes"]["status"], "needs_review");
    let id = verification_of(&api, &listed, "verification/government-id").await;
    assert_eq!(check_status(&id, "id_watchlist_detection"), "failed");
}
