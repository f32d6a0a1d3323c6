//! The name index: which stored names might match a query, without a full scan.
//!
//! Every token of a stored name is filed under two keys: its phonetic key (sound-alikes:
//! "mohammed" / "muhammad") and its consonant skeleton, the sorted set of its consonants
//! (typos that swap letters or change vowels: "smith" / "smtih"). A query gathers the
//! posting lists of its tokens' keys and marks, per stored name, which query tokens
//! hit it. A stored name becomes a candidate when it was hit by two query tokens (or all
//! of them, for one-token names), or by any token whose postings are rare enough that
//! one hit already means something. Only candidates are scored.
//!
//! Names are stored compactly (the prepared tokens in one shared text buffer), so a
//! million names take tens of megabytes. Removal leaves a tombstone; the index compacts
//! itself when tombstones outnumber live names.

use std::cell::RefCell;
use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHasher};

use super::prepare::PreparedName;
use super::score::score_tokens;
use super::{nicknames, phonetic};

/// Posting lists this short make a single hit worth scoring.
const RARE_POSTINGS: usize = 4096;

/// Index position of a stored name.
pub type Slot = u32;

/// A scored candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit<'a, T> {
    pub slot: Slot,
    pub payload: &'a T,
    pub score: f64,
}

pub struct NameIndex<T> {
    /// Every stored name's tokens, space-separated, one after another.
    text: String,
    /// Where each slot's text starts in `text` (ends where the next starts).
    starts: Vec<u32>,
    token_counts: Vec<u8>,
    payloads: Vec<Option<T>>,
    postings: FxHashMap<u64, Vec<Slot>>,
    live: usize,
}

impl<T> Default for NameIndex<T> {
    fn default() -> Self {
        NameIndex {
            text: String::new(),
            starts: vec![0],
            token_counts: Vec::new(),
            payloads: Vec::new(),
            postings: FxHashMap::default(),
            live: 0,
        }
    }
}

fn hash_key(tag: u8, bytes: &[u8]) -> u64 {
    let mut hasher = FxHasher::default();
    hasher.write_u8(tag);
    hasher.write(bytes);
    hasher.finish()
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// The retrieval keys of a token: its phonetic key, the same without its first sound
/// (a typo in the first letter) and cut to three sounds (a typo at the end: "roberts"),
/// its consonant skeleton, and those of its rest when it starts with a glued-on Arabic
/// article ("alqaida" files under "qaida").
pub fn token_keys(token: &str) -> Vec<u64> {
    let phonetic = phonetic::key(token.as_bytes());
    let mut keys = keys_of(token, &phonetic).to_vec();
    if phonetic.len() >= 3 {
        keys.push(hash_key(b't', &phonetic[1..]));
        keys.push(hash_key(b'3', &phonetic[..3]));
    }
    if let Some(rest) = ["al", "el"]
        .iter()
        .find_map(|a| token.strip_prefix(a))
        .filter(|r| r.len() >= 4)
    {
        keys.extend(keys_of(rest, &phonetic::key(rest.as_bytes())));
    }
    keys
}

/// The phonetic key (computed by the caller, who needs it too) and consonant skeleton.
fn keys_of(token: &str, phonetic: &[u8]) -> [u64; 2] {
    let bytes = token.as_bytes();
    let mut skeleton: Vec<u8> = bytes.iter().copied().filter(|&b| !is_vowel(b)).collect();
    skeleton.sort_unstable();
    skeleton.dedup();
    if skeleton.is_empty() {
        skeleton = bytes.to_vec();
    }
    [hash_key(b'p', phonetic), hash_key(b's', &skeleton)]
}

/// Tokens worth retrieving by: initials would match half the index.
fn retrievable(token: &str) -> bool {
    token.len() >= 2
}

thread_local! {
    /// Per-slot bit masks of the query tokens that hit it, reused across queries.
    static HITS: RefCell<(Vec<u32>, Vec<Slot>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

impl<T> NameIndex<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Live names.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// The prepared tokens stored at `slot`, space-separated.
    pub fn tokens(&self, slot: Slot) -> &str {
        let (start, end) = (self.starts[slot as usize], self.starts[slot as usize + 1]);
        &self.text[start as usize..end as usize]
    }

    pub fn payload(&self, slot: Slot) -> Option<&T> {
        self.payloads.get(slot as usize)?.as_ref()
    }

    /// Store a name; returns its slot, or `None` when the name has no tokens.
    pub fn insert(&mut self, name: &PreparedName, payload: T) -> Option<Slot> {
        if name.is_empty() {
            return None;
        }
        let slot = Slot::try_from(self.payloads.len()).expect("fewer than 4 billion names");
        let joined = name.tokens.join(" ");
        self.text.push_str(&joined);
        self.starts
            .push(u32::try_from(self.text.len()).expect("name text under 4 GiB"));
        self.token_counts.push(name.tokens.len().min(255) as u8);
        self.payloads.push(Some(payload));
        for token in name.tokens.iter().filter(|t| retrievable(t)) {
            for key in token_keys(token) {
                let list = self.postings.entry(key).or_default();
                if list.last() != Some(&slot) {
                    list.push(slot);
                }
            }
        }
        self.live += 1;
        Some(slot)
    }

    /// Remove the name at `slot`; returns its payload.
    pub fn remove(&mut self, slot: Slot) -> Option<T> {
        let payload = self.payloads.get_mut(slot as usize)?.take()?;
        self.live -= 1;
        Some(payload)
    }

    /// Names whose score against `query` is at least `threshold`, best first, at most `limit`.
    pub fn search(&self, query: &PreparedName, threshold: f64, limit: usize) -> Vec<Hit<'_, T>> {
        let query_tokens: Vec<&str> = query.tokens.iter().map(String::as_str).collect();
        let mut hits = Vec::new();
        let mut distinct: Vec<&str> = query_tokens
            .iter()
            .copied()
            .filter(|t| retrievable(t))
            .collect();
        distinct.sort_unstable();
        distinct.dedup();
        distinct.truncate(32);
        if distinct.is_empty() {
            return hits;
        }
        let need = distinct.len().min(2) as u32;
        HITS.with(|cell| {
            let (masks, touched) = &mut *cell.borrow_mut();
            if masks.len() < self.payloads.len() {
                masks.resize(self.payloads.len(), 0);
            }
            let mut rare = 0u32;
            for (bit, token) in distinct.iter().enumerate() {
                // A nickname also looks for its given name ("bob" for "robert").
                let mut keys = token_keys(token);
                if let Some(given) = nicknames::given_name_of(token) {
                    keys.extend(token_keys(given));
                }
                keys.sort_unstable();
                keys.dedup();
                let lists: Vec<&Vec<Slot>> =
                    keys.iter().filter_map(|k| self.postings.get(k)).collect();
                if lists.iter().map(|l| l.len()).sum::<usize>() <= RARE_POSTINGS {
                    rare |= 1 << bit;
                }
                for list in lists {
                    for &slot in list {
                        let mask = &mut masks[slot as usize];
                        if *mask == 0 {
                            touched.push(slot);
                        }
                        *mask |= 1 << bit;
                    }
                }
            }
            let mut tokens: Vec<&str> = Vec::with_capacity(8);
            for &slot in touched.iter() {
                let mask = std::mem::take(&mut masks[slot as usize]);
                let Some(payload) = self.payloads[slot as usize].as_ref() else {
                    continue;
                };
                let enough =
                    mask.count_ones() >= need.min(u32::from(self.token_counts[slot as usize]));
                if !enough && mask & rare == 0 {
                    continue;
                }
                tokens.clear();
                tokens.extend(self.tokens(slot).split(' '));
                let score = score_tokens(&query_tokens, &tokens);
                if score >= threshold {
                    hits.push(Hit {
                        slot,
                        payload,
                        score,
                    });
                }
            }
            touched.clear();
        });
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.slot.cmp(&b.slot)));
        hits.truncate(limit);
        hits
    }

    /// Heap bytes held by the index, roughly (for the benchmark's memory report).
    pub fn heap_bytes(&self) -> usize {
        let postings: usize = self
            .postings
            .values()
            .map(|l| l.capacity() * 4 + 8 + 24)
            .sum();
        self.text.capacity()
            + self.starts.capacity() * 4
            + self.token_counts.capacity()
            + self.payloads.capacity() * std::mem::size_of::<Option<T>>()
            + postings
    }
}

