//! Console users: invite, accept an invitation, sign in and out, change or reset a
//! password, change a role, disable; and the user audit log.
//!
//! Hashing a password is deliberately slow (argon2id), so it never runs inside a write
//! transaction (which would hold up every other write): callers hash or verify first, with
//! [`hash_password`] / [`verify_password`] on a blocking thread, and hand the result in.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use vigil_domain::actor::Actor;
use vigil_domain::ids::{self, prefix};
use vigil_domain::totp::TotpSecret;
use vigil_domain::user::{
    self, AuditEntry, Invitation, Role, SecuritySettings, User, UserSession, INVITATION_LIFETIME_MS,
};
use vigil_store::WriteTx;

use super::{Input, Outcome, Refusal};
use crate::credentials::hash_secret;

/// The argon2id PHC string of a password (with a fresh salt).
pub fn hash_password(password: &str) -> Outcome<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| Refusal::Internal(format!("hashing a password: {e}")))
}

/// A hash of a random password nobody knows, verified when an email is unknown so that a
/// wrong email takes as long as a wrong password.
fn nobody_s_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&ids::random_token("nobody", 32)).unwrap_or_default())
}

/// Whether `password` is the one `phc` was made from (`None`: nobody's password).
pub fn verify_password(phc: Option<&str>, password: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc.unwrap_or(nobody_s_hash())) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
        && phc.is_some()
}

/// A user and a secret to hand over once (an invitation link's token, a session token).
pub struct Issued<T> {
    pub value: T,
    pub token: String,
}

fn new_invitation(now: i64) -> (Invitation, String) {
    let token = ids::random_token(prefix::INVITATION, 40);
    (
        Invitation {
            token_hash: hash_secret(&token),
            expires_at: now + INVITATION_LIFETIME_MS,
        },
        token,
    )
}

/// What an admin asks for when inviting someone.
pub struct NewUser {
    pub email: String,
    pub name: Option<String>,
    pub role: Role,
}

/// Invite a person: the user exists from now on and the token (for the invitation link)
/// lets them choose a password.
pub fn invite(
    tx: &mut dyn WriteTx,
    organization: &str,
    now: i64,
    new: NewUser,
) -> Outcome<Issued<User>> {
    let email = user::normalize_email("email-address", &new.email)?;
    if tx.user_by_email(&email)?.is_some() {
        return Err(Refusal::Conflict(format!(
            "a user with the email address {email} already exists"
        )));
    }
    let (invitation, token) = new_invitation(now);
    let created = User {
        id: ids::new_id(prefix::USER),
        organization_id: organization.to_string(),
        email,
        name: clean_name(new.name)?,
        role: new.role,
        password_hash: None,
        invitation: Some(invitation),
        failed_sign_ins: 0,
        locked_until: None,
        disabled: false,
        totp: None,
        created_at: now,
        updated_at: now,
    };
    tx.insert_user(&created)?;
    Ok(Issued {
        value: created,
        token,
    })
}

fn clean_name(name: Option<String>) -> Outcome<Option<String>> {
    let name = name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if name.as_ref().is_some_and(|n| n.chars().count() > 200) {
        return Err(Refusal::invalid(
            Input::named("name"),
            "must be at most 200 characters",
        ));
    }
    Ok(name)
}

fn load(tx: &mut dyn WriteTx, organization: &str, id: &str) -> Outcome<User> {
    tx.user(id)?
        .filter(|u| u.organization_id == organization)
        .ok_or_else(|| Refusal::NotFound(format!("user `{id}` is not found")))
}

/// An admin resets a user's password: the old one stops working, every session ends, and
/// a new invitation token lets the person choose another.
pub fn reset_password(
    tx: &mut dyn WriteTx,
    organization: &str,
    now: i64,
    id: &str,
) -> Outcome<Issued<User>> {
    let mut found = load(tx, organization, id)?;
    let (invitation, token) = new_invitation(now);
    found.password_hash = None;
    // A reset is also how a person who lost their authenticator gets back in.
    found.totp = None;
    found.invitation = Some(invitation);
    found.failed_sign_ins = 0;
    found.locked_until = None;
    found.updated_at = now;
    tx.update_user(&found)?;
    tx.end_user_sessions(&found.id, now)?;
    Ok(Issued {
        value: found,
        token,
    })
}

