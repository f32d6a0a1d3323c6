//! Create, retrieve, update, list, search, upsert, validation.

use serde_json::json;

use crate::common::Server;

#[tokio::test]
async fn create_retrieve_update_round_trip() {
    let server = Server::start();
    let api = server.client();
    let created = api
        .create_account(json!({
            "reference-id": "user-1", "name-first": "Jane", "name-last": "Doe", "birthdate": "1994-04-12",
            "email-address": "jane@example.com", "country-code": "us", "tags": ["vip"],
            "fields": {"risk_score": 12, "address": {"city": "Lyon"}}
        }))
        .await;
    let id = created.id();
    assert!(id.starts_with("act_") && id.len() == 28, "{id}");
    assert_eq!(created.attr("reference-id"), "user-1");
    assert_eq!(created.attr("account-status"), "active");
    assert_eq!(
        created.attr("fields")["name"]["value"]["first"]["value"],
        "Jane"
    );
    assert_eq!(
        created.attr("fields")["address"]["value"]["country_code"]["value"],
        "US"
    );
    assert_eq!(
        created.attr("fields")["address"]["value"]["city"]["value"],
        "Lyon"
    );
    assert_eq!(
        created.attr("fields")["risk_score"],
        json!({"type": "integer", "value": 12})
    );
    assert_eq!(created.attr("tags"), &json!(["vip"]));

    let fetched = api.get(&format!("/api/v1/accounts/{id}")).await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body["data"], created.body["data"]);

    let updated = api.patch(&format!("/api/v1/accounts/{id}"), json!({"data": {"attributes": {"name-middle": "Marie", "account-status": "suspended"}}})).await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(
        updated.attr("fields")["name"]["value"]["middle"]["value"],
        "Marie"
    );
    assert_eq!(
        updated.attr("fields")["name"]["value"]["first"]["value"],
        "Jane",
        "hash fields merge"
    );
    assert_eq!(updated.attr("account-status"), "suspended");

    assert_eq!(
        api.event_names(&id).await,
        vec![
            "account.status-updated",
            "account.updated-fields",
            "account.created"
        ]
    );
}

