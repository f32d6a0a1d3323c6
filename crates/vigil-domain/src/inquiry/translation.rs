//! An inquiry template's translations (Persona's `inquiry-template-translations`): rows
//! naming a piece of text the flow shows (a step, a component of it, an attribute of that)
//! and its value per locale. vigil's flow reads a field's label (step `details`, component
//! the field's key, attribute `label`); other rows are kept and listed as imported.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::FieldError;

/// One translated piece of text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translation {
    pub step: String,
    pub step_display_name: Option<String>,
    pub component: String,
    pub attribute: String,
    /// Locale (`es-MX`) and its text, in the order given.
    pub values: Vec<(String, String)>,
}

impl Translation {
    fn same_text(&self, other: &Translation) -> bool {
        self.step == other.step
            && self.component == other.component
            && self.attribute == other.attribute
    }

    /// The (locale, text) for `language` (`es-MX`): that locale, else one of its language
    /// (`es`, `es-ES`), else none.
    pub fn value_for(&self, language: &str) -> Option<&(String, String)> {
        let primary = |l: &str| {
            l.split(['-', '_'])
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase()
        };
        let wanted = primary(language);
        self.values
            .iter()
            .find(|(locale, _)| locale.eq_ignore_ascii_case(language))
            .or_else(|| {
                self.values
                    .iter()
                    .find(|(locale, _)| primary(locale) == wanted)
            })
    }
}

const MAX_ROWS: usize = 500;

fn text(
    map: &serde_json::Map<String, Value>,
    name: &str,
    at: &str,
    max: usize,
) -> Result<Option<String>, FieldError> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= max => {
            Ok(Some(s.trim().to_string()))
        }
        Some(Value::String(_)) => Err(FieldError::invalid(
            format!("{at}/{name}"),
            format!("must be 1 to {max} characters"),
        )),
        Some(_) => Err(FieldError::bad_type(
            format!("{at}/{name}"),
            "must be a string",
        )),
    }
}

fn required(
    map: &serde_json::Map<String, Value>,
    name: &str,
    at: &str,
) -> Result<String, FieldError> {
    text(map, name, at, 100)?
        .ok_or_else(|| FieldError::bad_type(format!("{at}/{name}"), "is missing"))
}

/// Whether `locale` reads as a language tag (`en`, `es-MX`, `zh-Hant-TW`).
pub fn is_locale(locale: &str) -> bool {
    let mut parts = locale.split('-');
    let first = parts.next().unwrap_or_default();
    (2..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Parse the `translations` of an import: `[{step, step-display-name?, component,
/// attribute-name, locale-values: [{locale, value}]}]`; a `null` value removes that
/// locale's text.
pub fn parse(value: &Value, pointer: &str) -> Result<Vec<(Translation, Vec<String>)>, FieldError> {
    let Value::Array(rows) = value else {
        return Err(FieldError::bad_type(
            pointer,
            "must be an array of translations",
        ));
    };
    if rows.len() > MAX_ROWS {
        return Err(FieldError::invalid(
            pointer,
            format!("may hold at most {MAX_ROWS} rows"),
        ));
    }
    let mut out = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        let at = format!("{pointer}/{index}");
        let Value::Object(map) = row else {
            return Err(FieldError::bad_type(at, "must be an object"));
        };
        if let Some(unknown) = map.keys().find(|k| {
            ![
                "step",
                "step-display-name",
                "component",
                "attribute-name",
                "locale-values",
            ]
            .contains(&k.as_str())
        }) {
            return Err(FieldError::invalid(
                format!("{at}/{unknown}"),
                "is not a part of a translation (step, step-display-name, component, attribute-name, locale-values)",
            ));
        }
        let mut translation = Translation {
            step: required(map, "step", &at)?,
            step_display_name: text(map, "step-display-name", &at, 255)?,
            component: required(map, "component", &at)?,
            attribute: required(map, "attribute-name", &at)?,
            values: Vec::new(),
        };
        let mut removed = Vec::new();
        let Some(Value::Array(values)) = map.get("locale-values") else {
            return Err(FieldError::bad_type(
                format!("{at}/locale-values"),
                "must be an array of {locale, value}",
            ));
        };
        for (i, item) in values.iter().enumerate() {
            let at = format!("{at}/locale-values/{i}");
            let Value::Object(pair) = item else {
                return Err(FieldError::bad_type(at, "must be an object"));
            };
            let locale = required(pair, "locale", &at)?;
            if !is_locale(&locale) {
                return Err(FieldError::invalid(
                    format!("{at}/locale"),
                    "must be a language tag such as en-US or es",
                ));
            }
            match pair.get("value") {
                Some(Value::Null) => removed.push(locale),
                _ => {
                    let value = text(pair, "value", &at, 2000)?
                        .ok_or_else(|| FieldError::bad_type(format!("{at}/value"), "is missing"))?;
                    translation
                        .values
                        .retain(|(l, _)| !l.eq_ignore_ascii_case(&locale));
                    translation.values.push((locale, value));
                }
            }
        }
        out.push((translation, removed));
    }
    Ok(out)
}

/// Merge imported rows into `existing`: a row's locales replace the same locales of the
/// same text, removed ones go, rows not imported stay (Persona's partial import).
pub fn import(existing: &mut Vec<Translation>, imported: Vec<(Translation, Vec<String>)>) {
    for (row, removed) in imported {
        match existing.iter_mut().find(|t| t.same_text(&row)) {
            Some(kept) => {
                if row.step_display_name.is_some() {
                    kept.step_display_name = row.step_display_name;
                }
                kept.values.retain(|(l, _)| {
                    !removed.iter().any(|r| r.eq_ignore_ascii_case(l))
                        && !row.values.iter().any(|(n, _)| n.eq_ignore_ascii_case(l))
                });
                kept.values.extend(row.values);
            }
            None => {
                let mut row = row;
                row.values
                    .retain(|(l, _)| !removed.iter().any(|r| r.eq_ignore_ascii_case(l)));
                existing.push(row);
            }
        }
    }
    existing.retain(|t| !t.values.is_empty());
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn imports_merge_by_locale_and_lookups_fall_back_to_the_language() {
        let mut kept = Vec::new();
        let first = parse(
            &json!([{"step": "details", "component": "employer", "attribute-name": "label",
                "locale-values": [{"locale": "en-US", "value": "Employer"}, {"locale": "es", "value": "Empleador"}]}]),
            "/t",
        )
        .unwrap();
        import(&mut kept, first);
        let second = parse(
            &json!([{"step": "details", "component": "employer", "attribute-name": "label",
                "locale-values": [{"locale": "es", "value": "Empresa"}, {"locale": "en-US", "value": null}]}]),
            "/t",
        )
        .unwrap();
        import(&mut kept, second);
        assert_eq!(kept.len(), 1);
        let text = |language: &str| kept[0].value_for(language).map(|(_, text)| text.as_str());
        assert_eq!(text("es-MX"), Some("Empresa"));
        assert_eq!(text("en"), None);
        for (bad, pointer) in [
            (
                json!([{"step": "s", "component": "c", "attribute-name": "a", "locale-values": [{"locale": "español", "value": "x"}]}]),
                "/t/0/locale-values/0/locale",
            ),
            (
                json!([{"component": "c", "attribute-name": "a", "locale-values": []}]),
                "/t/0/step",
            ),
            (
                json!([{"step": "s", "component": "c", "attribute-name": "a", "locale-values": [], "colour": 1}]),
                "/t/0/colour",
            ),
        ] {
            assert_eq!(parse(&bad, "/t").unwrap_err().pointer, pointer, "{bad}");
        }
    }
}
