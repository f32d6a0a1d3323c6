//! The HTTP side: one request, retried on 429, 5xx and lost connections with exponential
//! backoff and jitter, waiting at least what `Retry-After` or `RateLimit-Reset` asks; a
//! POST keeps one `Idempotency-Key` across its retries, so a retry never makes a second
//! object.

use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::Value;

use crate::error::{self, Error};

/// Where and how to reach the API.
#[derive(Clone)]
pub struct Config {
    /// `https://api.withpersona.com/api/v1`, or a vigil server's `http://HOST:PORT/api/v1`.
    pub base_url: String,
    pub api_key: String,
    /// `Persona-Version`; `None` uses the key's default.
    pub version: Option<String>,
    /// `Vigil-Environment` (vigil only): the environment of a console session's requests
    /// (an API key belongs to one environment and needs none).
    pub environment: Option<String>,
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// The first retry's delay; each later one doubles it (with jitter), up to `max_delay`.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// The longest wait a rate limit may ask for before the client gives up and returns
    /// [`Error::RateLimited`] instead of sleeping.
    pub max_rate_limit_wait: Duration,
    /// Per attempt.
    pub timeout: Duration,
    /// Sent with every request as they are (the console's forwarded person's address).
    pub extra_headers: Vec<(String, String)>,
}

/// The key never shows in logs or panics.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url)
            .field("api_key", &"<hidden>")
            .field("version", &self.version)
            .field("environment", &self.environment)
            .field("max_attempts", &self.max_attempts)
            .field("base_delay", &self.base_delay)
            .field("max_delay", &self.max_delay)
            .field("max_rate_limit_wait", &self.max_rate_limit_wait)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Config {
    pub fn new(base_url: impl Into<String>, api_key: impl Into<String>) -> Config {
        Config {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            api_key: api_key.into(),
            version: None,
            environment: None,
            max_attempts: 5,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_rate_limit_wait: Duration::from_secs(30),
            timeout: Duration::from_secs(30),
            extra_headers: Vec::new(),
        }
    }
}

/// A request to send: a path under the base URL, query pairs, and a JSON body.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
    /// For a POST: the key to send (one is made when absent), kept across retries.
    pub idempotency_key: Option<String>,
}

impl Request {
    pub fn new(method: Method, path: impl Into<String>) -> Request {
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            idempotency_key: None,
        }
    }

    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Request {
        self.query.push((name.into(), value.into()));
        self
    }

    pub fn body(mut self, body: Value) -> Request {
        self.body = Some(body);
        self
    }
}

/// A downloaded file.
#[derive(Debug, Clone)]
pub struct Download {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A successful answer.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// The JSON body (`Null` for an empty one).
    pub body: Value,
    /// `Request-Id` (`req_...`): the API's log of this request.
    pub request_id: Option<String>,
    /// How many attempts it took.
    pub attempts: u32,
    /// The `Idempotency-Key` sent, for a POST.
    pub idempotency_key: Option<String>,
}

impl Response {
    /// `page[after]` of the next page, from `links.next`, when there is one.
    pub fn next_cursor(&self) -> Option<String> {
        let next = self.body["links"]["next"].as_str()?;
        let query = next.split_once('?')?.1;
        form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == "page[after]")
            .map(|(_, value)| value.into_owned())
    }
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    config: Config,
}

