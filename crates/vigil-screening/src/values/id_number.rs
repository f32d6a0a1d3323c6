//! Government id numbers: separators and case are not part of the number.

use super::quote;

/// `"ab-123 456"` → `"AB123456"`.
pub fn number(input: &str) -> Result<String, String> {
    let out: String = input
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect();
    if out.is_empty() || out.len() > 64 {
        Err(format!(
            "must be an identification number (letters and digits), got `{}`",
            quote(input)
        ))
    } else {
        Ok(out)
    }
}

/// `" PP "` → `"pp"`; classes are Persona's short codes (`pp` passport, `dl` driver licence...).
pub fn class(input: &str) -> Result<String, String> {
    let out = input.trim().to_ascii_lowercase();
    if out.is_empty()
        || out.len() > 32
        || !out
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        Err(format!(
            "must be an identification class like `pp` or `dl`, got `{}`",
            quote(input)
        ))
    } else {
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_and_case_are_ignored() {
        assert_eq!(number(" ab-123 456 ").unwrap(), "AB123456");
        assert_eq!(number("AB.123.456").unwrap(), number("ab123456").unwrap());
        assert!(number(" - ").is_err());
        assert_eq!(class(" PP ").unwrap(), "pp");
        assert!(class("p p").is_err());
    }
}
