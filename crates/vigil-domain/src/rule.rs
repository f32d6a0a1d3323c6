//! Flagging rules: declarative conditions evaluated on events that open a case for a
//! person to decide and tag the account. Each finding has a key, so a rule never opens a
//! second case while one is open for the same finding.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::FieldError;

/// An identity value accounts can share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SharedKey {
    EmailAddress,
    PhoneNumber,
    IpAddress,
    Fingerprint,
}

impl SharedKey {
    pub const ALL: [SharedKey; 4] = [
        SharedKey::EmailAddress,
        SharedKey::PhoneNumber,
        SharedKey::IpAddress,
        SharedKey::Fingerprint,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SharedKey::EmailAddress => "email-address",
            SharedKey::PhoneNumber => "phone-number",
            SharedKey::IpAddress => "ip-address",
            SharedKey::Fingerprint => "fingerprint",
        }
    }

    fn parse(name: &str) -> Option<SharedKey> {
        SharedKey::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// What a rule looks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Condition {
    /// A watchlist report of the account matched.
    WatchlistMatch,
    /// The account's government id number is also another account's.
    SharedIdNumber,
    /// The value is held by more than `more_than` accounts created within the window.
    SharedValue {
        key: SharedKey,
        more_than: u32,
        within_seconds: i64,
    },
    /// The account has at least `at_least` failed inquiries created within the window.
    FailedInquiries { at_least: u32, within_seconds: i64 },
    /// An inquiry went to review (reverification found something close but uncertain, or
    /// someone marked it).
    InquiryNeedsReview,
    /// A government ID photo with the same bytes as another inquiry's (a document handed
    /// in twice is a fraud signal): the accounts of both inquiries.
    DocumentReused,
}

