//! kill -9 right after responses: every acknowledged account and its event survive.

use std::collections::HashSet;

use serde_json::json;

use crate::common::{Client, Server};

/// `workers` tasks creating accounts (reference ids `<prefix><worker>-<n>`) until a
/// request fails; the id of every create acknowledged with 201 comes out of the channel.
fn write_until_refused(
    api: &Client,
    workers: usize,
    prefix: &'static str,
) -> (
    Vec<tokio::task::JoinHandle<()>>,
    tokio::sync::mpsc::UnboundedReceiver<String>,
) {
    let (sender, receiver) = tokio::sync::mpsc::unbounded_channel::<String>();
    let writers = (0..workers)
        .map(|worker| {
            let (api, sender) = (api.clone(), sender.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                for i in 0.. {
                    let reference = format!("{prefix}{worker}-{i}");
                    let body = json!({"data": {"attributes": {"reference-id": reference}}});
                    let result = http
                        .post(format!("{}/api/v1/accounts", api.base))
                        .bearer_auth(api.key.as_ref().unwrap())
                        .json(&body)
                        .send()
                        .await;
                    let Ok(response) = result else { break };
                    if response.status() != 201 {
                        break;
                    }
                    let Ok(body) = response.json::<serde_json::Value>().await else {
                        break;
                    };
                    let _ = sender.send(body["data"]["id"].as_str().unwrap().to_string());
                }
            })
        })
        .collect();
    (writers, receiver)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_kill_9() {
    let mut server = Server::start_with(&["--rate-limit", "0"]);
    let temp = server.take_tempdir().unwrap();
    let key = server.sandbox_key.clone();
    let api = server.client();
    let (writers, mut receiver) = write_until_refused(&api, 8, "w");
    // Let acknowledged writes pile up, then kill the server mid-stream.
    let mut acknowledged = HashSet::new();
    while acknowledged.len() < 300 {
        acknowledged.insert(receiver.recv().await.unwrap());
    }
    server.kill();
    while let Some(id) = receiver.recv().await {
        acknowledged.insert(id);
    }
    for writer in writers {
        let _ = writer.await;
    }

    let mut restarted = Server::spawn(&temp.path().join("data"), &["--rate-limit", "0"]);
    let api = restarted.client_with_key(&key);
    for id in &acknowledged {
        let account = api.get(&format!("/api/v1/accounts/{id}")).await;
        assert_eq!(account.status, 200, "acknowledged account {id} was lost");
        let events = api
            .get(&format!(
                "/api/v1/events?filter[object-id]={id}&filter[name]=account.created"
            ))
            .await;
        assert_eq!(events.ids().len(), 1, "account.created for {id} was lost");
    }
    restarted.kill();
}

#[test]
fn a_second_server_on_the_same_data_directory_refuses_to_start() {
    // Servers on one PostgreSQL database share it (`nodes.rs`).
    if crate::common::sqlite_only("one server per data directory") {
        return;
    }
    let server = Server::start();
    let output = crate::common::vigil_on(&server.data_dir)
        .args(["serve", "--data-dir", server.data_dir.to_str().unwrap()])
        .args(["--listen", "127.0.0.1:0"])
        .output()
        .expect("vigil runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("another vigil server is already using"),
        "{stderr}"
    );
}

/// SIGTERM (what service managers send) stops the server as Ctrl-C does: requests in
/// flight are answered, the process exits 0, and every acknowledged write is there after a
/// restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_shuts_down_gracefully() {
    let mut server = Server::start_with(&["--rate-limit", "0"]);
    let temp = server.take_tempdir().unwrap();
    let key = server.sandbox_key.clone();
    let api = server.client();
    let (writers, mut receiver) = write_until_refused(&api, 4, "t");
    let mut acknowledged = HashSet::new();
    while acknowledged.len() < 100 {
        acknowledged.insert(receiver.recv().await.unwrap());
    }
    let status = tokio::task::block_in_place(|| server.terminate());
    assert!(status.success(), "SIGTERM ends vigil cleanly: {status:?}");
    while let Some(id) = receiver.recv().await {
        acknowledged.insert(id);
    }
    for writer in writers {
        let _ = writer.await;
    }
    let restarted = Server::spawn(&temp.path().join("data"), &["--rate-limit", "0"]);
    let api = restarted.client_with_key(&key);
    for id in &acknowledged {
        let account = api.get(&format!("/api/v1/accounts/{id}")).await;
        assert_eq!(account.status, 200, "acknowledged account {id} was lost");
    }
}

