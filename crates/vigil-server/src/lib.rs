//! vigil's HTTP API: a Persona-compatible protocol layer and thin resource handlers.
//!
//! # Layout
//! - [`protocol`]: envelopes, errors, inflection, versions, paging, idempotency, auth,
//!   rate limits, metrics. Written once, used by every resource.
//! - `routes/`: one module per resource; handlers parse, call storage, build a view.
//! - `views/`: how stored objects are rendered as JSON:API resources per API version.
//! - [`screening`]: the screening indexes and the monitor that keeps reports current.
//! - [`export`]: an environment's events as NDJSON for a warehouse (`vigil events export`).
//! - [`importers`]: runs bulk imports in chunks, resumable after a crash.
//! - `rules`: flagging rules, evaluated on the event log; they open cases and tag accounts.
//! - `blobs`: document files in the data directory, by content hash.
//! - `webhooks`: writes the deliveries each event owes and sends them, signed, with retries.
//! - `scheduler`: does on time what falls due without a request (inquiry expiry).
//! - [`setup`]: first-start bootstrap of environments and keys, and key creation.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use vigil_store::{ApiKey, Environment, Store};

pub mod blobs;
pub mod credentials;
pub mod export;
pub mod importers;
pub mod leadership;
pub mod protocol;
mod routes;
pub mod rules;
mod scheduler;
pub mod screening;
pub mod scrub;
pub mod setup;
pub mod use_cases;
mod views;
mod webhooks;

/// Persona's webhook signature: how vigil signs deliveries and how a receiver checks them.
pub use webhooks::sign as webhook_signature;

/// Server settings, resolved from the command line by the binary.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Requests per window per environment; 0 disables the limit.
    pub rate_limit: u64,
    /// The rate limit's window (a minute, as Persona's).
    pub rate_limit_window: std::time::Duration,
    /// Requests with a wrong key per client address per minute; past it, 429 without a
    /// database lookup. 0 disables the limit.
    pub failed_auth_limit: u64,
    /// Verification flows started or links used per client address per minute (0: no
    /// limit).
    pub flow_start_limit: u64,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Largest accepted upload (an importer's file, inline or multipart).
    pub max_upload_bytes: usize,
    /// Where people reach this server; one-time links are made under it.
    pub public_url: String,
    /// Accept webhook URLs that resolve to loopback, private or link-local addresses
    /// (refused by default: a webhook must not reach into the operator's network).
    pub allow_private_webhooks: bool,
    /// Seconds to wait after each failed webhook delivery attempt; its length + 1 is the
    /// number of attempts.
    pub webhook_retry_schedule: Vec<i64>,
    /// Delivery requests in flight to one webhook at most (at least 1).
    pub webhook_concurrency: usize,
    /// Events older than this many days are deleted (once every reader of the log has
    /// acted on them); `None` keeps them forever.
    pub event_retention_days: Option<u32>,
    /// The data directory, where document files are kept (`None`: documents are refused).
    pub data_dir: Option<std::path::PathBuf>,
    /// How long the background lease lasts without renewal: when several servers share a
    /// database, the one doing background work is replaced this long after it dies.
    pub lease_ttl: std::time::Duration,
    /// Serve `POST /api/v1/test-clock/advance`, which moves this server's clock forward
    /// (for testing expiry without waiting). Never on in production.
    pub test_clock: bool,
    /// A secret the review console, running in this process, sends with the address and
    /// browser of the person it acts for (`Vigil-Forwarded-*` headers): with it, sign-in
    /// limits and the user audit log see the person, not the console. Without it (or
    /// with a wrong one) those headers are ignored.
    pub forwarding_secret: Option<String>,
    /// When the leader removes what redactions left in PostgreSQL's files.
    pub scrub: scrub::ScrubSchedule,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            rate_limit: 6_000,
            rate_limit_window: std::time::Duration::from_secs(60),
            failed_auth_limit: 30,
            flow_start_limit: 30,
            max_body_bytes: 1024 * 1024,
            max_upload_bytes: 64 * 1024 * 1024,
            public_url: "http://127.0.0.1:8080".into(),
            test_clock: false,
            forwarding_secret: None,
            allow_private_webhooks: false,
            webhook_retry_schedule: vigil_domain::webhook::DEFAULT_BACKOFF.to_vec(),
            webhook_concurrency: 8,
            event_retention_days: None,
            data_dir: None,
            lease_ttl: std::time::Duration::from_secs(10),
            scrub: scrub::ScrubSchedule::default(),
        }
    }
}

/// Uploads (importer files, documents) read at once; more wait their turn, so memory
/// stays within a few times `--max-upload-bytes` however many arrive together.
const UPLOADS_AT_ONCE: usize = 4;

