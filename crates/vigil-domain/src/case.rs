//! Cases for manual review: templates (the resolutions a reviewer may choose), queues,
//! the case itself (status, assignee, what it is about, tags, fields, comments) and the
//! rules for moving it.
//!
//! A case is `open`, `pending` or `resolved` (with one of its template's resolutions).
//! Persona lets a template name its statuses freely; vigil keeps these three and reads a
//! resolution given as a status (`{"status": "Approved"}`) as "resolved as Approved", so
//! code written for Persona's default templates works unchanged.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::actor::Actor;
use crate::inquiry::template::FieldSchema;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseTemplate {
    pub id: String,
    pub name: String,
    /// `active` or `archived`.
    pub status: String,
    /// What a resolved case may be resolved as.
    pub resolutions: Vec<String>,
    pub field_schemas: Vec<FieldSchema>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Beyond Persona ("four eyes"): the resolutions a second reviewer must approve before
    /// they take effect; the first reviewer's decision waits as a [`Proposal`].
    #[serde(default)]
    pub second_review: Vec<String>,
}

/// The template every environment starts with, which flagging rules use by default.
pub const DEFAULT_TEMPLATE_NAME: &str = "Manual review";
pub const DEFAULT_RESOLUTIONS: &[&str] = &["Approved", "Declined"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseQueue {
    pub id: String,
    pub name: String,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Open,
    Pending,
    Resolved,
}

impl CaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Pending => "pending",
            CaseStatus::Resolved => "resolved",
        }
    }

    pub fn parse(name: &str) -> Option<CaseStatus> {
        [CaseStatus::Open, CaseStatus::Pending, CaseStatus::Resolved]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// Who did something to a case, as Persona shows it: a user (by name) or a flagging rule
/// (a `workflow-run`, by id). Made from an [`crate::actor::Actor`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub id: String,
    /// `user` (an API key, or the email a request names) or `workflow-run` (a rule).
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub id: String,
    pub name: String,
    pub template_id: String,
    pub queue_id: Option<String>,
    pub status: CaseStatus,
    pub resolution: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub assigned_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub redacted_at: Option<i64>,
    pub sla_expires_at: Option<i64>,
    /// The SLA-expired event was recorded.
    pub sla_reported: bool,
    pub creator: Participant,
    pub assignee: Option<String>,
    pub assigner: Option<Participant>,
    pub resolver: Option<Participant>,
    pub updater: Option<Participant>,
    pub tags: Vec<String>,
    pub fields: Map<String, Value>,
    pub account_ids: Vec<String>,
    /// Reference ids of the attached accounts, for `filter[reference-id]`.
    pub reference_ids: Vec<String>,
    pub inquiry_ids: Vec<String>,
    pub report_ids: Vec<String>,
    pub document_ids: Vec<String>,
    pub comment_ids: Vec<String>,
    /// Beyond Persona: the finding a flagging rule opened it for (never two open cases for
    /// one finding), and the rule.
    pub finding: Option<String>,
    pub rule_id: Option<String>,
    /// Beyond Persona: a decision waiting for a second reviewer (see [`Case::review`]).
    #[serde(default)]
    pub proposal: Option<Proposal>,
}

/// A status change a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub status: CaseStatus,
    pub resolution: Option<String>,
}

/// Why a status change is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadStatus(pub String);

impl CaseTemplate {
    /// Read `status` (and `resolution`) as a change: `open`, `pending`, `resolved` with a
    /// resolution, or one of the template's resolutions on its own.
    pub fn status_change(
        &self,
        status: &str,
        resolution: Option<&str>,
    ) -> Result<StatusChange, BadStatus> {
        let named = |r: &str| {
            self.resolutions
                .iter()
                .find(|known| known.eq_ignore_ascii_case(r))
                .cloned()
                .ok_or_else(|| {
                    BadStatus(format!(
                        "`{r}` is not a resolution of case template `{}` ({})",
                        self.id,
                        self.resolutions.join(", ")
                    ))
                })
        };
        match (CaseStatus::parse(&status.to_ascii_lowercase()), resolution) {
            (Some(CaseStatus::Resolved), Some(r)) => Ok(StatusChange {
                status: CaseStatus::Resolved,
                resolution: Some(named(r)?),
            }),
            (Some(CaseStatus::Resolved), None) => {
                Err(BadStatus("resolving a case needs a resolution".into()))
            }
            (Some(other), None) => Ok(StatusChange {
                status: other,
                resolution: None,
            }),
            (Some(other), Some(_)) => Err(BadStatus(format!(
                "a resolution goes only with `resolved`, not `{}`",
                other.as_str()
            ))),
            (None, None) => Ok(StatusChange {
                status: CaseStatus::Resolved,
                resolution: Some(named(status)?),
            }),
            (None, Some(_)) => Err(BadStatus(format!(
                "`{status}` is not a case status (open, pending, resolved)"
            ))),
        }
    }
}

