//! The table of operations (`operations.toml`): what each one is called, where it goes,
//! what it changes, and its parameters. `build` turns an operation and its arguments
//! (snake_case, Persona's attribute names) into a request, checking every argument first.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::client::Request;
use crate::error::Error;

/// What an operation does to the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// Reads only.
    Read,
    /// Creates or changes something that can be changed back.
    Write,
    /// Erases, merges, archives, expires, declines or cuts off: hard or impossible to undo.
    Destructive,
}

/// What an operation answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Returns {
    #[default]
    Object,
    /// A page of objects, with a cursor to the next.
    List,
}

/// Where an argument goes in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// A `{name}` path segment.
    Path,
    /// `filter[kebab-name]`.
    Filter,
    /// A plain query parameter (kebab-case).
    Query,
    /// `cursor` → `page[after]`, `page_size` → `page[size]`.
    Page,
    /// `data.attributes.name`.
    Attribute,
    /// `meta.name`.
    Meta,
    /// `data.name`.
    Data,
    /// A top-level member of the body (a search's `query`).
    Body,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Type {
    String,
    Integer,
    Boolean,
    Object,
    /// An array of strings.
    Array,
    /// An array of objects (a template's field schemas, simulate actions).
    Objects,
    /// YYYY-MM-DD.
    Date,
    /// ISO 8601 date-time.
    Datetime,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Param {
    pub name: String,
    #[serde(rename = "in")]
    pub location: Location,
    #[serde(rename = "type")]
    pub kind: Type,
    pub description: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default, rename = "enum")]
    pub choices: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Operation {
    /// `verb_noun`, e.g. `create_account`.
    pub name: String,
    pub title: String,
    /// The group it belongs to: accounts, inquiries, cases, lists, reports, events, webhooks, keys.
    pub toolset: String,
    pub method: Method,
    /// Under the base URL, with `{arg}` segments.
    pub path: String,
    pub effect: Effect,
    /// Repeating it with the same arguments changes nothing more.
    pub idempotent: bool,
    pub description: String,
    pub returns: Returns,
    pub params: Vec<Param>,
}

impl Operation {
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }
}

/// Every operation, in the table's order.
pub fn all() -> &'static [Operation] {
    static TABLE: OnceLock<Vec<Operation>> = OnceLock::new();
    TABLE.get_or_init(|| {
        parse(include_str!("operations.toml")).expect("operations.toml is a valid table")
    })
}

/// The operation named `name`.
pub fn find(name: &str) -> Option<&'static Operation> {
    all().iter().find(|op| op.name == name)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    groups: BTreeMap<String, Vec<Param>>,
    list_kinds: Vec<Kind>,
    item_kinds: Vec<Kind>,
    operations: Vec<Entry>,
}

