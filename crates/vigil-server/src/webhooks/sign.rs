//! Persona's webhook signature: `Persona-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
//! "<t>.<raw body>">`, one `t=..,v1=..` pair per active secret, separated by a space, so a
//! receiver verifies with either secret while one is being rotated out.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The hex HMAC-SHA256 of `"<t>.<body>"` under `secret`.
pub fn digest(secret: &str, t: i64, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// The `Persona-Signature` header value for `body` at `t` under every secret given.
pub fn header(secrets: &[&str], t: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .map(|secret| format!("t={t},v1={}", digest(secret, t, body)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `header` (one `t=..,v1=..` pair per secret, space-separated) signs `body` under
/// `secret`: any of its pairs does, compared in constant time. What a receiver checks.
pub fn verifies(secret: &str, header: &str, body: &[u8]) -> bool {
    header.split_whitespace().any(|pair| {
        let mut t = None;
        let mut v1 = None;
        for part in pair.split(',') {
            match part.split_once('=') {
                Some(("t", value)) => t = Some(value),
                Some(("v1", value)) => v1 = Some(value),
                _ => {}
            }
        }
        let (Some(t), Some(Ok(signature))) = (t, v1.map(hex::decode)) else {
            return false;
        };
        let mut mac =
            Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
        mac.update(t.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.verify_slice(&signature).is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_as_persona_documents_and_once_per_secret() {
        // Computed independently with Python's hmac module.
        assert_eq!(
            digest("key", 1, b"{}"),
            "1ba6b8171186efc613e8bcc0cbdab2748f24984d7c5a84faa2637afa0e40d224"
        );
        assert_eq!(
            digest("wbhsec_test", 1_700_000_000, br#"{"a":1}"#),
            "5125d9de9279d564db197b70a6c699dd005beb53dc22371dcaf347ac390940d7"
        );
        let one = header(&["a"], 7, b"body");
        assert!(one.starts_with("t=7,v1=") && !one.contains(' '));
        let two = header(&["a", "b"], 7, b"body");
        let pairs: Vec<&str> = two.split(' ').collect();
        assert_eq!(pairs.len(), 2);
        assert_eq!(pairs[0], one);
        assert_ne!(pairs[0], pairs[1]);
    }

    #[test]
    fn a_receiver_verifies_any_pair_and_nothing_else() {
        let two = header(&["a", "b"], 7, b"body");
        assert!(verifies("a", &two, b"body") && verifies("b", &two, b"body"));
        assert!(!verifies("c", &two, b"body"));
        assert!(!verifies("a", &two, b"other body"));
        assert!(!verifies("a", "t=7,v1=zz", b"body"));
        assert!(!verifies("a", "", b"body"));
    }
}
