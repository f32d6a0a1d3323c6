//! `vigil listen`: a webhook receiver for development, as `stripe listen` is for Stripe.
//! It makes (or reuses) a webhook on a running vigil pointing at itself, enables it,
//! verifies every `Persona-Signature`, prints each event as it arrives and, when asked,
//! forwards it to the application being developed.
//!
//! It talks to vigil over the API like any client; vigil must be started with
//! `--allow-private-webhooks` to deliver to this machine.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{bail, Context};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use vigil_server::webhook_signature::verifies;

#[derive(clap::Args)]
pub struct ListenArgs {
    /// The vigil API (the key comes from VIGIL_API_KEY or PERSONA_API_KEY).
    #[arg(
        long,
        env = "VIGIL_API_URL",
        default_value = "http://127.0.0.1:8080/api/v1"
    )]
    api: String,
    /// Where to receive deliveries.
    #[arg(long, default_value = "127.0.0.1:4242")]
    listen: SocketAddr,
    /// Which events to receive (Persona's patterns, comma-separated: `inquiry.*,case.resolved`).
    #[arg(long, default_value = "*")]
    events: String,
    /// Also POST each verified delivery, body and headers as received, to this URL.
    #[arg(long)]
    forward_to: Option<String>,
    /// Exit after this many events (for scripts and tests).
    #[arg(long)]
    count: Option<u64>,
}

struct Receiver {
    secrets: Vec<String>,
    forward_to: Option<String>,
    http: reqwest::Client,
    seen: std::sync::atomic::AtomicU64,
    done: tokio::sync::Notify,
    count: Option<u64>,
}

pub fn run(args: ListenArgs) -> anyhow::Result<()> {
    let key = crate::api_key("the API key that manages webhooks")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(listen(args, key))
}

async fn listen(args: ListenArgs, key: String) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let url = format!("http://{}/", listener.local_addr()?);
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()?;
    let api = args.api.trim_end_matches('/').to_string();
    let events: Vec<&str> = args.events.split(',').map(str::trim).collect();
    let (id, secrets) = webhook_for(&http, &api, &key, &url, &events).await?;
    println!("Ready: webhook {id} delivers {} to {url}", args.events);
    println!("Signing secret: {}", secrets.join(" "));
    std::io::stdout().flush()?;
    let receiver = Arc::new(Receiver {
        secrets,
        forward_to: args.forward_to,
        http,
        seen: Default::default(),
        done: tokio::sync::Notify::new(),
        count: args.count,
    });
    let app = Router::new()
        .route("/", post(receive))
        .with_state(receiver.clone());
    let done = receiver.clone();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            tokio::select! {
                _ = done.done.notified() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        })
        .await?;
    Ok(())
}

/// The webhook delivering `events` to `url`: the one already there (its secrets), or a
/// new one; enabled either way.
async fn webhook_for(
    http: &reqwest::Client,
    api: &str,
    key: &str,
    url: &str,
    events: &[&str],
) -> anyhow::Result<(String, Vec<String>)> {
    let call = |request: reqwest::RequestBuilder| async move {
        let response = request
            .bearer_auth(key)
            .send()
            .await
            .with_context(|| format!("reaching vigil at {api}"))?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            let details = body["errors"][0]["details"]
                .as_str()
                .or(body["errors"][0]["title"].as_str())
                .unwrap_or("")
                .to_string();
            if details.contains("private") || details.contains("loopback") {
                bail!("vigil refuses to deliver to this machine: start it with --allow-private-webhooks ({details})");
            }
            bail!("vigil answered {status}: {details}");
        }
        anyhow::Ok(body)
    };
    let listed = call(http.get(format!("{api}/webhooks?page%5Bsize%5D=100"))).await?;
    let existing = listed["data"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|w| w["attributes"]["url"] == url && w["attributes"]["status"] != "archived");
    let webhook = match existing {
        Some(found) => {
            let id = found["id"].as_str().unwrap_or_default();
            let changed = json!({"data": {"attributes": {"enabled-events": events}}});
            call(http.patch(format!("{api}/webhooks/{id}")).json(&changed)).await?;
            call(http.get(format!("{api}/webhooks/{id}"))).await?
        }
        None => {
            let new = json!({"data": {"attributes": {"url": url, "enabled-events": events}}});
            call(http.post(format!("{api}/webhooks")).json(&new)).await?
        }
    };
    let id = webhook["data"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if webhook["data"]["attributes"]["status"] != "enabled" {
        call(http.post(format!("{api}/webhooks/{id}/enable"))).await?;
    }
    // Every secret that may still sign (one is being rotated out for a while).
    let secrets: Vec<String> = webhook["data"]["attributes"]["secrets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["value"].as_str().map(str::to_string))
        .collect();
    if secrets.is_empty() {
        bail!("webhook {id} showed no signing secret");
    }
    Ok((id, secrets))
}

/// Whether `header` signs `body` under one of `secrets`.
fn verified(header: &str, body: &[u8], secrets: &[String]) -> bool {
    secrets.iter().any(|secret| verifies(secret, header, body))
}

async fn receive(
    State(receiver): State<Arc<Receiver>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    if !verified(header("persona-signature"), &body, &receiver.secrets) {
        eprintln!("refused a delivery: its Persona-Signature does not verify");
        return StatusCode::BAD_REQUEST;
    }
    let event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let attributes = &event["data"]["attributes"];
    let object = &attributes["payload"]["data"];
    let mut line = format!(
        "{}  {}  {} {}  attempt {}",
        attributes["created-at"].as_str().unwrap_or(""),
        attributes["name"].as_str().unwrap_or("?"),
        object["type"].as_str().unwrap_or("?"),
        object["id"].as_str().unwrap_or("?"),
        header("persona-webhook-attempts-made"),
    );
    let mut status = StatusCode::OK;
    if let Some(target) = &receiver.forward_to {
        let mut request = receiver.http.post(target).body(body.to_vec());
        for name in [
            "content-type",
            "persona-signature",
            "persona-webhook-attempts-made",
        ] {
            request = request.header(name, header(name));
        }
        match request.send().await {
            Ok(answer) => {
                line.push_str(&format!("  → {target} {}", answer.status().as_u16()));
                if !answer.status().is_success() {
                    // vigil retries, as it would the application itself.
                    status = StatusCode::BAD_GATEWAY;
                }
            }
            Err(error) => {
                line.push_str(&format!("  → {target} failed: {error}"));
                status = StatusCode::BAD_GATEWAY;
            }
        }
    }
    println!("{line}");
    let _ = std::io::stdout().flush();
    let seen = receiver
        .seen
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        + 1;
    if receiver.count.is_some_and(|count| seen >= count) {
        receiver.done.notify_one();
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_under_any_of_its_secrets_and_nothing_else() {
        let body = br#"{"a":1}"#;
        // The same vector as the server's signer, computed independently with Python.
        let good =
            "t=1700000000,v1=5125d9de9279d564db197b70a6c699dd005beb53dc22371dcaf347ac390940d7";
        let secrets = vec!["wbhsec_old".to_string(), "wbhsec_test".to_string()];
        assert!(verified(good, body, &secrets));
        assert!(verified(&format!("t=1,v1=00 {good}"), body, &secrets));
        assert!(!verified(good, br#"{"a":2}"#, &secrets));
        assert!(!verified(good, body, &["wbhsec_other".to_string()]));
        assert!(!verified("", body, &secrets));
        assert!(!verified("t=1700000000,v1=zz", body, &secrets));
    }
}
