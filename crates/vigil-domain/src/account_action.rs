//! Account actions: named operations an operator configures once (`vigil actions create`)
//! and callers run on an account with `POST /accounts/{id}/run-action`, passing
//! `parameters`. vigil ships the kinds below; each names the parameters it takes.

use serde_json::{Map, Value};

use crate::account::parse_tags;
use crate::error::FieldError;

/// What an action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    /// `parameters.status`: one of the account type's statuses.
    SetStatus,
    /// `parameters.tags`: tags to add.
    AddTags,
    /// `parameters.tags`: tags to remove.
    RemoveTags,
}

pub const KINDS: &[(&str, ActionKind)] = &[
    ("set-status", ActionKind::SetStatus),
    ("add-tags", ActionKind::AddTags),
    ("remove-tags", ActionKind::RemoveTags),
];

impl ActionKind {
    pub fn parse(name: &str) -> Option<ActionKind> {
        KINDS.iter().find(|(n, _)| *n == name).map(|(_, k)| *k)
    }

    pub fn as_str(self) -> &'static str {
        KINDS
            .iter()
            .find(|(_, k)| *k == self)
            .map(|(n, _)| *n)
            .expect("every kind is listed")
    }
}

/// One run of an action, with its parameters checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionRun {
    SetStatus(String),
    AddTags(Vec<String>),
    RemoveTags(Vec<String>),
}

const PARAMETERS: &str = "parameters";

/// Check `parameters` (the request's `data.parameters`) for `kind`; unknown members are
/// rejected so a typo is not silently ignored.
pub fn parse_run(
    kind: ActionKind,
    parameters: &Map<String, Value>,
) -> Result<ActionRun, FieldError> {
    let allowed: &[&str] = match kind {
        ActionKind::SetStatus => &["status"],
        ActionKind::AddTags | ActionKind::RemoveTags => &["tags"],
    };
    if let Some(unknown) = parameters.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(FieldError::invalid(
            format!("{PARAMETERS}/{unknown}"),
            format!(
                "is not a parameter of a {} action (takes: {})",
                kind.as_str(),
                allowed.join(", ")
            ),
        ));
    }
    match kind {
        ActionKind::SetStatus => match parameters.get("status") {
            Some(Value::String(s)) if !s.trim().is_empty() => {
                Ok(ActionRun::SetStatus(s.trim().to_string()))
            }
            Some(Value::String(_)) => Err(FieldError::invalid(
                format!("{PARAMETERS}/status"),
                "must not be empty",
            )),
            None | Some(Value::Null) => Err(FieldError::bad_type(
                format!("{PARAMETERS}/status"),
                "is missing",
            )),
            Some(_) => Err(FieldError::bad_type(
                format!("{PARAMETERS}/status"),
                "must be a string",
            )),
        },
        ActionKind::AddTags | ActionKind::RemoveTags => {
            let pointer = format!("{PARAMETERS}/tags");
            let tags = match parameters.get("tags") {
                Some(Value::Array(items)) => parse_tags(items, &pointer)?,
                None | Some(Value::Null) => {
                    return Err(FieldError::bad_type(pointer, "is missing"))
                }
                Some(_) => {
                    return Err(FieldError::bad_type(pointer, "must be an array of strings"))
                }
            };
            if tags.is_empty() {
                return Err(FieldError::invalid(pointer, "must name at least one tag"));
            }
            Ok(match kind {
                ActionKind::AddTags => ActionRun::AddTags(tags),
                _ => ActionRun::RemoveTags(tags),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn parameters_are_checked_per_kind() {
        assert_eq!(
            parse_run(
                ActionKind::SetStatus,
                &params(json!({"status": " suspended "}))
            ),
            Ok(ActionRun::SetStatus("suspended".into()))
        );
        let missing = parse_run(ActionKind::SetStatus, &params(json!({}))).unwrap_err();
        assert_eq!(missing.pointer, "parameters/status");
        assert!(missing.wrong_type);
        let unknown = parse_run(ActionKind::AddTags, &params(json!({"tag": ["x"]}))).unwrap_err();
        assert_eq!(unknown.pointer, "parameters/tag");
        assert_eq!(
            parse_run(
                ActionKind::RemoveTags,
                &params(json!({"tags": ["a", "a", "b"]}))
            ),
            Ok(ActionRun::RemoveTags(vec!["a".into(), "b".into()]))
        );
        assert!(parse_run(ActionKind::AddTags, &params(json!({"tags": []}))).is_err());
    }

    #[test]
    fn kinds_round_trip() {
        for (name, kind) in KINDS {
            assert_eq!(ActionKind::parse(name), Some(*kind));
            assert_eq!(kind.as_str(), *name);
        }
        assert_eq!(ActionKind::parse("delete"), None);
    }
}