impl Condition {
    pub fn kind(&self) -> &'static str {
        match self {
            Condition::WatchlistMatch => "watchlist-match",
            Condition::SharedIdNumber => "shared-id-number",
            Condition::SharedValue { .. } => "shared-value",
            Condition::FailedInquiries { .. } => "failed-inquiries",
            Condition::InquiryNeedsReview => "inquiry-needs-review",
            Condition::DocumentReused => "document-reused",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlaggingRule {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    pub condition: Condition,
    /// The case template its cases use (the environment's default when None).
    pub case_template_id: Option<String>,
    pub case_queue_id: Option<String>,
    /// The tag put on flagged accounts.
    pub account_tag: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl FlaggingRule {
    /// A rule with nothing set yet, for a create to fill in.
    pub fn blank(id: String, now: i64) -> FlaggingRule {
        FlaggingRule {
            id,
            name: String::new(),
            enabled: true,
            condition: Condition::WatchlistMatch,
            case_template_id: None,
            case_queue_id: None,
            account_tag: String::new(),
            created_at: now,
            updated_at: now,
        }
    }
}

/// The changes a create or update of a rule asks for, checked. `Some(None)` clears a
/// template or queue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleChanges {
    pub name: Option<String>,
    pub enabled: Option<bool>,
    pub condition: Option<Condition>,
    pub template: Option<Option<String>>,
    pub queue: Option<Option<String>>,
    pub tag: Option<String>,
}

/// The attributes a rule takes.
pub const RULE_ATTRIBUTES: &[&str] = &[
    "name",
    "enabled",
    "condition",
    "case-template-id",
    "case-queue-id",
    "account-tag",
];

impl RuleChanges {
    /// Read the kebab-case attributes of a rule, which sit at `at` (named in errors).
    pub fn read(attributes: &Map<String, Value>, at: &str) -> Result<RuleChanges, FieldError> {
        if let Some(unknown) = attributes
            .keys()
            .find(|k| !RULE_ATTRIBUTES.contains(&k.as_str()))
        {
            return Err(FieldError::invalid(
                format!("{at}/{unknown}"),
                format!(
                    "is not an attribute of a flagging rule ({})",
                    RULE_ATTRIBUTES.join(", ")
                ),
            ));
        }
        let string = |name: &str| -> Result<Option<String>, FieldError> {
            match attributes.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if s.trim().is_empty() => Err(FieldError::invalid(
                    format!("{at}/{name}"),
                    "must not be empty",
                )),
                Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
                Some(_) => Err(FieldError::bad_type(
                    format!("{at}/{name}"),
                    "must be a string",
                )),
            }
        };
        let nullable = |name: &str| -> Result<Option<Option<String>>, FieldError> {
            match attributes.get(name) {
                None => Ok(None),
                Some(Value::Null) => Ok(Some(None)),
                Some(_) => Ok(Some(string(name)?)),
            }
        };
        Ok(RuleChanges {
            name: string("name")?,
            enabled: match attributes.get("enabled") {
                None | Some(Value::Null) => None,
                Some(Value::Bool(b)) => Some(*b),
                Some(_) => {
                    return Err(FieldError::bad_type(
                        format!("{at}/enabled"),
                        "must be a boolean",
                    ))
                }
            },
            condition: attributes
                .get("condition")
                .map(|c| parse_condition(c, &format!("{at}/condition")))
                .transpose()?,
            template: nullable("case-template-id")?,
            queue: nullable("case-queue-id")?,
            tag: string("account-tag")?
                .map(|t| {
                    crate::validate::tag(&t)
                        .map_err(|m| FieldError::invalid(format!("{at}/account-tag"), m))
                })
                .transpose()?,
        })
    }

    /// A new rule needs a name, a condition and a tag; the error names the first missing,
    /// relative to the rule.
    pub fn complete(&self) -> Result<(), FieldError> {
        for (missing, name) in [
            (self.name.is_none(), "name"),
            (self.condition.is_none(), "condition"),
            (self.tag.is_none(), "account-tag"),
        ] {
            if missing {
                return Err(FieldError::bad_type(name, "is missing"));
            }
        }
        Ok(())
    }

    /// Change `rule` (the references were checked by the caller).
    pub fn apply_to(self, rule: &mut FlaggingRule) {
        if let Some(name) = self.name {
            rule.name = name;
        }
        if let Some(enabled) = self.enabled {
            rule.enabled = enabled;
        }
        if let Some(condition) = self.condition {
            rule.condition = condition;
        }
        if let Some(template) = self.template {
            rule.case_template_id = template;
        }
        if let Some(queue) = self.queue {
            rule.case_queue_id = queue;
        }
        if let Some(tag) = self.tag {
            rule.account_tag = tag;
        }
    }
}

const DAY: i64 = 24 * 60 * 60;

/// The rules every environment starts with: (name, condition, tag).
pub fn defaults() -> Vec<(&'static str, Condition, &'static str)> {
    let mut rules = vec![
        (
            "Watchlist match",
            Condition::WatchlistMatch,
            "watchlist-match",
        ),
        (
            "Shared government id number",
            Condition::SharedIdNumber,
            "shared-id-number",
        ),
    ];
    for (name, key, tag) in [
        (
            "Email address shared by more than 3 accounts in 30 days",
            SharedKey::EmailAddress,
            "shared-email-address",
        ),
        (
            "Phone number shared by more than 3 accounts in 30 days",
            SharedKey::PhoneNumber,
            "shared-phone-number",
        ),
        (
            "IP address shared by more than 5 accounts in 7 days",
            SharedKey::IpAddress,
            "shared-ip-address",
        ),
        (
            "Fingerprint shared by more than 3 accounts in 30 days",
            SharedKey::Fingerprint,
            "shared-fingerprint",
        ),
    ] {
        let (more_than, within_seconds) = if key == SharedKey::IpAddress {
            (5, 7 * DAY)
        } else {
            (3, 30 * DAY)
        };
        rules.push((
            name,
            Condition::SharedValue {
                key,
                more_than,
                within_seconds,
            },
            tag,
        ));
    }
    rules.push((
        "Inquiry needs review",
        Condition::InquiryNeedsReview,
        "inquiry-review",
    ));
    rules.push((
        "Same ID photo in another inquiry",
        Condition::DocumentReused,
        "document-reuse",
    ));
    rules.push((
        "3 failed inquiries in 30 days",
        Condition::FailedInquiries {
            at_least: 3,
            within_seconds: 30 * DAY,
        },
        "failed-inquiries",
    ));
    rules
}

fn positive(
    map: &Map<String, Value>,
    name: &str,
    pointer: &str,
    max: i64,
) -> Result<i64, FieldError> {
    let at = format!("{pointer}/{name}");
    match map.get(name) {
        Some(Value::Number(n)) => n.as_i64().filter(|v| (1..=max).contains(v)).ok_or_else(|| {
            FieldError::invalid(&at, format!("must be a whole number from 1 to {max}"))
        }),
        None | Some(Value::Null) => Err(FieldError::bad_type(at, "is missing")),
        Some(_) => Err(FieldError::bad_type(at, "must be an integer")),
    }
}

/// Parse a condition: `{"type": "shared-value", "key": "email-address", "more-than": 3,
/// "within-seconds": 2592000}` and the like.
pub fn parse_condition(value: &Value, pointer: &str) -> Result<Condition, FieldError> {
    let Value::Object(map) = value else {
        return Err(FieldError::bad_type(pointer, "must be an object"));
    };
    let kind = match map.get("type") {
        Some(Value::String(t)) => t.as_str(),
        None | Some(Value::Null) => {
            return Err(FieldError::bad_type(
                format!("{pointer}/type"),
                "is missing",
            ))
        }
        Some(_) => {
            return Err(FieldError::bad_type(
                format!("{pointer}/type"),
                "must be a string",
            ))
        }
    };
    let allowed: &[&str] = match kind {
        "watchlist-match" | "shared-id-number" | "inquiry-needs-review" | "document-reused" => {
            &["type"]
        }
        "shared-value" => &["type", "key", "more-than", "within-seconds"],
        "failed-inquiries" => &["type", "at-least", "within-seconds"],
        other => {
            return Err(FieldError::invalid(
                format!("{pointer}/type"),
                format!("`{other}` is not a condition (watchlist-match, shared-id-number, shared-value, failed-inquiries, inquiry-needs-review, document-reused)"),
            ))
        }
    };
    if let Some(unknown) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(FieldError::invalid(
            format!("{pointer}/{unknown}"),
            format!(
                "is not a part of a {kind} condition ({})",
                allowed.join(", ")
            ),
        ));
    }
    let year = 366 * DAY;
    Ok(match kind {
        "watchlist-match" => Condition::WatchlistMatch,
        "shared-id-number" => Condition::SharedIdNumber,
        "inquiry-needs-review" => Condition::InquiryNeedsReview,
        "document-reused" => Condition::DocumentReused,
        "shared-value" => {
            let key = match map.get("key") {
                Some(Value::String(k)) => SharedKey::parse(k).ok_or_else(|| {
                    FieldError::invalid(
                        format!("{pointer}/key"),
                        "must be email-address, phone-number, ip-address or fingerprint",
                    )
                })?,
                _ => return Err(FieldError::bad_type(format!("{pointer}/key"), "is missing")),
            };
            Condition::SharedValue {
                key,
                more_than: positive(map, "more-than", pointer, 10_000)? as u32,
                within_seconds: positive(map, "within-seconds", pointer, year)?,
            }
        }
        _ => Condition::FailedInquiries {
            at_least: positive(map, "at-least", pointer, 10_000)? as u32,
            within_seconds: positive(map, "within-seconds", pointer, year)?,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conditions_parse_and_name_bad_parts() {
        assert_eq!(
            parse_condition(&json!({"type": "shared-value", "key": "phone-number", "more-than": 2, "within-seconds": 60}), "/c").unwrap(),
            Condition::SharedValue { key: SharedKey::PhoneNumber, more_than: 2, within_seconds: 60 }
        );
        assert_eq!(
            parse_condition(&json!({"type": "watchlist-match"}), "/c").unwrap(),
            Condition::WatchlistMatch
        );
        assert_eq!(
            parse_condition(&json!({"type": "shared-value", "key": "shoe"}), "/c")
                .unwrap_err()
                .pointer,
            "/c/key"
        );
        assert_eq!(
            parse_condition(
                &json!({"type": "failed-inquiries", "at-least": 0, "within-seconds": 5}),
                "/c"
            )
            .unwrap_err()
            .pointer,
            "/c/at-least"
        );
        assert_eq!(
            parse_condition(&json!({"type": "watchlist-match", "extra": 1}), "/c")
                .unwrap_err()
                .pointer,
            "/c/extra"
        );
        assert_eq!(
            parse_condition(&json!({"type": "nope"}), "/c")
                .unwrap_err()
                .pointer,
            "/c/type"
        );
    }

    #[test]
    fn defaults_cover_every_condition() {
        let kinds: Vec<&str> = defaults().iter().map(|(_, c, _)| c.kind()).collect();
        for kind in [
            "watchlist-match",
            "shared-id-number",
            "shared-value",
            "failed-inquiries",
            "inquiry-needs-review",
            "document-reused",
        ] {
            assert!(kinds.contains(&kind), "{kind}");
        }
        assert_eq!(defaults().len(), 9);
    }
}

/// The identity keys of an account that rules compare across accounts: `email:`,
/// `phone:`, `id:` (as screening normalises them), and `ip:` / `fingerprint:` from custom
/// fields named `ip_address`, `device_fingerprint` or `browser_fingerprint`.
pub fn identity_keys(account: &crate::account::Account) -> Vec<String> {
    use vigil_screening::watch::keys;
    let query = crate::report::Query::of_account(account);
    let mut out: Vec<String> = Vec::new();
    for email in &query.email_addresses {
        out.extend(
            keys::email_address(email)
                .into_iter()
                .filter(|k| k.starts_with("email:")),
        );
    }
    for phone in &query.phone_numbers {
        out.extend(keys::phone_number(phone, query.country_code.as_deref()));
    }
    for (class, number) in &query.id_numbers {
        out.extend(
            keys::id_numbers(class.as_deref(), number)
                .into_iter()
                .take(1),
        );
    }
    let text = |path: &str| {
        account
            .field_value(path)
            .and_then(Value::as_str)
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
    };
    if let Some(ip) = text("ip_address") {
        out.push(format!("ip:{ip}"));
    }
    for field in ["device_fingerprint", "browser_fingerprint"] {
        if let Some(fp) = text(field) {
            out.push(format!("fingerprint:{fp}"));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The key prefix a shared-value condition compares.
pub fn key_prefix(key: SharedKey) -> &'static str {
    match key {
        SharedKey::EmailAddress => "email:",
        SharedKey::PhoneNumber => "phone:",
        SharedKey::IpAddress => "ip:",
        SharedKey::Fingerprint => "fingerprint:",
    }
}

/// The identity keys of an account, stored so rules find who else shares them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountKeys {
    /// The account's id.
    pub id: String,
    pub keys: Vec<String>,
    pub created_at: i64,
}

/// The keys of where an account's person verified from (`ip:`, `fingerprint:` of their
/// inquiry sessions' addresses and devices), kept apart from [`AccountKeys`], which
/// account changes rewrite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionKeys {
    /// The account's id.
    pub id: String,
    pub keys: Vec<String>,
    /// The account's creation time (what shared-value windows count from).
    pub created_at: i64,
}

/// The keys a session of the verification flow gives its account: its address and its
/// device's browser fingerprint.
pub fn session_keys(ip_address: Option<&str>, fingerprint: Option<&str>) -> Vec<String> {
    let clean = |s: &str| Some(s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty());
    let mut out = Vec::new();
    if let Some(ip) = ip_address.and_then(clean) {
        out.push(format!("ip:{ip}"));
    }
    if let Some(fp) = fingerprint.and_then(clean) {
        out.push(format!("fingerprint:{fp}"));
    }
    out
}
