//! vigil's screening engine.
//!
//! Pure: it knows nothing of HTTP, storage or time. It turns values into comparable forms
//! (names, emails, phones, IPs, countries, places, id numbers), scores and explains
//! matches, keeps the in-memory index that answers "what does this account match?" in
//! well under a millisecond, and parses sanctions lists from readers it is handed.

pub mod name;
pub mod sources;
pub mod values;
pub mod watch;
