//! Which server does the work that runs without a request, when several share one
//! database: the holder of the `background` lease (a row in `leases`, taken and renewed in
//! a write transaction, so two servers never both succeed). It does the monitor's report
//! runs, the flagging rules, webhook dispatch and sending, the scheduler and imports; the
//! others only follow the event log to keep their screening indexes current.
//!
//! The lease is renewed every third of its length. A holder that cannot renew in time
//! stops acting before its lease runs out (counted on its own monotonic clock from when it
//! asked), and a server killed outright is replaced once the lease has expired. Leases
//! decide who works; they are not what keeps work from being done twice: every piece of
//! background work checks, inside its own transaction, that it has not been done (a
//! cursor still where the worker read it, an importer's row count, a due time, a report
//! that would change), and write transactions run one at a time across servers, so two
//! servers that both believe they lead (a paused process, skewed clocks) still act once.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use vigil_store::{transact, Store, StoreError};

/// The lease's name in storage.
pub const LEASE: &str = "background";

pub struct Leadership {
    /// This server's name in the lease (random per process, so a restarted server is new).
    pub node: String,
    ttl: Duration,
    /// Until when this server may act as the leader (`None`: it may not).
    until: Mutex<Option<Instant>>,
    gained: tokio::sync::Notify,
}

impl Leadership {
    pub fn new(ttl: Duration) -> Self {
        Leadership {
            node: vigil_domain::ids::random_token("node", 16),
            ttl,
            until: Mutex::new(None),
            gained: tokio::sync::Notify::new(),
        }
    }

    /// Whether this server does background work now.
    pub fn is_leading(&self) -> bool {
        self.until
            .lock()
            .expect("leadership poisoned")
            .is_some_and(|until| Instant::now() < until)
    }

    /// Wait until this server leads (at most `limit`); whether it does.
    pub async fn wait(&self, limit: Duration) -> bool {
        // Registered before the check, so a gain between the two is not missed.
        let gained = self.gained.notified();
        tokio::pin!(gained);
        gained.as_mut().enable();
        if self.is_leading() {
            return true;
        }
        let _ = tokio::time::timeout(limit, gained).await;
        self.is_leading()
    }

    /// Take the lease and keep it, or wait for it, until the task is dropped. With
    /// `sole`, this server is the only one its storage can have (a SQLite data directory
    /// is locked by its server): a lease left by an earlier process that died is taken
    /// over at once instead of after it runs out.
    pub async fn run(self: Arc<Self>, store: Arc<dyn Store>, sole: bool) {
        let mut first = true;
        loop {
            let asked = Instant::now();
            let (node, ttl) = (self.node.clone(), self.ttl.as_millis() as i64);
            let take_over = first && sole;
            let claimed = transact(&store, move |tx| -> Result<bool, StoreError> {
                tx.claim_lease(LEASE, &node, crate::now_millis(), ttl, take_over)
            })
            .await;
            // A renewal that failed to reach storage keeps the leader acting until its
            // lease may have run out (`until` ends by itself), rather than stopping at the
            // first hiccup; a refusal (another server holds the lease) stops it at once.
            let was_leading = self.is_leading();
            let leading = match claimed {
                Ok(true) => {
                    // Counted from the moment of asking: the lease's clock started no earlier.
                    *self.until.lock().expect("leadership poisoned") = Some(asked + self.ttl);
                    true
                }
                Ok(false) => {
                    *self.until.lock().expect("leadership poisoned") = None;
                    false
                }
                Err(error) => {
                    tracing::error!(%error, "could not renew the background lease");
                    self.is_leading()
                }
            };
            if leading && !was_leading {
                tracing::info!(node = %self.node, "this server now does the background work");
                self.gained.notify_waiters();
            } else if !leading && was_leading {
                tracing::warn!(node = %self.node, "this server no longer does the background work");
            }
            first = false;
            // Counted from the asking: a renewal that waited behind a queue of writes
            // still leaves the next one well inside the lease.
            tokio::time::sleep_until((asked + self.ttl / 3).into()).await;
        }
    }

    /// Hand the lease over at once (a server stopping): another takes over without
    /// waiting for it to run out.
    pub async fn release(&self, store: &Arc<dyn Store>) {
        *self.until.lock().expect("leadership poisoned") = None;
        let node = self.node.clone();
        let released = transact(store, move |tx| -> Result<(), StoreError> {
            tx.release_lease(LEASE, &node)
        })
        .await;
        if let Err(error) = released {
            tracing::warn!(%error, "could not hand the background lease over");
        }
    }
}
