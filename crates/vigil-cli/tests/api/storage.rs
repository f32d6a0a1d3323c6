//! What storage promises on either backend (the suite's second pass runs this on
//! PostgreSQL), checked on the store itself.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use vigil_store::postgres::PgStore;
use vigil_store::sqlite::SqliteStore;
use vigil_store::{transact_blocking, Event, Store, StoreError};

/// A store on `dir`'s database, as another process would open it.
fn open(dir: &std::path::Path) -> Arc<dyn Store> {
    match crate::common::postgres_database(dir) {
        Some(url) => Arc::new(PgStore::connect(&url).unwrap()),
        None => Arc::new(SqliteStore::open(dir.join("vigil.db")).unwrap()),
    }
}

// Screening, the flagging rules and webhook delivery follow the event log by `seq`: a
// reader that has passed a number must never see an event with a smaller one appear
// later. Two writers (a server and `vigil import`, say) commit concurrently, each holding
// its transaction open for a moment; a reader follows the log meanwhile and must end up
// with every event.
#[test]
fn a_reader_following_the_event_log_misses_nothing_two_writers_commit() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("data");
    std::fs::create_dir_all(&dir).unwrap();
    let writers: Vec<Arc<dyn Store>> = vec![open(&dir), open(&dir)];
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let store = open(&dir);
        let done = done.clone();
        std::thread::spawn(move || {
            let (mut cursor, mut seen) = (0, HashSet::new());
            loop {
                let finished = done.load(Ordering::SeqCst);
                let read = store.events_after(cursor, 1000).unwrap();
                for logged in &read {
                    seen.insert(logged.event.id.clone());
                    cursor = cursor.max(logged.seq);
                }
                if finished && read.is_empty() {
                    return seen;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    };
    const EACH: usize = 40;
    let threads: Vec<_> = writers
        .into_iter()
        .enumerate()
        .map(|(writer, store)| {
            std::thread::spawn(move || {
                for n in 0..EACH {
                    transact_blocking(&store, move |tx| {
                        tx.insert_event(
                            "env_test",
                            &Event {
                                id: format!("evt_{writer}_{n}"),
                                name: "account.created".into(),
                                object_id: format!("act_{writer}_{n}"),
                                object_type: "account".into(),
                                snapshot: serde_json::json!({}),
                                context: None,
                                created_at: 0,
                                actor: None,
                            },
                        )?;
                        // Hold the transaction open: the other writer's may commit first.
                        std::thread::sleep(Duration::from_millis(3));
                        Ok::<_, StoreError>(())
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    done.store(true, Ordering::SeqCst);
    let seen = reader.join().unwrap();
    assert_eq!(seen.len(), 2 * EACH, "the reader missed events");
}

// `vigil migrate` copies a SQLite data directory into an empty PostgreSQL database: a
// server on it serves the same accounts, searches and events, and goes on numbering after
// them; a second copy into the same database is refused. (It needs a PostgreSQL server:
// it runs in the suite's PostgreSQL pass.)
#[tokio::test]
async fn a_sqlite_directory_migrates_to_postgres_and_is_served_the_same() {
    if crate::common::on_sqlite() {
        eprintln!("runs in the PostgreSQL pass (scripts/test starts one)");
        return;
    }
    use serde_json::json;
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("data");
    let mut before = crate::common::Server::spawn_on_sqlite(&dir);
    let api = before.client();
    let kept = api
        .create_account(
            json!({"reference-id": "moved-1", "name-first": "Orla", "name-last": "Quennel"}),
        )
        .await
        .id();
    for n in 0..30 {
        api.create_account(json!({"reference-id": format!("moved-more-{n}")}))
            .await;
    }
    // A document file, kept in the data directory by a SQLite server.
    use base64::Engine;
    let scan = b"%PDF-1.4 the statement that moves";
    let document = api
        .post(
            "/api/v1/document/generics",
            json!({"data": {"attributes": {"file": {
                "data": base64::engine::general_purpose::STANDARD.encode(scan),
                "filename": "statement.pdf"}}}}),
        )
        .await;
    assert_eq!(document.status, 201, "{}", document.body);
    let file_url = document.attr("files")[0]["url"]
        .as_str()
        .unwrap()
        .to_string();
    let key = before.sandbox_key.clone();
    assert!(before.terminate().success());

    let database = crate::common::postgres_database(&dir).unwrap();
    let migrate = || {
        std::process::Command::new(crate::common::BIN)
            .args([
                "migrate",
                "--from",
                dir.to_str().unwrap(),
                "--to",
                &database,
            ])
            .output()
            .unwrap()
    };
    let copied = migrate();
    assert!(
        copied.status.success(),
        "{}",
        String::from_utf8_lossy(&copied.stderr)
    );
    let said = String::from_utf8_lossy(&copied.stdout);
    assert!(said.contains("accounts\t31"), "{said}");
    assert!(said.contains("and 1 document files"), "{said}");
    assert!(!said.contains("s3cret"));
    let again = migrate();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds vigil data"));

    let after = crate::common::Server::spawn(&dir, &[]);
    let api = after.client_with_key(&key);
    let found = api.get(&format!("/api/v1/accounts/{kept}")).await;
    assert_eq!(found.status, 200, "{}", found.body);
    let searched = api
        .post(
            "/api/v1/accounts/search",
            json!({"query": {"attribute": "fields.name.last", "operator": "eq", "value": "Quennel"}}),
        )
        .await;
    assert_eq!(searched.ids(), vec![kept.clone()]);
    assert!(api
        .event_names(&kept)
        .await
        .contains(&"account.created".to_string()));
    // New rows are numbered after the copied ones: the newest account is the new one.
    let new = api
        .create_account(json!({"reference-id": "after-move"}))
        .await
        .id();
    let newest = api.get("/api/v1/accounts?page[size]=1").await;
    assert_eq!(newest.ids(), vec![new]);
    // The file moved into the database: a server with an empty data directory of its own
    // serves it.
    let elsewhere = tempfile::tempdir().unwrap();
    let other = crate::common::Server::spawn_node(&elsewhere.path().join("data"), &database, &[]);
    let (status, _, bytes) = other.client_with_key(&key).get_bytes(&file_url).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, scan);
}
