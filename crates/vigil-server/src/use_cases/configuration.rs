//! What an environment is configured with: account types and their statuses, inquiry
//! templates, case templates and case queues.

use vigil_domain::case::{CaseQueue, CaseTemplate};
use vigil_domain::events;
use vigil_domain::ids::{self, prefix};
use vigil_domain::inquiry::template::FieldSchema;
use vigil_store::{AccountStatus, AccountType, WriteTx};

use super::{record, setup, Acting, Input, Outcome, Refusal};

/// The checked attributes of an account type's create or update.
pub struct TypeChanges {
    pub name: Option<String>,
    pub statuses: Option<Vec<String>>,
    pub default_status: Option<String>,
}

/// Apply `changes` to `account_type`: statuses are added (never removed, accounts may
/// hold them) and the default moves to `default-status`.
fn apply(account_type: &mut AccountType, changes: TypeChanges, now: i64) -> Outcome<()> {
    if let Some(name) = changes.name {
        account_type.name = name;
    }
    if let Some(wanted) = changes.statuses {
        if let Some(dropped) = account_type
            .statuses
            .iter()
            .find(|s| !wanted.contains(&s.name))
        {
            return Err(Refusal::invalid(
                Input::named("statuses"),
                format!(
                    "must keep the existing status `{}`: statuses are never removed, accounts may hold them",
                    dropped.name
                ),
            ));
        }
        for name in wanted {
            if !account_type.statuses.iter().any(|s| s.name == name) {
                account_type.statuses.push(AccountStatus {
                    id: ids::new_id(prefix::ACCOUNT_STATUS),
                    name,
                    is_default: false,
                });
            }
        }
    }
    if let Some(default) = changes.default_status {
        if !account_type.statuses.iter().any(|s| s.name == default) {
            return Err(Refusal::invalid(
                Input::named("default-status"),
                format!("`{default}` is not one of the type's statuses"),
            ));
        }
        for status in &mut account_type.statuses {
            status.is_default = status.name == default;
        }
    }
    account_type.updated_at = now;
    Ok(())
}

fn ensure_name_free(tx: &mut dyn WriteTx, env: &str, name: &str, own: Option<&str>) -> Outcome<()> {
    match tx.account_type_by_name(env, name)? {
        Some(other) if Some(other.id.as_str()) != own => Err(Refusal::Conflict(format!(
            "an account type named `{name}` already exists"
        ))),
        _ => Ok(()),
    }
}

/// A new account type called `name` (`account-type.created`); its first status is the
/// default unless one is named.
pub fn create_account_type(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    name: String,
    mut changes: TypeChanges,
) -> Outcome<AccountType> {
    ensure_name_free(tx, &acting.env, &name, None)?;
    let mut account_type = AccountType {
        id: ids::new_id(prefix::ACCOUNT_TYPE),
        environment_id: acting.env.clone(),
        name,
        created_at: acting.now,
        updated_at: acting.now,
        statuses: Vec::new(),
    };
    let first = changes.statuses.as_ref().and_then(|s| s.first().cloned());
    changes.default_status = changes.default_status.take().or(first);
    apply(&mut account_type, changes, acting.now)?;
    tx.insert_account_type(&account_type)?;
    record(
        tx,
        acting,
        events::ACCOUNT_TYPE_CREATED,
        &account_type,
        None,
    )?;
    Ok(account_type)
}

/// Rename an account type, add statuses, move its default (`account-type.updated`).
pub fn update_account_type(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    id: &str,
    changes: TypeChanges,
) -> Outcome<AccountType> {
    let mut account_type = tx
        .account_type(&acting.env, id)?
        .ok_or_else(|| Refusal::NotFound(format!("account type `{id}` is not found")))?;
    if let Some(name) = &changes.name {
        ensure_name_free(tx, &acting.env, name, Some(id))?;
    }
    apply(&mut account_type, changes, acting.now)?;
    tx.update_account_type(&account_type)?;
    record(
        tx,
        acting,
        events::ACCOUNT_TYPE_UPDATED,
        &account_type,
        None,
    )?;
    Ok(account_type)
}

