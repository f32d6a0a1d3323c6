//! Tags, relations, consolidation, redaction, archive and restore.

use serde_json::json;

use crate::common::{markers_on_disk, Server};

#[tokio::test]
async fn tags() {
    let server = Server::start();
    let api = server.client();
    let id = api.create_account(json!({})).await.id();
    let added = api
        .post(
            &format!("/api/v1/accounts/{id}/add-tag"),
            json!({"meta": {"tag-name": "fraud-review"}}),
        )
        .await;
    assert_eq!(added.status, 200);
    assert_eq!(added.attr("tags"), &json!(["fraud-review"]));
    let twice = api
        .post(
            &format!("/api/v1/accounts/{id}/add-tag"),
            json!({"meta": {"tag-name": "fraud-review"}}),
        )
        .await;
    assert_eq!(twice.attr("tags"), &json!(["fraud-review"]));
    let set = api
        .post(
            &format!("/api/v1/accounts/{id}/set-tags"),
            json!({"meta": {"tag-name": ["a", "b", "a"]}}),
        )
        .await;
    assert_eq!(set.attr("tags"), &json!(["a", "b"]));
    let removed = api
        .post(
            &format!("/api/v1/accounts/{id}/remove-tag"),
            json!({"meta": {"tag-name": "a"}}),
        )
        .await;
    assert_eq!(removed.attr("tags"), &json!(["b"]));
    assert_eq!(
        api.event_names(&id).await,
        vec![
            "account.tag-removed",
            "account.updated-tags",
            "account.tag-added",
            "account.created"
        ]
    );
    let missing = api
        .post(
            &format!("/api/v1/accounts/{id}/add-tag"),
            json!({"meta": {}}),
        )
        .await;
    assert_eq!(
        (missing.status, missing.details()),
        (400, "meta.tag-name is missing")
    );
    let empty = api
        .post(
            &format!("/api/v1/accounts/{id}/add-tag"),
            json!({"meta": {"tag-name": "  "}}),
        )
        .await;
    assert_eq!(empty.status, 422);
    let not_array = api
        .post(
            &format!("/api/v1/accounts/{id}/set-tags"),
            json!({"meta": {"tag-name": "x"}}),
        )
        .await;
    assert_eq!(not_array.status, 400);
}

#[tokio::test]
async fn relations() {
    let server = Server::start();
    let api = server.client();
    let parent = api
        .create_account(json!({"reference-id": "parent"}))
        .await
        .id();
    let child1 = api.create_account(json!({"reference-id": "c1"})).await.id();
    let child2 = api.create_account(json!({"reference-id": "c2"})).await.id();
    for child in [&child1, &child2] {
        let added = api
            .post(
                &format!("/api/v1/accounts/{parent}/add-relation"),
                json!({"meta": {"relation-schema-key": "household", "target-object-id": child}}),
            )
            .await;
        assert_eq!(added.status, 200, "{}", added.body);
    }
    let listed = api
        .get(&format!(
            "/api/v1/accounts/{parent}/relations?filter[key]=household"
        ))
        .await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(listed.ids(), vec![child2.clone(), child1.clone()]);
    let paged = api
        .get(&format!(
            "/api/v1/accounts/{parent}/relations?filter[key]=household&page[size]=1"
        ))
        .await;
    assert_eq!(paged.ids(), vec![child2.clone()]);
    let next = api.get(paged.body["links"]["next"].as_str().unwrap()).await;
    assert_eq!(next.ids(), vec![child1.clone()]);
    let other_key = api
        .get(&format!(
            "/api/v1/accounts/{parent}/relations?filter[key]=employer"
        ))
        .await;
    assert!(other_key.ids().is_empty());
    // Beyond Persona: the keys an account uses, with how many under each.
    let employer = api
        .create_account(json!({"reference-id": "work"}))
        .await
        .id();
    let added = api
        .post(
            &format!("/api/v1/accounts/{parent}/add-relation"),
            json!({"meta": {"relation-schema-key": "employer", "target-object-id": employer}}),
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.body);
    let keys = api
        .get(&format!("/api/v1/accounts/{parent}/relation-keys"))
        .await;
    assert_eq!(keys.status, 200, "{}", keys.body);
    assert_eq!(keys.ids(), vec!["employer", "household"]);
    assert_eq!(keys.body["data"][1]["attributes"]["count"], 2);
    let none = api
        .get(&format!("/api/v1/accounts/{child1}/relation-keys"))
        .await;
    assert_eq!(none.status, 200, "{}", none.body);
    assert!(
        none.ids().is_empty(),
        "relations are one way: {}",
        none.body
    );
    for (path, status) in [
        (
            "/api/v1/accounts/act_missing/relation-keys".to_string(),
            404,
        ),
        (
            format!("/api/v1/accounts/{parent}/relation-keys?filter[key]=x"),
            400,
        ),
        (
            format!("/api/v1/accounts/{parent}/relation-keys?page[after]=x"),
            400,
        ),
    ] {
        assert_eq!(api.get(&path).await.status, status, "{path}");
    }
    let removed = api
        .post(
            &format!("/api/v1/accounts/{parent}/remove-relation"),
            json!({"meta": {"relation-schema-key": "household", "target-object-id": child1}}),
        )
        .await;
    assert_eq!(removed.status, 200);
    let again = api
        .post(
            &format!("/api/v1/accounts/{parent}/remove-relation"),
            json!({"meta": {"relation-schema-key": "household", "target-object-id": child1}}),
        )
        .await;
    assert_eq!(again.status, 404);
    let no_key = api
        .get(&format!("/api/v1/accounts/{parent}/relations"))
        .await;
    assert_eq!(no_key.status, 400);
    let to_self = api
        .post(
            &format!("/api/v1/accounts/{parent}/add-relation"),
            json!({"meta": {"relation-schema-key": "x", "target-object-id": parent}}),
        )
        .await;
    assert_eq!(to_self.status, 422);
    let unknown = api
        .post(
            &format!("/api/v1/accounts/{parent}/add-relation"),
            json!({"meta": {"relation-schema-key": "x", "target-object-id": "act_missing"}}),
        )
        .await;
    assert_eq!(unknown.status, 404);
    let missing = api
        .post(
            &format!("/api/v1/accounts/{parent}/add-relation"),
            json!({"meta": {"relation-schema-key": "x"}}),
        )
        .await;
    assert_eq!(
        (missing.status, missing.details()),
        (400, "meta.target-object-id is missing")
    );
    assert_eq!(
        api.event_names(&parent).await[..2],
        ["account.removed-relation", "account.added-relation"]
    );
}

