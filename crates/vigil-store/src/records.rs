//! Typed access to workflow records (inquiries, sessions, templates, documents, cases,
//! rules): one table for every kind, each kind saying how it is found.
//!
//! A kind implements [`Record`]: its name, its creation time, when the scheduler must look
//! at it again, and the `name:value` terms its list filters use. [`Store`] and [`WriteTx`]
//! move bodies as JSON text; the helpers here turn them into the domain types.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::{Page, PageRequest, RecordFilter, RecordRow, Result, Store, StoreError, WriteTx};

/// A kind of workflow record.
pub trait Record: Serialize + DeserializeOwned {
    /// The stored kind (also the JSON:API type for most kinds).
    const KIND: &'static str;
    fn id(&self) -> &str;
    fn created_at(&self) -> i64;
    /// When the scheduler must look at this record again.
    fn due_at(&self) -> Option<i64> {
        None
    }
    /// What the record is found by, each made with [`term`].
    fn terms(&self) -> Vec<String>;
    /// The search attributes whose `eq` its terms answer, with the term name each is
    /// filed under (a search reads them through the index, then checks each match).
    const INDEXED: &'static vigil_domain::search::Indexed = &[];
    /// The time lists of this kind may be ordered and bounded by (see
    /// [`RecordRow::rank_at`]).
    fn rank_at(&self) -> Option<i64> {
        None
    }
}

/// A filter term: `name:value`.
pub fn term(name: &str, value: &str) -> String {
    format!("{name}:{value}")
}

fn decode<R: Record>(body: &str) -> Result<R> {
    serde_json::from_str(body)
        .map_err(|e| StoreError::Corrupt(format!("a stored {} is unreadable: {e}", R::KIND)))
}

fn row<R: Record>(record: &R) -> Result<RecordRow> {
    Ok(RecordRow {
        id: record.id().to_string(),
        kind: R::KIND.to_string(),
        created_at: record.created_at(),
        due_at: record.due_at(),
        rank_at: record.rank_at(),
        terms: record.terms(),
        body: serde_json::to_string(record)?,
    })
}

impl dyn Store {
    /// One record of kind `R`.
    pub fn get<R: Record>(&self, env: &str, id: &str) -> Result<Option<R>> {
        self.record(env, R::KIND, id)?
            .map(|body| decode(&body))
            .transpose()
    }

    /// How many records of kind `R` match `filter` (no more than `limit`: a count that
    /// reaches it stops there, which keeps a large queue's count cheap).
    pub fn count<R: Record>(
        &self,
        env: &str,
        filter: &RecordFilter,
        limit: Option<u64>,
    ) -> Result<u64> {
        self.count_records(env, R::KIND, filter, limit)
    }

    /// A page of records of kind `R`, newest first (soonest rank first when the filter
    /// says `by_rank`).
    pub fn find<R: Record>(
        &self,
        env: &str,
        filter: &RecordFilter,
        page: &PageRequest,
    ) -> Result<Page<R>> {
        let bodies = self.records(env, R::KIND, filter, page)?;
        Ok(Page {
            items: bodies
                .items
                .iter()
                .map(|b| decode(b))
                .collect::<Result<_>>()?,
            has_older: bodies.has_older,
            has_newer: bodies.has_newer,
        })
    }
}

impl dyn Store {
    /// Records of kind `R` in creation order from a cursor (see [`Store::walk_records`]).
    pub fn walk<R: Record>(
        &self,
        env: &str,
        plan: Option<&vigil_domain::search::IndexPlan>,
        from: Option<&str>,
        newest_first: bool,
        visit: &mut dyn FnMut(R) -> bool,
    ) -> Result<()> {
        let mut failure = None;
        self.walk_records(
            env,
            R::KIND,
            plan,
            from,
            newest_first,
            &mut |body| match decode::<R>(&body) {
                Ok(record) => visit(record),
                Err(error) => {
                    failure = Some(error);
                    false
                }
            },
        )?;
        failure.map_or(Ok(()), Err)
    }
}

impl dyn WriteTx + '_ {
    pub fn get<R: Record>(&mut self, env: &str, id: &str) -> Result<Option<R>> {
        self.record(env, R::KIND, id)?
            .map(|body| decode(&body))
            .transpose()
    }

    /// Insert or replace a record.
    pub fn put<R: Record>(&mut self, env: &str, record: &R) -> Result<()> {
        self.put_record(env, &row(record)?)
    }

    /// Records of kind `R` matching `filter`, newest first, at most `limit`.
    pub fn find<R: Record>(
        &mut self,
        env: &str,
        filter: &RecordFilter,
        limit: usize,
    ) -> Result<Vec<R>> {
        self.find_records(env, R::KIND, filter, limit)?
            .iter()
            .map(|b| decode(b))
            .collect()
    }
}

