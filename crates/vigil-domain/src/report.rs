//! Watchlist reports (`report/watchlist`, `rep_`): what was screened, what it matched,
//! what a person dismissed, and the history of runs and actions.
//!
//! A report's matches are recomputed on every run; matches a person dismissed are kept in
//! `ignored` and never come back (continuous monitoring re-runs reports whenever a list,
//! a sanctions source or the account changes).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use vigil_screening::watch::{keys, Subject};

use crate::account::Account;
use crate::error::FieldError;
use crate::validate;

/// What a watchlist report screens: Persona's query, and (beyond Persona, from the
/// account) its identifiers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Query {
    pub name_first: Option<String>,
    pub name_middle: Option<String>,
    pub name_last: Option<String>,
    pub term: Option<String>,
    pub birthdate: Option<String>,
    pub country_code: Option<String>,
    #[serde(default)]
    pub email_addresses: Vec<String>,
    #[serde(default)]
    pub phone_numbers: Vec<String>,
    /// (class, number) pairs.
    #[serde(default)]
    pub id_numbers: Vec<(Option<String>, String)>,
}

fn pointer(attribute: &str) -> String {
    format!("query/{attribute}")
}

fn text(query: &Map<String, Value>, attribute: &str) -> Result<Option<String>, FieldError> {
    match query.get(attribute) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) if s.chars().count() > 500 => Err(FieldError::invalid(
            pointer(attribute),
            "must be at most 500 characters",
        )),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(_) => Err(FieldError::bad_type(pointer(attribute), "must be a string")),
    }
}

impl Query {
    /// Parse `data.attributes.query` of `POST /reports`.
    pub fn parse(value: Option<&Value>) -> Result<Query, FieldError> {
        let query = match value {
            Some(Value::Object(map)) => map,
            None | Some(Value::Null) => {
                return Err(FieldError::bad_type(
                    "query",
                    "is missing (give name-first, name-last or term)",
                ))
            }
            Some(_) => return Err(FieldError::bad_type("query", "must be an object")),
        };
        const KNOWN: &[&str] = &[
            "name-first",
            "name-middle",
            "name-last",
            "term",
            "birthdate",
            "address-country-code",
        ];
        if let Some(unknown) = query.keys().find(|k| !KNOWN.contains(&k.as_str())) {
            return Err(FieldError::invalid(
                pointer(unknown),
                format!(
                    "is not a watchlist query attribute (takes {})",
                    KNOWN.join(", ")
                ),
            ));
        }
        let birthdate = text(query, "birthdate")?
            .map(|d| {
                validate::partial_date(&d).map_err(|m| FieldError::invalid(pointer("birthdate"), m))
            })
            .transpose()?;
        let country_code = text(query, "address-country-code")?
            .map(|c| {
                validate::country_code(&c)
                    .map_err(|m| FieldError::invalid(pointer("address-country-code"), m))
            })
            .transpose()?;
        let parsed = Query {
            name_first: text(query, "name-first")?,
            name_middle: text(query, "name-middle")?,
            name_last: text(query, "name-last")?,
            term: text(query, "term")?,
            birthdate,
            country_code,
            ..Query::default()
        };
        if parsed.term().is_none() {
            return Err(FieldError::invalid(
                pointer("name-last"),
                "at least one of name-first, name-middle, name-last or term must contain letters",
            ));
        }
        Ok(parsed)
    }

