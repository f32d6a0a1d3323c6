//! Fixed-window rate limiting, as Persona does it: the window opens at the first request
//! and every request counts against it. Per environment for authenticated requests (a
//! minute unless the operator sets another, `--rate-limit-window`), and per client address
//! for requests with a wrong key (`--failed-auth-limit`), so guessing keys is slow and
//! costs no database lookup once the limit is reached.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    /// Requests per window; 0 disables limiting.
    limit: u64,
    window: Duration,
    windows: Mutex<HashMap<String, (Instant, u64)>>,
}

/// The numbers behind the `RateLimit-*` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub limit: u64,
    pub remaining: u64,
    pub reset_seconds: u64,
    pub allowed: bool,
    /// The window's length in seconds (for the message).
    pub window_seconds: u64,
}

impl RateLimiter {
    pub fn new(limit: u64, window: Duration) -> Self {
        RateLimiter {
            limit,
            window: window.max(Duration::from_secs(1)),
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Count one request for `environment` at `now`.
    pub fn check(&self, environment: &str, now: Instant) -> Quota {
        if self.limit == 0 {
            return Quota {
                limit: 0,
                remaining: 0,
                reset_seconds: 0,
                allowed: true,
                window_seconds: self.window.as_secs(),
            };
        }
        let mut windows = self.windows.lock().expect("rate limiter poisoned");
        let window = windows.entry(environment.to_string()).or_insert((now, 0));
        if now.duration_since(window.0) >= self.window {
            *window = (now, 0);
        }
        let allowed = window.1 < self.limit;
        if allowed {
            window.1 += 1;
        }
        let elapsed = now.duration_since(window.0);
        let reset_seconds = (self.window - elapsed).as_secs_f64().ceil() as u64;
        Quota {
            limit: self.limit,
            remaining: self.limit - window.1,
            reset_seconds,
            allowed,
            window_seconds: self.window.as_secs(),
        }
    }

    /// Whether `id` has used up its window, without counting a request: the seconds until
    /// the window resets if so.
    pub fn exhausted(&self, id: &str, now: Instant) -> Option<u64> {
        if self.limit == 0 {
            return None;
        }
        let windows = self.windows.lock().expect("rate limiter poisoned");
        let (start, count) = windows.get(id)?;
        let elapsed = now.duration_since(*start);
        (elapsed < self.window && *count >= self.limit)
            .then(|| (self.window - elapsed).as_secs_f64().ceil() as u64)
    }

    /// Forget windows that have closed (called now and then, so a scan from many
    /// addresses does not grow the map for ever).
    pub fn forget_closed(&self, now: Instant) {
        let mut windows = self.windows.lock().expect("rate limiter poisoned");
        windows.retain(|_, (start, _)| now.duration_since(*start) < self.window);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_fills_then_resets() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let start = Instant::now();
        assert!(limiter.check("env_a", start).allowed);
        let second = limiter.check("env_a", start);
        assert_eq!((second.allowed, second.remaining), (true, 0));
        assert!(
            !limiter
                .check("env_a", start + Duration::from_secs(1))
                .allowed
        );
        // Another environment has its own window.
        assert!(limiter.check("env_b", start).allowed);
        let later = limiter.check("env_a", start + Duration::from_secs(61));
        assert_eq!((later.allowed, later.remaining), (true, 1));
    }

    #[test]
    fn exhaustion_is_seen_without_counting() {
        let limiter = RateLimiter::new(2, Duration::from_secs(10));
        let start = Instant::now();
        assert_eq!(limiter.exhausted("1.2.3.4", start), None);
        limiter.check("1.2.3.4", start);
        assert_eq!(limiter.exhausted("1.2.3.4", start), None);
        limiter.check("1.2.3.4", start);
        assert_eq!(
            limiter.exhausted("1.2.3.4", start + Duration::from_secs(3)),
            Some(7)
        );
        assert_eq!(
            limiter.exhausted("1.2.3.4", start + Duration::from_secs(10)),
            None
        );
        limiter.forget_closed(start + Duration::from_secs(10));
        assert!(limiter.windows.lock().unwrap().is_empty());
    }
}
