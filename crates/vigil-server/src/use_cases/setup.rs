//! What every environment starts with: an inquiry template with the standard identity
//! fields, a case template with Persona's resolutions, and the default flagging rules.
//! Written at first start, and at every start for environments that lack them.

use vigil_domain::case::{CaseTemplate, DEFAULT_RESOLUTIONS, DEFAULT_TEMPLATE_NAME};
use vigil_domain::ids::{self, prefix};
use vigil_domain::inquiry::template::{Expiration, InquiryTemplate};
use vigil_domain::rule::{defaults, FlaggingRule};
use vigil_store::{RecordFilter, WriteTx};

/// A template as every environment starts with it: the standard identity fields.
pub fn default_inquiry_template(now: i64) -> InquiryTemplate {
    InquiryTemplate {
        id: ids::new_id(prefix::INQUIRY_TEMPLATE),
        version_id: ids::new_id(prefix::INQUIRY_TEMPLATE_VERSION),
        name: vigil_domain::inquiry::template::DEFAULT_TEMPLATE_NAME.into(),
        status: "active".into(),
        field_schemas: vigil_domain::inquiry::template::standard_field_schemas(),
        embedded_flow_domains: Vec::new(),
        translations: Vec::new(),
        steps: Default::default(),
        expiration: Expiration::default(),
        created_at: now,
        updated_at: now,
    }
}

/// Give environment `env` whatever of its defaults it has none of.
pub fn ensure_defaults(tx: &mut dyn WriteTx, env: &str, now: i64) -> vigil_store::Result<()> {
    let none = RecordFilter::default();
    if tx.find::<InquiryTemplate>(env, &none, 1)?.is_empty() {
        tx.put(env, &default_inquiry_template(now))?;
    }
    if tx.find::<CaseTemplate>(env, &none, 1)?.is_empty() {
        tx.put(
            env,
            &CaseTemplate {
                id: ids::new_id(prefix::CASE_TEMPLATE),
                name: DEFAULT_TEMPLATE_NAME.into(),
                status: "active".into(),
                resolutions: DEFAULT_RESOLUTIONS
                    .iter()
                    .map(|r| (*r).to_string())
                    .collect(),
                field_schemas: Vec::new(),
                created_at: now,
                updated_at: now,
                second_review: Vec::new(),
            },
        )?;
    }
    if tx.find::<FlaggingRule>(env, &none, 1)?.is_empty() {
        for (name, condition, tag) in defaults() {
            let mut rule = FlaggingRule::blank(ids::new_id(prefix::FLAGGING_RULE), now);
            rule.name = name.into();
            rule.condition = condition;
            rule.account_tag = tag.into();
            tx.put(env, &rule)?;
        }
    }
    Ok(())
}
