//! The `POST /accounts/search` query language: `and` / `or` / `not` clauses over
//! `{attribute, operator, value}` predicates, as Persona documents it (at most two levels
//! of nesting and 20 clauses per `and`/`or`).

use std::cmp::Ordering;

use serde_json::Value;

use crate::account::Account;
use crate::time::format_millis;
use crate::FieldError;

const MAX_DEPTH: usize = 2;
const MAX_CLAUSES: usize = 20;

/// A parsed search query.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    And(Vec<Query>),
    Or(Vec<Query>),
    Not(Box<Query>),
    Predicate {
        attribute: String,
        operator: Operator,
        value: Value,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Eq,
    Gt,
    Gte,
    Lt,
    Lte,
}

/// Sort order for search results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort {
    pub attribute: SortAttribute,
    pub descending: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortAttribute {
    CreatedAt,
    UpdatedAt,
}

impl Default for Sort {
    fn default() -> Self {
        Sort {
            attribute: SortAttribute::CreatedAt,
            descending: true,
        }
    }
}

/// Parse the `query` member of a search body; `pointer` names it in errors.
pub fn parse_query(value: &Value, pointer: &str) -> Result<Query, FieldError> {
    parse_query_for::<Account>(value, pointer)
}

/// Parse a query over objects of type `T` (its own searchable attributes).
pub fn parse_query_for<T: Searchable>(value: &Value, pointer: &str) -> Result<Query, FieldError> {
    parse_at(value, pointer, 0, T::ATTRIBUTES)
}

