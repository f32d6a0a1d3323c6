//! Pure domain rules for vigil.
//!
//! This crate knows nothing of HTTP, SQL, async runtimes or the wall clock: callers pass
//! time in as milliseconds since the epoch and get plain values back. Everything that
//! decides *what* a request means (which fields an account has, what a valid birthdate is,
//! which permission an operation needs) lives here so the HTTP server, the CLI and the
//! future MCP front end share one set of rules.
//!
//! # Layout
//! - [`ids`]: Persona-style object ids (`act_` + 24 base58 characters).
//! - [`error`]: [`FieldError`], a caller mistake that names the offending field.
//! - [`account`]: the account model, its typed `fields` and the flat convenience attributes.
//! - [`account_action`]: account action kinds and their parameters.
//! - [`validate`]: value rules (dates, ISO countries, emails, tags, status names).
//! - [`search`]: the `POST /accounts/search` query language, parsed and evaluated.
//! - [`permissions`]: per-key permissions, one read and one write per resource family.
//! - [`upload`]: inline base64 file uploads (the selfie photo), checked by content.
//! - [`time`]: ISO-8601 timestamps from milliseconds, no clock.
//! - [`report`]: watchlist reports: query, matches, dismissals, history.
//! - [`importer`]: bulk imports of list items and accounts from CSV, read row by row.
//! - [`inquiry`]: inquiries, their templates, sessions and reverification.
//! - [`case`]: cases for manual review, their templates, queues and comments.
//! - [`events`]: event names, as Persona spells them.
//! - [`actor`]: who made a change (an API key, a person, vigil itself).
//! - [`user`]: console users, their roles, invitations, lockout and sessions.

pub mod account;
pub mod account_action;
pub mod actor;
pub mod case;
pub mod document;
pub mod error;
pub mod events;
pub mod ids;
pub mod importer;
pub mod inquiry;
pub mod list;
pub mod permissions;
pub mod report;
pub mod rule;
pub mod search;
pub mod tag_change;
pub mod theme;
pub mod time;
pub mod tool_call;
pub mod totp;
pub mod upload;
pub mod user;
pub mod validate;
pub mod verification;
pub mod webhook;

pub use error::FieldError;
