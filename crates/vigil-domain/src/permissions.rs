//! Permissions of API keys and console users: one `read` and one `write` permission per
//! resource family, and decisions that are permissions of their own, as in Persona:
//! deciding a case and dismissing a screening hit (and configuring how cases are decided).

/// Resource families that carry their own `<family>.read` / `<family>.write` permissions.
pub const FAMILIES: &[&str] = &[
    "account", "inquiry", "case", "list", "report", "document", "event", "webhook", "api_key",
    "user",
];

/// Resolving a case (any status but `open` and `pending`), beyond `case.write`.
pub const CASE_DECIDE: &str = "case.decide";
/// Changing how cases are decided (a template's second review), beyond `case.write`: a
/// reviewer must not be able to switch off the control on her own decisions.
pub const CASE_CONFIGURE: &str = "case.configure";
/// Dismissing a watchlist report's hits, beyond `report.write`.
pub const REPORT_DISMISS: &str = "report.dismiss";
/// The permissions that are not a family's read or write.
/// Redacting anything (accounts, inquiries, cases, reports, documents), beyond the family's
/// `write`: it cannot be undone, so investigating does not imply it.
pub const REDACT: &str = "redact";
pub const DECISIONS: &[&str] = &[CASE_DECIDE, REPORT_DISMISS, CASE_CONFIGURE, REDACT];

/// What an operation does to its family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// The permission string an operation needs, e.g. `account.write`.
pub fn permission(family: &str, access: Access) -> String {
    match access {
        Access::Read => format!("{family}.read"),
        Access::Write => format!("{family}.write"),
    }
}

/// Every permission vigil knows, for admin keys and for validating requested ones.
pub fn all() -> Vec<String> {
    FAMILIES
        .iter()
        .flat_map(|family| {
            [
                permission(family, Access::Read),
                permission(family, Access::Write),
            ]
        })
        .chain(DECISIONS.iter().map(|d| d.to_string()))
        .collect()
}

/// Parse a comma-separated permission list, rejecting unknown names.
pub fn parse_list(text: &str) -> Result<Vec<String>, String> {
    let known = all();
    let mut out = Vec::new();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if !known.iter().any(|k| k == item) {
            return Err(format!(
                "unknown permission `{item}` (known: {})",
                known.join(", ")
            ));
        }
        if !out.iter().any(|o: &String| o == item) {
            out.push(item.to_string());
        }
    }
    if out.is_empty() {
        return Err("no permissions given".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_and_rejects_unknown() {
        assert_eq!(
            parse_list("account.read, event.read").unwrap(),
            vec!["account.read", "event.read"]
        );
        assert!(parse_list("account.delete")
            .unwrap_err()
            .contains("account.delete"));
        assert!(parse_list(" , ").is_err());
    }
}
