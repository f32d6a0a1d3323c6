//! Importers through HTTP and the CLI: CSV files of list items and accounts, sent inline
//! (base64) or as multipart; bad rows reported by line while the rest land; duplicates
//! counted; imported items and accounts screened like any other; an import killed
//! half-way resumes; `vigil import list` beside a running server.

use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

use crate::common::{Client, Server};

fn inline(list_id: Option<&str>, csv: &str, filename: &str) -> Value {
    let data = base64::engine::general_purpose::STANDARD.encode(csv);
    let mut attributes = json!({"file": {"data": data, "filename": filename}});
    if let Some(list_id) = list_id {
        attributes["list-id"] = json!(list_id);
    }
    json!({"data": {"attributes": attributes}})
}

/// Uploads waiting to be imported: files of the data directory's `imports` folder (a
/// server alone on its SQLite database keeps them out of it), or importers' rows still
/// holding their file (servers sharing a PostgreSQL database).
fn waiting_uploads(server: &Server) -> usize {
    match crate::common::psql(
        &server.data_dir,
        "SELECT COUNT(*) FROM importers WHERE file IS NOT NULL",
    ) {
        Some(count) => count.parse().unwrap(),
        None => std::fs::read_dir(server.data_dir.join("imports"))
            .unwrap()
            .count(),
    }
}

/// The importer once it is no longer `pending` (waits up to two minutes: a debug build
/// on PostgreSQL writes a 60,000-row import in about half a minute).
async fn finished(api: &Client, id: &str) -> Value {
    for _ in 0..2400 {
        let importer = api.get(&format!("/api/v1/importers/{id}")).await;
        assert_eq!(importer.status, 200, "{:?}", importer.body);
        if importer.attr("status") != "pending" {
            return importer.body["data"].clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("importer {id} never finished");
}

/// Wait (up to ten seconds) until a report of the account shows a match.
async fn wait_for_match(api: &Client, account_id: &str) {
    for _ in 0..200 {
        let reports = api
            .get(&format!("/api/v1/reports?filter[account-id]={account_id}"))
            .await;
        if reports.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["attributes"]["has-match"] == json!(true))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("account {account_id} was never flagged");
}

fn counts(importer: &Value) -> (u64, u64, u64) {
    let a = &importer["attributes"];
    (
        a["successful-count"].as_u64().unwrap(),
        a["duplicate-count"].as_u64().unwrap(),
        a["error-count"].as_u64().unwrap(),
    )
}

/// `(line, column)` of every rejected row.
async fn row_errors(api: &Client, id: &str) -> Vec<(u64, Option<String>)> {
    let errors = api.get(&format!("/api/v1/importers/{id}/errors")).await;
    assert_eq!(errors.status, 200, "{:?}", errors.body);
    errors.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["attributes"]["line"].as_u64().unwrap(),
                e["attributes"]["column"].as_str().map(String::from),
            )
        })
        .collect()
}

