//! Value rules shared by every resource: dates, ISO countries, email addresses, tags, status names.

/// ISO 3166-1 alpha-2 codes (officially assigned), plus `XK` (Kosovo), which identity
/// documents use.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";

/// Normalise and check an ISO 3166-1 alpha-2 country code (`us` → `US`).
pub fn country_code(input: &str) -> Result<String, String> {
    let code = input.trim().to_ascii_uppercase();
    if code.len() == 2 && COUNTRIES.split(' ').any(|c| c == code) {
        Ok(code)
    } else {
        Err(format!(
            "must be an ISO 3166-1 alpha-2 country code, got `{}`",
            truncate(input, 16)
        ))
    }
}

/// Check a date that may be partial, as lists give birthdates: `YYYY`, `YYYY-MM` or a
/// calendar date `YYYY-MM-DD`.
pub fn partial_date(input: &str) -> Result<String, String> {
    let bad = || {
        format!(
            "must be a date formatted YYYY-MM-DD, YYYY-MM or YYYY, got `{}`",
            truncate(input, 32)
        )
    };
    let digits = |part: &str| part.len() >= 2 && part.bytes().all(|b| b.is_ascii_digit());
    match input.len() {
        4 if digits(input) && input >= "1800" => Ok(input.to_owned()),
        7 if digits(&input[..4]) && &input[4..5] == "-" && digits(&input[5..]) => {
            let month: u32 = input[5..].parse().map_err(|_| bad())?;
            if (1..=12).contains(&month) && &input[..4] >= "1800" {
                Ok(input.to_owned())
            } else {
                Err(bad())
            }
        }
        10 => date(input).map_err(|_| bad()),
        _ => Err(bad()),
    }
}

/// Check a calendar date written `YYYY-MM-DD` (a real day: no 2023-02-30).
pub fn date(input: &str) -> Result<String, String> {
    let bad = || {
        format!(
            "must be a date formatted YYYY-MM-DD, got `{}`",
            truncate(input, 32)
        )
    };
    let bytes = input.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return Err(bad());
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = &input[range];
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return Err(bad());
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if year < 1800 || day == 0 || day > days_in_month {
        return Err(bad());
    }
    Ok(input.to_string())
}

/// A pragmatic email check: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn email_address(input: &str) -> Result<String, String> {
    let value = input.trim();
    let ok = value.len() <= 254
        && !value.contains(char::is_whitespace)
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(value.to_string())
    } else {
        Err(format!(
            "must be an email address, got `{}`",
            truncate(input, 64)
        ))
    }
}

/// Tags: non-empty, at most 255 characters, surrounding whitespace removed.
pub fn tag(input: &str) -> Result<String, String> {
    let value = input.trim();
    if value.is_empty() {
        return Err("must not be empty".into());
    }
    if value.chars().count() > 255 {
        return Err("must be at most 255 characters".into());
    }
    Ok(value.to_string())
}

/// A reference id: non-empty, at most 255 characters.
pub fn reference_id(input: &str) -> Result<String, String> {
    if input.is_empty() {
        return Err("must not be empty".into());
    }
    if input.chars().count() > 255 {
        return Err("must be at most 255 characters".into());
    }
    Ok(input.to_string())
}

/// Cut an echoed value so an error message never carries a whole oversized input.
fn truncate(input: &str, max: usize) -> String {
    if input.chars().count() <= max {
        input.to_string()
    } else {
        format!("{}…", input.chars().take(max).collect::<String>())
    }
}

/// A status name: lowercase letters, digits, `_` and `-`, 1 to 64 characters, so it is
/// safe in URLs, filters and CSV exports.
pub fn status_name(input: &str) -> Result<String, String> {
    let name = input.trim();
    if name.is_empty() || name.len() > 64 {
        return Err("must be 1 to 64 characters".into());
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    {
        return Err("may only contain lowercase letters, digits, `_` and `-`".into());
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn status_names_are_slugs() {
        assert_eq!(status_name(" under_review "), Ok("under_review".into()));
        assert!(status_name("Under Review").is_err());
        assert!(status_name("").is_err());
    }

    #[test]
    fn dates() {
        assert!(date("1994-04-12").is_ok());
        assert!(date("2000-02-29").is_ok());
        assert!(date("1900-02-29").is_err());
        assert!(date("2023-02-30").is_err());
        assert!(date("2023-13-01").is_err());
        assert!(date("94-04-12").is_err());
        assert!(date("1994/04/12").is_err());
        assert!(date("199a-04-12").is_err());
    }

    #[test]
    fn countries() {
        assert_eq!(country_code("us").unwrap(), "US");
        assert!(country_code("ZX").is_err());
        assert!(country_code("USA").is_err());
    }

    #[test]
    fn emails() {
        assert!(email_address("jane@doe.com").is_ok());
        assert!(email_address("jane@doe").is_err());
        assert!(email_address("ja ne@doe.com").is_err());
        assert!(email_address("@doe.com").is_err());
    }

    proptest! {
        #[test]
        fn date_never_panics(s in "\\PC{0,12}") {
            let _ = date(&s);
        }

        #[test]
        fn every_real_date_is_accepted(y in 1800u32..2100, m in 1u32..=12, d in 1u32..=28) {
            let text = format!("{y:04}-{m:02}-{d:02}");
            prop_assert_eq!(date(&text), Ok(text.clone()));
        }
    }
}
