//! API keys made and changed through the API (`/api-keys`, Persona's operations): no key
//! can grant what its maker does not hold; the secret is shown once and only its hash kept.

use vigil_store::{ApiKey, WriteTx};

use super::{record, Acting, Input, Outcome, Refusal};
use crate::setup::{make_key, KeyOptions, SetupError};

/// What the event log keeps of a key: never its secret or the secret's hash.
#[derive(serde::Serialize)]
pub struct KeySnapshot {
    pub id: String,
    pub name: String,
    pub permissions: Vec<String>,
    pub expires_at: Option<i64>,
}

impl KeySnapshot {
    fn of(key: &ApiKey) -> KeySnapshot {
        KeySnapshot {
            id: key.id.clone(),
            name: key.name.clone(),
            permissions: key.permissions.clone(),
            expires_at: key.expires_at,
        }
    }
}

impl super::Subject for KeySnapshot {
    const TYPE: &'static str = "api-key";
    fn subject_id(&self) -> &str {
        &self.id
    }
}

/// What a request asks a key to be.
pub struct KeyRequest {
    pub name: Option<String>,
    pub note: Option<Option<String>>,
    pub permissions: Option<Vec<String>>,
    pub api_version: Option<String>,
    pub key_inflection: Option<String>,
}

/// Refuse permissions the maker does not hold (a key cannot make a stronger key).
fn within(granted: &[String], holder: &[String]) -> Outcome<()> {
    match granted.iter().find(|p| !holder.contains(p)) {
        Some(missing) => Err(Refusal::invalid(
            Input::named("permissions"),
            format!("grants `{missing}`, which you do not hold yourself"),
        )),
        None => Ok(()),
    }
}

fn setup_refusal(error: SetupError) -> Refusal {
    match error {
        SetupError::Store(store) => Refusal::Store(store),
        other => Refusal::invalid(Input::named("attributes"), other.to_string()),
    }
}

/// A new key in the acting environment; its secret, once. `holder`: the maker's
/// permissions (the new key's default).
pub fn create(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    env_name: &str,
    holder: &[String],
    request: KeyRequest,
) -> Outcome<(ApiKey, String)> {
    let permissions = request.permissions.unwrap_or_else(|| holder.to_vec());
    within(&permissions, holder)?;
    let options = KeyOptions {
        name: Some(request.name.unwrap_or_else(|| "API key".into())),
        permissions: Some(permissions),
        api_version: request.api_version,
        key_inflection: request.key_inflection,
    };
    let made = make_key(tx, env_name, &options, acting.now).map_err(setup_refusal)?;
    let mut key = made.key;
    if let Some(note) = request.note.flatten() {
        key.note = Some(note);
        tx.update_api_key(&key)?;
    }
    record(tx, acting, "api-key.created", &KeySnapshot::of(&key), None)?;
    Ok((key, made.secret))
}

fn load(tx: &mut dyn WriteTx, acting: &Acting, id: &str) -> Outcome<ApiKey> {
    tx.api_key(&acting.env, id)?
        .ok_or_else(|| Refusal::NotFound(format!("API key `{id}` is not found")))
}

/// Change a key's name, note, permissions or defaults.
pub fn update(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    holder: &[String],
    id: &str,
    request: KeyRequest,
) -> Outcome<ApiKey> {
    let mut key = load(tx, acting, id)?;
    if let Some(name) = request.name {
        key.name = name;
    }
    if let Some(note) = request.note {
        key.note = note;
    }
    if let Some(permissions) = request.permissions {
        within(&permissions, holder)?;
        key.permissions = permissions;
    }
    if let Some(version) = request.api_version {
        key.api_version = version;
    }
    if let Some(inflection) = request.key_inflection {
        key.key_inflection = inflection;
    }
    tx.update_api_key(&key)?;
    record(tx, acting, "api-key.updated", &KeySnapshot::of(&key), None)?;
    Ok(key)
}

/// The key stops working `seconds` from now (0: at once).
pub fn expire(tx: &mut dyn WriteTx, acting: &Acting, id: &str, seconds: i64) -> Outcome<ApiKey> {
    let mut key = load(tx, acting, id)?;
    let at = acting.now + seconds * 1000;
    key.expires_at = Some(key.expires_at.map_or(at, |earlier| earlier.min(at)));
    tx.update_api_key(&key)?;
    let context = serde_json::json!({"expires-in-seconds": seconds});
    record(
        tx,
        acting,
        "api-key.expired",
        &KeySnapshot::of(&key),
        Some(context),
    )?;
    Ok(key)
}