/// A decision waiting for a second reviewer: what was decided, by whom, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub resolution: String,
    pub by: Actor,
    pub at: i64,
}

/// What a reviewer's decision does on a template with second review (four eyes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Review {
    /// Carry it out: no second review is needed, or this is the second reviewer agreeing.
    Decide,
    /// Keep it as a proposal (it replaces any other) until another reviewer agrees.
    Propose,
}

impl CaseTemplate {
    /// Whether resolving as `resolution` needs a second reviewer.
    pub fn needs_second_review(&self, resolution: &str) -> bool {
        self.second_review
            .iter()
            .any(|r| r.eq_ignore_ascii_case(resolution))
    }

    /// The template's resolutions named in `wanted` (any letter case), as the template
    /// spells them; an unknown one is the error.
    pub fn resolutions_named(&self, wanted: &[String]) -> Result<Vec<String>, String> {
        let mut out: Vec<String> = Vec::new();
        for name in wanted {
            let found = self
                .resolutions
                .iter()
                .find(|r| r.eq_ignore_ascii_case(name.trim()))
                .ok_or_else(|| {
                    format!(
                        "`{name}` is not a resolution of this template ({})",
                        self.resolutions.join(", ")
                    )
                })?;
            if !out.contains(found) {
                out.push(found.clone());
            }
        }
        Ok(out)
    }
}

impl Case {
    /// How `actor`'s decision to resolve as `resolution` goes under `template`'s second
    /// review: a decision the same person already proposed cannot be approved by them.
    pub fn review(
        &self,
        template: &CaseTemplate,
        resolution: &str,
        actor: &Actor,
    ) -> Result<Review, IllegalMove> {
        if !template.needs_second_review(resolution) || actor.is_system() {
            return Ok(Review::Decide);
        }
        match &self.proposal {
            Some(p) if p.resolution.eq_ignore_ascii_case(resolution) && p.by.same_as(actor) => {
                Err(IllegalMove(format!(
                    "{} was proposed by you on case `{}`; a second reviewer must approve it",
                    p.resolution, self.id
                )))
            }
            Some(p) if p.resolution.eq_ignore_ascii_case(resolution) => Ok(Review::Decide),
            _ => Ok(Review::Propose),
        }
    }

    /// Keep `resolution` as `actor`'s proposal, the case pending until it is approved.
    /// Whether the status moved (to pending).
    pub fn propose(&mut self, resolution: String, actor: Actor, now: i64) -> bool {
        self.proposal = Some(Proposal {
            resolution,
            by: actor.clone(),
            at: now,
        });
        self.updated_at = now;
        self.updater = Some(actor.as_participant());
        let moved = self.status != CaseStatus::Pending;
        self.status = CaseStatus::Pending;
        moved
    }
}

/// What a status change did, for the events it records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moved {
    Unchanged,
    Changed,
    Resolved,
    Reopened,
}

/// A status change the lifecycle does not allow, with why (a conflict with the case's
/// current state, not a bad value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IllegalMove(pub String);

