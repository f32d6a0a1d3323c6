//! The FollowTheMoney entity format OpenSanctions publishes its datasets in
//! (`entities.ftm.json`): one JSON entity per line, `{"id", "schema", "properties":
//! {"name": [...], ...}, "target"}`. People, organisations, companies, legal entities,
//! public bodies, vessels and aircraft become parties; the other schemata (addresses,
//! sanctions, ownership and family links...) and entities marked `"target": false` (a
//! listed person's relatives in a dataset of politically exposed persons, say) are
//! skipped.

use std::io::BufRead;

use serde::Deserialize;

use super::{add_name, years_in, Party, PartyKind, SourceError};

#[derive(Deserialize)]
struct Entity {
    id: String,
    schema: String,
    #[serde(default)]
    properties: Properties,
    target: Option<bool>,
    #[serde(default)]
    datasets: Vec<String>,
}

/// The properties vigil reads; FollowTheMoney has many more, ignored.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Properties {
    #[serde(default)]
    name: Vec<String>,
    #[serde(default)]
    alias: Vec<String>,
    #[serde(default)]
    weak_alias: Vec<String>,
    #[serde(default)]
    previous_name: Vec<String>,
    #[serde(default)]
    first_name: Vec<String>,
    #[serde(default)]
    middle_name: Vec<String>,
    #[serde(default)]
    last_name: Vec<String>,
    #[serde(default)]
    birth_date: Vec<String>,
    #[serde(default)]
    nationality: Vec<String>,
    #[serde(default)]
    citizenship: Vec<String>,
    #[serde(default)]
    country: Vec<String>,
    #[serde(default)]
    jurisdiction: Vec<String>,
    #[serde(default)]
    program_id: Vec<String>,
}

fn kind_of(schema: &str) -> Option<PartyKind> {
    Some(match schema {
        "Person" => PartyKind::Individual,
        "Organization" | "Company" | "LegalEntity" | "PublicBody" => PartyKind::Entity,
        "Vessel" => PartyKind::Vessel,
        "Airplane" => PartyKind::Aircraft,
        _ => return None,
    })
}

/// Parse newline-delimited FollowTheMoney entities into parties, in file order. A line
/// that is not a JSON entity is an error naming the line; blank lines are skipped.
pub fn parse(reader: impl BufRead) -> Result<Vec<Party>, SourceError> {
    let mut parties = Vec::new();
    for (number, line) in reader.lines().enumerate() {
        let line_number = number as u64 + 1;
        let line = line.map_err(|e| SourceError::Json {
            line: line_number,
            message: e.to_string(),
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let entity: Entity = serde_json::from_str(&line).map_err(|e| SourceError::Json {
            line: line_number,
            message: e.to_string(),
        })?;
        if entity.target == Some(false) {
            continue;
        }
        let Some(kind) = kind_of(&entity.schema) else {
            continue;
        };
        if let Some(party) = party(entity, kind) {
            parties.push(party);
        }
    }
    if parties.is_empty() {
        return Err(SourceError::Empty(
            "the file holds no people, organisations, vessels or aircraft".into(),
        ));
    }
    Ok(parties)
}

fn party(entity: Entity, kind: PartyKind) -> Option<Party> {
    let p = entity.properties;
    let mut names: Vec<String> = Vec::new();
    for name in p.name.iter().chain(&p.alias).chain(&p.previous_name) {
        add_name(&mut names, name);
    }
    // A person given only by parts of the name.
    if let (Some(first), Some(last)) = (p.first_name.first(), p.last_name.first()) {
        let middle = p.middle_name.first().map(String::as_str).unwrap_or("");
        let full = format!("{first} {middle} {last}");
        add_name(
            &mut names,
            &full.split_whitespace().collect::<Vec<_>>().join(" "),
        );
    }
    for name in &p.weak_alias {
        add_name(&mut names, name);
    }
    if names.is_empty() {
        return None;
    }
    let mut countries: Vec<String> = Vec::new();
    for code in p
        .nationality
        .iter()
        .chain(&p.citizenship)
        .chain(&p.country)
        .chain(&p.jurisdiction)
    {
        // FollowTheMoney writes ISO codes in lower case; longer ones ("suhh", the Soviet
        // Union) are not ISO 3166-1 alpha-2 and are left out.
        let code = code.trim().to_ascii_uppercase();
        if code.len() == 2
            && code.bytes().all(|b| b.is_ascii_uppercase())
            && !countries.contains(&code)
        {
            countries.push(code);
        }
    }
    let mut birth_years = Vec::new();
    for date in &p.birth_date {
        for year in years_in(date) {
            if !birth_years.contains(&year) {
                birth_years.push(year);
            }
        }
    }
    let programs = if p.program_id.is_empty() {
        entity.datasets
    } else {
        p.program_id
    };
    Some(Party {
        source_id: entity.id,
        kind,
        names,
        programs,
        countries,
        birth_years,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"{"id": "NK-1", "schema": "Person", "target": true, "datasets": ["us_ofac_sdn"], "properties": {"name": ["Ivan Petrov"], "alias": ["Иван Петров", "IVAN PETROV"], "birthDate": ["1961-04"], "nationality": ["ru", "suhh"], "programId": ["RUSSIA-EO14024"]}}
{"id": "addr-1", "schema": "Address", "properties": {"full": ["1 Main St"]}}

{"id": "NK-2", "schema": "Company", "datasets": ["eu_fsf"], "properties": {"name": ["Acme Trading LLC"], "previousName": ["Acme Export"], "jurisdiction": ["cy"]}}
{"id": "NK-3", "schema": "Person", "target": false, "properties": {"name": ["A Relative"]}}
{"id": "NK-4", "schema": "Vessel", "properties": {"name": ["SEA STAR"], "weakAlias": ["STAR"]}}
{"id": "NK-5", "schema": "Person", "properties": {"firstName": ["Anna"], "lastName": ["Smirnova"], "birthDate": ["1970"]}}
"#;

    #[test]
    fn reads_people_companies_and_vessels_and_skips_the_rest() {
        let parties = parse(FILE.as_bytes()).unwrap();
        let ids: Vec<&str> = parties.iter().map(|p| p.source_id.as_str()).collect();
        assert_eq!(ids, ["NK-1", "NK-2", "NK-4", "NK-5"]);
        let ivan = &parties[0];
        assert_eq!(ivan.kind, PartyKind::Individual);
        assert_eq!(ivan.names, ["Ivan Petrov", "Иван Петров"]);
        assert_eq!(ivan.birth_years, [1961]);
        assert_eq!(ivan.countries, ["RU"]);
        assert_eq!(ivan.programs, ["RUSSIA-EO14024"]);
        let acme = &parties[1];
        assert_eq!(acme.kind, PartyKind::Entity);
        assert_eq!(acme.names, ["Acme Trading LLC", "Acme Export"]);
        assert_eq!(acme.countries, ["CY"]);
        assert_eq!(acme.programs, ["eu_fsf"]);
        assert_eq!(parties[2].kind, PartyKind::Vessel);
        assert_eq!(parties[2].names, ["SEA STAR", "STAR"]);
        assert_eq!(parties[3].names, ["Anna Smirnova"]);
        assert_eq!(parties[3].birth_years, [1970]);
    }

    #[test]
    fn a_bad_line_is_named() {
        let error =
            parse("{\"id\": \"x\", \"schema\": \"Person\"}\nnot json\n".as_bytes()).unwrap_err();
        assert!(error.to_string().starts_with("line 2:"), "{error}");
        assert!(parse("".as_bytes()).is_err());
    }
}