    /// What an account's report screens: its name, birthdate, country, emails, phone and
    /// id numbers.
    pub fn of_account(account: &Account) -> Query {
        let string = |path: &str| {
            account
                .field_value(path)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let mut id_numbers = Vec::new();
        if let Some(Value::Array(items)) = account.field_value("identification_numbers") {
            for item in items {
                let part = |key: &str| {
                    item.get("value")
                        .and_then(|v| v.get(key))
                        .and_then(|v| v.get("value"))
                        .and_then(Value::as_str)
                        .map(str::to_string)
                };
                if let Some(number) = part("identification_number") {
                    id_numbers.push((part("identification_class"), number));
                }
            }
        }
        Query {
            name_first: string("name.first"),
            name_middle: string("name.middle"),
            name_last: string("name.last"),
            term: None,
            birthdate: string("birthdate"),
            country_code: string("address.country_code"),
            email_addresses: string("email_address").into_iter().collect(),
            phone_numbers: string("phone_number").into_iter().collect(),
            id_numbers,
        }
    }

    /// The combined search term: `term`, or first + middle + last.
    pub fn term(&self) -> Option<String> {
        if let Some(term) = &self.term {
            return Some(term.clone());
        }
        let parts: Vec<&str> = [&self.name_first, &self.name_middle, &self.name_last]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    /// Whether there is anything to screen.
    pub fn is_empty(&self) -> bool {
        self.subject() == Subject::default()
    }

    /// The query as the screening engine takes it.
    pub fn subject(&self) -> Subject {
        let mut subject_keys = Vec::new();
        for email in &self.email_addresses {
            subject_keys.extend(keys::email_address(email));
        }
        for phone in &self.phone_numbers {
            subject_keys.extend(keys::phone_number(phone, self.country_code.as_deref()));
        }
        for (class, number) in &self.id_numbers {
            subject_keys.extend(keys::id_numbers(class.as_deref(), number));
        }
        if let Some(country) = &self.country_code {
            subject_keys.push(keys::country(country));
        }
        Subject {
            names: self.term().into_iter().collect(),
            keys: subject_keys,
            birth_year: self
                .birthdate
                .as_deref()
                .and_then(|d| d.get(..4))
                .and_then(|y| y.parse().ok()),
        }
    }
}

/// Where a match came from: one of the environment's lists, or a sanctions source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchedList {
    /// `lst_…` or a source id (`ofac-sdn`, `un-consolidated`).
    pub id: String,
    pub name: String,
    /// `custom` for the environment's lists, `sanction` for sources.
    pub list_type: String,
}

/// One thing a report matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchRecord {
    /// Stable identity of what matched: a list item id or `source:party` (dismissals
    /// are kept by it).
    pub key: String,
    pub list: MatchedList,
    /// The matched entity's primary name (or the listed value).
    pub entity_name: String,
    /// The name or value that matched (an alias, an email, a country...).
    pub matched_value: String,
    /// `name`, `email-address`, `phone-number`, `country`, `government-id-number`.
    pub matched_on: String,
    pub birth_years: Vec<i32>,
    pub score: f64,
    /// How the names matched, token by token (name matches only).
    pub explanation: Option<Value>,
    pub first_matched_at: i64,
}

/// A dismissed match, kept so it never comes back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ignored {
    #[serde(rename = "match")]
    pub matched: MatchRecord,
    pub ignored_at: i64,
    pub run_completed_at: Option<i64>,
    pub reason: String,
    pub user: String,
}

/// Whose data a report screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// Made by monitoring when the account first matched; its query follows the account.
    Account,
    /// Made with `POST /reports`; its query is the request's.
    Request,
}

/// A watchlist report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub id: String,
    pub account_id: Option<String>,
    pub reference_id: Option<String>,
    pub template_id: String,
    pub origin: Origin,
    pub query: Query,
    pub tags: Vec<String>,
    /// Continuous monitoring paused.
    pub paused: bool,
    pub runs: u32,
    pub matches: Vec<MatchRecord>,
    pub ignored: Vec<Ignored>,
    pub created_at: i64,
    pub updated_at: i64,
    pub completed_at: Option<i64>,
    pub redacted_at: Option<i64>,
}

/// A run's result compared with the run before.
#[derive(Debug, Default, PartialEq)]
pub struct RunChange {
    /// Matches that were not there before (and not dismissed).
    pub new: Vec<MatchRecord>,
    /// Whether the set of matches changed at all.
    pub changed: bool,
}

impl Report {
    /// A report not yet run, about `account` when there is one.
    pub fn new(
        id: String,
        account: Option<&Account>,
        template_id: String,
        origin: Origin,
        query: Query,
        now: i64,
    ) -> Report {
        Report {
            id,
            account_id: account.map(|a| a.id.clone()),
            reference_id: account.and_then(|a| a.reference_id.clone()),
            template_id,
            origin,
            query,
            tags: Vec::new(),
            paused: false,
            runs: 0,
            matches: Vec::new(),
            ignored: Vec::new(),
            created_at: now,
            updated_at: now,
            completed_at: None,
            redacted_at: None,
        }
    }

    pub fn has_match(&self) -> bool {
        !self.matches.is_empty()
    }

    /// Whether continuous monitoring re-runs it.
    pub fn is_monitored(&self) -> bool {
        !self.paused && self.redacted_at.is_none()
    }

    /// Take a run's findings: dismissed ones are left out, ones seen before keep when they
    /// were first matched.
    pub fn apply_run(&mut self, found: Vec<MatchRecord>, now: i64) -> RunChange {
        let mut change = RunChange::default();
        let mut next: Vec<MatchRecord> = Vec::with_capacity(found.len());
        for mut record in found {
            if self.ignored.iter().any(|i| i.matched.key == record.key)
                || next.iter().any(|m| m.key == record.key)
            {
                continue;
            }
            match self.matches.iter().find(|m| m.key == record.key) {
                Some(before) => record.first_matched_at = before.first_matched_at,
                None => {
                    record.first_matched_at = now;
                    change.new.push(record.clone());
                }
            }
            next.push(record);
        }
        change.changed = next.len() != self.matches.len() || !change.new.is_empty();
        self.matches = next;
        self.runs += 1;
        self.completed_at = Some(now);
        self.updated_at = now;
        change
    }

    /// Dismiss every current match; returns how many.
    pub fn dismiss(&mut self, reason: &str, user: &str, now: i64) -> usize {
        self.dismiss_where(reason, user, now, |_| true)
    }

