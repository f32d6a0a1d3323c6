//! Recently read accounts, kept in memory so a retrieve skips SQLite.
//!
//! Correctness rests on two rules:
//! - the writer invalidates every account a batch touched after its COMMIT and before any
//!   caller of that batch hears "done", so a client never reads older than its own write;
//! - a reader fills the cache only if no invalidation happened between just before its
//!   read transaction began and now (the generation check), so a snapshot taken before
//!   a commit can never be stored after that commit's invalidation.
//!
//! Only this process writes the database (the CLI locks the data directory), so nothing
//! else can make an entry stale.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use vigil_domain::account::Account;

/// Bound on cached accounts; when reached the cache starts over (cheap, and a retrieve
/// miss costs one indexed read).
const CAPACITY: usize = 100_000;

#[derive(Default)]
pub struct AccountCache {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    generation: u64,
    /// account id → (environment id, account)
    entries: HashMap<String, (String, Arc<Account>)>,
}

impl AccountCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock leaves a consistent map (every operation is a
        // single insert/remove/clear), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn get(&self, env: &str, id: &str) -> Option<Arc<Account>> {
        let inner = self.lock();
        match inner.entries.get(id) {
            Some((owner, account)) if owner == env => Some(account.clone()),
            _ => None,
        }
    }

    /// Read before starting the read transaction whose result may be cached.
    pub(crate) fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// Cache `account`, read in a transaction that began after `generation` was taken,
    /// unless an invalidation has happened since.
    pub(crate) fn fill(&self, generation: u64, env: &str, account: Arc<Account>) {
        let mut inner = self.lock();
        if inner.generation != generation {
            return;
        }
        if inner.entries.len() >= CAPACITY {
            inner.entries.clear();
        }
        inner
            .entries
            .insert(account.id.clone(), (env.to_string(), account));
    }

    /// Forget these accounts; called by the writer after a commit (or a failed one).
    pub(crate) fn invalidate(&self, ids: &[String]) {
        if ids.is_empty() {
            return;
        }
        let mut inner = self.lock();
        inner.generation += 1;
        for id in ids {
            inner.entries.remove(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: &str) -> Arc<Account> {
        Arc::new(Account {
            id: id.into(),
            account_type_id: "acttp_x".into(),
            account_type_name: "User".into(),
            reference_id: None,
            account_status: None,
            tags: Vec::new(),
            fields: Default::default(),
            created_at: 0,
            updated_at: 0,
            redacted_at: None,
            archived_at: None,
            consolidated_into: None,
        })
    }

    #[test]
    fn a_read_that_raced_a_write_is_not_cached() {
        let cache = AccountCache::default();
        let before = cache.generation();
        // The writer commits and invalidates while the read is in flight...
        cache.invalidate(&["act_1".into()]);
        // ...so the (possibly old) snapshot must not be stored.
        cache.fill(before, "env_a", account("act_1"));
        assert!(cache.get("env_a", "act_1").is_none());
        let now = cache.generation();
        cache.fill(now, "env_a", account("act_1"));
        assert!(cache.get("env_a", "act_1").is_some());
    }

    #[test]
    fn entries_are_scoped_to_their_environment_and_invalidated() {
        let cache = AccountCache::default();
        cache.fill(cache.generation(), "env_a", account("act_1"));
        assert!(cache.get("env_b", "act_1").is_none());
        assert!(cache.get("env_a", "act_1").is_some());
        cache.invalidate(&["act_1".into()]);
        assert!(cache.get("env_a", "act_1").is_none());
    }
}
