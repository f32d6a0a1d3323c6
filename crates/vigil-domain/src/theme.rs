//! Theme sets (`theset_`, Persona's `theme-set`): the colours, font and logo of the
//! verification flow. Persona's styles tree is sparse and open-ended; vigil takes the cells
//! its flow uses and refuses any other by its path, so nothing is stored that nothing
//! shows.
//!
//! The cells, under `light` and `dark` alike:
//! - `inquiry.primary-color`, `inquiry.background-color`, `inquiry.text-color`,
//!   `inquiry.error-color`: `{"unit": "hex", "value": "#1d4ed8"}`;
//! - `inquiry.font-family`: `{"value": "Inter, sans-serif"}`;
//! - `inquiry.border-radius`: `{"unit": "px", "value": 6}` (0 to 32);
//! - `components.button.primary.base.background-color` and `.text-color` (colours);
//! - `step-assets.logo`: `{"unit": "data-url", "value": "data:image/png;base64,..."}`
//!   (PNG, JPEG or WebP, at most 100 KB: served inline, never fetched from elsewhere).
//!
//! And `settings.use-dark-theme` (boolean), `settings.preferred-theme-variant`
//! (`light` or `dark`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::FieldError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThemeSet {
    pub id: String,
    pub name: String,
    /// `active`, or `archived` (kept, no longer editable).
    pub status: String,
    /// The styles tree as given (only the cells above).
    pub styles: Value,
    pub created_at: i64,
    pub updated_at: i64,
    pub archived_at: Option<i64>,
}

const COLORS: [&str; 4] = [
    "primary-color",
    "background-color",
    "text-color",
    "error-color",
];
const MAX_LOGO: usize = 100 * 1024;

fn object<'a>(value: &'a Value, at: &str) -> Result<&'a Map<String, Value>, FieldError> {
    value
        .as_object()
        .ok_or_else(|| FieldError::bad_type(at, "must be an object"))
}