/// A new inquiry template (`inquiry-template.created`): the standard identity fields
/// unless `schemas` are given.
pub fn create_inquiry_template(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    name: String,
    status: String,
    schemas: Option<Vec<FieldSchema>>,
    embedded_flow_domains: Vec<String>,
) -> Outcome<vigil_domain::inquiry::template::InquiryTemplate> {
    let mut template = setup::default_inquiry_template(acting.now);
    template.name = name;
    template.status = status;
    template.embedded_flow_domains = embedded_flow_domains;
    if let Some(schemas) = schemas {
        template.field_schemas = schemas;
    }
    tx.put(&acting.env, &template)?;
    record(
        tx,
        acting,
        events::INQUIRY_TEMPLATE_CREATED,
        &template,
        None,
    )?;
    Ok(template)
}

type Template = vigil_domain::inquiry::template::InquiryTemplate;

/// Change an inquiry template with `change`; saved, with `inquiry-template.updated`, only
/// when it changed something.
fn change_template(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    id: &str,
    change: impl FnOnce(&mut Template),
) -> Outcome<Template> {
    let mut template = tx
        .get::<Template>(&acting.env, id)?
        .ok_or_else(|| Refusal::NotFound(format!("inquiry template `{id}` is not found")))?;
    let before = template.clone();
    change(&mut template);
    if template != before {
        template.updated_at = acting.now;
        tx.put(&acting.env, &template)?;
        record(
            tx,
            acting,
            events::INQUIRY_TEMPLATE_UPDATED,
            &template,
            None,
        )?;
    }
    Ok(template)
}

/// Change which pages may embed an inquiry template's verification flow.
pub fn set_embedded_flow_domains(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    id: &str,
    domains: Vec<String>,
) -> Outcome<Template> {
    change_template(tx, acting, id, |t| t.embedded_flow_domains = domains)
}

/// Change the steps of an inquiry template's flow after its fields.
pub fn set_verification_steps(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    id: &str,
    changes: &vigil_domain::inquiry::steps::StepChanges,
) -> Outcome<Template> {
    change_template(tx, acting, id, |t| t.steps = changes.apply(&t.steps))
}

/// Import translations of an inquiry template's flow (Persona's partial import).
pub fn import_translations(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    id: &str,
    rows: Vec<(vigil_domain::inquiry::translation::Translation, Vec<String>)>,
) -> Outcome<Template> {
    change_template(tx, acting, id, |t| {
        vigil_domain::inquiry::translation::import(&mut t.translations, rows)
    })
}

/// A new case template with its resolutions (`case-template.created`).
pub fn create_case_template(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    name: String,
    resolutions: Vec<String>,
    schemas: Vec<FieldSchema>,
) -> Outcome<CaseTemplate> {
    let template = CaseTemplate {
        id: ids::new_id(prefix::CASE_TEMPLATE),
        name,
        status: "active".into(),
        resolutions,
        field_schemas: schemas,
        created_at: acting.now,
        updated_at: acting.now,
        second_review: Vec::new(),
    };
    tx.put(&acting.env, &template)?;
    record(tx, acting, events::CASE_TEMPLATE_CREATED, &template, None)?;
    Ok(template)
}

/// Which of a template's resolutions a second reviewer must approve (four eyes), named in
/// any letter case; `case-template.updated`. Cases already waiting keep their proposals.
pub fn set_second_review(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    template_id: &str,
    resolutions: &[String],
) -> Outcome<CaseTemplate> {
    let mut template = tx
        .get::<CaseTemplate>(&acting.env, template_id)?
        .ok_or_else(|| Refusal::NotFound(format!("case template `{template_id}` is not found")))?;
    let named = template
        .resolutions_named(resolutions)
        .map_err(|message| Refusal::invalid(Input::named("resolutions"), message))?;
    if named == template.second_review {
        return Ok(template);
    }
    template.second_review = named;
    template.updated_at = acting.now;
    tx.put(&acting.env, &template)?;
    let context = serde_json::json!({"second-review": template.second_review});
    record(
        tx,
        acting,
        events::CASE_TEMPLATE_UPDATED,
        &template,
        Some(context),
    )?;
    Ok(template)
}

/// A new case queue (`case-queue.created`).
pub fn create_case_queue(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    name: String,
) -> Outcome<CaseQueue> {
    let queue = CaseQueue {
        id: ids::new_id(prefix::CASE_QUEUE),
        name,
        status: "active".into(),
        created_at: acting.now,
        updated_at: acting.now,
    };
    tx.put(&acting.env, &queue)?;
    record(tx, acting, events::CASE_QUEUE_CREATED, &queue, None)?;
    Ok(queue)
}