fn parse_at(
    value: &Value,
    pointer: &str,
    depth: usize,
    attributes: &[&str],
) -> Result<Query, FieldError> {
    let Value::Object(map) = value else {
        return Err(FieldError::bad_type(pointer, "must be an object"));
    };
    let clause = |key: &str| -> Result<Vec<Query>, FieldError> {
        let child_pointer = format!("{pointer}/{key}");
        if depth >= MAX_DEPTH {
            return Err(FieldError::invalid(
                child_pointer,
                format!("nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        let Some(Value::Array(items)) = map.get(key) else {
            return Err(FieldError::bad_type(child_pointer, "must be an array"));
        };
        if items.is_empty() || items.len() > MAX_CLAUSES {
            return Err(FieldError::invalid(
                child_pointer,
                format!("must hold 1 to {MAX_CLAUSES} clauses"),
            ));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, item)| parse_at(item, &format!("{child_pointer}/{i}"), depth + 1, attributes))
            .collect()
    };
    if map.contains_key("and") {
        return Ok(Query::And(clause("and")?));
    }
    if map.contains_key("or") {
        return Ok(Query::Or(clause("or")?));
    }
    if let Some(inner) = map.get("not") {
        if depth >= MAX_DEPTH {
            return Err(FieldError::invalid(
                format!("{pointer}/not"),
                format!("nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        return Ok(Query::Not(Box::new(parse_at(
            inner,
            &format!("{pointer}/not"),
            depth + 1,
            attributes,
        )?)));
    }
    let attribute = match map.get("attribute") {
        Some(Value::String(s)) if known_attribute(s, attributes) => s.clone(),
        Some(Value::String(s)) => {
            return Err(FieldError::invalid(
                format!("{pointer}/attribute"),
                format!(
                "`{s}` is not searchable (use {}, tags, created_at, updated_at or fields.<name>)",
                attributes.join(", ")
            ),
            ))
        }
        _ => {
            return Err(FieldError::bad_type(
                format!("{pointer}/attribute"),
                "must be a string",
            ))
        }
    };
    let operator = match map.get("operator").and_then(Value::as_str) {
        Some("eq") => Operator::Eq,
        Some("gt") => Operator::Gt,
        Some("gte") => Operator::Gte,
        Some("lt") => Operator::Lt,
        Some("lte") => Operator::Lte,
        _ => {
            return Err(FieldError::invalid(
                format!("{pointer}/operator"),
                "must be one of eq, gt, gte, lt, lte",
            ))
        }
    };
    let value = match map.get("value") {
        Some(v @ (Value::String(_) | Value::Number(_) | Value::Bool(_))) => v.clone(),
        _ => {
            return Err(FieldError::bad_type(
                format!("{pointer}/value"),
                "must be a string, number or boolean",
            ))
        }
    };
    Ok(Query::Predicate {
        attribute,
        operator,
        value,
    })
}

fn known_attribute(name: &str, attributes: &[&str]) -> bool {
    attributes.contains(&name)
        || matches!(name, "tags" | "created_at" | "updated_at")
        || name
            .strip_prefix("fields.")
            .is_some_and(|rest| !rest.is_empty())
}

/// Parse the `sort` member of a search body.
pub fn parse_sort(value: Option<&Value>) -> Result<Sort, FieldError> {
    let Some(value) = value else {
        return Ok(Sort::default());
    };
    let attribute = match value.get("attribute").and_then(Value::as_str) {
        Some("created_at") => SortAttribute::CreatedAt,
        Some("updated_at") => SortAttribute::UpdatedAt,
        _ => {
            return Err(FieldError::invalid(
                "/sort/attribute",
                "must be created_at or updated_at",
            ))
        }
    };
    let descending = match value.get("direction").and_then(Value::as_str) {
        Some("desc") => true,
        Some("asc") => false,
        _ => {
            return Err(FieldError::invalid(
                "/sort/direction",
                "must be asc or desc",
            ))
        }
    };
    Ok(Sort {
        attribute,
        descending,
    })
}

/// What a search can look at in an object.
pub trait Searchable {
    /// Attributes a query may name besides `tags`, `created_at`, `updated_at` and
    /// `fields.<name>`.
    const ATTRIBUTES: &'static [&'static str];
    /// The value of a searchable attribute (`None`: the object has none).
    fn attribute(&self, name: &str) -> Option<Value>;
    fn tags(&self) -> &[String];
    fn created_at(&self) -> i64;
    fn updated_at(&self) -> i64;
}

impl Query {
    /// Whether an object satisfies the query.
    pub fn matches(&self, object: &impl Searchable) -> bool {
        match self {
            Query::And(items) => items.iter().all(|q| q.matches(object)),
            Query::Or(items) => items.iter().any(|q| q.matches(object)),
            Query::Not(inner) => !inner.matches(object),
            Query::Predicate {
                attribute,
                operator,
                value,
            } => predicate(object, attribute, *operator, value),
        }
    }
}

/// The attributes a store indexes for exact (`eq`) search, each with the name of the
/// terms it is filed under (`name:value`).
pub type Indexed = [(&'static str, &'static str)];

/// The account attributes a store indexes: what people look accounts up by.
pub const ACCOUNT_INDEXED: &Indexed = &[
    ("reference_id", "reference_id"),
    ("fields.email_address", "fields.email_address"),
    ("fields.phone_number", "fields.phone_number"),
    ("fields.name.first", "fields.name.first"),
    ("fields.name.last", "fields.name.last"),
    (
        "fields.identification_numbers.identification_number",
        "fields.identification_numbers.identification_number",
    ),
];

/// Pairs of indexed account attributes also filed together, under a third name: a full
/// name is one term, so "given and family name" is one lookup instead of walking the
/// rarer part and probing each account found for the other (a common given name and
/// family name are each held by thousands of accounts among a million).
pub const ACCOUNT_PAIRED: &[(&str, &str, &str)] =
    &[("fields.name.first", "fields.name.last", "fields.name")];

/// An index term: `attribute:value`.
pub fn index_term(attribute: &str, value: &str) -> String {
    format!("{attribute}:{value}")
}

/// The term of a pair of values (`ACCOUNT_PAIRED`). Values holding the separator may
/// share a term with others; the index only narrows, every object found is still checked.
pub fn pair_term(name: &str, first: &str, second: &str) -> String {
    format!("{name}:{first}\u{1f}{second}")
}

/// The account index's plan for a query: [`Query::index_terms`] over
/// [`ACCOUNT_INDEXED`], each conjunction holding both halves of an [`ACCOUNT_PAIRED`]
/// pair asking for their pair's term instead.
pub fn account_plan(query: &Query) -> Option<IndexPlan> {
    let mut plan = query.index_terms(ACCOUNT_INDEXED)?;
    for conjunction in &mut plan {
        for (first, second, name) in ACCOUNT_PAIRED {
            let value_of = |groups: &[Vec<String>], attribute: &str| {
                groups.iter().position(|group| {
                    matches!(group.as_slice(), [term] if term.strip_prefix(attribute).is_some_and(|t| t.starts_with(':')))
                })
            };
            let (Some(a), Some(b)) = (value_of(conjunction, first), value_of(conjunction, second))
            else {
                continue;
            };
            let value =
                |at: usize, attribute: &str| conjunction[at][0][attribute.len() + 1..].to_string();
            let paired = pair_term(name, &value(a, first), &value(b, second));
            conjunction[a] = vec![paired];
            conjunction.remove(b);
        }
    }
    Some(plan)
}

/// The terms an account is filed under (its indexed attributes that hold text).
pub fn account_terms(account: &Account) -> Vec<String> {
    let mut terms = Vec::new();
    for (attribute, name) in ACCOUNT_INDEXED {
        let values = match account.attribute(attribute) {
            Some(Value::Array(values)) => values,
            Some(value) => vec![value],
            None => continue,
        };
        for value in values {
            if let Value::String(text) = value {
                let term = index_term(name, &text);
                if !text.is_empty() && !terms.contains(&term) {
                    terms.push(term);
                }
            }
        }
    }
    for (first, second, name) in ACCOUNT_PAIRED {
        if let (Some(Value::String(a)), Some(Value::String(b))) =
            (account.attribute(first), account.attribute(second))
        {
            if !a.is_empty() && !b.is_empty() {
                terms.push(pair_term(name, &a, &b));
            }
        }
    }
    terms
}

/// The objects an index can find for a query: those filed under every group of any one
/// conjunction, where a group is held by carrying any of its terms. `[[["a"], ["b", "c"]],
/// [["d"]]]` is "a and (b or c), or d".
pub type IndexPlan = Vec<Vec<Vec<String>>>;

impl Query {
    /// What an index reads for this query: a superset of the objects it matches (each is
    /// still checked against it), when the query pins down indexed attributes with `eq` —
    /// a predicate, an `or` of such, an `and` with at least one such part. `None`: only a
    /// scan can answer it.
    pub fn index_terms(&self, indexed: &Indexed) -> Option<IndexPlan> {
        match self {
            Query::Predicate {
                attribute,
                operator: Operator::Eq,
                value: Value::String(text),
            } if !text.is_empty() => {
                let (_, name) = indexed.iter().find(|(a, _)| a == attribute)?;
                Some(vec![vec![vec![index_term(name, text)]]])
            }
            Query::Or(items) => {
                let mut any = Vec::new();
                for item in items {
                    any.extend(item.index_terms(indexed)?);
                }
                Some(any)
            }
            Query::And(items) => {
                // Every part an index answers narrows the set: its groups all hold. A
                // part that is an `or` of single groups is one group of all their terms;
                // any other part is left to the check.
                let mut groups = Vec::new();
                for plan in items.iter().filter_map(|item| item.index_terms(indexed)) {
                    match plan.as_slice() {
                        [conjunction] => groups.extend(conjunction.iter().cloned()),
                        many if many.iter().all(|c| c.len() == 1) => {
                            groups.push(many.iter().flat_map(|c| c[0].clone()).collect())
                        }
                        _ => {}
                    }
                }
                (!groups.is_empty()).then(|| vec![groups])
            }
            _ => None,
        }
    }
}

impl Searchable for Account {
    const ATTRIBUTES: &'static [&'static str] = &[
        "id",
        "reference_id",
        "account_status",
        "status",
        "account_type_name",
        "type",
    ];
    fn attribute(&self, name: &str) -> Option<Value> {
        match name {
            "id" => Some(Value::String(self.id.clone())),
            "reference_id" => self.reference_id.clone().map(Value::String),
            "account_status" | "status" => self.account_status.clone().map(Value::String),
            "account_type_name" => Some(Value::String(self.account_type_name.clone())),
            "type" => Some(Value::String(self.account_type_id.clone())),
            other => {
                let path = other.strip_prefix("fields.")?;
                if let Some(value) = self.field_value(path) {
                    return Some(value.clone());
                }
                // A path through a list field names every element's value: the
                // predicate holds when one of them satisfies it.
                match self.field_values(path).as_slice() {
                    [] => None,
                    found => Some(Value::Array(found.iter().map(|v| (*v).clone()).collect())),
                }
            }
        }
    }
    fn tags(&self) -> &[String] {
        &self.tags
    }
    fn created_at(&self) -> i64 {
        self.created_at
    }
    fn updated_at(&self) -> i64 {
        self.updated_at
    }
}

