//! When the server removes what redactions left in PostgreSQL's files
//! (`vigil_store::Store::scrub`): each table is locked while it is rewritten, so by
//! default the leader does it in the hour after a set time of day, only when a redaction
//! is owed one. SQLite never owes one (it clears overwritten data at commit).

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use crate::AppState;

/// When owed scrubs run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScrubSchedule {
    /// In the hour after this minute of the day (UTC).
    Daily { minute: u32 },
    /// Within seconds of each redaction (small databases, where a rewrite is quick).
    AfterRedaction,
    /// Only when an operator runs `vigil scrub`.
    Never,
}

impl Default for ScrubSchedule {
    fn default() -> Self {
        ScrubSchedule::Daily { minute: 3 * 60 }
    }
}

impl FromStr for ScrubSchedule {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let refused = || {
            format!("expected HH:MM (UTC, 00:00 to 23:59), `redaction` or `never`, got `{text}`")
        };
        match text {
            "redaction" => Ok(ScrubSchedule::AfterRedaction),
            "never" => Ok(ScrubSchedule::Never),
            _ => {
                let (hours, minutes) = text.split_once(':').ok_or_else(refused)?;
                let two_digits = |part: &str| {
                    (part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit()))
                        .then(|| part.parse::<u32>().ok())
                        .flatten()
                };
                match (two_digits(hours), two_digits(minutes)) {
                    (Some(h), Some(m)) if h < 24 && m < 60 => {
                        Ok(ScrubSchedule::Daily { minute: h * 60 + m })
                    }
                    _ => Err(refused()),
                }
            }
        }
    }
}

impl ScrubSchedule {
    /// Whether an owed scrub may run at `now` (milliseconds since the epoch, UTC).
    pub fn allows(self, now: i64) -> bool {
        match self {
            ScrubSchedule::AfterRedaction => true,
            ScrubSchedule::Never => false,
            ScrubSchedule::Daily { minute } => {
                let of_day = (now.rem_euclid(86_400_000) / 60_000) as u32;
                (of_day + 24 * 60 - minute) % (24 * 60) < 60
            }
        }
    }
}

/// How often the leader looks for an owed scrub.
const LOOK_EVERY: Duration = Duration::from_secs(5);

/// The leader's loop: scrub when one is owed and the schedule allows it.
pub async fn run(state: AppState) {
    let schedule = state.config.scrub;
    if schedule == ScrubSchedule::Never {
        return;
    }
    loop {
        tokio::time::sleep(LOOK_EVERY).await;
        if !state.leader.is_leading() || !schedule.allows(state.now()) {
            continue;
        }
        let store = Arc::clone(&state.store);
        let done = tokio::task::spawn_blocking(move || {
            if store.scrub_pending()? {
                store.scrub(false).map(Some)
            } else {
                Ok(None)
            }
        })
        .await;
        match done {
            Ok(Ok(Some(scrub))) => {
                tracing::info!(
                    tables = scrub.rewritten.len(),
                    ms = scrub.millis,
                    "scrubbed what redactions left in the database's files"
                );
                for warning in &scrub.warnings {
                    tracing::warn!(%warning, "the scrub could not do everything");
                }
            }
            Ok(Ok(None)) => {}
            Ok(Err(error)) => tracing::error!(%error, "the scrub failed; it will be retried"),
            Err(error) => tracing::error!(%error, "the scrub stopped"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_are_read_and_bad_ones_refused_with_what_is_expected() {
        assert_eq!("03:00".parse(), Ok(ScrubSchedule::Daily { minute: 180 }));
        assert_eq!("23:59".parse(), Ok(ScrubSchedule::Daily { minute: 1439 }));
        assert_eq!("redaction".parse(), Ok(ScrubSchedule::AfterRedaction));
        assert_eq!("never".parse(), Ok(ScrubSchedule::Never));
        for bad in ["24:00", "3:00", "03:60", "noon", "", "03:0a"] {
            let refused = bad.parse::<ScrubSchedule>().unwrap_err();
            assert!(
                refused.contains("HH:MM") && refused.contains(bad),
                "{refused}"
            );
        }
    }

    #[test]
    fn a_daily_scrub_runs_in_the_hour_after_its_time_and_across_midnight() {
        let at = |h: i64, m: i64| 20_000 * 86_400_000 + (h * 60 + m) * 60_000;
        let three = ScrubSchedule::Daily { minute: 180 };
        assert!(!three.allows(at(2, 59)));
        assert!(three.allows(at(3, 0)));
        assert!(three.allows(at(3, 59)));
        assert!(!three.allows(at(4, 0)));
        let late = ScrubSchedule::Daily {
            minute: 23 * 60 + 30,
        };
        assert!(late.allows(at(23, 45)));
        assert!(late.allows(at(0, 29)));
        assert!(!late.allows(at(0, 30)));
        assert!(ScrubSchedule::AfterRedaction.allows(at(12, 0)));
        assert!(!ScrubSchedule::Never.allows(at(12, 0)));
    }
}
