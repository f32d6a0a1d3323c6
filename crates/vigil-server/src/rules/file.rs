//! Flagging rules from a TOML file (`vigil rules load`), for teams that keep their rules
//! in version control. Rules are matched by name: a rule of the file updates the
//! environment's rule of that name, or is created. All of the file lands, or none of it.
//!
//! ```toml
//! [[rules]]
//! name = "Two accounts on one IP address"
//! account_tag = "ip-ring"
//! condition = { type = "shared-value", key = "ip-address", more_than = 1, within_seconds = 3600 }
//! ```
//! Keys are the API's attribute names (`account-tag` or `account_tag`), the condition as
//! `POST /flagging-rules` takes it.

use std::sync::Arc;

use serde_json::Value;
use vigil_store::{transact_blocking, Store};

use vigil_domain::actor::{Actor, Process};
use vigil_domain::rule::RuleChanges;

use crate::protocol::inflection::{to_kebab, transform_keys};
use crate::setup::SetupError;
use crate::use_cases::{rules, Acting};

/// What loading did to one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub id: String,
    pub name: String,
    pub created: bool,
}

/// Load the rules of `text` (TOML) into environment `env_name`, at `now`.
pub fn load(
    store: &Arc<dyn Store>,
    env_name: &str,
    text: &str,
    now: i64,
) -> Result<Vec<Loaded>, SetupError> {
    let invalid = SetupError::Invalid;
    let parsed: Value =
        toml::from_str(text).map_err(|e| invalid(format!("the rules file is not TOML: {e}")))?;
    let parsed = transform_keys(parsed, &to_kebab);
    let Some(items) = parsed.get("rules").and_then(Value::as_array).cloned() else {
        return Err(invalid("the rules file has no [[rules]] tables".into()));
    };
    if let Some(unknown) = parsed
        .as_object()
        .and_then(|o| o.keys().find(|k| *k != "rules"))
    {
        return Err(invalid(format!(
            "`{unknown}` is not a part of a rules file (only [[rules]])"
        )));
    }
    let env = store
        .environments()?
        .into_iter()
        .find(|e| e.name == env_name)
        .ok_or_else(|| invalid(format!("unknown environment `{env_name}`")))?;
    let describe = |index: usize, error: &dyn std::fmt::Display| {
        SetupError::Invalid(format!("rules[{index}]: {error}"))
    };
    let mut parsed_rules = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let Some(attributes) = item.as_object() else {
            return Err(invalid(format!("rules[{index}] must be a table")));
        };
        let rule_changes = RuleChanges::read(attributes, "")
            .map_err(|e| describe(index, &format!("{} {}", e.dotted_path(), e.message)))?;
        let Some(name) = rule_changes.name.clone() else {
            return Err(invalid(format!("rules[{index}]: name is missing")));
        };
        parsed_rules.push((index, name, rule_changes));
    }
    for (i, (_, name, _)) in parsed_rules.iter().enumerate() {
        if parsed_rules[..i].iter().any(|(_, other, _)| other == name) {
            return Err(invalid(format!(
                "rules[{i}]: the name `{name}` is given twice"
            )));
        }
    }
    let acting = Acting::new(
        &env.id,
        Actor::system_for(Process::Cli, "vigil rules load", None),
        now,
    );
    transact_blocking(store, move |tx| -> Result<Vec<Loaded>, SetupError> {
        let mut loaded = Vec::new();
        for (index, name, rule_changes) in parsed_rules {
            let (rule, created) = rules::put_by_name(tx, &acting, &name, rule_changes)
                .map_err(|e| describe(index, &e))?;
            loaded.push(Loaded {
                id: rule.id,
                name,
                created,
            });
        }
        Ok(loaded)
    })
}
