//! The Events API.

use serde_json::json;

use crate::common::Server;

#[tokio::test]
async fn list_filter_and_retrieve_events() {
    let server = Server::start();
    let api = server.client();
    let a = api.create_account(json!({"reference-id": "a"})).await.id();
    let b = api.create_account(json!({"reference-id": "b"})).await.id();
    api.post(
        &format!("/api/v1/accounts/{a}/add-tag"),
        json!({"meta": {"tag-name": "t"}}),
    )
    .await;
    let all = api.get("/api/v1/events").await;
    assert_eq!(all.ids().len(), 3);
    let created = api.get("/api/v1/events?filter[name]=account.created").await;
    assert_eq!(created.ids().len(), 2);
    let tagged = api
        .get("/api/v1/events?filter[name]=account.tag-added,account.tag-removed")
        .await;
    assert_eq!(tagged.ids().len(), 1);
    let event = &tagged.body["data"][0];
    assert_eq!(event["attributes"]["payload"]["data"]["id"], a.as_str());
    assert_eq!(
        event["attributes"]["payload"]["data"]["attributes"]["tags"],
        json!(["t"])
    );
    assert_eq!(event["attributes"]["context"]["tag-name"], "t");
    assert_eq!(event["attributes"]["context"]["actor"]["type"], "api-key");
    let by_object = api
        .get(&format!("/api/v1/events?filter[object-id]={b}"))
        .await;
    assert_eq!(by_object.ids().len(), 1);
    let id = by_object.ids()[0].clone();
    assert!(id.starts_with("evt_"));
    let by_id = api.get(&format!("/api/v1/events?filter[id]={id}")).await;
    assert_eq!(by_id.ids(), vec![id.clone()]);
    let one = api.get(&format!("/api/v1/events/{id}")).await;
    assert_eq!(one.status, 200);
    assert_eq!(one.attr("name"), "account.created");
    let paged = api.get("/api/v1/events?page[size]=2").await;
    assert_eq!(paged.ids().len(), 2);
    let rest = api.get(paged.body["links"]["next"].as_str().unwrap()).await;
    assert_eq!(rest.ids().len(), 1);
    assert_eq!(api.get("/api/v1/events?filter[colour]=x").await.status, 400);
    // Beyond Persona: who acted, and when.
    let key_id = event["attributes"]["context"]["actor"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let theirs = api
        .get(&format!("/api/v1/events?filter[actor-id]={key_id}"))
        .await;
    assert_eq!(theirs.ids().len(), 3);
    let nobody = api.get("/api/v1/events?filter[actor-id]=api_nobody").await;
    assert!(nobody.ids().is_empty());
    let long_ago = api
        .get("/api/v1/events?filter[created-at-end]=2001-01-01")
        .await;
    assert!(long_ago.ids().is_empty());
    let since = api
        .get("/api/v1/events?filter[created-at-start]=2001-01-01&filter[name]=account.created")
        .await;
    assert_eq!(since.ids().len(), 2);
    assert_eq!(
        api.get("/api/v1/events?filter[created-at-start]=soon")
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn event_payloads_follow_the_readers_version() {
    let server = Server::start();
    let api = server.client();
    api.create_account(json!({"name-first": "Jane"})).await;
    let new = api.get("/api/v1/events").await;
    assert!(
        new.body["data"][0]["attributes"]["payload"]["data"]["attributes"]
            .get("name-first")
            .is_none()
    );
    let old = api
        .clone()
        .with_header("Persona-Version", "2023-01-05")
        .get("/api/v1/events")
        .await;
    assert_eq!(
        old.body["data"][0]["attributes"]["payload"]["data"]["attributes"]["name-first"],
        "Jane"
    );
}

#[tokio::test]
async fn events_past_their_retention_are_pruned() {
    let server =
        crate::common::Server::start_with(&["--test-clock", "--event-retention-days", "1"]);
    let api = server.client();
    let old = api.create_account(serde_json::json!({})).await.id();
    let count = |api: crate::common::Client, id: String| async move {
        api.get(&format!("/api/v1/events?filter[object-id]={id}"))
            .await
            .body["data"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(count(api.clone(), old.clone()).await, 1);
    let moved = api
        .post(
            "/api/v1/test-clock/advance",
            serde_json::json!({"meta": {"seconds": 2 * 86_400}}),
        )
        .await;
    assert_eq!(moved.status, 200);
    let new = api.create_account(serde_json::json!({})).await.id();
    // The newest event is never pruned (its position is kept); the pruner looks again a
    // minute later on the server's clock.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    api.post(
        "/api/v1/test-clock/advance",
        serde_json::json!({"meta": {"seconds": 61}}),
    )
    .await;
    for _ in 0..100 {
        if count(api.clone(), old.clone()).await == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(count(api.clone(), old).await, 0, "older than a day: pruned");
    assert_eq!(count(api.clone(), new).await, 1, "recent events stay");
}

#[tokio::test]
async fn events_export_as_ndjson_and_parquet_beside_a_running_server() {
    let server = crate::common::Server::start();
    let api = server.client();
    let a = api
        .create_account(serde_json::json!({"reference-id": "exp-1"}))
        .await
        .id();
    api.post(
        &format!("/api/v1/accounts/{a}/add-tag"),
        serde_json::json!({"meta": {"tag-name": "x"}}),
    )
    .await;
    server
        .client_with_key(&server.production_key)
        .create_account(serde_json::json!({}))
        .await;
    let listed = api.get("/api/v1/events?page[size]=100").await;
    let expected: Vec<String> = listed.ids().into_iter().rev().collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.ndjson");
    let run = |extra: &[&str]| {
        crate::common::vigil_on(&server.data_dir)
            .args([
                "events",
                "export",
                "--data-dir",
                server.data_dir.to_str().unwrap(),
                "--env",
                "sandbox",
                "--since",
                "2000-01-01",
            ])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&["--output", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<String> = lines
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids, expected,
        "every sandbox event, oldest first, no production ones"
    );
    assert_eq!(lines[0]["type"], "event");
    assert_eq!(lines[0]["attributes"]["name"], "account.created");
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains(&format!("exported {} events", expected.len())));
    let none = run(&["--until", "2000-01-02"]);
    assert!(none.status.success());
    assert!(none.stdout.is_empty());
    let bad = run(&["--format", "csv"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--format must be `ndjson` or `parquet`"));

    // Parquet, read by an independent reader (DuckDB) beside the NDJSON file.
    let parquet = dir.path().join("events.parquet");
    let out = run(&["--format", "parquet", "--output", parquet.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let Some(read) = duckdb(&format!(
        "SELECT p.id, p.name, typeof(p.created_at), strftime(p.created_at, '%Y-%m-%dT%H:%M:%S.%g') || 'Z',
                p.object_id, p.payload->>'$.data.id', typeof(p.payload), n.id
         FROM read_parquet('{}') p POSITIONAL JOIN read_json_auto('{}') n",
        parquet.display(),
        file.display()
    )) else {
        return;
    };
    assert_eq!(read.len(), expected.len(), "{read:?}");
    for (row, (line, id)) in read.iter().zip(lines.iter().zip(&expected)) {
        assert_eq!(&row[0], id, "the same events in the same order: {row:?}");
        assert_eq!(row[0], row[7], "NDJSON and Parquet agree row by row");
        assert_eq!(row[1], line["attributes"]["name"].as_str().unwrap());
        assert_eq!(row[2], "TIMESTAMP WITH TIME ZONE");
        assert_eq!(row[3], line["attributes"]["created-at"].as_str().unwrap());
        assert_eq!(row[5], row[4], "the payload is the object");
        assert_eq!(row[6], "JSON");
    }
}

/// Rows of a DuckDB query as strings (tab-separated by the helper), or None with a notice
/// when DuckDB's Python package is absent (in CI it is installed, so absence fails).
fn duckdb(sql: &str) -> Option<Vec<Vec<String>>> {
    let script = "import sys, duckdb\n\
        for row in duckdb.sql(sys.argv[1]).fetchall():\n    print('\\t'.join(str(v) for v in row))";
    let out = std::process::Command::new("python3")
        .args(["-c", script, sql])
        .output();
    match out {
        Ok(out) if out.status.success() => Some(
            String::from_utf8(out.stdout)
                .unwrap()
                .lines()
                .map(|l| l.split('\t').map(String::from).collect())
                .collect(),
        ),
        Ok(out) if String::from_utf8_lossy(&out.stderr).contains("No module named 'duckdb'") => {
            crate::common::skip::skipped(
                "reading the event exports back with DuckDB",
                "its package is not installed: run bash scripts/test, or pip install duckdb==2.0.0",
            );
            None
        }
        Ok(out) => panic!("duckdb: {}", String::from_utf8_lossy(&out.stderr)),
        Err(error) => panic!("python3: {error}"),
    }
}