// How each workflow kind is stored and found.

use vigil_domain::inquiry::session::{Device, InquirySession};
use vigil_domain::inquiry::template::InquiryTemplate;
use vigil_domain::inquiry::Inquiry;

impl Record for InquiryTemplate {
    const KIND: &'static str = "inquiry-template";
    fn id(&self) -> &str {
        &self.id
    }
    fn created_at(&self) -> i64 {
        self.created_at
    }
    fn terms(&self) -> Vec<String> {
        vec![
            term("status", &self.status),
            term("name", &self.name),
            term("version", &self.version_id),
        ]
    }
}

impl Record for Inquiry {
    const KIND: &'static str = "inquiry";
    fn id(&self) -> &str {
        &self.id
    }
    fn created_at(&self) -> i64 {
        self.lifecycle.created_at
    }
    fn due_at(&self) -> Option<i64> {
        Inquiry::due_at(self)
    }
    const INDEXED: &'static vigil_domain::search::Indexed = &[
        ("id", "id"),
        ("status", "status"),
        ("reference_id", "reference"),
        ("inquiry_template_id", "template"),
        ("account_id", "account"),
        ("note", "note"),
    ];
    fn terms(&self) -> Vec<String> {
        let mut terms = vec![
            term("id", &self.id),
            term("status", self.status().as_str()),
            term("template", &self.template_id),
        ];
        if let Some(account) = &self.account_id {
            terms.push(term("account", account));
        }
        if let Some(reference) = &self.reference_id {
            terms.push(term("reference", reference));
        }
        if let Some(note) = &self.note {
            terms.push(term("note", note));
        }
        terms
    }
}

impl Record for InquirySession {
    const KIND: &'static str = "inquiry-session";
    fn id(&self) -> &str {
        &self.id
    }
    fn created_at(&self) -> i64 {
        self.created_at
    }
    fn terms(&self) -> Vec<String> {
        let mut terms = vec![
            term("inquiry", &self.inquiry_id),
            term("status", self.status.as_str()),
        ];
        if let Some(hash) = &self.token_hash {
            terms.push(term("token", hash));
        }
        if let Some(hash) = &self.link_code_hash {
            terms.push(term("link", hash));
        }
        terms
    }
}

use vigil_domain::case::{Case, CaseComment, CaseQueue, CaseStatus, CaseTemplate};

impl Record for CaseTemplate {
    const KIND: &'static str = "case-template";
    fn id(&self) -> &str {
        &self.id
    }
    fn created_at(&self) -> i64 {
        self.created_at
    }
    fn terms(&self) -> Vec<String> {
        vec![term("status", &self.status), term("name", &self.name)]
    }
}

impl Record for CaseQueue {
    const KIND: &'static str = "case-queue";
    fn id(&self) -> &str {
        &self.id
    }
    fn created_at(&self) -> i64 {
        self.created_at
    }
    fn terms(&self) -> Vec<String> {
        vec![term("status", &self.status), term("name", &self.name)]
    }
}

