//! A webhook receiver for `bench/webhooks`: verifies `Persona-Signature` as Persona's
//! documentation says (HMAC-SHA256 of "<t>.<raw body>" under the webhook's secret), and
//! records for each delivery the time from the event's `created-at` to its arrival.
//!
//!   webhook_receiver            prints "listening on http://ADDR" and serves:
//!   POST /                      a delivery (200; 401 when the signature does not verify)
//!   POST /reset                 forget what was received; the body, if any, is the secret
//!   GET  /stats                 {"count", "bad-signatures", "first-ms", "last-ms",
//!                                "p50-ms", "p99-ms", "max-ms"} (latencies in ms)
//!   GET  /sample                the last delivery as {"body", "signature"}
//!
//! One thread: the bench runs it, vigil and the load tool on the same two cores.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use vigil_server::webhook_signature::verifies;

#[derive(Default)]
struct Log {
    secret: String,
    /// Milliseconds from each event's creation to its delivery's arrival.
    latencies: Vec<i64>,
    bad_signatures: u64,
    first: Option<i64>,
    last: Option<i64>,
    sample: Option<(String, String)>,
}

type Shared = Arc<Mutex<Log>>;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

async fn deliver(State(log): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let arrived = now_ms();
    let signature = headers
        .get("persona-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let created = serde_json::from_slice::<Value>(&body).ok().and_then(|doc| {
        doc["data"]["attributes"]["created-at"]
            .as_str()
            .and_then(vigil_domain::time::parse_millis)
    });
    let mut log = log.lock().unwrap();
    if !verifies(&log.secret, signature, &body) {
        log.bad_signatures += 1;
        return StatusCode::UNAUTHORIZED;
    }
    log.latencies.push(created.map_or(0, |c| arrived - c));
    log.first.get_or_insert(arrived);
    log.last = Some(arrived);
    log.sample = Some((
        String::from_utf8_lossy(&body).into_owned(),
        signature.into(),
    ));
    StatusCode::OK
}

async fn reset(State(log): State<Shared>, secret: String) -> StatusCode {
    let mut log = log.lock().unwrap();
    let sample = log.sample.take();
    let old = std::mem::take(&mut log.secret);
    *log = Log {
        secret: if secret.is_empty() { old } else { secret },
        sample,
        ..Log::default()
    };
    StatusCode::NO_CONTENT
}

async fn stats(State(log): State<Shared>) -> Json<Value> {
    let log = log.lock().unwrap();
    let mut sorted = log.latencies.clone();
    sorted.sort_unstable();
    let at = |q: f64| {
        (!sorted.is_empty()).then(|| sorted[((sorted.len() as f64 * q).ceil() as usize).max(1) - 1])
    };
    Json(json!({
        "count": sorted.len(),
        "bad-signatures": log.bad_signatures,
        "first-ms": log.first,
        "last-ms": log.last,
        "p50-ms": at(0.50),
        "p99-ms": at(0.99),
        "max-ms": sorted.last(),
    }))
}

async fn sample(State(log): State<Shared>) -> Json<Value> {
    let log = log.lock().unwrap();
    Json(match &log.sample {
        Some((body, signature)) => json!({"body": body, "signature": signature}),
        None => Value::Null,
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let log: Shared = Arc::default();
    let app = Router::new()
        .route("/", post(deliver))
        .route("/reset", post(reset))
        .route("/stats", get(stats))
        .route("/sample", get(sample))
        .with_state(log);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    println!("listening on http://{}", listener.local_addr().unwrap());
    axum::serve(listener, app).await.unwrap();
}