#[derive(Deserialize)]
struct Kind {
    kind: String,
    path: String,
    plural: String,
    title: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    title: String,
    toolset: String,
    method: String,
    path: String,
    effect: Effect,
    #[serde(default)]
    idempotent: bool,
    description: String,
    #[serde(default)]
    returns: Returns,
    #[serde(default)]
    params: Vec<ParamOrGroup>,
    #[serde(default)]
    for_each: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ParamOrGroup {
    Group(String),
    Param(Param),
}

fn parse(text: &str) -> Result<Vec<Operation>, String> {
    let table: Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut operations: Vec<Operation> = Vec::new();
    for entry in &table.operations {
        let kinds: Vec<Option<&Kind>> = match entry.for_each.as_deref() {
            None => vec![None],
            Some("list_kinds") => table.list_kinds.iter().map(Some).collect(),
            Some("item_kinds") => table.item_kinds.iter().map(Some).collect(),
            Some(other) => return Err(format!("{}: unknown for_each `{other}`", entry.name)),
        };
        for kind in kinds {
            let fill = |text: &str| match kind {
                Some(k) => text
                    .replace("{kind}", &k.kind)
                    .replace("{kind_path}", &k.path)
                    .replace("{kind_plural}", &k.plural)
                    .replace("{kind_title}", &k.title),
                None => text.to_string(),
            };
            let name = fill(&entry.name);
            let mut params: Vec<Param> = Vec::new();
            for item in &entry.params {
                match item {
                    ParamOrGroup::Param(p) => params.push(p.clone()),
                    ParamOrGroup::Group(group) => {
                        let group = fill(group.strip_prefix('@').unwrap_or(group));
                        let members = table
                            .groups
                            .get(&group)
                            .ok_or_else(|| format!("{name}: unknown group `@{group}`"))?;
                        params.extend(members.iter().cloned());
                    }
                }
            }
            // A later parameter of the same name (an operation's own) wins over a group's.
            let mut seen = std::collections::HashSet::new();
            let mut unique: Vec<Param> = Vec::new();
            for p in params.into_iter().rev() {
                if seen.insert(p.name.clone()) {
                    unique.push(p);
                }
            }
            unique.reverse();
            for p in &unique {
                if p.location == Location::Path && !entry.path.contains(&format!("{{{}}}", p.name))
                {
                    return Err(format!(
                        "{name}: path parameter `{}` not in the path",
                        p.name
                    ));
                }
            }
            let method = Method::from_bytes(entry.method.as_bytes())
                .map_err(|_| format!("{name}: bad method"))?;
            if operations.iter().any(|o| o.name == name) {
                return Err(format!("{name}: named twice"));
            }
            operations.push(Operation {
                name,
                title: fill(&entry.title),
                toolset: entry.toolset.clone(),
                method,
                path: fill(&entry.path),
                effect: entry.effect,
                idempotent: entry.idempotent,
                description: fill(&entry.description),
                returns: entry.returns,
                params: unique,
            });
        }
    }
    Ok(operations)
}

fn kebab(name: &str) -> String {
    name.replace('_', "-")
}

fn invalid(name: &str, message: impl Into<String>) -> Error {
    Error::InvalidArgument {
        name: name.to_string(),
        message: message.into(),
    }
}

/// Check `value` against the parameter's type and choices.
fn check(param: &Param, value: &Value) -> Result<(), Error> {
    let name = &param.name;
    let ok = match param.kind {
        Type::String | Type::Date | Type::Datetime => value.is_string(),
        Type::Integer => value.is_i64() || value.is_u64(),
        Type::Boolean => value.is_boolean(),
        Type::Object => value.is_object(),
        Type::Array => value
            .as_array()
            .is_some_and(|items| items.iter().all(Value::is_string)),
        Type::Objects => value
            .as_array()
            .is_some_and(|items| items.iter().all(Value::is_object)),
    };
    if !ok {
        let expected = match param.kind {
            Type::String => "a string",
            Type::Date => "a date (YYYY-MM-DD)",
            Type::Datetime => "an ISO 8601 date-time",
            Type::Integer => "an integer",
            Type::Boolean => "true or false",
            Type::Object => "an object",
            Type::Array => "an array of strings",
            Type::Objects => "an array of objects",
        };
        return Err(invalid(name, format!("must be {expected}")));
    }
    if let Some(text) = value.as_str() {
        if param.location == Location::Path && text.trim().is_empty() {
            return Err(invalid(name, "must not be empty"));
        }
        if !param.choices.is_empty() && !param.choices.iter().any(|c| c == text) {
            return Err(invalid(
                name,
                format!("must be one of {}", param.choices.join(", ")),
            ));
        }
    }
    Ok(())
}

fn query_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    }
}