impl Record for Case {
    const KIND: &'static str = "case";
    fn id(&self) -> &str {
        &self.id
    }
    fn created_at(&self) -> i64 {
        self.created_at
    }
    fn due_at(&self) -> Option<i64> {
        Case::due_at(self)
    }
    /// Cases are ordered and bounded by their SLA (a reviewer's "due soonest first").
    fn rank_at(&self) -> Option<i64> {
        Some(self.sla_expires_at.unwrap_or(crate::RANK_NEVER))
    }
    // A resolved case is filed under its resolution too: the status search shows.
    const INDEXED: &'static vigil_domain::search::Indexed = &[
        ("status", "status"),
        ("case_template_id", "template"),
        ("case_queue_id", "queue"),
        ("assignee_id", "assignee"),
        ("tags", "tag"),
    ];
    fn terms(&self) -> Vec<String> {
        let mut terms = vec![
            term("status", self.status.as_str()),
            term("template", &self.template_id),
        ];
        terms.extend(self.tags.iter().map(|tag| term("tag", tag)));
        if let Some(resolution) = &self.resolution {
            terms.push(term("status", resolution));
        }
        if let Some(queue) = &self.queue_id {
            terms.push(term("queue", queue));
        }
        // `none` cannot be an email address, so it names the unassigned cases.
        let assignee = self.assignee.as_deref().unwrap_or("none");
        terms.push(term("assignee", assignee));
        // A reviewer's queues ("open and unassigned", "open and mine") in one term: one
        // index range to count and page, not the intersection of two large ones.
        terms.push(term(
            "status-assignee",
            &format!("{}/{assignee}", self.status.as_str()),
        ));
        for (key, ids) in [
            ("account", &self.account_ids),
            ("reference", &self.reference_ids),
            ("inquiry", &self.inquiry_ids),
            ("report", &self.report_ids),
        ] {
            terms.extend(ids.iter().map(|id| term(key, id)));
        }
        // A finding is "open" while its case is not resolved: a rule never opens a
        // second case for it.
        if let (Some(finding), false) = (&self.finding, self.status == CaseStatus::Resolved) {
            terms.push(term("open-finding", finding));
        }
        if let Some(rule) = &self.rule_id {
            terms.push(term("rule", rule));
        }
        terms
    }
}

impl Record for CaseComment {
    const KIND: &'static str = "case-comment";
    fn id(&self) -> &str {
        &self.id
    }
    fn created_at(&self) -> i64 {
        self.created_at
    }
    fn terms(&self) -> Vec<String> {
        vec![term("case", &self.case_id)]
    }
}

use vigil_domain::rule::{AccountKeys, FlaggingRule};

impl Record for FlaggingRule {
    const KIND: &'static str = "flagging-rule";
    fn id(&self) -> &str {
        &self.id
    }
    fn created_at(&self) -> i64 {
        self.created_at
    }
    fn terms(&self) -> Vec<String> {
        vec![
            term("kind", self.condition.kind()),
            term("enabled", &self.enabled.to_string()),
        ]
    }
}

/// Filed under the keys themselves (`email:a@b.c`), so "who else has this" is one lookup.
impl Record for vigil_domain::theme::ThemeSet {
    const KIND: &'static str = "theme-set";
    fn id(&self) -> &str {
        &self.id
    }
    fn created_at(&self) -> i64 {
        self.created_at
    }
    fn terms(&self) -> Vec<String> {
        vec![term("status", &self.status)]
    }
}

impl Record for vigil_domain::rule::SessionKeys {
    const KIND: &'static str = "session-keys";
    fn id(&self) -> &str {
        &self.id
    }
    fn created_at(&self) -> i64 {
        self.created_at
    }
    fn terms(&self) -> Vec<String> {
        self.keys.clone()
    }
}

impl Record for AccountKeys {
    const KIND: &'static str = "account-keys";
    fn id(&self) -> &str {
        &self.id
    }
    fn created_at(&self) -> i64 {
        self.created_at
    }
    fn terms(&self) -> Vec<String> {
        self.keys.clone()
    }
}

use vigil_domain::document::Document;

/// Filed under each file's hash, so a file's bytes are deleted only when no live document
/// holds them.
impl Record for Document {
    const KIND: &'static str = "document";
    fn id(&self) -> &str {
        &self.id
    }
    fn created_at(&self) -> i64 {
        self.created_at
    }
    fn terms(&self) -> Vec<String> {
        let mut terms: Vec<String> = self
            .files
            .iter()
            .flat_map(|f| [term("sha256", &f.sha256), term("file", f.stored_name())])
            .collect();
        if let Some(inquiry) = &self.inquiry_id {
            terms.push(term("inquiry", inquiry));
        }
        terms
    }
}

use vigil_domain::webhook::{Delivery, DeliveryStatus, Webhook};

impl Record for Webhook {
    const KIND: &'static str = "webhook";
    fn id(&self) -> &str {
        &self.id
    }
    fn created_at(&self) -> i64 {
        self.created_at
    }
    fn terms(&self) -> Vec<String> {
        vec![term("status", self.status.as_str())]
    }
}