#[tokio::test]
async fn list_items_import_inline_or_multipart_and_bad_rows_are_reported_by_line() {
    let server = Server::start();
    let api = server.client();
    let emails = api
        .create_list("email-addresses", "email-addresses import")
        .await;
    let csv = "value,match_type\n\
               joe@evil.com,\n\
               not-an-email,\n\
               evil.org,domain\n\
               \n\
               Joe@Evil.com,email_address\n\
               x@y.com,fuzzy\n";
    let created = api
        .post_with(
            "/api/v1/importer/list-item/email-addresses",
            inline(Some(&emails), csv, "emails.csv"),
            &[("Idempotency-Key", "import-emails-1")],
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(
        created.body["data"]["type"],
        "importer/list-item/email-address"
    );
    assert!(created.id().starts_with("mprt_"));
    let id = created.id();
    // A retry with the same key is the same import, not a second one.
    let again = api
        .post_with(
            "/api/v1/importer/list-item/email-addresses",
            inline(Some(&emails), csv, "emails.csv"),
            &[("Idempotency-Key", "import-emails-1")],
        )
        .await;
    assert_eq!(again.id(), id);

    let importer = finished(&api, &id).await;
    assert_eq!(importer["attributes"]["status"], "ready");
    assert!(importer["attributes"]["completed-at"].is_string());
    // Two new values, the case-insensitive repeat of the first, two bad rows.
    assert_eq!(counts(&importer), (2, 1, 2));
    assert_eq!(
        row_errors(&api, &id).await,
        vec![
            (3, Some("value".to_string())),
            (7, Some("match_type".to_string()))
        ]
    );
    // The imported values are in the list: adding one again is Persona's 409.
    let duplicate = api
        .post(
            "/api/v1/list-item/email-addresses",
            json!({"data": {"attributes": {"list-id": emails, "value": "JOE@evil.com"}}}),
        )
        .await;
    assert_eq!(duplicate.status, 409, "{:?}", duplicate.body);

    // The same file as multipart, field names as Rails spells them: every good row is now
    // a duplicate.
    let phones = api
        .create_list("phone-numbers", "phone-numbers import")
        .await;
    let multipart = api
        .post_multipart(
            "/api/v1/importer/list-item/phone-numbers",
            &[
                ("data[attributes][list_id]", None, phones.as_bytes()),
                (
                    "data[attributes][file]",
                    Some("phones.csv"),
                    b"value\n+1 415 555 0100\n+1 (415) 555-0100\n+44 20 7946 0958\nnot a phone\n",
                ),
            ],
            &[],
        )
        .await;
    assert_eq!(multipart.status, 201, "{:?}", multipart.body);
    let phone_importer = finished(&api, &multipart.id()).await;
    assert_eq!(counts(&phone_importer), (2, 1, 1));
    assert_eq!(
        row_errors(&api, &multipart.id()).await,
        vec![(5, Some("value".to_string()))]
    );

    // Both are listed, newest first, with paging links.
    let listed = api.get("/api/v1/importers").await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.ids(), vec![multipart.id(), id.clone()]);
    let one = api.get("/api/v1/importers?page[size]=1").await;
    assert_eq!(one.ids(), vec![multipart.id()]);
    let next = one.body["links"]["next"].as_str().unwrap().to_string();
    assert_eq!(api.get(&next).await.ids(), vec![id.clone()]);

    // Each imported item has its list-item.created event, like one created by hand.
    let events = api
        .get("/api/v1/events?filter[name]=list-item.created&page[size]=100")
        .await;
    assert_eq!(events.ids().len(), 4);
}

#[tokio::test]
async fn importer_requests_are_checked_field_by_field() {
    let server = Server::start_with(&["--max-upload-bytes", "4096"]);
    let api = server.client();
    let names = api.create_list("names", "names import").await;
    let good = "name_first,name_last\nJoe,Imposter\n";
    let post = |path: &'static str, body: Value| {
        let api = api.clone();
        async move { api.post(&format!("/api/v1/importer/{path}"), body).await }
    };

    let countries = post("list-item/countries", inline(Some(&names), good, "c.csv")).await;
    assert_eq!(countries.status, 404);
    assert!(
        countries.details().contains("countries"),
        "{:?}",
        countries.body
    );

    let no_list = post("list-item/names", inline(None, good, "n.csv")).await;
    assert_eq!(no_list.status, 400);
    assert_eq!(
        no_list.body["errors"][0]["meta"]["pointer"],
        "/data/attributes/list-id"
    );

    // Persona's importers answer no 404: an unknown list is a bad list-id.
    let unknown_list = post("list-item/names", inline(Some("lst_nope"), good, "n.csv")).await;
    assert_eq!(unknown_list.status, 422);
    assert_eq!(
        unknown_list.body["errors"][0]["source"]["pointer"],
        "/data/attributes/list-id"
    );

    let emails = api
        .create_list("email-addresses", "email-addresses import")
        .await;
    let wrong_kind = post("list-item/names", inline(Some(&emails), good, "n.csv")).await;
    assert_eq!(wrong_kind.status, 422);
    assert_eq!(
        wrong_kind.body["errors"][0]["source"]["pointer"],
        "/data/attributes/list-id"
    );

    let bad_header = post(
        "list-item/names",
        inline(Some(&names), "first,last\nJoe,Imposter\n", "n.csv"),
    )
    .await;
    assert_eq!(bad_header.status, 422);
    assert_eq!(
        bad_header.body["errors"][0]["source"]["pointer"],
        "/data/attributes/file"
    );
    assert!(
        bad_header.details().contains("`first`"),
        "{:?}",
        bad_header.body
    );

    let not_base64 = post(
        "list-item/names",
        json!({"data": {"attributes": {"list-id": names, "file": {"data": "***", "filename": "n.csv"}}}}),
    )
    .await;
    assert_eq!(not_base64.status, 422);
    assert_eq!(
        not_base64.body["errors"][0]["source"]["pointer"],
        "/data/attributes/file/data"
    );

    let no_file = post(
        "list-item/names",
        json!({"data": {"attributes": {"list-id": names}}}),
    )
    .await;
    assert_eq!(no_file.status, 400);
    assert_eq!(
        no_file.body["errors"][0]["meta"]["pointer"],
        "/data/attributes/file"
    );

    let extra = post(
        "accounts",
        inline(Some(&names), "reference_id\nu-1\n", "a.csv"),
    )
    .await;
    assert_eq!(extra.status, 422);
    assert_eq!(
        extra.body["errors"][0]["source"]["pointer"],
        "/data/attributes/list-id"
    );

    let too_big = post(
        "list-item/names",
        inline(Some(&names), &"name_first\nJoe\n".repeat(400), "n.csv"),
    )
    .await;
    assert_eq!(too_big.status, 413);

    let bad_multipart = api
        .post_multipart(
            "/api/v1/importer/list-item/names",
            &[("list_id", None, names.as_bytes())],
            &[],
        )
        .await;
    assert_eq!(bad_multipart.status, 400);
    assert!(bad_multipart.details().contains("list_id"));
    // A streamed upload that is refused (its header, its list) leaves no file behind.
    for (list, file) in [
        (names.as_str(), b"colour\nred\n".as_slice()),
        ("lst_nope", b"name_first\nAnn\n".as_slice()),
    ] {
        let refused = api
            .post_multipart(
                "/api/v1/importer/list-item/names",
                &[
                    ("data[attributes][list-id]", None, list.as_bytes()),
                    ("data[attributes][file]", Some("n.csv"), file),
                ],
                &[],
            )
            .await;
        assert_eq!(refused.status, 422, "{:?}", refused.body);
    }
    assert_eq!(waiting_uploads(&server), 0, "refused uploads are deleted");

    assert!(api.delete(&format!("/api/v1/lists/{names}")).await.status == 200);
    let archived = post("list-item/names", inline(Some(&names), good, "n.csv")).await;
    assert_eq!(archived.status, 422);

    assert_eq!(api.get("/api/v1/importers/mprt_nope").await.status, 404);
    // Nothing above made an importer.
    assert!(api.get("/api/v1/importers").await.ids().is_empty());
}

