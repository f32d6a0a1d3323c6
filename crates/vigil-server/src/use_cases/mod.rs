//! The application layer: one function per use case ("open a case", "move an inquiry",
//! "add a list item"), called alike by the HTTP handlers in `routes/` and by the background
//! work (flagging rules, the scheduler, imports, the screening monitor).
//!
//! A use case takes typed inputs, an open write transaction and an [`Acting`] (who acts,
//! in which environment, at what time), changes storage, records the events the change
//! makes (each with its actor) and returns a typed result. When it refuses, it says why in
//! its own terms ([`Refusal`]): a handler turns that into Persona's error body (the
//! protocol layer places an [`Input`] at its JSON pointer), a background task logs it.
//! Nothing here knows HTTP, a request or a JSON pointer.

pub mod accounts;
pub mod cases;
pub mod configuration;
pub mod documents;
pub mod imports;
pub mod inquiries;
pub mod keys;
pub mod lists;
pub mod reports;
pub mod rules;
pub mod setup;
pub mod themes;
pub mod users;
pub mod verifications;
pub mod webhooks;

use serde_json::Value;
use vigil_domain::actor::Actor;
use vigil_domain::ids::{self, prefix};
use vigil_domain::FieldError;
use vigil_store::{Event, StoreError, WriteTx};

use crate::views;

/// Who is acting, in which environment, and when (the server's clock, which the test
/// clock moves).
#[derive(Debug, Clone)]
pub struct Acting {
    pub env: String,
    pub actor: Actor,
    pub now: i64,
}

impl Acting {
    pub fn new(env: &str, actor: Actor, now: i64) -> Acting {
        Acting {
            env: env.to_string(),
            actor,
            now,
        }
    }
}

/// The input of a use case that was wrong, by the name the use case gives it (the caller's
/// name for it too: `object-ids`, `inquiry-id`), and the position in it when it is a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub name: &'static str,
    pub index: Option<usize>,
}

impl Input {
    pub fn named(name: &'static str) -> Input {
        Input { name, index: None }
    }

    pub fn item(name: &'static str, index: usize) -> Input {
        Input {
            name,
            index: Some(index),
        }
    }
}

/// Why a use case did not do what it was asked.
#[derive(Debug)]
pub enum Refusal {
    /// The object acted on does not exist (in this environment).
    NotFound(String),
    /// An input names an object that does not exist (a template, a queue).
    UnknownReference { input: Input, id: String },
    /// An input breaks a rule.
    Invalid { input: Input, message: String },
    /// A rule of the domain read a value it was handed and named it. Its `pointer` is
    /// relative to the use case's inputs (`fields/birthdate`), placed by the caller.
    Field(FieldError),
    /// The object is not in a state that allows this (redacted, archived, decided).
    Conflict(String),
    /// Storage failed.
    Store(StoreError),
    /// A fault of ours.
    Internal(String),
    /// Background work found that another server did it first (a cursor moved since it
    /// was read); the transaction is rolled back and the work read again.
    Superseded,
}

impl Refusal {
    pub fn invalid(input: Input, message: impl Into<String>) -> Refusal {
        Refusal::Invalid {
            input,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::NotFound(details) | Refusal::Conflict(details) => f.write_str(details),
            Refusal::UnknownReference { input, id } => {
                write!(f, "{} `{id}` is not found", input.name)
            }
            Refusal::Invalid { input, message } => match input.index {
                Some(index) => write!(f, "{}[{index}] {message}", input.name),
                None => write!(f, "{} {message}", input.name),
            },
            Refusal::Field(error) => write!(f, "{} {}", error.dotted_path(), error.message),
            Refusal::Store(error) => write!(f, "storage: {error}"),
            Refusal::Internal(cause) => f.write_str(cause),
            Refusal::Superseded => f.write_str("another server did this work first"),
        }
    }
}