#[tokio::test]
async fn validation_errors_name_the_field_and_write_nothing() {
    let server = Server::start();
    let api = server.client();
    let cases = [
        (
            json!({"data": {"attributes": {"birthdate": "1994-02-30"}}}),
            422,
            "/data/attributes/birthdate",
        ),
        (
            json!({"data": {"attributes": {"country-code": "ZX"}}}),
            422,
            "/data/attributes/country-code",
        ),
        (
            json!({"data": {"attributes": {"email-address": "not-an-email"}}}),
            422,
            "/data/attributes/email-address",
        ),
        (
            json!({"data": {"attributes": {"account-status": "vip"}}}),
            422,
            "/data/attributes/account-status",
        ),
        (
            json!({"data": {"attributes": {"fields": {"address": {"country_code": "ZZ"}}}}}),
            422,
            "/data/attributes/fields/address/country_code",
        ),
    ];
    for (body, status, pointer) in cases {
        let response = api.post("/api/v1/accounts", body.clone()).await;
        assert_eq!(response.status, status, "{body} → {}", response.body);
        assert_eq!(response.body["errors"][0]["source"]["pointer"], pointer);
        assert!(
            response
                .details()
                .starts_with(&pointer.trim_start_matches('/').replace('/', ".")),
            "{}",
            response.details()
        );
    }
    let wrong_types = [
        (
            json!({"data": {"attributes": {"name-first": 7}}}),
            "data.attributes.name-first must be a string",
        ),
        (
            json!({"data": {"attributes": {"tags": "vip"}}}),
            "data.attributes.tags must be an array of strings",
        ),
        (
            json!({"data": {"attributes": {"nickname": "x"}}}),
            "data.attributes.nickname is not an allowed attribute",
        ),
        (json!({"data": "x"}), "data must be an object"),
        (
            json!({"data": {"attributes": {}}, "meta": {"upsert-by": 3}}),
            "meta.upsert-by must be a field name",
        ),
    ];
    for (body, details) in wrong_types {
        let response = api.post("/api/v1/accounts", body.clone()).await;
        assert_eq!(response.status, 400, "{body} → {}", response.body);
        assert_eq!(response.details(), details);
    }
    let malformed = api
        .raw(
            reqwest::Method::POST,
            "/api/v1/accounts",
            Some(b"{\"data\":".to_vec()),
            &[],
        )
        .await;
    assert_eq!(malformed.status, 400);
    assert!(malformed.details().contains("not valid JSON"));
    let not_object = api
        .raw(
            reqwest::Method::POST,
            "/api/v1/accounts",
            Some(b"[1,2]".to_vec()),
            &[],
        )
        .await;
    assert_eq!(not_object.status, 400);
    let list = api.get("/api/v1/accounts").await;
    assert_eq!(
        list.body["data"].as_array().unwrap().len(),
        0,
        "no failed request wrote anything"
    );
    let events = api.get("/api/v1/events").await;
    assert_eq!(events.body["data"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn unknown_ids_are_404() {
    let server = Server::start();
    let api = server.client();
    for path in [
        "/api/v1/accounts/act_doesnotexist",
        "/api/v1/events/evt_nope",
        "/api/v1/account-types/acttp_nope",
    ] {
        let response = api.get(path).await;
        assert_eq!(response.status, 404, "{path}");
        assert_eq!(response.body["errors"][0]["title"], "Record not found");
    }
    let response = api
        .post(
            "/api/v1/accounts/act_nope/add-tag",
            json!({"meta": {"tag-name": "x"}}),
        )
        .await;
    assert_eq!(response.status, 404);
    let response = api
        .patch(
            "/api/v1/accounts/act_nope",
            json!({"data": {"attributes": {"reference-id": "x"}}}),
        )
        .await;
    assert_eq!(response.status, 404);
}

#[tokio::test]
async fn list_filters_and_pagination_edges() {
    let server = Server::start();
    let api = server.client();
    let mut ids = Vec::new();
    for i in 0..25 {
        ids.push(
            api.create_account(json!({"reference-id": format!("ref-{i}")}))
                .await
                .id(),
        );
    }
    ids.reverse(); // newest first
    let first = api.get("/api/v1/accounts").await;
    assert_eq!(first.ids(), ids[..10]);
    assert_eq!(first.body["links"]["prev"], serde_json::Value::Null);
    let next = first.body["links"]["next"].as_str().unwrap().to_string();
    assert_eq!(next, format!("/api/v1/accounts?page%5Bafter%5D={}", ids[9]));
    let second = api.get(&next).await;
    assert_eq!(second.ids(), ids[10..20]);
    let third = api
        .get(second.body["links"]["next"].as_str().unwrap())
        .await;
    assert_eq!(third.ids(), ids[20..]);
    assert_eq!(third.body["links"]["next"], serde_json::Value::Null);
    let back = api.get(third.body["links"]["prev"].as_str().unwrap()).await;
    assert_eq!(back.ids(), ids[10..20]);
    let small = api
        .get("/api/v1/accounts?page[size]=3&filter[reference-id]=ref-1,ref-2,ref-3,ref-4")
        .await;
    assert_eq!(small.ids().len(), 3);
    assert!(small.body["links"]["next"]
        .as_str()
        .unwrap()
        .contains("filter%5Breference-id%5D=ref-1%2Cref-2%2Cref-3%2Cref-4"));
    assert!(small.body["links"]["next"]
        .as_str()
        .unwrap()
        .contains("page%5Bsize%5D=3"));
    let sixteen: Vec<String> = (1..=16).map(|i| format!("ref-{i}")).collect();
    let filtered = api
        .get(&format!(
            "/api/v1/accounts?page[size]=100&filter[reference-id]={}",
            sixteen.join(",")
        ))
        .await;
    assert_eq!(filtered.ids().len(), 16);
    for bad in [
        "page[size]=0",
        "page[size]=101",
        "page[size]=ten",
        "page[after]=act_unknown",
        "filter[colour]=red",
        "page[after]=a&page[before]=b",
    ] {
        let response = api.get(&format!("/api/v1/accounts?{bad}")).await;
        assert_eq!(response.status, 400, "{bad}: {}", response.body);
    }
}

#[tokio::test]
async fn upsert_by_reference_id_and_field() {
    let server = Server::start();
    let api = server.client();
    let body = json!({"data": {"attributes": {"reference-id": "crm-9", "name-first": "Ana"}}, "meta": {"upsert-by": "reference-id"}});
    let first = api.post("/api/v1/accounts", body).await;
    assert_eq!(first.status, 201);
    let again = api.post("/api/v1/accounts", json!({"data": {"attributes": {"reference-id": "crm-9", "name-last": "Lima"}}, "meta": {"upsert-by": "reference_id"}})).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.id(), first.id());
    assert_eq!(
        again.attr("fields")["name"]["value"]["first"]["value"],
        "Ana"
    );
    assert_eq!(
        again.attr("fields")["name"]["value"]["last"]["value"],
        "Lima"
    );
    // Without upsert-by, a reference id in use is refused (as the importer counts it a
    // duplicate): no twin account is made.
    let twin = api
        .post(
            "/api/v1/accounts",
            json!({"data": {"attributes": {"reference-id": "crm-9"}}}),
        )
        .await;
    assert_eq!(twin.status, 409, "{:?}", twin.body);
    assert!(
        twin.details().contains("meta.upsert-by"),
        "{}",
        twin.details()
    );
    assert!(twin.details().contains(&first.id()), "{}", twin.details());
    let listed = api.get("/api/v1/accounts?filter[reference-id]=crm-9").await;
    assert_eq!(listed.ids().len(), 1);
    let by_email = json!({"data": {"attributes": {"email-address": "a@b.co"}}, "meta": {"upsert-by": "email_address"}});
    let e1 = api.post("/api/v1/accounts", by_email.clone()).await;
    let e2 = api.post("/api/v1/accounts", by_email).await;
    assert_eq!((e1.status, e2.status), (201, 200));
    assert_eq!(e1.id(), e2.id());
    let missing = api
        .post(
            "/api/v1/accounts",
            json!({"data": {"attributes": {}}, "meta": {"upsert-by": "reference-id"}}),
        )
        .await;
    assert_eq!(missing.status, 422);
    assert_eq!(
        missing.body["errors"][0]["source"]["pointer"],
        "/meta/upsert-by"
    );
}

#[tokio::test]
async fn search_accounts() {
    let server = Server::start();
    let api = server.client();
    let old = api
        .create_account(json!({"reference-id": "a", "fields": {"age": 17}, "tags": ["teen"]}))
        .await
        .id();
    let adult = api
        .create_account(json!({"reference-id": "b", "fields": {"age": 41}}))
        .await
        .id();
    let senior = api
        .create_account(json!({"reference-id": "c", "fields": {"age": 70}}))
        .await
        .id();
    let found = api
        .post(
            "/api/v1/accounts/search",
            json!({"query": {"attribute": "fields.age", "operator": "gte", "value": 18}}),
        )
        .await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(found.ids(), vec![senior.clone(), adult.clone()]);
    let sorted = api.post("/api/v1/accounts/search", json!({"query": {"or": [{"attribute": "tags", "operator": "eq", "value": "teen"}, {"attribute": "reference_id", "operator": "eq", "value": "c"}]}, "sort": {"attribute": "created_at", "direction": "asc"}})).await;
    assert_eq!(sorted.ids(), vec![old.clone(), senior.clone()]);
    let paged = api
        .post("/api/v1/accounts/search", json!({"page": {"size": 2}}))
        .await;
    assert_eq!(paged.ids(), vec![senior, adult]);
    assert!(paged.body["links"]["next"]
        .as_str()
        .unwrap()
        .starts_with("/api/v1/accounts/search?page%5Bafter%5D="));
    let rest = api
        .post(
            "/api/v1/accounts/search",
            json!({"page": {"size": 2, "after": paged.ids()[1]}}),
        )
        .await;
    assert_eq!(rest.ids(), vec![old]);
    let bad = api
        .post(
            "/api/v1/accounts/search",
            json!({"query": {"attribute": "fields.age", "operator": "like", "value": 1}}),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        bad.body["errors"][0]["source"]["pointer"],
        "/query/operator"
    );
}

#[tokio::test]
async fn searches_by_email_phone_reference_and_name_follow_changes() {
    let server = Server::start();
    let api = server.client();
    let ann = api
        .create_account(json!({"reference-id": "u-1", "name-first": "Ann", "name-last": "Ray", "email-address": "ann@example.com", "phone-number": "+14155550100"}))
        .await
        .id();
    let bob = api
        .create_account(json!({"reference-id": "u-2", "name-first": "Bob", "name-last": "Ray", "email-address": "bob@example.com",
            "fields": {"identification_numbers": [
                {"identification_class": "pp", "identification_number": "P-111", "issuing_country": "US"},
                {"identification_class": "dl", "identification_number": "D-222", "issuing_country": "US"}]}}))
        .await
        .id();
    let search = |query: serde_json::Value| {
        let api = api.clone();
        async move {
            let found = api
                .post("/api/v1/accounts/search", json!({"query": query}))
                .await;
            assert_eq!(found.status, 200, "{}", found.body);
            found.ids()
        }
    };
    let eq = |attribute: &str, value: &str| json!({"attribute": attribute, "operator": "eq", "value": value});
    assert_eq!(
        search(eq("fields.email_address", "ann@example.com")).await,
        vec![ann.clone()]
    );
    assert_eq!(
        search(eq("fields.phone_number", "+14155550100")).await,
        vec![ann.clone()]
    );
    assert_eq!(search(eq("reference_id", "u-2")).await, vec![bob.clone()]);
    // Any of an account's government id numbers finds it.
    let id_number = "fields.identification_numbers.identification_number";
    assert_eq!(search(eq(id_number, "D-222")).await, vec![bob.clone()]);
    assert_eq!(search(eq(id_number, "P-111")).await, vec![bob.clone()]);
    assert!(search(eq(id_number, "P-112")).await.is_empty());
    assert_eq!(
        search(eq("fields.name.last", "Ray")).await,
        [bob.clone(), ann.clone()]
    );
    // An `and` narrows what the index found; an `or` joins; a miss finds nothing.
    let both = json!({"and": [eq("fields.name.last", "Ray"), eq("fields.name.first", "Bob")]});
    assert_eq!(search(both).await, vec![bob.clone()]);
    let either =
        json!({"or": [eq("reference_id", "u-1"), eq("fields.email_address", "bob@example.com")]});
    assert_eq!(search(either).await, [bob.clone(), ann.clone()]);
    assert!(search(eq("fields.email_address", "nobody@example.com"))
        .await
        .is_empty());
    // Exact, as the scan is: other letter case is another value.
    assert!(search(eq("fields.name.first", "ann")).await.is_empty());
    // A change moves the account in the index; a redaction takes it out.
    let changed = api
        .patch(
            &format!("/api/v1/accounts/{ann}"),
            json!({"data": {"attributes": {"email-address": "ann@new.example"}}}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert!(search(eq("fields.email_address", "ann@example.com"))
        .await
        .is_empty());
    assert_eq!(
        search(eq("fields.email_address", "ann@new.example")).await,
        vec![ann.clone()]
    );
    // A full name is filed as one term too: it moves with either part.
    let full = |first: &str| json!({"and": [eq("fields.name.first", first), eq("fields.name.last", "Ray")]});
    assert_eq!(search(full("Ann")).await, vec![ann.clone()]);
    let renamed = api
        .patch(
            &format!("/api/v1/accounts/{ann}"),
            json!({"data": {"attributes": {"name-first": "Anna"}}}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert!(search(full("Ann")).await.is_empty());
    assert_eq!(search(full("Anna")).await, vec![ann.clone()]);
    assert_eq!(
        api.delete(&format!("/api/v1/accounts/{bob}")).await.status,
        200
    );
    assert!(search(eq("fields.email_address", "bob@example.com"))
        .await
        .is_empty());
    assert_eq!(
        search(eq("fields.name.last", "Ray")).await,
        vec![ann.clone()]
    );
    // Archived accounts are left out, as by the scan.
    api.post(&format!("/api/v1/accounts/{ann}/archive"), json!({}))
        .await;
    assert!(search(eq("reference_id", "u-1")).await.is_empty());
}

#[tokio::test]
async fn account_type_and_include() {
    let server = Server::start();
    let api = server.client();
    let account = api.create_account(json!({"reference-id": "x"})).await;
    let type_id = account.body["data"]["relationships"]["account-type"]["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let account_type = api.get(&format!("/api/v1/account-types/{type_id}")).await;
    assert_eq!(account_type.status, 200);
    assert_eq!(account_type.attr("name"), "User");
    assert_eq!(
        account_type.body["data"]["relationships"]["account-statuses"]["data"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    let included = api
        .get(&format!(
            "/api/v1/accounts/{}?include=account-type",
            account.id()
        ))
        .await;
    assert_eq!(included.body["included"][0]["id"], type_id.as_str());
    let sparse = api
        .get(&format!(
            "/api/v1/accounts/{}?fields[account]=reference-id,tags",
            account.id()
        ))
        .await;
    let keys: Vec<&String> = sparse.body["data"]["attributes"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(keys, vec!["reference-id", "tags"]);
    let bad = api
        .get(&format!(
            "/api/v1/accounts/{}?include=inquiries",
            account.id()
        ))
        .await;
    assert_eq!(bad.status, 400);
}

/// Retrieves are served from a cache; under concurrent reads of the same accounts, a
/// client must still always read its own writes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn retrieve_after_update_always_sees_the_update() {
    let server = Server::start_with(&["--rate-limit", "0"]);
    let api = server.client();
    let mut ids = Vec::new();
    for k in 0..4 {
        ids.push(
            api.create_account(json!({"reference-id": format!("w{k}-start")}))
                .await
                .id(),
        );
    }
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut readers = Vec::new();
    for _ in 0..4 {
        let (api, ids, done) = (api.clone(), ids.clone(), done.clone());
        readers.push(tokio::spawn(async move {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                for id in &ids {
                    assert_eq!(api.get(&format!("/api/v1/accounts/{id}")).await.status, 200);
                }
            }
        }));
    }
    let mut writers = Vec::new();
    for (k, id) in ids.iter().enumerate() {
        let (api, id) = (api.clone(), id.clone());
        writers.push(tokio::spawn(async move {
            for i in 0..30 {
                let wanted = format!("w{k}-{i}");
                let body = json!({"data": {"attributes": {"reference-id": wanted}}});
                let path = format!("/api/v1/accounts/{id}");
                assert_eq!(api.patch(&path, body).await.status, 200);
                let read = api.get(&path).await;
                assert_eq!(
                    read.attr("reference-id"),
                    &json!(wanted),
                    "stale read of {id}"
                );
            }
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    for reader in readers {
        reader.await.unwrap();
    }
}

#[tokio::test]
async fn selfie_photo_upload_download_replace_and_validation() {
    let server = Server::start();
    let api = server.client();
    let photo = crate::common::png_with("first-photo");
    let created = api
        .create_account(json!({"selfie-photo": {"data": {"data": photo, "filename": "me.png"}}}))
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let selfie = &created.attr("fields")["selfie_photo"];
    assert_eq!(selfie["type"], "file");
    assert_eq!(selfie["value"]["filename"], "me.png");
    assert_eq!(selfie["value"]["byte-size"], 8 + "first-photo".len());
    let url = selfie["value"]["url"].as_str().unwrap().to_string();
    assert!(url.starts_with("/api/v1/files/file_"), "{url}");

    // The bytes come back to keys of the environment only.
    let download = reqwest::Client::new()
        .get(format!("{}{url}", server.base))
        .bearer_auth(&server.sandbox_key)
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "image/png");
    assert!(download.bytes().await.unwrap().ends_with(b"first-photo"));
    let production = server.client_with_key(&server.production_key);
    assert_eq!(production.get(&url).await.status, 404);

    // A new photo replaces the old one, whose URL stops working.
    let id = created.id();
    let replaced = api
        .patch(
            &format!("/api/v1/accounts/{id}"),
            json!({"data": {"attributes": {"selfie-photo": {"data": {"data": crate::common::png_with("second"), "filename": "new.png"}}}}}),
        )
        .await;
    assert_eq!(replaced.status, 200);
    assert_ne!(
        replaced.attr("fields")["selfie_photo"]["value"]["url"],
        json!(url)
    );
    assert_eq!(api.get(&url).await.status, 404);

    // Not an image, not base64: 422 naming the field; nothing stored.
    let pdf = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, b"%PDF-1.7");
    let bad = api
        .post("/api/v1/accounts", json!({"data": {"attributes": {"selfie-photo": {"data": {"data": pdf, "filename": "x.jpg"}}}}}))
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.details()
            .contains("data.attributes.selfie-photo.data.data"),
        "{}",
        bad.details()
    );
    let garbage = api
        .post("/api/v1/accounts", json!({"data": {"attributes": {"selfie-photo": {"data": {"data": "%%%", "filename": "x.jpg"}}}}}))
        .await;
    assert_eq!(garbage.status, 422);
}

// A search is read a page at a time from its cursor (through the index or not): every
// match comes once, in creation order, forwards and backwards, in either direction, and
// the links say when there is more; another environment's accounts never show.
#[tokio::test]
async fn search_pages_walk_every_match_once_either_way() {
    let server = Server::start();
    let api = server.client();
    let production = server.client_with_key(&server.production_key);
    let mut rays = Vec::new();
    let mut smiths = Vec::new();
    for i in 0..23 {
        let last = if i % 3 == 0 { "Smith" } else { "Ray" };
        let first = if i % 2 == 0 { "Ann" } else { "Bob" };
        let id = api
            .create_account(json!({"name-first": first, "name-last": last, "fields": {"age": i}}))
            .await
            .id();
        if last == "Ray" {
            rays.push(id);
        } else if first == "Ann" {
            smiths.push(id);
        }
        if i % 5 == 0 {
            production
                .create_account(json!({"name-first": first, "name-last": last}))
                .await
                .id();
        }
    }
    let eq = |attribute: &str, value: &str| json!({"attribute": attribute, "operator": "eq", "value": value});
    let indexed_ray = eq("fields.name.last", "Ray");
    // Not through the index: every account is walked and checked.
    let scanned_ray = json!({"and": [
        {"attribute": "fields.name.last", "operator": "gte", "value": "Ray"},
        {"attribute": "fields.name.last", "operator": "lte", "value": "Ray"}]});
    let ann_smith =
        json!({"and": [eq("fields.name.first", "Ann"), eq("fields.name.last", "Smith")]});
    for (query, expected) in [
        (indexed_ray, &rays),
        (scanned_ray, &rays),
        (ann_smith, &smiths),
    ] {
        for direction in ["desc", "asc"] {
            let mut order = expected.clone();
            if direction == "desc" {
                order.reverse();
            }
            // Forwards, a page of 4 at a time.
            let mut seen = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let mut page = json!({"size": 4});
                if let Some(after) = &after {
                    page["after"] = json!(after);
                }
                let found = api
                    .post(
                        "/api/v1/accounts/search",
                        json!({"query": query, "sort": {"attribute": "created_at", "direction": direction}, "page": page}),
                    )
                    .await;
                assert_eq!(found.status, 200, "{}", found.body);
                let ids = found.ids();
                assert!(ids.len() <= 4);
                assert_eq!(
                    found.body["links"]["prev"].is_string(),
                    !seen.is_empty(),
                    "{query} {direction}: {}",
                    found.body["links"]
                );
                seen.extend(ids.clone());
                let next = &found.body["links"]["next"];
                assert_eq!(
                    next.is_string(),
                    seen.len() < order.len(),
                    "{query} {direction}"
                );
                if !next.is_string() {
                    break;
                }
                after = ids.last().cloned();
            }
            assert_eq!(seen, order, "{query} {direction}");
            // Backwards from the last match.
            let mut back = Vec::new();
            let mut before = order.last().cloned().unwrap();
            loop {
                let found = api
                    .post(
                        "/api/v1/accounts/search",
                        json!({"query": query, "sort": {"attribute": "created_at", "direction": direction}, "page": {"size": 3, "before": before}}),
                    )
                    .await;
                assert_eq!(found.status, 200, "{}", found.body);
                let ids = found.ids();
                assert!(found.body["links"]["next"].is_string(), "{query}");
                back.splice(0..0, ids.clone());
                if !found.body["links"]["prev"].is_string() {
                    break;
                }
                before = ids.first().cloned().unwrap();
            }
            assert_eq!(back, order[..order.len() - 1], "{query} {direction}");
        }
    }
    // A cursor from another environment is not in these results.
    let elsewhere = production
        .create_account(json!({"name-last": "Ray"}))
        .await
        .id();
    let refused = api
        .post(
            "/api/v1/accounts/search",
            json!({"query": eq("fields.name.last", "Ray"), "page": {"after": elsewhere}}),
        )
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
}
