//! Resource handlers, one module per resource. Each handler checks its permission,
//! parses its input into domain types, calls storage, and builds a view.

pub mod account_types;
pub mod accounts;
pub mod api_keys;
pub mod cases;
pub mod devices;
pub mod documents;
pub mod events;
pub mod files;
pub mod filters;
pub mod health;
pub mod importers;
pub mod inquiries;
pub mod lists;
pub mod reports;
pub mod rules;
pub mod search;
pub mod test_clock;
pub mod theme_sets;
pub mod tool_calls;
pub mod users;
pub mod verifications;
pub mod webhooks;

use axum::routing::{get, post};

/// The routes that take no bearer token: signing in and accepting an invitation make one.
pub fn public_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/user-sessions", post(users::sign_in))
        .route(
            "/api/v1/user-invitations/accept",
            post(users::accept_invitation),
        )
        .route("/api/v1/inquiry-flows", post(inquiries::flow::start))
        .route(
            "/api/v1/inquiry-flows/redeem",
            post(inquiries::flow::redeem),
        )
        .route(
            "/api/v1/inquiry-flows/theme-sets/{theme_set_id}",
            get(theme_sets::for_flow),
        )
}
use axum::Router;

use crate::protocol::{finish, ApiError, ApiResult, Ctx, Reply};
use crate::AppState;

pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/user-sessions/current",
            get(users::current).delete(users::sign_out),
        )
        .route(
            "/user-sessions/current/change-password",
            post(users::change_password),
        )
        .route(
            "/user-sessions/current/two-factor",
            post(users::begin_two_factor),
        )
        .route(
            "/user-sessions/current/two-factor/confirm",
            post(users::confirm_two_factor),
        )
        .route(
            "/user-sessions/current/two-factor/disable",
            post(users::disable_two_factor),
        )
        .route(
            "/user-security-settings",
            get(users::security_settings).patch(users::update_security_settings),
        )
        .route("/users", get(users::list).post(users::invite))
        .route(
            "/users/{user_id}",
            get(users::retrieve).patch(users::update),
        )
        .route(
            "/users/{user_id}/reset-password",
            post(users::reset_password),
        )
        .route("/user-audit-logs", get(users::audit_logs))
        .route(
            "/user-audit-logs/{user_audit_log_id}",
            get(users::audit_log),
        )
        .route(
            "/accounts",
            get(accounts::crud::list).post(accounts::crud::create),
        )
        .route("/accounts/search", post(accounts::search::search))
        .route(
            "/accounts/{account_id}",
            get(accounts::crud::retrieve)
                .patch(accounts::crud::update)
                .delete(accounts::lifecycle::redact),
        )
        .route(
            "/accounts/{account_id}/add-tag",
            post(accounts::tags::add_tag),
        )
        .route(
            "/accounts/{account_id}/remove-tag",
            post(accounts::tags::remove_tag),
        )
        .route(
            "/accounts/{account_id}/set-tags",
            post(accounts::tags::set_tags),
        )
        .route(
            "/accounts/{account_id}/add-relation",
            post(accounts::relations::add_relation),
        )
        .route(
            "/accounts/{account_id}/remove-relation",
            post(accounts::relations::remove_relation),
        )
        .route(
            "/accounts/{account_id}/relations",
            get(accounts::relations::list_relations),
        )
        .route(
            "/accounts/{account_id}/relation-keys",
            get(accounts::relations::list_keys),
        )
        .route(
            "/accounts/{account_id}/consolidate",
            post(accounts::lifecycle::consolidate),
        )
        .route(
            "/accounts/{account_id}/run-action",
            post(accounts::actions::run_action),
        )
        .route(
            "/accounts/{account_id}/archive",
            post(accounts::lifecycle::archive),
        )
        .route(
            "/accounts/{account_id}/restore",
            post(accounts::lifecycle::restore),
        )
        .route("/account-actions", get(accounts::actions::list))
        .route("/api-keys", get(api_keys::list).post(api_keys::create))
        .route(
            "/api-keys/{api_key_id}",
            get(api_keys::retrieve).patch(api_keys::update),
        )
        .route("/api-keys/{api_key_id}/expire", post(api_keys::expire))
        .route(
            "/account-types",
            get(account_types::list).post(account_types::create),
        )
        .route(
            "/account-types/{account_type_id}",
            get(account_types::retrieve).patch(account_types::update),
        )
        .route("/files/{file_id}/{filename}", get(files::download))
        .route("/list/{kind}", post(lists::create_list))
        .route("/lists", get(lists::list_lists))
        .route(
            "/lists/{list_id}",
            get(lists::retrieve_list).delete(lists::archive_list),
        )
        .route("/lists/{list_id}/items", get(lists::list_items))
        .route("/list-item/{kind}", post(lists::create_item))
        .route(
            "/list-item/{kind}/{item_id}",
            get(lists::retrieve_item).delete(lists::archive_item),
        )
        .route("/reports", get(reports::list).post(reports::create))
        .route(
            "/reports/{report_id}",
            get(reports::retrieve).delete(reports::redact),
        )
        .route("/reports/{report_id}/run", post(reports::run))
        .route("/reports/{report_id}/pause", post(reports::pause))
        .route("/reports/{report_id}/resume", post(reports::resume))
        .route("/reports/{report_id}/dismiss", post(reports::dismiss))
        .route("/reports/{report_id}/add-tag", post(reports::add_tag))
        .route("/reports/{report_id}/remove-tag", post(reports::remove_tag))
        .route("/reports/{report_id}/set-tags", post(reports::set_tags))
        .route("/reports/{report_id}/history", get(reports::history))
        .route("/reports/{report_id}/matches", get(reports::matches))
        .route("/reports/{report_id}/print", get(reports::print))
        .route(
            "/importer/list-item/{kind}",
            post(importers::import_list_items),
        )
        .route("/importer/accounts", post(importers::import_accounts))
        .route("/importers", get(importers::list))
        .route("/importers/{importer_id}", get(importers::retrieve))
        .route("/importers/{importer_id}/errors", get(importers::errors))
        .route(
            "/inquiries",
            get(inquiries::crud::list).post(inquiries::crud::create),
        )
        .route("/inquiries/search", post(inquiries::crud::search))
        .route(
            "/inquiries/{inquiry_id}",
            get(inquiries::crud::retrieve)
                .patch(inquiries::crud::update)
                .delete(inquiries::crud::redact),
        )
        .route("/inquiries/{inquiry_id}/print", get(inquiries::crud::print))
        .route(
            "/inquiries/{inquiry_id}/comparison",
            get(inquiries::crud::comparison),
        )
        .route(
            "/inquiries/{inquiry_id}/approve",
            post(inquiries::actions::approve),
        )
        .route(
            "/inquiries/{inquiry_id}/decline",
            post(inquiries::actions::decline),
        )
        .route(
            "/inquiries/{inquiry_id}/mark-for-review",
            post(inquiries::actions::mark_for_review),
        )
        .route(
            "/inquiries/{inquiry_id}/expire",
            post(inquiries::actions::expire),
        )
        .route(
            "/inquiries/{inquiry_id}/resume",
            post(inquiries::actions::resume),
        )
        .route(
            "/inquiries/{inquiry_id}/complete",
            post(inquiries::actions::submit),
        )
        .route(
            "/inquiries/{inquiry_id}/perform-simulate-actions",
            post(inquiries::actions::simulate),
        )
        .route(
            "/inquiries/{inquiry_id}/generate-one-time-link",
            post(inquiries::actions::generate_one_time_link),
        )
        .route(
            "/inquiries/{inquiry_id}/add-tag",
            post(inquiries::actions::add_tag),
        )
        .route(
            "/inquiries/{inquiry_id}/remove-tag",
            post(inquiries::actions::remove_tag),
        )
        .route(
            "/inquiries/{inquiry_id}/set-tags",
            post(inquiries::actions::set_tags),
        )
        .route(
            "/inquiry-sessions",
            get(inquiries::sessions::list).post(inquiries::sessions::create),
        )
        .route(
            "/inquiry-sessions/expire-all",
            post(inquiries::sessions::expire_all),
        )
        .route(
            "/inquiry-sessions/{session_id}",
            get(inquiries::sessions::retrieve),
        )
        .route(
            "/inquiry-sessions/{session_id}/expire",
            post(inquiries::sessions::expire),
        )
        .route(
            "/inquiry-sessions/{session_id}/generate-one-time-link",
            post(inquiries::sessions::generate_one_time_link),
        )
        .route(
            "/inquiry-templates",
            get(inquiries::templates::list).post(inquiries::templates::create),
        )
        .route(
            "/inquiry-template-versions",
            get(inquiries::templates::versions),
        )
        .route(
            "/inquiry-templates/{template_id}",
            get(inquiries::templates::retrieve).patch(inquiries::templates::update),
        )
        .route(
            "/inquiry-templates/{template_id}/verification-steps",
            get(inquiries::templates::verification_steps)
                .patch(inquiries::templates::update_verification_steps),
        )
        .route(
            "/inquiry-templates/{template_id}/translations",
            get(inquiries::templates::translations).post(inquiries::templates::import_translations),
        )
        .route("/cases", get(cases::crud::list).post(cases::crud::create))
        .route("/case-counts", get(cases::crud::count))
        .route("/cases/search", post(cases::crud::search))
        .route(
            "/cases/{case_id}",
            get(cases::crud::retrieve)
                .patch(cases::crud::update)
                .delete(cases::crud::redact),
        )
        .route("/cases/{case_id}/assign", post(cases::actions::assign))
        .route("/cases/{case_id}/proposal", get(cases::crud::proposal))
        .route(
            "/cases/{case_id}/set-status",
            post(cases::actions::set_status),
        )
        .route(
            "/cases/{case_id}/add-objects",
            post(cases::actions::add_objects),
        )
        .route(
            "/cases/{case_id}/remove-objects",
            post(cases::actions::remove_objects),
        )
        .route("/cases/{case_id}/add-tag", post(cases::actions::add_tag))
        .route(
            "/cases/{case_id}/remove-tag",
            post(cases::actions::remove_tag),
        )
        .route("/cases/{case_id}/set-tags", post(cases::actions::set_tags))
        .route(
            "/cases/{case_id}/comments",
            get(cases::actions::list_comments).post(cases::actions::create_comment),
        )
        .route(
            "/case-templates",
            get(cases::setup::list_templates).post(cases::setup::create_template),
        )
        .route(
            "/case-templates/{template_id}",
            get(cases::setup::retrieve_template),
        )
        .route(
            "/case-templates/{template_id}/second-review",
            get(cases::setup::retrieve_second_review).patch(cases::setup::update_second_review),
        )
        .route(
            "/case-queues",
            get(cases::setup::list_queues).post(cases::setup::create_queue),
        )
        .route("/case-queues/{queue_id}", get(cases::setup::retrieve_queue))
        .route("/document/generics", post(documents::create))
        .route(
            "/document/generics/{document_id}",
            get(documents::retrieve).delete(documents::redact),
        )
        .route("/documents/{document_id}", get(documents::retrieve))
        .route(
            "/document/government-ids/{document_id}",
            get(documents::retrieve_government_id),
        )
        .route(
            "/documents/{document_id}/files/{sha256}/{filename}",
            get(documents::download),
        )
        .route(
            "/theme-sets",
            get(theme_sets::list).post(theme_sets::create),
        )
        .route(
            "/theme-sets/{theme_set_id}",
            get(theme_sets::retrieve)
                .patch(theme_sets::update)
                .delete(theme_sets::archive),
        )
        .route("/devices", get(devices::list))
        .route("/devices/{device_id}", get(devices::retrieve))
        .route(
            "/inquiry-flow/current",
            get(inquiries::flow::current).patch(inquiries::flow::update),
        )
        .route(
            "/inquiry-flow/current/submit",
            post(inquiries::flow::submit),
        )
        .route(
            "/inquiry-flow/current/government-id",
            post(inquiries::flow_steps::government_id),
        )
        .route(
            "/inquiry-flow/current/selfie",
            post(inquiries::flow_steps::selfie),
        )
        .route(
            "/verifications/{verification_id}",
            get(verifications::retrieve).delete(verifications::redact),
        )
        .route(
            "/verifications/{verification_id}/print",
            get(verifications::print),
        )
        .route(
            "/verifications/{verification_id}/investigation-lock",
            post(verifications::lock),
        )
        .route(
            "/verifications/{verification_id}/investigation-unlock",
            post(verifications::unlock),
        )
        .route(
            "/verification/{kinds}/{verification_id}",
            get(verifications::retrieve_kind),
        )
        .route("/flagging-rules", get(rules::list).post(rules::create))
        .route(
            "/flagging-rules/{rule_id}",
            get(rules::retrieve).patch(rules::update),
        )
        .route("/webhooks", get(webhooks::list).post(webhooks::create))
        .route(
            "/webhooks/{webhook_id}",
            get(webhooks::retrieve).patch(webhooks::update),
        )
        .route("/webhooks/{webhook_id}/archive", post(webhooks::archive))
        .route("/webhooks/{webhook_id}/enable", post(webhooks::enable))
        .route("/webhooks/{webhook_id}/disable", post(webhooks::disable))
        .route(
            "/webhooks/{webhook_id}/rotate-secret",
            post(webhooks::rotate_secret),
        )
        .route("/webhooks/{webhook_id}/clone", post(webhooks::clone))
        .route(
            "/webhooks/{webhook_id}/deliveries",
            get(webhooks::deliveries),
        )
        .route(
            "/webhooks/{webhook_id}/redeliver",
            post(webhooks::redeliver),
        )
        .route("/test-clock/advance", post(test_clock::advance))
        .route("/events", get(events::list))
        .route("/tool-calls", get(tool_calls::list))
        .route("/events/{event_id}", get(events::retrieve))
}

/// `GET` of one workflow record: the family's read permission, the record or a 404
/// ("`<noun>` `<id>` is not found"), rendered as a single-resource document.
pub(crate) fn retrieve_record<R: vigil_store::Record>(
    state: &AppState,
    ctx: &Ctx,
    family: &str,
    noun: &str,
    id: &str,
    render: impl FnOnce(&R) -> serde_json::Value,
) -> ApiResult<Reply> {
    ctx.require(family, vigil_domain::permissions::Access::Read)?;
    let record = state
        .store
        .get::<R>(ctx.env_id(), id)?
        .ok_or_else(|| ApiError::not_found(format!("{noun} `{id}` is not found")))?;
    Ok(finish(
        crate::views::single(render(&record), None),
        ctx,
        axum::http::StatusCode::OK,
    ))
}

pub async fn not_found() -> ApiError {
    ApiError::not_found("No such endpoint; see Persona's API reference for the paths vigil serves")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
