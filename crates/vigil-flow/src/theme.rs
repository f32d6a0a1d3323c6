//! A theme set's look as the flow's stylesheet reads it: CSS custom properties on
//! `:root` (and for dark mode), from the theme set the API serves the flow. The API
//! checked every value; each is checked again here before it reaches CSS, so a stored
//! value can never end a rule or open another.

use serde_json::Value;

fn colour(value: &Value) -> Option<&str> {
    let text = value.as_str()?;
    let hex = text.strip_prefix('#')?;
    ((hex.len() == 6 || hex.len() == 3) && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then_some(text)
}

fn font(value: &Value) -> Option<&str> {
    let text = value.as_str()?;
    (!text.trim().is_empty()
        && text.len() <= 200
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | ',' | '-' | '"' | '\'')))
    .then_some(text)
}

fn logo(value: &Value) -> Option<&str> {
    let text = value.as_str()?;
    let (head, payload) = text.split_once(',')?;
    ([
        "data:image/png;base64",
        "data:image/jpeg;base64",
        "data:image/webp;base64",
    ]
    .contains(&head)
        && payload
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')))
    .then_some(text)
}

/// The declarations of one variant (`light` or `dark`).
fn declarations(variant: &Value) -> String {
    let cell = |path: &[&str]| {
        let mut at = variant;
        for part in path {
            at = &at[*part];
        }
        &at["value"]
    };
    let mut out = String::new();
    let button = |name: &str| cell(&["components", "button", "primary", "base", name]);
    let colours = [
        ("accent", cell(&["inquiry", "primary-color"])),
        ("accent", button("background-color")),
        ("accent-ink", button("text-color")),
        ("paper", cell(&["inquiry", "background-color"])),
        ("ink", cell(&["inquiry", "text-color"])),
        ("error", cell(&["inquiry", "error-color"])),
    ];
    for (name, value) in colours {
        if let Some(c) = colour(value) {
            out.push_str(&format!("--{name}: {c}; "));
        }
    }
    if let Some(radius) = cell(&["inquiry", "border-radius"])
        .as_f64()
        .filter(|r| (0.0..=32.0).contains(r))
    {
        out.push_str(&format!("--radius: {radius}px; "));
    }
    if let Some(family) = font(cell(&["inquiry", "font-family"])) {
        out.push_str(&format!("font-family: {family}; "));
    }
    if let Some(image) = logo(cell(&["step-assets", "logo"])) {
        out.push_str(&format!(
            "--logo: url(\"{image}\"); --logo-display: inline-block; "
        ));
    }
    out
}

/// The stylesheet of a theme set's `styles` (as the API renders them: kebab-case).
pub fn css(styles: &Value) -> String {
    let mut css = format!(":root {{ {}}}\n", declarations(&styles["light"]));
    if styles["settings"]["use-dark-theme"] == true && styles["dark"].is_object() {
        css.push_str(&format!(
            "@media (prefers-color-scheme: dark) {{ :root {{ {}}} }}\n",
            declarations(&styles["dark"])
        ));
    }
    css
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn checked_values_become_properties_and_nothing_else_gets_in() {
        let styles = json!({"settings": {"use-dark-theme": true},
            "light": {"inquiry": {"primary-color": {"value": "#111111"}, "font-family": {"value": "Inter, sans-serif"},
                                  "text-color": {"value": "red; } body { display: none"}},
                      "components": {"button": {"primary": {"base": {"background-color": {"value": "#222"}}}}}},
            "dark": {"inquiry": {"background-color": {"value": "#000000"}}}});
        let css = css(&styles);
        assert!(css.contains("--accent: #222;"), "{css}");
        assert!(css.contains("font-family: Inter, sans-serif;"));
        assert!(!css.contains("display: none"));
        assert!(css.contains("prefers-color-scheme: dark") && css.contains("--paper: #000000;"));
    }
}
