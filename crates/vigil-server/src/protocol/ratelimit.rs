//! Fixed-window rate limiting per environment, as Persona does it: the window opens at the
//! first request and every request in the environment counts against it. The window is a
//! minute unless the operator sets another (`--rate-limit-window`).

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
        }
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
}
