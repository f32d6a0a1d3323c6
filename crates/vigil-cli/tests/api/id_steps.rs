//! The flow's photo steps through HTTP: a template with a government ID and a selfie
//! step, a person handing in generated documents (a licence with a real PDF417 AAMVA
//! barcode, a passport page with a real MRZ, a drawn face) with a session token, and the
//! verifications, documents, inquiry outcomes and cases that follow. Every response is
//! checked against Persona's schema where Persona has the operation.

use base64::Engine;
use serde_json::{json, Value};
use vigil_documents::specimens::{self, camera, jpeg, png};
use vigil_domain::verification::government_id::DocumentIdentity;

use crate::common::{Client, Response, Server};

fn inline(bytes: &[u8], filename: &str) -> Value {
    json!({"data": base64::engine::general_purpose::STANDARD.encode(bytes), "filename": filename})
}

pub(crate) fn jane() -> DocumentIdentity {
    DocumentIdentity {
        name_first: Some("JANE".into()),
        name_last: Some("SPECIMEN".into()),
        birthdate: Some("1990-01-31".into()),
        expiration_date: Some("2031-01-31".into()),
        issue_date: Some("2023-01-31".into()),
        document_number: Some("S12345678".into()),
        address_street_1: Some("1 MAIN ST".into()),
        address_city: Some("RICHMOND".into()),
        address_subdivision: Some("VA".into()),
        address_postal_code: Some("23219".into()),
        ..Default::default()
    }
}

/// A licence's two sides, photographed (`seed` varies the sensor's noise, so two
/// photos of one card are not the same bytes).
pub(crate) fn licence(holder: &DocumentIdentity, seed: u64) -> (Vec<u8>, Vec<u8>) {
    (
        jpeg(&camera(&specimens::licence_front(holder), seed)),
        jpeg(&camera(&specimens::licence_back(holder), seed + 1)),
    )
}

fn passport(holder: &DocumentIdentity, seed: u64) -> Vec<u8> {
    let lines = specimens::passport_mrz(holder, "GBR");
    jpeg(&camera(&specimens::passport_page(&lines), seed))
}

/// The default template with both photo steps; its id.
pub(crate) async fn template_with_steps(api: &Client, government_id: Value) -> String {
    let template = api.default_inquiry_template().await;
    let set = api
        .patch(
            &format!("/api/v1/inquiry-templates/{template}/verification-steps"),
            json!({"data": {"attributes": {"government-id": government_id, "selfie": {"capture": "camera-only"}}}}),
        )
        .await;
    assert_eq!(set.status, 200, "{:?}", set.body);
    template
}

/// A person's session on a new inquiry of `template` (for `account`, made with a key
/// and handed to the person, as an operator does); their client and the inquiry id.
pub(crate) async fn person_on(
    server: &Server,
    api: &Client,
    template: &str,
    account: Option<&str>,
    fields: Value,
) -> (Client, String) {
    let created = api
        .post(
            "/api/v1/inquiries",
            json!({"data": {"attributes": {"inquiry-template-id": template, "account-id": account, "fields": fields}}}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let inquiry = created.id();
    let resumed = api
        .post(&format!("/api/v1/inquiries/{inquiry}/resume"), json!({}))
        .await;
    assert_eq!(resumed.status, 200, "{:?}", resumed.body);
    let token = resumed.body["meta"]["session-token"]
        .as_str()
        .unwrap()
        .to_string();
    (server.client_with_key(&token), inquiry)
}

pub(crate) async fn hand_in_id(
    person: &Client,
    class: &str,
    country: &str,
    front: &[u8],
    back: Option<&[u8]>,
) -> Response {
    let mut attributes = json!({"id-class": class, "country-code": country, "capture-method": "upload",
        "front-photo": inline(front, "front.jpg")});
    if let Some(back) = back {
        attributes["back-photo"] = inline(back, "back.jpg");
    }
    person
        .post(
            "/api/v1/inquiry-flow/current/government-id",
            json!({"data": {"attributes": attributes}}),
        )
        .await
}

pub(crate) async fn hand_in_selfie(person: &Client, photo: &[u8]) -> Response {
    person
        .post(
            "/api/v1/inquiry-flow/current/selfie",
            json!({"data": {"attributes": {"center-photo": inline(photo, "selfie.jpg"), "capture-method": "photo"}}}),
        )
        .await
}

fn check<'a>(verification: &'a Response, name: &str) -> &'a Value {
    verification
        .attr("checks")
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name}: {:?}", verification.attr("checks")))
}

