//! Reverification: what an inquiry's submitted identity says, compared with what its
//! account already holds. Names are compared the way screening compares them (fuzzy,
//! transliterated, nicknames known); birthdates and id numbers must be equal; an address
//! must agree on country and postal code, its street fuzzily.
//!
//! The first completed inquiry of an account that holds no identity yet has nothing to be
//! compared with: it fills the account instead ([`account_attributes`]).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use vigil_screening::name::{prepare, score_only, DEFAULT_THRESHOLD};
use vigil_screening::values::id_number;

use crate::account::Account;

/// How one field compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Match,
    /// Close but not certain: a person should look.
    Partial,
    Mismatch,
    /// One side has no value.
    NotCompared,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldComparison {
    /// `name`, `birthdate`, `address`, `identification-number`.
    pub field: String,
    pub outcome: Outcome,
    /// How it was compared: `fuzzy`, `exact`, `normalised`.
    pub method: String,
    /// The similarity, for fuzzy comparisons.
    pub score: Option<f64>,
}

/// What reverification decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Everything compared agrees: the inquiry completes.
    Pass,
    /// Something is close but not certain: the inquiry goes to review.
    Review,
    /// Something disagrees: the inquiry fails.
    Fail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub verdict: Verdict,
    pub fields: Vec<FieldComparison>,
    /// The account held no identity, so the inquiry filled it instead of being compared.
    pub populated_account: bool,
    pub compared_at: i64,
}

/// Below this a name is a mismatch; between this and the match threshold, partial.
pub const NAME_PARTIAL: f64 = 0.70;

fn text<'a>(fields: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    fields
        .get(key)
        .and_then(|f| f.get("value"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn account_text<'a>(account: &'a Account, path: &str) -> Option<&'a str> {
    account
        .field_value(path)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn full_name(first: Option<&str>, last: Option<&str>) -> Option<String> {
    match (first, last) {
        (None, None) => None,
        (f, l) => Some(
            format!("{} {}", f.unwrap_or(""), l.unwrap_or(""))
                .trim()
                .to_string(),
        ),
    }
}

fn compare_name(account: &Account, fields: &Map<String, Value>) -> FieldComparison {
    let submitted = full_name(text(fields, "name-first"), text(fields, "name-last"));
    let held = full_name(
        account_text(account, "name.first"),
        account_text(account, "name.last"),
    );
    let (outcome, score) = match (submitted, held) {
        (Some(s), Some(h)) => {
            let score = score_only(&prepare(&s), &prepare(&h));
            let outcome = if score >= DEFAULT_THRESHOLD {
                Outcome::Match
            } else if score >= NAME_PARTIAL {
                Outcome::Partial
            } else {
                Outcome::Mismatch
            };
            (outcome, Some((score * 1000.0).round() / 1000.0))
        }
        _ => (Outcome::NotCompared, None),
    };
    FieldComparison {
        field: "name".into(),
        outcome,
        method: "fuzzy".into(),
        score,
    }
}

fn exact(field: &str, submitted: Option<String>, held: &[String]) -> FieldComparison {
    let outcome = match submitted {
        None => Outcome::NotCompared,
        Some(_) if held.is_empty() => Outcome::NotCompared,
        Some(s) if held.contains(&s) => Outcome::Match,
        Some(_) => Outcome::Mismatch,
    };
    FieldComparison {
        field: field.into(),
        outcome,
        method: "exact".into(),
        score: None,
    }
}

fn postal(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Street words and the short forms postal services use, so "Main Street" is "Main St".
const STREET_WORDS: &[(&str, &str)] = &[
    ("street", "st"),
    ("avenue", "ave"),
    ("road", "rd"),
    ("drive", "dr"),
    ("boulevard", "blvd"),
    ("lane", "ln"),
    ("court", "ct"),
    ("place", "pl"),
    ("square", "sq"),
    ("terrace", "ter"),
    ("highway", "hwy"),
    ("parkway", "pkwy"),
    ("apartment", "apt"),
    ("suite", "ste"),
    ("north", "n"),
    ("south", "s"),
    ("east", "e"),
    ("west", "w"),
    ("strasse", "str"),
];

/// A street's words, transliterated and lowercased as names are, short forms used.
fn street_tokens(street: &str) -> Vec<String> {
    prepare(&street.replace(',', " "))
        .tokens
        .into_iter()
        .map(|t| match STREET_WORDS.iter().find(|(long, _)| *long == t) {
            Some((_, short)) => (*short).to_string(),
            None => t,
        })
        .collect()
}

fn compare_address(account: &Account, fields: &Map<String, Value>) -> FieldComparison {
    let mut outcome = Outcome::NotCompared;
    let mut score = None;
    let mut worsen = |o: Outcome| {
        outcome = match (outcome, o) {
            (_, Outcome::Mismatch) | (Outcome::Mismatch, _) => Outcome::Mismatch,
            (_, Outcome::Partial) | (Outcome::Partial, _) => Outcome::Partial,
            (_, Outcome::Match) | (Outcome::Match, _) => Outcome::Match,
            _ => Outcome::NotCompared,
        }
    };
    if let (Some(s), Some(h)) = (
        text(fields, "address-country-code"),
        account_text(account, "address.country_code"),
    ) {
        worsen(if s.eq_ignore_ascii_case(h) {
            Outcome::Match
        } else {
            Outcome::Mismatch
        });
    }
    if let (Some(s), Some(h)) = (
        text(fields, "address-postal-code"),
        account_text(account, "address.postal_code"),
    ) {
        worsen(if postal(s) == postal(h) {
            Outcome::Match
        } else {
            Outcome::Mismatch
        });
    }
    if let (Some(s), Some(h)) = (
        text(fields, "address-street-1"),
        account_text(account, "address.street_1"),
    ) {
        let similarity =
            vigil_screening::name::score::score_tokens(&street_tokens(s), &street_tokens(h));
        score = Some((similarity * 1000.0).round() / 1000.0);
        worsen(if similarity >= DEFAULT_THRESHOLD {
            Outcome::Match
        } else {
            Outcome::Partial
        });
    }
    FieldComparison {
        field: "address".into(),
        outcome,
        method: "normalised".into(),
        score,
    }
}

fn held_id_numbers(account: &Account) -> Vec<String> {
    let Some(Value::Array(items)) = account.field_value("identification_numbers") else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            item.get("value")?
                .get("identification_number")?
                .get("value")?
                .as_str()
                .and_then(|n| id_number::number(n).ok())
        })
        .collect()
}

