//! Persona-style object ids: a type prefix, an underscore and 24 random base58 characters.

use rand::Rng;

const BASE58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Length of the random part, as in Persona's examples (`act_hpNqyAbEG4HeVjZoBRNCMKkA`).
pub const ID_SUFFIX_LEN: usize = 24;

/// Prefixes used by vigil, named after the objects they identify.
pub mod prefix {
    pub const ACCOUNT: &str = "act";
    pub const ACCOUNT_TYPE: &str = "acttp";
    pub const ACCOUNT_STATUS: &str = "actst";
    pub const EVENT: &str = "evt";
    pub const ENVIRONMENT: &str = "env";
    pub const ORGANIZATION: &str = "org";
    pub const API_KEY: &str = "api";
    pub const REQUEST: &str = "req";
}

/// A fresh random id with the given prefix.
pub fn new_id(prefix: &str) -> String {
    random_token(prefix, ID_SUFFIX_LEN)
}

/// `prefix_` followed by `len` random base58 characters (also used for API key secrets).
pub fn random_token(prefix: &str, len: usize) -> String {
    let mut rng = rand::thread_rng();
    let mut out = String::with_capacity(prefix.len() + 1 + len);
    out.push_str(prefix);
    out.push('_');
    for _ in 0..len {
        out.push(BASE58[rng.gen_range(0..BASE58.len())] as char);
    }
    out
}

/// Whether `id` looks like an id of this prefix (used to reject garbage before a lookup).
pub fn has_shape(prefix: &str, id: &str) -> bool {
    id.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|suffix| {
            !suffix.is_empty()
                && suffix.len() <= 64
                && suffix.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_prefix_and_base58_suffix() {
        let id = new_id(prefix::ACCOUNT);
        assert!(id.starts_with("act_"));
        assert_eq!(id.len(), 4 + ID_SUFFIX_LEN);
        assert!(id[4..].bytes().all(|b| BASE58.contains(&b)));
        assert!(has_shape("act", &id));
        assert!(!has_shape("evt", &id));
        assert!(!has_shape("act", "act_"));
        assert!(!has_shape("act", "act_../../etc"));
    }

    #[test]
    fn ids_are_unique() {
        let ids: std::collections::HashSet<_> = (0..10_000).map(|_| new_id("act")).collect();
        assert_eq!(ids.len(), 10_000);
    }
}