#[tokio::test]
async fn accounts_import_and_are_screened_against_lists() {
    let server = Server::start();
    let api = server.client();
    let names = api.create_list("names", "names import").await;
    let item = api
        .post(
            "/api/v1/list-item/names",
            json!({"data": {"attributes": {"list-id": names, "name-first": "Joe", "name-last": "Imposter"}}}),
        )
        .await;
    assert_eq!(item.status, 201);
    api.create_account(json!({"reference-id": "u-taken"})).await;
    let csv = "reference_id,name_first,name_last,birthdate,tags\n\
               u-1,Ann,Smith,1980-02-03,\"vip, manual\"\n\
               u-taken,Bob,Jones,,\n\
               u-2,Joseph,Imposter,1975-05-06,\n\
               u-3,Eve,Adams,1980-13-40,\n";
    let created = api
        .post(
            "/api/v1/importer/accounts",
            inline(None, csv, "accounts.csv"),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["data"]["type"], "importer/account");
    let importer = finished(&api, &created.id()).await;
    assert_eq!(counts(&importer), (2, 1, 1));
    // The upload waited in the data directory (or, on a shared database, in the
    // importer's row) and is gone once done.
    assert_eq!(waiting_uploads(&server), 0, "deleted once imported");
    assert_eq!(
        row_errors(&api, &created.id()).await,
        vec![(5, Some("birthdate".to_string()))]
    );

    let ann = api.get("/api/v1/accounts?filter[reference-id]=u-1").await;
    assert_eq!(ann.ids().len(), 1);
    let attributes = &ann.body["data"][0]["attributes"];
    assert_eq!(attributes["tags"], json!(["vip", "manual"]));
    assert_eq!(attributes["fields"]["birthdate"]["value"], "1980-02-03");
    let joe = api
        .get("/api/v1/accounts?filter[reference-id]=u-2")
        .await
        .ids()[0]
        .clone();
    // An imported account is screened like one created by hand.
    wait_for_match(&api, &joe).await;
}

fn names_csv(rows: usize) -> String {
    let mut csv = String::from("name_first,name_last\n");
    for i in 0..rows {
        csv.push_str(&format!("Given{i},Family{}\n", i * 7919 % 100_003));
    }
    csv
}

