//! The protocol layer: idempotency, inflection, versions, headers, limits, metrics.

use serde_json::json;

use crate::common::Server;

#[tokio::test]
async fn idempotent_replay_and_conflict() {
    let server = Server::start();
    let api = server.client();
    let body = json!({"data": {"attributes": {"reference-id": "idem"}}});
    let first = api
        .post_with(
            "/api/v1/accounts",
            body.clone(),
            &[("Idempotency-Key", "k-1")],
        )
        .await;
    assert_eq!(first.status, 201);
    assert!(first.header("idempotent-replayed").is_none());
    let replay = api
        .post_with(
            "/api/v1/accounts",
            body.clone(),
            &[("Idempotency-Key", "k-1")],
        )
        .await;
    assert_eq!(replay.status, 201);
    assert_eq!(replay.body, first.body);
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    let reordered = api
        .post_with(
            "/api/v1/accounts",
            json!({"data": {"attributes": {"reference-id": "idem"}}}),
            &[("Idempotency-Key", "k-1")],
        )
        .await;
    assert_eq!(reordered.body, first.body);
    let conflict = api
        .post_with(
            "/api/v1/accounts",
            json!({"data": {"attributes": {"reference-id": "other"}}}),
            &[("Idempotency-Key", "k-1")],
        )
        .await;
    assert_eq!(conflict.status, 409);
    assert!(conflict.details().contains("Idempotency-Key"));
    let other_path = api
        .post_with(
            &format!("/api/v1/accounts/{}/add-tag", first.id()),
            json!({"meta": {"tag-name": "x"}}),
            &[("Idempotency-Key", "k-1")],
        )
        .await;
    assert_eq!(
        other_path.status, 409,
        "a key is bound to its request, path included"
    );
    assert_eq!(api.get("/api/v1/accounts").await.ids().len(), 1);
    assert_eq!(api.get("/api/v1/events").await.ids().len(), 1);
}