/// What one person in the verification flow may ask of the API in a minute (a step is a
/// request or two).
const FLOW_REQUESTS_PER_MINUTE: u64 = 120;

/// An authenticated key and its environment, cached by secret hash.
type KeyCache = Mutex<HashMap<String, (Arc<ApiKey>, Arc<Environment>)>>;

/// Shared state of the running server.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<ServerConfig>,
    limiter: Arc<protocol::ratelimit::RateLimiter>,
    /// Wrong keys per client address.
    failed_auth: Arc<protocol::ratelimit::RateLimiter>,
    /// The verification flow's requests per inquiry session, and flows started per
    /// client address.
    pub(crate) flow_limiter: Arc<protocol::ratelimit::RateLimiter>,
    pub(crate) flow_starts: Arc<protocol::ratelimit::RateLimiter>,
    /// Uploads read at once (each is held in memory until stored).
    uploads: Arc<tokio::sync::Semaphore>,
    metrics: Arc<protocol::metrics::Metrics>,
    /// Keys seen before, by secret hash, so authentication costs no query per request.
    key_cache: Arc<KeyCache>,
    /// The screening indexes, kept in step with the event log by the monitor.
    pub screening: Arc<screening::Screening>,
    /// Wakes the monitor after a commit, so continuous screening reacts at once.
    wake: Arc<tokio::sync::Notify>,
    /// Wakes the import runner when an import is added.
    imports: Arc<tokio::sync::Notify>,
    /// Document files, when the server has a data directory.
    pub(crate) blobs: Option<Arc<blobs::DocumentFiles>>,
    /// Importer files waiting to be imported, when the server has a data directory of its
    /// own (with a shared database they wait in the database, in the importer's row).
    pub(crate) import_files: Option<Arc<blobs::Blobs>>,
    /// Wakes the webhook dispatcher after a commit, and the sender when deliveries are owed.
    webhook_dispatch: Arc<tokio::sync::Notify>,
    webhook_send: Arc<tokio::sync::Notify>,
    /// Wakes the flagging rules after a commit.
    rules_wake: Arc<tokio::sync::Notify>,
    /// Whether this server is the one doing background work.
    pub leader: Arc<leadership::Leadership>,
    /// Milliseconds the test clock was moved forward (always 0 unless `test_clock`).
    clock_offset: Arc<std::sync::atomic::AtomicI64>,
    /// Wakes the scheduler (the clock moved, or something fell due sooner).
    schedule: Arc<tokio::sync::Notify>,
}

impl AppState {
    /// The first environment in which `find` finds something, with what it found. The
    /// verification flow's requests carry no key to say which environment they are in
    /// (ids and token hashes are unique across environments).
    pub(crate) fn in_any_environment<T>(
        &self,
        mut find: impl FnMut(&Environment) -> Result<Option<T>, vigil_store::StoreError>,
    ) -> Result<Option<(T, Environment)>, vigil_store::StoreError> {
        for env in self.store.environments()? {
            if let Some(found) = find(&env)? {
                return Ok(Some((found, env)));
            }
        }
        Ok(None)
    }

    /// Forget every cached key: one was changed or expired, and the next request with it
    /// must see that. (Only a server that is the only one on its database caches keys.)
    pub(crate) fn forget_cached_keys(&self) {
        self.key_cache.lock().expect("key cache poisoned").clear();
    }

