//! Generic documents through HTTP: created with a file (inline or multipart), kept in the
//! data directory by hash, retrieved and downloaded, attached to an inquiry, and deleted
//! from disk by redaction (their own, or their inquiry's).

use base64::Engine;
use serde_json::{json, Value};

use crate::common::{Client, Server};

const PDF: &[u8] = b"%PDF-1.4 bank statement of Quillanbrook";

fn inline(bytes: &[u8], filename: &str) -> Value {
    json!({"data": base64::engine::general_purpose::STANDARD.encode(bytes), "filename": filename})
}

async fn new_inquiry(api: &Client) -> String {
    let template = api.get("/api/v1/inquiry-templates").await.ids()[0].clone();
    api.post(
        "/api/v1/inquiries",
        json!({"data": {"attributes": {"inquiry-template-id": template}}}),
    )
    .await
    .id()
}

fn sha_of(document: &Value) -> String {
    let url = document["data"]["attributes"]["files"][0]["url"]
        .as_str()
        .unwrap();
    url.split('/').nth(6).unwrap().to_string()
}

/// The bytes of every stored file whose hash is `sha`: files of the data directory, or
/// (servers on PostgreSQL) rows of the database.
fn stored(server: &Server, sha: &str) -> Vec<Vec<u8>> {
    let in_database = crate::common::psql(
        &server.data_dir,
        &format!(
            "SELECT encode(string_agg(bytes, '' ORDER BY part), 'hex') FROM blobs \
             WHERE name LIKE '{sha}%' GROUP BY name"
        ),
    );
    match in_database {
        Some(rows) => rows
            .lines()
            .filter(|l| !l.is_empty())
            .map(|hex| hex::decode(hex).unwrap())
            .collect(),
        None => std::fs::read_dir(server.data_dir.join("files"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with(sha))
            .map(|p| std::fs::read(p).unwrap())
            .collect(),
    }
}

#[tokio::test]
async fn a_document_is_kept_by_hash_attached_and_downloaded() {
    let server = Server::start();
    let api = server.client();
    let inquiry = new_inquiry(&api).await;
    let created = api
        .post("/api/v1/document/generics", json!({"data": {"attributes": {"inquiry-id": inquiry, "kind": "proof_of_address", "file": inline(PDF, "statement.pdf")}}}))
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.id();
    assert!(id.starts_with("doc_"));
    assert_eq!(created.attr("kind"), "proof_of_address");
    assert_eq!(created.attr("files")[0]["byte-size"], PDF.len());
    assert_eq!(created.attr("files")[0]["filename"], "statement.pdf");
    let sha = sha_of(&created.body);
    let files = stored(&server, &sha);
    assert_eq!(files.len(), 1);
    assert_eq!(files[0], PDF);
    for path in [
        format!("/api/v1/document/generics/{id}"),
        format!("/api/v1/documents/{id}"),
    ] {
        let got = api.get(&path).await;
        assert_eq!(got.status, 200, "{path}");
        assert_eq!(
            got.body["data"]["relationships"]["inquiry"]["data"]["id"],
            json!(inquiry)
        );
    }
    let url = created.attr("files")[0]["url"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, headers, bytes) = api.get_bytes(&url).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, PDF);
    assert_eq!(headers["content-type"], "application/pdf");
    let got = api.get(&format!("/api/v1/inquiries/{inquiry}")).await;
    assert_eq!(
        got.body["data"]["relationships"]["documents"]["data"][0]["id"],
        json!(id)
    );
    let events = api
        .get(&format!("/api/v1/events?filter[object-id]={id}"))
        .await;
    assert_eq!(
        events.body["data"][0]["attributes"]["name"],
        "document.created"
    );
    // Multipart, as importers take files.
    let multipart = api
        .post_multipart(
            "/api/v1/document/generics",
            &[
                ("data[attributes][kind]", None, b"document"),
                (
                    "data[attributes][file]",
                    Some("scan.pdf"),
                    b"%PDF-1.4 another",
                ),
            ],
            &[],
        )
        .await;
    assert_eq!(multipart.status, 201, "{:?}", multipart.body);
    assert_eq!(multipart.attr("files")[0]["filename"], "scan.pdf");
}