/// Due when its next attempt is; found by webhook, event and status.
impl Record for Delivery {
    const KIND: &'static str = "webhook-delivery";
    fn id(&self) -> &str {
        &self.id
    }
    fn created_at(&self) -> i64 {
        self.created_at
    }
    fn due_at(&self) -> Option<i64> {
        match self.status {
            DeliveryStatus::Pending => self.next_attempt_at,
            _ => None,
        }
    }
    fn terms(&self) -> Vec<String> {
        vec![
            term("webhook", &self.webhook_id),
            term("event", &self.event_id),
            term("status", self.status.as_str()),
        ]
    }
}

use vigil_domain::tool_call::ToolCall;

/// Found by tool and outcome.
impl Record for ToolCall {
    const KIND: &'static str = "tool-call";
    fn id(&self) -> &str {
        &self.id
    }
    fn created_at(&self) -> i64 {
        self.created_at
    }
    fn terms(&self) -> Vec<String> {
        vec![term("tool", &self.tool), term("outcome", &self.outcome)]
    }
}

use vigil_domain::verification::Verification;

impl Record for Device {
    const KIND: &'static str = "device";
    fn id(&self) -> &str {
        &self.id
    }
    fn created_at(&self) -> i64 {
        self.created_at
    }
    fn terms(&self) -> Vec<String> {
        vec![
            term("session", &self.session_id),
            term("inquiry", &self.inquiry_id),
        ]
    }
}

