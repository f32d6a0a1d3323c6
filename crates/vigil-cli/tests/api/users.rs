//! Console users through the API: an admin invites, the person accepts and signs in, and
//! their session acts through the same API as a key would, limited by their role, named as
//! the actor of what they change and written to Persona's user audit log.

use serde_json::json;

use crate::common::{Client, Server};

const PASSWORD: &str = "correct horse battery";

/// Invite `email` as `role` through the API (with the admin key); the invitation token.
async fn invite(admin: &Client, email: &str, role: &str) -> String {
    let invited = admin
        .post(
            "/api/v1/users",
            json!({"data": {"attributes": {"email-address": email, "role": role, "name": format!("{role} person")}}}),
        )
        .await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    let url = invited.body["meta"]["invitation-url"].as_str().unwrap();
    assert!(url.contains("/invitations/vigil_invite_"), "{url}");
    url.rsplit('/').next().unwrap().to_string()
}

async fn accept(server: &Server, token: &str, password: &str) -> crate::common::Response {
    server
        .client()
        .without_key()
        .post(
            "/api/v1/user-invitations/accept",
            json!({"data": {"attributes": {"token": token, "password": password}}}),
        )
        .await
}

async fn sign_in(server: &Server, email: &str, password: &str) -> crate::common::Response {
    server
        .client()
        .without_key()
        .post(
            "/api/v1/user-sessions",
            json!({"data": {"attributes": {"email-address": email, "password": password}}}),
        )
        .await
}

/// A signed-in person's client in `env`.
async fn person(server: &Server, email: &str, role: &str) -> (Client, String) {
    let token = invite(&server.client(), email, role).await;
    assert_eq!(accept(server, &token, PASSWORD).await.status, 200);
    let session = sign_in(server, email, PASSWORD).await;
    assert_eq!(session.status, 201, "{}", session.body);
    let secret = session.attr("token").as_str().unwrap().to_string();
    assert!(secret.starts_with("vigil_session_"));
    let user_id = session.body["data"]["relationships"]["user"]["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    (
        server
            .client_with_key(&secret)
            .with_header("Vigil-Environment", "sandbox"),
        user_id,
    )
}

#[tokio::test]
async fn an_invited_reviewer_signs_in_and_acts_as_themselves() {
    let server = Server::start();
    let (ana, ana_id) = person(&server, "Ana@Example.com", "reviewer").await;
    let me = ana.get("/api/v1/user-sessions/current").await;
    assert_eq!(me.status, 200);
    assert_eq!(
        me.body["included"][0]["attributes"]["email-address"],
        "ana@example.com"
    );
    assert!(me.attr("token").is_null(), "the token is shown once");
    // What she changes names her, on the events and webhooks alike.
    let account = ana
        .post(
            "/api/v1/accounts",
            json!({"data": {"attributes": {"name-first": "Jo"}}}),
        )
        .await;
    assert_eq!(account.status, 201, "{}", account.body);
    let events = ana
        .get(&format!(
            "/api/v1/events?filter[object-id]={}&filter[name]=account.created",
            account.id()
        ))
        .await;
    let actor = &events.body["data"][0]["attributes"]["context"]["actor"];
    assert_eq!(actor["type"], "user");
    assert_eq!(actor["id"], ana_id.as_str());
    assert_eq!(actor["name"], "reviewer person");
    // A session names its environment; without it, the request is refused by name.
    let bare = ana.clone_without_environment();
    let refused = bare.get("/api/v1/accounts").await;
    assert_eq!(refused.status, 400);
    assert!(
        refused.details().contains("Vigil-Environment"),
        "{}",
        refused.body
    );
    // Production is another world: her account is not there.
    let production = bare.with_header("Vigil-Environment", "production");
    let there = production
        .get(&format!("/api/v1/accounts/{}", account.id()))
        .await;
    assert_eq!(there.status, 404);
    // Signing out ends the token.
    assert_eq!(
        ana.delete("/api/v1/user-sessions/current").await.status,
        204
    );
    let after = ana.get("/api/v1/accounts").await;
    assert_eq!(after.status, 401);
}

trait WithoutEnvironment {
    fn clone_without_environment(&self) -> Client;
}

impl WithoutEnvironment for Client {
    fn clone_without_environment(&self) -> Client {
        let mut bare = self.clone();
        bare.headers.retain(|(name, _)| name != "Vigil-Environment");
        bare
    }
}