/// Move the event-log reader `name` from `from` to `to` inside the transaction that acted
/// on the events between, unless someone else moved it since it was read (another server
/// acted on them): then `Superseded` rolls the transaction back, and nothing is done twice.
pub(crate) fn advance_cursor(
    tx: &mut dyn vigil_store::WriteTx,
    name: &str,
    from: i64,
    to: i64,
) -> Outcome<()> {
    if tx.cursor(name)? != from {
        return Err(Refusal::Superseded);
    }
    tx.set_cursor(name, to)?;
    Ok(())
}

impl From<StoreError> for Refusal {
    fn from(error: StoreError) -> Self {
        Refusal::Store(error)
    }
}

impl From<FieldError> for Refusal {
    fn from(error: FieldError) -> Self {
        Refusal::Field(error)
    }
}

pub type Outcome<T> = Result<T, Refusal>;

/// An object events are about: its resource type, as the API names it, and its id.
pub trait Subject: serde::Serialize {
    const TYPE: &'static str;
    fn subject_id(&self) -> &str;
}

macro_rules! subjects {
    ($($object:ty => $type:expr),* $(,)?) => {
        $(impl Subject for $object {
            const TYPE: &'static str = $type;
            fn subject_id(&self) -> &str {
                &self.id
            }
        })*
    };
}

subjects! {
    vigil_domain::account::Account => views::account::TYPE,
    vigil_store::AccountType => views::account_type::TYPE,
    vigil_domain::case::Case => views::case::TYPE,
    vigil_domain::case::CaseComment => views::case::COMMENT,
    vigil_domain::case::CaseTemplate => views::case::TEMPLATE,
    vigil_domain::case::CaseQueue => views::case::QUEUE,
    vigil_domain::inquiry::Inquiry => views::inquiry::TYPE,
    vigil_domain::inquiry::session::InquirySession => views::inquiry::SESSION,
    vigil_domain::inquiry::template::InquiryTemplate => views::inquiry::TEMPLATE,
    vigil_domain::document::Document => views::document::TYPE,
    vigil_domain::list::List => views::list::LIST,
    vigil_domain::list::ListItem => views::list::LIST_ITEM,
    vigil_domain::report::Report => views::report::TYPE,
    vigil_domain::rule::FlaggingRule => rules::TYPE,
    vigil_domain::webhook::Webhook => views::webhook::TYPE,
    vigil_domain::verification::Verification => views::verification::SUBJECT,
    vigil_domain::theme::ThemeSet => views::theme::TYPE,
}

/// Record an event about `subject` by `acting.actor` (the subject stored as a snapshot in
/// vigil's internal form, rendered in each reader's version), in the same transaction as
/// the change it describes.
pub fn record<S: Subject>(
    tx: &mut dyn WriteTx,
    acting: &Acting,
    name: &str,
    subject: &S,
    context: Option<Value>,
) -> Outcome<()> {
    let event = Event {
        id: ids::new_time_ordered_id(prefix::EVENT, acting.now),
        name: name.to_string(),
        object_id: subject.subject_id().to_string(),
        object_type: S::TYPE.to_string(),
        snapshot: serde_json::to_value(subject).map_err(|e| Refusal::Internal(e.to_string()))?,
        context,
        created_at: acting.now,
        actor: Some(acting.actor.clone()),
    };
    tx.insert_event(&acting.env, &event)?;
    Ok(())
}

/// Replace the snapshot in every event about `object_id` with `object` as it is now
/// (redaction: what was removed leaves the event log too).
pub fn replace_snapshots(
    tx: &mut dyn WriteTx,
    env: &str,
    object_id: &str,
    object: &impl serde::Serialize,
) -> Outcome<()> {
    let snapshot = serde_json::to_value(object).map_err(|e| Refusal::Internal(e.to_string()))?;
    tx.rewrite_event_snapshots(env, object_id, &mut |s| *s = snapshot.clone())?;
    Ok(())
}
