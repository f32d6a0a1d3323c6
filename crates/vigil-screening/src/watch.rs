//! A watchlist: entries (list items, sanctioned parties, or the subjects being monitored)
//! that a subject is screened against, fuzzily by name and exactly by keys.
//!
//! The same structure answers both directions of continuous screening: "what does this
//! account match?" (entries are list items and parties, the subject is the account) and
//! "which accounts does this new list item match?" (entries are the monitored subjects,
//! the subject is the new item). Keys are namespaced strings built by [`keys`], so an
//! email on one side meets the same email, or its domain, on the other.

use rustc_hash::FxHashMap;

use crate::name::index::{NameIndex, Slot};
use crate::name::prepare::prepare;
use crate::name::score::{score_with, Explanation, WordCounts};

/// Most name hits looked at per name of the subject.
const NAME_HIT_LIMIT: usize = 64;

/// What is screened: names (aliases), exact keys, and a year of birth when known.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Subject {
    pub names: Vec<String>,
    pub keys: Vec<String>,
    pub birth_year: Option<i32>,
}

/// How an entry matched.
#[derive(Debug, Clone, PartialEq)]
pub enum On {
    /// By name: the subject's name, the entry's (prepared) name, and why they scored.
    Name {
        query: String,
        matched: String,
        explanation: Explanation,
    },
    /// By an exact key (`email:…`, `domain:…`, `phone:…`, `country:…`, `id:…`).
    Key(String),
}

/// One matching entry: the best of its names, or a key they share.
#[derive(Debug, Clone, PartialEq)]
pub struct Match<'a, T> {
    pub owner: &'a str,
    pub payload: &'a T,
    pub score: f64,
    pub on: On,
}

struct Entry<T> {
    owner: String,
    payload: T,
    slots: Vec<Slot>,
    keys: Vec<String>,
    birth_years: Vec<i32>,
}

/// Tombstones in the name index below this never trigger a rebuild.
const COMPACT_AFTER: usize = 1024;

/// Entries by owner id (a list item id, `source:party`, an account id).
pub struct Watchlist<T> {
    names: NameIndex<u32>,
    keys: FxHashMap<String, Vec<u32>>,
    entries: Vec<Option<Entry<T>>>,
    free: Vec<u32>,
    by_owner: FxHashMap<String, u32>,
}

impl<T> Default for Watchlist<T> {
    fn default() -> Self {
        Watchlist {
            names: NameIndex::new(),
            keys: FxHashMap::default(),
            entries: Vec::new(),
            free: Vec::new(),
            by_owner: FxHashMap::default(),
        }
    }
}

