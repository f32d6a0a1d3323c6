//! Inquiry sessions (`iqse_`): one per visit of the person to an inquiry. vigil has no
//! hosted flow, so a session is what an operator's own front end (or a one-time link)
//! holds: its token and link code are stored only as hashes.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    New,
    Active,
    Expired,
}

impl SessionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::New => "new",
            SessionStatus::Active => "active",
            SessionStatus::Expired => "expired",
        }
    }

    pub fn parse(name: &str) -> Option<SessionStatus> {
        [
            SessionStatus::New,
            SessionStatus::Active,
            SessionStatus::Expired,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InquirySession {
    pub id: String,
    pub inquiry_id: String,
    pub status: SessionStatus,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub expired_at: Option<i64>,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    /// SHA-256 of the session token handed out by `resume`, if any.
    pub token_hash: Option<String>,
    /// SHA-256 of the one-time link's code, and when the link stops working.
    pub link_code_hash: Option<String>,
    pub link_expires_at: Option<i64>,
    /// The device the person used (`dev_`), when the flow could tell.
    #[serde(default)]
    pub device_id: Option<String>,
}

/// The browser a person verified from (Persona's `device`, `dev_`): the flow's
/// fingerprint of it, a hash of what the browser says about itself (never the values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub id: String,
    pub inquiry_id: String,
    pub session_id: String,
    pub browser_fingerprint: Option<String>,
    pub created_at: i64,
    #[serde(default)]
    pub redacted_at: Option<i64>,
}

impl Device {
    /// Forget the fingerprint (redaction of its inquiry).
    pub fn redact(&mut self, now: i64) {
        self.browser_fingerprint = None;
        self.redacted_at = Some(now);
    }
}

/// Check a fingerprint the flow sends: 16 to 128 hexadecimal digits, lowercased.
pub fn parse_fingerprint(text: &str) -> Option<String> {
    let text = text.trim();
    ((16..=128).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| text.to_ascii_lowercase())
}

impl InquirySession {
    pub fn new(id: String, inquiry_id: String, now: i64) -> InquirySession {
        InquirySession {
            id,
            inquiry_id,
            status: SessionStatus::New,
            created_at: now,
            started_at: None,
            expired_at: None,
            ip_address: None,
            user_agent: None,
            token_hash: None,
            link_code_hash: None,
            link_expires_at: None,
            device_id: None,
        }
    }

    /// The person arrived: new → active. Returns whether it changed.
    pub fn start(&mut self, now: i64) -> bool {
        if self.status != SessionStatus::New {
            return false;
        }
        self.status = SessionStatus::Active;
        self.started_at = Some(now);
        true
    }

    /// Expire it (no-op when already expired); its token and link stop working.
    pub fn expire(&mut self, now: i64) -> bool {
        if self.status == SessionStatus::Expired {
            return false;
        }
        self.status = SessionStatus::Expired;
        self.expired_at = Some(now);
        true
    }

    /// Forget the device data (redaction of its inquiry).
    pub fn redact(&mut self) {
        self.ip_address = None;
        self.user_agent = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_hex_digests_only() {
        assert_eq!(
            parse_fingerprint(" 0123456789ABCDEF0123 ").as_deref(),
            Some("0123456789abcdef0123")
        );
        assert!(parse_fingerprint("short").is_none());
        assert!(parse_fingerprint("zzzzzzzzzzzzzzzzzzzz").is_none());
    }

    #[test]
    fn a_session_starts_once_and_expires_once() {
        let mut s = InquirySession::new("iqse_a".into(), "inq_a".into(), 0);
        assert!(s.start(1));
        assert!(!s.start(2));
        assert_eq!(s.started_at, Some(1));
        assert!(s.expire(3));
        assert!(!s.expire(4));
        assert_eq!(s.expired_at, Some(3));
        assert!(!s.start(5));
    }
}
