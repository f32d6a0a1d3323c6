//! Watchlist reports and continuous screening, through HTTP: accounts screened when they
//! change, existing accounts flagged when a list gains an item, dismissals that stick,
//! pause and resume, tags, history, redaction, errors, and sanctions sources loaded with
//! `vigil import sanctions` beside a running server.

use std::time::Duration;

use serde_json::{json, Value};

use crate::common::{conformance, Client, Server};

/// The reports of an account, once `ready` holds for them (monitoring works in the
/// background; give it up to ten seconds).
async fn reports_when(
    api: &Client,
    account_id: &str,
    ready: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    // A bound on liveness, not a measure of speed: a loaded machine running the whole
    // suite (and a sanctions list re-screening) can take many seconds.
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    while std::time::Instant::now() < deadline {
        let listed = api
            .get(&format!("/api/v1/reports?filter[account-id]={account_id}"))
            .await;
        assert_eq!(listed.status, 200, "{:?}", listed.body);
        let reports = listed.body["data"].as_array().unwrap().clone();
        if ready(&reports) {
            return reports;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the reports of {account_id} never became as expected");
}

fn has_match(reports: &[Value]) -> bool {
    reports
        .iter()
        .any(|r| r["attributes"]["has-match"] == json!(true))
}

async fn events_named(api: &Client, name: &str, object_id: &str) -> usize {
    let listed = api
        .get(&format!(
            "/api/v1/events?filter[name]={name}&filter[object-id]={object_id}&page[size]=100"
        ))
        .await;
    assert_eq!(listed.status, 200);
    listed.body["data"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_new_list_item_flags_existing_accounts_and_screens_new_ones() {
    let server = Server::start();
    let api = server.client();
    let joe = api
        .create_account(json!({"name-first": "Joe", "name-last": "Imposter"}))
        .await
        .id();
    let jane = api
        .create_account(json!({"name-first": "Jane", "name-last": "Doe"}))
        .await
        .id();
    let mailer = api
        .create_account(json!({"name-first": "Ann", "name-last": "Other", "email-address": "ann@mail.fraud.example"}))
        .await
        .id();

    let names = api.create_list("names", "Known fraudsters").await;
    let item = api
        .add_list_item(
            "names",
            &names,
            json!({"name-first": "Joseph", "name-last": "IMPOSTER"}),
        )
        .await;
    let reports = reports_when(&api, &joe, has_match).await;
    assert_eq!(reports.len(), 1);
    let report = &reports[0];
    assert_eq!(report["type"], "report/watchlist");
    assert_eq!(report["attributes"]["term"], "Joe Imposter");
    assert_eq!(report["attributes"]["is-recurring"], true);
    let lists = report["attributes"]["matched-lists"].as_array().unwrap();
    assert_eq!(lists[0]["name"], "Known fraudsters");
    assert_eq!(lists[0]["entities"][0]["name"], "Joseph IMPOSTER");
    let report_id = report["id"].as_str().unwrap().to_string();
    assert_eq!(
        events_named(&api, "report/watchlist.matched", &report_id).await,
        1
    );

    // Scores and explanations, beyond Persona.
    let matches = api
        .get(&format!("/api/v1/reports/{report_id}/matches"))
        .await;
    assert_eq!(matches.status, 200);
    let first = &matches.body["data"][0]["attributes"];
    assert_eq!(first["list-id"], names.as_str());
    assert_eq!(first["matched-on"], "name");
    let score = first["score"].as_f64().unwrap();
    assert!((0.85..=1.0).contains(&score), "{score}");
    let how: Vec<&str> = first["explanation"]["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["how"].as_str().unwrap())
        .collect();
    assert!(
        how.contains(&"nickname"),
        "joe/joseph pair as nicknames: {how:?}"
    );

    // A domain list flags the account whose email is in a subdomain of it.
    let domains = api.create_list("email-addresses", "Fraud domains").await;
    api.add_list_item(
        "email-addresses",
        &domains,
        json!({"value": "fraud.example", "match-type": "domain"}),
    )
    .await;
    let flagged = reports_when(&api, &mailer, has_match).await;
    assert_eq!(
        flagged[0]["attributes"]["matched-lists"][0]["name"],
        "Fraud domains"
    );

    // An account created later is screened when created.
    let joseph = api
        .create_account(json!({"name-first": "Joseph", "name-last": "Imposter"}))
        .await
        .id();
    reports_when(&api, &joseph, has_match).await;

    // Jane matched nothing: no report was made for her.
    let listed = api
        .get(&format!("/api/v1/reports?filter[account-id]={jane}"))
        .await;
    assert_eq!(listed.body["data"], json!([]));

    // The item counts its real matches.
    let item = api.get(&format!("/api/v1/list-item/names/{item}")).await;
    assert_eq!(item.attr("match-count"), 2);

    // Renaming an account re-screens it: the match it no longer has goes away.
    let renamed = api
        .patch(
            &format!("/api/v1/accounts/{joseph}"),
            json!({"data": {"attributes": {"name-first": "Maria", "name-last": "Garcia"}}}),
        )
        .await;
    assert_eq!(renamed.status, 200);
    reports_when(&api, &joseph, |r| !has_match(r)).await;
}

#[tokio::test]
async fn dismissed_matches_stay_dismissed_and_paused_reports_stay_still() {
    let server = Server::start();
    let api = server.client();
    let names = api.create_list("names", "Watch").await;
    api.add_list_item(
        "names",
        &names,
        json!({"name-first": "Viktor", "name-last": "Bout"}),
    )
    .await;
    let created = api
        .post(
            "/api/v1/reports",
            json!({"data": {"type": "report/watchlist", "attributes": {
                "query": {"name-first": "Victor", "name-last": "Bout", "birthdate": "1967-01-13", "address-country-code": "ru"}
            }}, "meta": {"auto-create-account-reference-id": "user-77"}}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.id();
    assert_eq!(created.attr("has-match"), true);
    assert_eq!(created.attr("country-code"), "RU");
    let account_id = created.body["data"]["relationships"]["account"]["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let account = api.get(&format!("/api/v1/accounts/{account_id}")).await;
    assert_eq!(account.attr("reference-id"), "user-77");
    let by_reference = api
        .get("/api/v1/reports?filter[reference-id]=user-77")
        .await;
    assert_eq!(by_reference.ids(), vec![id.clone()]);

    let dismissed = api
        .post(
            &format!("/api/v1/reports/{id}/dismiss"),
            json!({"data": {"attributes": {"reason": "different person"}}}),
        )
        .await;
    assert_eq!(dismissed.status, 200, "{:?}", dismissed.body);
    assert_eq!(dismissed.attr("has-match"), false);
    let ignored = &dismissed.attr("ignore-list")[0];
    assert_eq!(ignored["ignore-reason"], "different person");
    assert_eq!(ignored["match"]["entities"][0]["name"], "Viktor Bout");
    assert_eq!(
        events_named(&api, "report/watchlist.dismissed", &id).await,
        1
    );

    // The printed report: what was screened and the dismissal, with who and why.
    let (status, headers, pdf) = api.get_bytes(&format!("/api/v1/reports/{id}/print")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["cache-control"], "private, no-store");
    let pdf = String::from_utf8_lossy(&pdf);
    assert!(pdf.starts_with("%PDF-") && pdf.trim_end().ends_with("%%EOF"));
    for printed in [
        format!("(Watchlist report {id})"),
        "(Victor Bout)".into(),
        "(1967-01-13)".into(),
        "(Dismissed (1))".into(),
        "(1. Viktor Bout - custom list \"Watch\"".into(),
        "(different person)".into(),
    ] {
        assert!(pdf.contains(&printed), "{printed} not in the PDF");
    }
    let missing = api.get("/api/v1/reports/rep_missing/print").await;
    assert_eq!(missing.status, 404);

    // Re-running finds the same person: still dismissed.
    let rerun = api
        .post(&format!("/api/v1/reports/{id}/run"), json!({}))
        .await;
    assert_eq!(rerun.status, 200);
    assert_eq!(rerun.attr("has-match"), false);
    assert_eq!(rerun.attr("is-continuous"), true);

    // A new item that matches comes through, the dismissed one does not.
    api.add_list_item(
        "names",
        &names,
        json!({"name-first": "Viktor", "name-last": "But"}),
    )
    .await;
    let mut current = Value::Null;
    for _ in 0..200 {
        current = api.get(&format!("/api/v1/reports/{id}")).await.body;
        if current["data"]["attributes"]["has-match"] == true {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let entities = &current["data"]["attributes"]["matched-lists"][0]["entities"];
    assert_eq!(entities.as_array().unwrap().len(), 1, "{entities}");
    assert_eq!(entities[0]["name"], "Viktor But");

    // Paused: a further item changes nothing until resumed.
    let paused = api
        .post(&format!("/api/v1/reports/{id}/pause"), json!({}))
        .await;
    assert_eq!(paused.status, 200);
    assert_eq!(paused.attr("is-recurring"), false);
    api.add_list_item(
        "names",
        &names,
        json!({"name-first": "Victor", "name-last": "Bout"}),
    )
    .await;
    // A request made after the item waits for screening to take it in, so this read is
    // after monitoring had its chance.
    let probe = api
        .post("/api/v1/reports", json!({"data": {"type": "report/watchlist", "attributes": {"query": {"term": "Victor Bout"}}}, "meta": {"auto-create-account": false}}))
        .await;
    assert_eq!(probe.status, 201);
    assert_eq!(
        probe.body["data"]["relationships"]["account"]["data"],
        Value::Null
    );
    let still = api.get(&format!("/api/v1/reports/{id}")).await;
    assert_eq!(
        still.attr("matched-lists")[0]["entities"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let resumed = api
        .post(&format!("/api/v1/reports/{id}/resume"), json!({}))
        .await;
    assert_eq!(resumed.attr("is-recurring"), true);

    let history = api.get(&format!("/api/v1/reports/{id}/history")).await;
    assert_eq!(history.status, 200);
    let kinds: Vec<&str> = history.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["resume", "pause", "run", "run", "dismiss", "run"]);
}

#[tokio::test]
async fn tags_redaction_and_errors() {
    let server = Server::start();
    let api = server.client();
    let created = api
        .post(
            "/api/v1/reports",
            json!({"data": {"type": "report/watchlist", "attributes": {"query": {"name-first": "Alice", "name-last": "Secret"}}}}),
        )
        .await;
    assert_eq!(created.status, 201);
    let id = created.id();
    assert_eq!(created.attr("has-match"), false);

    let tagged = api
        .post(
            &format!("/api/v1/reports/{id}/add-tag"),
            json!({"meta": {"tag-name": "vip"}}),
        )
        .await;
    assert_eq!(tagged.attr("tags"), &json!(["vip"]));
    let set = api
        .post(
            &format!("/api/v1/reports/{id}/set-tags"),
            json!({"meta": {"tag-name": ["a", "b"]}}),
        )
        .await;
    assert_eq!(set.attr("tags"), &json!(["a", "b"]));
    let removed = api
        .post(
            &format!("/api/v1/reports/{id}/remove-tag"),
            json!({"meta": {"tag-name": "a"}}),
        )
        .await;
    assert_eq!(removed.attr("tags"), &json!(["b"]));

    let no_match = api
        .post(
            &format!("/api/v1/reports/{id}/dismiss"),
            json!({"data": {"attributes": {"reason": "x"}}}),
        )
        .await;
    assert_eq!(no_match.status, 409);
    let no_reason = api
        .post(
            &format!("/api/v1/reports/{id}/dismiss"),
            json!({"data": {"attributes": {}}}),
        )
        .await;
    assert_eq!(no_reason.status, 400);
    assert!(
        no_reason.details().contains("reason"),
        "{}",
        no_reason.details()
    );

    let redacted = api.delete(&format!("/api/v1/reports/{id}")).await;
    assert_eq!(redacted.status, 200);
    assert_eq!(redacted.attr("name-last"), &Value::Null);
    assert!(redacted.attr("redacted-at").is_string());
    let events = api
        .get(&format!(
            "/api/v1/events?filter[object-id]={id}&page[size]=100"
        ))
        .await;
    assert!(
        !events.body.to_string().contains("Secret"),
        "redaction reaches the events"
    );
    let (status, _, pdf) = api.get_bytes(&format!("/api/v1/reports/{id}/print")).await;
    assert_eq!(status, 200);
    let pdf = String::from_utf8_lossy(&pdf);
    assert!(pdf.contains("(Redacted "), "the PDF says it was redacted");
    assert!(!pdf.contains("Secret"), "and prints nothing it removed");
    let again = api
        .post(&format!("/api/v1/reports/{id}/run"), json!({}))
        .await;
    assert_eq!(again.status, 409);

    let bad = |query: Value| json!({"data": {"type": "report/watchlist", "attributes": {"query": query}}});
    for (body, status, pointer) in [
        (
            bad(json!({"name-last": "X", "birthdate": "1980-13-01"})),
            422,
            "/data/attributes/query/birthdate",
        ),
        (
            bad(json!({"name-last": "X", "address-country-code": "ZZ"})),
            422,
            "/data/attributes/query/address-country-code",
        ),
        (
            bad(json!({"birthdate": "1980-01-01"})),
            422,
            "/data/attributes/query/name-last",
        ),
        (
            bad(json!({"name-last": 7})),
            400,
            "/data/attributes/query/name-last",
        ),
        (
            json!({"data": {"type": "report/watchlist", "attributes": {}}}),
            400,
            "/data/attributes/query",
        ),
        (
            json!({"data": {"type": "report/adverse-media", "attributes": {"query": {"term": "x"}}}}),
            422,
            "/data/type",
        ),
    ] {
        let answer = api.post("/api/v1/reports", body.clone()).await;
        assert_eq!(answer.status, status, "{body}: {:?}", answer.body);
        // 422s carry Persona's `source.pointer`; 400s name the field in `details`.
        if status == 422 {
            let got = answer.body["errors"][0]["source"]["pointer"]
                .as_str()
                .unwrap_or_default();
            assert_eq!(got, pointer, "{body}");
        } else {
            let dotted = pointer.trim_start_matches('/').replace('/', ".");
            assert!(
                answer.details().contains(&dotted),
                "{body}: {}",
                answer.details()
            );
        }
    }
    let unknown_account = api
        .post("/api/v1/reports", json!({"data": {"type": "report/watchlist", "attributes": {"account-id": "act_nope", "query": {"term": "x y"}}}}))
        .await;
    assert_eq!(unknown_account.status, 404);
    let unknown_template = api
        .post("/api/v1/reports", json!({"data": {"type": "report/watchlist", "attributes": {"report-template-id": "rptp_nope", "query": {"term": "x y"}}}}))
        .await;
    assert_eq!(unknown_template.status, 404);
    assert_eq!(api.get("/api/v1/reports/rep_nope").await.status, 404);
    assert_eq!(
        api.get("/api/v1/reports/rep_nope/matches").await.status,
        404
    );
    assert_eq!(
        api.get("/api/v1/reports?filter[status]=x").await.status,
        400
    );
}

/// The shared sanctions data, or `None` (recorded as a skip of `what`) when it is absent.
fn sanctions_or_skip(what: &str) -> Option<std::path::PathBuf> {
    let sanctions = conformance::shared_dir().join("data/sanctions");
    if sanctions.is_dir() {
        return Some(sanctions);
    }
    crate::common::skip::skipped(
        what,
        &format!("{} is absent; set VIGIL_SHARED_DIR", sanctions.display()),
    );
    None
}

/// An account for a person on the OFAC and UN lists.
async fn listed_person(api: &Client) -> String {
    api.create_account(
        json!({"name-first": "Usama", "name-last": "bin Ladin", "birthdate": "1957-03-10"}),
    )
    .await
    .id()
}

/// `vigil import sanctions` into `server`'s storage, running or not; its output.
fn import_sanctions(server: &Server, format: &str, path: &std::path::Path) -> String {
    let output = crate::common::vigil_on(&server.data_dir)
        .args(["import", "sanctions", "--data-dir"])
        .arg(&server.data_dir)
        .args(["--format", format])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(stdout.contains("loaded"), "{stdout}");
    stdout
}

/// A list loaded while no server ran (a nightly job during maintenance), or while this
/// server only followed and another led: whoever leads next re-screens against it.
#[tokio::test]
async fn sanctions_loaded_while_the_server_was_down_are_screened_when_it_starts() {
    let Some(sanctions) =
        sanctions_or_skip("re-screening at start against a list loaded while the server was down")
    else {
        return;
    };
    let mut server = Server::start();
    let _temp = server.take_tempdir();
    let account = listed_person(&server.client()).await;
    assert!(server.terminate().success());
    import_sanctions(&server, "un", &sanctions.join("un/UN_consolidated.xml"));
    let key = server.sandbox_key.clone();
    let server = Server::spawn(&server.data_dir, &[]);
    reports_when(&server.client_with_key(&key), &account, |r| {
        r.first()
            .map(|r| r["attributes"]["matched-lists"].to_string())
            .unwrap_or_default()
            .contains("un-consolidated")
    })
    .await;
}

#[tokio::test]
async fn sanctions_loaded_beside_a_running_server_flag_monitored_accounts() {
    let Some(sanctions) = sanctions_or_skip("loading real sanctions lists beside a running server")
    else {
        return;
    };
    let server = Server::start();
    let api = server.client();
    let account = listed_person(&api).await;
    for (format, path) in [
        ("ofac", sanctions.join("ofac")),
        ("un", sanctions.join("un/UN_consolidated.xml")),
    ] {
        import_sanctions(&server, format, &path);
    }
    let reports = reports_when(&api, &account, |r| {
        let lists = r
            .first()
            .map(|r| r["attributes"]["matched-lists"].to_string())
            .unwrap_or_default();
        lists.contains("ofac-sdn") && lists.contains("un-consolidated")
    })
    .await;
    assert_eq!(
        reports[0]["attributes"]["matched-lists"][0]["list-type"],
        "sanction"
    );

    // A year of birth far from the listed ones rules the match out.
    let young = api
        .post("/api/v1/reports", json!({"data": {"type": "report/watchlist", "attributes": {"query": {"term": "Usama bin Ladin", "birthdate": "1990-01-01"}}}}))
        .await;
    let entities = young.attr("matched-lists").to_string();
    assert!(!entities.contains("BIN LADIN, Usama"), "{entities}");
    let adult = api
        .post("/api/v1/reports", json!({"data": {"type": "report/watchlist", "attributes": {"query": {"term": "Usama bin Ladin", "birthdate": "1957-06-01"}}}}))
        .await;
    assert!(adult
        .attr("matched-lists")
        .to_string()
        .contains("BIN LADIN, Usama"));

    // The UN list's names in their own script are screened: a query in Arabic letters
    // finds the person, in the list's Arabic or its Latin spelling.
    let arabic = api
        .post("/api/v1/reports", json!({"data": {"type": "report/watchlist", "attributes": {"query": {"term": "صدام حسين التكريتي"}}}, "meta": {"auto-create-account": false}}))
        .await;
    let entities = arabic.attr("matched-lists").to_string();
    assert!(entities.contains("SADDAM HUSSEIN AL-TIKRITI"), "{entities}");
}

/// Invisible code points (zero-width spaces, U+180E, word joiners, soft hyphens) cannot
/// hide a name from screening, whichever side carries them: the query, the account or the
/// list item.
#[tokio::test]
async fn invisible_characters_do_not_hide_a_name() {
    let server = Server::start();
    let api = server.client();
    let names = api.create_list("names", "Known fraudsters").await;
    api.add_list_item(
        "names",
        &names,
        json!({"name-first": "Vladimir", "name-last": "Imposterov"}),
    )
    .await;
    api.add_list_item(
        "names",
        &names,
        json!({"name-first": "Ol\u{200d}ga", "name-last": "Fal\u{2060}sova"}),
    )
    .await;
    for term in [
        "Vla\u{200b}dimir Impos\u{200b}terov",
        "Vla\u{180e}dimir Imp\u{feff}osterov",
        "Vla\u{ad}dimir Imposte\u{200c}rov",
    ] {
        let report = api
            .post("/api/v1/reports", json!({"data": {"type": "report/watchlist", "attributes": {"query": {"term": term}}}, "meta": {"auto-create-account": false}}))
            .await;
        assert_eq!(report.status, 201, "{:?}", report.body);
        assert_eq!(report.attr("has-match"), true, "{term:?}");
    }
    let account = api
        .create_account(json!({"name-first": "Olga", "name-last": "Falsova"}))
        .await
        .id();
    let reports = reports_when(&api, &account, has_match).await;
    assert_eq!(
        reports[0]["attributes"]["matched-lists"][0]["entities"][0]["name"],
        "Ol\u{200d}ga Fal\u{2060}sova"
    );
}

#[tokio::test]
async fn one_hit_is_dismissed_by_its_id_and_the_others_stay() {
    let server = Server::start();
    let api = server.client();
    let names = api.create_list("names", "Watch").await;
    for (first, last) in [("Maria", "Gonzalez"), ("Maria", "Gonzales")] {
        api.add_list_item(
            "names",
            &names,
            json!({"name-first": first, "name-last": last}),
        )
        .await;
    }
    let created = api
        .post(
            "/api/v1/reports",
            json!({"data": {"type": "report/watchlist", "attributes": {
                "query": {"name-first": "Maria", "name-last": "Gonzalez"}
            }}}),
        )
        .await;
    let id = created.id();
    let matches = api.get(&format!("/api/v1/reports/{id}/matches")).await;
    let hits = matches.body["data"].as_array().unwrap().clone();
    assert_eq!(hits.len(), 2, "{}", matches.body);
    let dismiss = |attributes: serde_json::Value| {
        let api = api.clone();
        let id = id.clone();
        async move {
            api.post(
                &format!("/api/v1/reports/{id}/dismiss"),
                json!({"data": {"attributes": attributes}}),
            )
            .await
        }
    };
    // A match that is not on the report, a type watchlist reports do not have, and an
    // entity without its id are refused by name; nothing is dismissed.
    let unknown =
        dismiss(json!({"reason": "x", "dismiss-type": "entity", "entity-id": "lsti_nope"})).await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    assert!(unknown.details().contains("entity-id"), "{}", unknown.body);
    let media = dismiss(json!({"reason": "x", "dismiss-type": "media", "entity-id": "x"})).await;
    assert_eq!(media.status, 422);
    assert_eq!(
        media.body["errors"][0]["source"]["pointer"],
        "/data/attributes/dismiss-type"
    );
    let bare = dismiss(json!({"reason": "x", "dismiss-type": "entity"})).await;
    assert_eq!(bare.status, 400);
    // The spelling variant is a different person: dismiss that one hit only.
    let variant = hits
        .iter()
        .find(|h| h["attributes"]["entity-name"] == "Maria Gonzales")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let one = dismiss(json!({"reason": "different spelling, different person", "dismiss-type": "entity", "entity-id": variant})).await;
    assert_eq!(one.status, 200, "{}", one.body);
    assert_eq!(one.attr("has-match"), true, "the other hit stays");
    assert_eq!(one.attr("ignore-list").as_array().unwrap().len(), 1);
    let after = api.get(&format!("/api/v1/reports/{id}/matches")).await;
    let dismissed: Vec<(String, bool)> = after.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["attributes"]["entity-name"].as_str().unwrap().to_string(),
                h["attributes"]["dismissed"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(
        dismissed.contains(&("Maria Gonzales".into(), true)),
        "{dismissed:?}"
    );
    assert!(
        dismissed.contains(&("Maria Gonzalez".into(), false)),
        "{dismissed:?}"
    );
}

/// An account for Dragomir Stanchev, whom the FollowTheMoney tests list; its id.
async fn dragomir_stanchev(api: &Client) -> String {
    let body = json!({"name-first": "Dragomir", "name-last": "Stanchev"});
    api.create_account(body).await.id()
}

/// FollowTheMoney `entities` (JSON lines) written to `file` and imported into `server`'s
/// storage; the import's output.
fn import_ftm(server: &Server, file: &std::path::Path, entities: &str) -> String {
    std::fs::write(file, entities).unwrap();
    import_sanctions(server, "ftm", file)
}

/// `vigil import sanctions --format ftm`: OpenSanctions' FollowTheMoney entities, one per
/// line, in a file of our own making. A monitored account is flagged, and when a newer
/// file no longer lists the person (delisted), re-importing it clears the match.
#[tokio::test]
async fn a_followthemoney_dataset_is_screened_and_a_delisting_clears_the_match() {
    let server = Server::start();
    let api = server.client();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sanctions.ftm.json");
    let listed = r#"{"id": "t-1", "schema": "Person", "target": true, "datasets": ["test"], "properties": {"name": ["Dragomir Velikov Stanchev"], "alias": ["Драгомир Станчев", "Dragan Velkov"], "birthDate": ["1961-04"], "nationality": ["bg"]}}
{"id": "t-2", "schema": "Company", "target": true, "properties": {"name": ["Velikov Shipping Limited Liability Company"]}}
{"id": "a-1", "schema": "Address", "properties": {"full": ["1 Main Street"]}}
"#;
    let account = dragomir_stanchev(&api).await;
    let output = import_ftm(&server, &file, listed);
    assert!(output.contains("2 added, 0 delisted"), "{output}");
    let reports = reports_when(&api, &account, |r| {
        r.first()
            .map(|r| r["attributes"]["matched-lists"].to_string())
            .unwrap_or_default()
            .contains("ftm-sanctions")
    })
    .await;
    assert_eq!(reports[0]["attributes"]["has-match"], true);

    // An alias is screened too; the company's legal form written out matches it
    // abbreviated; a query in Cyrillic finds the person.
    for term in ["Dragan Velkov", "Velikov Shipping LLC", "Драгомир Станчев"] {
        let report = api
            .post("/api/v1/reports", json!({"data": {"type": "report/watchlist", "attributes": {"query": {"term": term}}}, "meta": {"auto-create-account": false}}))
            .await;
        assert_eq!(report.status, 201, "{:?}", report.body);
        assert!(
            report
                .attr("matched-lists")
                .to_string()
                .contains("ftm-sanctions"),
            "{term}: {:?}",
            report.body
        );
    }

    // A partial birthdate (a year, or a year and month) rules a match in or out by year;
    // Persona's `birthdate` holds only whole dates, so the response leaves it null.
    for (birthdate, listed) in [("1961", true), ("1961-04", true), ("1990", false)] {
        let report = api
            .post("/api/v1/reports", json!({"data": {"type": "report/watchlist", "attributes": {"query": {"term": "Dragomir Stanchev", "birthdate": birthdate}}}, "meta": {"auto-create-account": false}}))
            .await;
        assert_eq!(report.status, 201, "{:?}", report.body);
        assert_eq!(report.attr("birthdate"), &Value::Null);
        assert_eq!(
            report
                .attr("matched-lists")
                .to_string()
                .contains("Dragomir"),
            listed,
            "{birthdate}: {:?}",
            report.body
        );
    }
    let bad = api
        .post("/api/v1/reports", json!({"data": {"type": "report/watchlist", "attributes": {"query": {"term": "Dragomir Stanchev", "birthdate": "1961-13"}}}}))
        .await;
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    assert_eq!(
        bad.body["errors"][0]["source"]["pointer"],
        "/data/attributes/query/birthdate"
    );

    // Delisted: the newer file no longer has the person.
    let output = import_ftm(&server, &file, listed.lines().nth(1).unwrap());
    assert!(output.contains("0 added, 1 delisted"), "{output}");
    assert!(
        output.contains("delisted t-1: Dragomir Velikov Stanchev"),
        "{output}"
    );
    reports_when(&api, &account, |r| {
        !r.iter().any(|r| {
            r["attributes"]["matched-lists"]
                .to_string()
                .contains("Dragomir")
        })
    })
    .await;
    let report = api
        .post("/api/v1/reports", json!({"data": {"type": "report/watchlist", "attributes": {"query": {"term": "Dragomir Stanchev"}}}, "meta": {"auto-create-account": false}}))
        .await;
    assert!(
        !report
            .attr("matched-lists")
            .to_string()
            .contains("Dragomir"),
        "{:?}",
        report.body
    );

    // A file that is not FollowTheMoney is refused, naming the line.
    std::fs::write(&file, "{\"id\": \"x\", \"schema\": \"Person\"}\nnot json\n").unwrap();
    let output = crate::common::vigil_on(&server.data_dir)
        .args(["import", "sanctions", "--data-dir"])
        .arg(&server.data_dir)
        .args(["--format", "ftm"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("line 2"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `--screening-threads` (how many threads one screening may use): a server given one
/// screens a monitored account against a list loaded beside it, as one with the default
/// does; none, or more than 64, is refused, naming the flag.
#[tokio::test]
async fn one_screening_thread_screens_and_a_count_out_of_range_is_refused() {
    let server = Server::start_with(&["--screening-threads", "1"]);
    let api = server.client();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sanctions.ftm.json");
    let listed = r#"{"id": "t-1", "schema": "Person", "target": true, "properties": {"name": ["Dragomir Velikov Stanchev"]}}
"#;
    let account = dragomir_stanchev(&api).await;
    let output = import_ftm(&server, &file, listed);
    assert!(output.contains("1 added, 0 delisted"), "{output}");
    let reports = reports_when(&api, &account, has_match).await;
    assert!(
        reports[0]["attributes"]["matched-lists"]
            .to_string()
            .contains("ftm-sanctions"),
        "{reports:?}"
    );

    for count in ["0", "65"] {
        let refused = std::process::Command::new(crate::common::BIN)
            // An address no server can bind: a count wrongly accepted fails there, not
            // by serving forever.
            .args(["serve", "--listen", "nowhere", "--screening-threads", count])
            .arg("--data-dir")
            .arg(dir.path().join("refused"))
            .output()
            .unwrap();
        assert!(!refused.status.success(), "{count} was accepted");
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(said.contains("--screening-threads"), "{count}: {said}");
    }
}