fn only(map: &Map<String, Value>, allowed: &[&str], at: &str) -> Result<(), FieldError> {
    match map.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(unknown) => Err(FieldError::bad_type(
            format!("{at}/{unknown}"),
            format!(
                "is not a style vigil's flow uses (here: {})",
                allowed.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

/// `{"unit": "hex", "value": "#rrggbb"}` (or `#rgb`).
fn color(value: &Value, at: &str) -> Result<(), FieldError> {
    let cell = object(value, at)?;
    only(cell, &["unit", "value"], at)?;
    if cell.get("unit").is_some_and(|u| u != "hex") {
        return Err(FieldError::invalid(format!("{at}/unit"), "must be hex"));
    }
    let ok = cell.get("value").and_then(Value::as_str).is_some_and(|v| {
        v.strip_prefix('#').is_some_and(|hex| {
            (hex.len() == 6 || hex.len() == 3) && hex.bytes().all(|b| b.is_ascii_hexdigit())
        })
    });
    if !ok {
        return Err(FieldError::invalid(
            format!("{at}/value"),
            "must be a colour such as #1d4ed8",
        ));
    }
    Ok(())
}

fn inquiry_cells(value: &Value, at: &str) -> Result<(), FieldError> {
    let map = object(value, at)?;
    let mut allowed: Vec<&str> = COLORS.to_vec();
    allowed.extend(["font-family", "border-radius"]);
    only(map, &allowed, at)?;
    for name in COLORS {
        if let Some(cell) = map.get(name) {
            color(cell, &format!("{at}/{name}"))?;
        }
    }
    if let Some(cell) = map.get("font-family") {
        let here = format!("{at}/font-family");
        let cell = object(cell, &here)?;
        only(cell, &["value"], &here)?;
        let ok = cell.get("value").and_then(Value::as_str).is_some_and(|v| {
            !v.trim().is_empty()
                && v.len() <= 200
                && v.chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, ' ' | ',' | '-' | '"' | '\''))
        });
        if !ok {
            return Err(FieldError::invalid(
                format!("{here}/value"),
                "must be font names such as Inter, sans-serif",
            ));
        }
    }
    if let Some(cell) = map.get("border-radius") {
        let here = format!("{at}/border-radius");
        let cell = object(cell, &here)?;
        only(cell, &["unit", "value"], &here)?;
        let ok = cell.get("unit").is_none_or(|u| u == "px")
            && cell
                .get("value")
                .and_then(Value::as_f64)
                .is_some_and(|v| (0.0..=32.0).contains(&v));
        if !ok {
            return Err(FieldError::invalid(
                format!("{here}/value"),
                "must be 0 to 32 pixels",
            ));
        }
    }
    Ok(())
}

fn logo(value: &Value, at: &str) -> Result<(), FieldError> {
    let cell = object(value, at)?;
    only(cell, &["unit", "value"], at)?;
    let text = cell
        .get("value")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let image = ["image/png", "image/jpeg", "image/webp"]
        .iter()
        .any(|t| text.starts_with(&format!("data:{t};base64,")));
    let payload = text.split_once(',').map(|(_, p)| p).unwrap_or_default();
    let base64 = payload
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    if cell.get("unit").is_some_and(|u| u != "data-url") || !image || !base64 || payload.is_empty()
    {
        return Err(FieldError::invalid(
            format!("{at}/value"),
            "must be a data URL of a PNG, JPEG or WebP image (data:image/png;base64,...)",
        ));
    }
    if text.len() > MAX_LOGO {
        return Err(FieldError::invalid(
            format!("{at}/value"),
            "must be at most 100 KB",
        ));
    }
    Ok(())
}

fn variant(value: &Value, at: &str) -> Result<(), FieldError> {
    let map = object(value, at)?;
    only(map, &["inquiry", "components", "step-assets"], at)?;
    if let Some(inquiry) = map.get("inquiry") {
        inquiry_cells(inquiry, &format!("{at}/inquiry"))?;
    }
    if let Some(components) = map.get("components") {
        let mut here = format!("{at}/components");
        let mut level = object(components, &here)?;
        for step in ["button", "primary", "base"] {
            only(level, &[step], &here)?;
            let Some(next) = level.get(step) else {
                return Ok(());
            };
            here = format!("{here}/{step}");
            level = object(next, &here)?;
        }
        only(level, &["background-color", "text-color"], &here)?;
        for (name, cell) in level {
            color(cell, &format!("{here}/{name}"))?;
        }
    }
    if let Some(assets) = map.get("step-assets") {
        let here = format!("{at}/step-assets");
        let assets = object(assets, &here)?;
        only(assets, &["logo"], &here)?;
        if let Some(cell) = assets.get("logo") {
            logo(cell, &format!("{here}/logo"))?;
        }
    }
    Ok(())
}

/// Check a `styles` tree (see the module's list of cells).
pub fn check_styles(value: &Value, pointer: &str) -> Result<(), FieldError> {
    let map = object(value, pointer)?;
    only(map, &["settings", "light", "dark"], pointer)?;
    if let Some(settings) = map.get("settings") {
        let at = format!("{pointer}/settings");
        let settings = object(settings, &at)?;
        only(
            settings,
            &["use-dark-theme", "preferred-theme-variant"],
            &at,
        )?;
        if settings
            .get("use-dark-theme")
            .is_some_and(|v| !v.is_boolean())
        {
            return Err(FieldError::bad_type(
                format!("{at}/use-dark-theme"),
                "must be a boolean",
            ));
        }
        if let Some(preferred) = settings.get("preferred-theme-variant") {
            if preferred != "light" && preferred != "dark" {
                return Err(FieldError::invalid(
                    format!("{at}/preferred-theme-variant"),
                    "must be light or dark",
                ));
            }
        }
    }
    for name in ["light", "dark"] {
        if let Some(v) = map.get(name) {
            variant(v, &format!("{pointer}/{name}"))?;
        }
    }
    Ok(())
}

/// `patch` laid over `styles`, cell by cell (a sparse update, as Persona's).
pub fn merge_styles(styles: &mut Value, patch: &Value) {
    match (styles, patch) {
        (Value::Object(into), Value::Object(from)) => {
            for (key, value) in from {
                match into.get_mut(key) {
                    Some(existing) if existing.is_object() && value.is_object() => {
                        merge_styles(existing, value)
                    }
                    _ => {
                        into.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (styles, patch) => *styles = patch.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_known_cells_with_checked_values_are_taken() {
        let good = json!({"settings": {"use-dark-theme": true, "preferred-theme-variant": "light"},
            "light": {"inquiry": {"primary-color": {"unit": "hex", "value": "#111111"}, "font-family": {"value": "Inter, sans-serif"}},
                      "components": {"button": {"primary": {"base": {"background-color": {"unit": "hex", "value": "#222"}}}}},
                      "step-assets": {"logo": {"unit": "data-url", "value": "data:image/png;base64,iVBORw0KGgo="}}},
            "dark": {"inquiry": {"background-color": {"unit": "hex", "value": "#000000"}}}});
        check_styles(&good, "/s").unwrap();
        for (bad, pointer) in [
            (
                json!({"light": {"inquiry": {"primary-color": {"value": "red; x: y"}}}}),
                "/s/light/inquiry/primary-color/value",
            ),
            (
                json!({"light": {"inquiry": {"shadow": {}}}}),
                "/s/light/inquiry/shadow",
            ),
            (
                json!({"light": {"inquiry": {"font-family": {"value": "a;} body{display:none"}}}}),
                "/s/light/inquiry/font-family/value",
            ),
            (
                json!({"light": {"step-assets": {"logo": {"value": "https://evil.example/logo.png"}}}}),
                "/s/light/step-assets/logo/value",
            ),
            (
                json!({"light": {"step-assets": {"logo": {"value": "data:image/svg+xml;base64,PHN2Zz4="}}}}),
                "/s/light/step-assets/logo/value",
            ),
            (
                json!({"settings": {"preferred-theme-variant": "blue"}}),
                "/s/settings/preferred-theme-variant",
            ),
        ] {
            assert_eq!(
                check_styles(&bad, "/s").unwrap_err().pointer,
                pointer,
                "{bad}"
            );
        }
    }

    #[test]
    fn a_patch_changes_only_its_cells() {
        let mut styles = json!({"light": {"inquiry": {"primary-color": {"unit": "hex", "value": "#111111"}, "text-color": {"unit": "hex", "value": "#333333"}}}});
        merge_styles(
            &mut styles,
            &json!({"light": {"inquiry": {"primary-color": {"unit": "hex", "value": "#222222"}}}}),
        );
        assert_eq!(
            styles["light"]["inquiry"]["primary-color"]["value"],
            "#222222"
        );
        assert_eq!(styles["light"]["inquiry"]["text-color"]["value"], "#333333");
    }
}
