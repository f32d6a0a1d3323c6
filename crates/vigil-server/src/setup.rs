//! First start and key management: environments, the default account type, API keys.

use std::sync::Arc;

use vigil_domain::account::{DEFAULT_ACCOUNT_TYPE_NAME, DEFAULT_STATUSES};
use vigil_domain::account_action::ActionKind;
use vigil_domain::ids::{self, prefix};
use vigil_domain::permissions;
use vigil_store::{
    transact, transact_blocking, AccountAction, AccountStatus, AccountType, ApiKey, Environment,
    Store, StoreError, WriteTx,
};

use crate::credentials::hash_secret;
use crate::now_millis;
use crate::protocol::inflection::Inflection;
use crate::protocol::version::{ApiVersion, DEFAULT_VERSION};

pub const ENVIRONMENTS: &[&str] = &["sandbox", "production"];

/// A newly made key: its record and the secret, which is shown once and never stored.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub environment: String,
    pub key: ApiKey,
    pub secret: String,
}

/// Options for a new key.
#[derive(Debug, Clone, Default)]
pub struct KeyOptions {
    pub name: Option<String>,
    /// None: every permission (an admin key).
    pub permissions: Option<Vec<String>>,
    pub api_version: Option<String>,
    pub key_inflection: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Invalid(String),
}

pub(crate) fn make_key(
    tx: &mut dyn WriteTx,
    env_name: &str,
    options: &KeyOptions,
    now: i64,
) -> Result<NewKey, SetupError> {
    let env = tx.environment_by_name(env_name)?.ok_or_else(|| {
        SetupError::Invalid(format!(
            "unknown environment `{env_name}` (known: {})",
            ENVIRONMENTS.join(", ")
        ))
    })?;
    let api_version = options
        .api_version
        .clone()
        .unwrap_or_else(|| DEFAULT_VERSION.to_string());
    if ApiVersion::parse(&api_version).is_none() {
        return Err(SetupError::Invalid(format!(
            "unsupported API version `{api_version}`"
        )));
    }
    let key_inflection = options
        .key_inflection
        .clone()
        .unwrap_or_else(|| "kebab".into());
    if Inflection::parse(&key_inflection).is_none() {
        return Err(SetupError::Invalid(
            "key inflection must be kebab, camel or snake".into(),
        ));
    }
    let secret = ids::random_token(&format!("persona_{env_name}"), 40);
    let key = ApiKey {
        id: ids::new_id(prefix::API_KEY),
        environment_id: env.id.clone(),
        name: options.name.clone().unwrap_or_else(|| {
            if options.permissions.is_none() {
                "admin".into()
            } else {
                "restricted".into()
            }
        }),
        secret_hash: hash_secret(&secret),
        permissions: options.permissions.clone().unwrap_or_else(permissions::all),
        api_version,
        key_inflection,
        created_at: now,
        expires_at: None,
        note: None,
    };
    tx.insert_api_key(&key)?;
    Ok(NewKey {
        environment: env_name.to_string(),
        key,
        secret,
    })
}

/// On an empty database: create the organization, both environments with their default
/// account type, and one admin key each. Returns the keys (to print once), or nothing when
/// the database was already set up. Every start also gives each environment what later
/// versions added to a fresh one (the default inquiry template).
pub fn bootstrap(store: &Arc<dyn Store>) -> Result<Vec<NewKey>, SetupError> {
    let keys = create_environments(store)?;
    let environments = store.environments()?;
    transact_blocking(store, move |tx| -> Result<(), SetupError> {
        for env in &environments {
            crate::use_cases::setup::ensure_defaults(tx, &env.id, now_millis())?;
        }
        Ok(())
    })?;
    Ok(keys)
}