impl Searchable for crate::inquiry::Inquiry {
    const ATTRIBUTES: &'static [&'static str] = &[
        "id",
        "status",
        "reference_id",
        "inquiry_template_id",
        "account_id",
        "note",
    ];
    fn attribute(&self, name: &str) -> Option<Value> {
        match name {
            "id" => Some(Value::String(self.id.clone())),
            "status" => Some(Value::String(self.status().as_str().into())),
            "reference_id" => self.reference_id.clone().map(Value::String),
            "inquiry_template_id" => Some(Value::String(self.template_id.clone())),
            "account_id" => self.account_id.clone().map(Value::String),
            "note" => self.note.clone().map(Value::String),
            other => flat_field(&self.fields, other),
        }
    }
    fn tags(&self) -> &[String] {
        &self.tags
    }
    fn created_at(&self) -> i64 {
        self.lifecycle.created_at
    }
    fn updated_at(&self) -> i64 {
        self.updated_at
    }
}

impl Searchable for crate::case::Case {
    const ATTRIBUTES: &'static [&'static str] = &[
        "id",
        "status",
        "resolution",
        "name",
        "case_template_id",
        "case_queue_id",
        "assignee_id",
    ];
    fn attribute(&self, name: &str) -> Option<Value> {
        let text = |s: &str| Some(Value::String(s.to_string()));
        match name {
            "id" => text(&self.id),
            // A resolved case's status is its resolution, as the API shows it.
            "status" => text(self.resolution.as_deref().unwrap_or(self.status.as_str())),
            "resolution" => self.resolution.as_deref().and_then(text),
            "name" => text(&self.name),
            "case_template_id" => text(&self.template_id),
            "case_queue_id" => self.queue_id.as_deref().and_then(text),
            "assignee_id" => self.assignee.as_deref().and_then(text),
            other => flat_field(&self.fields, other),
        }
    }
    fn tags(&self) -> &[String] {
        &self.tags
    }
    fn created_at(&self) -> i64 {
        self.created_at
    }
    fn updated_at(&self) -> i64 {
        self.updated_at
    }
}

