//! Caller-fault errors that name the offending field.

/// A problem with one field of a request, found while validating it.
///
/// `pointer` is a JSON pointer into the request body (`/data/attributes/birthdate`) so the
/// protocol layer can render Persona's `source.pointer` and a readable `details`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{pointer}: {message}")]
pub struct FieldError {
    /// Where the offending value is: a JSON pointer into the request when the caller gave
    /// the rule one (`/meta/tag-name`), else a path relative to the object's attributes
    /// (`fields/birthdate`, `query/name-last`; `parameters/status` for an action's
    /// parameters), which the HTTP layer places in the request.
    pub pointer: String,
    /// Human-readable explanation, without the field name.
    pub message: String,
    /// Whether the value had the wrong JSON type (400) rather than an invalid value (422).
    pub wrong_type: bool,
}

impl FieldError {
    /// A well-typed value that breaks a rule (rendered as 422).
    pub fn invalid(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            pointer: pointer.into(),
            message: message.into(),
            wrong_type: false,
        }
    }

    /// A value of the wrong JSON type, or a missing required value (rendered as 400).
    pub fn bad_type(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            pointer: pointer.into(),
            message: message.into(),
            wrong_type: true,
        }
    }

    /// The pointer written the way Persona's `details` strings name fields:
    /// `/data/attributes/name-first` becomes `data.attributes.name-first` (and a relative
    /// `fields/birthdate`, `fields.birthdate`).
    pub fn dotted_path(&self) -> String {
        self.pointer.trim_start_matches('/').replace('/', ".")
    }
}
