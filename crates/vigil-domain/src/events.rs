//! Event names, spelled as Persona spells them.

pub const ACCOUNT_CREATED: &str = "account.created";
pub const ACCOUNT_UPDATED_FIELDS: &str = "account.updated-fields";
pub const ACCOUNT_TAG_ADDED: &str = "account.tag-added";
pub const ACCOUNT_TAG_REMOVED: &str = "account.tag-removed";
pub const ACCOUNT_UPDATED_TAGS: &str = "account.updated-tags";
pub const ACCOUNT_STATUS_UPDATED: &str = "account.status-updated";
pub const ACCOUNT_ARCHIVED: &str = "account.archived";
pub const ACCOUNT_RESTORED: &str = "account.restored";
pub const ACCOUNT_REDACTED: &str = "account.redacted";
pub const ACCOUNT_CONSOLIDATED: &str = "account.consolidated";
pub const ACCOUNT_CONSOLIDATED_WITH: &str = "account.consolidated-with";
pub const ACCOUNT_ADDED_RELATION: &str = "account.added-relation";
pub const ACCOUNT_REMOVED_RELATION: &str = "account.removed-relation";

// Beyond Persona, which configures account types in its dashboard without events.
pub const ACCOUNT_TYPE_CREATED: &str = "account-type.created";
pub const ACCOUNT_TYPE_UPDATED: &str = "account-type.updated";

// Beyond Persona (which has no list events): lists and their items change like anything else.
pub const LIST_CREATED: &str = "list.created";
pub const LIST_ARCHIVED: &str = "list.archived";
pub const LIST_ITEM_CREATED: &str = "list-item.created";
pub const LIST_ITEM_ARCHIVED: &str = "list-item.archived";

pub const REPORT_WATCHLIST_READY: &str = "report/watchlist.ready";
pub const REPORT_WATCHLIST_MATCHED: &str = "report/watchlist.matched";
pub const REPORT_WATCHLIST_DISMISSED: &str = "report/watchlist.dismissed";
// Beyond Persona (which has no such events): tags, pausing, redaction of a report.
pub const REPORT_WATCHLIST_UPDATED_TAGS: &str = "report/watchlist.updated-tags";
pub const REPORT_WATCHLIST_PAUSED: &str = "report/watchlist.paused";
pub const REPORT_WATCHLIST_RESUMED: &str = "report/watchlist.resumed";
pub const REPORT_WATCHLIST_REDACTED: &str = "report/watchlist.redacted";

pub const INQUIRY_CREATED: &str = "inquiry.created";
/// Beyond Persona: fields or note changed by `PATCH /inquiries/{id}`.
pub const INQUIRY_UPDATED: &str = "inquiry.updated";
pub const INQUIRY_UPDATED_TAGS: &str = "inquiry.updated-tags";
pub const INQUIRY_REDACTED: &str = "inquiry.redacted";
/// Beyond Persona (which records only `started`): a session was created.
pub const INQUIRY_SESSION_CREATED: &str = "inquiry-session.created";
pub const INQUIRY_SESSION_STARTED: &str = "inquiry-session.started";
pub const INQUIRY_SESSION_EXPIRED: &str = "inquiry-session.expired";
/// Beyond Persona: an inquiry template was created.
pub const INQUIRY_TEMPLATE_CREATED: &str = "inquiry-template.created";
/// Beyond Persona: an inquiry template's embedding domains changed.
pub const INQUIRY_TEMPLATE_UPDATED: &str = "inquiry-template.updated";

pub const CASE_CREATED: &str = "case.created";
pub const CASE_ASSIGNED: &str = "case.assigned";
pub const CASE_STATUS_UPDATED: &str = "case.status-updated";
pub const CASE_RESOLVED: &str = "case.resolved";
pub const CASE_REOPENED: &str = "case.reopened";
pub const CASE_UPDATED_TAGS: &str = "case.updated-tags";
pub const CASE_UPDATED_FIELDS: &str = "case.updated-fields";
pub const CASE_QUEUE_UPDATED: &str = "case.queue-updated";
pub const CASE_SLA_EXPIRED: &str = "case.sla-expired";
pub const CASE_REDACTED: &str = "case.redacted";
/// Beyond Persona: objects were attached to or removed from a case.
pub const CASE_UPDATED_OBJECTS: &str = "case.updated-objects";
pub const CASE_COMMENT_CREATED: &str = "case-comment.created";
/// Beyond Persona: a decision waits for a second reviewer (four eyes).
pub const CASE_DECISION_PROPOSED: &str = "case.decision-proposed";
/// Beyond Persona: a case template's second review changed.
pub const CASE_TEMPLATE_UPDATED: &str = "case-template.updated";
/// Beyond Persona: case templates and queues made over the API.
pub const CASE_TEMPLATE_CREATED: &str = "case-template.created";
pub const CASE_QUEUE_CREATED: &str = "case-queue.created";