/// `fields.<key>` of a flat typed field map (inquiries, cases): the value, if not null.
fn flat_field(fields: &serde_json::Map<String, Value>, attribute: &str) -> Option<Value> {
    attribute
        .strip_prefix("fields.")
        .and_then(|key| fields.get(key))
        .and_then(|f| f.get("value"))
        .filter(|v| !v.is_null())
        .cloned()
}

fn predicate(
    object: &impl Searchable,
    attribute: &str,
    operator: Operator,
    expected: &Value,
) -> bool {
    let actual: Option<Value> = match attribute {
        "created_at" => Some(Value::String(format_millis(object.created_at()))),
        "updated_at" => Some(Value::String(format_millis(object.updated_at()))),
        "tags" => {
            // Tags are a set: `eq` means "has this tag".
            return operator == Operator::Eq
                && object
                    .tags()
                    .iter()
                    .any(|t| Some(t.as_str()) == expected.as_str());
        }
        other => object.attribute(other),
    };
    match actual {
        // The values of a list field's elements: one of them must satisfy it.
        Some(Value::Array(values)) => values.iter().any(|v| holds(v, operator, expected)),
        Some(actual) => holds(&actual, operator, expected),
        None => false,
    }
}

fn holds(actual: &Value, operator: Operator, expected: &Value) -> bool {
    let Some(ordering) = compare(actual, expected) else {
        return false;
    };
    match operator {
        Operator::Eq => ordering == Ordering::Equal,
        Operator::Gt => ordering == Ordering::Greater,
        Operator::Gte => ordering != Ordering::Less,
        Operator::Lt => ordering == Ordering::Less,
        Operator::Lte => ordering != Ordering::Greater,
    }
}

