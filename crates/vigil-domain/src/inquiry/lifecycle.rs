//! The inquiry lifecycle: Persona's statuses, which action may move an inquiry from which
//! status, the timestamps each move sets and the event it records. Pure: the HTTP layer
//! and the expiry scheduler call [`Lifecycle::apply`] and store what it returns; an
//! illegal move is an error naming both ends, never a silent change.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Persona's inquiry statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InquiryStatus {
    Created,
    Pending,
    Completed,
    Failed,
    Expired,
    NeedsReview,
    Approved,
    Declined,
}

impl InquiryStatus {
    pub const ALL: [InquiryStatus; 8] = [
        InquiryStatus::Created,
        InquiryStatus::Pending,
        InquiryStatus::Completed,
        InquiryStatus::Failed,
        InquiryStatus::Expired,
        InquiryStatus::NeedsReview,
        InquiryStatus::Approved,
        InquiryStatus::Declined,
    ];

    /// The wire name (`needs_review`, as Persona writes it).
    pub fn as_str(self) -> &'static str {
        match self {
            InquiryStatus::Created => "created",
            InquiryStatus::Pending => "pending",
            InquiryStatus::Completed => "completed",
            InquiryStatus::Failed => "failed",
            InquiryStatus::Expired => "expired",
            InquiryStatus::NeedsReview => "needs_review",
            InquiryStatus::Approved => "approved",
            InquiryStatus::Declined => "declined",
        }
    }

    pub fn parse(name: &str) -> Option<InquiryStatus> {
        InquiryStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// A person is still going through it (it can be completed, failed or expire).
    pub fn in_progress(self) -> bool {
        matches!(self, InquiryStatus::Created | InquiryStatus::Pending)
    }

    /// Approved or declined: a decision was made and nothing moves it any more.
    pub fn decided(self) -> bool {
        matches!(self, InquiryStatus::Approved | InquiryStatus::Declined)
    }
}

impl fmt::Display for InquiryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What can happen to an inquiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// The person started (a session began, or fields were submitted).
    Start,
    /// Every required step passed.
    Complete,
    /// A required step failed for good.
    Fail,
    /// `POST /inquiries/{id}/expire`, or the expiry interval ran out.
    Expire,
    /// `POST /inquiries/{id}/resume`: an expired inquiry goes back to pending.
    Resume,
    /// `POST /inquiries/{id}/mark-for-review`.
    MarkForReview,
    /// `POST /inquiries/{id}/approve`.
    Approve,
    /// `POST /inquiries/{id}/decline`.
    Decline,
}

impl Action {
    fn verb(self) -> &'static str {
        match self {
            Action::Start => "started",
            Action::Complete => "completed",
            Action::Fail => "failed",
            Action::Expire => "expired",
            Action::Resume => "resumed",
            Action::MarkForReview => "marked for review",
            Action::Approve => "approved",
            Action::Decline => "declined",
        }
    }
}

/// An action the inquiry's status does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IllegalTransition {
    pub from: InquiryStatus,
    pub action: Action,
}

impl fmt::Display for IllegalTransition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "an inquiry that is {} cannot be {}",
            self.from.as_str().replace('_', " "),
            self.action.verb()
        )
    }
}

impl std::error::Error for IllegalTransition {}

/// An inquiry's status and the times it reached each stage (milliseconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifecycle {
    pub status: InquiryStatus,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub failed_at: Option<i64>,
    pub expired_at: Option<i64>,
    pub marked_for_review_at: Option<i64>,
    pub decisioned_at: Option<i64>,
}

/// What an allowed action did: the status before and after, and the event to record
/// (`None` when nothing changed: repeating an approval, resuming a pending inquiry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub from: InquiryStatus,
    pub to: InquiryStatus,
    pub event: Option<&'static str>,
}

impl Lifecycle {
    pub fn new(now: i64) -> Lifecycle {
        Lifecycle {
            status: InquiryStatus::Created,
            created_at: now,
            started_at: None,
            completed_at: None,
            failed_at: None,
            expired_at: None,
            marked_for_review_at: None,
            decisioned_at: None,
        }
    }

    /// The status `action` moves an inquiry in `from` to, `Ok(from)` when it changes
    /// nothing, or why it may not.
    pub fn next(from: InquiryStatus, action: Action) -> Result<InquiryStatus, IllegalTransition> {
        use InquiryStatus::*;
        let to = match (action, from) {
            (Action::Start, Created | Pending) => Pending,
            (Action::Complete, Created | Pending) => Completed,
            (Action::Fail, Created | Pending) => Failed,
            (Action::Expire, Created | Pending) => Expired,
            (Action::Expire, Expired) => Expired,
            (Action::Resume, Expired) => Pending,
            (Action::Resume, Created | Pending) => from,
            // Approved and declined inquiries cannot go to review (Persona's rule).
            (Action::MarkForReview, s) if !s.decided() => NeedsReview,
            (Action::Approve, Approved) | (Action::Decline, Declined) => from,
            // A decision can be made at any stage, but not reversed.
            (Action::Approve, s) if !s.decided() => Approved,
            (Action::Decline, s) if !s.decided() => Declined,
            _ => return Err(IllegalTransition { from, action }),
        };
        Ok(to)
    }

