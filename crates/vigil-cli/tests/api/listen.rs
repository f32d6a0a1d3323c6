//! `vigil listen`: receives a running vigil's webhooks on this machine, verifies their
//! signatures, prints each event and forwards it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::json;

use crate::common::receiver::Receiver;
use crate::common::{Server, BIN};

fn listen(server: &Server, extra: &[&str]) -> std::process::Child {
    let mut args = extra.to_vec();
    if !args.contains(&"--listen") {
        args.extend(["--listen", "127.0.0.1:0"]);
    }
    Command::new(BIN)
        .args(["listen", "--api"])
        .arg(format!("{}/api/v1", server.base))
        .args(args)
        .env("VIGIL_API_KEY", &server.sandbox_key)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[tokio::test]
async fn events_arrive_verified_printed_and_forwarded() {
    let server = Server::start_with(&["--allow-private-webhooks"]);
    let api = server.client();
    let app = Receiver::start().await;
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = free.local_addr().unwrap().to_string();
    drop(free);
    let mut child = listen(
        &server,
        &[
            "--listen",
            &address,
            "--events",
            "account.created",
            "--count",
            "2",
            "--forward-to",
            &app.url,
        ],
    );
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = lines.next().unwrap().unwrap();
    assert!(ready.starts_with("Ready: webhook wbh_"), "{ready}");
    let secret_line = lines.next().unwrap().unwrap();
    let secret = secret_line
        .strip_prefix("Signing secret: ")
        .unwrap()
        .to_string();
    let first = api
        .create_account(json!({"reference-id": "l-1"}))
        .await
        .id();
    api.create_account(json!({"name-first": "Ada"})).await;
    // The forwarding target answers on this test's runtime: wait off it.
    let (status, printed) = tokio::task::spawn_blocking(move || {
        let status = child.wait().unwrap();
        let printed: Vec<String> = lines.map(Result::unwrap).collect();
        (status, printed)
    })
    .await
    .unwrap();
    assert!(status.success());
    assert_eq!(printed.len(), 2, "{printed:?}");
    // Deliveries run concurrently, so the two events may arrive in either order.
    assert!(
        printed.iter().any(|line| line.contains(&first)),
        "{printed:?}"
    );
    for line in &printed {
        assert!(line.contains("account.created"), "{printed:?}");
        assert!(line.contains("attempt 1"), "{printed:?}");
        assert!(line.ends_with(&format!("→ {} 200", app.url)), "{printed:?}");
    }
    let forwarded = app.all();
    assert_eq!(forwarded.len(), 2);
    assert!(forwarded.iter().all(|d| d.signed_by(&secret)));

    // Run again on the same address: the same webhook is reused, not a second one made.
    let mut again = listen(&server, &["--listen", &address, "--count", "1"]);
    let ready_again = BufReader::new(again.stdout.take().unwrap())
        .lines()
        .next()
        .unwrap()
        .unwrap();
    assert!(ready_again.contains("wbh_"), "{ready_again}");
    again.kill().unwrap();
    again.wait().unwrap();
    let hooks = api.get("/api/v1/webhooks").await;
    assert_eq!(hooks.ids().len(), 1, "one webhook per listening address");
}

#[tokio::test]
async fn a_forged_delivery_is_refused_and_a_server_that_will_not_deliver_is_explained() {
    let server = Server::start_with(&["--allow-private-webhooks"]);
    let mut child = listen(&server, &[]);
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    lines.next().unwrap().unwrap();
    let hooks = server.client().get("/api/v1/webhooks").await;
    let url = hooks.body["data"][0]["attributes"]["url"]
        .as_str()
        .unwrap()
        .to_string();
    let forged = reqwest::Client::new()
        .post(&url)
        .header("Persona-Signature", "t=1,v1=00")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 400);
    child.kill().unwrap();
    child.wait().unwrap();

    let strict = Server::start();
    let refused = listen(&strict, &[]).wait_with_output().unwrap();
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("--allow-private-webhooks"), "{said}");
    tokio::time::sleep(Duration::from_millis(10)).await;
}