/// Compare an inquiry's submitted fields with its account at `now`.
pub fn compare(account: &Account, fields: &Map<String, Value>, now: i64) -> Comparison {
    let comparisons = vec![
        compare_name(account, fields),
        exact(
            "birthdate",
            text(fields, "birthdate").map(str::to_string),
            &account_text(account, "birthdate")
                .map(|b| vec![b.to_string()])
                .unwrap_or_default(),
        ),
        compare_address(account, fields),
        exact(
            "identification-number",
            text(fields, "identification-number").and_then(|n| id_number::number(n).ok()),
            &held_id_numbers(account),
        ),
    ];
    let populated_account = comparisons
        .iter()
        .all(|c| c.outcome == Outcome::NotCompared)
        && !account_attributes(fields).is_empty();
    let verdict = if comparisons.iter().any(|c| c.outcome == Outcome::Mismatch) {
        Verdict::Fail
    } else if comparisons.iter().any(|c| c.outcome == Outcome::Partial) {
        Verdict::Review
    } else {
        Verdict::Pass
    };
    Comparison {
        verdict,
        fields: comparisons,
        populated_account,
        compared_at: now,
    }
}

/// Whether the account holds any identity reverification compares.
pub fn account_is_empty(account: &Account) -> bool {
    [
        "name.first",
        "name.last",
        "birthdate",
        "address.street_1",
        "address.postal_code",
    ]
    .iter()
    .all(|p| account_text(account, p).is_none())
        && held_id_numbers(account).is_empty()
}

