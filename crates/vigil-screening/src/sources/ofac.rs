//! OFAC's SDN list in its legacy CSV files: `sdn.csv` (parties), `alt.csv` (aliases),
//! `add.csv` (addresses). No header rows; `-0-` marks an empty field.

use std::collections::HashMap;
use std::io::Read;

use super::{add_name, years_in, Party, PartyKind, SourceError};
use crate::values::country;

fn field(record: &csv::StringRecord, i: usize) -> Option<&str> {
    let value = record.get(i)?.trim();
    (!value.is_empty() && value != "-0-").then_some(value)
}

fn records(
    file: &'static str,
    reader: impl Read,
    mut each: impl FnMut(&csv::StringRecord),
) -> Result<(), SourceError> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut record = csv::StringRecord::new();
    loop {
        match csv.read_record(&mut record) {
            Ok(true) => each(&record),
            Ok(false) => return Ok(()),
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                return Err(SourceError::Csv {
                    file,
                    line,
                    message: error.to_string(),
                });
            }
        }
    }
}

/// The name in a remark "a.k.a. 'NAME'" (also "f.k.a.", formerly, and "n.k.a.", now):
/// OFAC writes some aliases there rather than in `alt.csv`. The quotes around the name
/// go; quotes inside it ("ABU-'UMAR") stay.
fn alias_in_remark(part: &str) -> Option<&str> {
    let lower = part.get(..7)?.to_ascii_lowercase();
    if !matches!(lower.as_str(), "a.k.a. " | "f.k.a. " | "n.k.a. ") {
        return None;
    }
    let rest = part[7..].trim().trim_end_matches('.').trim();
    let name = rest
        .strip_prefix('\'')
        .and_then(|r| r.strip_suffix('\''))
        .unwrap_or(rest)
        .trim();
    (!name.is_empty()).then_some(name)
}

/// Parse the three files into parties, in `sdn.csv` order.
pub fn parse(sdn: impl Read, alt: impl Read, add: impl Read) -> Result<Vec<Party>, SourceError> {
    let mut parties = Vec::new();
    let mut by_id = HashMap::new();
    records("sdn.csv", sdn, |r| {
        let (Some(id), Some(name)) = (field(r, 0), field(r, 1)) else {
            return;
        };
        let kind = match field(r, 2).map(str::to_ascii_lowercase).as_deref() {
            Some("individual") => PartyKind::Individual,
            Some("vessel") => PartyKind::Vessel,
            Some("aircraft") => PartyKind::Aircraft,
            _ => PartyKind::Entity,
        };
        let remarks = field(r, 11).unwrap_or("");
        let mut names = vec![name.to_owned()];
        let mut countries = Vec::new();
        let mut birth_years = Vec::new();
        for part in remarks.split(';') {
            let part = part.trim().trim_end_matches('.');
            let lower = part.to_ascii_lowercase();
            if let Some(rest) = lower
                .strip_prefix("nationality ")
                .or_else(|| lower.strip_prefix("citizen "))
            {
                countries.extend(country::code_of(rest).map(str::to_owned));
            } else if lower.starts_with("dob ") || lower.starts_with("alt. dob ") {
                birth_years.extend(years_in(part));
            } else if let Some(alias) = alias_in_remark(part) {
                add_name(&mut names, alias);
            }
        }
        let programs = field(r, 3)
            .map(|p| {
                p.split(']')
                    .map(|s| s.trim().trim_start_matches('[').trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        by_id.insert(id.to_owned(), parties.len());
        parties.push(Party {
            source_id: id.to_owned(),
            kind,
            names,
            programs,
            countries,
            birth_years,
        });
    })?;
    records("alt.csv", alt, |r| {
        if let (Some(id), Some(alias)) = (field(r, 0), field(r, 3)) {
            if let Some(&i) = by_id.get(id) {
                add_name(&mut parties[i].names, alias);
            }
        }
    })?;
    records("add.csv", add, |r| {
        if let (Some(id), Some(place)) = (field(r, 0), field(r, 4)) {
            if let (Some(&i), Some(code)) = (by_id.get(id), country::code_of(place)) {
                if !parties[i].countries.iter().any(|c| c == code) {
                    parties[i].countries.push(code.to_owned());
                }
            }
        }
    })?;
    if parties.is_empty() {
        return Err(SourceError::Empty("sdn.csv holds no parties".into()));
    }
    Ok(parties)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_parties_aliases_and_addresses() {
        let sdn = "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n\
                   7,\"DOE, John\",\"individual\",\"[SDGT] [IRAN]\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 10 Dec 1948; nationality Iran; Passport 123.\"\n";
        let alt = "36,12,\"aka\",\"AERO-CARIBBEAN\",-0- \n99,1,\"aka\",\"NOBODY\",-0- \n";
        let add = "36,25,-0- ,\"Havana\",\"Cuba\",-0- \n";
        let parties = parse(sdn.as_bytes(), alt.as_bytes(), add.as_bytes()).unwrap();
        assert_eq!(parties.len(), 2);
        assert_eq!(
            parties[0].names,
            ["AEROCARIBBEAN AIRLINES", "AERO-CARIBBEAN"]
        );
        assert_eq!(parties[0].kind, PartyKind::Entity);
        assert_eq!(parties[0].countries, ["CU"]);
        assert_eq!(parties[1].kind, PartyKind::Individual);
        assert_eq!(parties[1].programs, ["SDGT", "IRAN"]);
        assert_eq!(parties[1].countries, ["IR"]);
        assert_eq!(parties[1].birth_years, [1948]);
    }

    #[test]
    fn aliases_in_the_remarks_are_names_too() {
        let sdn = "306,\"BANCO NACIONAL DE CUBA\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"a.k.a. 'BNC'.\"\n\
                   3754,\"ABU MARZOOK, Mousa\",\"individual\",\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 09 Feb 1951; a.k.a. 'ABU-'UMAR'; f.k.a. 'ANA I'.\"\n";
        let alt = "306,1,\"aka\",\"bnc\",-0- \n";
        let parties = parse(sdn.as_bytes(), alt.as_bytes(), &b""[..]).unwrap();
        assert_eq!(parties[0].names, ["BANCO NACIONAL DE CUBA", "BNC"]);
        assert_eq!(
            parties[1].names,
            ["ABU MARZOOK, Mousa", "ABU-'UMAR", "ANA I"]
        );
        assert_eq!(parties[1].birth_years, [1951]);
    }

    #[test]
    fn an_empty_list_is_an_error() {
        assert!(parse(&b""[..], &b""[..], &b""[..]).is_err());
    }
}
