//! The AAMVA card design standard's data in a licence's PDF417 barcode: a header
//! (`@`, separators, `ANSI `, the issuer's number, versions, subfile directory), then
//! data elements of three letters and a value, one per line (`DCSDOE`, `DBB01311990`).
//! US issuers write dates MMDDCCYY; Canadian ones CCYYMMDD.

use vigil_domain::verification::government_id::DocumentIdentity;

/// The identity in an AAMVA barcode's text, if it is one.
pub fn parse(text: &str) -> Option<DocumentIdentity> {
    let start = text.find("ANSI ").or_else(|| text.find("AAMVA"))?;
    let body = &text[start..];
    let mut elements: Vec<(&str, &str)> = Vec::new();
    for (n, line) in body.split(['\n', '\r', '\u{1e}']).enumerate() {
        let line = if n == 0 {
            // The first element follows the subfile directory on the header's line:
            // `...DL00410278ZV03190008DLDAQ...`; it starts after the last `DL`/`ID`
            // that is followed by an element code.
            match first_element(line) {
                Some(at) => &line[at..],
                None => continue,
            }
        } else {
            line
        };
        if line.len() > 3 && line.is_char_boundary(3) {
            let (code, value) = line.split_at(3);
            if code.bytes().all(|b| b.is_ascii_uppercase()) {
                elements.push((code, value.trim()));
            }
        }
    }
    let get = |code: &str| {
        elements
            .iter()
            .find(|(c, v)| *c == code && !v.is_empty() && !matches!(*v, "NONE" | "unavl"))
            .map(|(_, v)| v.to_string())
    };
    let country = match get("DCG").as_deref() {
        Some("CAN") => "CA",
        _ => "US",
    };
    let date = |code: &str| get(code).and_then(|d| date(&d, country));
    // Old versions carry "FIRST MIDDLE" (or "LAST,FIRST") in DCT or DAA.
    let (mut first, mut middle) = (get("DAC"), get("DAD"));
    if first.is_none() {
        if let Some(given) = get("DCT") {
            let mut parts = given.splitn(2, [' ', ',']);
            first = parts.next().map(str::to_string);
            middle = parts
                .next()
                .map(|m| m.trim().to_string())
                .filter(|m| !m.is_empty());
        }
    }
    let identity = DocumentIdentity {
        name_first: first,
        name_middle: middle,
        name_last: get("DCS"),
        birthdate: date("DBB"),
        expiration_date: date("DBA"),
        issue_date: date("DBD"),
        document_number: get("DAQ"),
        country_code: Some(country.to_string()),
        issuing_subdivision: get("DAJ"),
        sex: get("DBC").map(|s| match s.as_str() {
            "1" => "Male".to_string(),
            "2" => "Female".to_string(),
            _ => s,
        }),
        address_street_1: get("DAG"),
        address_city: get("DAI"),
        address_subdivision: get("DAJ"),
        address_postal_code: get("DAK").map(|p| p.trim_end_matches('0').trim().to_string()),
    };
    (identity.name_last.is_some() || identity.document_number.is_some()).then_some(identity)
}

fn first_element(header: &str) -> Option<usize> {
    let bytes = header.as_bytes();
    (0..bytes.len().saturating_sub(4)).rev().find_map(|i| {
        let designator = &bytes[i..i + 2];
        let code = &bytes[i + 2..i + 5];
        ((designator == b"DL" || designator == b"ID")
            && code[0] == b'D'
            && code[1..].iter().all(u8::is_ascii_uppercase))
        .then_some(i + 2)
    })
}

/// `YYYY-MM-DD` from an AAMVA date.
fn date(raw: &str, country: &str) -> Option<String> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 8 {
        return None;
    }
    let (y, m, d) = if country == "CA" {
        (&digits[0..4], &digits[4..6], &digits[6..8])
    } else {
        (&digits[4..8], &digits[0..2], &digits[2..4])
    };
    let (mm, dd): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
    ((1..=12).contains(&mm) && (1..=31).contains(&dd)).then(|| format!("{y}-{m}-{d}"))
}

/// The barcode text of a licence with this identity, as an issuer writes it (US dates).
/// For tests and benchmarks; the inverse of [`parse`].
pub fn encode(identity: &DocumentIdentity) -> String {
    let us_date = |d: &Option<String>| {
        d.as_deref()
            .map(|d| format!("{}{}{}", &d[5..7], &d[8..10], &d[0..4]))
            .unwrap_or_default()
    };
    let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "NONE".into());
    let elements = [
        ("DAQ", or_none(&identity.document_number)),
        ("DCS", or_none(&identity.name_last)),
        ("DAC", or_none(&identity.name_first)),
        ("DAD", or_none(&identity.name_middle)),
        ("DBD", us_date(&identity.issue_date)),
        ("DBB", us_date(&identity.birthdate)),
        ("DBA", us_date(&identity.expiration_date)),
        ("DBC", "2".to_string()),
        ("DAG", or_none(&identity.address_street_1)),
        ("DAI", or_none(&identity.address_city)),
        ("DAJ", or_none(&identity.address_subdivision)),
        ("DAK", or_none(&identity.address_postal_code)),
        ("DCG", "USA".to_string()),
    ];
    let body: String = elements
        .iter()
        .map(|(code, value)| format!("{code}{value}\n"))
        .collect();
    let subfile = format!("DL{body}\r");
    format!(
        "@\n\u{1e}\rANSI 636000100001DL{:04}{:04}{subfile}",
        31,
        subfile.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jane() -> DocumentIdentity {
        DocumentIdentity {
            name_first: Some("JANE".into()),
            name_middle: Some("Q".into()),
            name_last: Some("SPECIMEN".into()),
            birthdate: Some("1990-01-31".into()),
            expiration_date: Some("2030-01-31".into()),
            issue_date: Some("2022-01-31".into()),
            document_number: Some("S1234567".into()),
            country_code: Some("US".into()),
            issuing_subdivision: Some("VA".into()),
            sex: Some("Female".into()),
            address_street_1: Some("1 MAIN ST".into()),
            address_city: Some("RICHMOND".into()),
            address_subdivision: Some("VA".into()),
            address_postal_code: Some("23219".into()),
        }
    }

    #[test]
    fn a_licence_reads_back_what_its_issuer_wrote() {
        assert_eq!(parse(&encode(&jane())), Some(jane()));
    }

    #[test]
    fn canadian_dates_are_year_first_and_old_versions_give_the_names_together() {
        let text = "@\n\u{1e}\rANSI 636012030001DL00290180DLDAQ123\nDCSROE\nDCTRICHARD P\nDBB19800215\nDBA20290215\nDCGCAN\r";
        let identity = parse(text).unwrap();
        assert_eq!(identity.birthdate.as_deref(), Some("1980-02-15"));
        assert_eq!(identity.name_first.as_deref(), Some("RICHARD"));
        assert_eq!(identity.name_middle.as_deref(), Some("P"));
        assert_eq!(identity.country_code.as_deref(), Some("CA"));
        assert_eq!(identity.document_number.as_deref(), Some("123"));
    }

    #[test]
    fn text_that_is_not_a_licence_is_not_read_as_one() {
        assert_eq!(parse("hello world"), None);
        assert_eq!(parse("@\n\u{1e}\rANSI 6360001000\r"), None);
    }
}