#[tokio::test]
async fn consolidate_moves_children_and_archives_sources() {
    let server = Server::start();
    let api = server.client();
    let destination = api
        .create_account(json!({"reference-id": "keep"}))
        .await
        .id();
    let source = api
        .create_account(json!({"reference-id": "dup", "name-first": "Jo"}))
        .await
        .id();
    let friend = api
        .create_account(json!({"reference-id": "friend"}))
        .await
        .id();
    api.post(
        &format!("/api/v1/accounts/{source}/add-relation"),
        json!({"meta": {"relation-schema-key": "friend", "target-object-id": friend}}),
    )
    .await;
    api.post(
        &format!("/api/v1/accounts/{friend}/add-relation"),
        json!({"meta": {"relation-schema-key": "friend", "target-object-id": source}}),
    )
    .await;
    // Every resource of the source moves: its inquiry (with its document), its report,
    // the case about it.
    let template = api.get("/api/v1/inquiry-templates").await.ids()[0].clone();
    let inquiry = api
        .post(
            "/api/v1/inquiries",
            json!({"data": {"attributes": {"inquiry-template-id": template, "account-id": source}}}),
        )
        .await;
    assert_eq!(inquiry.status, 201, "{}", inquiry.body);
    let document = api
        .post(
            "/api/v1/document/generics",
            json!({"data": {"attributes": {"inquiry-id": inquiry.id(), "file": {"data": "JVBERi0xLjQgeA==", "filename": "a.pdf"}}}}),
        )
        .await;
    assert_eq!(document.status, 201, "{}", document.body);
    let report = api
        .post(
            "/api/v1/reports",
            json!({"data": {"type": "report/watchlist", "attributes": {"account-id": source, "query": {"term": "Jo Dup"}}}}),
        )
        .await;
    assert_eq!(report.status, 201, "{}", report.body);
    let case_template = api.get("/api/v1/case-templates").await.ids()[0].clone();
    let case = api
        .post(
            "/api/v1/cases",
            json!({"data": {"attributes": {"case-template-id": case_template}}, "meta": {"object-ids": [source]}}),
        )
        .await;
    assert_eq!(case.status, 201, "{}", case.body);
    let merged = api
        .post(
            &format!("/api/v1/accounts/{destination}/consolidate"),
            json!({"meta": {"source-account-ids": [source]}}),
        )
        .await;
    assert_eq!(merged.status, 202, "{}", merged.body);
    assert_eq!(merged.id(), destination);
    let with = api
        .get(&format!(
            "/api/v1/events?filter[object-id]={destination}&filter[name]=account.consolidated-with"
        ))
        .await;
    let counts = &with.body["data"][0]["attributes"]["context"]["moved"];
    assert_eq!(
        (
            &counts["inquiries"],
            &counts["reports"],
            &counts["documents"],
            &counts["cases"]
        ),
        (&json!(1), &json!(1), &json!(1), &json!(1)),
        "{}",
        with.body
    );
    assert!(counts["relations"].as_u64().unwrap() >= 1);
    let owner = |response: crate::common::Response| {
        response.body["data"]["relationships"]["account"]["data"]["id"].clone()
    };
    assert_eq!(
        owner(
            api.get(&format!("/api/v1/inquiries/{}", inquiry.id()))
                .await
        ),
        json!(destination)
    );
    assert_eq!(
        owner(api.get(&format!("/api/v1/reports/{}", report.id())).await),
        json!(destination)
    );
    let case = api.get(&format!("/api/v1/cases/{}", case.id())).await;
    let accounts: Vec<&str> = case.body["data"]["relationships"]["accounts"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(accounts, [destination.as_str()]);
    // The source is done: no new inquiries or reports on it, and no way back.
    let late = api
        .post(
            "/api/v1/inquiries",
            json!({"data": {"attributes": {"inquiry-template-id": template, "account-id": source}}}),
        )
        .await;
    assert_eq!(late.status, 422, "{}", late.body);
    assert!(late.details().contains(&destination), "{}", late.details());
    let late = api
        .post(
            "/api/v1/reports",
            json!({"data": {"type": "report/watchlist", "attributes": {"account-id": source, "query": {"term": "Jo Dup"}}}}),
        )
        .await;
    assert_eq!(late.status, 422, "{}", late.body);
    let restored = api
        .post(&format!("/api/v1/accounts/{source}/restore"), json!({}))
        .await;
    assert_eq!(restored.status, 409, "{}", restored.body);
    let moved = api
        .get(&format!(
            "/api/v1/accounts/{destination}/relations?filter[key]=friend"
        ))
        .await;
    assert_eq!(moved.ids(), vec![friend.clone()]);
    let retargeted = api
        .get(&format!(
            "/api/v1/accounts/{friend}/relations?filter[key]=friend"
        ))
        .await;
    assert_eq!(retargeted.ids(), vec![destination.clone()]);
    let listed = api.get("/api/v1/accounts").await;
    assert!(
        !listed.ids().contains(&source),
        "sources are archived, so not listed"
    );
    let archived = api.get("/api/v1/accounts?filter[archived]=true").await;
    assert_eq!(archived.ids(), vec![source.clone()]);
    assert_eq!(api.event_names(&source).await[0], "account.consolidated");
    assert_eq!(
        api.event_names(&destination).await[0],
        "account.consolidated-with"
    );
    let again = api
        .post(
            &format!("/api/v1/accounts/{destination}/consolidate"),
            json!({"meta": {"source-account-ids": [source]}}),
        )
        .await;
    assert_eq!(again.status, 409);
    let into_self = api
        .post(
            &format!("/api/v1/accounts/{destination}/consolidate"),
            json!({"meta": {"source-account-ids": [destination]}}),
        )
        .await;
    assert_eq!(into_self.status, 422);
    let missing = api
        .post(
            &format!("/api/v1/accounts/{destination}/consolidate"),
            json!({"meta": {"source-account-ids": ["act_nope"]}}),
        )
        .await;
    assert_eq!(missing.status, 404);
    let no_sources = api
        .post(
            &format!("/api/v1/accounts/{destination}/consolidate"),
            json!({"meta": {}}),
        )
        .await;
    assert_eq!(no_sources.status, 400);
    let change_archived = api
        .post(
            &format!("/api/v1/accounts/{source}/add-tag"),
            json!({"meta": {"tag-name": "x"}}),
        )
        .await;
    assert_eq!(change_archived.status, 409);
}

#[tokio::test]
async fn archive_and_restore() {
    let server = Server::start();
    let api = server.client();
    let id = api.create_account(json!({})).await.id();
    let archived = api
        .post(&format!("/api/v1/accounts/{id}/archive"), json!({}))
        .await;
    assert_eq!(archived.status, 200);
    assert_eq!(
        api.post(&format!("/api/v1/accounts/{id}/archive"), json!({}))
            .await
            .status,
        409
    );
    assert!(api.get("/api/v1/accounts").await.ids().is_empty());
    assert_eq!(
        api.get(&format!("/api/v1/accounts/{id}")).await.status,
        200,
        "archived accounts stay retrievable"
    );
    let restored = api
        .post(&format!("/api/v1/accounts/{id}/restore"), json!({}))
        .await;
    assert_eq!(restored.status, 200);
    assert_eq!(api.get("/api/v1/accounts").await.ids(), vec![id.clone()]);
    assert_eq!(
        api.event_names(&id).await,
        vec!["account.restored", "account.archived", "account.created"]
    );
}

#[tokio::test]
async fn redaction_removes_personal_data_from_disk() {
    // On PostgreSQL what a redaction overwrote leaves the files at the scrub (here run by
    // hand; the schedule's own test is `a_scheduled_scrub_follows_a_redaction`).
    let server = Server::start_with(&["--scrub-at", "never"]);
    let api = server.client();
    // Redacting cannot be undone: writing accounts does not imply it.
    let made = crate::common::create_key(
        &server.data_dir,
        &[
            "--env",
            "sandbox",
            "--permissions",
            "account.read,account.write",
        ],
    );
    let writer = server.client_with_key(String::from_utf8(made.stdout).unwrap().trim());
    let kept = api.create_account(json!({"name-first": "Kept"})).await.id();
    let refused = writer.delete(&format!("/api/v1/accounts/{kept}")).await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    assert!(
        refused.details().contains("redact"),
        "{}",
        refused.details()
    );
    let still = api.get(&format!("/api/v1/accounts/{kept}")).await;
    assert_eq!(still.attr("redacted-at"), &json!(null));
    let marker_name = "Zebulonwhistlecraft";
    let marker_email = "zeb.unique.marker@example.org";
    let marker_photo = "Qwertyphotomarkerpixels";
    let photo = crate::common::png_with(marker_photo);
    let account = api
        .post_with(
            "/api/v1/accounts",
            json!({"data": {"attributes": {"name-first": marker_name, "email-address": marker_email, "birthdate": "1970-01-02",
                "selfie-photo": {"data": {"data": photo, "filename": "me.png"}}}}}),
            &[("Idempotency-Key", "redact-me")],
        )
        .await;
    let id = account.id();
    api.patch(
        &format!("/api/v1/accounts/{id}"),
        json!({"data": {"attributes": {"name-last": marker_name}}}),
    )
    .await;
    assert_eq!(
        markers_on_disk(&server.data_dir, &[marker_name, marker_photo]),
        [marker_name, marker_photo],
        "the markers are on disk before redaction"
    );
    let photo_url = account.attr("fields")["selfie_photo"]["value"]["url"]
        .as_str()
        .unwrap()
        .to_string();

    // Copies elsewhere: a watchlist report of the account (its query, and the stored
    // idempotent response to its creation), and a case about the account with a comment
    // (its text, and its stored response).
    let marker_query = "Quorvandellish";
    let marker_comment = "Xylophantasmic";
    let report = api
        .post_with(
            "/api/v1/reports",
            json!({"data": {"type": "report/watchlist", "attributes": {"account-id": id, "query": {"name-first": marker_query, "name-last": "Vox"}}}}),
            &[("Idempotency-Key", "report-of-redacted")],
        )
        .await;
    assert_eq!(report.status, 201, "{}", report.body);
    let template = api.get("/api/v1/case-templates").await.ids()[0].clone();
    let case = api
        .post(
            "/api/v1/cases",
            json!({"data": {"attributes": {"case-template-id": template}}, "meta": {"object-ids": [id]}}),
        )
        .await;
    assert_eq!(case.status, 201, "{}", case.body);
    let comment = api
        .post_with(
            &format!("/api/v1/cases/{}/comments", case.id()),
            json!({"data": {"attributes": {"message": format!("spoke to {marker_comment}")}}}),
            &[("Idempotency-Key", "comment-on-redacted")],
        )
        .await;
    assert!(comment.status < 300, "{}", comment.body);
    assert_eq!(
        markers_on_disk(&server.data_dir, &[marker_query, marker_comment]),
        [marker_query, marker_comment],
        "on disk before"
    );

    let redacted = api.delete(&format!("/api/v1/accounts/{id}")).await;
    assert_eq!(redacted.status, 200, "{}", redacted.body);
    assert!(redacted.attr("redacted-at").is_string());
    assert_eq!(redacted.attr("fields"), &json!({}));
    let events = api
        .get(&format!("/api/v1/events?filter[object-id]={id}"))
        .await;
    assert_eq!(
        events.body["data"][0]["attributes"]["name"],
        "account.redacted"
    );
    for event in events.body["data"].as_array().unwrap() {
        assert_eq!(
            event["attributes"]["payload"]["data"]["attributes"]["fields"],
            json!({}),
            "event payloads are redacted too"
        );
    }
    let markers = [
        marker_name,
        marker_email,
        marker_photo,
        marker_query,
        marker_comment,
    ];
    if !crate::common::on_sqlite() {
        // PostgreSQL still holds the old row versions, index keys and WAL; the scrub
        // rewrites them away (a superuser's scrub does everything, warning of nothing).
        assert!(
            !markers_on_disk(&server.data_dir, &markers).is_empty(),
            "before the scrub, PostgreSQL's files still hold what was redacted"
        );
        let said = crate::common::scrub_now(&server.data_dir).unwrap();
        assert!(said.starts_with("rewrote "), "{said}");
        assert!(
            said.contains("accounts") && said.contains("events"),
            "{said}"
        );
    }
    assert_eq!(
        markers_on_disk(&server.data_dir, &markers),
        Vec::<&str>::new(),
        "redacted personal data still on disk"
    );
    assert_eq!(api.get(&photo_url).await.status, 404);
    let report = api.get(&format!("/api/v1/reports/{}", report.id())).await;
    assert!(report.attr("redacted-at").is_string(), "{}", report.body);
    let case = api.get(&format!("/api/v1/cases/{}", case.id())).await;
    assert!(case.attr("redacted-at").is_string(), "{}", case.body);
    // Replaying the report's creation no longer hands back the pre-redaction copy.
    let replay = api
        .post_with(
            "/api/v1/reports",
            json!({"data": {"type": "report/watchlist", "attributes": {"account-id": id, "query": {"name-first": marker_query, "name-last": "Vox"}}}}),
            &[("Idempotency-Key", "report-of-redacted")],
        )
        .await;
    assert_eq!(replay.header("idempotent-replayed"), None);
    assert_ne!(replay.id(), report.id());

    // The account keeps working and collects new data.
    let updated = api
        .patch(
            &format!("/api/v1/accounts/{id}"),
            json!({"data": {"attributes": {"name-first": "New"}}}),
        )
        .await;
    assert_eq!(updated.status, 200);
    assert_eq!(
        updated.attr("fields")["name"]["value"]["first"]["value"],
        "New"
    );
}

#[tokio::test]
async fn a_scheduled_scrub_follows_a_redaction() {
    let server = Server::start_with(&["--scrub-at", "redaction"]);
    let scrub = || {
        crate::common::vigil_on(&server.data_dir)
            .args(["scrub", "--data-dir", server.data_dir.to_str().unwrap()])
            .output()
            .unwrap()
    };
    if crate::common::on_sqlite() {
        let said = scrub();
        assert!(said.status.success());
        assert!(
            String::from_utf8_lossy(&said.stdout).starts_with("nothing to do: SQLite clears"),
            "{}",
            String::from_utf8_lossy(&said.stdout)
        );
        return;
    }
    let api = server.client();
    let marker = "Scrubbinsonmarker";
    let id = api.create_account(json!({"name-first": marker})).await.id();
    assert_eq!(
        api.delete(&format!("/api/v1/accounts/{id}")).await.status,
        200
    );
    // The leader notices within seconds; its scrub covers the redaction counted with it.
    let owed = "SELECT COALESCE((SELECT event_seq FROM cursors WHERE name = 'redactions'), 0) \
                > COALESCE((SELECT event_seq FROM cursors WHERE name = 'redactions-scrubbed'), 0)";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while crate::common::psql(&server.data_dir, owed).unwrap() == "t" {
        assert!(
            std::time::Instant::now() < deadline,
            "the server did not scrub within a minute of a redaction"
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert_eq!(
        markers_on_disk(&server.data_dir, &[marker]),
        Vec::<&str>::new()
    );
    let said = scrub();
    assert!(
        String::from_utf8_lossy(&said.stdout).starts_with("nothing to do: no redaction since"),
        "{}",
        String::from_utf8_lossy(&said.stdout)
    );
}
