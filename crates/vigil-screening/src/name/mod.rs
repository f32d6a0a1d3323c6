//! Person and organisation name matching.

/// Name scores at or above this are matches unless a caller says otherwise; chosen on
/// the labelled set in `tests/data/labelled_pairs.tsv` (docs/status.md has its F1 and
/// ROC AUC).
pub const DEFAULT_THRESHOLD: f64 = 0.85;

pub mod index;
pub mod jaro;
mod memo;
pub mod nicknames;
pub mod phonetic;
pub mod prepare;
pub mod score;
pub mod script;

pub use index::{set_query_threads, Hit, NameIndex, Slot};
pub use prepare::{prepare, PreparedName};
pub use score::{score, score_only, NameScore};
pub use script::Script;