#[tokio::test]
async fn an_import_killed_half_way_resumes_without_losing_or_repeating_rows() {
    let mut server = Server::start_with(&["--rate-limit", "0"]);
    let temp = server.take_tempdir().unwrap();
    let key = server.sandbox_key.clone();
    let api = server.client();
    let names = api.create_list("names", "names import").await;
    let rows = 60_000;
    let created = api
        .post(
            "/api/v1/importer/list-item/names",
            inline(Some(&names), &names_csv(rows), "names.csv"),
        )
        .await;
    assert_eq!(created.status, 201);
    let id = created.id();
    // Kill it once some chunks are committed and before the last.
    let mut seen = 0;
    for _ in 0..2000 {
        let importer = api.get(&format!("/api/v1/importers/{id}")).await;
        seen = counts(&importer.body["data"]).0;
        assert_eq!(
            importer.attr("status"),
            "pending",
            "finished before the kill"
        );
        if seen > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(seen > 0 && (seen as usize) < rows);
    server.kill();

    let restarted = Server::spawn(&temp.path().join("data"), &["--rate-limit", "0"]);
    let api = restarted.client_with_key(&key);
    let importer = finished(&api, &id).await;
    assert_eq!(importer["attributes"]["status"], "ready");
    // Every row exactly once: none lost, none counted twice, none a duplicate of itself.
    assert_eq!(counts(&importer), (rows as u64, 0, 0));
}

#[tokio::test]
async fn vigil_import_list_runs_beside_a_server_and_reports_bad_lines() {
    let server = Server::start();
    let api = server.client();
    let joe = api
        .create_account(json!({"name-first": "Joe", "name-last": "Imposter"}))
        .await
        .id();
    let names = api.create_list("names", "names import").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("names.csv");
    let mut csv = names_csv(5_000);
    csv.push_str("Joe,Imposter\n");
    csv.push_str(&format!("{},x\n", "a".repeat(1001)));
    std::fs::write(&file, csv).unwrap();
    let output = crate::common::vigil_on(&server.data_dir)
        .args(["import", "list", "--data-dir"])
        .arg(&server.data_dir)
        .args(["--list-id", &names])
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("5001 imported, 0 duplicates, 1 errors (5002 rows)"),
        "{stdout}"
    );
    assert!(stdout.contains("line 5003 (name_first)"), "{stdout}");
    // The server sees the import and flags the existing account from the new items.
    let listed = api.get("/api/v1/importers").await;
    assert_eq!(counts(&listed.body["data"][0]), (5001, 0, 1));
    wait_for_match(&api, &joe).await;
    let unknown = crate::common::vigil_on(&server.data_dir)
        .args(["import", "list", "--data-dir"])
        .arg(&server.data_dir)
        .args(["--list-id", "lst_nope"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("not found"));
}

/// Imports follow the test clock like everything else: the accounts an import creates and
/// the importer's completion carry the server's (moved) time, not the wall clock's.
#[tokio::test]
async fn imports_follow_the_test_clock() {
    let server = Server::start_with(&["--test-clock"]);
    let api = server.client();
    let moved = api
        .post(
            "/api/v1/test-clock/advance",
            json!({"meta": {"seconds": 10 * 86_400}}),
        )
        .await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    let csv = "reference_id,name_first\nclock-1,Ann\n";
    let created = api
        .post(
            "/api/v1/importer/accounts",
            inline(None, csv, "accounts.csv"),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let importer = finished(&api, &created.id()).await;
    let nine_days = wall_clock_days_ahead(9);
    let completed = importer["attributes"]["completed-at"].as_str().unwrap();
    assert!(
        completed > nine_days.as_str(),
        "{completed} is the moved time"
    );
    let account = api
        .get("/api/v1/accounts?filter[reference-id]=clock-1")
        .await;
    let created_at = account.body["data"][0]["attributes"]["created-at"]
        .as_str()
        .unwrap();
    assert!(
        created_at > nine_days.as_str(),
        "{created_at} is the moved time"
    );
}

/// The wall clock `days` ahead, as the API writes times (RFC 3339, UTC, milliseconds).
fn wall_clock_days_ahead(days: i64) -> String {
    let output = std::process::Command::new("date")
        .args([
            "-u",
            "-d",
            &format!("+{days} days"),
            "+%Y-%m-%dT%H:%M:%S.000Z",
        ])
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}
