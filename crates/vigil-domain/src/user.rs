//! People who sign in to the review console: their roles (what each may do, as API
//! permissions), invitations, sign-in lockout and session lifetimes. Hashing passwords and
//! making tokens is the caller's (this crate has no clock and no crypto); the rules here say
//! what is allowed and when.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::permissions::{self, Access, CASE_DECIDE, REPORT_DISMISS};

/// What a console user may do. Each role is a set of API permissions, so the console can do
/// nothing its user could not do through the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Everything, including users, API keys, lists, rules and webhooks.
    Admin,
    /// Investigates and decides: resolves cases, dismisses screening hits.
    Reviewer,
    /// Investigates (comments, assigns, tags, re-runs reports) but does not decide.
    Analyst,
    /// Reads.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Reviewer, Role::Analyst, Role::Viewer];

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Reviewer => "reviewer",
            Role::Analyst => "analyst",
            Role::Viewer => "viewer",
        }
    }

    /// The API permissions of the role.
    pub fn permissions(self) -> Vec<String> {
        // Families a reader sees; API keys and users are for admins only.
        const READ: &[&str] = &[
            "account", "inquiry", "case", "list", "report", "document", "event", "webhook",
        ];
        // What an analyst changes while investigating.
        const INVESTIGATE: &[&str] = &["account", "case", "report"];
        let read = READ
            .iter()
            .map(|f| permissions::permission(f, Access::Read));
        match self {
            Role::Admin => permissions::all(),
            Role::Viewer => read.collect(),
            Role::Analyst | Role::Reviewer => {
                let mut granted: Vec<String> = read
                    .chain(
                        INVESTIGATE
                            .iter()
                            .map(|f| permissions::permission(f, Access::Write)),
                    )
                    .collect();
                if self == Role::Reviewer {
                    granted.extend([CASE_DECIDE.to_string(), REPORT_DISMISS.to_string()]);
                }
                granted
            }
        }
    }
}

/// A console user. Secrets are stored only as hashes (the password as an argon2id PHC
/// string, the invitation token as SHA-256).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub organization_id: String,
    pub email: String,
    #[serde(default)]
    pub name: Option<String>,
    pub role: Role,
    /// None until the invitation is accepted.
    #[serde(default)]
    pub password_hash: Option<String>,
    /// A pending invitation (or password reset): the hash of its token and when it lapses.
    #[serde(default)]
    pub invitation: Option<Invitation>,
    /// Wrong passwords since the last successful sign-in.
    #[serde(default)]
    pub failed_sign_ins: u32,
    #[serde(default)]
    pub locked_until: Option<i64>,
    #[serde(default)]
    pub disabled: bool,
    /// A second factor (TOTP), once set up; confirmed when its first code was.
    #[serde(default)]
    pub totp: Option<crate::totp::TotpSecret>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl User {
    /// Whether signing in takes a code as well as the password.
    pub fn has_two_factor(&self) -> bool {
        self.totp.as_ref().is_some_and(|t| t.confirmed)
    }
}

/// An organization's rules for its console users.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecuritySettings {
    /// Every user signs in with a second factor; one without is only let set it up.
    pub require_two_factor: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub token_hash: String,
    pub expires_at: i64,
}

/// How long an invitation or reset link stays valid.
pub const INVITATION_LIFETIME_MS: i64 = 7 * 24 * 3_600_000;
/// A session ends after this long without a request...
pub const SESSION_IDLE_MS: i64 = 30 * 60_000;
/// ...and after this long in any case.
pub const SESSION_ABSOLUTE_MS: i64 = 12 * 3_600_000;
/// Wrong passwords allowed before the account locks.
pub const FREE_FAILURES: u32 = 5;

/// How long a user stays locked after `failures` wrong passwords in a row: nothing for the
/// first few, then one minute, doubling with each further failure, up to an hour.
pub fn lockout_ms(failures: u32) -> Option<i64> {
    let over = failures.checked_sub(FREE_FAILURES)?;
    Some((60_000i64 << over.min(6)).min(3_600_000))
}

/// The status a person sees for the user.
impl User {
    pub fn status(&self, now: i64) -> &'static str {
        if self.disabled {
            "disabled"
        } else if self.password_hash.is_none() {
            "invited"
        } else if self.locked_until.is_some_and(|until| until > now) {
            "locked"
        } else {
            "active"
        }
    }

    /// The name shown as the actor of what the user does: the name, else the email.
    pub fn display_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.email.clone())
    }
}

/// A signed-in session. The token is given to the client once; only its hash is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSession {
    pub id: String,
    pub user_id: String,
    pub token_hash: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    #[serde(default)]
    pub ended_at: Option<i64>,
    #[serde(default)]
    pub ip_address: Option<String>,
    #[serde(default)]
    pub user_agent: Option<String>,
}