#[tokio::test]
async fn bad_documents_are_refused_naming_the_field() {
    let server = Server::start();
    let api = server.client();
    let missing_file = api
        .post(
            "/api/v1/document/generics",
            json!({"data": {"attributes": {"kind": "document"}}}),
        )
        .await;
    assert_eq!(missing_file.status, 400);
    assert!(missing_file.details().contains("file"));
    let unknown_inquiry = api.post("/api/v1/document/generics", json!({"data": {"attributes": {"inquiry-id": "inq_nope", "file": inline(PDF, "a.pdf")}}})).await;
    assert_eq!(unknown_inquiry.status, 404);
    let unknown = api
        .post(
            "/api/v1/document/generics",
            json!({"data": {"attributes": {"colour": "red", "file": inline(PDF, "a.pdf")}}}),
        )
        .await;
    assert_eq!(unknown.status, 422);
    assert_eq!(
        unknown.body["errors"][0]["source"]["pointer"],
        "/data/attributes/colour"
    );
    assert_eq!(api.get("/api/v1/documents/doc_nope").await.status, 404);
}

#[tokio::test]
async fn redaction_deletes_the_documents_own_files() {
    let server = Server::start();
    let api = server.client();
    let first = api
        .post(
            "/api/v1/document/generics",
            json!({"data": {"attributes": {"file": inline(PDF, "a.pdf")}}}),
        )
        .await;
    let second = api
        .post(
            "/api/v1/document/generics",
            json!({"data": {"attributes": {"file": inline(PDF, "b.pdf")}}}),
        )
        .await;
    let sha = sha_of(&first.body);
    assert_eq!(sha, sha_of(&second.body));
    assert_eq!(
        stored(&server, &sha).len(),
        2,
        "each document has its own file, even of the same bytes"
    );
    let redacted = api
        .delete(&format!("/api/v1/document/generics/{}", first.id()))
        .await;
    assert_eq!(redacted.status, 200, "{:?}", redacted.body);
    assert!(redacted.attr("files").as_array().unwrap().is_empty());
    assert_eq!(
        stored(&server, &sha).len(),
        1,
        "the second document keeps its file"
    );
    let download = api
        .get_bytes(second.attr("files")[0]["url"].as_str().unwrap())
        .await;
    assert_eq!(download.0, 200);
    api.delete(&format!("/api/v1/document/generics/{}", second.id()))
        .await;
    assert!(stored(&server, &sha).is_empty());
    assert_eq!(
        api.delete(&format!("/api/v1/document/generics/{}", second.id()))
            .await
            .status,
        409
    );

    // An inquiry's redaction takes its documents' files with it.
    let inquiry = new_inquiry(&api).await;
    let attached = api
        .post("/api/v1/document/generics", json!({"data": {"attributes": {"inquiry-id": inquiry, "file": inline(b"%PDF-1.4 payslip", "p.pdf")}}}))
        .await;
    let sha = sha_of(&attached.body);
    assert_eq!(stored(&server, &sha).len(), 1);
    assert_eq!(
        api.delete(&format!("/api/v1/inquiries/{inquiry}"))
            .await
            .status,
        200
    );
    assert!(stored(&server, &sha).is_empty());
    let got = api
        .get(&format!("/api/v1/documents/{}", attached.id()))
        .await;
    assert!(got.attr("files").as_array().unwrap().is_empty());
}

#[tokio::test]
async fn files_left_behind_by_a_crash_are_swept_at_start() {
    let mut server = Server::start();
    let api = server.client();
    let kept = api
        .post(
            "/api/v1/document/generics",
            json!({"data": {"attributes": {"file": inline(PDF, "a.pdf")}}}),
        )
        .await;
    server.kill();
    let temp = server.take_tempdir();
    let (stray, young) = ("a".repeat(64), "b".repeat(64));
    let files = server.data_dir.join("files");
    // Written before a create that never committed. In a shared database, a file less
    // than an hour old may be another server's, between its write and its commit.
    let in_database = crate::common::psql(
        &server.data_dir,
        &format!(
            "INSERT INTO blobs (name, part, created_at, bytes) VALUES \
             ('{stray}', 0, 0, '\\x00'), \
             ('{young}', 0, (extract(epoch from now()) * 1000)::bigint, '\\x00')"
        ),
    )
    .is_some();
    if !in_database {
        std::fs::write(files.join(&stray), b"never committed").unwrap();
    }
    let restarted = Server::spawn(&server.data_dir, &[]);
    let _ = restarted
        .client_with_key(&server.sandbox_key)
        .get("/api/v1/documents/doc_x")
        .await;
    assert!(stored(&restarted, &stray).is_empty());
    if in_database {
        assert_eq!(stored(&restarted, &young).len(), 1);
    }
    assert_eq!(stored(&restarted, &sha_of(&kept.body)).len(), 1);
    drop(temp);
}

