//! The name index: which stored names might match a query, without a full scan.
//!
//! Every token of a stored name is filed under several keys: its phonetic key
//! (sound-alikes: "mohammed" / "muhammad"), its consonant skeleton, the sorted set of its
//! consonants (swapped letters, vowel typos: "smith" / "smtih"), and the skeleton with a
//! consonant left out (a consonant added, dropped or changed). A nickname is also filed under its given name. A query looks its tokens' keys
//! up and marks, per stored name, which query tokens hit it, strongly (same sound, same
//! consonants) or weakly (one typo away).
//!
//! Scoring pairs every token of the shorter name or gives 0, so a stored name becomes a
//! candidate only when (nearly) every token of the shorter side hit: all of them, or all
//! but one when a hit came through a rare token. At most one of the hits may be weak
//! (one typo'd token; several weak hits are a coincidence of keys). Candidates whose best
//! possible score, from the lengths of the tokens that hit ([`score_bound`]), is under
//! the threshold are skipped; the rest are scored. With two or more query tokens a
//! candidate needs a strong hit, so weak keys only add to names strong keys found.
//!
//! Names are stored compactly (the prepared tokens in one shared text buffer), so a
//! million names take about a hundred megabytes with their postings. Removal leaves a
//! tombstone.

use std::cell::RefCell;
use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHasher};

use super::prepare::PreparedName;
use super::score::{score_bound, score_tokens};
use super::{nicknames, phonetic};

/// Posting lists this short make a single hit worth scoring.
const RARE_POSTINGS: usize = 64;

/// Index position of a stored name.
pub type Slot = u32;

/// A posting: the slot in the low 28 bits, the token's position in the name in the top
/// four (positions past 14 share 15), so a query can tell whether two of its tokens hit
/// the same token of a name or two different ones.
type Posting = u32;
const POSITION_SHIFT: u32 = 28;
const SLOT_MASK: u32 = (1 << POSITION_SHIFT) - 1;
/// Names with more tokens than positions can tell apart skip that check.
const MAX_POSITIONS: usize = 15;

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
    /// Distinct retrievable tokens of each slot: how many query tokens must hit it.
    token_counts: Vec<u8>,
    payloads: Vec<Option<T>>,
    postings: FxHashMap<u64, Vec<Posting>>,
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

/// A stored token's retrieval keys: its phonetic key, its consonant skeleton (the sorted
/// set of its consonants: swapped letters and vowel typos) and, for three or more
/// consonants, the skeleton with each consonant left out (a query skeleton one consonant
/// away meets one of them: "roberts" / "robert", "sanders" / "janders"), and all of those
/// for its rest when it starts with a glued-on Arabic article ("alqaida" files under
/// "qaida").
pub fn token_keys(token: &str) -> Vec<u64> {
    let mut keys = Vec::new();
    for_each_form(token, |phonetic, skeleton| {
        keys.push(hash_key(b'p', phonetic));
        keys.push(hash_key(b's', skeleton));
        for_each_deletion(skeleton, |shorter| keys.push(hash_key(b'd', shorter)));
    });
    keys
}

/// A query token's keys, as (strong, weak). Strong keys find the same sound or the same
/// consonants; weak ones find one typo away (a consonant added, dropped or changed). A name hit only weakly by several query tokens is
/// a coincidence of keys far more often than a match.
pub fn query_keys(token: &str) -> (Vec<u64>, Vec<u64>) {
    let (mut strong, mut weak) = (Vec::new(), Vec::new());
    for_each_form(token, |phonetic, skeleton| {
        strong.push(hash_key(b'p', phonetic));
        strong.push(hash_key(b's', skeleton));
        // The stored token has one consonant more, one less, or one different.
        weak.push(hash_key(b'd', skeleton));
        for_each_deletion(skeleton, |shorter| {
            weak.push(hash_key(b's', shorter));
            weak.push(hash_key(b'd', shorter));
        });
    });
    (strong, weak)
}

/// Call `visit` with the phonetic key and consonant skeleton of the token, and of its
/// rest after a glued-on article.
fn for_each_form(token: &str, mut visit: impl FnMut(&[u8], &[u8])) {
    visit(&phonetic::key(token.as_bytes()), &skeleton(token));
    if let Some(rest) = ["al", "el"]
        .iter()
        .find_map(|a| token.strip_prefix(a))
        .filter(|r| r.len() >= 4)
    {
        visit(&phonetic::key(rest.as_bytes()), &skeleton(rest));
    }
}

