//! A webhook receiver on loopback, written from Persona's documentation rather than
//! vigil's code: it verifies `Persona-Signature` (HMAC-SHA256 of "<t>.<raw body>", one
//! `t=..,v1=..` pair per secret), records every request, and answers with the status the
//! test sets (to exercise retries and disabling).

use std::sync::atomic::{AtomicU16, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    /// Whether the signature verifies under `secret` (any of its pairs).
    pub fn signed_by(&self, secret: &str) -> bool {
        let Some(header) = self.header("Persona-Signature") else {
            return false;
        };
        header.split(' ').any(|pair| {
            let mut t = None;
            let mut v1 = None;
            for part in pair.split(',') {
                match part.split_once('=') {
                    Some(("t", value)) => t = Some(value.to_string()),
                    Some(("v1", value)) => v1 = Some(value.to_string()),
                    _ => {}
                }
            }
            let (Some(t), Some(v1)) = (t, v1) else {
                return false;
            };
            let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
            mac.update(format!("{t}.").as_bytes());
            mac.update(&self.body);
            hex::encode(mac.finalize().into_bytes()) == v1
        })
    }
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    pub received: Arc<Mutex<Vec<Received>>>,
    status: Arc<AtomicU16>,
    /// How long to hold each request before answering (ms).
    hold: Arc<AtomicU64>,
    /// Requests being held now, and the most ever held at once.
    concurrency: Arc<(AtomicUsize, AtomicUsize)>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let status = Arc::new(AtomicU16::new(200));
        let hold = Arc::new(AtomicU64::new(0));
        let concurrency: Arc<(AtomicUsize, AtomicUsize)> = Arc::default();
        let (log, answer, wait, gauge) = (
            received.clone(),
            status.clone(),
            hold.clone(),
            concurrency.clone(),
        );
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (log, answer, wait, gauge) =
                    (log.clone(), answer.clone(), wait.clone(), gauge.clone());
                tokio::spawn(async move {
                    let mut reader = BufReader::new(stream);
                    loop {
                        let mut headers = Vec::new();
                        let mut line = String::new();
                        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        loop {
                            line.clear();
                            if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                                return;
                            }
                            let trimmed = line.trim_end();
                            if trimmed.is_empty() {
                                break;
                            }
                            if let Some((name, value)) = trimmed.split_once(':') {
                                headers.push((name.trim().to_string(), value.trim().to_string()));
                            }
                        }
                        let length: usize = headers
                            .iter()
                            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                            .and_then(|(_, v)| v.parse().ok())
                            .unwrap_or(0);
                        let mut body = vec![0; length];
                        if reader.read_exact(&mut body).await.is_err() {
                            return;
                        }
                        log.lock().unwrap().push(Received { headers, body });
                        let now = gauge.0.fetch_add(1, Ordering::SeqCst) + 1;
                        gauge.1.fetch_max(now, Ordering::SeqCst);
                        let ms = wait.load(Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                        gauge.0.fetch_sub(1, Ordering::SeqCst);
                        let code = answer.load(Ordering::SeqCst);
                        let reply = format!("HTTP/1.1 {code} X\r\nContent-Length: 0\r\n\r\n");
                        if reader.get_mut().write_all(reply.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Receiver {
            url,
            received,
            status,
            hold,
            concurrency,
        }
    }

    /// Hold every later request `ms` milliseconds before answering.
    pub fn hold(&self, ms: u64) {
        self.hold.store(ms, Ordering::SeqCst);
    }

    /// The most requests ever held at once.
    pub fn most_at_once(&self) -> usize {
        self.concurrency.1.load(Ordering::SeqCst)
    }

    /// Answer every later request with `code`.
    pub fn answer(&self, code: u16) {
        self.status.store(code, Ordering::SeqCst);
    }

    pub fn all(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Wait (up to ten seconds) until `ready` holds for what arrived.
    pub async fn until(&self, ready: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        for _ in 0..200 {
            let all = self.all();
            if ready(&all) {
                return all;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!(
            "the receiver never got what was expected: {} requests",
            self.all().len()
        );
    }
}