pub const VERIFICATION_CREATED: &str = "verification.created";
pub const VERIFICATION_SUBMITTED: &str = "verification.submitted";
pub const VERIFICATION_PASSED: &str = "verification.passed";
pub const VERIFICATION_FAILED: &str = "verification.failed";
pub const VERIFICATION_REQUIRES_RETRY: &str = "verification.requires-retry";
/// Beyond Persona: a verification's data was removed, or it was locked or unlocked.
pub const VERIFICATION_REDACTED: &str = "verification.redacted";
pub const VERIFICATION_LOCKED: &str = "verification.investigation-locked";
pub const VERIFICATION_UNLOCKED: &str = "verification.investigation-unlocked";

/// Beyond Persona (which has no theme set events): theme sets change like anything else.
pub const THEME_SET_CREATED: &str = "theme-set.created";
pub const THEME_SET_UPDATED: &str = "theme-set.updated";
pub const THEME_SET_ARCHIVED: &str = "theme-set.archived";

pub const DOCUMENT_CREATED: &str = "document.created";
/// Beyond Persona: a document's files were deleted.
pub const DOCUMENT_REDACTED: &str = "document.redacted";

pub const WEBHOOK_CREATED: &str = "webhook.created";
pub const WEBHOOK_UPDATED: &str = "webhook.updated";
pub const WEBHOOK_DISABLED: &str = "webhook.disabled";

/// Every event name Persona documents for webhooks (its `enabled-events` enum).
const PERSONA_EVENTS: &str = include_str!("persona_events.txt");

/// Events vigil records that Persona does not have (README: "Deliberately beyond Persona").
pub const VIGIL_ONLY: &[&str] = &[
    ACCOUNT_TYPE_CREATED,
    ACCOUNT_TYPE_UPDATED,
    LIST_CREATED,
    LIST_ARCHIVED,
    LIST_ITEM_CREATED,
    LIST_ITEM_ARCHIVED,
    REPORT_WATCHLIST_PAUSED,
    REPORT_WATCHLIST_RESUMED,
    REPORT_WATCHLIST_REDACTED,
    REPORT_WATCHLIST_UPDATED_TAGS,
    INQUIRY_UPDATED,
    INQUIRY_SESSION_CREATED,
    INQUIRY_TEMPLATE_CREATED,
    INQUIRY_TEMPLATE_UPDATED,
    CASE_UPDATED_OBJECTS,
    CASE_TEMPLATE_CREATED,
    CASE_TEMPLATE_UPDATED,
    CASE_DECISION_PROPOSED,
    CASE_QUEUE_CREATED,
    DOCUMENT_REDACTED,
    VERIFICATION_REDACTED,
    THEME_SET_CREATED,
    THEME_SET_UPDATED,
    THEME_SET_ARCHIVED,
    VERIFICATION_LOCKED,
    VERIFICATION_UNLOCKED,
    "flagging-rule.created",
    "flagging-rule.updated",
    WEBHOOK_CREATED,
    WEBHOOK_UPDATED,
    WEBHOOK_DISABLED,
    "api-key.created",
    "api-key.updated",
    "api-key.expired",
];

/// Whether `name` is an event Persona or vigil records.
pub fn is_known(name: &str) -> bool {
    VIGIL_ONLY.contains(&name) || PERSONA_EVENTS.lines().any(|line| line == name)
}

/// Every known event name.
pub fn all_known() -> impl Iterator<Item = &'static str> {
    PERSONA_EVENTS.lines().chain(VIGIL_ONLY.iter().copied())
}