    /// Apply `action` at `now`: the new status and the time of the stage it reached.
    pub fn apply(&mut self, action: Action, now: i64) -> Result<Transition, IllegalTransition> {
        let from = self.status;
        let to = Lifecycle::next(from, action)?;
        if to == from {
            return Ok(Transition {
                from,
                to,
                event: None,
            });
        }
        self.status = to;
        let (stamp, event) = match to {
            InquiryStatus::Pending if from == InquiryStatus::Expired => {
                (None, "inquiry.transitioned")
            }
            InquiryStatus::Pending => (Some(&mut self.started_at), "inquiry.started"),
            InquiryStatus::Completed => (Some(&mut self.completed_at), "inquiry.completed"),
            InquiryStatus::Failed => (Some(&mut self.failed_at), "inquiry.failed"),
            InquiryStatus::Expired => (Some(&mut self.expired_at), "inquiry.expired"),
            InquiryStatus::NeedsReview => (
                Some(&mut self.marked_for_review_at),
                "inquiry.marked-for-review",
            ),
            InquiryStatus::Approved => (Some(&mut self.decisioned_at), "inquiry.approved"),
            InquiryStatus::Declined => (Some(&mut self.decisioned_at), "inquiry.declined"),
            InquiryStatus::Created => unreachable!("nothing moves an inquiry back to created"),
        };
        if let Some(stamp) = stamp {
            *stamp = Some(now);
        }
        Ok(Transition {
            from,
            to,
            event: Some(event),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use InquiryStatus::*;

    const ACTIONS: [Action; 8] = [
        Action::Start,
        Action::Complete,
        Action::Fail,
        Action::Expire,
        Action::Resume,
        Action::MarkForReview,
        Action::Approve,
        Action::Decline,
    ];

    #[test]
    fn the_usual_path_sets_its_timestamps_and_events() {
        let mut inquiry = Lifecycle::new(1);
        let events: Vec<_> = [Action::Start, Action::Complete, Action::Approve]
            .into_iter()
            .enumerate()
            .map(|(n, a)| inquiry.apply(a, 10 + n as i64).unwrap().event)
            .collect();
        assert_eq!(
            events,
            [
                Some("inquiry.started"),
                Some("inquiry.completed"),
                Some("inquiry.approved")
            ]
        );
        assert_eq!(inquiry.status, Approved);
        assert_eq!(
            (
                inquiry.started_at,
                inquiry.completed_at,
                inquiry.decisioned_at
            ),
            (Some(10), Some(11), Some(12))
        );
    }

    #[test]
    fn illegal_moves_are_errors_that_say_why() {
        let mut inquiry = Lifecycle::new(0);
        inquiry.apply(Action::Decline, 5).unwrap();
        let before = inquiry.clone();
        let error = inquiry.apply(Action::Approve, 6).unwrap_err();
        assert_eq!(
            error.to_string(),
            "an inquiry that is declined cannot be approved"
        );
        assert_eq!(inquiry, before, "nothing changed");
        let error = Lifecycle::next(Approved, Action::MarkForReview).unwrap_err();
        assert_eq!(
            error.to_string(),
            "an inquiry that is approved cannot be marked for review"
        );
        assert!(Lifecycle::next(Completed, Action::Expire).is_err());
        assert!(Lifecycle::next(NeedsReview, Action::Resume).is_err());
    }

    #[test]
    fn expired_inquiries_resume_to_pending_and_repeats_change_nothing() {
        let mut inquiry = Lifecycle::new(0);
        inquiry.apply(Action::Start, 1).unwrap();
        assert_eq!(
            inquiry.apply(Action::Expire, 2).unwrap().event,
            Some("inquiry.expired")
        );
        assert_eq!(inquiry.apply(Action::Expire, 3).unwrap().event, None);
        let resumed = inquiry.apply(Action::Resume, 4).unwrap();
        assert_eq!((resumed.from, resumed.to), (Expired, Pending));
        assert_eq!(resumed.event, Some("inquiry.transitioned"));
        assert_eq!(
            inquiry.started_at,
            Some(1),
            "resuming is not starting again"
        );
        assert_eq!(inquiry.apply(Action::Resume, 5).unwrap().event, None);
        inquiry.apply(Action::Approve, 6).unwrap();
        assert_eq!(inquiry.apply(Action::Approve, 7).unwrap().event, None);
        assert_eq!(inquiry.decisioned_at, Some(6));
    }

    #[test]
    fn status_names_round_trip() {
        for status in InquiryStatus::ALL {
            assert_eq!(InquiryStatus::parse(status.as_str()), Some(status));
            let json = serde_json::to_value(status).unwrap();
            assert_eq!(json, status.as_str());
        }
        assert_eq!(InquiryStatus::parse("needs-review"), None);
    }

    proptest! {
        // Whatever happens to an inquiry: a decision is final, every change records
        // exactly one event and sets the time of the stage it reached, an error changes
        // nothing, and nothing returns to `created`.
        #[test]
        fn any_sequence_keeps_the_rules(actions in proptest::collection::vec(0usize..8, 0..30)) {
            let mut inquiry = Lifecycle::new(0);
            for (n, pick) in actions.into_iter().enumerate() {
                let before = inquiry.clone();
                let now = n as i64 + 1;
                match inquiry.apply(ACTIONS[pick], now) {
                    Ok(t) => {
                        prop_assert_eq!(t.from, before.status);
                        prop_assert_eq!(t.to, inquiry.status);
                        prop_assert_eq!(t.event.is_some(), t.from != t.to);
                        prop_assert!(!before.status.decided() || t.to == t.from);
                        prop_assert!(t.to != Created || t.from == Created);
                        if t.to.decided() && t.from != t.to {
                            prop_assert_eq!(inquiry.decisioned_at, Some(now));
                        }
                        if t.to == Expired && t.from != t.to {
                            prop_assert_eq!(inquiry.expired_at, Some(now));
                        }
                    }
                    Err(_) => prop_assert_eq!(&inquiry, &before),
                }
            }
        }
    }
}