pub(crate) fn selfie() -> Vec<u8> {
    jpeg(&camera(&specimens::selfie(), 40))
}

#[tokio::test]
async fn a_licence_and_a_selfie_pass_and_the_inquiry_completes() {
    let server = Server::start();
    let api = server.client();
    let template =
        template_with_steps(&api, json!({"countries": ["US", "CA"], "minimum-age": 18})).await;
    let steps = api
        .get(&format!(
            "/api/v1/inquiry-templates/{template}/verification-steps"
        ))
        .await;
    assert_eq!(
        steps.attr("government-id")["countries"],
        json!(["US", "CA"])
    );
    assert_eq!(steps.attr("selfie")["capture"], "camera-only");
    let (person, inquiry) = person_on(
        &server,
        &api,
        &template,
        None,
        json!({"name-first": "Jane", "name-last": "Specimen", "birthdate": "1990-01-31"}),
    )
    .await;

    // The steps are for the person's own flow: what is on and what is done.
    let current = person.get("/api/v1/inquiry-flow/current").await;
    let included = current.body["included"].as_array().unwrap();
    assert!(included
        .iter()
        .any(|r| r["type"] == "inquiry-template-steps"
            && r["attributes"]["government-id"]["minimum-age"] == 18));

    // Submitting before the photos is refused, naming what is missing.
    let early = person
        .post("/api/v1/inquiry-flow/current/submit", json!({}))
        .await;
    assert_eq!(early.status, 409, "{:?}", early.body);
    assert!(early.details().contains("government ID"));

    let (front, back) = licence(&jane(), 10);
    let id = hand_in_id(&person, "dl", "us", &front, Some(&back)).await;
    assert_eq!(id.status, 201, "{:?}", id.body);
    assert_eq!(id.body["data"]["type"], "verification/government-id");
    assert_eq!(id.attr("status"), "passed", "{:#?}", id.attr("checks"));
    for name in [
        "id_barcode_detection",
        "id_inquiry_comparison",
        "id_portrait_detection",
        "id_expired_detection",
        "id_age_comparison",
        "id_blur_detection",
        "id_electronic_replica_detection",
    ] {
        assert_eq!(check(&id, name)["status"], "passed", "{name}");
    }
    // A licence has no MRZ; a check that cannot run is never passed.
    assert!(id
        .attr("checks")
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["name"] != "id_mrz_detection"));
    assert_eq!(
        check(&id, "id_account_comparison")["status"],
        "not_applicable"
    );
    assert_eq!(id.attr("name-last"), "SPECIMEN");
    assert_eq!(id.attr("birthdate"), "1990-01-31");
    assert_eq!(id.attr("id-class"), "dl");
    assert_eq!(id.attr("country-code"), "US");

    let face = hand_in_selfie(&person, &selfie()).await;
    assert_eq!(face.status, 201, "{:?}", face.body);
    assert_eq!(face.body["data"]["type"], "verification/selfie");
    assert_eq!(face.attr("status"), "passed", "{:#?}", face.attr("checks"));
    assert_eq!(
        check(&face, "selfie_multiple_faces_detection")["status"],
        "passed"
    );
    let comparison = check(&face, "selfie_id_comparison");
    assert_eq!(comparison["status"], "not_applicable");
    assert_eq!(comparison["reasons"], json!(["not_supported"]));

    let done = person
        .post("/api/v1/inquiry-flow/current/submit", json!({}))
        .await;
    assert_eq!(done.status, 200, "{:?}", done.body);
    assert_eq!(done.attr("status"), "completed");

    // Read with a key, through Persona's operations.
    let read = api.get(&format!("/api/v1/inquiries/{inquiry}")).await;
    let kinds: Vec<&str> = read.body["data"]["relationships"]["verifications"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "verification/government-id",
            "verification/selfie",
            "verification/database"
        ]
    );
    let by_kind = api
        .get(&format!("/api/v1/verification/government-ids/{}", id.id()))
        .await;
    assert_eq!(by_kind.status, 200);
    let other_kind = api
        .get(&format!("/api/v1/verification/selfies/{}", id.id()))
        .await;
    assert_eq!(other_kind.status, 404);
    let selfie_kind = api
        .get(&format!("/api/v1/verification/selfies/{}", face.id()))
        .await;
    assert_eq!(selfie_kind.status, 200);
    let (status, _, pdf) = api
        .get_bytes(&format!("/api/v1/verifications/{}/print", id.id()))
        .await;
    assert_eq!(status, 200);
    assert!(pdf.starts_with(b"%PDF-"));
    let documents = read.body["data"]["relationships"]["documents"]["data"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(documents.len(), 2, "{documents:?}");
    let document = api
        .get(&format!(
            "/api/v1/document/government-ids/{}",
            documents[0]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(document.status, 200, "{:?}", document.body);
    assert_eq!(document.attr("id-class"), "dl");
    assert_eq!(document.attr("document-number"), "S12345678");
    let photo_url = id.attr("front-photo-url").as_str().unwrap().to_string();
    let (status, _, bytes) = api.get_bytes(&photo_url).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, front);

    // Redacting the verification removes what it read and its photos.
    let redacted = api
        .delete(&format!("/api/v1/verifications/{}", id.id()))
        .await;
    assert_eq!(redacted.status, 200, "{:?}", redacted.body);
    assert_eq!(redacted.attr("name-last"), &Value::Null);
    assert_eq!(redacted.attr("front-photo-url"), &Value::Null);
    let (status, _, _) = api.get_bytes(&photo_url).await;
    assert_eq!(status, 404);
    let document = api
        .get(&format!(
            "/api/v1/document/government-ids/{}",
            documents[0]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(document.attr("name-last"), &Value::Null);
    assert_eq!(document.attr("front-photo"), &Value::Null);
}

#[tokio::test]
async fn a_licence_naming_someone_else_goes_to_review_and_opens_a_case() {
    let server = Server::start();
    let api = server.client();
    let template = template_with_steps(&api, json!({})).await;
    let account = api
        .create_account(
            json!({"name-first": "John", "name-last": "Example", "birthdate": "1985-05-05"}),
        )
        .await
        .id();
    let (person, inquiry) = person_on(
        &server,
        &api,
        &template,
        Some(&account),
        json!({"name-first": "John", "name-last": "Example", "birthdate": "1985-05-05"}),
    )
    .await;
    let (front, back) = licence(&jane(), 20);
    let id = hand_in_id(&person, "dl", "US", &front, Some(&back)).await;
    assert_eq!(id.status, 201, "{:?}", id.body);
    assert_eq!(id.attr("status"), "failed");
    let typed = check(&id, "id_inquiry_comparison");
    assert_eq!(typed["status"], "failed");
    assert!(
        typed["reasons"]
            .as_array()
            .unwrap()
            .contains(&json!("name_mismatch")),
        "{typed:?}"
    );
    assert!(
        typed["reasons"]
            .as_array()
            .unwrap()
            .contains(&json!("birthdate_mismatch")),
        "{typed:?}"
    );
    assert_eq!(check(&id, "id_account_comparison")["status"], "failed");
    assert_eq!(hand_in_selfie(&person, &selfie()).await.status, 201);
    let done = person
        .post("/api/v1/inquiry-flow/current/submit", json!({}))
        .await;
    assert_eq!(done.attr("status"), "needs_review", "{:?}", done.body);
    // The default flagging rule opens a case for a person to decide, holding the inquiry.
    let case = api.first_case_of(&account).await;
    assert!(
        case["relationships"]["inquiries"]["data"]
            .as_array()
            .is_some_and(|held| held.iter().any(|i| i["id"] == inquiry.as_str())),
        "the case does not hold {inquiry}: {case}"
    );
}

#[tokio::test]
async fn an_expired_passport_fails_and_a_tampered_zone_is_caught() {
    let server = Server::start();
    let api = server.client();
    let template = template_with_steps(&api, json!({"id-classes": ["pp"]})).await;
    let mut expired = jane();
    expired.document_number = Some("X9876543".into());
    expired.expiration_date = Some("2021-06-30".into());
    let (person, _) = person_on(
        &server,
        &api,
        &template,
        None,
        json!({"name-first": "Jane", "name-last": "Specimen"}),
    )
    .await;
    let id = hand_in_id(&person, "pp", "GB", &passport(&expired, 30), None).await;
    assert_eq!(id.status, 201, "{:?}", id.body);
    assert_eq!(check(&id, "id_mrz_detection")["status"], "passed");
    assert_eq!(
        check(&id, "id_mrz_inconsistency_detection")["status"],
        "passed"
    );
    assert_eq!(check(&id, "id_expired_detection")["status"], "failed");
    assert_eq!(id.attr("expiration-date"), "2021-06-30");
    assert_eq!(id.attr("status"), "failed");
    assert_eq!(hand_in_selfie(&person, &selfie()).await.status, 201);
    let done = person
        .post("/api/v1/inquiry-flow/current/submit", json!({}))
        .await;
    assert_eq!(done.attr("status"), "failed", "{:?}", done.body);

    // A birth date changed after its check digit was printed.
    let lines = specimens::passport_mrz(&jane(), "GBR");
    let mut second = lines[1].clone().into_bytes();
    second[18] = if second[18] == b'1' { b'2' } else { b'1' };
    let tampered = [lines[0].clone(), String::from_utf8(second).unwrap()];
    let page = jpeg(&camera(&specimens::passport_page(&tampered), 31));
    let (person, _) = person_on(&server, &api, &template, None, json!({})).await;
    let id = hand_in_id(&person, "pp", "GB", &page, None).await;
    let zone = check(&id, "id_mrz_inconsistency_detection");
    assert_eq!(zone["status"], "failed", "{:?}", id.attr("checks"));
    assert!(zone["metadata"]["fields"]
        .as_array()
        .unwrap()
        .contains(&json!("birthdate")));
    // A licence is not a type this template takes.
    let (front, back) = licence(&jane(), 32);
    let wrong = hand_in_id(&person, "dl", "US", &front, Some(&back)).await;
    assert_eq!(
        check(&wrong, "id_disallowed_type_detection")["status"],
        "failed"
    );
}

#[tokio::test]
async fn a_listed_name_or_number_and_a_reused_photo_are_found() {
    let server = Server::start();
    let api = server.client();
    let template = template_with_steps(&api, json!({})).await;
    let names = api.create_list("names", "Blocked people").await;
    api.add_list_item(
        "names",
        &names,
        json!({"name-first": "Jane", "name-last": "Specimen"}),
    )
    .await;
    let numbers = api
        .create_list("government-id-numbers", "Stolen licences")
        .await;
    api.add_list_item(
        "government-id-numbers",
        &numbers,
        json!({"id-number": "S12345678", "id-class": "dl"}),
    )
    .await;
    let (front, back) = licence(&jane(), 50);
    let (person, _) = person_on(&server, &api, &template, None, json!({})).await;
    let id = hand_in_id(&person, "dl", "US", &front, Some(&back)).await;
    let watchlist = check(&id, "id_watchlist_detection");
    assert_eq!(watchlist["status"], "failed", "{:?}", id.attr("checks"));
    assert_eq!(watchlist["metadata"]["lists"][0]["name"], "Blocked people");
    assert_eq!(check(&id, "id_compromised_detection")["status"], "failed");
    assert_eq!(check(&id, "id_repeat_detection")["status"], "passed");

    // The same photo again, for another account: a fraud signal, and a case holding
    // both accounts (the default document-reuse rule; the first hand-in above had no
    // account, so its own case holds `first` alone).
    let (first, second) = (
        api.create_account(json!({"name-first": "Jane"})).await.id(),
        api.create_account(json!({"name-first": "Janet"}))
            .await
            .id(),
    );
    let (person, _) = person_on(&server, &api, &template, Some(&first), json!({})).await;
    let earlier = hand_in_id(&person, "dl", "US", &front, Some(&back)).await;
    let (person, _) = person_on(&server, &api, &template, Some(&second), json!({})).await;
    let again = hand_in_id(&person, "dl", "US", &front, Some(&back)).await;
    let repeat = check(&again, "id_repeat_detection");
    assert_eq!(repeat["status"], "failed");
    let earlier_inquiry = &earlier.body["data"]["relationships"]["inquiry"]["data"]["id"];
    assert!(repeat["metadata"]["inquiry-ids"]
        .as_array()
        .unwrap()
        .contains(earlier_inquiry));
    let case = api.first_case_of(&second).await;
    let accounts: Vec<&str> = case["relationships"]["accounts"]["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no case for the reused photo: {case}"))
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert!(
        accounts.contains(&first.as_str()) && accounts.contains(&second.as_str()),
        "{case}"
    );
}

#[tokio::test]
async fn a_photo_to_retake_and_bad_input_are_named() {
    let server = Server::start();
    let api = server.client();
    let template = template_with_steps(&api, json!({})).await;
    let (person, _) = person_on(&server, &api, &template, None, json!({})).await;
    // Out of focus, and a screen's image instead of a photo.
    let blurred = jpeg(&camera(
        &specimens::blurred(&specimens::licence_front(&jane()), 5.0),
        60,
    ));
    let screen = png(&specimens::licence_back(&jane()));
    let retry = hand_in_id(&person, "dl", "US", &blurred, Some(&screen)).await;
    assert_eq!(retry.status, 201, "{:?}", retry.body);
    assert_eq!(retry.attr("status"), "requires_retry");
    assert_eq!(check(&retry, "id_blur_detection")["status"], "failed");
    assert_eq!(
        check(&retry, "id_electronic_replica_detection")["status"],
        "failed"
    );
    let early = person
        .post("/api/v1/inquiry-flow/current/submit", json!({}))
        .await;
    assert_eq!(early.status, 409);
    assert!(early.details().contains("taken again"));
    let nobody = hand_in_selfie(&person, &jpeg(&camera(&specimens::wall(), 61))).await;
    assert_eq!(nobody.attr("status"), "requires_retry");
    assert_eq!(
        check(&nobody, "selfie_face_detection")["reasons"],
        json!(["no_face"])
    );

    let (front, back) = licence(&jane(), 62);
    for (attributes, pointer, status) in [
        (
            json!({"id-class": "visa", "country-code": "US", "front-photo": inline(&front, "f.jpg")}),
            "/data/attributes/id-class",
            422,
        ),
        (
            json!({"id-class": "dl", "country-code": "USA", "front-photo": inline(&front, "f.jpg")}),
            "/data/attributes/country-code",
            422,
        ),
        (
            json!({"id-class": "dl", "country-code": "US", "front-photo": inline(&front, "f.jpg")}),
            "/data/attributes/back-photo",
            400,
        ),
        (
            json!({"id-class": "pp", "country-code": "US", "front-photo": inline(b"%PDF-1.7 not a photo", "f.pdf")}),
            "/data/attributes/front-photo/data",
            422,
        ),
        (
            json!({"id-class": "pp", "country-code": "US", "front-photo": inline(&front, "f.jpg"), "selfie": true}),
            "/data/attributes/selfie",
            422,
        ),
        (
            json!({"id-class": "pp", "country-code": "US", "front-photo": inline(&back, "f.jpg"), "capture-method": "fax"}),
            "/data/attributes/capture-method",
            422,
        ),
    ] {
        let refused = person
            .post(
                "/api/v1/inquiry-flow/current/government-id",
                json!({"data": {"attributes": attributes}}),
            )
            .await;
        assert_eq!(refused.status, status, "{pointer}: {:?}", refused.body);
        // A 422 names the value in `source`, a 400 (a wrong or missing member) in `meta`.
        let error = &refused.body["errors"][0];
        let named = error["source"]["pointer"]
            .as_str()
            .or(error["meta"]["pointer"].as_str());
        assert_eq!(named, Some(pointer), "{:?}", refused.body);
    }
    let plain = api.default_inquiry_template().await;
    let off = api
        .patch(&format!("/api/v1/inquiry-templates/{plain}/verification-steps"),
            json!({"data": {"attributes": {"selfie": null, "government-id": {"minimum-age": 200}}}}))
        .await;
    assert_eq!(off.status, 422);
    assert_eq!(
        off.body["errors"][0]["source"]["pointer"],
        "/data/attributes/government-id/minimum-age"
    );
    // A key cannot hand in photos as a person. Last: refused before its body is read, the
    // request leaves its connection closed for the next.
    let by_key = api
        .post(
            "/api/v1/inquiry-flow/current/selfie",
            json!({"data": {"attributes": {"center-photo": inline(&selfie(), "s.jpg")}}}),
        )
        .await;
    assert_eq!(by_key.status, 403);
}