#[tokio::test]
async fn a_document_takes_several_files() {
    let server = Server::start();
    let api = server.client();
    let created = api
        .post("/api/v1/document/generics", json!({"data": {"attributes": {"files": [inline(PDF, "page-1.pdf"), inline(b"\x89PNG\r\n\x1a\npage two", "page-2.png")]}}}))
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let files = created.attr("files").as_array().unwrap().clone();
    assert_eq!(files.len(), 2);
    let (_, headers, bytes) = api.get_bytes(files[1]["url"].as_str().unwrap()).await;
    assert_eq!(headers["content-type"], "image/png");
    assert!(bytes.ends_with(b"page two"));
    let multipart = api
        .post_multipart(
            "/api/v1/document/generics",
            &[
                ("data[attributes][files][]", Some("a.pdf"), b"%PDF-1.4 a"),
                ("data[attributes][files][]", Some("b.pdf"), b"%PDF-1.4 b"),
            ],
            &[],
        )
        .await;
    assert_eq!(multipart.status, 201, "{:?}", multipart.body);
    assert_eq!(multipart.attr("files").as_array().unwrap().len(), 2);
    let too_many: Vec<Value> = (0..11)
        .map(|n| inline(format!("%PDF {n}").as_bytes(), "x.pdf"))
        .collect();
    let refused = api
        .post(
            "/api/v1/document/generics",
            json!({"data": {"attributes": {"files": too_many}}}),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.body["errors"][0]["source"]["pointer"],
        "/data/attributes/files"
    );
    // Importers still take exactly one file.
    let list = api.create_list("names", "l").await;
    let two = api
        .post("/api/v1/importer/list-item/names", json!({"data": {"attributes": {"list-id": list, "files": [inline(b"name_first,name_last\nA,B\n", "a.csv"), inline(b"name_first,name_last\nC,D\n", "b.csv")]}}}))
        .await;
    assert_eq!(two.status, 422, "{:?}", two.body);
}

/// Environments never share a file: redacting a sandbox document leaves the production
/// document with the same bytes downloadable. And 200 concurrent rounds of create and
/// redact with the same bytes, across both environments, lose no live document's file.
#[tokio::test]
async fn no_document_loses_its_file_to_another_documents_redaction() {
    let server = Server::start();
    let sandbox = server.client();
    let production = server.client_with_key(&server.production_key);
    let body = json!({"data": {"attributes": {"file": inline(PDF, "same.pdf")}}});
    let kept = production
        .post("/api/v1/document/generics", body.clone())
        .await;
    let gone = sandbox
        .post("/api/v1/document/generics", body.clone())
        .await;
    assert_eq!(
        sandbox
            .delete(&format!("/api/v1/document/generics/{}", gone.id()))
            .await
            .status,
        200
    );
    let url = kept.attr("files")[0]["url"].as_str().unwrap().to_string();
    let (status, _, bytes) = production.get_bytes(&url).await;
    assert_eq!((status, bytes.as_slice()), (200, PDF));

    let mut rounds = Vec::new();
    for round in 0..200 {
        let (sandbox, production, body) = (sandbox.clone(), production.clone(), body.clone());
        rounds.push(tokio::spawn(async move {
            let (creator, redactor) = if round % 2 == 0 {
                (&production, &sandbox)
            } else {
                (&sandbox, &production)
            };
            let doomed = redactor
                .post("/api/v1/document/generics", body.clone())
                .await
                .id();
            let path = format!("/api/v1/document/generics/{doomed}");
            let (created, redacted) = tokio::join!(
                creator.post("/api/v1/document/generics", body.clone()),
                redactor.delete(&path)
            );
            assert_eq!(redacted.status, 200, "{:?}", redacted.body);
            assert_eq!(created.status, 201, "{:?}", created.body);
            let url = created.attr("files")[0]["url"]
                .as_str()
                .unwrap()
                .to_string();
            (creator.clone(), url)
        }));
    }
    let mut lost = 0;
    for round in rounds {
        let (api, url) = round.await.unwrap();
        let (status, _, bytes) = api.get_bytes(&url).await;
        if status != 200 || bytes != PDF {
            lost += 1;
        }
    }
    assert_eq!(lost, 0, "files lost in 200 rounds");
}