/// The account create/update attributes (flat, as `PATCH /accounts` takes them) an
/// inquiry's fields fill in, for populating an empty account.
pub fn account_attributes(fields: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (from, to) in [
        ("name-first", "name-first"),
        ("name-middle", "name-middle"),
        ("name-last", "name-last"),
        ("birthdate", "birthdate"),
        ("email-address", "email-address"),
        ("phone-number", "phone-number"),
        ("address-street-1", "address-street-1"),
        ("address-street-2", "address-street-2"),
        ("address-city", "address-city"),
        ("address-subdivision", "address-subdivision"),
        ("address-postal-code", "address-postal-code"),
        ("address-country-code", "country-code"),
    ] {
        if let Some(value) = text(fields, from) {
            out.insert(to.into(), Value::String(value.into()));
        }
    }
    if let (Some(number), Some(country)) = (
        text(fields, "identification-number"),
        text(fields, "address-country-code"),
    ) {
        let class = text(fields, "identification-class").unwrap_or("id");
        out.insert(
            "fields".into(),
            serde_json::json!({"identification_numbers": [{
                "identification_class": class,
                "identification_number": number,
                "issuing_country": country,
            }]}),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::parse_changes;
    use serde_json::json;

    fn typed(map: Value) -> Map<String, Value> {
        map.as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), json!({"type": "string", "value": v})))
            .collect()
    }

    fn account(attributes: Value) -> Account {
        let mut account = Account::new("act_a".into(), "acttp_a".into(), "User".into(), 0);
        let changes = parse_changes(attributes.as_object().unwrap(), false).unwrap();
        account.apply(&changes, 0);
        account
    }

    fn jane() -> Account {
        account(json!({
            "name-first": "Jane", "name-last": "Doe", "birthdate": "1990-04-01",
            "address-street-1": "123 Main Street", "address-postal-code": "94105", "country-code": "US",
            "fields": {"identification_numbers": [{"identification_class": "dl", "identification_number": "D123-4567", "issuing_country": "US"}]}
        }))
    }

    fn outcome(c: &Comparison, field: &str) -> Outcome {
        c.fields.iter().find(|f| f.field == field).unwrap().outcome
    }

    #[test]
    fn the_same_person_spelled_differently_passes() {
        let c = compare(
            &jane(),
            &typed(
                json!({"name-first": "JANE", "name-last": "Doé", "birthdate": "1990-04-01",
                "address-street-1": "123 Main St.", "address-postal-code": "94105 ", "address-country-code": "US",
                "identification-number": "d1234567"}),
            ),
            1,
        );
        assert_eq!(outcome(&c, "name"), Outcome::Match);
        assert_eq!(outcome(&c, "identification-number"), Outcome::Match);
        assert_eq!(outcome(&c, "birthdate"), Outcome::Match);
        assert_eq!(c.verdict, Verdict::Pass, "{c:?}");
        assert!(!c.populated_account);
    }

    #[test]
    fn a_different_birthdate_or_id_number_fails() {
        let c = compare(
            &jane(),
            &typed(json!({"name-first": "Jane", "name-last": "Doe", "birthdate": "1990-04-02"})),
            1,
        );
        assert_eq!(outcome(&c, "birthdate"), Outcome::Mismatch);
        assert_eq!(c.verdict, Verdict::Fail);
        let c = compare(
            &jane(),
            &typed(json!({"identification-number": "D1234568"})),
            1,
        );
        assert_eq!(c.verdict, Verdict::Fail);
    }

    #[test]
    fn a_different_person_fails_and_a_close_name_goes_to_review() {
        let c = compare(
            &jane(),
            &typed(json!({"name-first": "Robert", "name-last": "Smith"})),
            1,
        );
        assert_eq!(outcome(&c, "name"), Outcome::Mismatch);
        assert_eq!(c.verdict, Verdict::Fail);
        let c = compare(
            &jane(),
            &typed(json!({"name-first": "Janet", "name-last": "Dorn"})),
            1,
        );
        assert_eq!(outcome(&c, "name"), Outcome::Partial, "{c:?}");
        assert_eq!(c.verdict, Verdict::Review);
    }

    #[test]
    fn another_street_in_the_same_postal_code_goes_to_review() {
        let c = compare(
            &jane(),
            &typed(json!({"address-street-1": "9 Harbour Road", "address-postal-code": "94105"})),
            1,
        );
        assert_eq!(outcome(&c, "address"), Outcome::Partial);
        assert_eq!(c.verdict, Verdict::Review);
        let c = compare(&jane(), &typed(json!({"address-postal-code": "10001"})), 1);
        assert_eq!(c.verdict, Verdict::Fail);
    }

    #[test]
    fn an_empty_account_is_populated_not_compared() {
        let empty = account(json!({}));
        assert!(account_is_empty(&empty));
        let fields = typed(
            json!({"name-first": "Jane", "name-last": "Doe", "address-country-code": "US", "identification-number": "X1"}),
        );
        let c = compare(&empty, &fields, 1);
        assert!(c.populated_account);
        assert_eq!(c.verdict, Verdict::Pass);
        let attributes = account_attributes(&fields);
        let mut filled = empty.clone();
        filled.apply(&parse_changes(&attributes, false).unwrap(), 2);
        assert_eq!(filled.field_value("name.first"), Some(&json!("Jane")));
        assert_eq!(held_id_numbers(&filled), vec!["X1".to_string()]);
        assert!(!account_is_empty(&filled));
    }
}