#[cfg(test)]
mod tests {
    use super::super::prepare::prepare;
    use super::*;
    use proptest::prelude::*;

    fn index(names: &[&str]) -> NameIndex<usize> {
        let mut index = NameIndex::new();
        for (i, name) in names.iter().enumerate() {
            index.insert(&prepare(name), i);
        }
        index
    }

    fn found(index: &NameIndex<usize>, query: &str) -> Vec<usize> {
        index
            .search(&prepare(query), 0.85, 10)
            .iter()
            .map(|h| *h.payload)
            .collect()
    }

    #[test]
    fn finds_variants_and_not_strangers() {
        let idx = index(&[
            "Usama bin Ladin",
            "John Alexander Smith",
            "Joe Imposter",
            "Jane Doe",
        ]);
        assert_eq!(found(&idx, "Osama Bin Laden"), [0]);
        assert_eq!(found(&idx, "SMITH, John"), [1]);
        assert_eq!(found(&idx, "Joe Impostor"), [2]);
        assert_eq!(
            index(&["Al-Qaida"])
                .search(&prepare("Alqaida"), 0.85, 10)
                .len(),
            1
        );
        assert_eq!(found(&idx, "Joe Bloggs"), Vec::<usize>::new());
        assert_eq!(found(&idx, ""), Vec::<usize>::new());
    }

    #[test]
    fn removed_names_are_not_found() {
        let mut idx = index(&["Joe Imposter"]);
        assert_eq!(idx.remove(0), Some(0));
        assert_eq!(idx.remove(0), None);
        assert!(found(&idx, "Joe Imposter").is_empty());
        assert_eq!(idx.len(), 0);
    }

    proptest! {
        // The index may only skip names that could not have matched: whatever a full scan
        // finds above the threshold for a typo'd query, the index finds too, as long as
        // the typo leaves one token of a two-token name intact.
        #[test]
        fn agrees_with_a_full_scan(
            names in proptest::collection::vec("[a-z]{3,8} [a-z]{3,9}", 1..60),
            pick in 0usize..60,
            typo_at in 0usize..8,
        ) {
            let idx = index(&names.iter().map(String::as_str).collect::<Vec<_>>());
            let target = &names[pick % names.len()];
            let mut query: Vec<u8> = target.clone().into_bytes();
            let at = typo_at % target.find(' ').unwrap();
            query[at] = if query[at] == b'z' { b'a' } else { query[at] + 1 };
            let query = prepare(std::str::from_utf8(&query).unwrap());
            let scan: Vec<usize> = names.iter().enumerate()
                .filter(|(_, n)| super::super::score::score_only(&query, &prepare(n)) >= 0.85)
                .map(|(i, _)| i).collect();
            let mut got: Vec<usize> = idx.search(&query, 0.85, 100).iter().map(|h| *h.payload).collect();
            got.sort_unstable();
            prop_assert_eq!(got, scan);
        }
    }
}