impl UserSession {
    /// Whether the session still signs its user in at `now`.
    pub fn is_live(&self, now: i64) -> bool {
        self.ended_at.is_none()
            && now < self.last_seen_at + SESSION_IDLE_MS
            && now < self.created_at + SESSION_ABSOLUTE_MS
    }

    /// When it lapses unless used again.
    pub fn expires_at(&self) -> i64 {
        (self.last_seen_at + SESSION_IDLE_MS).min(self.created_at + SESSION_ABSOLUTE_MS)
    }
}

/// One entry of the user audit log: a change a console user asked for (through the API, as
/// the console always does), a sign-in, or a failed sign-in. Request bodies are not kept
/// (they hold personal data); the events the request made say what changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: String,
    pub organization_id: String,
    /// None for a failed sign-in with an unknown email.
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub session_id: Option<String>,
    /// The environment the request acted in, when it acted in one.
    #[serde(default)]
    pub environment: Option<String>,
    pub method: String,
    /// The route, with its ids (`/api/v1/cases/case_.../set-status`).
    pub path: String,
    /// The query's parameter names (values are personal data more often than not).
    #[serde(default)]
    pub query_names: Vec<String>,
    pub response_status: u16,
    #[serde(default)]
    pub ip_address: Option<String>,
    #[serde(default)]
    pub user_agent: Option<String>,
    pub created_at: i64,
    /// What kind of action it was, for people: `sign-in`, `sign-in-failed`, `sign-out`,
    /// `decision`, `redaction`, `change`.
    pub action: String,
}

/// A lower-cased, checked email address (`pointer` names the field).
pub fn normalize_email(pointer: &str, email: &str) -> Result<String, FieldError> {
    crate::validate::email_address(email)
        .map(|email| email.to_lowercase())
        .map_err(|message| FieldError::invalid(pointer, message))
}

/// A password must be long enough to resist guessing and short enough to hash cheaply.
pub fn check_password(pointer: &str, password: &str) -> Result<(), FieldError> {
    let length = password.chars().count();
    if length < 12 {
        return Err(FieldError::invalid(
            pointer,
            "must be at least 12 characters",
        ));
    }
    if length > 256 {
        return Err(FieldError::invalid(
            pointer,
            "must be at most 256 characters",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_nest_and_only_reviewers_and_admins_decide() {
        let viewer = Role::Viewer.permissions();
        let analyst = Role::Analyst.permissions();
        let reviewer = Role::Reviewer.permissions();
        let admin = Role::Admin.permissions();
        for (smaller, larger) in [
            (&viewer, &analyst),
            (&analyst, &reviewer),
            (&reviewer, &admin),
        ] {
            assert!(smaller.iter().all(|p| larger.contains(p)), "{smaller:?}");
        }
        assert!(!viewer.iter().any(|p| p.ends_with(".write")));
        for decision in [CASE_DECIDE, REPORT_DISMISS] {
            assert!(!analyst.iter().any(|p| p == decision));
            assert!(reviewer.iter().any(|p| p == decision));
        }
        assert!(analyst.contains(&"case.write".to_string()));
        assert!(!reviewer.contains(&"user.write".to_string()));
        assert!(admin.contains(&"user.write".to_string()));
    }

    #[test]
    fn lockout_starts_after_the_free_failures_and_backs_off_to_an_hour() {
        assert_eq!(lockout_ms(4), None);
        assert_eq!(lockout_ms(5), Some(60_000));
        assert_eq!(lockout_ms(6), Some(120_000));
        assert_eq!(lockout_ms(50), Some(3_600_000));
    }

    #[test]
    fn a_session_ends_when_idle_too_long_or_too_old() {
        let mut session = UserSession {
            id: "uses_1".into(),
            user_id: "user_1".into(),
            token_hash: String::new(),
            created_at: 0,
            last_seen_at: 0,
            ended_at: None,
            ip_address: None,
            user_agent: None,
        };
        assert!(session.is_live(SESSION_IDLE_MS - 1));
        assert!(!session.is_live(SESSION_IDLE_MS));
        session.last_seen_at = SESSION_ABSOLUTE_MS - 1000;
        assert!(!session.is_live(SESSION_ABSOLUTE_MS));
        assert_eq!(session.expires_at(), SESSION_ABSOLUTE_MS);
        session.ended_at = Some(1);
        assert!(!session.is_live(2));
    }

    #[test]
    fn emails_are_lower_cased_and_passwords_need_twelve_characters() {
        assert_eq!(
            normalize_email("email", " Ana@Example.COM ").unwrap(),
            "ana@example.com"
        );
        assert_eq!(
            normalize_email("email", "ana").unwrap_err().pointer,
            "email"
        );
        assert!(check_password("password", "short").is_err());
        assert!(check_password("password", "correct horse battery").is_ok());
    }
}
