//! `Persona-Version`: which shape of each object to serve.

/// Versions Persona publishes. Up to 2023-01-05 accounts carry flat PII attributes
/// (`name-first`, ...) beside `fields`; from 2025-10-27 only `fields`.
pub const SUPPORTED: &[&str] = &[
    "2025-12-08",
    "2025-10-27",
    "2023-01-05",
    "2022-09-01",
    "2021-08-18",
    "2021-07-05",
    "2021-02-21",
    "2020-05-18",
];

/// The default for keys created without an explicit version.
pub const DEFAULT_VERSION: &str = "2025-12-08";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiVersion(&'static str);

impl ApiVersion {
    pub fn parse(text: &str) -> Option<Self> {
        SUPPORTED
            .iter()
            .find(|v| **v == text.trim())
            .map(|v| ApiVersion(v))
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// Whether objects also carry the flat convenience attributes.
    pub fn has_flat_attributes(self) -> bool {
        // ISO dates compare correctly as strings.
        self.0 <= "2023-01-05"
    }
}

impl Default for ApiVersion {
    fn default() -> Self {
        ApiVersion(DEFAULT_VERSION)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_attributes_by_version() {
        assert!(ApiVersion::parse("2023-01-05")
            .unwrap()
            .has_flat_attributes());
        assert!(ApiVersion::parse("2020-05-18")
            .unwrap()
            .has_flat_attributes());
        assert!(!ApiVersion::parse("2025-12-08")
            .unwrap()
            .has_flat_attributes());
        assert!(ApiVersion::parse("2024-01-01").is_none());
    }
}