/// What an admin may change about a user.
#[derive(Default)]
pub struct UserChanges {
    pub role: Option<Role>,
    pub name: Option<Option<String>>,
    pub disabled: Option<bool>,
}

/// Change a user's role, name or whether they may sign in. Disabling ends their sessions;
/// an admin cannot take away their own admin role or disable themselves (someone must be
/// left to manage users).
pub fn update(
    tx: &mut dyn WriteTx,
    organization: &str,
    now: i64,
    actor: &Actor,
    id: &str,
    changes: UserChanges,
) -> Outcome<User> {
    let mut found = load(tx, organization, id)?;
    let acting_on_self = matches!(actor, Actor::User { id: me, .. } if *me == found.id);
    if acting_on_self
        && (changes.disabled == Some(true) || changes.role.is_some_and(|r| r != Role::Admin))
    {
        return Err(Refusal::Conflict(
            "you cannot disable yourself or give up your own admin role".into(),
        ));
    }
    if let Some(role) = changes.role {
        found.role = role;
    }
    if let Some(name) = changes.name {
        found.name = clean_name(name)?;
    }
    if let Some(disabled) = changes.disabled {
        found.disabled = disabled;
        if disabled {
            tx.end_user_sessions(&found.id, now)?;
        }
    }
    found.updated_at = now;
    tx.update_user(&found)?;
    Ok(found)
}

/// Accept an invitation (or a reset): `password_hash` becomes the user's password.
/// `password` was checked and hashed by the caller.
pub fn accept_invitation(
    tx: &mut dyn WriteTx,
    now: i64,
    token: &str,
    password_hash: String,
    name: Option<String>,
) -> Outcome<User> {
    let refused = || {
        Refusal::invalid(
            Input::named("token"),
            "is not a valid invitation (it may have been used, replaced or expired)",
        )
    };
    let mut found = tx
        .user_by_invitation(&hash_secret(token))?
        .ok_or_else(refused)?;
    if found.disabled
        || found
            .invitation
            .as_ref()
            .is_none_or(|i| i.expires_at <= now)
    {
        return Err(refused());
    }
    found.password_hash = Some(password_hash);
    found.invitation = None;
    if let Some(name) = clean_name(name)? {
        found.name = Some(name);
    }
    found.updated_at = now;
    tx.update_user(&found)?;
    Ok(found)
}

/// Where a sign-in came from.
#[derive(Clone, Default)]
pub struct Origin {
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
}

/// Why a sign-in failed (the same answer for an unknown email and a wrong password).
#[derive(Debug, PartialEq, Eq)]
pub enum SignInRefused {
    WrongCredentials,
    /// Too many wrong passwords; locked until then.
    Locked {
        until: i64,
    },
    /// The password is right; the user's second factor is needed too.
    TwoFactorNeeded,
    /// The password is right but the two-factor code is not (counted as a failure).
    WrongCode,
}

