//! Email addresses: case, plus-addressing, and dots where the provider ignores them.

use super::quote;

/// An address in the form it is compared in, and its domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// `local@domain`, lower case, with `+tags` removed (and dots, for Gmail).
    pub canonical: String,
    pub domain: String,
}

/// Providers that ignore dots in the local part.
const DOTLESS: &[&str] = &["gmail.com"];

/// Normalise a whole address.
pub fn address(input: &str) -> Result<Email, String> {
    let text = input.trim().to_lowercase();
    let bad = || {
        format!(
            "must be an email address like name@example.com, got `{}`",
            quote(input)
        )
    };
    let (local, domain) = text.rsplit_once('@').ok_or_else(bad)?;
    let domain = domain_name(domain).map_err(|_| bad())?;
    if local.is_empty()
        || local.len() > 64
        || local.contains(char::is_whitespace)
        || local.contains('@')
    {
        return Err(bad());
    }
    // Plus-addressing (`name+shop@`) delivers to `name@` at every large provider.
    let mut local = local.split('+').next().unwrap_or(local).to_owned();
    if local.is_empty() {
        return Err(bad());
    }
    let domain = if domain == "googlemail.com" {
        "gmail.com".to_owned()
    } else {
        domain
    };
    if DOTLESS.contains(&domain.as_str()) {
        local.retain(|c| c != '.');
    }
    Ok(Email {
        canonical: format!("{local}@{domain}"),
        domain,
    })
}

/// Normalise a domain (`Example.COM.` → `example.com`), for `match-type: domain` items.
pub fn domain_name(input: &str) -> Result<String, String> {
    let domain = input
        .trim()
        .trim_start_matches('@')
        .trim_end_matches('.')
        .to_lowercase();
    let labels_ok = domain.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    });
    if domain.contains('.') && domain.len() <= 253 && labels_ok {
        Ok(domain)
    } else {
        Err(format!(
            "must be a domain name like example.com, got `{}`",
            quote(input)
        ))
    }
}

/// Does an address's domain fall under `listed` (itself or a subdomain)?
pub fn in_domain(domain: &str, listed: &str) -> bool {
    domain == listed
        || (domain.len() > listed.len()
            && domain.ends_with(listed)
            && domain.as_bytes()[domain.len() - listed.len() - 1] == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn canon(s: &str) -> String {
        address(s).unwrap().canonical
    }

    #[test]
    fn folds_case_tags_and_gmail_dots() {
        assert_eq!(
            canon(" Joe.Imposter+shop@GMail.com "),
            "joeimposter@gmail.com"
        );
        assert_eq!(
            canon("joe.imposter@googlemail.com"),
            "joeimposter@gmail.com"
        );
        assert_eq!(
            canon("Joe.Imposter+x@example.com"),
            "joe.imposter@example.com"
        );
    }

    #[test]
    fn rejects_what_is_not_an_address() {
        for bad in [
            "",
            "joe",
            "joe@",
            "@example.com",
            "joe@example",
            "jo e@example.com",
            "+x@example.com",
            "joe@-x.com",
        ] {
            assert!(address(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn domains_cover_subdomains_only_at_a_dot() {
        assert!(in_domain("evil.com", "evil.com"));
        assert!(in_domain("mail.evil.com", "evil.com"));
        assert!(!in_domain("notevil.com", "evil.com"));
        assert_eq!(domain_name("@Evil.COM.").unwrap(), "evil.com");
    }

    proptest! {
        #[test]
        fn canonical_form_is_stable(local in "[a-z0-9.]{1,12}", tag in "[a-z]{0,5}", domain in "(gmail|example|corp)\\.(com|org)") {
            let once = canon(&format!("{local}+{tag}@{domain}"));
            prop_assume!(!local.trim_matches('.').is_empty() || domain != "gmail.com");
            if let Ok(again) = address(&once) {
                prop_assert_eq!(again.canonical, once.clone());
            }
            prop_assert_eq!(canon(&once.to_uppercase()), once);
        }
    }
}