#[tokio::test]
async fn concurrent_duplicates_create_one_object() {
    let server = Server::start();
    let api = server.client();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let api = api.clone();
        tasks.push(tokio::spawn(async move {
            api.post_with(
                "/api/v1/accounts",
                json!({"data": {"attributes": {"reference-id": "race"}}}),
                &[("Idempotency-Key", "race-key")],
            )
            .await
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        let response = task.await.unwrap();
        assert_eq!(response.status, 201);
        ids.push(response.id());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every duplicate got the same account");
    assert_eq!(api.get("/api/v1/accounts").await.ids().len(), 1);
}

#[tokio::test]
async fn key_inflection_on_requests_and_responses() {
    let server = Server::start();
    let camel = server.client().with_header("Key-Inflection", "camel");
    let created = camel.post("/api/v1/accounts", json!({"data": {"attributes": {"referenceId": "c-1", "nameFirst": "Cam", "addressStreet1": "1 Main St", "fields": {"postal_code_extra": "x"}}}})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let attributes = &created.body["data"]["attributes"];
    assert_eq!(attributes["referenceId"], "c-1");
    assert!(attributes["accountTypeName"].is_string());
    assert_eq!(
        attributes["fields"]["address"]["value"]["street_1"]["value"], "1 Main St",
        "fields keys are not inflected"
    );
    assert!(attributes["fields"]["postal_code_extra"].is_object());
    let snake = server.client().with_header("Key-Inflection", "snake");
    let fetched = snake
        .get(&format!("/api/v1/accounts/{}", created.id()))
        .await;
    assert_eq!(fetched.body["data"]["attributes"]["reference_id"], "c-1");
    assert_eq!(
        fetched.body["data"]["attributes"]["created_at"],
        created.body["data"]["attributes"]["createdAt"]
    );
    let snake_request = snake
        .post(
            "/api/v1/accounts",
            json!({"data": {"attributes": {"reference_id": "s-1"}}}),
        )
        .await;
    assert_eq!(
        snake_request.body["data"]["attributes"]["reference_id"],
        "s-1"
    );
    let list = snake.get("/api/v1/accounts?filter[reference_id]=s-1").await;
    assert_eq!(list.ids(), vec![snake_request.id()]);
    let bad = server
        .client()
        .with_header("Key-Inflection", "pascal")
        .get("/api/v1/accounts")
        .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn persona_versions() {
    let server = Server::start();
    let old = server.client().with_header("Persona-Version", "2023-01-05");
    let created = old.create_account(json!({"name-first": "Old", "country-code": "FR", "fields": {"identification_numbers": [{"identification_class": "pp", "identification_number": "X1", "issuing_country": "FR"}]}})).await;
    assert_eq!(created.attr("name-first"), "Old");
    assert_eq!(created.attr("country-code"), "FR");
    assert_eq!(
        created.attr("identification-numbers")["pp"][0]["identification-number"],
        "X1"
    );
    assert_eq!(
        created.attr("fields")["name"]["value"]["first"]["value"],
        "Old"
    );
    let new = server.client().with_header("Persona-Version", "2025-12-08");
    let fetched = new.get(&format!("/api/v1/accounts/{}", created.id())).await;
    assert!(fetched.body["data"]["attributes"]
        .get("name-first")
        .is_none());
    assert_eq!(
        fetched.attr("fields")["name"]["value"]["first"]["value"],
        "Old"
    );
    let unsupported = server
        .client()
        .with_header("Persona-Version", "1999-01-01")
        .get("/api/v1/accounts")
        .await;
    assert_eq!(unsupported.status, 400);
    assert!(unsupported.details().contains("Persona-Version"));
    // A key's default version applies when the header is absent.
    let output = crate::common::create_key(&server.data_dir, &["--api-version", "2023-01-05"]);
    let key = String::from_utf8(output.stdout).unwrap().trim().to_string();
    let defaulted = server
        .client_with_key(&key)
        .get(&format!("/api/v1/accounts/{}", created.id()))
        .await;
    assert_eq!(defaulted.header("persona-version"), Some("2023-01-05"));
    assert_eq!(defaulted.attr("name-first"), "Old");
}

#[tokio::test]
async fn response_headers() {
    let server = Server::start();
    let api = server.client();
    let response = api.get("/api/v1/accounts").await;
    assert!(response.header("request-id").unwrap().starts_with("req_"));
    assert!(response
        .header("persona-environment-id")
        .unwrap()
        .starts_with("env_"));
    assert!(response
        .header("persona-organization-id")
        .unwrap()
        .starts_with("org_"));
    assert_eq!(response.header("ratelimit-limit"), Some("6000"));
    let remaining: u64 = response
        .header("ratelimit-remaining")
        .unwrap()
        .parse()
        .unwrap();
    assert!(remaining < 6000);
    let reset: u64 = response.header("ratelimit-reset").unwrap().parse().unwrap();
    assert!((1..=60).contains(&reset));
    let other = api.get("/api/v1/accounts").await;
    assert_ne!(other.header("request-id"), response.header("request-id"));
}

#[tokio::test]
async fn rate_limit_is_enforced_per_environment() {
    let server = Server::start_with(&["--rate-limit", "5"]);
    let api = server.client();
    for _ in 0..5 {
        assert_eq!(api.get("/api/v1/accounts").await.status, 200);
    }
    let limited = api.get("/api/v1/accounts").await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.body["errors"][0]["title"], "Rate limit exceeded");
    assert_eq!(limited.header("ratelimit-remaining"), Some("0"));
    assert!(limited.header("retry-after").is_some());
    let production = server.client_with_key(&server.production_key);
    assert_eq!(
        production.get("/api/v1/accounts").await.status,
        200,
        "production has its own window"
    );
}

/// The 429 names the window the operator configured, and a server without a limit sends
/// no `RateLimit-*` headers.
#[tokio::test]
async fn the_rate_limit_message_names_its_window_and_no_limit_sends_no_headers() {
    let server = Server::start_with(&["--rate-limit", "2", "--rate-limit-window", "5"]);
    let api = server.client();
    api.get("/api/v1/accounts").await;
    api.get("/api/v1/accounts").await;
    let limited = api.get("/api/v1/accounts").await;
    assert_eq!(limited.status, 429);
    assert!(
        limited.details().contains("2 requests per 5 s"),
        "{}",
        limited.details()
    );
    let minute = Server::start_with(&["--rate-limit", "1"]);
    minute.client().get("/api/v1/accounts").await;
    let limited = minute.client().get("/api/v1/accounts").await;
    assert!(
        limited.details().contains("1 requests per min"),
        "{}",
        limited.details()
    );
    let unlimited = Server::start_with(&["--rate-limit", "0"]);
    let response = unlimited.client().get("/api/v1/accounts").await;
    assert_eq!(response.status, 200);
    for name in ["ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"] {
        assert_eq!(response.header(name), None, "{name}");
    }
}

#[tokio::test]
async fn oversized_bodies_unknown_routes_and_methods() {
    let server = Server::start_with(&["--max-body-bytes", "2048"]);
    let api = server.client();
    let big = json!({"data": {"attributes": {"reference-id": "x".repeat(4096)}}});
    let response = api.post("/api/v1/accounts", big).await;
    assert_eq!(response.status, 413);
    assert!(response.details().contains("2048"));
    let long_ref = api
        .post(
            "/api/v1/accounts",
            json!({"data": {"attributes": {"reference-id": "y".repeat(300)}}}),
        )
        .await;
    assert_eq!(long_ref.status, 422);
    let unknown = api
        .raw(reqwest::Method::GET, "/api/v1/accounts/x/y/z", None, &[])
        .await;
    assert_eq!(unknown.status, 404);
    let method = api
        .raw(
            reqwest::Method::PUT,
            "/api/v1/accounts",
            Some(b"{}".to_vec()),
            &[],
        )
        .await;
    assert_eq!(method.status, 405);
}

#[tokio::test]
async fn health_and_metrics() {
    let server = Server::start();
    let api = server.client();
    let health = api.clone().without_key().get("/health").await;
    assert_eq!(
        (health.status, health.body["status"].as_str()),
        (200, Some("ok"))
    );
    api.get("/api/v1/accounts").await;
    api.get("/api/v1/accounts/act_missing").await;
    let text = reqwest::get(format!("{}/metrics", server.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(
            r#"vigil_http_requests_total{method="GET",route="/api/v1/accounts",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"route="/api/v1/accounts/{account_id}",status="404""#),
        "{text}"
    );
    assert!(text.contains("vigil_http_request_duration_seconds_bucket"));
}

/// The conformance check itself must be able to fail, or every test above proves nothing.
#[test]
fn conformance_check_rejects_a_non_conforming_body() {
    use crate::common::conformance;
    if !conformance::available() {
        return; // said once, by `available`
    }
    let good = json!({"data": {"type": "account", "id": "act_1", "attributes": {"reference-id": null, "tags": []}}});
    conformance::check("GET", "/accounts/act_1", "2025-12-08", 200, &good);
    let bad = json!({"data": {"type": "account", "id": "act_1", "attributes": {"reference-id": null, "archived-at": null}}});
    let caught = std::panic::catch_unwind(|| {
        conformance::check("GET", "/accounts/act_1", "2025-12-08", 200, &bad)
    });
    assert!(
        caught.is_err(),
        "an attribute the schema does not allow must fail the check"
    );
    let wrong_401 = json!({"errors": [{"title": "x", "details": "not allowed on 401"}]});
    assert!(std::panic::catch_unwind(|| conformance::check(
        "GET",
        "/accounts",
        "2025-12-08",
        401,
        &wrong_401
    ))
    .is_err());
}

/// A request that failed against the stored data is answered the same way on retry with
/// the same Idempotency-Key, even after the data changed; a new key runs it afresh.
#[tokio::test]
async fn idempotency_replays_errors_found_against_stored_data() {
    let server = Server::start();
    let api = server.client();
    let id = api.create_account(json!({})).await.id();
    assert_eq!(
        api.post(&format!("/api/v1/accounts/{id}/archive"), json!({}))
            .await
            .status,
        200
    );
    let path = format!("/api/v1/accounts/{id}/add-tag");
    let body = json!({"meta": {"tag-name": "vip"}});
    let refused = api
        .post_with(&path, body.clone(), &[("Idempotency-Key", "tag-1")])
        .await;
    assert_eq!(refused.status, 409);
    assert!(refused.header("idempotent-replayed").is_none());
    assert_eq!(
        api.post(&format!("/api/v1/accounts/{id}/restore"), json!({}))
            .await
            .status,
        200
    );
    let replayed = api
        .post_with(&path, body.clone(), &[("Idempotency-Key", "tag-1")])
        .await;
    assert_eq!(replayed.status, 409);
    assert_eq!(replayed.header("idempotent-replayed"), Some("true"));
    assert_eq!(replayed.body, refused.body);
    let fresh = api
        .post_with(&path, body, &[("Idempotency-Key", "tag-2")])
        .await;
    assert_eq!(fresh.status, 200);
    assert_eq!(fresh.attr("tags"), &json!(["vip"]));
}

/// Silently wrong answers are worse than errors: a parameter vigil does not read, a body
/// member it would drop, a body in another media type, a member given twice, a NUL
/// character or a value that contradicts its declared type is refused, naming the culprit.
#[tokio::test]
async fn what_would_be_ignored_is_refused_naming_it() {
    let server = Server::start();
    let api = server.client();
    api.create_account(json!({"reference-id": "x"})).await;
    api.create_account(json!({"reference-id": "y"})).await;
    // A client that meant filter[reference-id] and page[size].
    for (query, named) in [
        ("reference-id=x&size=5", "`reference-id`"),
        ("filter[]=x", "filter[]"),
        ("fields[acount]=tags", "fields[acount]"),
        ("page[limit]=2", "page[limit]"),
    ] {
        let response = api.get(&format!("/api/v1/accounts?{query}")).await;
        assert_eq!(response.status, 400, "{query}: {:?}", response.body);
        assert!(
            response.details().contains(named),
            "{query}: {}",
            response.details()
        );
    }
    let sparse = api
        .get("/api/v1/accounts?fields[account]=reference-id")
        .await;
    assert_eq!(sparse.status, 200);

    let bad = |body: &str, content_type: &str| {
        let api = api.clone();
        let (body, content_type) = (body.to_string(), content_type.to_string());
        async move {
            api.raw(
                reqwest::Method::POST,
                "/api/v1/accounts",
                Some(body.into_bytes()),
                &[("Content-Type", content_type.as_str())],
            )
            .await
        }
    };
    let json = "application/json";
    let cases = [
        (
            r#"{"data": {"attributes": {}}, "reference-id": "z"}"#,
            json,
            400,
            "/reference-id",
        ),
        (
            r#"{"data": {"attributes": {"reference-id": "a", "reference-id": "b"}}}"#,
            json,
            400,
            "/data/attributes/reference-id",
        ),
        (
            r#"{"data": {"attributes": {"reference_id": "a", "reference-id": "b"}}}"#,
            json,
            400,
            "/data/attributes/reference-id",
        ),
        (
            r#"{"data": {"attributes": {"tags": ["a\u0000b"]}}}"#,
            json,
            400,
            "/data/attributes/tags/0",
        ),
        (
            r#"{"data": {"attributes": {"fields": {"age": {"type": "integer", "value": "abc"}}}}}"#,
            json,
            422,
            "/data/attributes/fields/age/value",
        ),
    ];
    for (body, content_type, status, pointer) in cases {
        let response = bad(body, content_type).await;
        assert_eq!(response.status, status, "{body}: {:?}", response.body);
        let error = &response.body["errors"][0];
        let at = error["source"]["pointer"]
            .as_str()
            .or(error["meta"]["pointer"].as_str());
        assert_eq!(at, Some(pointer), "{body}: {:?}", response.body);
    }
    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let response = bad(r#"{"data": {"attributes": {}}}"#, content_type).await;
        assert_eq!(response.status, 415, "{content_type}: {:?}", response.body);
        assert!(
            response.details().contains(content_type),
            "{}",
            response.details()
        );
    }
    // Where a file is expected, the 415 says multipart is accepted too.
    let csv = api
        .raw(
            reqwest::Method::POST,
            "/api/v1/importer/accounts",
            Some(b"reference_id\nq-1\n".to_vec()),
            &[("Content-Type", "text/csv")],
        )
        .await;
    assert_eq!(csv.status, 415, "{:?}", csv.body);
    assert!(
        csv.details().contains("multipart/form-data"),
        "{}",
        csv.details()
    );
    // Nothing was written by any of them.
    let listed = api.get("/api/v1/accounts?page[size]=100").await;
    assert_eq!(listed.ids().len(), 2);
}

/// A server with one serving thread still answers requests sent together (each waits for
/// the store in that thread; creates wait for the writer, which has its own), and a count
/// of none is refused, naming the flag.
#[tokio::test]
async fn one_serving_thread_answers_requests_sent_together() {
    let server = Server::start_with(&["--worker-threads", "1", "--rate-limit", "0"]);
    let mut creates = tokio::task::JoinSet::new();
    for n in 0..16 {
        let api = server.client();
        creates.spawn(async move {
            let body = json!({"data": {"attributes": {"reference-id": format!("thread-{n}")}}});
            api.post("/api/v1/accounts", body).await
        });
    }
    let mut reads = tokio::task::JoinSet::new();
    while let Some(created) = creates.join_next().await {
        let created = created.unwrap();
        assert_eq!(created.status, 201, "{}", created.body);
        let api = server.client();
        reads.spawn(async move { api.get(&format!("/api/v1/accounts/{}", created.id())).await });
    }
    let mut read = 0;
    while let Some(found) = reads.join_next().await {
        let found = found.unwrap();
        assert_eq!(found.status, 200, "{}", found.body);
        read += 1;
    }
    assert_eq!(read, 16);

    let dir = tempfile::tempdir().unwrap();
    let refused = std::process::Command::new(crate::common::BIN)
        .args(["serve", "--worker-threads", "0", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("--worker-threads"), "{said}");
}