fn create_environments(store: &Arc<dyn Store>) -> Result<Vec<NewKey>, SetupError> {
    transact_blocking(store, |tx| {
        if tx.environment_count()? > 0 {
            return Ok(Vec::new());
        }
        let now = now_millis();
        let organization_id = ids::new_id(prefix::ORGANIZATION);
        tx.insert_organization(&organization_id, now)?;
        let mut keys = Vec::new();
        for name in ENVIRONMENTS {
            let env = Environment {
                id: ids::new_id(prefix::ENVIRONMENT),
                organization_id: organization_id.clone(),
                name: (*name).to_string(),
                created_at: now,
            };
            tx.insert_environment(&env)?;
            tx.insert_account_type(&AccountType {
                id: ids::new_id(prefix::ACCOUNT_TYPE),
                environment_id: env.id.clone(),
                name: DEFAULT_ACCOUNT_TYPE_NAME.into(),
                created_at: now,
                updated_at: now,
                statuses: DEFAULT_STATUSES
                    .iter()
                    .enumerate()
                    .map(|(i, s)| AccountStatus {
                        id: ids::new_id(prefix::ACCOUNT_STATUS),
                        name: (*s).to_string(),
                        is_default: i == 0,
                    })
                    .collect(),
            })?;
            keys.push(make_key(tx, name, &KeyOptions::default(), now)?);
        }
        Ok(keys)
    })
}

/// Make another key for an environment (offline, from the CLI).
pub fn create_key(
    store: &Arc<dyn Store>,
    env_name: &str,
    options: KeyOptions,
) -> Result<NewKey, SetupError> {
    let env_name = env_name.to_string();
    transact_blocking(store, move |tx| {
        make_key(tx, &env_name, &options, now_millis())
    })
}

/// Configure an account action (offline, from the CLI): Persona's dashboard does this;
/// the API only runs them.
pub fn create_account_action(
    store: &Arc<dyn Store>,
    env_name: &str,
    name: &str,
    kind: &str,
) -> Result<AccountAction, SetupError> {
    let kind = ActionKind::parse(kind).ok_or_else(|| {
        let known: Vec<&str> = vigil_domain::account_action::KINDS
            .iter()
            .map(|(n, _)| *n)
            .collect();
        SetupError::Invalid(format!(
            "unknown action kind `{kind}` (known: {})",
            known.join(", ")
        ))
    })?;
    let name = name.trim().to_string();
    if name.is_empty() || name.chars().count() > 255 {
        return Err(SetupError::Invalid(
            "the action name must be 1 to 255 characters".into(),
        ));
    }
    let env_name = env_name.to_string();
    transact_blocking(store, move |tx| {
        let env = tx.environment_by_name(&env_name)?.ok_or_else(|| {
            SetupError::Invalid(format!(
                "unknown environment `{env_name}` (known: {})",
                ENVIRONMENTS.join(", ")
            ))
        })?;
        let action = AccountAction {
            id: ids::new_id(prefix::ACCOUNT_ACTION),
            environment_id: env.id,
            name,
            kind: kind.as_str().to_string(),
            created_at: now_millis(),
        };
        tx.insert_account_action(&action)?;
        Ok(action)
    })
}

/// The environment's account actions, for `vigil actions list`.
pub fn account_actions(
    store: &Arc<dyn Store>,
    env_name: &str,
) -> Result<Vec<AccountAction>, SetupError> {
    let env = store
        .environments()?
        .into_iter()
        .find(|e| e.name == env_name)
        .ok_or_else(|| SetupError::Invalid(format!("unknown environment `{env_name}`")))?;
    Ok(store.account_actions(&env.id)?)
}

/// Forget stored idempotent responses older than 24 hours, hourly.
pub async fn prune_idempotency_keys(store: Arc<dyn Store>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let cutoff = now_millis() - crate::protocol::write::IDEMPOTENCY_TTL_MILLIS;
        let pruned: Result<usize, StoreError> =
            transact(&store, move |tx| tx.prune_stored_responses(cutoff)).await;
        match pruned {
            Ok(n) if n > 0 => tracing::info!(pruned = n, "pruned idempotency keys"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not prune idempotency keys"),
        }
    }
}