impl Case {
    /// A new open case `id` of `template`, named after it (not yet saved).
    pub fn open(id: String, template: &CaseTemplate, creator: Participant, now: i64) -> Case {
        Case {
            name: format!("{} {}", template.name, &id[id.len().saturating_sub(6)..]),
            id,
            template_id: template.id.clone(),
            queue_id: None,
            status: CaseStatus::Open,
            resolution: None,
            created_at: now,
            updated_at: now,
            assigned_at: None,
            resolved_at: None,
            redacted_at: None,
            sla_expires_at: None,
            sla_reported: false,
            creator,
            assignee: None,
            assigner: None,
            resolver: None,
            updater: None,
            tags: Vec::new(),
            fields: Map::new(),
            account_ids: Vec::new(),
            reference_ids: Vec::new(),
            inquiry_ids: Vec::new(),
            report_ids: Vec::new(),
            document_ids: Vec::new(),
            comment_ids: Vec::new(),
            finding: None,
            rule_id: None,
            proposal: None,
        }
    }

    /// Apply a status change by `actor` at `now`. The legal moves: `open` and `pending`
    /// into each other and into `resolved` (with a resolution); `resolved` back to `open`
    /// or `pending` (a reopening). A decision is final until the case is reopened: a
    /// resolved case cannot be resolved again with another resolution. Asking for the
    /// state the case is already in changes nothing.
    pub fn set_status(
        &mut self,
        change: StatusChange,
        actor: Participant,
        now: i64,
    ) -> Result<Moved, IllegalMove> {
        if self.status == change.status && self.resolution == change.resolution {
            return Ok(Moved::Unchanged);
        }
        if self.status == CaseStatus::Resolved && change.status == CaseStatus::Resolved {
            return Err(IllegalMove(format!(
                "case `{}` is already resolved as {}; reopen it (status open) before deciding again",
                self.id,
                self.resolution.as_deref().unwrap_or("resolved")
            )));
        }
        let was_resolved = self.status == CaseStatus::Resolved;
        // A decision taken, or the case sent back, ends any proposal.
        self.proposal = None;
        self.status = change.status;
        self.resolution = change.resolution;
        self.updated_at = now;
        self.updater = Some(actor.clone());
        if self.status == CaseStatus::Resolved {
            self.resolved_at = Some(now);
            self.resolver = Some(actor);
            Ok(Moved::Resolved)
        } else {
            self.resolved_at = None;
            self.resolver = None;
            Ok(if was_resolved {
                Moved::Reopened
            } else {
                Moved::Changed
            })
        }
    }

    pub fn assign(&mut self, assignee: String, assigner: Participant, now: i64) -> bool {
        if self.assignee.as_deref() == Some(assignee.as_str()) {
            return false;
        }
        self.assignee = Some(assignee);
        self.assigner = Some(assigner.clone());
        self.updater = Some(assigner);
        self.assigned_at = Some(now);
        self.updated_at = now;
        true
    }

    /// When the scheduler must record that its SLA ran out.
    pub fn due_at(&self) -> Option<i64> {
        match (self.status, self.sla_reported, self.redacted_at) {
            (CaseStatus::Resolved, ..) | (_, true, _) | (.., Some(_)) => None,
            _ => self.sla_expires_at,
        }
    }

    /// Every object attached, with the list it is kept in.
    pub fn attached_mut(&mut self, id: &str) -> Option<&mut Vec<String>> {
        match id.split_once('_').map(|(p, _)| p) {
            Some("act") => Some(&mut self.account_ids),
            Some("inq") => Some(&mut self.inquiry_ids),
            Some("rep") => Some(&mut self.report_ids),
            Some("doc") => Some(&mut self.document_ids),
            _ => None,
        }
    }