    pub fn new(store: Arc<dyn Store>, config: ServerConfig) -> Self {
        // Several servers on one database: files and imports go in the database, where
        // each server reads what another stored.
        let blobs = if store.is_shared() {
            Some(Arc::new(blobs::DocumentFiles::Database(store.clone())))
        } else {
            config
                .data_dir
                .as_deref()
                .and_then(|dir| match blobs::Blobs::new(dir) {
                    Ok(blobs) => Some(Arc::new(blobs::DocumentFiles::Folder(blobs))),
                    Err(error) => {
                        tracing::error!(%error, "document files cannot be kept; documents are refused");
                        None
                    }
                })
        };
        let import_files = config
            .data_dir
            .as_deref()
            .filter(|_| !store.is_shared())
            .and_then(|dir| blobs::Blobs::imports(dir).ok().map(Arc::new));
        AppState {
            blobs,
            import_files,
            store,
            limiter: Arc::new(protocol::ratelimit::RateLimiter::new(
                config.rate_limit,
                config.rate_limit_window,
            )),
            uploads: Arc::new(tokio::sync::Semaphore::new(UPLOADS_AT_ONCE)),
            failed_auth: Arc::new(protocol::ratelimit::RateLimiter::new(
                config.failed_auth_limit,
                std::time::Duration::from_secs(60),
            )),
            flow_limiter: Arc::new(protocol::ratelimit::RateLimiter::new(
                FLOW_REQUESTS_PER_MINUTE,
                std::time::Duration::from_secs(60),
            )),
            flow_starts: Arc::new(protocol::ratelimit::RateLimiter::new(
                config.flow_start_limit,
                std::time::Duration::from_secs(60),
            )),
            leader: Arc::new(leadership::Leadership::new(config.lease_ttl)),
            config: Arc::new(config),
            metrics: Arc::new(protocol::metrics::Metrics::default()),
            key_cache: Arc::new(Mutex::new(HashMap::new())),
            screening: Arc::new(screening::Screening::new()),
            wake: Arc::new(tokio::sync::Notify::new()),
            imports: Arc::new(tokio::sync::Notify::new()),
            rules_wake: Arc::new(tokio::sync::Notify::new()),
            webhook_dispatch: Arc::new(tokio::sync::Notify::new()),
            webhook_send: Arc::new(tokio::sync::Notify::new()),
            clock_offset: Arc::new(std::sync::atomic::AtomicI64::new(0)),
            schedule: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Tell continuous screening that something was written.
    pub(crate) fn written(&self) {
        self.wake.notify_one();
        self.rules_wake.notify_one();
        self.webhook_dispatch.notify_one();
    }

    /// Tell the webhook sender that deliveries are due now.
    pub(crate) fn webhook_sent_soon(&self) {
        self.webhook_send.notify_one();
    }

    /// Tell the import runner there is a new import.
    pub(crate) fn importer_added(&self) {
        self.imports.notify_one();
    }

    /// Milliseconds since the epoch, on this server's clock (moved by the test clock).
    pub fn now(&self) -> i64 {
        now_millis() + self.clock_offset.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Move the clock forward (the test clock) and let the scheduler see the new time.
    pub(crate) fn advance_clock(&self, millis: i64) {
        self.clock_offset
            .fetch_add(millis, std::sync::atomic::Ordering::Relaxed);
        self.schedule.notify_one();
    }
}

pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The named readers of the event log (beside screening), whose positions hold back pruning.
pub(crate) const LOG_READERS: &[&str] = &[rules::CURSOR, webhooks::CURSOR];

/// The whole application router.
pub fn app(state: AppState) -> Router {
    let api = routes::api_routes()
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            protocol::context::api_middleware,
        ));
    Router::new()
        .route("/health", get(routes::health::health))
        .route("/metrics", get(routes::health::metrics))
        .merge(routes::public_routes())
        .nest("/api/v1", api)
        .with_state(state)
}

/// Serve the API, and `beside` it (routes mounted next to `/api/v1`, such as the agent
/// tools' `/mcp`), until `shutdown` resolves.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    beside: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = state.store.clone();
    let pruner = tokio::spawn(setup::prune_idempotency_keys(store));
    // A SQLite data directory has one server (the binary locks it): it leads at once.
    let leadership = tokio::spawn(
        state
            .leader
            .clone()
            .run(state.store.clone(), !state.store.is_shared()),
    );
    let monitor = screening::monitor::Monitor::new(
        state.store.clone(),
        state.screening.clone(),
        state.wake.clone(),
        state.leader.clone(),
    );
    let monitor = tokio::spawn(monitor.run());
    let clock = state.clone();
    importers::sweep(&state.store, state.import_files.as_deref());
    let importer = tokio::spawn(importers::worker(
        state.store.clone(),
        state.import_files.clone(),
        std::sync::Arc::new(move || clock.now()),
        state.imports.clone(),
        state.wake.clone(),
        state.leader.clone(),
    ));
    use_cases::documents::sweep(&state).await;
    let scheduler = tokio::spawn(scheduler::run(state.clone()));
    let rules = tokio::spawn(rules::run(
        state.store.clone(),
        state.rules_wake.clone(),
        state.leader.clone(),
    ));
    let dispatcher = tokio::spawn(webhooks::dispatch(state.clone()));
    let sender = tokio::spawn(webhooks::send(state.clone()));
    let scrubber = tokio::spawn(scrub::run(state.clone()));
    let (leader, store) = (state.leader.clone(), state.store.clone());
    // The peer's address goes with each request: wrong keys are limited per address.
    let service = app(state)
        .merge(beside)
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    let result = axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await;
    leadership.abort();
    pruner.abort();
    monitor.abort();
    importer.abort();
    scheduler.abort();
    rules.abort();
    dispatcher.abort();
    sender.abort();
    scrubber.abort();
    leader.release(&store).await;
    result
}
