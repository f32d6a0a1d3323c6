//! Sanctions lists, parsed from the files their publishers distribute.
//!
//! Parsers take readers and return parties; opening files is the caller's business.

pub mod ftm;
pub mod ofac;
pub mod un;

/// What a listed party is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PartyKind {
    Individual,
    Entity,
    Vessel,
    Aircraft,
}

/// One listed person, organisation, vessel or aircraft.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Party {
    /// The publisher's id (OFAC `ent_num`, UN `DATAID`, a FollowTheMoney entity's `id`).
    pub source_id: String,
    pub kind: PartyKind,
    /// The primary name first, then aliases.
    pub names: Vec<String>,
    /// Sanctions programmes (`SDGT`, `IRAN`, UN list types...).
    pub programs: Vec<String>,
    /// ISO alpha-2 codes of nationalities, citizenships and address countries.
    pub countries: Vec<String>,
    /// Years of birth given (a range of years when the list gives one).
    pub birth_years: Vec<i32>,
}

/// A file that could not be read as the format it was said to be in.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{file}: line {line}: {message}")]
    Csv {
        file: &'static str,
        line: u64,
        message: String,
    },
    #[error("XML at byte {position}: {message}")]
    Xml { position: u64, message: String },
    #[error("line {line}: {message}")]
    Json { line: u64, message: String },
    #[error("{0}")]
    Empty(String),
}

/// Add `name` to a party's names unless it is blank or already there in another case
/// (lists repeat a name as an alias, or write it once in capitals).
pub(crate) fn add_name(names: &mut Vec<String>, name: &str) {
    let name = name.trim();
    if !name.is_empty() && !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
        names.push(name.to_owned());
    }
}

/// Four-digit years (1900-2099) in free text ("DOB 10 Dec 1948", "circa 1960-1962").
pub(crate) fn years_in(text: &str) -> Vec<i32> {
    let bytes = text.as_bytes();
    let mut years = Vec::new();
    let mut i = 0;
    while i + 4 <= bytes.len() {
        let window = &bytes[i..i + 4];
        let bounded = (i == 0 || !bytes[i - 1].is_ascii_digit())
            && (i + 4 == bytes.len() || !bytes[i + 4].is_ascii_digit());
        if bounded
            && window.iter().all(u8::is_ascii_digit)
            && (window[0..2] == *b"19" || window[0..2] == *b"20")
        {
            let year: i32 = std::str::from_utf8(window)
                .expect("ascii digits")
                .parse()
                .expect("four digits");
            if !years.contains(&year) {
                years.push(year);
            }
            i += 4;
        } else {
            i += 1;
        }
    }
    years
}

#[cfg(test)]
mod tests {
    #[test]
    fn years_are_found_in_free_text() {
        assert_eq!(super::years_in("DOB 10 Dec 1948"), [1948]);
        assert_eq!(
            super::years_in("DOB circa 1960-1962; alt. DOB 1960"),
            [1960, 1962]
        );
        assert!(super::years_in("Passport 123456789").is_empty());
    }
}
