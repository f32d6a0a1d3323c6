//! The review console: its routes over HTTP (sign-in required, CSRF on every form, security
//! headers), and the whole reviewer's journey in a real Chromium (`tests/browser/console.mjs`):
//! the API then shows what the reviewer did, with her as the actor, and a webhook receiver
//! got `case.resolved`.

use std::path::Path;
use std::time::Duration;

use serde_json::json;

use crate::common::receiver::Receiver;
use crate::common::{browser, run_browser_script, skip, Client, Server};

const PASSWORD: &str = "correct horse battery";

/// Invite `email` as `role` with the admin key; the invitation link.
async fn invite(api: &Client, email: &str, role: &str) -> String {
    let invited = api
        .post(
            "/api/v1/users",
            json!({"data": {"attributes": {"email-address": email, "role": role}}}),
        )
        .await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    invited.body["meta"]["invitation-url"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_reviewer_works_cases_in_a_real_browser() {
    let chromium = match browser(&["playwright-core", "axe-core"]) {
        Ok(path) => path,
        Err(why) => {
            skip::skipped("the review console in Chromium", &why);
            return;
        }
    };
    let server = Server::start_with(&["--allow-private-webhooks"]);
    let api = server.client();
    let receiver = Receiver::start().await;
    let hook = api
        .post(
            "/api/v1/webhooks",
            json!({"data": {"attributes": {"url": receiver.url, "enabled-events": ["case.resolved"]}}}),
        )
        .await;
    assert_eq!(hook.status, 201, "{}", hook.body);
    api.post(&format!("/api/v1/webhooks/{}/enable", hook.id()), json!({}))
        .await;
    let list = api.create_list("names", "Known fraudsters").await;
    for (first, last) in [
        ("Joe", "Imposter"),
        ("Maria", "Gonzalez"),
        ("Maria", "Gonzales"),
        ("Ivan", "Petrov"),
    ] {
        let item = api
            .post(
                "/api/v1/list-item/names",
                json!({"data": {"attributes": {"list-id": list, "name-first": first, "name-last": last}}}),
            )
            .await;
        assert_eq!(item.status, 201, "{}", item.body);
    }
    // Three people sign up, each matching the list: the rule opens a case for each, in order.
    let mut cases = Vec::new();
    for (first, last) in [
        ("Joe", "Imposter"),
        ("Maria", "Gonzales"),
        ("Ivan", "Petrov"),
    ] {
        let account = api
            .create_account(json!({"name-first": first, "name-last": last}))
            .await
            .id();
        cases.push(api.first_case_of(&account).await);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Case C's person sent an ID photo and a bank statement with an inquiry, now on the
    // case: the case page shows them (the viewer's part of the journey).
    let template = api.get("/api/v1/inquiry-templates").await.ids()[0].clone();
    let account_c = cases[2]["relationships"]["accounts"]["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let inquiry = api
        .post(
            "/api/v1/inquiries",
            json!({"data": {"attributes": {"inquiry-template-id": template, "account-id": account_c}}}),
        )
        .await
        .id();
    // A one-page PDF saying "Bank statement" (made by hand, with its cross-reference table).
    const STATEMENT: &str = "JVBERi0xLjQKMSAwIG9iago8PCAvVHlwZSAvQ2F0YWxvZyAvUGFnZXMgMiAwIFIgPj4KZW5kb2JqCjIgMCBvYmoKPDwgL1R5cGUgL1BhZ2VzIC9LaWRzIFszIDAgUl0gL0NvdW50IDEgPj4KZW5kb2JqCjMgMCBvYmoKPDwgL1R5cGUgL1BhZ2UgL1BhcmVudCAyIDAgUiAvTWVkaWFCb3ggWzAgMCAzMDAgMTQ0XSAvQ29udGVudHMgNCAwIFIgL1Jlc291cmNlcyA8PCAvRm9udCA8PCAvRjEgNSAwIFIgPj4gPj4gPj4KZW5kb2JqCjQgMCBvYmoKPDwgL0xlbmd0aCA0NCA+PgpzdHJlYW0KQlQgL0YxIDE4IFRmIDIwIDcwIFRkIChCYW5rIHN0YXRlbWVudCkgVGogRVQKZW5kc3RyZWFtCmVuZG9iago1IDAgb2JqCjw8IC9UeXBlIC9Gb250IC9TdWJ0eXBlIC9UeXBlMSAvQmFzZUZvbnQgL0hlbHZldGljYSA+PgplbmRvYmoKeHJlZgowIDYKMDAwMDAwMDAwMCA2NTUzNSBmIAowMDAwMDAwMDA5IDAwMDAwIG4gCjAwMDAwMDAwNTggMDAwMDAgbiAKMDAwMDAwMDExNSAwMDAwMCBuIAowMDAwMDAwMjQxIDAwMDAwIG4gCjAwMDAwMDAzMzUgMDAwMDAgbiAKdHJhaWxlcgo8PCAvU2l6ZSA2IC9Sb290IDEgMCBSID4+CnN0YXJ0eHJlZgo0MDUKJSVFT0YK";
    // A real 1x1 PNG, so the browser draws it.
    const PIXEL: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
    for (kind, file) in [
        (
            "government_id",
            json!({"data": PIXEL, "filename": "front.png"}),
        ),
        (
            "proof_of_address",
            json!({"data": STATEMENT, "filename": "statement.pdf"}),
        ),
    ] {
        let document = api
            .post(
                "/api/v1/document/generics",
                json!({"data": {"attributes": {"inquiry-id": inquiry, "kind": kind, "file": file}}}),
            )
            .await;
        assert_eq!(document.status, 201, "{}", document.body);
    }
    let attached = api
        .post(
            &format!(
                "/api/v1/cases/{}/add-objects",
                cases[2]["id"].as_str().unwrap()
            ),
            json!({"meta": {"object-ids": [inquiry]}}),
        )
        .await;
    assert_eq!(attached.status, 200, "{}", attached.body);
    let reviewer = "rita@example.com";
    let made = crate::common::vigil_on(&server.data_dir)
        .args([
            "users",
            "create",
            "--email",
            "ada@example.com",
            "--role",
            "admin",
        ])
        .arg("--data-dir")
        .arg(&server.data_dir)
        .args(["--public-url", &server.base])
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let admin_link = String::from_utf8(made.stdout).unwrap().trim().to_string();
    // An account action to run from the account page, and two accounts sharing an email.
    let action = crate::common::vigil_on(&server.data_dir)
        .args([
            "actions",
            "create",
            "--name",
            "Suspend",
            "--kind",
            "set-status",
        ])
        .arg("--data-dir")
        .arg(&server.data_dir)
        .output()
        .unwrap();
    assert!(action.status.success());
    let mut twins = Vec::new();
    for first in ["Dana", "Danna"] {
        let made = api
            .create_account(json!({"name-first": first, "name-last": "Twin", "email-address": "twin@example.com"}))
            .await;
        assert_eq!(made.status, 201, "{}", made.body);
        twins.push(made.id());
    }
    // Dana Twin works for a firm (a relation the account page shows), and a list of
    // places to add one to by hand.
    let firm = api
        .create_account(json!({"name-first": "Twin Holdings"}))
        .await
        .id();
    let related = api
        .post(
            &format!("/api/v1/accounts/{}/add-relation", twins[0]),
            json!({"meta": {"relation-schema-key": "employer", "target-object-id": firm}}),
        )
        .await;
    assert_eq!(related.status, 200, "{}", related.body);
    let places = api
        .post(
            "/api/v1/list/geolocations",
            json!({"data": {"attributes": {"name": "Fraud hot spots"}}}),
        )
        .await;
    assert_eq!(places.status, 201, "{}", places.body);
    let setup = json!({
        "admin": {"email": "ada@example.com", "invitation": admin_link},
        "base": server.base,
        "key": server.sandbox_key,
        "chromium": chromium,
        "password": PASSWORD,
        "screenshots": Path::new(env!("CARGO_TARGET_TMPDIR")).join("console-screenshots"),
        "reviewer": {"email": reviewer},
        "viewer": {"email": "vic@example.com", "invitation": invite(&api, "vic@example.com", "viewer").await},
        "caseA": {"id": cases[0]["id"], "name": cases[0]["attributes"]["name"]},
        "caseB": {"id": cases[1]["id"]},
        "caseC": {"id": cases[2]["id"]},
        "twins": twins,
    });
    run_browser_script("console.mjs", "VIGIL_CONSOLE_SETUP", setup).await;
    // What she did is in the API, in her name.
    let case_a = cases[0]["id"].as_str().unwrap();
    let decided = api.get(&format!("/api/v1/cases/{case_a}")).await;
    assert_eq!(decided.attr("status"), "Declined");
    assert_eq!(decided.attr("assignee-id"), reviewer);
    let resolved = api
        .get(&format!(
            "/api/v1/events?filter[object-id]={case_a}&filter[name]=case.resolved"
        ))
        .await;
    let actor = &resolved.body["data"][0]["attributes"]["context"]["actor"];
    assert_eq!(actor["type"], "user", "{}", resolved.body);
    assert_eq!(actor["name"], "Rita Reviewer");
    let comments = api.get(&format!("/api/v1/cases/{case_a}/comments")).await;
    assert!(comments
        .body
        .to_string()
        .contains("Same name and birth year"));
    // The account she tagged, in her name.
    let account = cases[0]["relationships"]["accounts"]["data"][0]["id"]
        .as_str()
        .unwrap();
    let tagged = api.get(&format!("/api/v1/accounts/{account}")).await;
    // The rule's tag, the decision's (the template's action on a decline), and hers.
    assert_eq!(
        tagged.attr("tags"),
        &json!(["watchlist-match", "declined", "fraud-confirmed"])
    );
    let tag_event = api
        .get(&format!(
            "/api/v1/events?filter[object-id]={account}&filter[name]=account.tag-added"
        ))
        .await;
    assert_eq!(
        tag_event.body["data"][0]["attributes"]["context"]["actor"]["name"],
        "Rita Reviewer"
    );
    // Case B's report: dismissed, by her.
    let report = cases[1]["relationships"]["reports"]["data"][0]["id"]
        .as_str()
        .unwrap();
    let dismissed = api.get(&format!("/api/v1/reports/{report}")).await;
    assert_eq!(dismissed.attr("has-match"), false);
    // One hit dismissed alone, with its own reason, then the rest.
    let reasons: Vec<&str> = dismissed
        .attr("ignore-list")
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["ignore-reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(
        reasons.contains(&"Different spelling and birth year"),
        "{reasons:?}"
    );
    assert_eq!(
        dismissed.attr("ignore-list")[0]["user"],
        "Rita Reviewer",
        "{}",
        dismissed.body
    );
    // The viewer's forged decision changed nothing.
    let untouched = api
        .get(&format!(
            "/api/v1/cases/{}",
            cases[2]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(untouched.attr("status"), "open");
    // ...and her batch assignment is hers.
    assert_eq!(untouched.attr("assignee-id"), reviewer);
    // The admin's account work: suspended, the twin merged in, then redacted.
    let kept = api.get(&format!("/api/v1/accounts/{}", twins[0])).await;
    assert_eq!(kept.attr("account-status"), "suspended");
    assert!(!kept.attr("redacted-at").is_null());
    let merged = api
        .get(&format!(
            "/api/v1/events?filter[object-id]={}&filter[name]=account.consolidated-with",
            twins[0]
        ))
        .await;
    let actor = &merged.body["data"][0]["attributes"]["context"]["actor"];
    assert_eq!(actor["type"], "user", "{}", merged.body);
    assert_eq!(
        actor["id"].as_str().map(|id| id.starts_with("user_")),
        Some(true)
    );
    // A webhook receiver heard the decision.
    let got = receiver
        .until(|r| {
            r.iter()
                .any(|d| d.json()["data"]["attributes"]["name"] == "case.resolved")
        })
        .await;
    assert!(got
        .iter()
        .any(|d| d.json()["data"]["attributes"]["payload"]["data"]["id"] == case_a));
}

/// A console page request with the given cookie (raw HTTP: the console is not the API).
async fn console_get(server: &Server, path: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}{path}", server.base));
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    request.send().await.unwrap()
}

/// A signed-in console session's cookie and CSRF token, through the sign-in form.
async fn signed_in(server: &Server, email: &str, role: &str) -> (String, String) {
    let link = invite(&server.client(), email, role).await;
    let token = link.rsplit('/').next().unwrap();
    let accepted = server
        .client()
        .without_key()
        .post(
            "/api/v1/user-invitations/accept",
            json!({"data": {"attributes": {"token": token, "password": PASSWORD}}}),
        )
        .await;
    assert_eq!(accepted.status, 200);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = http
        .get(format!("{}/login", server.base))
        .send()
        .await
        .unwrap();
    let login_cookie = form
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = login_cookie.split_once('=').unwrap().1.to_string();
    let posted = http
        .post(format!("{}/login", server.base))
        .header("Cookie", &login_cookie)
        .header("User-Agent", "person-browser/1.0")
        // Only the console may say whose address a request is from; a browser's own
        // claim is dropped.
        .header("X-Vigil-Person-Address", "203.0.113.9")
        .form(&[("email", email), ("password", PASSWORD), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 303);
    let session = posted
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("vigil_session="))
        .expect("a session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"));
    let cookie = session.split(';').next().unwrap().to_string();
    let page = console_get(server, "/sandbox/cases", Some(&cookie)).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a form with a token") + marker.len();
    let token = html[start..start + 32].to_string();
    (cookie, token)
}

#[tokio::test]
async fn console_pages_need_a_session_and_forms_need_their_token() {
    let server = Server::start();
    // Every page sends a stranger to the sign-in page, and back after.
    for path in ["/", "/sandbox/cases", "/production/cases/case_x"] {
        let page = console_get(&server, path, None).await;
        assert_eq!(page.status(), 303, "{path}");
        let to = page.headers()["location"].to_str().unwrap();
        assert!(
            to == "/sandbox/cases" || to.starts_with("/login?next=%2F"),
            "{path} → {to}"
        );
    }
    let login = console_get(&server, "/login", None).await;
    let headers = login.headers();
    assert!(headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["cache-control"], "no-store");
    // A stale or forged session is no session.
    let forged = console_get(
        &server,
        "/sandbox/cases",
        Some("vigil_session=vigil_session_nope"),
    )
    .await;
    assert_eq!(forged.status(), 303);

    let (cookie, csrf) = signed_in(&server, "rev@example.com", "reviewer").await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let post = |path: &str, token: &str, site: &str| {
        http.post(format!("{}{path}", server.base))
            .header("Cookie", &cookie)
            .header("Sec-Fetch-Site", site)
            .form(&[
                ("csrf", token),
                ("message", "hello"),
                ("status", "Approved"),
                ("reason", "not them"),
                ("case_id", "case_x"),
                ("email", "new@example.com"),
                ("role", "admin"),
                ("action", "role"),
                ("tag", "x"),
                ("action_id", "accac_x"),
                ("source", "act_y"),
                ("typed", "act_x"),
                ("turn", "off"),
                ("kind", "names"),
                ("name", "x"),
            ])
    };
    // Without the token, with another session's, or from another site: refused, nothing done.
    for (token, site) in [
        ("", "same-origin"),
        ("0123456789abcdef0123456789abcdef", "same-origin"),
        (csrf.as_str(), "cross-site"),
    ] {
        for path in [
            "/sandbox/cases/next",
            "/sandbox/cases/batch",
            "/sandbox/cases/case_x/comment",
            "/sandbox/cases/case_x/decide",
            "/sandbox/cases/case_x/assign",
            "/sandbox/reports/rep_x/dismiss",
            "/sandbox/settings/users",
            "/sandbox/settings/users/user_x",
            "/sandbox/settings/templates/ctmpl_x",
            "/sandbox/settings/queues",
            "/sandbox/settings/security",
            "/sandbox/me/two-factor",
            "/sandbox/webhooks/wbh_x",
            "/sandbox/settings/keys",
            "/sandbox/lists",
            "/sandbox/lists/lst_x",
            "/sandbox/settings/rules/frule_x",
            "/sandbox/accounts/act_x/tags",
            "/sandbox/accounts/act_x/action",
            "/sandbox/accounts/act_x/consolidate",
            "/sandbox/accounts/act_x/redact",
            "/logout",
        ] {
            let refused = post(path, token, site).send().await.unwrap();
            assert_eq!(refused.status(), 403, "{path} with `{token}` from {site}");
        }
    }
    // With it, the form acts (no case is waiting: back to the inbox, saying so).
    let next = post("/sandbox/cases/next", &csrf, "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(next.status(), 303);
    assert_eq!(next.headers()["location"], "/sandbox/cases?notice=empty");
    // A reviewer does not manage users: the page says so, and the API refused her.
    let settings = console_get(&server, "/sandbox/settings/users", Some(&cookie)).await;
    assert_eq!(settings.status(), 403);
    assert!(settings.text().await.unwrap().contains("user.read"));
    let audit = console_get(&server, "/sandbox/settings/audit-log", Some(&cookie)).await;
    assert_eq!(audit.status(), 403);
    // Unknown pages and environments are the console's not-found page.
    let missing = console_get(&server, "/staging/cases", Some(&cookie)).await;
    assert_eq!(missing.status(), 404);
    // An analyst investigates but cannot decide: a forged batch resolution is refused by
    // the API, and the case stays open.
    let api = server.client();
    let template = api.get("/api/v1/case-templates").await.ids()[0].clone();
    let case = api
        .post(
            "/api/v1/cases",
            json!({"data": {"attributes": {"case-template-id": template}}}),
        )
        .await
        .id();
    let (analyst, analyst_csrf) = signed_in(&server, "ana@example.com", "analyst").await;
    let forged = http
        .post(format!("{}/sandbox/cases/batch", server.base))
        .header("Cookie", &analyst)
        .form(&[
            ("csrf", analyst_csrf.as_str()),
            ("action", "resolve"),
            ("resolution", "Approved"),
            ("confirmed", "yes"),
            ("case", case.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let still = api.get(&format!("/api/v1/cases/{case}")).await;
    assert_eq!(still.body["data"]["attributes"]["status"], "open");
    // Her inbox offers no resolution at all.
    let inbox = console_get(&server, "/sandbox/cases?view=open", Some(&analyst)).await;
    let html = inbox.text().await.unwrap();
    assert!(html.contains("Assign to me") && !html.contains("Resolve…"));
    // The audit log names the person's browser, not the console's HTTP client; a
    // forwarded address sent straight to the API, without the console's secret, is
    // ignored.
    let sign_ins = api.get("/api/v1/user-audit-logs").await;
    let entries = sign_ins.body["data"].as_array().unwrap();
    let signed_in_entry = entries
        .iter()
        .find(|e| e["attributes"]["context"]["action"] == "sign-in")
        .expect("a sign-in entry");
    assert_eq!(
        signed_in_entry["attributes"]["user-agent"], "person-browser/1.0",
        "{signed_in_entry}"
    );
    assert_eq!(signed_in_entry["attributes"]["ip-address"], "127.0.0.1");
    let direct = server
        .client()
        .without_key()
        .with_header("Vigil-Forwarded-Secret", "guess")
        .with_header("Vigil-Forwarded-For", "203.0.113.9")
        .post(
            "/api/v1/user-sessions",
            json!({"data": {"attributes": {"email-address": "rev@example.com", "password": "wrong password here"}}}),
        )
        .await;
    assert_eq!(direct.status, 401);
    let failed = api.get("/api/v1/user-audit-logs").await;
    assert!(!failed.body.to_string().contains("203.0.113.9"));
    // Signing out ends the session in the API too.
    let out = post("/logout", &csrf, "same-origin").send().await.unwrap();
    assert_eq!(out.status(), 303);
    let after = console_get(&server, "/sandbox/cases", Some(&cookie)).await;
    assert_eq!(after.status(), 303);
}

#[tokio::test]
async fn an_account_page_shows_related_accounts_and_search_finds_id_numbers() {
    let server = Server::start();
    let api = server.client();
    let owner = api
        .create_account(json!({"reference-id": "owner", "name-first": "Olga", "name-last": "Petrova",
            "fields": {"identification_numbers": [{"identification_class": "pp", "identification_number": "P-4431", "issuing_country": "DE"}]}}))
        .await
        .id();
    let mut firms = Vec::new();
    for name in ["Acme", "Globex"] {
        let firm = api
            .create_account(json!({"reference-id": name, "name-first": name}))
            .await
            .id();
        let added = api
            .post(
                &format!("/api/v1/accounts/{owner}/add-relation"),
                json!({"meta": {"relation-schema-key": "beneficial_owner_of", "target-object-id": firm}}),
            )
            .await;
        assert_eq!(added.status, 200, "{}", added.body);
        firms.push(firm);
    }
    let (cookie, _) = signed_in(&server, "viewer@example.com", "viewer").await;
    let page = console_get(
        &server,
        &format!("/sandbox/accounts/{owner}"),
        Some(&cookie),
    )
    .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let related = &html[html
        .find("Related accounts")
        .expect("a related accounts section")..];
    assert!(related.contains("beneficial_owner_of"), "{related}");
    for firm in &firms {
        assert!(
            related.contains(&format!("href=\"/sandbox/accounts/{firm}\"")),
            "{firm} is linked"
        );
    }
    // An account that relates to none has no such section.
    let firm_page = console_get(
        &server,
        &format!("/sandbox/accounts/{}", firms[0]),
        Some(&cookie),
    )
    .await;
    assert!(!firm_page.text().await.unwrap().contains("Related accounts"));
    // The search box finds an account by a government id number.
    let found = console_get(&server, "/sandbox/accounts?q=P-4431", Some(&cookie)).await;
    let html = found.text().await.unwrap();
    assert!(
        html.contains(&format!("href=\"/sandbox/accounts/{owner}\"")),
        "{html}"
    );
    let missed = console_get(&server, "/sandbox/accounts?q=P-4432", Some(&cookie)).await;
    assert!(!missed.text().await.unwrap().contains(&owner));
}

#[tokio::test]
async fn an_admin_adds_a_geolocation_to_a_list_by_hand() {
    let server = Server::start();
    let api = server.client();
    let list = api
        .post(
            "/api/v1/list/geolocations",
            json!({"data": {"attributes": {"name": "Fraud hot spots"}}}),
        )
        .await;
    assert_eq!(list.status, 201, "{}", list.body);
    let list = list.id();
    let (cookie, csrf) = signed_in(&server, "admin@example.com", "admin").await;
    let page = console_get(&server, &format!("/sandbox/lists/{list}"), Some(&cookie)).await;
    let html = page.text().await.unwrap();
    assert!(html.contains("name=\"latitude\"") && html.contains("name=\"radius_meters\""));
    let http = reqwest::Client::new();
    let add = |latitude: &'static str| {
        http.post(format!("{}/sandbox/lists/{list}", server.base))
            .header("Cookie", &cookie)
            .header("Sec-Fetch-Site", "same-origin")
            .form(&[
                ("csrf", csrf.as_str()),
                ("action", "add"),
                ("latitude", latitude),
                ("longitude", "13.405"),
                ("radius_meters", "500"),
            ])
            .send()
    };
    let added = add("52.52").await.unwrap();
    assert!(added.status().is_success(), "{}", added.status());
    let items = api.get(&format!("/api/v1/lists/{list}/items")).await;
    assert_eq!(items.ids().len(), 1, "{}", items.body);
    assert_eq!(items.body["data"][0]["attributes"]["latitude"], 52.52);
    assert_eq!(items.body["data"][0]["attributes"]["radius-meters"], 500.0);
    // A latitude off the globe: the page says which field, and nothing is added.
    let refused = add("91").await.unwrap();
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("latitude"));
    let items = api.get(&format!("/api/v1/lists/{list}/items")).await;
    assert_eq!(items.ids().len(), 1);
}

#[tokio::test]
async fn an_admin_adds_a_case_queue_and_a_viewer_cannot() {
    let server = Server::start();
    let api = server.client();
    let (cookie, csrf) = signed_in(&server, "admin@example.com", "admin").await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let add = |cookie: String, csrf: String, name: &'static str| {
        http.post(format!("{}/sandbox/settings/queues", server.base))
            .header("Cookie", cookie)
            .header("Sec-Fetch-Site", "same-origin")
            .form(&[("csrf", csrf.as_str()), ("name", name)])
            .send()
    };
    let added = add(cookie.clone(), csrf.clone(), "Sanctions")
        .await
        .unwrap();
    assert_eq!(added.status(), 303);
    let queues = api.get("/api/v1/case-queues").await;
    assert_eq!(
        queues.body["data"][0]["attributes"]["name"], "Sanctions",
        "{}",
        queues.body
    );
    let page = console_get(
        &server,
        "/sandbox/settings/templates?queue=added",
        Some(&cookie),
    )
    .await;
    let html = page.text().await.unwrap();
    assert!(html.contains("Sanctions") && html.contains("The queue was added"));
    // A name is needed: the page says so and nothing is added.
    let unnamed = add(cookie, csrf, " ").await.unwrap();
    assert_eq!(unnamed.status(), 422);
    assert!(unnamed
        .text()
        .await
        .unwrap()
        .contains("A queue needs a name"));
    // A viewer sees the queues but has no form, and the API refuses her.
    let (viewer, viewer_csrf) = signed_in(&server, "vic@example.com", "viewer").await;
    let page = console_get(&server, "/sandbox/settings/templates", Some(&viewer)).await;
    assert!(!page.text().await.unwrap().contains("Add the queue"));
    let refused = add(viewer, viewer_csrf, "Mine").await.unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(api.get("/api/v1/case-queues").await.ids().len(), 1);
}

/// A case made for `inquiry`, as a viewer sees its page: the HTML, and the viewer's
/// session cookie.
async fn case_page_of(server: &Server, api: &Client, inquiry: &str) -> (String, String) {
    let case_template = api.get("/api/v1/case-templates").await.ids()[0].clone();
    let case = api
        .post(
            "/api/v1/cases",
            json!({"data": {"attributes": {"case-template-id": case_template}}, "meta": {"object-ids": [inquiry]}}),
        )
        .await;
    assert_eq!(case.status, 201, "{:?}", case.body);
    let (cookie, _) = signed_in(server, "viewer@example.com", "viewer").await;
    let page = console_get(
        server,
        &format!("/sandbox/cases/{}", case.id()),
        Some(&cookie),
    )
    .await;
    assert_eq!(page.status(), 200);
    (page.text().await.unwrap(), cookie)
}

#[tokio::test]
async fn a_case_page_shows_its_inquiries_verifications_and_their_checks() {
    let server = Server::start();
    let api = server.client();
    let account = api
        .create_account(
            json!({"name-first": "Jane", "name-last": "Doe", "birthdate": "1990-04-01"}),
        )
        .await
        .id();
    let template = api.default_inquiry_template().await;
    let inquiry = api
        .post(
            "/api/v1/inquiries",
            json!({"data": {"attributes": {"inquiry-template-id": template, "account-id": account,
                "fields": {"name-first": "Janet", "name-last": "Dorn", "birthdate": "1990-04-01"}}}}),
        )
        .await
        .id();
    let done = api
        .post(&format!("/api/v1/inquiries/{inquiry}/complete"), json!({}))
        .await;
    assert_eq!(done.attr("status"), "needs_review");
    let (html, _) = case_page_of(&server, &api, &inquiry).await;
    assert!(html.contains("Verification (database)"), "{html}");
    assert!(html.contains("account name comparison"));
    assert!(html.contains("partial match"));
    assert!(html.contains(r#"<td class="outcome-passed">passed</td>"#));
}

#[tokio::test]
async fn a_case_page_shows_the_id_photos_beside_their_checks() {
    use crate::id_steps::{
        hand_in_id, hand_in_selfie, jane, licence, person_on, selfie, template_with_steps,
    };
    let server = Server::start();
    let api = server.client();
    let template = template_with_steps(&api, json!({})).await;
    let account = api
        .create_account(json!({"name-first": "John", "name-last": "Example"}))
        .await
        .id();
    let (person, inquiry) = person_on(
        &server,
        &api,
        &template,
        Some(&account),
        json!({"name-first": "John", "name-last": "Example"}),
    )
    .await;
    let (front, back) = licence(&jane(), 70);
    let id = hand_in_id(&person, "dl", "US", &front, Some(&back)).await;
    assert_eq!(id.status, 201, "{:?}", id.body);
    assert_eq!(hand_in_selfie(&person, &selfie()).await.status, 201);
    let done = person
        .post("/api/v1/inquiry-flow/current/submit", json!({}))
        .await;
    assert_eq!(done.attr("status"), "needs_review");
    let (html, cookie) = case_page_of(&server, &api, &inquiry).await;
    assert!(html.contains("Verification (government id)"), "{html}");
    assert!(html.contains("id inquiry comparison"));
    assert!(html.contains("name mismatch"));
    assert!(
        html.contains("government ID: driver&#39;s licence")
            || html.contains("government ID: driver's licence"),
        "{html}"
    );
    // The photos, through the console's own address for document files, as images.
    let photo = html
        .split("<img src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no photo on the page: {html}"))
        .replace("&#x2f;", "/")
        .replace("&#47;", "/");
    assert!(photo.starts_with("/sandbox/documents/"), "{photo}");
    let image = console_get(&server, &photo, Some(&cookie)).await;
    assert_eq!(image.status(), 200);
    assert_eq!(image.bytes().await.unwrap().as_ref(), front.as_slice());
}