    /// Dismiss the one current match `key` (a `report-match` id); whether it was there.
    pub fn dismiss_one(&mut self, key: &str, reason: &str, user: &str, now: i64) -> bool {
        self.dismiss_where(reason, user, now, |m| m.key == key) == 1
    }

    fn dismiss_where(
        &mut self,
        reason: &str,
        user: &str,
        now: i64,
        chosen: impl Fn(&MatchRecord) -> bool,
    ) -> usize {
        let (dismissed, kept): (Vec<MatchRecord>, Vec<MatchRecord>) =
            std::mem::take(&mut self.matches)
                .into_iter()
                .partition(|m| chosen(m));
        self.matches = kept;
        let count = dismissed.len();
        let completed = self.completed_at;
        self.ignored
            .extend(dismissed.into_iter().map(|matched| Ignored {
                matched,
                ignored_at: now,
                run_completed_at: completed,
                reason: reason.to_string(),
                user: user.to_string(),
            }));
        self.updated_at = now;
        count
    }

    /// Remove the personal data: the query, the matches and what was dismissed.
    pub fn redact(&mut self, now: i64) {
        self.query = Query::default();
        self.matches.clear();
        self.ignored.clear();
        self.reference_id = None;
        self.paused = true;
        self.redacted_at = Some(now);
        self.updated_at = now;
    }
}

/// One line of a report's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub id: String,
    pub report_id: String,
    /// `run`, `dismiss`, `pause`, `resume`.
    pub kind: String,
    /// Runs: `manual` (created or re-run through the API) or `triggered` (monitoring).
    pub run_type: Option<String>,
    pub matches: Option<u32>,
    /// Actions: who (the API key's name).
    pub creator_name: Option<String>,
    pub created_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(key: &str) -> MatchRecord {
        MatchRecord {
            key: key.into(),
            list: MatchedList {
                id: "lst_1".into(),
                name: "Blocked".into(),
                list_type: "custom".into(),
            },
            entity_name: "joe imposter".into(),
            matched_value: "joe imposter".into(),
            matched_on: "name".into(),
            birth_years: vec![],
            score: 1.0,
            explanation: None,
            first_matched_at: 0,
        }
    }

    fn report() -> Report {
        Report::new(
            "rep_1".into(),
            None,
            "rptp_1".into(),
            Origin::Request,
            Query::default(),
            0,
        )
    }

    #[test]
    fn dismissed_matches_never_come_back() {
        let mut r = report();
        let change = r.apply_run(vec![record("a")], 10);
        assert_eq!(change.new.len(), 1);
        assert_eq!(r.dismiss("false positive", "admin", 20), 1);
        assert!(!r.has_match());
        let change = r.apply_run(vec![record("a"), record("b")], 30);
        assert_eq!(
            change
                .new
                .iter()
                .map(|m| m.key.as_str())
                .collect::<Vec<_>>(),
            ["b"]
        );
        assert_eq!(r.matches.len(), 1);
        let again = r.apply_run(vec![record("a"), record("b")], 40);
        assert!(!again.changed && again.new.is_empty());
        assert_eq!(r.matches[0].first_matched_at, 30);
    }

    #[test]
    fn query_is_validated_field_by_field() {
        let q = Query::parse(Some(&json!({"name-first": "Joe", "name-last": "Imposter",
            "birthdate": "1980-02-03", "address-country-code": "us"})))
        .unwrap();
        assert_eq!(q.term().as_deref(), Some("Joe Imposter"));
        assert_eq!(q.subject().birth_year, Some(1980));
        assert!(q.subject().keys.contains(&"country:US".to_string()));
        let bad = |v: Value| Query::parse(Some(&v)).unwrap_err().pointer;
        assert_eq!(
            bad(json!({"name-last": "X", "birthdate": "1980-13-01"})),
            "query/birthdate"
        );
        assert_eq!(
            bad(json!({"name-last": "X", "address-country-code": "ZZ"})),
            "query/address-country-code"
        );
        assert_eq!(bad(json!({"birthdate": "1980-01-01"})), "query/name-last");
        for partial in ["1980-13", "80", "1980-1", "1980-02-30", "198O"] {
            assert_eq!(
                bad(json!({"name-last": "X", "birthdate": partial})),
                "query/birthdate",
                "{partial}"
            );
        }
        for partial in ["1980", "1980-02", "1980-02-29"] {
            let query = Query::parse(Some(&json!({"name-last": "X", "birthdate": partial})));
            assert_eq!(query.unwrap().birthdate.as_deref(), Some(partial));
        }
        assert_eq!(bad(json!({"name-last": 3})), "query/name-last");
        assert_eq!(bad(json!({"nickname": "x"})), "query/nickname");
        assert_eq!(Query::parse(None).unwrap_err().pointer, "query");
    }
}