fn compare(actual: &Value, expected: &Value) -> Option<Ordering> {
    match (actual, expected) {
        (Value::String(a), Value::String(b)) => Some(a.as_str().cmp(b.as_str())),
        (Value::Number(a), Value::Number(b)) => a.as_f64()?.partial_cmp(&b.as_f64()?),
        (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        // Numbers stored as text and text given as numbers still compare by value.
        (Value::String(a), Value::Number(b)) => a.parse::<f64>().ok()?.partial_cmp(&b.as_f64()?),
        (Value::Number(a), Value::String(b)) => a.as_f64()?.partial_cmp(&b.parse::<f64>().ok()?),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_that_pin_indexed_attributes_name_their_terms() {
        let indexed = ACCOUNT_INDEXED;
        let eq = |a: &str, v: &str| json!({"attribute": a, "operator": "eq", "value": v});
        let parse = |v: Value| parse_query_for::<Account>(&v, "/query").unwrap();
        let term = |t: &str| vec![t.to_string()];
        let email = parse(eq("fields.email_address", "a@b.c"));
        assert_eq!(
            email.index_terms(indexed),
            Some(vec![vec![term("fields.email_address:a@b.c")]])
        );
        let either =
            parse(json!({"or": [eq("reference_id", "r1"), eq("fields.name.last", "Ray")]}));
        assert_eq!(
            either.index_terms(indexed),
            Some(vec![
                vec![term("reference_id:r1")],
                vec![term("fields.name.last:Ray")]
            ])
        );
        // An `or` with a part only a scan answers needs the scan.
        let mixed =
            parse(json!({"or": [eq("reference_id", "r1"), eq("account_status", "active")]}));
        assert_eq!(mixed.index_terms(indexed), None);
        // An `and` needs only one pinned part.
        let narrowed =
            parse(json!({"and": [eq("account_status", "active"), eq("reference_id", "r1")]}));
        assert_eq!(
            narrowed.index_terms(indexed),
            Some(vec![vec![term("reference_id:r1")]])
        );
        // A full name: both parts must be held (the index intersects them), or another
        // way in (a reference id).
        let full_name = parse(json!({"or": [
            eq("reference_id", "Wei Kalo"),
            {"and": [eq("fields.name.first", "Wei"), eq("fields.name.last", "Kalo")]}
        ]}));
        assert_eq!(
            full_name.index_terms(indexed),
            Some(vec![
                vec![term("reference_id:Wei Kalo")],
                vec![term("fields.name.first:Wei"), term("fields.name.last:Kalo")]
            ])
        );
        // An `and` with an `or` of names: one group holding either.
        let either_name = parse(json!({"and": [
            eq("fields.name.last", "Ray"),
            {"or": [eq("fields.name.first", "Ann"), eq("fields.name.first", "Bob")]}
        ]}));
        assert_eq!(
            either_name.index_terms(indexed),
            Some(vec![vec![
                term("fields.name.last:Ray"),
                vec![
                    "fields.name.first:Ann".into(),
                    "fields.name.first:Bob".into()
                ]
            ]])
        );
        let range = parse(json!({"attribute": "reference_id", "operator": "gte", "value": "r"}));
        assert_eq!(range.index_terms(indexed), None);
    }
    use serde_json::json;

    fn account() -> Account {
        let mut a = Account::new(
            "act_1".into(),
            "acttp_1".into(),
            "User".into(),
            1_700_000_000_000,
        );
        a.reference_id = Some("ref-1".into());
        a.tags = vec!["vip".into()];
        a.fields
            .insert("age".into(), json!({"type": "integer", "value": 41}));
        a.fields.insert(
            "name".into(),
            json!({"type": "hash", "value": {"first": {"type": "string", "value": "Jane"}}}),
        );
        a
    }

    #[test]
    fn predicates_and_clauses() {
        let a = account();
        let q = |v: Value| parse_query(&v, "/query").unwrap().matches(&a);
        assert!(q(
            json!({"attribute": "fields.age", "operator": "gte", "value": 18})
        ));
        assert!(!q(
            json!({"attribute": "fields.age", "operator": "lt", "value": 18})
        ));
        assert!(q(
            json!({"attribute": "created_at", "operator": "gte", "value": "2023-11-14"})
        ));
        assert!(q(
            json!({"and": [{"attribute": "reference_id", "operator": "eq", "value": "ref-1"}, {"attribute": "tags", "operator": "eq", "value": "vip"}]})
        ));
        assert!(q(
            json!({"or": [{"attribute": "fields.name.first", "operator": "eq", "value": "Bob"}, {"not": {"attribute": "status", "operator": "eq", "value": "closed"}}]})
        ));
        assert!(!q(
            json!({"attribute": "fields.missing", "operator": "eq", "value": "x"})
        ));
    }

    #[test]
    fn a_path_through_a_list_field_matches_any_element() {
        let mut a = account();
        a.fields.insert(
            "identification_numbers".into(),
            json!({"type": "array", "value": [
                {"type": "hash", "value": {"identification_number": {"type": "string", "value": "X123"}}},
                {"type": "hash", "value": {"identification_number": {"type": "string", "value": "Y456"}}}
            ]}),
        );
        let path = "fields.identification_numbers.identification_number";
        let q = |v: &str| {
            parse_query(
                &json!({"attribute": path, "operator": "eq", "value": v}),
                "/query",
            )
            .unwrap()
            .matches(&a)
        };
        assert!(q("Y456") && q("X123") && !q("Z789"));
        let terms = account_terms(&a);
        assert!(terms.contains(&format!("{path}:X123")), "{terms:?}");
        assert!(terms.contains(&format!("{path}:Y456")), "{terms:?}");
        // Every filed term answers the search that names it.
        assert!(terms.contains(&"reference_id:ref-1".to_string()));
    }

    #[test]
    fn a_full_name_is_one_term_and_an_and_of_its_parts_asks_for_it() {
        let eq = |a: &str, v: &str| json!({"attribute": a, "operator": "eq", "value": v});
        let parse = |v: Value| parse_query_for::<Account>(&v, "/query").unwrap();
        let full = pair_term("fields.name", "Wei", "Kalo");
        let either = parse(json!({"or": [
            eq("reference_id", "Wei Kalo"),
            {"and": [eq("fields.name.first", "Wei"), eq("fields.name.last", "Kalo"), eq("reference_id", "r")]},
        ]}));
        assert_eq!(
            account_plan(&either),
            Some(vec![
                vec![vec!["reference_id:Wei Kalo".to_string()]],
                vec![vec![full.clone()], vec!["reference_id:r".to_string()]],
            ])
        );
        // One part alone, or the parts in different conjunctions, stay as they were.
        let given = parse(eq("fields.name.first", "Wei"));
        assert_eq!(account_plan(&given), given.index_terms(ACCOUNT_INDEXED));
        let apart =
            parse(json!({"or": [eq("fields.name.first", "Wei"), eq("fields.name.last", "Kalo")]}));
        assert_eq!(account_plan(&apart), apart.index_terms(ACCOUNT_INDEXED));
        // The account is filed under the pair, and the query still matches it.
        let mut a = account();
        a.fields.insert(
            "name".into(),
            json!({"type": "hash", "value": {"first": {"type": "string", "value": "Wei"}, "last": {"type": "string", "value": "Kalo"}}}),
        );
        assert!(account_terms(&a).contains(&full));
        let both =
            parse(json!({"and": [eq("fields.name.first", "Wei"), eq("fields.name.last", "Kalo")]}));
        assert!(both.matches(&a));
        assert_eq!(account_plan(&both), Some(vec![vec![vec![full]]]));
    }

    #[test]
    fn rejects_bad_queries_with_pointers() {
        let err = parse_query(
            &json!({"attribute": "password", "operator": "eq", "value": "x"}),
            "/query",
        )
        .unwrap_err();
        assert_eq!(err.pointer, "/query/attribute");
        let err = parse_query(
            &json!({"attribute": "id", "operator": "like", "value": "x"}),
            "/query",
        )
        .unwrap_err();
        assert_eq!(err.pointer, "/query/operator");
        let deep = json!({"and": [{"or": [{"and": [{"attribute": "id", "operator": "eq", "value": "x"}]}]}]});
        assert!(parse_query(&deep, "/query")
            .unwrap_err()
            .message
            .contains("deeper"));
    }
}