impl Client {
    pub fn new(config: Config) -> Result<Client, Error> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .user_agent(concat!("vigil-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Transport(e.to_string()))?;
        Ok(Client { http, config })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The same client, sharing its connections, acting with another key (a tool server
    /// over HTTP calls with each caller's own key).
    pub fn with_key(&self, api_key: impl Into<String>) -> Client {
        let mut config = self.config.clone();
        config.api_key = api_key.into();
        Client {
            http: self.http.clone(),
            config,
        }
    }

    /// Send `Vigil-Environment` with every request (a console session's environment).
    pub fn set_environment(&mut self, environment: Option<String>) {
        self.config.environment = environment;
    }

    /// Send `name: value` with every request too.
    pub fn add_header(&mut self, name: &str, value: &str) {
        self.config
            .extra_headers
            .push((name.to_string(), value.to_string()));
    }

    pub async fn get(&self, path: &str) -> Result<Response, Error> {
        self.send(Request::new(Method::GET, path)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Result<Response, Error> {
        self.send(Request::new(Method::POST, path).body(body)).await
    }

    /// Send `request`, retrying what can be retried.
    pub async fn send(&self, request: Request) -> Result<Response, Error> {
        let idempotency_key = (request.method == Method::POST).then(|| {
            request
                .idempotency_key
                .clone()
                .unwrap_or_else(new_idempotency_key)
        });
        let url = format!("{}{}", self.config.base_url, request.path);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt >= self.config.max_attempts.max(1);
            let mut builder = self
                .http
                .request(request.method.clone(), &url)
                .bearer_auth(&self.config.api_key)
                .header("Accept", "application/json")
                .header("Key-Inflection", "snake")
                .query(&request.query);
            if let Some(version) = &self.config.version {
                builder = builder.header("Persona-Version", version);
            }
            if let Some(environment) = &self.config.environment {
                builder = builder.header("Vigil-Environment", environment);
            }
            for (name, value) in &self.config.extra_headers {
                builder = builder.header(name, value);
            }
            if let Some(key) = &idempotency_key {
                builder = builder.header("Idempotency-Key", key);
            }
            if let Some(body) = &request.body {
                builder = builder.json(body);
            }
            let answer = match builder.send().await {
                Ok(answer) => answer,
                Err(error) if !last && (error.is_connect() || error.is_timeout()) => {
                    tokio::time::sleep(self.backoff(attempt)).await;
                    continue;
                }
                Err(error) => return Err(Error::Transport(error.to_string())),
            };
            let status = answer.status().as_u16();
            let headers = answer.headers().clone();
            let request_id = header(&headers, "request-id").map(String::from);
            let text = answer
                .text()
                .await
                .map_err(|e| Error::Transport(e.to_string()))?;
            let body: Value = if text.trim().is_empty() {
                Value::Null
            } else {
                match serde_json::from_str(&text) {
                    Ok(body) => body,
                    // A proxy's HTML error page: keep the status, say what came.
                    Err(_) if status >= 400 => {
                        serde_json::json!({"errors": [{"title": format!("HTTP {status}"), "details": text.chars().take(200).collect::<String>()}]})
                    }
                    Err(error) => return Err(Error::Decode(error.to_string())),
                }
            };
            if (200..300).contains(&status) {
                return Ok(Response {
                    status,
                    body,
                    request_id,
                    attempts: attempt,
                    idempotency_key,
                });
            }
            let errors = error::items(&body);
            let retryable = matches!(status, 429 | 500 | 502 | 503 | 504);
            let asked = asked_wait(&headers);
            if retryable && !last {
                let wait = self.backoff(attempt).max(asked.unwrap_or_default());
                if wait <= self.config.max_rate_limit_wait {
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            return Err(match status {
                401 => Error::Unauthorized { errors, request_id },
                429 => Error::RateLimited {
                    retry_after: asked.unwrap_or(self.config.base_delay),
                    errors,
                    request_id,
                },
                _ => Error::Api {
                    status,
                    errors,
                    request_id,
                },
            });
        }
    }

    /// GET a file (a document's image or PDF): its media type and bytes. One attempt; an
    /// error answer is read as [`Client::send`] reads one.
    pub async fn download(&self, path: &str) -> Result<Download, Error> {
        let url = format!("{}{}", self.config.base_url, path);
        let mut builder = self
            .http
            .get(&url)
            .bearer_auth(&self.config.api_key)
            .header("Key-Inflection", "snake");
        if let Some(environment) = &self.config.environment {
            builder = builder.header("Vigil-Environment", environment);
        }
        for (name, value) in &self.config.extra_headers {
            builder = builder.header(name, value);
        }
        let answer = builder
            .send()
            .await
            .map_err(|e| Error::Transport(e.to_string()))?;
        let status = answer.status().as_u16();
        let request_id = header(answer.headers(), "request-id").map(String::from);
        let content_type = header(answer.headers(), "content-type")
            .unwrap_or("application/octet-stream")
            .to_string();
        let bytes = answer
            .bytes()
            .await
            .map_err(|e| Error::Transport(e.to_string()))?;
        if (200..300).contains(&status) {
            return Ok(Download {
                content_type,
                bytes: bytes.to_vec(),
            });
        }
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let errors = error::items(&body);
        Err(match status {
            401 => Error::Unauthorized { errors, request_id },
            _ => Error::Api {
                status,
                errors,
                request_id,
            },
        })
    }

    /// The delay before retry `attempt` (1 = the first retry): doubling from `base_delay`,
    /// capped, with "equal jitter" (half fixed, half random) so clients spread out.
    fn backoff(&self, attempt: u32) -> Duration {
        let exponential = self
            .config
            .base_delay
            .saturating_mul(1 << (attempt - 1).min(16))
            .min(self.config.max_delay);
        exponential / 2 + exponential.mul_f64(rand::random::<f64>() / 2.0)
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// What the server asked us to wait: `Retry-After` (seconds or an HTTP date), else
/// `RateLimit-Reset` (seconds until the window resets) when nothing is left in it.
fn asked_wait(headers: &HeaderMap) -> Option<Duration> {
    if let Some(value) = header(headers, "retry-after") {
        if let Ok(seconds) = value.trim().parse::<f64>() {
            return Some(Duration::from_secs_f64(seconds.max(0.0)));
        }
        if let Ok(at) = chrono::DateTime::parse_from_rfc2822(value.trim()) {
            let wait = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
            return Some(wait.to_std().unwrap_or_default());
        }
    }
    let remaining = header(headers, "ratelimit-remaining").and_then(|v| v.parse::<u64>().ok());
    if remaining == Some(0) {
        if let Some(reset) = header(headers, "ratelimit-reset").and_then(|v| v.parse::<u64>().ok())
        {
            return Some(Duration::from_secs(reset));
        }
    }
    None
}

fn new_idempotency_key() -> String {
    format!("vigil-client-{:032x}", rand::random::<u128>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_never_shows_in_debug_output() {
        let config = Config::new("http://127.0.0.1:8080/api/v1", "persona_sandbox_s3cret");
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("127.0.0.1:8080"));
    }
}
