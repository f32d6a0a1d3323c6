//! Person and organisation name matching.

pub mod index;
pub mod jaro;
pub mod phonetic;
pub mod prepare;
pub mod score;

pub use index::{Hit, NameIndex, Slot};
pub use prepare::{prepare, PreparedName};
pub use score::{score, score_only, NameScore};
