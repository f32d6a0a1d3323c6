//! Authentication, permissions, environment isolation, and offline key creation.

use serde_json::json;

use crate::common::{create_key, Server};

#[tokio::test]
async fn missing_and_invalid_keys_are_401() {
    let server = Server::start();
    let anonymous = server.client().without_key();
    let response = anonymous.get("/api/v1/accounts").await;
    assert_eq!(response.status, 401);
    assert_eq!(
        response.body,
        json!({"errors": [{"title": "Must be authenticated to access this endpoint"}]})
    );
    assert!(response.header("request-id").unwrap().starts_with("req_"));
    let wrong = server.client_with_key("persona_sandbox_notarealkey");
    let response = wrong.post("/api/v1/accounts", json!({})).await;
    assert_eq!(response.status, 401);
    assert_eq!(
        response.body,
        json!({"errors": [{"title": "Token is invalid"}]})
    );
}

/// Guessing keys is limited per client address: past `--failed-auth-limit` wrong keys a
/// minute, a key the server does not already know is answered 429 (with `Retry-After`)
/// without a lookup. Keys already in use keep working. The scheme is case-insensitive.
#[tokio::test]
async fn wrong_keys_are_rate_limited_per_client_address() {
    let server = Server::start_with(&["--failed-auth-limit", "5"]);
    let good = server.client();
    assert_eq!(good.get("/api/v1/accounts").await.status, 200);
    for n in 0..5 {
        let wrong = server.client_with_key(&format!("persona_sandbox_guess{n}"));
        assert_eq!(wrong.get("/api/v1/accounts").await.status, 401, "guess {n}");
    }
    let limited = server
        .client_with_key("persona_sandbox_guess6")
        .get("/api/v1/accounts")
        .await;
    assert_eq!(limited.status, 429, "{:?}", limited.body);
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert!(
        limited.details().contains("5 requests per min"),
        "{}",
        limited.details()
    );
    assert_eq!(
        good.get("/api/v1/accounts").await.status,
        200,
        "a key in use still works"
    );
    // A request without any key is not a guess.
    assert_eq!(
        good.clone()
            .without_key()
            .get("/api/v1/accounts")
            .await
            .status,
        401
    );

    let lower = server
        .client()
        .without_key()
        .with_header("authorization", &format!("bearer {}", server.sandbox_key));
    assert_eq!(lower.get("/api/v1/accounts").await.status, 200);
}