/// The sorted, distinct consonants of a token (the token itself if it has none).
fn skeleton(token: &str) -> Vec<u8> {
    let bytes = token.as_bytes();
    let mut skeleton: Vec<u8> = bytes.iter().copied().filter(|&b| !is_vowel(b)).collect();
    skeleton.sort_unstable();
    skeleton.dedup();
    if skeleton.is_empty() {
        skeleton = bytes.to_vec();
    }
    skeleton
}

/// The skeleton with each of its consonants left out, for skeletons of three or more.
fn for_each_deletion(skeleton: &[u8], mut visit: impl FnMut(&[u8])) {
    if skeleton.len() < 3 {
        return;
    }
    let mut shorter = Vec::with_capacity(skeleton.len() - 1);
    for left_out in 0..skeleton.len() {
        shorter.clear();
        shorter.extend_from_slice(&skeleton[..left_out]);
        shorter.extend_from_slice(&skeleton[left_out + 1..]);
        visit(&shorter);
    }
}

/// Tokens worth retrieving by: initials would match half the index.
fn retrievable(token: &str) -> bool {
    token.len() >= 2
}

thread_local! {
    /// Per-slot bit masks of the query tokens that hit it, reused across queries.
    static HITS: RefCell<(Vec<u64>, Vec<Slot>)> = const { RefCell::new((Vec::new(), Vec::new())) };
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
        let slot = Slot::try_from(self.payloads.len())
            .ok()
            .filter(|s| *s <= SLOT_MASK)
            .expect("fewer than 268 million names");
        let joined = name.tokens.join(" ");
        self.text.push_str(&joined);
        self.starts
            .push(u32::try_from(self.text.len()).expect("name text under 4 GiB"));
        let mut retrievable_tokens: Vec<&str> = name
            .tokens
            .iter()
            .map(String::as_str)
            .filter(|t| retrievable(t))
            .collect();
        retrievable_tokens.sort_unstable();
        retrievable_tokens.dedup();
        self.token_counts
            .push(retrievable_tokens.len().clamp(1, 255) as u8);
        self.payloads.push(Some(payload));
        for (position, token) in name.tokens.iter().enumerate() {
            if !retrievable(token) {
                continue;
            }
            let posting = slot | ((position.min(MAX_POSITIONS) as u32) << POSITION_SHIFT);
            let mut keys = token_keys(token);
            // A nickname is also filed under its given name ("joe" under "joseph").
            if let Some(given) = nicknames::given_name_of(token) {
                keys.extend(token_keys(given));
            }
            for key in keys {
                let list = self.postings.entry(key).or_default();
                if list.last() != Some(&posting) {
                    list.push(posting);
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
        distinct.truncate(24);
        if distinct.is_empty() {
            return hits;
        }
        let query_count = distinct.len() as u32;
        // For the score bound: the query's length, the part of it initials make up (they
        // pair without keys), and how often each distinct token repeats.
        let query_total: usize = query_tokens.iter().map(|t| t.len()).sum();
        let unkeyed = query_tokens.iter().filter(|t| !retrievable(t));
        let (unkeyed_count, unkeyed_length) =
            unkeyed.fold((0, 0), |(n, l), t| (n + 1, l + t.len()));
        let bit_repeats: Vec<usize> = distinct
            .iter()
            .map(|d| query_tokens.iter().filter(|t| *t == d).count())
            .collect();
        HITS.with(|cell| {
            let (masks, touched) = &mut *cell.borrow_mut();
            if masks.len() < self.payloads.len() {
                masks.resize(self.payloads.len(), 0);
            }
            let mut rare = 0u32;
            let mut per_token = Vec::with_capacity(distinct.len());
            for (bit, token) in distinct.iter().enumerate() {
                let (mut strong, mut weak) = query_keys(token);
                // A nickname also looks for its given name ("bob" for "robert").
                if let Some(given) = nicknames::given_name_of(token) {
                    let (given_strong, given_weak) = query_keys(given);
                    strong.extend(given_strong);
                    weak.extend(given_weak);
                }
                strong.sort_unstable();
                strong.dedup();
                weak.sort_unstable();
                weak.dedup();
                weak.retain(|k| strong.binary_search(k).is_err());
                let lists = |keys: &[u64]| -> Vec<&Vec<Posting>> {
                    keys.iter().filter_map(|k| self.postings.get(k)).collect()
                };
                let (strong_lists, weak_lists) = (lists(&strong), lists(&weak));
                // Rare: few names share the token's own sound or consonants.
                if strong_lists.iter().map(|l| l.len()).sum::<usize>() <= RARE_POSTINGS {
                    rare |= 1 << bit;
                }
                per_token.push((bit, strong_lists, weak_lists));
            }
            // A slot's mask: bits 0-23 the query tokens that hit it, 24-47 those that hit
            // it strongly, 48-63 the positions of its tokens that were hit. Strong hits
            // first: with two or more query tokens a name needs one (it may miss or weakly
            // hit one token only), so weak hits then only add to names already touched.
            let weak_may_touch = distinct.len() == 1;
            let position_bit = |posting: Posting| 1u64 << (48 + (posting >> POSITION_SHIFT));
            for (bit, strong_lists, _) in &per_token {
                let bits = (1u64 << bit) | (1u64 << (bit + 24));
                for list in strong_lists {
                    for &posting in list.iter() {
                        let slot = posting & SLOT_MASK;
                        let mask = &mut masks[slot as usize];
                        if *mask == 0 {
                            touched.push(slot);
                        }
                        *mask |= bits | position_bit(posting);
                    }
                }
            }
            for (bit, _, weak_lists) in &per_token {
                for list in weak_lists {
                    for &posting in list.iter() {
                        let slot = posting & SLOT_MASK;
                        let mask = &mut masks[slot as usize];
                        if *mask == 0 {
                            if !weak_may_touch {
                                continue;
                            }
                            touched.push(slot);
                        }
                        *mask |= (1u64 << bit) | position_bit(posting);
                    }
                }
            }
            let mut tokens: Vec<&str> = Vec::with_capacity(8);
            let mut lengths: Vec<usize> = Vec::with_capacity(8);
            for &slot in touched.iter() {
                let mask = std::mem::take(&mut masks[slot as usize]);
                let Some(payload) = self.payloads[slot as usize].as_ref() else {
                    continue;
                };
                let any = (mask & 0xFF_FFFF) as u32;
                let strong = ((mask >> 24) & 0xFF_FFFF) as u32;
                let positions = (mask >> 48).count_ones();
                // Scoring pairs every token of the shorter name or scores 0, so a name
                // can only match when (nearly) all of the shorter side's tokens hit.
                // One miss is forgiven when a hit came through a rare token (a typo no
                // key caught); one token hit only weakly (a typo) is fine, more is a
                // coincidence of keys.
                let hit_count = any.count_ones();
                let required = query_count.min(u32::from(self.token_counts[slot as usize]));
                if hit_count < required && !(hit_count + 1 >= required && any & rare != 0) {
                    continue;
                }
                // As many of the name's own tokens must have been hit (two query tokens
                // hitting one name token make one pair, not two), unless it is too long to
                // tell its positions apart.
                if positions < required
                    && !(positions + 1 >= required && any & rare != 0)
                    && self.tokens(slot).split(' ').count() <= MAX_POSITIONS
                {
                    continue;
                }
                if (any & !strong).count_ones() > 1 {
                    continue;
                }
                tokens.clear();
                tokens.extend(self.tokens(slot).split(' '));
                lengths.clear();
                lengths.extend(tokens.iter().map(|t| t.len()));
                // Pairs form where keys hit, plus initials, plus (as the candidate rule
                // forgives) one typo'd token that no key caught, the longest one missed,
                // unless a weak hit already accounts for the typo.
                let (mut covered, mut max_pairs) = (unkeyed_length, unkeyed_count);
                let mut longest_missed = 0;
                for (bit, token) in distinct.iter().enumerate() {
                    if any & (1 << bit) != 0 {
                        covered += token.len() * bit_repeats[bit];
                        max_pairs += bit_repeats[bit];
                    } else {
                        longest_missed = longest_missed.max(token.len());
                    }
                }
                if longest_missed > 0 && any == strong {
                    covered += longest_missed;
                    max_pairs += 1;
                }
                let bound = score_bound(
                    query_tokens.len(),
                    query_total,
                    covered,
                    &mut lengths,
                    max_pairs,
                );
                // A candidate's initials pair with query tokens no key hit ("j" / "john"):
                // the bound only holds for names without them.
                if bound < threshold && !lengths.contains(&1) {
                    continue;
                }
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
