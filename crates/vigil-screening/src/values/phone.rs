//! Phone numbers, compared in E.164 (`+15555550123`).

use super::quote;

/// Normalise a phone number to E.164. Numbers written without a country code are read
/// in `default_country` (ISO alpha-2, e.g. the account's country) when one is given.
pub fn e164(input: &str, default_country: Option<&str>) -> Result<String, String> {
    let text = input.trim();
    let international = text.replace(|c: char| c.is_whitespace() || "-().".contains(c), "");
    let text = match international.strip_prefix("00") {
        Some(rest) => format!("+{rest}"),
        None => text.to_owned(),
    };
    let region = default_country.and_then(|c| {
        c.to_ascii_uppercase()
            .parse::<phonenumber::country::Id>()
            .ok()
    });
    let bad = || {
        if region.is_none() && !text.starts_with('+') {
            format!(
                "must be a phone number in international format (+ and country code), got `{}`",
                quote(input)
            )
        } else {
            format!("must be a phone number, got `{}`", quote(input))
        }
    };
    if !text.chars().any(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let number = phonenumber::parse(region, &text).map_err(|_| bad())?;
    // Too short or too long for its country is not a phone number; an unassigned range
    // (a 555 number) still is one, and lists hold those.
    let national = number.national().value().to_string();
    if national.len() < 4 || national.len() > 15 {
        return Err(bad());
    }
    Ok(number.format().mode(phonenumber::Mode::E164).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_agree() {
        for written in [
            "+1 (555) 555-0123",
            "+15555550123",
            "001 555 555 0123",
            "+1.555.555.0123",
        ] {
            assert_eq!(e164(written, None).unwrap(), "+15555550123", "{written}");
        }
        assert_eq!(e164("(555) 555-0123", Some("US")).unwrap(), "+15555550123");
        assert_eq!(e164("020 7946 0018", Some("gb")).unwrap(), "+442079460018");
        assert_eq!(
            e164("+44 20 7946 0018", Some("US")).unwrap(),
            "+442079460018"
        );
    }

    #[test]
    fn rejects_what_cannot_be_a_number() {
        assert!(e164("call me", None).is_err());
        assert!(e164("", None).is_err());
        assert!(e164("+1 23", None).is_err());
        let err = e164("555 555 0123", None).unwrap_err();
        assert!(err.contains("international format"), "{err}");
    }
}
