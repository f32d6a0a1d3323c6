//! Several servers on one PostgreSQL database behave as one vigil: any of them answers any
//! request, a write through one is read through another at once, one of them does the
//! background work, and when that one is killed with `-9` under concurrent writes, an
//! import and webhook deliveries, another takes the work over and nothing is lost or done
//! twice.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::receiver::Receiver;
use crate::common::{Client, Server};

const NODE: &[&str] = &[
    "--rate-limit",
    "0",
    "--allow-private-webhooks",
    "--webhook-retry-schedule",
    "1,1,1,1,1,1,1,1,1,1",
    "--lease-seconds",
    "2",
];

/// Whether the server at `base` says it does the background work (`None`: it is down).
async fn leads(base: &str) -> Option<bool> {
    let health = reqwest::get(format!("{base}/health")).await.ok()?;
    let body: Value = health.json().await.ok()?;
    body["background"].as_bool()
}

/// Which of `bases` leads, once exactly one does (waits up to 20 s).
async fn the_leader(bases: &[String]) -> usize {
    for _ in 0..200 {
        let mut leading = Vec::new();
        for (index, base) in bases.iter().enumerate() {
            if leads(base).await == Some(true) {
                leading.push(index);
            }
        }
        if leading.len() == 1 {
            return leading[0];
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no single server took the background work");
}

/// Poll `check` (up to `limit`) until it answers `Some`.
async fn eventually<T, F>(limit: Duration, what: &str, check: impl Fn() -> F) -> T
where
    F: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The cases attached to an account.
async fn cases_of(api: &Client, account: &str) -> usize {
    let listed = api
        .get(&format!("/api/v1/cases?filter[account-id]={account}"))
        .await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    listed.body["data"].as_array().unwrap().len()
}

/// Create accounts round-robin over `bases` until `stop`; what each acknowledged (201)
/// is recorded with whether it was a watchlist match. Requests to a dead server fail and
/// are not acknowledged.
async fn writer(
    bases: Vec<String>,
    key: String,
    number: usize,
    stop: Arc<std::sync::atomic::AtomicBool>,
    acknowledged: Arc<Mutex<Vec<(String, bool)>>>,
) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut n = number;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        n += 1;
        let base = &bases[n % bases.len()];
        // Every seventh account is a finding of the watchlist rule.
        let listed = n.is_multiple_of(7);
        let attributes = if listed {
            json!({"name-first": "Joe", "name-last": "Imposter"})
        } else {
            json!({"name-first": format!("Writer{number}"), "name-last": format!("Person{n}")})
        };
        let sent = http
            .post(format!("{base}/api/v1/accounts"))
            .bearer_auth(&key)
            .json(&json!({"data": {"attributes": attributes}}))
            .send()
            .await;
        let Ok(response) = sent else { continue };
        if response.status().as_u16() != 201 {
            continue;
        }
        let Ok(body) = response.json::<Value>().await else {
            continue;
        };
        let id = body["data"]["id"].as_str().unwrap().to_string();
        acknowledged.lock().unwrap().push((id, listed));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_servers_share_one_database_and_survive_losing_the_one_at_work() {
    if crate::common::postgres_only("three servers on one database, one killed") {
        return;
    }
    let first = Server::start_with(NODE);
    let database = crate::common::postgres_database(&first.data_dir).unwrap();
    let homes = tempfile::tempdir().unwrap();
    let mut nodes = vec![
        first,
        Server::spawn_node(&homes.path().join("b"), &database, NODE),
        Server::spawn_node(&homes.path().join("c"), &database, NODE),
    ];
    let key = nodes[0].sandbox_key.clone();
    let bases: Vec<String> = nodes.iter().map(|n| n.base.clone()).collect();
    let apis: Vec<Client> = nodes.iter().map(|n| n.client_with_key(&key)).collect();

    // Any server answers; a write through one is read through the others at once.
    let made = apis[0]
        .create_account(json!({"reference-id": "read-anywhere"}))
        .await
        .id();
    for api in &apis {
        let got = api.get(&format!("/api/v1/accounts/{made}")).await;
        assert_eq!(got.status, 200, "{:?}", got.body);
    }
    // A key made through one server is refused by all of them once it expires.
    let made_key = apis[1]
        .post(
            "/api/v1/api-keys",
            json!({"data": {"attributes": {"name": "short-lived"}}}),
        )
        .await;
    assert_eq!(made_key.status, 201, "{:?}", made_key.body);
    let secret = made_key.attr("value").as_str().unwrap().to_string();
    for node in &nodes {
        let with = node.client_with_key(&secret);
        assert_eq!(with.get("/api/v1/accounts").await.status, 200);
    }
    let expired = apis[2]
        .post(
            &format!("/api/v1/api-keys/{}/expire", made_key.id()),
            json!({"meta": {"expires-in-seconds": 0}}),
        )
        .await;
    assert!(expired.status < 300, "{:?}", expired.body);
    for node in &nodes {
        let with = node.client_with_key(&secret);
        assert_eq!(
            with.get("/api/v1/accounts").await.status,
            401,
            "an expired key still works on {}",
            node.base
        );
    }

    // Exactly one server does the background work.
    let leader = the_leader(&bases).await;
    let others: Vec<usize> = (0..3).filter(|i| *i != leader).collect();

    // A list item added through one server matches an account created through another:
    // the rule opens a case, seen through the third.
    let list = apis[others[0]].create_list("names", "Blocked").await;
    apis[others[0]]
        .add_list_item(
            "names",
            &list,
            json!({"name-first": "Joe", "name-last": "Imposter"}),
        )
        .await;
    let started = Instant::now();
    let joe = apis[others[1]]
        .create_account(json!({"name-first": "Joe", "name-last": "Imposter"}))
        .await
        .id();
    let api = &apis[leader];
    eventually(
        Duration::from_secs(20),
        "the first match's case",
        || async { (cases_of(api, &joe).await == 1).then_some(()) },
    )
    .await;
    eprintln!(
        "a match across servers became a case in {} ms",
        started.elapsed().as_millis()
    );

    // Webhook deliveries of every account created from here on.
    let receiver = Receiver::start().await;
    let hook = apis[others[1]]
        .post(
            "/api/v1/webhooks",
            json!({"data": {"attributes": {"url": receiver.url, "enabled-events": ["account.created"]}}}),
        )
        .await;
    assert_eq!(hook.status, 201, "{:?}", hook.body);
    let enabled = apis[others[0]]
        .post(&format!("/api/v1/webhooks/{}/enable", hook.id()), json!({}))
        .await;
    assert_eq!(enabled.attr("status"), "enabled");

    // An import, received by a server that does not do the background work.
    let imported = apis[0].create_list("names", "Imported").await;
    let rows = 20_000;
    let mut csv = String::from("name_first,name_last\n");
    for n in 0..rows {
        csv.push_str(&format!("Given{n},Family{n}\n"));
    }
    use base64::Engine;
    let import = apis[others[0]]
        .post(
            "/api/v1/importer/list-item/names",
            json!({"data": {"attributes": {"list-id": imported, "file": {
                "data": base64::engine::general_purpose::STANDARD.encode(&csv),
                "filename": "names.csv"}}}}),
        )
        .await;
    assert_eq!(import.status, 201, "{:?}", import.body);
    let import = import.id();

    // Concurrent writers on all three servers; the one at work is killed with -9 while
    // they write, the import runs and deliveries are sent.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let acknowledged: Arc<Mutex<Vec<(String, bool)>>> = Arc::default();
    let writers: Vec<_> = (0..6)
        .map(|number| {
            tokio::spawn(writer(
                bases.clone(),
                key.clone(),
                number * 1000,
                stop.clone(),
                acknowledged.clone(),
            ))
        })
        .collect();
    eventually(
        Duration::from_secs(60),
        "writes and import under way",
        || {
            let (acknowledged, api) = (acknowledged.clone(), &apis[others[0]]);
            let import = import.clone();
            async move {
                let enough = acknowledged.lock().unwrap().len() >= 150;
                let got = api.get(&format!("/api/v1/importers/{import}")).await;
                let done = got.attr("successful-count").as_u64().unwrap_or(0);
                (enough && done > 0).then_some(())
            }
        },
    )
    .await;
    let before_kill = acknowledged.lock().unwrap().len();
    nodes[leader].kill();
    // The survivors carry on: writes keep being acknowledged, and one of them takes the
    // background work over.
    let survivors: Vec<String> = others.iter().map(|i| bases[*i].clone()).collect();
    let new_leader = others[the_leader(&survivors).await];
    eventually(Duration::from_secs(60), "writes after the kill", || {
        let acknowledged = acknowledged.clone();
        async move { (acknowledged.lock().unwrap().len() >= before_kill + 150).then_some(()) }
    })
    .await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    let api = &apis[new_leader];

    // The import finished, every row exactly once.
    let finished = eventually(Duration::from_secs(120), "the import to finish", || async {
        let got = api.get(&format!("/api/v1/importers/{import}")).await;
        (got.attr("status") != "pending").then(|| got.body["data"]["attributes"].clone())
    })
    .await;
    assert_eq!(finished["status"], "ready", "{finished:?}");
    assert_eq!(finished["successful-count"], rows, "{finished:?}");
    assert_eq!(finished["duplicate-count"], 0, "{finished:?}");
    assert_eq!(finished["error-count"], 0, "{finished:?}");

    // Every acknowledged write is there with its one event.
    let other_survivor = &apis[others.iter().copied().find(|i| *i != new_leader).unwrap()];
    for (id, _) in &acknowledged {
        let got = other_survivor.get(&format!("/api/v1/accounts/{id}")).await;
        assert_eq!(got.status, 200, "acknowledged account {id} was lost");
        let names = other_survivor.event_names(id).await;
        assert_eq!(
            names.iter().filter(|n| *n == "account.created").count(),
            1,
            "{id}: {names:?}"
        );
    }

    // Every account.created event was delivered at least once.
    let wanted: HashSet<&str> = acknowledged.iter().map(|(id, _)| id.as_str()).collect();
    let delivered = eventually(Duration::from_secs(120), "every delivery", || {
        let (receiver, wanted) = (&receiver, &wanted);
        async move {
            let got: HashSet<String> = receiver
                .all()
                .iter()
                .filter_map(|r| {
                    r.json()["data"]["attributes"]["payload"]["data"]["id"]
                        .as_str()
                        .map(String::from)
                })
                .collect();
            wanted
                .iter()
                .all(|id| got.contains(*id))
                .then_some(receiver.all().len())
        }
    })
    .await;
    eprintln!(
        "{} accounts acknowledged ({before_kill} before the kill), {delivered} deliveries received",
        acknowledged.len()
    );

    // One case per finding: each matching account has exactly one.
    let findings: Vec<&String> = acknowledged
        .iter()
        .filter(|(_, listed)| *listed)
        .map(|(id, _)| id)
        .collect();
    assert!(!findings.is_empty());
    for id in &findings {
        eventually(Duration::from_secs(60), "a case for each match", || async {
            (cases_of(api, id).await >= 1).then_some(())
        })
        .await;
    }
    // Let the rules catch up fully before counting again.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut counted: HashMap<&str, usize> = HashMap::new();
    for id in &findings {
        counted.insert(id, cases_of(api, id).await);
    }
    assert!(
        counted.values().all(|n| *n == 1),
        "a finding opened more than one case: {counted:?}"
    );
    // Still exactly one server at work (under this load the lease may pass from one
    // survivor to the other; never to two at once).
    the_leader(&survivors).await;
    // The first server owns the database and drops it when it goes: it goes last.
    while let Some(node) = nodes.pop() {
        drop(node);
    }
}