impl<T> Watchlist<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Live entries.
    pub fn len(&self) -> usize {
        self.by_owner.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_owner.is_empty()
    }

    pub fn contains(&self, owner: &str) -> bool {
        self.by_owner.contains_key(owner)
    }

    pub fn get(&self, owner: &str) -> Option<&T> {
        let at = *self.by_owner.get(owner)?;
        self.entries[at as usize].as_ref().map(|e| &e.payload)
    }

    /// Add an entry, replacing the one with the same owner (so replaying a change is
    /// harmless). Names without letters or digits are skipped.
    pub fn insert(
        &mut self,
        owner: &str,
        payload: T,
        names: &[String],
        keys: Vec<String>,
        birth_years: Vec<i32>,
    ) {
        self.remove(owner);
        let at = match self.free.pop() {
            Some(at) => at,
            None => {
                self.entries.push(None);
                u32::try_from(self.entries.len() - 1).expect("fewer than 4 billion entries")
            }
        };
        let slots = names
            .iter()
            .filter_map(|name| self.names.insert(&prepare(name), at))
            .collect();
        for key in &keys {
            self.keys.entry(key.clone()).or_default().push(at);
        }
        self.entries[at as usize] = Some(Entry {
            owner: owner.to_string(),
            payload,
            slots,
            keys,
            birth_years,
        });
        self.by_owner.insert(owner.to_string(), at);
    }

    /// Remove an owner's entry; returns its payload.
    pub fn remove(&mut self, owner: &str) -> Option<T> {
        let at = self.by_owner.remove(owner)?;
        let entry = self.entries[at as usize].take()?;
        for slot in &entry.slots {
            self.names.remove(*slot);
        }
        for key in &entry.keys {
            if let Some(list) = self.keys.get_mut(key) {
                list.retain(|&e| e != at);
                if list.is_empty() {
                    self.keys.remove(key);
                }
            }
        }
        self.free.push(at);
        // Replacing entries (every account update) leaves tombstones in the name index:
        // rebuild it once they outnumber the live names, so memory follows what is
        // watched, not how often it changed.
        if self.names.tombstones() > self.names.len().max(COMPACT_AFTER) {
            let moved = self.names.compact();
            for entry in self.entries.iter_mut().flatten() {
                entry.slots = entry
                    .slots
                    .iter()
                    .filter_map(|slot| moved[*slot as usize])
                    .collect();
            }
        }
        Some(entry.payload)
    }

    /// Names held by the name index, removed ones included (for tests and metrics).
    pub fn name_slots(&self) -> usize {
        self.names.len() + self.names.tombstones()
    }

    /// Every live entry's owner and payload.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &T)> {
        self.entries
            .iter()
            .flatten()
            .map(|e| (e.owner.as_str(), &e.payload))
    }

    /// The entries `subject` matches: by name at `threshold` or above (not when both
    /// sides give years of birth more than a year apart), or by a shared key. One match
    /// per entry by name (its best alias) and one per shared key; best first.
    pub fn screen(&self, subject: &Subject, threshold: f64) -> Vec<Match<'_, T>> {
        let mut best: FxHashMap<u32, (f64, String, Slot)> = FxHashMap::default();
        for name in &subject.names {
            let query = prepare(name);
            if query.is_empty() {
                continue;
            }
            for hit in self.names.search(&query, threshold, NAME_HIT_LIMIT) {
                let at = *hit.payload;
                if let (Some(year), Some(entry)) =
                    (subject.birth_year, self.entries[at as usize].as_ref())
                {
                    if !entry.birth_years.is_empty()
                        && !entry.birth_years.iter().any(|y| (y - year).abs() <= 1)
                    {
                        continue;
                    }
                }
                let better = best.get(&at).is_none_or(|(score, ..)| hit.score > *score);
                if better {
                    best.insert(at, (hit.score, name.clone(), hit.slot));
                }
            }
        }
        let mut out: Vec<Match<'_, T>> = Vec::new();
        for (at, (_, name, slot)) in best {
            let Some(entry) = self.entries[at as usize].as_ref() else {
                continue;
            };
            let matched = self.names.tokens(slot);
            let counts: &dyn WordCounts = &self.names;
            let scored = score_with(&prepare(&name), &self.names.name(slot), Some(counts));
            out.push(Match {
                owner: &entry.owner,
                payload: &entry.payload,
                score: scored.score,
                on: On::Name {
                    query: name,
                    matched: matched.to_string(),
                    explanation: scored.explanation,
                },
            });
        }
        for key in &subject.keys {
            for &at in self.keys.get(key).into_iter().flatten() {
                if let Some(entry) = self.entries[at as usize].as_ref() {
                    out.push(Match {
                        owner: &entry.owner,
                        payload: &entry.payload,
                        score: 1.0,
                        on: On::Key(key.clone()),
                    });
                }
            }
        }
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.owner.cmp(b.owner)));
        out
    }
}

/// The exact keys a value files under. Both sides of a screening build them here, so they
/// meet.
pub mod keys {
    use crate::values::{email, id_number, phone};

    /// An address files under itself (canonical) and under its domain and every parent
    /// domain, so a `domain` list item for `example.com` meets `a@mail.example.com`.
    pub fn email_address(input: &str) -> Vec<String> {
        let Ok(parsed) = email::address(input) else {
            return Vec::new();
        };
        let mut keys = vec![format!("email:{}", parsed.canonical)];
        let mut domain = parsed.domain.as_str();
        loop {
            keys.push(email_domain(domain));
            match domain.split_once('.') {
                Some((_, parent)) if parent.contains('.') => domain = parent,
                _ => break,
            }
        }
        keys
    }

    /// The key of an address already canonical (a stored list item's).
    pub fn canonical_email(canonical: &str) -> String {
        format!("email:{canonical}")
    }

    pub fn email_domain(domain: &str) -> String {
        format!("domain:{domain}")
    }

    pub fn phone_number(input: &str, default_country: Option<&str>) -> Option<String> {
        phone::e164(input, default_country)
            .ok()
            .map(|e164| format!("phone:{e164}"))
    }

    pub fn country(code: &str) -> String {
        format!("country:{}", code.to_ascii_uppercase())
    }

    /// A subject's id number files under its class and under "any class"; a list item
    /// gives one of the two, so an item without a class meets every class.
    pub fn id_numbers(class: Option<&str>, number: &str) -> Vec<String> {
        let Ok(number) = id_number::number(number) else {
            return Vec::new();
        };
        let mut keys = vec![format!("id::{number}")];
        if let Some(class) = class.and_then(|c| id_number::class(c).ok()) {
            keys.push(format!("id:{class}:{number}"));
        }
        keys
    }