#[tokio::test]
async fn permissions_are_enforced_per_key() {
    let mut server = Server::start();
    let admin = server.client();
    let id = admin
        .create_account(json!({"reference-id": "r"}))
        .await
        .id();
    let output = create_key(
        &server.data_dir,
        &["--env", "sandbox", "--permissions", "account.read"],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let key = stdout.trim();
    assert_eq!(stdout.lines().count(), 1, "only the key on stdout");
    assert!(key.starts_with("persona_sandbox_"));
    let reader = server.client_with_key(key);
    assert_eq!(
        reader.get(&format!("/api/v1/accounts/{id}")).await.status,
        200
    );
    let denied = reader.post("/api/v1/accounts", json!({})).await;
    assert_eq!(denied.status, 403);
    assert!(denied.details().contains("account.write"));
    assert_eq!(
        reader.get("/api/v1/events").await.status,
        403,
        "event.read is a separate permission"
    );
    let bad = create_key(&server.data_dir, &["--permissions", "account.destroy"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("account.destroy"));
    let _ = server.take_tempdir().map(|t| t.keep());
}

#[tokio::test]
async fn environments_are_isolated() {
    let server = Server::start();
    let sandbox = server.client();
    let production = server.client_with_key(&server.production_key);
    let id = sandbox
        .create_account(json!({"reference-id": "only-in-sandbox"}))
        .await
        .id();
    assert_eq!(
        production
            .get(&format!("/api/v1/accounts/{id}"))
            .await
            .status,
        404
    );
    assert!(production.get("/api/v1/accounts").await.ids().is_empty());
    assert!(production.get("/api/v1/events").await.ids().is_empty());
    let s = sandbox.get("/api/v1/accounts").await;
    let p = production.get("/api/v1/accounts").await;
    assert_ne!(
        s.header("persona-environment-id"),
        p.header("persona-environment-id")
    );
    assert_eq!(
        production
            .post(
                &format!("/api/v1/accounts/{id}/add-tag"),
                json!({"meta": {"tag-name": "x"}})
            )
            .await
            .status,
        404
    );
}

/// The data directory is private whatever the umask: the directory and the files folder
/// 0700, the database, its WAL and shared memory, and document files 0600. A directory
/// others can write is refused with a message that says what to do.
#[tokio::test]
async fn the_data_directory_is_private_whatever_the_umask() {
    if crate::common::sqlite_only("the SQLite database files are private whatever the umask") {
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("data");
    let server = crate::common::Server::spawn_under_umask("000", &dir);
    let api = server.client();
    let created = api
        .post("/api/v1/document/generics", serde_json::json!({"data": {"attributes": {"file": {"data": "JVBERi0xLjQgeA==", "filename": "x.pdf"}}}}))
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    api.create_account(serde_json::json!({})).await;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700, "data directory");
    assert_eq!(mode(&dir.join("files")), 0o700, "files directory");
    for name in ["vigil.db", "vigil.db-wal", "vigil.db-shm", "serve.lock"] {
        assert_eq!(mode(&dir.join(name)), 0o600, "{name}");
    }
    for file in std::fs::read_dir(dir.join("files")).unwrap() {
        let path = file.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
    drop(server);

    let open = temp.path().join("shared");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let refused = std::process::Command::new(crate::common::BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&open)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("other users can write to it") && stderr.contains("chmod 700"),
        "{stderr}"
    );
    assert!(!open.join("vigil.db").exists(), "nothing written");
}

#[tokio::test]
async fn api_keys_are_made_listed_changed_and_expired_through_the_api() {
    let server = Server::start();
    let admin = server.client();
    let made = admin
        .post(
            "/api/v1/api-keys",
            json!({"data": {"attributes": {"name": "reader", "note": "the BI export", "permissions": ["account.read", "event.read"]}}}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.id();
    let value = made.attr("value").as_str().unwrap().to_string();
    assert!(value.starts_with("persona_sandbox_"), "{value}");
    let reader = server.client_with_key(&value);
    assert_eq!(reader.get("/api/v1/accounts").await.status, 200);
    assert_eq!(reader.post("/api/v1/accounts", json!({})).await.status, 403);
    // Listed and read back without the secret; by name.
    let listed = admin.get("/api/v1/api-keys?filter[name]=reader").await;
    assert_eq!(listed.ids(), vec![id.clone()]);
    let one = admin.get(&format!("/api/v1/api-keys/{id}")).await;
    assert_eq!(one.attr("note"), "the BI export");
    assert!(one.attr("value").is_null());
    assert!(!one.body.to_string().contains(&value));
    // A key cannot make a stronger key.
    let escalation = reader
        .post(
            "/api/v1/api-keys",
            json!({"data": {"attributes": {"permissions": ["account.write"]}}}),
        )
        .await;
    assert_eq!(escalation.status, 403, "api_key.write is needed at all");
    let made = crate::common::create_key(
        &server.data_dir,
        &[
            "--env",
            "sandbox",
            "--permissions",
            "api_key.read,api_key.write,account.read",
        ],
    );
    let keeper = server.client_with_key(String::from_utf8(made.stdout).unwrap().trim());
    let stronger = keeper
        .post(
            "/api/v1/api-keys",
            json!({"data": {"attributes": {"permissions": ["account.write"]}}}),
        )
        .await;
    assert_eq!(stronger.status, 422, "{}", stronger.body);
    assert!(
        stronger.details().contains("account.write"),
        "{}",
        stronger.details()
    );
    // Unsupported Persona settings and unknown permissions are refused, naming them.
    for (attributes, named) in [
        (
            json!({"ip-address-allowlist": ["10.0.0.1"]}),
            "ip-address-allowlist",
        ),
        (
            json!({"permissions": ["account.destroy"]}),
            "account.destroy",
        ),
        (json!({"colour": "red"}), "colour"),
    ] {
        let refused = admin
            .post(
                "/api/v1/api-keys",
                json!({"data": {"attributes": attributes}}),
            )
            .await;
        assert!(
            refused.status == 400 || refused.status == 422,
            "{}",
            refused.body
        );
        assert!(refused.body.to_string().contains(named), "{}", refused.body);
    }
    // Renamed and narrowed: the next request with it sees that at once.
    let changed = admin
        .patch(
            &format!("/api/v1/api-keys/{id}"),
            json!({"data": {"attributes": {"name": "reader-2", "permissions": ["event.read"]}}}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.attr("name"), "reader-2");
    assert_eq!(reader.get("/api/v1/accounts").await.status, 403);
    // Expired now: it stops working; the change is in the event log, without secrets.
    let expired = admin
        .post(
            &format!("/api/v1/api-keys/{id}/expire"),
            json!({"meta": {"expires-in-seconds": 0}}),
        )
        .await;
    assert_eq!(expired.status, 200, "{}", expired.body);
    assert!(expired.attr("expires-at").is_string());
    assert_eq!(reader.get("/api/v1/events").await.status, 401);
    let too_long = admin
        .post(
            &format!("/api/v1/api-keys/{id}/expire"),
            json!({"meta": {"expires-in-seconds": 9_999_999}}),
        )
        .await;
    assert_eq!(too_long.status, 422);
    let events = admin
        .get(&format!("/api/v1/events?filter[object-id]={id}"))
        .await;
    let names: Vec<&str> = events.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["attributes"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["api-key.expired", "api-key.updated", "api-key.created"]
    );
    assert!(!events.body.to_string().contains(&value));
    assert!(!events.body.to_string().contains("secret_hash"));
}
