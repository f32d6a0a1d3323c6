//! Time-based one-time codes (TOTP, RFC 6238) for console sign-in: six digits, a new one
//! every 30 seconds, HMAC-SHA1 over the step count, as authenticator apps compute them.
//! The HMAC and hash are RustCrypto's; only RFC 4226's truncation is here.

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha1::Sha1;

/// Seconds per code.
pub const STEP_SECONDS: i64 = 30;
/// Codes one step early or late are taken too (clocks drift, people type slowly).
const DRIFT_STEPS: i64 = 1;

/// A user's second factor: the shared secret, whether its first code was confirmed, and
/// the last step a code was accepted for (a code is never taken twice).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpSecret {
    /// Base32 (RFC 4648, no padding), as authenticator apps take it.
    pub secret: String,
    pub confirmed: bool,
    #[serde(default)]
    pub last_step: i64,
}

impl TotpSecret {
    /// A new, unconfirmed secret of 160 random bits (RFC 4226's recommendation).
    pub fn generate() -> TotpSecret {
        let bytes: [u8; 20] = rand::random();
        TotpSecret {
            secret: data_encoding::BASE32_NOPAD.encode(&bytes),
            confirmed: false,
            last_step: 0,
        }
    }

    /// The `otpauth://` link an authenticator app reads (as a QR code or pasted).
    pub fn otpauth_url(&self, issuer: &str, account: &str) -> String {
        let label: String = form_component(&format!("{issuer}:{account}"));
        format!(
            "otpauth://totp/{label}?secret={}&issuer={}&algorithm=SHA1&digits=6&period={STEP_SECONDS}",
            self.secret,
            form_component(issuer)
        )
    }

    /// The step `code` is valid for at `now_ms`, if it is valid and newer than the last
    /// one taken.
    pub fn accepts(&self, code: &str, now_ms: i64) -> Option<i64> {
        let code = code.trim().replace(' ', "");
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let key = data_encoding::BASE32_NOPAD
            .decode(self.secret.as_bytes())
            .ok()?;
        let now_step = now_ms.div_euclid(1000) / STEP_SECONDS;
        (now_step - DRIFT_STEPS..=now_step + DRIFT_STEPS)
            .filter(|step| *step > self.last_step)
            .find(|step| constant_time_eq(&code_at(&key, *step), &code))
    }
}

/// The six-digit code for `step` (RFC 4226 §5.3's dynamic truncation).
pub fn code_at(key: &[u8], step: i64) -> String {
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(&(step as u64).to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    format!("{:06}", binary % 1_000_000)
}

/// The code for `secret` (base32) at `now_ms`: what an authenticator app shows.
pub fn current_code(secret: &str, now_ms: i64) -> Option<String> {
    let key = data_encoding::BASE32_NOPAD.decode(secret.as_bytes()).ok()?;
    Some(code_at(&key, now_ms.div_euclid(1000) / STEP_SECONDS))
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Percent-encode everything but unreserved characters (RFC 3986).
fn form_component(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_rfc_6238_test_vectors() {
        // RFC 6238 Appendix B, SHA-1, its 20-byte ASCII key; the RFC prints 8 digits,
        // whose last six are these.
        let key = b"12345678901234567890";
        for (seconds, eight) in [
            (59_i64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(
                code_at(key, seconds / STEP_SECONDS),
                eight[2..],
                "at {seconds}"
            );
        }
    }

    #[test]
    fn a_code_is_taken_once_within_a_step_of_drift() {
        let mut secret = TotpSecret::generate();
        assert_eq!(secret.secret.len(), 32);
        let now = 1_700_000_000_000;
        let code = current_code(&secret.secret, now).unwrap();
        let step = secret.accepts(&code, now).expect("the current code");
        assert_eq!(
            secret.accepts(&code, now + 30_000),
            Some(step),
            "a step late"
        );
        assert_eq!(
            secret.accepts(&code, now + 90_000),
            None,
            "three steps late"
        );
        secret.last_step = step;
        assert_eq!(secret.accepts(&code, now), None, "never twice");
        assert_eq!(secret.accepts("12345", now), None);
        assert_eq!(secret.accepts("abcdef", now), None);
        let url = secret.otpauth_url("vigil", "rita@example.com");
        assert!(
            url.starts_with("otpauth://totp/vigil%3Arita%40example.com?secret="),
            "{url}"
        );
    }
}
