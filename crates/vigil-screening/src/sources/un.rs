//! The UN Security Council consolidated list, in its XML format.

use std::io::BufRead;

use quick_xml::events::Event;

use super::{years_in, Party, PartyKind, SourceError};
use crate::values::country;

/// Parse `<CONSOLIDATED_LIST>` into parties: individuals, then entities, in file order.
pub fn parse(reader: impl BufRead) -> Result<Vec<Party>, SourceError> {
    let mut xml = quick_xml::Reader::from_reader(reader);
    xml.config_mut().trim_text(true);
    let mut buf = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut parties = Vec::new();
    let mut current: Option<Party> = None;
    let mut name_parts: Vec<String> = Vec::new();
    let mut text = String::new();
    loop {
        let event = xml
            .read_event_into(&mut buf)
            .map_err(|e| SourceError::Xml {
                position: xml.buffer_position(),
                message: e.to_string(),
            })?;
        match event {
            Event::Start(start) => {
                let tag = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                if tag == "INDIVIDUAL" || tag == "ENTITY" {
                    let kind = if tag == "INDIVIDUAL" {
                        PartyKind::Individual
                    } else {
                        PartyKind::Entity
                    };
                    current = Some(Party {
                        source_id: String::new(),
                        kind,
                        names: Vec::new(),
                        programs: Vec::new(),
                        countries: Vec::new(),
                        birth_years: Vec::new(),
                    });
                    name_parts.clear();
                }
                path.push(tag);
                text.clear();
            }
            Event::Text(part) => {
                let part = part.decode().map_err(|e| SourceError::Xml {
                    position: xml.buffer_position(),
                    message: e.to_string(),
                })?;
                text.push_str(&part);
            }
            // `&#233;` and `&amp;` arrive as their own events between pieces of text.
            Event::GeneralRef(reference) => {
                if let Ok(Some(c)) = reference.resolve_char_ref() {
                    text.push(c);
                } else if let Some(s) = std::str::from_utf8(&reference)
                    .ok()
                    .and_then(quick_xml::escape::resolve_predefined_entity)
                {
                    text.push_str(s);
                }
            }
            Event::End(_) => {
                let value = std::mem::take(&mut text);
                let value = value.trim();
                if let (Some(party), false) = (current.as_mut(), value.is_empty()) {
                    let tag = path.last().map(String::as_str).unwrap_or("");
                    let parent = path
                        .len()
                        .checked_sub(2)
                        .map(|i| path[i].as_str())
                        .unwrap_or("");
                    take_value(party, &mut name_parts, parent, tag, value);
                }
                let tag = path.pop().unwrap_or_default();
                if tag == "INDIVIDUAL" || tag == "ENTITY" {
                    if let Some(mut party) = current.take() {
                        if !name_parts.is_empty() {
                            party.names.insert(0, name_parts.join(" "));
                        }
                        if !party.source_id.is_empty() && !party.names.is_empty() {
                            parties.push(party);
                        }
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if parties.is_empty() {
        return Err(SourceError::Empty(
            "the file holds no INDIVIDUAL or ENTITY".into(),
        ));
    }
    Ok(parties)
}

/// File one element's text into the party being read.
fn take_value(
    party: &mut Party,
    name_parts: &mut Vec<String>,
    parent: &str,
    tag: &str,
    text: &str,
) {
    let text = text.to_owned();
    match (parent, tag) {
        (_, "DATAID") => party.source_id = text,
        (_, "FIRST_NAME" | "SECOND_NAME" | "THIRD_NAME" | "FOURTH_NAME") => name_parts.push(text),
        ("INDIVIDUAL_ALIAS" | "ENTITY_ALIAS", "ALIAS_NAME") => party.names.push(text),
        // The name as written in its own script (Arabic, Cyrillic...): screened too, so a
        // query in that script meets it in it.
        (_, "NAME_ORIGINAL_SCRIPT") if !text.trim().is_empty() => party.names.push(text),
        (_, "UN_LIST_TYPE") => party.programs.push(text),
        ("NATIONALITY", "VALUE") | ("INDIVIDUAL_ADDRESS" | "ENTITY_ADDRESS", "COUNTRY") => {
            if let Some(code) = country::code_of(&text) {
                if !party.countries.iter().any(|c| c == code) {
                    party.countries.push(code.to_owned());
                }
            }
        }
        ("INDIVIDUAL_DATE_OF_BIRTH", "YEAR" | "DATE" | "FROM_YEAR" | "TO_YEAR") => {
            for year in years_in(&text) {
                if !party.birth_years.contains(&year) {
                    party.birth_years.push(year);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_individuals_and_entities() {
        let xml = r#"<?xml version="1.0"?><CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>
            <DATAID>6907993</DATAID><FIRST_NAME>ERIC</FIRST_NAME><SECOND_NAME>BADEGE</SECOND_NAME>
            <UN_LIST_TYPE>DRC</UN_LIST_TYPE><NAME_ORIGINAL_SCRIPT>Эрик Бадеге</NAME_ORIGINAL_SCRIPT><NATIONALITY><VALUE>Democratic Republic of the Congo</VALUE></NATIONALITY>
            <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Eric Badeg&#233;</ALIAS_NAME></INDIVIDUAL_ALIAS>
            <INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>
            <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><YEAR>1971</YEAR></INDIVIDUAL_DATE_OF_BIRTH>
            </INDIVIDUAL></INDIVIDUALS><ENTITIES><ENTITY><DATAID>1</DATAID><FIRST_NAME>AL-QAIDA</FIRST_NAME>
            <ENTITY_ALIAS><ALIAS_NAME>The Base</ALIAS_NAME></ENTITY_ALIAS>
            <ENTITY_ADDRESS><COUNTRY>Afghanistan</COUNTRY></ENTITY_ADDRESS></ENTITY></ENTITIES></CONSOLIDATED_LIST>"#;
        let parties = parse(xml.as_bytes()).unwrap();
        assert_eq!(parties.len(), 2);
        assert_eq!(
            parties[0].names,
            ["ERIC BADEGE", "Эрик Бадеге", "Eric Badegé"]
        );
        assert_eq!(parties[0].countries, ["CD"]);
        assert_eq!(parties[0].birth_years, [1971]);
        assert_eq!(parties[0].programs, ["DRC"]);
        assert_eq!(parties[1].kind, PartyKind::Entity);
        assert_eq!(parties[1].names, ["AL-QAIDA", "The Base"]);
        assert_eq!(parties[1].countries, ["AF"]);
    }

    #[test]
    fn broken_xml_is_an_error() {
        assert!(parse(&b"<CONSOLIDATED_LIST><INDIVIDUAL></ENTITY>"[..]).is_err());
        assert!(parse(&b"<CONSOLIDATED_LIST/>"[..]).is_err());
    }
}