impl Record for Verification {
    const KIND: &'static str = "verification";
    fn id(&self) -> &str {
        &self.id
    }
    fn created_at(&self) -> i64 {
        self.created_at
    }
    fn terms(&self) -> Vec<String> {
        vec![
            term("inquiry", &self.inquiry_id),
            term("kind", self.kind.type_name()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use vigil_domain::inquiry::template::{standard_field_schemas, Expiration};
    use vigil_domain::inquiry::Action;

    use super::*;
    use crate::sqlite::SqliteStore;
    use crate::{transact_blocking, Environment};

    fn store() -> (tempfile::TempDir, Arc<dyn Store>) {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> =
            Arc::new(SqliteStore::open(dir.path().join("vigil.db")).unwrap());
        transact_blocking(&store, |tx| {
            tx.insert_organization("org_a", 0)?;
            tx.insert_environment(&Environment {
                id: "env_a".into(),
                organization_id: "org_a".into(),
                name: "sandbox".into(),
                created_at: 0,
            })
        })
        .unwrap();
        (dir, store)
    }

    fn inquiry(id: &str, account: &str, now: i64) -> Inquiry {
        let template = InquiryTemplate {
            id: "itmpl_a".into(),
            version_id: "itmplv_a".into(),
            name: "Default".into(),
            status: "active".into(),
            field_schemas: standard_field_schemas(),
            embedded_flow_domains: Vec::new(),
            translations: Vec::new(),
            steps: Default::default(),
            expiration: Expiration::default(),
            created_at: 0,
            updated_at: 0,
        };
        let mut inquiry =
            Inquiry::new(id.into(), &template, Expiration::default(), "k".into(), now);
        inquiry.account_id = Some(account.into());
        inquiry
    }

    #[test]
    fn records_are_found_by_their_terms_and_terms_follow_updates() {
        let (_dir, store) = store();
        transact_blocking(&store, |tx| -> Result<()> {
            tx.put("env_a", &inquiry("inq_1", "act_a", 1))?;
            tx.put("env_a", &inquiry("inq_2", "act_b", 2))?;
            let mut third = inquiry("inq_3", "act_a", 3);
            third.apply(Action::Start, 4).unwrap();
            tx.put("env_a", &third)
        })
        .unwrap();
        let of = |filter: RecordFilter| -> Vec<String> {
            let page = store
                .find::<Inquiry>(
                    "env_a",
                    &filter,
                    &PageRequest {
                        size: 10,
                        ..Default::default()
                    },
                )
                .unwrap();
            page.items.into_iter().map(|i| i.id).collect()
        };
        let account_a = RecordFilter::default().any_of(vec![term("account", "act_a")]);
        assert_eq!(of(account_a.clone()), vec!["inq_3", "inq_1"]);
        let pending = account_a.clone().any_of(vec![term("status", "pending")]);
        assert_eq!(of(pending), vec!["inq_3"]);
        let either = RecordFilter::default()
            .any_of(vec![term("status", "pending"), term("account", "act_b")]);
        assert_eq!(of(either), vec!["inq_3", "inq_2"]);
        let dated = RecordFilter {
            created_from: Some(2),
            created_to: Some(2),
            ..Default::default()
        };
        assert_eq!(of(dated), vec!["inq_2"]);
        // Completing moves it out of `pending` and off the schedule.
        transact_blocking(&store, |tx| -> Result<()> {
            let mut third: Inquiry = tx.get("env_a", "inq_3")?.unwrap();
            third.apply(Action::Complete, 5).unwrap();
            tx.put("env_a", &third)
        })
        .unwrap();
        assert!(of(RecordFilter::default().any_of(vec![term("status", "pending")])).is_empty());
        let due = store.due_records(&[Inquiry::KIND], i64::MAX, 10).unwrap();
        assert_eq!(
            due.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
            vec!["inq_1", "inq_2"]
        );
        assert_eq!(
            store.next_due(&[Inquiry::KIND]).unwrap(),
            due.first().map(|d| d.due_at)
        );
        assert!(store
            .due_records(&[InquirySession::KIND], i64::MAX, 10)
            .unwrap()
            .is_empty());
        assert!(store.get::<Inquiry>("env_a", "inq_9").unwrap().is_none());
        assert!(
            store
                .get::<InquirySession>("env_a", "inq_1")
                .unwrap()
                .is_none(),
            "kinds are apart"
        );
    }

    #[test]
    fn cases_page_by_sla_soonest_first_and_count_and_bound_by_it() {
        use vigil_domain::case::{Case, CaseTemplate, Participant};
        let (_dir, store) = store();
        let template = CaseTemplate {
            id: "ctmpl_a".into(),
            name: "Review".into(),
            status: "active".into(),
            resolutions: vec!["Approved".into()],
            field_schemas: Vec::new(),
            created_at: 0,
            updated_at: 0,
            second_review: Vec::new(),
        };
        let creator = Participant {
            id: "key".into(),
            kind: "user".into(),
        };
        // Created in this order; SLAs: 30, none, 10, 20, none.
        let slas = [Some(30), None, Some(10), Some(20), None];
        transact_blocking(&store, move |tx| -> Result<()> {
            for (n, sla) in slas.iter().enumerate() {
                let mut case =
                    Case::open(format!("case_{n}"), &template, creator.clone(), n as i64);
                case.sla_expires_at = *sla;
                if n % 2 == 0 {
                    case.tags.push("urgent".into());
                }
                tx.put("env_a", &case)?;
            }
            Ok(())
        })
        .unwrap();
        let ranked = RecordFilter {
            by_rank: true,
            ..Default::default()
        };
        let page = |filter: &RecordFilter, after: Option<&str>, before: Option<&str>| {
            let page = store
                .find::<Case>(
                    "env_a",
                    filter,
                    &PageRequest {
                        size: 2,
                        after: after.map(str::to_string),
                        before: before.map(str::to_string),
                    },
                )
                .unwrap();
            let ids: Vec<String> = page.items.into_iter().map(|c| c.id).collect();
            (ids, page.has_newer, page.has_older)
        };
        // Soonest SLA first; cases without one last, oldest first.
        assert_eq!(
            page(&ranked, None, None),
            (vec!["case_2".into(), "case_3".into()], false, true)
        );
        assert_eq!(
            page(&ranked, Some("case_3"), None),
            (vec!["case_0".into(), "case_1".into()], true, true)
        );
        assert_eq!(
            page(&ranked, Some("case_1"), None),
            (vec!["case_4".into()], true, false)
        );
        assert_eq!(
            page(&ranked, None, Some("case_0")),
            (vec!["case_2".into(), "case_3".into()], false, true)
        );
        assert_eq!(page(&ranked, Some("case_4"), None), (vec![], true, false));
        // Due by 20: the two soonest.
        let due = RecordFilter {
            rank_to: Some(20),
            ..ranked.clone()
        };
        assert_eq!(page(&due, None, None).0, vec!["case_2", "case_3"]);
        assert_eq!(store.count::<Case>("env_a", &due, None).unwrap(), 2);
        assert_eq!(store.count::<Case>("env_a", &due, Some(1)).unwrap(), 1);
        let urgent = RecordFilter::default().any_of(vec![term("tag", "urgent")]);
        assert_eq!(store.count::<Case>("env_a", &urgent, None).unwrap(), 3);
        assert_eq!(
            store
                .count::<Case>("env_a", &RecordFilter::default(), None)
                .unwrap(),
            5
        );
        // Newest first stays the default.
        assert_eq!(
            page(&RecordFilter::default(), None, None).0,
            vec!["case_4", "case_3"]
        );
    }
}