    /// A list item's id number key (normalised already).
    pub fn listed_id_number(class: Option<&str>, number: &str) -> String {
        format!("id:{}:{number}", class.unwrap_or(""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(name: &str) -> Subject {
        Subject {
            names: vec![name.to_string()],
            ..Subject::default()
        }
    }

    #[test]
    fn screens_by_name_and_explains() {
        let mut list = Watchlist::new();
        list.insert("a", 1, &["Joe Imposter".into()], vec![], vec![]);
        list.insert("b", 2, &["Maria Garcia".into()], vec![], vec![]);
        let hits = list.screen(&subject("IMPOSTER, Joseph"), 0.85);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].owner, "a");
        match &hits[0].on {
            On::Name { matched, .. } => assert_eq!(matched, "joe imposter"),
            other => panic!("matched on {other:?}"),
        }
        assert!(list.screen(&subject("John Smith"), 0.85).is_empty());
    }

    #[test]
    fn best_alias_only_and_birth_years_exclude() {
        let mut list = Watchlist::new();
        list.insert(
            "p",
            (),
            &["Usama bin Ladin".into(), "Osama bin Laden".into()],
            vec![],
            vec![1957],
        );
        let mut s = subject("Osama bin Laden");
        assert_eq!(list.screen(&s, 0.85).len(), 1, "one match per entry");
        s.birth_year = Some(1958);
        assert_eq!(list.screen(&s, 0.85).len(), 1, "a year apart still matches");
        s.birth_year = Some(1990);
        assert!(list.screen(&s, 0.85).is_empty());
    }

    #[test]
    fn keys_meet_across_sides() {
        let mut list = Watchlist::new();
        list.insert(
            "dom",
            (),
            &[],
            vec![keys::email_domain("example.com")],
            vec![],
        );
        list.insert(
            "addr",
            (),
            &[],
            vec![keys::canonical_email("joe@gmail.com")],
            vec![],
        );
        list.insert(
            "id",
            (),
            &[],
            vec![keys::listed_id_number(None, "AB123")],
            vec![],
        );
        let s = Subject {
            keys: [
                keys::email_address("J.O.E+x@Gmail.com"),
                keys::email_address("x@mail.example.com"),
                keys::id_numbers(Some("pp"), "ab-123"),
            ]
            .concat(),
            ..Subject::default()
        };
        let mut owners: Vec<&str> = list.screen(&s, 0.85).iter().map(|m| m.owner).collect();
        owners.sort();
        assert_eq!(owners, ["addr", "dom", "id"]);
    }

    #[test]
    fn replacing_entries_does_not_grow_the_name_index() {
        let mut list = Watchlist::new();
        list.insert("other", 0, &["Maria Garcia".into()], vec![], vec![]);
        for n in 0..5_000 {
            let name = if n % 2 == 0 {
                "Joe Imposter"
            } else {
                "Jane Doe"
            };
            list.insert("a", n, &[name.into()], vec![], vec![]);
        }
        assert!(
            list.name_slots() <= 2 * (COMPACT_AFTER + 2),
            "{}",
            list.name_slots()
        );
        // The last version of "a" (Jane Doe) is found, the earlier one is not, and the
        // entry that never changed survived every rebuild.
        fn found(list: &Watchlist<i32>, name: &str) -> Vec<i32> {
            let matches = list.screen(&subject(name), 0.85);
            matches.iter().map(|m| *m.payload).collect()
        }
        assert_eq!(found(&list, "Jane Doe"), [4_999]);
        assert!(found(&list, "Joe Imposter").is_empty());
        assert_eq!(found(&list, "Maria Garcia"), [0]);
        assert_eq!(list.remove("a"), Some(4_999));
        assert!(found(&list, "Jane Doe").is_empty());
    }

    #[test]
    fn replace_and_remove() {
        let mut list = Watchlist::new();
        list.insert(
            "a",
            1,
            &["Joe Imposter".into()],
            vec!["country:KP".into()],
            vec![],
        );
        list.insert("a", 2, &["Ann Other".into()], vec![], vec![]);
        assert_eq!(list.len(), 1);
        assert!(list.screen(&subject("Joe Imposter"), 0.85).is_empty());
        assert_eq!(list.screen(&subject("Ann Other"), 0.85)[0].payload, &2);
        assert_eq!(list.remove("a"), Some(2));
        assert!(list.screen(&subject("Ann Other"), 0.85).is_empty());
        assert!(list.is_empty());
    }
}