/// Record a sign-in whose password the caller verified (`verified`) against `user` as
/// read before the transaction: a session when it matched, else one more failure (and a
/// lockout past the free ones). Either way the attempt goes to the audit log.
pub fn sign_in(
    tx: &mut dyn WriteTx,
    now: i64,
    email: &str,
    verified_hash: Option<&str>,
    code: Option<&str>,
    origin: &Origin,
) -> Outcome<Result<Issued<(UserSession, User)>, SignInRefused>> {
    let email = email.trim().to_lowercase();
    let Some(mut found) = tx.user_by_email(&email)? else {
        return Ok(Err(SignInRefused::WrongCredentials));
    };
    let audit =
        |tx: &mut dyn WriteTx, found: &User, action: &str, status: u16, session: Option<&str>| {
            tx.insert_user_audit_entry(&AuditEntry {
                id: ids::new_id(prefix::USER_AUDIT_LOG),
                organization_id: found.organization_id.clone(),
                user_id: Some(found.id.clone()),
                session_id: session.map(str::to_string),
                environment: None,
                method: "POST".into(),
                path: "/api/v1/user-sessions".into(),
                query_names: Vec::new(),
                response_status: status,
                ip_address: origin.ip_address.clone(),
                user_agent: origin.user_agent.clone(),
                created_at: now,
                action: action.into(),
            })
        };
    if let Some(until) = found.locked_until.filter(|until| *until > now) {
        audit(tx, &found, "sign-in-refused-locked", 401, None)?;
        return Ok(Err(SignInRefused::Locked { until }));
    }
    // The password was verified against the hash read before this transaction; a hash
    // changed since (a reset in between) does not count.
    let matched = verified_hash.is_some()
        && verified_hash == found.password_hash.as_deref()
        && !found.disabled;
    // With a second factor, the right password alone asks for the code; a wrong code is
    // a failed sign-in like a wrong password.
    let mut wrong_code = false;
    if let (true, Some(totp)) = (matched, found.totp.as_mut().filter(|t| t.confirmed)) {
        match code.filter(|c| !c.trim().is_empty()) {
            None => {
                audit(tx, &found, "sign-in-two-factor-needed", 401, None)?;
                return Ok(Err(SignInRefused::TwoFactorNeeded));
            }
            Some(code) => match totp.accepts(code, now) {
                Some(step) => totp.last_step = step,
                None => wrong_code = true,
            },
        }
    }
    if !matched || wrong_code {
        found.failed_sign_ins += 1;
        found.locked_until = user::lockout_ms(found.failed_sign_ins).map(|ms| now + ms);
        found.updated_at = now;
        tx.update_user(&found)?;
        audit(tx, &found, "sign-in-failed", 401, None)?;
        return Ok(Err(match found.locked_until {
            Some(until) => SignInRefused::Locked { until },
            None if wrong_code => SignInRefused::WrongCode,
            None => SignInRefused::WrongCredentials,
        }));
    }
    found.failed_sign_ins = 0;
    found.locked_until = None;
    found.updated_at = now;
    tx.update_user(&found)?;
    let token = ids::random_token(prefix::SESSION_TOKEN, 40);
    let session = UserSession {
        id: ids::new_id(prefix::USER_SESSION),
        user_id: found.id.clone(),
        token_hash: hash_secret(&token),
        created_at: now,
        last_seen_at: now,
        ended_at: None,
        ip_address: origin.ip_address.clone(),
        user_agent: origin.user_agent.clone(),
    };
    tx.put_user_session(&session)?;
    audit(tx, &found, "sign-in", 201, Some(&session.id))?;
    Ok(Ok(Issued {
        value: (session, found),
        token,
    }))
}

/// End a session (sign out).
pub fn sign_out(tx: &mut dyn WriteTx, now: i64, session: &UserSession) -> Outcome<()> {
    let mut ended = session.clone();
    ended.ended_at = Some(now);
    tx.put_user_session(&ended)?;
    Ok(())
}

/// Note that a session was used (it stays alive for another idle period).
pub fn touch(tx: &mut dyn WriteTx, now: i64, session: &UserSession) -> Outcome<()> {
    let mut seen = session.clone();
    seen.last_seen_at = now;
    tx.put_user_session(&seen)?;
    Ok(())
}

