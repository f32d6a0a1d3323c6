//! Who made a change. Every use case takes an actor and every event records it, so "who did
//! what" has one answer whoever acted: a request's API key, a person at the console, or
//! vigil itself (a flagging rule, the scheduler, an import, the screening monitor).

use serde::{Deserialize, Serialize};

use crate::case::Participant;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Actor {
    /// A request made with an API key.
    ApiKey { id: String, name: String },
    /// A person signed in to the review console.
    User { id: String, name: String },
    /// vigil itself; `id` and `name` say which rule, import or command, where there is one.
    System {
        process: Process,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
    },
}

/// The part of vigil that acted on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Process {
    /// A flagging rule opening or adding to a case and tagging accounts.
    FlaggingRule,
    /// What falls due without a request: inquiry expiry, case SLAs.
    Scheduler,
    /// An import writing its rows.
    Importer,
    /// Continuous screening re-running reports.
    ScreeningMonitor,
    /// The webhook sender disabling a webhook it may no longer reach.
    WebhookSender,
    /// First start: the default templates, queues and rules.
    Setup,
    /// A command of the `vigil` binary run by an operator (`vigil rules load`).
    Cli,
    /// The person verifying themselves through the verification flow (`id`: their
    /// inquiry session, once they have one).
    VerificationFlow,
}

impl Actor {
    /// vigil itself, in no particular rule or import.
    pub fn system(process: Process) -> Actor {
        Actor::System {
            process,
            id: None,
            name: None,
        }
    }

    /// vigil itself, acting for the object `id` (a rule, an import) called `name`.
    pub fn system_for(process: Process, id: &str, name: Option<&str>) -> Actor {
        Actor::System {
            process,
            id: Some(id.to_string()),
            name: name.map(str::to_string),
        }
    }

    /// vigil itself, not a key or a person.
    pub fn is_system(&self) -> bool {
        matches!(self, Actor::System { .. })
    }

    /// Whether two actors are the same key or the same person (names may change).
    pub fn same_as(&self, other: &Actor) -> bool {
        match (self, other) {
            (Actor::ApiKey { id: a, .. }, Actor::ApiKey { id: b, .. })
            | (Actor::User { id: a, .. }, Actor::User { id: b, .. }) => a == b,
            _ => false,
        }
    }

    /// A name for people to read: the key's or person's name, else the rule's or
    /// command's, else the part of vigil.
    pub fn display_name(&self) -> String {
        match self {
            Actor::ApiKey { name, .. } | Actor::User { name, .. } => name.clone(),
            Actor::System {
                name: Some(name), ..
            } => name.clone(),
            Actor::System { process, id, .. } => id.clone().unwrap_or_else(|| {
                serde_json::to_value(process)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            }),
        }
    }

    /// The actor as Persona names who created, assigned or resolved a case: a key or a
    /// person is a `user` (by name), a flagging rule a `workflow-run` (by the rule's id).
    pub fn as_participant(&self) -> Participant {
        match self {
            Actor::ApiKey { name, .. } | Actor::User { name, .. } => Participant {
                id: name.clone(),
                kind: "user".into(),
            },
            Actor::System {
                process: Process::FlaggingRule,
                id: Some(id),
                ..
            } => Participant {
                id: id.clone(),
                kind: "workflow-run".into(),
            },
            Actor::System { .. } => Participant {
                id: self.display_name(),
                kind: "workflow-run".into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn actors_serialize_with_their_type_and_read_back() {
        let key = Actor::ApiKey {
            id: "key_1".into(),
            name: "ops".into(),
        };
        assert_eq!(
            serde_json::to_value(&key).unwrap(),
            json!({"type": "api-key", "id": "key_1", "name": "ops"})
        );
        let rule = Actor::system_for(Process::FlaggingRule, "rul_1", Some("Shared email"));
        let value = serde_json::to_value(&rule).unwrap();
        assert_eq!(
            value,
            json!({"type": "system", "process": "flagging-rule", "id": "rul_1", "name": "Shared email"})
        );
        assert_eq!(serde_json::from_value::<Actor>(value).unwrap(), rule);
        assert_eq!(
            serde_json::to_value(Actor::system(Process::Scheduler)).unwrap(),
            json!({"type": "system", "process": "scheduler"})
        );
    }

    #[test]
    fn a_rule_is_a_workflow_run_and_a_key_a_user_on_a_case() {
        let rule = Actor::system_for(Process::FlaggingRule, "rul_1", None);
        assert_eq!(rule.as_participant().kind, "workflow-run");
        assert_eq!(rule.as_participant().id, "rul_1");
        let key = Actor::ApiKey {
            id: "key_1".into(),
            name: "ops".into(),
        };
        assert_eq!(key.as_participant().id, "ops");
        assert_eq!(key.as_participant().kind, "user");
    }
}
