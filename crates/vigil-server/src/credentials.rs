//! How secrets are kept: only their SHA-256. API keys, session tokens, invitation tokens
//! and one-time links are long random strings, so a fast hash is enough (passwords, which
//! people choose, get argon2id in `use_cases::users`).

use sha2::{Digest, Sha256};

/// SHA-256 of a secret, hex: the only form in which secrets are stored.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}