/// A user changes their own password, having proved the current one (`verified`); the
/// other sessions end.
pub fn change_password(
    tx: &mut dyn WriteTx,
    now: i64,
    session: &UserSession,
    verified_hash: &str,
    new_hash: String,
) -> Outcome<User> {
    let mut found = tx
        .user(&session.user_id)?
        .ok_or_else(|| Refusal::NotFound("the signed-in user is gone".into()))?;
    if found.password_hash.as_deref() != Some(verified_hash) {
        return Err(Refusal::invalid(
            Input::named("current-password"),
            "is not your current password",
        ));
    }
    found.password_hash = Some(new_hash);
    found.updated_at = now;
    tx.update_user(&found)?;
    tx.end_user_sessions(&found.id, now)?;
    // This session stays: the person who changed the password is still here.
    touch(tx, now, session)?;
    Ok(found)
}

fn signed_in_user(tx: &mut dyn WriteTx, session: &UserSession) -> Outcome<User> {
    tx.user(&session.user_id)?
        .ok_or_else(|| Refusal::NotFound("the signed-in user is gone".into()))
}

/// Start setting up a second factor: a new, unconfirmed secret (replacing an unconfirmed
/// one; a confirmed one must be turned off first).
pub fn begin_two_factor(
    tx: &mut dyn WriteTx,
    now: i64,
    session: &UserSession,
) -> Outcome<(User, TotpSecret)> {
    let mut found = signed_in_user(tx, session)?;
    if found.has_two_factor() {
        return Err(Refusal::Conflict(
            "two-factor sign-in is already on; turn it off first to set up another authenticator"
                .into(),
        ));
    }
    let secret = TotpSecret::generate();
    found.totp = Some(secret.clone());
    found.updated_at = now;
    tx.update_user(&found)?;
    Ok((found, secret))
}

/// Confirm the second factor with its first code: from now on signing in takes a code.
pub fn confirm_two_factor(
    tx: &mut dyn WriteTx,
    now: i64,
    session: &UserSession,
    code: &str,
) -> Outcome<User> {
    let mut found = signed_in_user(tx, session)?;
    let Some(totp) = found.totp.as_mut().filter(|t| !t.confirmed) else {
        return Err(Refusal::Conflict(
            "there is no two-factor setup to confirm; start one first".into(),
        ));
    };
    let Some(step) = totp.accepts(code, now) else {
        return Err(Refusal::invalid(
            Input::named("code"),
            "is not the current code of this authenticator (check the device's clock)",
        ));
    };
    totp.last_step = step;
    totp.confirmed = true;
    found.updated_at = now;
    tx.update_user(&found)?;
    Ok(found)
}

/// Turn the second factor off, having proved the password (`verified_hash`); refused
/// while the organization requires it.
pub fn disable_two_factor(
    tx: &mut dyn WriteTx,
    now: i64,
    session: &UserSession,
    verified_hash: &str,
) -> Outcome<User> {
    let mut found = signed_in_user(tx, session)?;
    if found.password_hash.as_deref() != Some(verified_hash) {
        return Err(Refusal::invalid(
            Input::named("password"),
            "is not your password",
        ));
    }
    if tx_requires_two_factor(tx, &found.organization_id)? {
        return Err(Refusal::Conflict(
            "your organization requires two-factor sign-in; it cannot be turned off".into(),
        ));
    }
    found.totp = None;
    found.updated_at = now;
    tx.update_user(&found)?;
    Ok(found)
}

fn tx_requires_two_factor(tx: &mut dyn WriteTx, organization: &str) -> Outcome<bool> {
    Ok(tx.security_settings(organization)?.require_two_factor)
}

/// An admin changes the organization's security settings.
pub fn set_security(
    tx: &mut dyn WriteTx,
    organization: &str,
    settings: &SecuritySettings,
) -> Outcome<()> {
    tx.put_security_settings(organization, settings)?;
    Ok(())
}

/// Record one entry of the user audit log.
pub fn audit(tx: &mut dyn WriteTx, entry: &AuditEntry) -> Outcome<()> {
    tx.insert_user_audit_entry(entry)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(Some(&hash), "correct horse battery"));
        assert!(!verify_password(Some(&hash), "correct horse battery!"));
        assert!(!verify_password(None, "correct horse battery"));
        assert!(!verify_password(Some("not a hash"), "x"));
    }
}
