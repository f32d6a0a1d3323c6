//! Console users, their sessions, and Persona's user audit log.

use serde_json::{json, Map, Value};
use vigil_domain::time::format_millis;
use vigil_domain::totp::TotpSecret;
use vigil_domain::user::{AuditEntry, SecuritySettings, User, UserSession};

/// Beyond Persona's `user` (which has only the email and name): the role and status.
pub fn user(user: &User, now: i64) -> Value {
    json!({
        "type": "user",
        "id": user.id,
        "attributes": {
            "email-address": user.email,
            "name": user.name,
            "role": user.role.as_str(),
            "permissions": user.role.permissions(),
            "status": user.status(now),
            "two-factor-enabled": user.has_two_factor(),
            "created-at": format_millis(user.created_at),
            "updated-at": format_millis(user.updated_at),
        },
    })
}

/// A user with the link that sets their password, shown once.
pub fn invited(created: &User, now: i64, invitation_url: &str) -> Value {
    let mut doc = json!({ "data": user(created, now) });
    doc["meta"] = json!({ "invitation-url": invitation_url });
    doc
}

/// A session; `token` only in the answer to the sign-in that made it.
pub fn session(
    session: &UserSession,
    owner: &User,
    token: Option<&str>,
    two_factor_setup_required: bool,
    now: i64,
) -> Value {
    let mut attributes = Map::new();
    if let Some(token) = token {
        attributes.insert("token".into(), json!(token));
    }
    attributes.insert(
        "two-factor-setup-required".into(),
        json!(two_factor_setup_required),
    );
    attributes.insert(
        "created-at".into(),
        json!(format_millis(session.created_at)),
    );
    attributes.insert(
        "expires-at".into(),
        json!(format_millis(session.expires_at())),
    );
    json!({
        "data": {
            "type": "user-session",
            "id": session.id,
            "attributes": attributes,
            "relationships": {
                "user": {"data": {"type": "user", "id": owner.id}},
            },
        },
        "included": [user(owner, now)],
    })
}

/// Persona's `user-audit-log`. Request parameters are personal data more often than not:
/// the query's names are kept with their values filtered, the body is not kept.
pub fn audit_entry(entry: &AuditEntry) -> Value {
    let get_params: Map<String, Value> = entry
        .query_names
        .iter()
        .map(|name| (name.clone(), json!("[FILTERED]")))
        .collect();
    let mut relationships = Map::new();
    if let Some(user_id) = &entry.user_id {
        relationships.insert(
            "user".into(),
            json!({"data": {"type": "user", "id": user_id}}),
        );
    }
    if let Some(session_id) = &entry.session_id {
        relationships.insert(
            "user-session".into(),
            json!({"data": {"type": "user-session", "id": session_id}}),
        );
    }
    let mut context = Map::new();
    context.insert("action".into(), json!(entry.action));
    if let Some(environment) = &entry.environment {
        context.insert("environment".into(), json!(environment));
    }
    let mut attributes = Map::new();
    attributes.insert("path".into(), json!(entry.path));
    attributes.insert("method".into(), json!(entry.method));
    attributes.insert("get-params".into(), Value::Object(get_params));
    attributes.insert("post-params".into(), json!("[FILTERED]"));
    if let Some(ip) = &entry.ip_address {
        attributes.insert("ip-address".into(), json!(ip));
    }
    if let Some(agent) = &entry.user_agent {
        attributes.insert("user-agent".into(), json!(agent));
    }
    attributes.insert("response-status".into(), json!(entry.response_status));
    attributes.insert("created-at".into(), json!(format_millis(entry.created_at)));
    attributes.insert("impersonator-email-address".into(), Value::Null);
    attributes.insert("context".into(), Value::Object(context));
    json!({
        "type": "user-audit-log",
        "id": entry.id,
        "attributes": attributes,
        "relationships": relationships,
    })
}

/// A second factor being set up: its secret and `otpauth://` link, shown once.
pub fn two_factor_setup(owner: &User, secret: &TotpSecret, issuer: &str) -> Value {
    json!({
        "data": {
            "type": "two-factor-setup",
            "id": owner.id,
            "attributes": {
                "secret": secret.secret,
                "otpauth-url": secret.otpauth_url(issuer, &owner.email),
                "confirmed": false,
            },
        },
    })
}

/// An organization's security settings.
pub fn security_settings(organization: &str, settings: &SecuritySettings) -> Value {
    json!({
        "data": {
            "type": "user-security-settings",
            "id": organization,
            "attributes": { "require-two-factor": settings.require_two_factor },
        },
    })
}