    /// Remove the fields and comments' text (comments are redacted by the caller).
    pub fn redact(&mut self, now: i64) {
        self.fields = Map::new();
        self.name = format!("Redacted case {}", self.id);
        self.redacted_at = Some(now);
        self.updated_at = now;
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseComment {
    pub id: String,
    pub case_id: String,
    pub message: String,
    pub commenter: Participant,
    pub created_at: i64,
    pub updated_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template() -> CaseTemplate {
        CaseTemplate {
            id: "ctmpl_a".into(),
            name: "t".into(),
            status: "active".into(),
            resolutions: vec!["Approved".into(), "Declined".into()],
            field_schemas: Vec::new(),
            created_at: 0,
            updated_at: 0,
            second_review: Vec::new(),
        }
    }

    fn case() -> Case {
        let creator = Participant {
            id: "k".into(),
            kind: "user".into(),
        };
        let mut case = Case::open("case_a".into(), &template(), creator, 0);
        case.sla_expires_at = Some(10);
        case
    }

    #[test]
    fn a_held_decision_waits_for_someone_else() {
        let mut t = template();
        t.second_review = t.resolutions_named(&["declined".into()]).unwrap();
        assert_eq!(t.second_review, vec!["Declined".to_string()]);
        assert!(t.resolutions_named(&["Maybe".into()]).is_err());
        let rita = Actor::User {
            id: "user_r".into(),
            name: "Rita".into(),
        };
        let ann = Actor::User {
            id: "user_a".into(),
            name: "Rita".into(),
        };
        let mut case = case();
        assert_eq!(case.review(&t, "Approved", &rita), Ok(Review::Decide));
        assert_eq!(case.review(&t, "Declined", &rita), Ok(Review::Propose));
        assert!(case.propose("Declined".into(), rita.clone(), 5));
        assert_eq!(case.status, CaseStatus::Pending);
        // Not by herself (even named alike, a person is her id), but by anyone else.
        assert!(case.review(&t, "declined", &rita).is_err());
        assert_eq!(case.review(&t, "Declined", &ann), Ok(Review::Decide));
        // Someone else choosing otherwise makes a new proposal.
        assert_eq!(case.review(&t, "Approved", &ann), Ok(Review::Decide));
        let mut held_both = t.clone();
        held_both.second_review = held_both.resolutions.clone();
        assert_eq!(
            case.review(&held_both, "Approved", &ann),
            Ok(Review::Propose)
        );
        // Deciding ends the proposal.
        let change = t.status_change("Declined", None).unwrap();
        case.set_status(change, ann.as_participant(), 6).unwrap();
        assert_eq!(case.proposal, None);
    }

    #[test]
    fn statuses_and_resolutions_are_read_persona_style() {
        let t = template();
        assert_eq!(
            t.status_change("Approved", None).unwrap(),
            StatusChange {
                status: CaseStatus::Resolved,
                resolution: Some("Approved".into())
            }
        );
        assert_eq!(
            t.status_change("resolved", Some("declined"))
                .unwrap()
                .resolution
                .as_deref(),
            Some("Declined")
        );
        assert_eq!(
            t.status_change("Pending", None).unwrap().status,
            CaseStatus::Pending
        );
        assert!(t.status_change("resolved", None).is_err());
        assert!(t
            .status_change("Escalated", None)
            .unwrap_err()
            .0
            .contains("Approved, Declined"));
        assert!(t.status_change("open", Some("Approved")).is_err());
    }

    #[test]
    fn resolving_and_reopening_keep_their_stamps_straight() {
        let t = template();
        let mut c = case();
        let reviewer = Participant {
            id: "r".into(),
            kind: "user".into(),
        };
        assert_eq!(c.due_at(), Some(10));
        assert_eq!(
            c.set_status(
                t.status_change("Approved", None).unwrap(),
                reviewer.clone(),
                5
            ),
            Ok(Moved::Resolved)
        );
        assert_eq!(c.resolved_at, Some(5));
        assert_eq!(c.due_at(), None, "a resolved case has no SLA to miss");
        assert_eq!(
            c.set_status(
                t.status_change("Approved", None).unwrap(),
                reviewer.clone(),
                6
            ),
            Ok(Moved::Unchanged)
        );
        // A decision is final until the case is reopened.
        let again = c.set_status(
            t.status_change("Declined", None).unwrap(),
            reviewer.clone(),
            6,
        );
        assert!(again.unwrap_err().0.contains("reopen"));
        assert_eq!(c.resolution.as_deref(), Some("Approved"));
        assert_eq!(
            c.set_status(t.status_change("open", None).unwrap(), reviewer.clone(), 7),
            Ok(Moved::Reopened)
        );
        assert_eq!(c.resolved_at, None);
        assert!(c.resolution.is_none());
        assert!(c.assign("a@x.com".into(), reviewer.clone(), 8));
        assert!(!c.assign("a@x.com".into(), reviewer, 9));
        assert_eq!(c.assigned_at, Some(8));
    }
}