#[tokio::test]
async fn roles_limit_what_a_person_may_do() {
    let server = Server::start();
    let admin = server.client();
    let account = admin
        .create_account(json!({"name-first": "Jo", "name-last": "Case"}))
        .await
        .id();
    let template = admin.get("/api/v1/case-templates").await.ids()[0].clone();
    let case = admin
        .post(
            "/api/v1/cases",
            json!({"data": {"attributes": {"case-template-id": template}}, "meta": {"object-ids": [account]}}),
        )
        .await;
    assert_eq!(case.status, 201, "{}", case.body);
    let case = case.id();
    let (viewer, _) = person(&server, "viola@example.com", "viewer").await;
    let (analyst, _) = person(&server, "anders@example.com", "analyst").await;
    let (reviewer, _) = person(&server, "rita@example.com", "reviewer").await;
    let decide = json!({"meta": {"status": "Approved"}});
    let comment = json!({"data": {"attributes": {"message": "looked at it"}}});
    // A viewer reads, and changes nothing.
    assert_eq!(
        viewer.get(&format!("/api/v1/cases/{case}")).await.status,
        200
    );
    let refused = viewer
        .post(&format!("/api/v1/cases/{case}/comments"), comment.clone())
        .await;
    assert_eq!(refused.status, 403);
    assert!(refused.details().contains("case.write"), "{}", refused.body);
    // An analyst investigates but cannot decide.
    let commented = analyst
        .post(&format!("/api/v1/cases/{case}/comments"), comment)
        .await;
    assert_eq!(commented.status, 201, "{}", commented.body);
    let refused = analyst
        .post(&format!("/api/v1/cases/{case}/set-status"), decide.clone())
        .await;
    assert_eq!(refused.status, 403);
    assert!(
        refused.details().contains("case.decide"),
        "{}",
        refused.body
    );
    let parked = analyst
        .post(
            &format!("/api/v1/cases/{case}/set-status"),
            json!({"meta": {"status": "pending"}}),
        )
        .await;
    assert_eq!(parked.status, 200, "{}", parked.body);
    // Only admins manage users.
    for who in [&viewer, &analyst, &reviewer] {
        assert_eq!(who.get("/api/v1/users").await.status, 403);
    }
    // A reviewer decides.
    let decided = reviewer
        .post(&format!("/api/v1/cases/{case}/set-status"), decide)
        .await;
    assert_eq!(decided.status, 200, "{}", decided.body);
    assert_eq!(decided.attr("status"), "Approved");
    // Keys made before decisions had permissions of their own keep deciding: the admin key
    // holds them too.
    let listed = admin.get("/api/v1/users?page[size]=10").await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn wrong_passwords_lock_the_user_and_invitations_work_once() {
    let server = Server::start();
    let admin = server.client();
    let token = invite(&admin, "lee@example.com", "analyst").await;
    // A short password is refused by name, and the invitation still works after.
    let short = accept(&server, &token, "short").await;
    assert_eq!(short.status, 422);
    assert_eq!(
        short.body["errors"][0]["source"]["pointer"],
        "/data/attributes/password"
    );
    assert_eq!(accept(&server, &token, PASSWORD).await.status, 200);
    let again = accept(&server, &token, "another long password").await;
    assert_eq!(again.status, 422, "{}", again.body);
    assert!(again.details().contains("token"), "{}", again.body);
    // An unknown email and a wrong password get the same answer.
    let unknown = sign_in(&server, "nobody@example.com", PASSWORD).await;
    let wrong = sign_in(&server, "lee@example.com", "not the password!").await;
    assert_eq!((unknown.status, wrong.status), (401, 401));
    assert_eq!(unknown.body, wrong.body);
    for _ in 0..4 {
        assert_eq!(
            sign_in(&server, "lee@example.com", "nope nope nope")
                .await
                .status,
            401
        );
    }
    // Locked now: even the right password is refused, saying why.
    let locked = sign_in(&server, "lee@example.com", PASSWORD).await;
    assert_eq!(locked.status, 401);
    assert!(
        locked.body["errors"][0]["title"]
            .as_str()
            .unwrap()
            .contains("locked"),
        "{}",
        locked.body
    );
    // An admin's reset unlocks with a new link; the old password no longer works.
    let users = admin.get("/api/v1/users").await;
    let lee = users.body["data"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(users.body["data"][0]["attributes"]["status"], "locked");
    let reset = admin
        .post(&format!("/api/v1/users/{lee}/reset-password"), json!({}))
        .await;
    assert_eq!(reset.status, 200, "{}", reset.body);
    let link = reset.body["meta"]["invitation-url"].as_str().unwrap();
    let fresh = link.rsplit('/').next().unwrap();
    assert_eq!(
        sign_in(&server, "lee@example.com", PASSWORD).await.status,
        401
    );
    assert_eq!(
        accept(&server, fresh, "a brand new passphrase")
            .await
            .status,
        200
    );
    assert_eq!(
        sign_in(&server, "lee@example.com", "a brand new passphrase")
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn the_user_audit_log_lists_sign_ins_and_changes_but_no_personal_data() {
    let server = Server::start();
    let (ana, ana_id) = person(&server, "ana@example.com", "reviewer").await;
    assert_eq!(
        sign_in(&server, "ana@example.com", "wrong password!!")
            .await
            .status,
        401
    );
    let made = ana
        .post(
            "/api/v1/accounts?include=account-type",
            json!({"data": {"attributes": {"name-first": "Secret", "name-last": "Person"}}}),
        )
        .await;
    assert_eq!(made.status, 201);
    let log = server
        .client()
        .get("/api/v1/user-audit-logs?page[size]=100")
        .await;
    assert_eq!(log.status, 200, "{}", log.body);
    let entries = log.body["data"].as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["attributes"]["context"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["change", "sign-in-failed", "sign-in"], "{log:?}");
    let change = &entries[0];
    assert_eq!(change["attributes"]["path"], "/api/v1/accounts");
    assert_eq!(change["attributes"]["method"], "POST");
    assert_eq!(change["attributes"]["response-status"], 201);
    assert_eq!(change["attributes"]["get-params"]["include"], "[FILTERED]");
    assert_eq!(
        change["relationships"]["user"]["data"]["id"],
        ana_id.as_str()
    );
    assert!(!log.body.to_string().contains("Secret"), "{}", log.body);
    let one = server
        .client()
        .get(&format!(
            "/api/v1/user-audit-logs/{}",
            change["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(one.status, 200);
    assert_eq!(one.body["data"], *change);
    // Reads are not logged, and a person without user.read cannot see the log.
    assert_eq!(ana.get("/api/v1/user-audit-logs").await.status, 403);
}

#[test]
fn vigil_users_create_prints_an_invitation_link_and_refuses_a_bad_role() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let run = |args: &[&str]| {
        crate::common::vigil_on(&data)
            .args(args)
            .arg("--data-dir")
            .arg(&data)
            .output()
            .unwrap()
    };
    let made = run(&[
        "users",
        "create",
        "--email",
        "first@example.com",
        "--role",
        "admin",
        "--public-url",
        "https://vigil.example.com/",
    ]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let link = String::from_utf8(made.stdout).unwrap();
    assert!(
        link.starts_with("https://vigil.example.com/invitations/vigil_invite_"),
        "{link}"
    );
    let bad = run(&[
        "users",
        "create",
        "--email",
        "x@example.com",
        "--role",
        "boss",
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--role"));
    let twice = run(&[
        "users",
        "create",
        "--email",
        "FIRST@example.com",
        "--role",
        "viewer",
    ]);
    assert!(!twice.status.success());
    assert!(String::from_utf8_lossy(&twice.stderr).contains("already exists"));
    let listed = run(&["users", "list"]);
    let listed = String::from_utf8(listed.stdout).unwrap();
    assert!(
        listed.contains("first@example.com\tadmin\tinvited"),
        "{listed}"
    );
}

#[tokio::test]
async fn a_session_ends_after_thirty_idle_minutes_and_twelve_hours_in_all() {
    let server = Server::start_with(&["--test-clock"]);
    let admin = server.client();
    let advance = |minutes: u64| {
        let admin = admin.clone();
        async move {
            let moved = admin
                .post(
                    "/api/v1/test-clock/advance",
                    json!({"meta": {"seconds": minutes * 60}}),
                )
                .await;
            assert_eq!(moved.status, 200, "{}", moved.body);
        }
    };
    let (ana, _) = person(&server, "ana@example.com", "viewer").await;
    // Used every 29 minutes, the session lives on past its first half hour...
    for _ in 0..3 {
        advance(29).await;
        assert_eq!(ana.get("/api/v1/accounts").await.status, 200);
    }
    // ...but 30 minutes without a request end it.
    advance(30).await;
    assert_eq!(ana.get("/api/v1/accounts").await.status, 401);
    // A session used all along still ends 12 hours after it began.
    let (bo, _) = person(&server, "bo@example.com", "viewer").await;
    for _ in 0..24 {
        advance(29).await;
        assert_eq!(bo.get("/api/v1/accounts").await.status, 200);
    }
    advance(25).await;
    assert_eq!(bo.get("/api/v1/accounts").await.status, 401);
}

async fn sign_in_with_code(server: &Server, email: &str, code: &str) -> crate::common::Response {
    server
        .client()
        .without_key()
        .post(
            "/api/v1/user-sessions",
            json!({"data": {"attributes": {"email-address": email, "password": PASSWORD, "two-factor-code": code}}}),
        )
        .await
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test]
async fn two_factor_codes_are_asked_once_set_up_and_an_organization_can_require_them() {
    let server = Server::start();
    let (rita, _) = person(&server, "rita@example.com", "reviewer").await;
    // Set up: a secret and its link, shown once; a wrong first code does not turn it on.
    let setup = rita
        .post("/api/v1/user-sessions/current/two-factor", json!({}))
        .await;
    assert_eq!(setup.status, 201, "{}", setup.body);
    let secret = setup.attr("secret").as_str().unwrap().to_string();
    assert!(setup
        .attr("otpauth-url")
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/"));
    let confirm = |code: String| {
        let rita = rita.clone();
        async move {
            rita.post(
                "/api/v1/user-sessions/current/two-factor/confirm",
                json!({"data": {"attributes": {"code": code}}}),
            )
            .await
        }
    };
    let wrong = confirm("000000".into()).await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(wrong.details().contains("code"));
    let code = vigil_domain::totp::current_code(&secret, now_ms()).unwrap();
    let confirmed = confirm(code.clone()).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert_eq!(confirmed.attr("two-factor-enabled"), true);
    // Signing in now takes the code: without it, 401 saying so (not a failure); a wrong
    // or reused one is a failure; the right one opens a session.
    let asked = sign_in(&server, "rita@example.com", PASSWORD).await;
    assert_eq!(asked.status, 401);
    assert!(asked.body.to_string().contains("Two-factor code required"));
    let reused = sign_in_with_code(&server, "rita@example.com", &code).await;
    assert_eq!(reused.status, 401);
    assert!(
        reused.body.to_string().contains("already used"),
        "{}",
        reused.body
    );
    // The next step's code (a step of drift is allowed) signs her in.
    let next = vigil_domain::totp::current_code(&secret, now_ms() + 30_000).unwrap();
    let session = sign_in_with_code(&server, "rita@example.com", &next).await;
    assert_eq!(session.status, 201, "{}", session.body);

    // The organization requires it: a person without one may only set it up.
    let admin = server.client();
    let required = admin
        .patch(
            "/api/v1/user-security-settings",
            json!({"data": {"attributes": {"require-two-factor": true}}}),
        )
        .await;
    assert_eq!(required.status, 200, "{}", required.body);
    assert_eq!(required.attr("require-two-factor"), true);
    let (vic, _) = person(&server, "vic@example.com", "viewer").await;
    let me = vic.get("/api/v1/user-sessions/current").await;
    assert_eq!(me.attr("two-factor-setup-required"), true);
    let blocked = vic.get("/api/v1/cases").await;
    assert_eq!(blocked.status, 403);
    assert!(
        blocked.details().contains("two-factor"),
        "{}",
        blocked.details()
    );
    let setup = vic
        .post("/api/v1/user-sessions/current/two-factor", json!({}))
        .await;
    let secret = setup.attr("secret").as_str().unwrap().to_string();
    let code = vigil_domain::totp::current_code(&secret, now_ms()).unwrap();
    let on = vic
        .post(
            "/api/v1/user-sessions/current/two-factor/confirm",
            json!({"data": {"attributes": {"code": code}}}),
        )
        .await;
    assert_eq!(on.status, 200, "{}", on.body);
    assert_eq!(vic.get("/api/v1/cases").await.status, 200);
    // While required, it cannot be turned off; a bad setting is refused, naming it.
    let off = vic
        .post(
            "/api/v1/user-sessions/current/two-factor/disable",
            json!({"data": {"attributes": {"password": PASSWORD}}}),
        )
        .await;
    assert_eq!(off.status, 409, "{}", off.body);
    let bad = admin
        .patch(
            "/api/v1/user-security-settings",
            json!({"data": {"attributes": {"require-two-factor": "yes"}}}),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.to_string().contains("require-two-factor"));
}