/// Make the request for `op` with `args`; every argument is checked (unknown ones, missing
/// required ones, types, choices) before anything is sent.
pub fn build(op: &Operation, args: &Map<String, Value>) -> Result<Request, Error> {
    if let Some(unknown) = args.keys().find(|k| op.param(k).is_none()) {
        let known: Vec<&str> = op.params.iter().map(|p| p.name.as_str()).collect();
        return Err(invalid(
            unknown,
            format!(
                "is not a parameter of {} (it takes {})",
                op.name,
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ),
        ));
    }
    let mut path = op.path.clone();
    let mut query: Vec<(String, String)> = Vec::new();
    let mut attributes = Map::new();
    let mut meta = Map::new();
    let mut data = Map::new();
    let mut top = Map::new();
    for param in &op.params {
        let value = match args.get(&param.name) {
            Some(Value::Null) | None if param.required => {
                return Err(invalid(&param.name, "is required"))
            }
            Some(Value::Null) | None => continue,
            Some(value) => value,
        };
        check(param, value)?;
        match param.location {
            Location::Path => {
                let text = value.as_str().unwrap_or_default();
                let encoded: String =
                    form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>();
                path = path.replace(&format!("{{{}}}", param.name), &encoded);
            }
            Location::Filter => {
                query.push((format!("filter[{}]", kebab(&param.name)), query_text(value)));
            }
            Location::Query => query.push((kebab(&param.name), query_text(value))),
            Location::Page => {
                let name = if param.name == "cursor" {
                    "page[after]"
                } else {
                    "page[size]"
                };
                query.push((name.to_string(), query_text(value)));
            }
            Location::Attribute => {
                attributes.insert(param.name.clone(), value.clone());
            }
            Location::Meta => {
                meta.insert(param.name.clone(), value.clone());
            }
            Location::Data => {
                data.insert(param.name.clone(), value.clone());
            }
            Location::Body => {
                top.insert(param.name.clone(), value.clone());
            }
        }
    }
    let mut request = Request::new(op.method.clone(), path);
    request.query = query;
    let bodiless = op.method == Method::GET || op.method == Method::DELETE;
    if !bodiless || !attributes.is_empty() || !meta.is_empty() {
        if !attributes.is_empty() {
            data.insert("attributes".into(), Value::Object(attributes));
        }
        let mut body = top;
        if !data.is_empty() {
            body.insert("data".into(), Value::Object(data));
        }
        if !meta.is_empty() {
            body.insert("meta".into(), Value::Object(meta));
        }
        request.body = Some(Value::Object(body));
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn args(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn the_table_parses_and_expands_kinds() {
        let ops = all();
        assert!(ops.len() > 80, "{}", ops.len());
        assert!(find("create_name_list_item").is_some());
        assert!(find("archive_email_address_list_item").is_some());
        let item = find("create_email_address_list_item").unwrap();
        assert_eq!(item.path, "/list-item/email-addresses");
        assert!(item.param("match_type").is_some() && item.param("list_id").is_some());
        for op in ops {
            assert!(
                op.name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{}",
                op.name
            );
            for text in [&op.name, &op.title, &op.description, &op.path] {
                assert!(!text.contains("{kind"), "{}: unfilled", op.name);
            }
        }
    }

    #[test]
    fn arguments_become_path_query_attributes_and_meta() {
        let op = find("add_account_tag").unwrap();
        let request = build(op, &args(json!({"account_id": "act_1", "tag_name": "vip"}))).unwrap();
        assert_eq!(request.path, "/accounts/act_1/add-tag");
        assert_eq!(request.body, Some(json!({"meta": {"tag_name": "vip"}})));

        let op = find("list_accounts").unwrap();
        let request = build(
            op,
            &args(json!({"reference_id": "u-1", "cursor": "act_9", "page_size": 5})),
        )
        .unwrap();
        assert_eq!(
            request.query,
            vec![
                ("filter[reference-id]".to_string(), "u-1".to_string()),
                ("page[after]".to_string(), "act_9".to_string()),
                ("page[size]".to_string(), "5".to_string()),
            ]
        );
        assert_eq!(request.body, None);

        let op = find("run_account_action").unwrap();
        let request = build(
            op,
            &args(json!({"account_id": "act_1", "account_action_id": "accac_1", "parameters": {"status": "x"}})),
        )
        .unwrap();
        assert_eq!(
            request.body,
            Some(json!({"data": {"account_action_id": "accac_1", "parameters": {"status": "x"}}}))
        );
    }

    #[test]
    fn bad_arguments_name_themselves() {
        let op = find("add_account_tag").unwrap();
        let error = |value: Value| match build(op, &args(value)) {
            Err(Error::InvalidArgument { name, message }) => (name, message),
            other => panic!("{other:?}"),
        };
        assert_eq!(error(json!({"account_id": "act_1"})).0, "tag_name");
        let (name, message) = error(json!({"account_id": "act_1", "tag_name": 3}));
        assert_eq!(
            (name.as_str(), message.as_str()),
            ("tag_name", "must be a string")
        );
        let (name, message) = error(json!({"account_id": "act_1", "tag_name": "x", "tag": "y"}));
        assert_eq!(name, "tag");
        assert!(message.contains("account_id, tag_name"), "{message}");
        let (name, _) = error(json!({"account_id": " ", "tag_name": "x"}));
        assert_eq!(name, "account_id");
        let op = find("list_webhooks").unwrap();
        match build(op, &args(json!({"status": "on"}))) {
            Err(Error::InvalidArgument { name, message }) => {
                assert_eq!(name, "status");
                assert!(message.contains("enabled, disabled, archived"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn path_arguments_are_escaped() {
        let op = find("retrieve_account").unwrap();
        let request = build(op, &args(json!({"account_id": "../x?y"}))).unwrap();
        assert_eq!(request.path, "/accounts/..%2Fx%3Fy");
    }
}