/// The write-ahead log does not outlive a burst of writes: once the server is idle it is
/// copied into the database and truncated (the import benchmark, `bench/import-resources`,
/// shows it bounded during a million-row import).
#[tokio::test]
async fn the_wal_is_truncated_when_the_server_is_idle() {
    if crate::common::sqlite_only("the SQLite WAL is truncated when idle") {
        return;
    }
    let server = Server::start_with(&["--rate-limit", "0"]);
    let api = server.client();
    let mut writes = Vec::new();
    for i in 0..200 {
        let api = api.clone();
        writes.push(tokio::spawn(async move {
            api.create_account(json!({"reference-id": format!("wal-{i}"), "name-first": "Wal"}))
                .await
        }));
    }
    for write in writes {
        write.await.unwrap();
    }
    let wal = server.data_dir.join("vigil.db-wal");
    let size = || std::fs::metadata(&wal).map_or(0, |m| m.len());
    assert!(size() > 0, "the burst went through the WAL");
    for _ in 0..300 {
        if size() == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the WAL still holds {} bytes after 30 s idle", size());
}

// `vigil backup` copies a data directory while its server keeps writing: a server started
// on the copy serves the accounts, events and document files written before it, and the
// copy is private.
#[tokio::test]
async fn a_backup_of_a_running_server_serves_what_was_written() {
    use base64::Engine;
    if crate::common::sqlite_only("vigil backup copies a SQLite data directory") {
        return;
    }
    let server = Server::start_with(&["--rate-limit", "0"]);
    let api = server.client();
    let account = api
        .create_account(json!({"reference-id": "kept-1", "name-first": "Quilla"}))
        .await
        .id();
    let template = api.get("/api/v1/inquiry-templates").await.ids()[0].clone();
    let inquiry = api
        .post(
            "/api/v1/inquiries",
            json!({"data": {"attributes": {"inquiry-template-id": template}}}),
        )
        .await
        .id();
    let pdf = b"%PDF-1.4 a statement kept in the backup";
    let document = api
        .post("/api/v1/document/generics", json!({"data": {"attributes": {"inquiry-id": inquiry, "file": {"data": base64::engine::general_purpose::STANDARD.encode(pdf), "filename": "s.pdf"}}}}))
        .await;
    assert_eq!(document.status, 201, "{}", document.body);
    let url = document.attr("files")[0]["url"]
        .as_str()
        .unwrap()
        .to_string();
    // Writes go on while the copy is made.
    let writer = {
        let api = api.clone();
        tokio::spawn(async move {
            for n in 0..50 {
                api.create_account(json!({"reference-id": format!("during-{n}")}))
                    .await;
            }
        })
    };
    let copy = tempfile::tempdir().unwrap();
    let to = copy.path().join("backup");
    let output = crate::common::vigil_on(&server.data_dir)
        .args([
            "backup",
            "--data-dir",
            server.data_dir.to_str().unwrap(),
            "--to",
        ])
        .arg(&to)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("checked"));
    writer.await.unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&to), 0o700);
        assert_eq!(mode(&to.join("vigil.db")), 0o600);
    }
    // A second copy into the same place is refused, naming it.
    let again = crate::common::vigil_on(&server.data_dir)
        .args([
            "backup",
            "--data-dir",
            server.data_dir.to_str().unwrap(),
            "--to",
        ])
        .arg(&to)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    let restored = Server::spawn(&to, &[]);
    let api = restored.client_with_key(&server.sandbox_key);
    let found = api.get(&format!("/api/v1/accounts/{account}")).await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(found.attr("reference-id"), "kept-1");
    assert!(api
        .event_names(&account)
        .await
        .contains(&"account.created".to_string()));
    let (status, _, bytes) = api
        .get_bytes(&url.replace(&server.base, &restored.base))
        .await;
    assert_eq!(status, 200);
    assert_eq!(bytes, pdf);
}
