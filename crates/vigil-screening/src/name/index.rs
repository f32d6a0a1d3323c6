//! The name index: which stored names might match a query, without a full scan.
//!
//! Every token of a stored name is filed under several keys: its sound
//! (`phonetic::retrieval_key`: "mohammed" / "muhammad"), its consonants in order, a
//! repeat once (vowel typos: "smith" / "smyth"), and those consonants with one left out
//! (a consonant added, dropped, changed or swapped). Tokens of three consonants or fewer,
//! whose consonant keys a big index shares widely, are also filed by their letters, as
//! they are and with one letter left out ("maie" / "marie"). Tokens of four letters or
//! more are also filed by their beginning (their first five letters with one left out):
//! Jaro-Winkler forgives long words that begin alike two or three letters further on
//! ("bengoetxea" / "bengoechea"), and a word glued to the next begins as it does
//! ("pournaghshband" / "pour"); a query looks these up only where few names share them.
//! A nickname is also filed
//! under its given name. A query looks its tokens' keys up and marks, per stored name,
//! which query tokens hit it, strongly (same sound, consonants or letters) or weakly (one
//! typo away).
//!
//! Scoring pairs every token of the shorter name or gives 0, so a stored name becomes a
//! candidate only when (nearly) every token of the shorter side hit: all of them, or all
//! but one (a word two typos away, which no key reaches) when a strong hit came through a
//! rare token, or any hit through a token rare even with its typos or through a key few
//! names share. A query token's sound is also looked up with one consonant left out (a
//! consonant added to a sound-alike spelling: "gadldafi" / "qaddafi"). The hits may all be
//! weak (a typo in every token). In large indexes a key shared by more than one name in
//! 48 is crowded: in such queries it hits only weakly (it tells no more than a typo), and
//! a token filed by its letters does without its crowded consonant keys. These rules let
//! the lists of the query token with the most postings only add to names other lists
//! brought in (see `search`), as do crowded lists, and a letter-filed token's consonant
//! keys with one consonant changed (its letters reach those names one typo away). Words glued or split otherwise ("abdul rahman" / "abdulrahman") share no
//! token's keys: neighbouring query tokens are also looked up glued (one hit of the glued
//! token stands for both), and a long query token cut in two parts, names holding both
//! parts counting as hit by it. Names in Arabic, Hebrew, Han or Hangul, and queries in
//! them, are compared across scripts on less than their letters: one hit makes them a
//! candidate.
//! A token's lists that name the same names (its sound and its consonants, often) are
//! marked once, and two query tokens make a name a candidate only when they hit two of
//! its tokens (two that hit one make one pair).
//! Candidates whose best possible score, from the lengths of the tokens that hit
//! ([`score_bound`]) or from one token that pairs with nothing well enough
//! ([`certainly_below`]), is under the threshold are skipped; the rest are scored.
//!
//! A slot's marks depend on its own postings only, so in a large index a query that
//! reads many postings is marked and scored in parts of the index (ranges of slots), by
//! the calling thread and a pool of helpers together ([`NameIndex::set_threads`]): the
//! same hits, sooner.
//!
//! Names are stored compactly (the prepared tokens in one shared text buffer), so a
//! million names take under two hundred megabytes with their postings. Removal leaves a
//! tombstone, until the owner compacts the index.

use std::cell::RefCell;
use std::hash::Hasher;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use rustc_hash::{FxHashMap, FxHasher};

use super::memo::PairMemo;
use super::prepare::PreparedName;
use super::score::{
    certainly_below_by, letters_pair, score_bound, score_in_list, Comparison, Letters, WordCounts,
};
use super::script::{romanize, Script};
use super::{nicknames, phonetic};

/// A strong key's list holding more than one name in this many, and more than
/// `CROWDED_MIN` names, hits weakly in queries of two or more tokens.
const CROWDED_SHARE: usize = 48;
const CROWDED_MIN: usize = 4096;

/// Posting lists this short make a single hit worth scoring.
const RARE_POSTINGS: usize = 64;

/// Posting lists of a token's spelling and its typos this short make a single hit,
/// even a weak one, stand for two (a second token may be two typos from its name).
const RARE_ANY_POSTINGS: usize = 128;

/// A posting list this short is specific evidence, whichever key it is (few names share
/// it): a hit through it may excuse one miss (a word two typos away), and it always
/// touches (it is cheap).
const RARE_LIST_POSTINGS: usize = 8;

/// The longest posting list a query token's sound with a consonant left out looks at
/// (see `sound_with_one_left_out`).
const SOUND_TYPO_POSTINGS: usize = 256;

/// The letters of a beginning key (a token's first five with one left out, see
/// `beginning_keys`), and the longest list of one a query looks at.
const BEGINNING_LETTERS: usize = 4;
const BEGINNING_POSTINGS: usize = 32;

/// The longest posting list a glued query token looks at (see `joined_tokens`).
const GLUED_POSTINGS: usize = 1024;

/// A query is marked and scored in parts, on several threads, only in an index of this
/// many slots or more and when it reads this many postings or more: below, handing
/// work to another thread costs more than it saves. Each thread takes parts in turn, about
/// `PARTS_PER_THREAD` each; by default one thread per core, at most `PER_CORE_THREADS`,
/// and never more than `MAX_THREADS`.
const PARTS_FROM_SLOTS: usize = 1 << 17;
const PARTS_FROM_POSTINGS: usize = 1 << 15;
const PARTS_PER_THREAD: usize = 4;
const PER_CORE_THREADS: usize = 8;
const MAX_THREADS: usize = 64;

/// Threads a query may use in every index that was not told otherwise (0: one per core);
/// see [`set_query_threads`].
static QUERY_THREADS: AtomicUsize = AtomicUsize::new(0);

/// How many threads one query may use, at most, in every index that was not told
/// otherwise ([`NameIndex::set_threads`]): 0 (the default) for one per core, 1 to keep
/// every query on the thread that asks. Read when the first query that could use more
/// than one runs: call it before.
pub fn set_query_threads(threads: usize) {
    QUERY_THREADS.store(threads, Ordering::Relaxed);
}

/// The threads that mark and score parts of a query beside the calling thread: one per
/// core but the caller's (a thread more would only take turns with them), or as
/// [`set_query_threads`] says; none on one core. Their own pool, not rayon's global one (a
/// thread per core): a pool thread with no part to take spins a while before it sleeps,
/// on the core the caller needs.
fn helpers() -> Option<&'static rayon::ThreadPool> {
    static HELPERS: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    HELPERS
        .get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            let threads = match QUERY_THREADS.load(Ordering::Relaxed) {
                0 => cores.min(PER_CORE_THREADS),
                n => n.min(MAX_THREADS),
            };
            let helpers = threads.max(1) - 1;
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(helpers)
                .thread_name(|n| format!("vigil-screening-{n}"))
                .build();
            pool.ok().filter(|_| helpers > 0)
        })
        .as_ref()
}

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
/// In `SlotFacts::counts`: the name has more than `MAX_POSITIONS` tokens.
const LONG_NAME: u8 = 0x80;

/// What a query reads of each candidate before its text: side by side, so the one cache
/// line the candidate filter brings in also serves the scoring loop (three tables read
/// at random cost three misses per candidate).
#[derive(Clone, Copy, Default)]
struct SlotFacts {
    /// Distinct retrievable tokens of the name (how many query tokens must hit it), and
    /// `LONG_NAME`.
    counts: u8,
    /// Its [`Script`], as its byte.
    script: u8,
    removed: bool,
}

/// Names with a single retrievable token are filed under their keys XOR this, apart from
/// the others: one hit makes them a candidate, so they are never skipped.
const SINGLE_SALT: u64 = 0x9e37_79b9_7f4a_7c15;

/// A distinct query token's bit in the hit masks and the posting lists its keys found.
struct QueryToken<'a> {
    bit: u32,
    /// Two neighbouring query tokens glued: one hit is enough (it stands for two).
    joined: bool,
    strong: Vec<&'a [Posting]>,
    weak: Vec<&'a [Posting]>,
    /// Weak lists that only add to names others brought in (see `search`).
    adds_only: Vec<&'a [Posting]>,
    single_strong: Vec<&'a [Posting]>,
    single_weak: Vec<&'a [Posting]>,
    /// Where the lists of its own spelling start (its consonant skeleton and letters),
    /// to tell them among the others.
    own: Vec<*const Posting>,
}

/// Bits of a slot's mask: 0-22 the query tokens that hit it, 23 whether it is already a
/// candidate, 24-46 the query tokens that hit it strongly, 48-63 the positions of its
/// tokens that were hit.
const ANY_BITS: u64 = (1 << MAX_QUERY_TOKENS) - 1;
const CANDIDATE: u64 = 1 << 23;
const STRONG_SHIFT: u32 = 24;
/// Bit 47: hit through a list of at most `RARE_LIST_POSTINGS` (see there).
const RARE_HIT: u64 = 1 << 47;
/// Distinct query tokens the masks have room for.
const MAX_QUERY_TOKENS: usize = 23;

/// Whether a mask's hits fell on two of the name's tokens, or on its tokens past
/// `MAX_POSITIONS - 1` (which share one position, so may be two). Two query tokens that hit
/// one name token make one pair: the candidate filter turns such a name away anyway.
#[inline(always)]
fn two_positions(mask: u64) -> bool {
    (mask >> 48).count_ones() >= 2 || mask & (1 << 63) != 0
}

/// What a query keeps per slot while it marks, reused across queries (per thread).
#[derive(Default)]
struct Marks {
    /// One bit per slot: touched by this query. Small enough to stay in cache (128 KiB
    /// for a million names), so lists that only add skip untouched slots cheaply.
    touched: Vec<u64>,
    /// Per slot, valid only where `touched`: see `ANY_BITS` and the constants after it.
    masks: Vec<u64>,
    /// Slots that became candidates, in that order.
    candidates: Vec<Slot>,
    /// One bit per slot: hit by the query token with the most postings (see `Pass::within_largest`).
    largest: Vec<u64>,
    /// Room for the postings of a list that hit touched slots.
    sifted: Vec<Posting>,
    /// Per query token, one bit per slot: hit by the token's own spelling (its exact
    /// consonant skeleton or letters). A weak list that only adds skips those slots:
    /// one typo away from a spelling holds that spelling too (leaving out one consonant
    /// or letter of it), so its hit there would be the same one again.
    self_by_token: Vec<Vec<u64>>,
    /// The query's token pairs compared so far (candidates share words).
    pairs: PairMemo,
}

/// One posting list to mark: the bits it sets, whether it may touch slots no earlier
/// list touched, and whether a single hit from it makes a candidate.
struct Pass<'a> {
    list: &'a [Posting],
    /// The query token's bit number, and whether its hits are strong.
    token: usize,
    strong: bool,
    /// The list of the token's own spelling (see `Marks::self_by_token`).
    own_spelling: bool,
    bits: u64,
    may_touch: bool,
    one_hit_enough: bool,
    /// Touches only slots already touched or hit by the largest token's lists (see
    /// `search`).
    within_largest: bool,
    /// One of the largest token's lists, whose slots those passes may touch.
    fills_largest: bool,
}

impl<'a> Pass<'a> {
    /// The pass over the postings of `slots` only, of an index of `all` slots.
    fn among(&self, slots: &Range<usize>, all: usize) -> Pass<'a> {
        let at = |slot: usize| match slot {
            0 => 0,
            _ if slot >= all => self.list.len(),
            _ => first_at_or_after_near(self.list, slot as Posting, all),
        };
        Pass {
            list: &self.list[at(slots.start)..at(slots.end)],
            ..*self
        }
    }
}

/// What a query marks and scores by, worked out once for every part of the index.
struct Plan<'q, 's> {
    query: &'q PreparedName,
    threshold: f64,
    query_tokens: Vec<&'q str>,
    /// The query's distinct retrievable tokens, a bit each in the masks.
    distinct: Vec<&'q str>,
    query_count: u32,
    /// Compared across scripts on less than their letters: one hit is enough.
    loose: bool,
    /// Every distinct token has a bit (none beyond `MAX_QUERY_TOKENS`).
    all_distinct: bool,
    query_total: usize,
    unkeyed_count: usize,
    unkeyed_length: usize,
    bit_repeats: Vec<usize>,
    /// A glued token's bit, and the bits of the two tokens it stands for.
    joined_bits: Vec<(u32, u32)>,
    /// Distinct and glued tokens.
    words: usize,
    rare: u32,
    rare_any: u32,
    forgiving: u64,
    passes: Vec<Pass<'s>>,
}

impl Plan<'_, '_> {
    /// A slot's (any, strong) hits by the query's own tokens, a glued token's hit
    /// counting for both of its tokens.
    fn hits_of(&self, mask: u64) -> (u32, u32) {
        let (mut any, mut strong) = (
            (mask & ANY_BITS) as u32,
            ((mask >> STRONG_SHIFT) & ANY_BITS) as u32,
        );
        for &(bit, parts) in &self.joined_bits {
            if any & (1 << bit) != 0 {
                any |= parts;
            }
            if strong & (1 << bit) != 0 {
                strong |= parts;
            }
        }
        let own = (1u32 << self.query_count) - 1;
        (any & own, strong & own)
    }
}

/// Copy into `hits` the postings of `list` whose slot's bit is set in `wanted(word)` (the
/// bitmap word holding it), without a branch per posting; returns how many.
#[inline(always)]
fn sift(hits: &mut Vec<Posting>, list: &[Posting], wanted: impl Fn(usize) -> u64) -> usize {
    if hits.len() < list.len() {
        hits.resize(list.len(), 0);
    }
    let mut found = 0;
    let room = &mut hits[..list.len()];
    for &posting in list {
        let slot = (posting & SLOT_MASK) as usize;
        room[found] = posting;
        found += ((wanted(slot / 64) >> (slot % 64)) & 1) as usize;
    }
    found
}

impl Marks {
    fn prepare(&mut self, slots: usize, tokens: usize) {
        if self.masks.len() < slots {
            self.masks.resize(slots, 0);
            self.touched.resize(slots.div_ceil(64), 0);
            self.largest.resize(slots.div_ceil(64), 0);
        }
        if self.self_by_token.len() < tokens {
            self.self_by_token.resize(tokens, Vec::new());
        }
        for bits in &mut self.self_by_token[..tokens] {
            if bits.len() < self.touched.len() {
                bits.resize(self.touched.len(), 0);
            }
        }
    }

    /// Set the pass's bits (and the hit position's bit) for every slot in its list. A
    /// slot becomes a candidate once two query tokens hit it, or a strong hit from a
    /// token in `forgiving` (rare: one such hit may stand for two), or one hit from a
    /// list where one is enough.
    fn mark(&mut self, pass: &Pass<'_>, forgiving: u64) {
        if !pass.may_touch || pass.within_largest {
            // Most postings of a list that only adds miss the touched slots: sift the
            // hits out without a branch per posting (a mispredicted branch costs more
            // than the cached bitmap read), then mark those.
            let mut hits = std::mem::take(&mut self.sifted);
            let found = if pass.within_largest {
                // Also the slots the largest token hits, which it then touches.
                let (touched, largest) = (&self.touched[..], &self.largest[..]);
                sift(&mut hits, pass.list, |word| touched[word] | largest[word])
            } else {
                let (touched, own) = (&self.touched[..], &self.self_by_token[pass.token][..]);
                // A weak list skips slots its token's own spelling already hit; a strong
                // one does not (it may make a weak hit strong).
                let skip_own = if pass.strong { 0 } else { u64::MAX };
                sift(&mut hits, pass.list, |word| {
                    touched[word] & !(own[word] & skip_own)
                })
            };
            for &posting in &hits[..found] {
                if pass.within_largest {
                    self.touch(posting, pass, forgiving);
                } else {
                    let slot = (posting & SLOT_MASK) as usize;
                    let before = self.masks[slot];
                    self.add(slot, before, posting, pass, forgiving);
                }
            }
            self.sifted = hits;
            return;
        }
        for &posting in pass.list {
            self.touch(posting, pass, forgiving);
        }
    }

    /// Touch the posting's slot (its mask starts afresh if no earlier list touched it)
    /// and record the pass's hit there.
    #[inline(always)]
    fn touch(&mut self, posting: Posting, pass: &Pass<'_>, forgiving: u64) {
        let slot = (posting & SLOT_MASK) as usize;
        let word = &mut self.touched[slot / 64];
        let was_touched = (*word >> (slot % 64)) & 1;
        *word |= 1u64 << (slot % 64);
        // Without a branch on whether the slot was touched (it goes either way at
        // random, and a mispredicted branch stalls the loads of the postings after it):
        // an untouched slot's stale mask is cleared by the all-zero filter.
        let before = self.masks[slot] & 0u64.wrapping_sub(was_touched);
        self.add(slot, before, posting, pass, forgiving);
    }

    /// Record a pass's hit on a touched slot whose mask was `before`, and note the slot
    /// as a candidate when it becomes one. Inlined: it is the body of the hot loops.
    #[inline(always)]
    fn add(&mut self, slot: usize, before: u64, posting: Posting, pass: &Pass<'_>, forgiving: u64) {
        let position = 1u64 << (48 + (posting >> POSITION_SHIFT));
        let mut after = before | pass.bits | position;
        if pass.own_spelling {
            self.self_by_token[pass.token][slot / 64] |= 1 << (slot % 64);
        }
        if after & CANDIDATE == 0
            && (pass.one_hit_enough
                || ((after & ANY_BITS).count_ones() >= 2 && two_positions(after))
                || after & forgiving != 0)
        {
            after |= CANDIDATE;
            self.candidates.push(slot as Slot);
        }
        self.masks[slot] = after;
    }

    /// Forget this query's marks over `slots` (starting at a bitmap word; the masks need
    /// no clearing: `touched` says which are current), which `passes` marked. A token's
    /// own-spelling bits were set only by its own lists' postings: where those are fewer
    /// than the bitmap's words, their words are cleared one by one rather than the whole
    /// bitmap.
    fn clear(&mut self, slots: Range<usize>, tokens: usize, passes: &[Pass<'_>]) {
        let words = slots.start / 64..slots.end.div_ceil(64);
        self.touched[words.clone()].fill(0);
        if passes.iter().any(|p| p.within_largest) {
            self.largest[words.clone()].fill(0);
        }
        for (token, bits) in self.self_by_token[..tokens].iter_mut().enumerate() {
            let own = || passes.iter().filter(|p| p.own_spelling && p.token == token);
            if own().map(|p| p.list.len()).sum::<usize>() < words.len() {
                for pass in own() {
                    for &posting in pass.list {
                        bits[(posting & SLOT_MASK) as usize / 64] = 0;
                    }
                }
            } else {
                bits[words.clone()].fill(0);
            }
        }
        self.candidates.clear();
    }
}

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
    facts: Vec<SlotFacts>,
    payloads: Vec<Option<T>>,
    postings: FxHashMap<u64, Vec<Posting>>,
    /// Live names holding each word (by its hash): how common a word is in the list.
    word_names: FxHashMap<u64, u32>,
    live: usize,
    /// Threads a query may be marked and scored on (0: as `set_query_threads` says).
    threads: usize,
    /// The index's slots and the query's postings from which a query is marked in
    /// parts (`PARTS_FROM_SLOTS`, `PARTS_FROM_POSTINGS`; tests lower them).
    parts_from: (usize, usize),
}

impl<T> Default for NameIndex<T> {
    fn default() -> Self {
        NameIndex {
            text: String::new(),
            starts: vec![0],
            facts: Vec::new(),
            payloads: Vec::new(),
            postings: FxHashMap::default(),
            word_names: FxHashMap::default(),
            live: 0,
            threads: 0,
            parts_from: (PARTS_FROM_SLOTS, PARTS_FROM_POSTINGS),
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

/// A stored token's retrieval keys: its phonetic key, its consonant skeleton (vowel
/// typos) and, for three or more
/// consonants, the skeleton with each consonant left out (a query skeleton one consonant
/// away meets one of them: "roberts" / "robert", "sanders" / "janders"), and all of those
/// for its rest when it starts with a glued-on Arabic article ("alqaida" files under
/// "qaida").
pub fn token_keys(token: &str) -> Vec<u64> {
    if !token.is_ascii() {
        return token_keys(&romanize(token));
    }
    let mut keys = Vec::new();
    for_each_form(token, |phonetic, skeleton| {
        keys.push(hash_key(b'p', phonetic));
        keys.push(hash_key(b's', skeleton));
        for_each_deletion(skeleton, |shorter| keys.push(hash_key(b'd', shorter)));
    });
    if letter_keyed(token) {
        keys.push(hash_key(b'E', token.as_bytes()));
        for_each_letter_deletion(token, |shorter| keys.push(hash_key(b'e', shorter)));
    }
    keys
}

/// A token's beginning, for tokens of four letters or more: its first five letters with
/// one left out (its four letters, for a token of four). Jaro-Winkler rewards a shared
/// beginning, so long words that begin alike, but for a typo, still pair well two or
/// three letters apart further on ("bengoetxea" / "bengoechea", "rezvanianzadeh" /
/// "rezeanianzade"), and a word glued to the next begins as it does ("pournaghshband" /
/// "pour").
fn beginning_keys(token: &str) -> Vec<u64> {
    if !token.is_ascii() {
        return beginning_keys(&romanize(token));
    }
    let bytes = token.as_bytes();
    if bytes.len() < BEGINNING_LETTERS {
        return Vec::new();
    }
    if bytes.len() == BEGINNING_LETTERS {
        return vec![hash_key(b'f', bytes)];
    }
    let first = &bytes[..=BEGINNING_LETTERS];
    let mut keys: Vec<u64> = (0..first.len())
        .map(|left_out| {
            let mut shorter = [0u8; BEGINNING_LETTERS];
            shorter[..left_out].copy_from_slice(&first[..left_out]);
            shorter[left_out..].copy_from_slice(&first[left_out + 1..]);
            hash_key(b'f', &shorter)
        })
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Tokens of few consonants (three or fewer: "amara", "hoamra") share their consonant
/// keys with a large part of a big index, so they are also filed by their letters:
/// as they are, and with each letter left out. Short tokens too: a three-letter token
/// is one letter from a four-letter one ("ave" / "avce"), a two-letter one from a
/// three-letter one ("ra" / "rag"), which no consonant key joins (a skeleton of two
/// has no deletions).
fn letter_keyed(token: &str) -> bool {
    token.len() >= 2 && skeleton(token).len() <= 3
}

/// The token with each letter left out (a doubled letter once); none for two letters
/// (one letter is no token to retrieve by).
fn for_each_letter_deletion(token: &str, mut visit: impl FnMut(&[u8])) {
    if token.len() <= 2 {
        return;
    }
    let bytes = token.as_bytes();
    let mut shorter = Vec::with_capacity(bytes.len());
    for left_out in 0..bytes.len() {
        if left_out > 0 && bytes[left_out] == bytes[left_out - 1] {
            continue;
        }
        shorter.clear();
        shorter.extend_from_slice(&bytes[..left_out]);
        shorter.extend_from_slice(&bytes[left_out + 1..]);
        visit(&shorter);
    }
}

/// A letter-keyed query token's letter keys, as (strong, weak): the same letters; one
/// letter added, dropped or changed, or two swapped.
fn letter_query_keys(token: &str) -> (Vec<u64>, Vec<u64>) {
    let strong = vec![hash_key(b'E', token.as_bytes())];
    let mut weak = vec![hash_key(b'e', token.as_bytes())];
    for_each_letter_deletion(token, |shorter| {
        weak.push(hash_key(b'E', shorter));
        weak.push(hash_key(b'e', shorter));
    });
    (strong, weak)
}

/// A query token's keys, as (strong, weak). Strong keys find the same sound or the same
/// consonants; weak ones find one typo away (a consonant added, dropped or changed, or
/// two swapped). A name hit only weakly by several query tokens is a coincidence of keys
/// far more often than a match.
pub fn query_keys(token: &str) -> (Vec<u64>, Vec<u64>) {
    query_keys_by(token, true)
}

/// [`query_keys`], with or without the sound key (a sound key is cut short: two words
/// glued share it with every name holding the first).
fn query_keys_by(token: &str, by_sound: bool) -> (Vec<u64>, Vec<u64>) {
    if !token.is_ascii() {
        return query_keys_by(&romanize(token), by_sound);
    }
    let (mut strong, mut weak) = (Vec::new(), Vec::new());
    for_each_form(token, |phonetic, skeleton| {
        if by_sound {
            strong.push(hash_key(b'p', phonetic));
        }
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

/// A query token's sound keys with one consonant class left out (alike classes then side
/// by side count once): the token with a consonant added to a sound-alike spelling of a
/// stored one ("gadldafi" / "qaddafi"), two typos away, which no other key reaches. Only
/// keys of three classes or more: shorter ones are shared by too many tokens.
fn sound_with_one_left_out(token: &str) -> Vec<u64> {
    if !token.is_ascii() {
        return Vec::new();
    }
    let sound = phonetic::retrieval_key(token.as_bytes());
    let mut keys = Vec::new();
    if sound.len() < 4 {
        return keys;
    }
    let mut shorter = Vec::with_capacity(sound.len());
    for left_out in 1..sound.len() {
        shorter.clear();
        shorter.extend_from_slice(&sound[..left_out]);
        shorter.extend_from_slice(&sound[left_out + 1..]);
        shorter.dedup();
        if shorter.len() >= 3 {
            keys.push(hash_key(b'p', &shorter));
        }
    }
    keys
}

/// Call `visit` with the phonetic key and consonant skeleton of the token, and of its
/// rest after a glued-on article.
fn for_each_form(token: &str, mut visit: impl FnMut(&[u8], &[u8])) {
    visit(&phonetic::retrieval_key(token.as_bytes()), &skeleton(token));
    if let Some(rest) = ["al", "el"]
        .iter()
        .find_map(|a| token.strip_prefix(a))
        .filter(|r| r.len() >= 4)
    {
        visit(&phonetic::retrieval_key(rest.as_bytes()), &skeleton(rest));
    }
}

/// The consonants of a token in order, a repeated one once (the token itself if it has
/// none). In order, not as a set: at a million names a set is shared by too many
/// tokens; two swapped consonants are a substitution of one for the other, a weak hit.
fn skeleton(token: &str) -> Vec<u8> {
    let bytes = token.as_bytes();
    let mut skeleton: Vec<u8> = bytes.iter().copied().filter(|&b| !is_vowel(b)).collect();
    skeleton.dedup();
    if skeleton.is_empty() {
        skeleton = bytes.to_vec();
    }
    skeleton
}

/// The skeleton with each of its consonants left out, for skeletons of three or more.
/// A consonant left out from between two alike leaves them side by side: they count
/// once, as in a skeleton ("gadldafi" is "gdldf", and without its "l" "gdf", as
/// "gaddafi"; "babbara" meets "barbara" once its "r" became a "b").
fn for_each_deletion(skeleton: &[u8], mut visit: impl FnMut(&[u8])) {
    if skeleton.len() < 3 {
        return;
    }
    let mut shorter = Vec::with_capacity(skeleton.len() - 1);
    for left_out in 0..skeleton.len() {
        shorter.clear();
        shorter.extend_from_slice(&skeleton[..left_out]);
        shorter.extend_from_slice(&skeleton[left_out + 1..]);
        shorter.dedup();
        visit(&shorter);
    }
}

/// Neighbouring query tokens glued ("abdul rahman" as "abdulrahman"), with the bits (in
/// `distinct`) of the two they stand for; as many as the masks have room for.
fn joined_tokens(query_tokens: &[&str], distinct: &[&str]) -> Vec<(String, u32)> {
    let bit = |token: &str| distinct.iter().position(|d| *d == token);
    let mut joined: Vec<(String, u32)> = Vec::new();
    for pair in query_tokens.windows(2) {
        let (Some(first), Some(second)) = (bit(pair[0]), bit(pair[1])) else {
            continue;
        };
        // Words of a letter script only (a Han character or Hangul syllable is a token
        // of its own).
        if !(pair[0].is_ascii() && pair[1].is_ascii()) {
            continue;
        }
        let text = format!("{}{}", pair[0], pair[1]);
        if first != second
            && distinct.len() + joined.len() < MAX_QUERY_TOKENS
            && !distinct.contains(&text.as_str())
            && !joined.iter().any(|(t, _)| *t == text)
        {
            joined.push((text, (1 << first) | (1 << second)));
        }
    }
    joined
}

/// A stored name's words (separated by single spaces) into `words`: a plain byte loop,
/// cheaper than `str::split` on names this short, and it runs for every candidate.
fn split_words<'t>(name: &'t str, words: &mut Vec<&'t str>) {
    let mut from = 0;
    for (at, byte) in name.bytes().enumerate() {
        if byte == b' ' {
            words.push(&name[from..at]);
            from = at + 1;
        }
    }
    words.push(&name[from..]);
}

/// Where the first posting of slot `slot` or later is in `list` (in slot order) of an
/// index of `all` slots: a list's slots spread over the index about evenly, so the search
/// starts where the slot's share of the list ends and gallops from there, reading a few
/// cache lines of the list where a binary search over it would read one per step.
fn first_at_or_after_near(list: &[Posting], slot: Posting, all: usize) -> usize {
    let slot_of = |at: usize| list[at] & SLOT_MASK;
    let guess = (list.len() as u64 * u64::from(slot) / all.max(1) as u64) as usize;
    let guess = guess.min(list.len());
    if guess < list.len() && slot_of(guess) < slot {
        // Forwards: the first at or after it lies past `guess`.
        let mut step = 1;
        while guess + step < list.len() && slot_of(guess + step) < slot {
            step *= 2;
        }
        let end = (guess + step + 1).min(list.len());
        guess + list[guess..end].partition_point(|p| p & SLOT_MASK < slot)
    } else {
        // Backwards: it lies at `guess` or before.
        let mut step = 1;
        while step <= guess && slot_of(guess - step) >= slot {
            step *= 2;
        }
        let start = guess.saturating_sub(step);
        start + list[start..guess].partition_point(|p| p & SLOT_MASK < slot)
    }
}

/// Postings of `first` whose slot also has a posting in `second` (both lists in slot
/// order), found from the shorter list by galloping through the longer: the next slot is
/// usually a few steps on, so a doubling step then a binary search within it reads far
/// less of a long list than a binary search over all of its rest.
fn in_both(first: &[Posting], second: &[Posting]) -> Vec<Posting> {
    let first_is_short = first.len() <= second.len();
    let (short, long) = if first_is_short {
        (first, second)
    } else {
        (second, first)
    };
    let mut found: Vec<Posting> = Vec::new();
    let mut rest = long;
    for &posting in short {
        let slot = posting & SLOT_MASK;
        let mut step = 1;
        while step < rest.len() && rest[step - 1] & SLOT_MASK < slot {
            step *= 2;
        }
        let within = step.min(rest.len());
        rest = &rest[rest[..within].partition_point(|p| p & SLOT_MASK < slot)..];
        let Some(&other) = rest.first().filter(|p| *p & SLOT_MASK == slot) else {
            continue;
        };
        if found.last().is_none_or(|p| p & SLOT_MASK != slot) {
            found.push(if first_is_short { posting } else { other });
        }
    }
    found
}

/// Drop the lists that repeat one kept before them, in the groups' order (a token's sound
/// and its consonants often name the same names: marking them twice finds nothing new).
/// The token's own spelling (`own`) then names the list kept in its stead.
fn drop_repeated_lists<const N: usize>(
    groups: [&mut Vec<&[Posting]>; N],
    own: &mut Vec<*const Posting>,
) {
    let mut kept: Vec<&[Posting]> = Vec::new();
    for group in groups {
        group.retain(|list| {
            let same = kept.iter().find(|k| {
                k.len() == list.len() && (k.as_ptr() == list.as_ptr() || k[..] == list[..])
            });
            match same {
                Some(earlier) => {
                    if own.contains(&list.as_ptr()) && !own.contains(&earlier.as_ptr()) {
                        own.push(earlier.as_ptr());
                    }
                    false
                }
                None => {
                    kept.push(list);
                    true
                }
            }
        });
    }
}

/// Names in scripts whose comparison with others is not letter by letter (see
/// [`Comparison`]) share only some keys with their other spellings: they are filed with
/// the single-token names (one hit makes them a candidate), and a query in one of them
/// scores every name it hits.
fn compared_loosely(script: Script) -> bool {
    script.is_abjad() || script.keeps_characters()
}

/// Tokens worth retrieving by: initials would match half the index. A Han character or
/// Hangul syllable is a token of its own.
fn retrievable(token: &str) -> bool {
    token.len() >= 2
}

thread_local! {
    /// What queries mark per slot, reused across queries.
    static MARKS: RefCell<Marks> = RefCell::new(Marks::default());
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

    /// The name stored at `slot`, as prepared (without what was dropped).
    pub fn name(&self, slot: Slot) -> PreparedName {
        PreparedName::from_stored(self.tokens(slot), self.script(slot))
    }

    fn script(&self, slot: Slot) -> Script {
        Script::from_byte(self.facts[slot as usize].script)
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
        let long = if name.tokens.len() > MAX_POSITIONS {
            LONG_NAME
        } else {
            0
        };
        self.facts.push(SlotFacts {
            counts: retrievable_tokens.len().clamp(1, 127) as u8 | long,
            script: name.script.to_byte(),
            removed: false,
        });
        self.count_words(slot, 1);
        let salt = if retrievable_tokens.len() == 1 || compared_loosely(name.script) {
            SINGLE_SALT
        } else {
            0
        };
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
                let list = self.postings.entry(key ^ salt).or_default();
                if list.last() != Some(&posting) {
                    list.push(posting);
                }
            }
            // A beginning list is only looked at while short: past that it keeps one
            // posting more than a query looks at, to say so (the next rebuild counts
            // afresh). Single-token names, filed apart, are not looked up by it.
            if salt == 0 {
                for key in beginning_keys(token) {
                    let list = self.postings.entry(key).or_default();
                    if list.len() <= BEGINNING_POSTINGS && list.last() != Some(&posting) {
                        list.push(posting);
                    }
                }
            }
        }
        self.live += 1;
        Some(slot)
    }

    /// Remove the name at `slot`; returns its payload. Its postings stay (a tombstone)
    /// until [`NameIndex::compact`].
    pub fn remove(&mut self, slot: Slot) -> Option<T> {
        let payload = self.payloads.get_mut(slot as usize)?.take()?;
        self.facts[slot as usize].removed = true;
        self.live -= 1;
        self.count_words(slot, -1);
        Some(payload)
    }

    /// Add `by` to the count of names holding each distinct word of the name at `slot`.
    fn count_words(&mut self, slot: Slot, by: i32) {
        let mut words: Vec<u64> = self
            .tokens(slot)
            .split(' ')
            .map(|word| hash_key(b'W', word.as_bytes()))
            .collect();
        words.sort_unstable();
        words.dedup();
        for word in words {
            let count = self.word_names.entry(word).or_default();
            *count = count.saturating_add_signed(by);
        }
    }

    /// Removed names whose slots and postings are still held.
    pub fn tombstones(&self) -> usize {
        self.payloads.len() - self.live
    }

    /// Rebuild without the removed names; returns each old slot's new slot (`None` for
    /// removed ones). Callers holding slots must map them.
    pub fn compact(&mut self) -> Vec<Option<Slot>> {
        let mut old = std::mem::take(self);
        (self.threads, self.parts_from) = (old.threads, old.parts_from);
        let payloads = std::mem::take(&mut old.payloads);
        payloads
            .into_iter()
            .enumerate()
            .map(|(slot, payload)| {
                let name = old.name(slot as Slot);
                self.insert(&name, payload?)
            })
            .collect()
    }

    /// Threads one query may use, at most (0, the default: one per core). One keeps every
    /// query on the calling thread.
    pub fn set_threads(&mut self, threads: usize) {
        self.threads = threads;
    }

    /// Names whose score against `query` is at least `threshold`, best first, at most `limit`.
    pub fn search(&self, query: &PreparedName, threshold: f64, limit: usize) -> Vec<Hit<'_, T>>
    where
        T: Sync,
    {
        let query_tokens: Vec<&str> = query.tokens.iter().map(String::as_str).collect();
        let mut distinct: Vec<&str> = query_tokens
            .iter()
            .copied()
            .filter(|t| retrievable(t))
            .collect();
        distinct.sort_unstable();
        distinct.dedup();
        // The masks have room for `MAX_QUERY_TOKENS`; the cheap check below needs every
        // token.
        let all_distinct = distinct.len() <= MAX_QUERY_TOKENS;
        distinct.truncate(MAX_QUERY_TOKENS);
        if distinct.is_empty() || self.live == 0 {
            return Vec::new();
        }
        let query_count = distinct.len() as u32;
        // Names in another script share fewer keys with their spelling here: one hit is
        // enough to score them.
        let loose = compared_loosely(query.script);
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
        // Names that glue or split words otherwise ("abdul rahman" / "abdulrahman") share
        // no token's keys with the query. Neighbouring query tokens are also looked up
        // glued, under a bit of their own that stands for both; a long query token is
        // also looked up in two parts (see `split_lists`).
        let joined = joined_tokens(&query_tokens, &distinct);
        let mut words: Vec<&str> = distinct.clone();
        words.extend(joined.iter().map(|(text, _)| text.as_str()));
        // A glued token's bit, and the bits of the two tokens it stands for.
        let joined_bits: Vec<(u32, u32)> = joined
            .iter()
            .enumerate()
            .map(|(n, (_, parts))| (distinct.len() as u32 + n as u32, *parts))
            .collect();
        let split: Vec<Vec<Posting>> = distinct.iter().map(|t| self.split_lists(t)).collect();
        let (mut rare, mut rare_any) = (0u32, 0u32);
        let mut per_token: Vec<QueryToken<'_>> = Vec::with_capacity(words.len());
        for (bit, token) in words.iter().enumerate() {
            let glued = bit >= distinct.len();
            let (mut strong, mut weak) = query_keys_by(token, !glued);
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
            let lists = |keys: &[u64], salt: u64| -> Vec<&[Posting]> {
                let found = keys.iter().filter_map(|k| self.postings.get(&(k ^ salt)));
                found.map(Vec::as_slice).collect()
            };
            let (mut strong_lists, mut weak_lists) = (lists(&strong, 0), lists(&weak, 0));
            let by_letters_too = letter_keyed(token);
            let (mut letter_strong, mut letter_weak) = (Vec::new(), Vec::new());
            if by_letters_too {
                (letter_strong, letter_weak) = letter_query_keys(token);
            }
            let (mut by_letters, mut by_letters_weak) =
                (lists(&letter_strong, 0), lists(&letter_weak, 0));
            // A key a large share of the index shares (a short sound key: "hans"
            // sounds like every "ans", "ens", "hons" in a million names) says no more
            // than a weak hit; with other query tokens to go by, it counts as one, and
            // only adds (see the passes below). A token filed by its letters does
            // without its crowded consonant keys.
            if words.len() > 1 {
                let crowded = |l: &&[Posting]| self.crowded(l);
                if by_letters_too {
                    strong_lists.retain(|l| !crowded(l));
                    weak_lists.retain(|l| !crowded(l));
                }
                weak_lists.extend(strong_lists.iter().filter(|l| crowded(l)));
                strong_lists.retain(|l| !crowded(l));
                weak_lists.extend(by_letters.iter().filter(|l| crowded(l)));
                by_letters.retain(|l| !crowded(l));
            }
            strong_lists.append(&mut by_letters);
            // A token filed by its letters finds a stored token of as many consonants
            // or fewer one typo away by its letters (those are filed by theirs too);
            // its consonant keys that reach them, vowels aside, are shared by many
            // names and only add. Those of a consonant more still bring names in.
            let mut adds_only = Vec::new();
            if by_letters_too && words.len() > 1 && !loose && !glued {
                let mut changed: Vec<*const Posting> = Vec::new();
                for_each_form(token, |_, skeleton| {
                    for_each_deletion(skeleton, |shorter| {
                        if let Some(list) = self.postings.get(&hash_key(b'd', shorter)) {
                            changed.push(list.as_ptr());
                        }
                    });
                });
                (adds_only, weak_lists) = weak_lists
                    .into_iter()
                    .partition(|l| changed.contains(&l.as_ptr()));
            }
            weak_lists.append(&mut by_letters_weak);
            if !glued {
                let found = lists(&beginning_keys(token), 0);
                weak_lists.extend(found.into_iter().filter(|l| l.len() <= BEGINNING_POSTINGS));
                let mut sound_typos = sound_with_one_left_out(token);
                sound_typos.retain(|k| strong.binary_search(k).is_err());
                let found = lists(&sound_typos, 0);
                weak_lists.extend(found.into_iter().filter(|l| l.len() <= SOUND_TYPO_POSTINGS));
            }
            if let Some(list) = split.get(bit).filter(|l| !l.is_empty()) {
                strong_lists.push(list);
            }
            strong.extend(letter_strong);
            weak.extend(letter_weak);
            let mut own: Vec<*const Posting> = [
                hash_key(b's', &skeleton(token)),
                hash_key(b'E', token.as_bytes()),
            ]
            .iter()
            .filter_map(|key| self.postings.get(key))
            .map(|list| list.as_ptr())
            .collect();
            drop_repeated_lists(
                [&mut strong_lists, &mut weak_lists, &mut adds_only],
                &mut own,
            );
            let mut query_token = QueryToken {
                joined: glued,
                own,
                bit: bit as u32,
                strong: strong_lists,
                weak: weak_lists,
                adds_only,
                single_strong: lists(&strong, SINGLE_SALT),
                single_weak: lists(&weak, SINGLE_SALT),
            };
            // A glued token's hit alone makes a candidate: lists that many names share
            // (a short consonant key one off a long one) would make too many.
            if glued {
                for lists in [
                    &mut query_token.strong,
                    &mut query_token.weak,
                    &mut query_token.adds_only,
                    &mut query_token.single_strong,
                    &mut query_token.single_weak,
                ] {
                    lists.retain(|l| l.len() <= GLUED_POSTINGS);
                }
            }
            // Rare: few names share the token's own sound or consonants.
            let strong_size = query_token.strong.iter().map(|l| l.len()).sum::<usize>()
                + query_token
                    .single_strong
                    .iter()
                    .map(|l| l.len())
                    .sum::<usize>();
            if strong_size <= RARE_POSTINGS {
                rare |= 1 << bit;
            }
            // Rare even with its typos: few names within a typo of it either, so a
            // weak hit from it may excuse a miss too.
            let any_size = strong_size
                + query_token.weak.iter().map(|l| l.len()).sum::<usize>()
                + query_token.adds_only.iter().map(|l| l.len()).sum::<usize>()
                + query_token
                    .single_weak
                    .iter()
                    .map(|l| l.len())
                    .sum::<usize>();
            if any_size <= RARE_ANY_POSTINGS && !glued {
                rare_any |= 1 << bit;
            }
            per_token.push(query_token);
        }
        // With two or more query tokens, a name of two or more tokens is a candidate
        // only with hits from two of them, or a strong hit from a rare token. So not
        // every list has to touch (bring in) names: every token's lists touch but the
        // one with the most postings, which only adds. (Strong lists alone cannot
        // bring names in: a typo in every token hits only weakly, and such a name must
        // still be found.) Single-token names (one hit is enough) are filed apart and
        // always touch. Marking notes the slots hit by two query tokens (or one, where
        // that can be enough): only those are checked further.
        let size = |lists: &[&[Posting]]| lists.iter().map(|l| l.len()).sum::<usize>();
        // Glued tokens first: they always touch (one hit of theirs is enough), so the
        // last is a token of the query's own.
        per_token.sort_by_key(|t| (!t.joined, size(&t.strong) + size(&t.weak)));
        let mut passes: Vec<Pass<'_>> = Vec::new();
        for (n, token) in per_token.iter().enumerate() {
            let (any, strong) = (1u64 << token.bit, 1u64 << (token.bit + STRONG_SHIFT));
            let rare = (rare | rare_any) & (1 << token.bit) != 0;
            let may_touch =
                query_count == 1 || loose || rare || token.joined || n + 1 < per_token.len();
            // With one query token, one hit is enough; single-token names too.
            let one = query_count == 1 || loose || token.joined;
            let groups = [
                (&token.strong, true, may_touch, one),
                (&token.weak, false, may_touch, one),
                (&token.adds_only, false, rare, one),
                (&token.single_strong, true, true, true),
                (&token.single_weak, false, true, true),
            ];
            for (lists, is_strong, may_touch, one_hit_enough) in groups {
                passes.extend(lists.iter().map(|&list| {
                    let specific = list.len() <= RARE_LIST_POSTINGS && !token.joined;
                    // A crowded list (see above) only adds: a name it alone would
                    // bring in shares nothing but a key with a large share of the
                    // index.
                    let crowded_list =
                        self.crowded(list) && query_count > 1 && !loose && !token.joined;
                    let may_touch = may_touch && !crowded_list;
                    let bits = if is_strong { any | strong } else { any };
                    Pass {
                        list,
                        token: token.bit as usize,
                        strong: is_strong,
                        own_spelling: token.own.contains(&list.as_ptr()),
                        bits: if specific { bits | RARE_HIT } else { bits },
                        may_touch: may_touch || specific,
                        one_hit_enough,
                        within_largest: false,
                        fills_largest: false,
                    }
                }));
            }
        }
        // With two query tokens' lists long (two common words), the second largest's
        // lists touch only slots a smaller token touched or the largest hits: a name
        // that only it hits has one token hit, and the largest's lists are cheaper
        // to set bits from (a bitmap that stays in cache) than to mark.
        if let [.., second, largest] = &per_token[..] {
            // Postings of a token's lists that touch, or that only add.
            let postings = |bit: u32, touching: bool| -> usize {
                passes
                    .iter()
                    .filter(|p| p.token == bit as usize && p.may_touch == touching)
                    .map(|p| p.list.len())
                    .sum()
            };
            let largest_adds = passes
                .iter()
                .filter(|p| p.token == largest.bit as usize)
                .all(|p| !p.may_touch || p.one_hit_enough || p.list.len() <= RARE_LIST_POSTINGS);
            let (second_size, largest_size) =
                (postings(second.bit, true), postings(largest.bit, false));
            let words = self.payloads.len().div_ceil(64);
            let second_rare = (rare | rare_any) & (1 << second.bit) != 0;
            if largest_adds
                && !largest.joined
                && !second.joined
                && !second_rare
                && second_size * 4 >= largest_size
                && second_size >= words / 2
            {
                let mut flagged = 0;
                for pass in passes.iter_mut().filter(|p| {
                    p.token == second.bit as usize
                        && p.may_touch
                        && !p.one_hit_enough
                        && p.list.len() > RARE_LIST_POSTINGS
                }) {
                    pass.within_largest = true;
                    flagged += 1;
                }
                let largest_lists = passes
                    .iter_mut()
                    .filter(|p| p.token == largest.bit as usize && !p.one_hit_enough);
                for pass in largest_lists.filter(|_| flagged > 0) {
                    pass.fills_largest = true;
                }
            }
        }
        // Lists that only add go after those that touch.
        passes.sort_by_key(|pass| !pass.may_touch);
        let forgiving = (u64::from(rare) << STRONG_SHIFT) | u64::from(rare_any) | RARE_HIT;
        let plan = Plan {
            query,
            threshold,
            query_tokens,
            distinct,
            query_count,
            loose,
            all_distinct,
            query_total,
            unkeyed_count,
            unkeyed_length,
            bit_repeats,
            joined_bits,
            words: words.len(),
            rare,
            rare_any,
            forgiving,
            passes,
        };
        let mut hits = self.mark_and_score_in_parts(&plan);
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.slot.cmp(&b.slot)));
        hits.truncate(limit);
        hits
    }

    /// Mark and score the query's candidates: when the index is large and the query reads
    /// many postings, in parts of the index (a part's marks are its own) that this thread
    /// and the helpers take in turn, so a helper slow to wake takes fewer; else at once.
    fn mark_and_score_in_parts<'s>(&'s self, plan: &Plan<'_, '_>) -> Vec<Hit<'s, T>>
    where
        T: Sync,
    {
        let slots = self.payloads.len();
        let postings: usize = plan.passes.iter().map(|p| p.list.len()).sum();
        let (from_slots, from_postings) = self.parts_from;
        // The pool is asked for (and started) only by a query worth splitting.
        let heavy = slots >= from_slots && postings >= from_postings && self.threads != 1;
        let helpers = heavy.then(helpers).flatten();
        let most = helpers.map_or(1, |pool| pool.current_num_threads() + 1);
        let threads = match self.threads {
            0 => most,
            n => n.min(most),
        };
        let Some(helpers) = helpers.filter(|_| threads > 1) else {
            let mut whole = Some(0..slots);
            return self.mark_and_score(plan, || whole.take());
        };
        // Parts start at a bitmap word (see `Marks::clear`).
        let parts = threads * PARTS_PER_THREAD;
        let size = slots.div_ceil(parts).next_multiple_of(64);
        let next = AtomicUsize::new(0);
        let next_part = || {
            let start = next.fetch_add(1, Ordering::Relaxed) * size;
            (start < slots).then(|| start..(start + size).min(slots))
        };
        let mut others: Vec<Vec<Hit<'s, T>>> = (1..threads).map(|_| Vec::new()).collect();
        let mut hits = Vec::new();
        helpers.in_place_scope(|scope| {
            for found in &mut others {
                scope.spawn(|_| *found = self.mark_and_score(plan, next_part));
            }
            // This thread starts at once, where a helper may take a while to wake.
            hits = self.mark_and_score(plan, next_part);
        });
        hits.extend(others.into_iter().flatten());
        hits
    }

    /// Mark and score the query's candidates in each part of the index (a range of
    /// slots) that `next_part` hands out, until it hands out none. A slot's marks depend
    /// on the postings of that slot only, so parts marked apart, on threads of their own,
    /// find what one pass over the whole index finds.
    fn mark_and_score<'s, 'p>(
        &'s self,
        plan: &Plan<'_, 'p>,
        mut next_part: impl FnMut() -> Option<Range<usize>>,
    ) -> Vec<Hit<'s, T>> {
        let &Plan {
            query,
            threshold,
            ref query_tokens,
            ref distinct,
            query_count,
            loose,
            all_distinct,
            query_total,
            unkeyed_count,
            unkeyed_length,
            ref bit_repeats,
            words: word_count,
            rare,
            rare_any,
            forgiving,
            ..
        } = plan;
        let hits_of = |mask: u64| plan.hits_of(mask);
        let mut hits = Vec::new();
        MARKS.with(|cell| {
            let marks = &mut *cell.borrow_mut();
            marks.prepare(self.payloads.len(), word_count);
            let mut tokens: Vec<&str> = Vec::with_capacity(8);
            let mut lengths: Vec<usize> = Vec::with_capacity(8);
            let mut checked: Vec<&str> = Vec::with_capacity(query_tokens.len());
            // Which query word each of `checked` is, for the similarity cache.
            let mut checked_words: Vec<u16> = Vec::with_capacity(query_tokens.len());
            marks.pairs.next_query();
            let unkeyed_tokens: Vec<&str> = query_tokens
                .iter()
                .copied()
                .filter(|t| !retrievable(t))
                .collect();
            // The query's words, as the pair cache numbers them: its distinct tokens, then
            // those no key is made of, then any beyond the masks' room. And the number of
            // each of its tokens, in order.
            let mut query_words: Vec<Letters<'_>> = distinct
                .iter()
                .chain(&unkeyed_tokens)
                .map(|word| Letters::new(word))
                .collect();
            let mut unkeyed_seen = 0;
            let word_of_token: Vec<u16> = query_tokens
                .iter()
                .map(|token| {
                    let word = if !retrievable(token) {
                        unkeyed_seen += 1;
                        distinct.len() + unkeyed_seen - 1
                    } else if let Ok(bit) = distinct.binary_search(token) {
                        bit
                    } else {
                        query_words.push(Letters::new(token));
                        query_words.len() - 1
                    };
                    word as u16
                })
                .collect();
            let all = self.payloads.len();
            while let Some(slots) = next_part() {
                let passes: Vec<Pass<'p>> =
                    plan.passes.iter().map(|p| p.among(&slots, all)).collect();
                // `clear` forgets these bits only when a pass used them.
                for pass in passes.iter().filter(|p| p.fills_largest) {
                    for &posting in pass.list {
                        let slot = (posting & SLOT_MASK) as usize;
                        marks.largest[slot / 64] |= 1 << (slot % 64);
                    }
                }
                for pass in &passes {
                    marks.mark(pass, forgiving);
                }
                // The candidates' per-slot data is gathered in short loops, one table at a
                // time: their loads are independent, so the memory system serves many at
                // once, where one long loop per candidate would wait on each in turn.
                let mut gathered: Vec<(Slot, u64, SlotFacts)> = marks
                    .candidates
                    .iter()
                    .map(|&slot| (slot, marks.masks[slot as usize], SlotFacts::default()))
                    .collect();
                for entry in &mut gathered {
                    entry.2 = self.facts[entry.0 as usize];
                }
                gathered.retain(|&(_, mask, facts)| {
                    let counts = facts.counts;
                    let (any, strong) = hits_of(mask);
                    let positions = (mask >> 48).count_ones();
                    // Scoring pairs every token of the shorter name or scores 0, so a name
                    // can only match when (nearly) all of the shorter side's tokens hit.
                    // One miss is forgiven (a word two typos away, which no key caught) when a
                    // strong hit came through a rare token, or any hit through a token rare
                    // even with its typos or through a key few names share. Hits may all be
                    // weak: a typo in every token.
                    let hit_count = any.count_ones();
                    let required = query_count.min(u32::from(counts & !LONG_NAME));
                    let forgiven =
                        strong & rare != 0 || any & rare_any != 0 || mask & RARE_HIT != 0;
                    let enough_hits =
                        hit_count >= required || (hit_count + 1 >= required && forgiven);
                    // As many of the name's own tokens must have been hit (two query tokens
                    // hitting one name token make one pair, not two), unless it is too long
                    // to tell its positions apart.
                    let enough_positions = positions >= required
                        || (positions + 1 >= required && forgiven)
                        || counts & LONG_NAME != 0;
                    // Names in scripts compared on less than their letters need only one hit.
                    (enough_hits && enough_positions)
                        || loose
                        || compared_loosely(Script::from_byte(facts.script))
                });
                // Removed names are skipped.
                gathered.retain(|entry| !entry.2.removed);
                let spans: Vec<(u32, u32)> = gathered
                    .iter()
                    .map(|entry| {
                        (
                            self.starts[entry.0 as usize],
                            self.starts[entry.0 as usize + 1],
                        )
                    })
                    .collect();
                // The names' text too (a name fits in a cache line or two).
                let text = self.text.as_bytes();
                let first_bytes = spans.iter().fold(0u8, |acc, &(start, end)| {
                    acc ^ text.get(start as usize).copied().unwrap_or(0)
                        ^ text.get(end as usize - 1).copied().unwrap_or(0)
                });
                std::hint::black_box(first_bytes);
                for (&(slot, mask, facts), &(start, end)) in gathered.iter().zip(&spans) {
                    let (any, strong) = hits_of(mask);
                    let script = Script::from_byte(facts.script);
                    // The bounds below reason about tokens compared letter by letter.
                    let plain = Comparison::letter_by_letter(query.script, script);
                    tokens.clear();
                    split_words(&self.text[start as usize..end as usize], &mut tokens);
                    lengths.clear();
                    lengths.extend(tokens.iter().map(|t| t.len()));
                    // Pairs form where keys hit, plus initials, plus (as the candidate rule
                    // forgives) one token no key caught, the longest one missed (with a typo
                    // in every word, a weak hit elsewhere does not account for it).
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
                    if longest_missed > 0 {
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
                    if plain && bound < threshold && !lengths.contains(&1) {
                        continue;
                    }
                    // Query tokens no key hit strongly are the likeliest to sink the name:
                    // they go first.
                    checked.clear();
                    checked_words.clear();
                    for strongly_hit in [false, true] {
                        for (bit, token) in distinct.iter().enumerate() {
                            if (strong & (1 << bit) != 0) == strongly_hit {
                                checked.extend(std::iter::repeat_n(*token, bit_repeats[bit]));
                                checked_words
                                    .extend(std::iter::repeat_n(bit as u16, bit_repeats[bit]));
                            }
                        }
                    }
                    checked.extend(&unkeyed_tokens);
                    checked_words
                        .extend((0..unkeyed_tokens.len()).map(|n| (distinct.len() + n) as u16));
                    let memo = &mut marks.pairs;
                    let mut pair = |word: u16, token: &str| {
                        memo.pair(word, token, || {
                            letters_pair(&query_words[usize::from(word)], &Letters::new(token))
                        })
                    };
                    let below = plain
                        && all_distinct
                        && certainly_below_by(&checked, &tokens, threshold, |q, c| {
                            pair(checked_words[q], tokens[c])
                        });
                    if below {
                        continue;
                    }
                    let score = score_in_list(
                        query_tokens,
                        query.script,
                        &tokens,
                        script,
                        self,
                        Some(&mut |q, c| pair(word_of_token[q], tokens[c])),
                    );
                    if score < threshold {
                        continue;
                    }
                    // The payload is read for hits only (removed names were skipped above).
                    if let Some(payload) = self.payloads[slot as usize].as_ref() {
                        hits.push(Hit {
                            slot,
                            payload,
                            score,
                        });
                    }
                }
                marks.clear(slots, word_count, &passes);
            }
        });
        hits
    }

    /// Names holding two words that, glued, are spelled like the query `token`
    /// ("pour naghshband" for "pournaghshband"): for each way to cut the token in two parts
    /// of three letters or more, the names filed under both parts' consonants (at the
    /// first part's position), unless both parts are common.
    fn split_lists(&self, token: &str) -> Vec<Posting> {
        const PART: usize = 3;
        let mut found: Vec<Posting> = Vec::new();
        if !token.is_ascii() || token.len() < 2 * PART {
            return found;
        }
        let list = |part: &str| self.postings.get(&hash_key(b's', &skeleton(part)));
        for cut in PART..=token.len() - PART {
            if let (Some(first), Some(second)) = (list(&token[..cut]), list(&token[cut..])) {
                // Two common parts ("muh" / "ammad") would cost a long walk for names
                // that rarely glue so.
                if first.len().min(second.len()) <= CROWDED_MIN {
                    found.extend(in_both(first, second));
                }
            }
        }
        // In slot order, as every list is (a part of the index is a run of its postings).
        found.sort_unstable_by_key(|p| (p & SLOT_MASK, *p));
        found.dedup();
        found
    }

    /// Whether a posting list is crowded: more than `CROWDED_MIN` names and more than
    /// one in `CROWDED_SHARE` of the index.
    fn crowded(&self, list: &[Posting]) -> bool {
        list.len() > CROWDED_MIN && list.len() * CROWDED_SHARE > self.live
    }

    /// Heap bytes held by the index, roughly (for the benchmark's memory report).
    pub fn heap_bytes(&self) -> usize {
        let postings: usize = self
            .postings
            .values()
            .map(|l| l.capacity() * 4 + 8 + 24)
            .sum();
        self.text.capacity()
            + self.word_names.capacity() * 12
            + self.starts.capacity() * 4
            + self.facts.capacity() * std::mem::size_of::<SlotFacts>()
            + self.payloads.capacity() * std::mem::size_of::<Option<T>>()
            + postings
    }
}

impl<T> WordCounts for NameIndex<T> {
    fn names_with(&self, word: &str) -> usize {
        let count = self.word_names.get(&hash_key(b'W', word.as_bytes()));
        count.map_or(0, |c| *c as usize)
    }

    fn names(&self) -> usize {
        self.live
    }
}

#[cfg(test)]
mod tests {
    use super::super::prepare::prepare;
    use super::*;
    use proptest::prelude::*;

    fn index<S: AsRef<str>>(names: &[S]) -> NameIndex<usize> {
        let mut index = NameIndex::new();
        for (i, name) in names.iter().enumerate() {
            index.insert(&prepare(name.as_ref()), i);
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

    /// Candidates share words, and the index compares each (query word, listed word) pair
    /// once per query (`PairMemo`): every score it gives must be the scorer's, whatever
    /// order the words come in, repeated, unkeyed (initials) or not.
    #[test]
    fn scores_from_remembered_pairs_are_the_scorers() {
        let names = [
            "ahmed ali hassan",
            "ali ahmed",
            "ahmad ali",
            "hassan ali ahmed",
            "ali hasan",
            "ahmed ahmed",
            "a ali hassan",
            "hassan ahmed ali",
            "alia hassan ahmadi",
            "ali ali",
        ];
        let idx = index(&names);
        let prepared: Vec<_> = names.iter().map(|n| prepare(n)).collect();
        for query in [
            "ahmed ali",
            "ali ahmed hasan",
            "hassan a ali",
            "ali ali ahmed",
            "ahmad hassan",
            "a h ali",
        ] {
            let query = prepare(query);
            let mut scanned: Vec<(usize, f64)> = prepared
                .iter()
                .enumerate()
                .map(|(n, listed)| {
                    let score = score_in_list(
                        &query.tokens,
                        query.script,
                        &listed.tokens,
                        listed.script,
                        &idx,
                        None,
                    );
                    (n, score)
                })
                .filter(|&(_, score)| score >= 0.6)
                .collect();
            let mut got: Vec<(usize, f64)> = idx
                .search(&query, 0.6, 100)
                .iter()
                .map(|h| (*h.payload, h.score))
                .collect();
            scanned.sort_by_key(|&(n, _)| n);
            got.sort_by_key(|&(n, _)| n);
            assert_eq!(got, scanned, "{:?}", query.tokens);
        }
    }

    #[test]
    fn lists_naming_the_same_names_are_marked_once() {
        let (sound, consonants, typo, other) =
            (vec![1, 5, 9], vec![1, 5, 9], vec![1, 5, 9], vec![1, 5]);
        let (mut strong, mut weak): (Vec<&[Posting]>, Vec<&[Posting]>) = (
            vec![&sound, &consonants, &other],
            vec![&typo, &other, &[2, 3]],
        );
        // The token's own spelling is the second of the same lists: the first stands for it.
        let mut own = vec![consonants.as_ptr()];
        drop_repeated_lists([&mut strong, &mut weak], &mut own);
        assert_eq!(strong, [&sound[..], &other[..]]);
        assert_eq!(weak, [&[2, 3][..]]);
        assert!(own.contains(&sound.as_ptr()));
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
        // Short tokens a letter apart, either way round.
        assert_eq!(found(&index(&["Si"]), "Sic"), [0]);
        assert_eq!(found(&index(&["Sic"]), "Si"), [0]);
        // One query token: a hit on either part is enough (here the space-free
        // comparison), whichever list is the longest.
        let mut names = vec!["Mohammed Ali".to_string()];
        // Enough names sharing the query token's keys that it is not rare.
        names.extend((0..70).map(|i| format!("Mohammedali {}", "z".repeat(i + 1))));
        let many = index(&names);
        let joined = many.search(&prepare("Mohammedali"), 0.85, 100);
        assert!(joined.iter().any(|hit| *hit.payload == 0));
        // A single-token name is a candidate on one hit, even from the query token whose
        // lists only add to others' names (a token of two consonants: no weak keys).
        let mut names = vec!["Aaliyaahu".to_string()];
        names.extend((0..70).map(|i| format!("Aaliyaahu {}", "z".repeat(i + 1))));
        let many = index(&names);
        let joined = many.search(&prepare("Aaliyaahu Bo"), 0.85, 100);
        assert!(joined.iter().any(|hit| *hit.payload == 0));
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

    #[test]
    fn tokens_of_few_consonants_are_found_by_their_letters() {
        // "maie" has one consonant left: its consonant keys cannot reach "marie"; one
        // letter left out of "marie" is "maie".
        // Enough curies and mehtas that those tokens are not rare (a rare token's hit
        // would excuse the miss).
        let mut names = vec!["Marie Curie".to_string(), "Deepa Mehta".to_string()];
        for n in 0..70 {
            names.push(format!("Zed{n} Curie"));
            names.push(format!("Zed{n} Mehta"));
        }
        let idx = index(&names);
        assert_eq!(found(&idx, "Maie Curie"), [0]);
        assert_eq!(found(&idx, "Deeoa Mehta"), [1]);
    }

    #[test]
    fn a_typo_is_found_beside_a_common_token() {
        // Neither token rare: "amy", "imposter" and "imposler" are in many names. The
        // typo'd token ("imposler") hits "Amy Imposter" only weakly, and only adds to
        // names the other token brought in.
        let mut names = vec!["Amy Imposter".to_string()];
        names.extend((0..70).map(|n| format!("Amy Zed{n}")));
        names.extend((0..200).map(|n| format!("Zed{n} Imposter")));
        names.extend((0..70).map(|n| format!("Zed{n} Imposler")));
        let idx = index(&names);
        assert_eq!(found(&idx, "Amy Imposler"), [0]);
        assert_eq!(found(&idx, "Imposler, Amy"), [0]);
    }

    #[test]
    fn a_sound_alike_elsewhere_in_the_name_does_not_hide_a_typo() {
        // "kyryuk" sounds like "sergei" (same phonetic key) and is one consonant off
        // "kysyuk": both hits count, on different tokens of the name.
        let mut names = vec!["Kysyuk Sergei".to_string()];
        names.extend((0..70).map(|n| format!("Zed{n} Sergei")));
        names.extend((0..200).map(|n| format!("Kyryuk Zed{n}")));
        let idx = index(&names);
        assert_eq!(found(&idx, "Kyryuk, Sergei"), [0]);
    }

    #[test]
    fn a_word_two_typos_away_is_forgiven_beside_a_word_rare_even_with_its_typos() {
        // "biyamin" is two typos from "benjamin": no key joins them. "netanyphu" hits
        // "netanyahu" only weakly, but few names are within a typo of it: that hit
        // stands for two.
        let mut names = vec!["Benjamin Netanyahu".to_string()];
        names.extend((0..200).map(|n| format!("Benjamin Zed{n}")));
        assert_eq!(found(&index(&names), "Biyamin Netanyphu"), [0]);
        // So does a hit from the query token with the most postings (whose lists
        // otherwise only add to names others brought in): "kratumporo" hits nothing, and
        // "aree" shares its consonant with the "ora"s (not rare), but few names are within
        // a typo of it.
        let mut names = vec!["Waree Kradumporn".to_string()];
        names.extend((0..40).map(|n| format!("Ora Zed{n}")));
        assert_eq!(found(&index(&names), "Aree Kratumporo"), [0]);
    }

    #[test]
    fn a_weak_hit_through_a_short_list_excuses_a_word_two_typos_away() {
        // "ilsamiyyah" is two typos from "islamiya": no key joins them. "jemata" is not
        // rare (two hundred "jemat"s share its consonants), but its hit on "jemaa" comes
        // through a list of one name (tokens spelled "jemaa"): that hit stands for two.
        let mut names = vec!["Jemaa Islamiya".to_string()];
        names.extend((0..200).map(|n| format!("Jemat Zed{n}")));
        assert_eq!(found(&index(&names), "Jemata Ilsamiyyah"), [0]);
    }

    #[test]
    fn a_consonant_added_to_a_sound_alike_spelling_is_found() {
        // "gadldafi" is "gaddafi" with an "l" added, and "gaddafi" sounds like "qaddafi":
        // two typos by letters, one by sound ("gadldafi" sounds "23431", "qaddafi" "231").
        let mut names = vec!["Muhammad Qaddafi".to_string()];
        names.extend((0..200).map(|n| format!("Muhammad Zed{n}")));
        assert_eq!(found(&index(&names), "Muhammad Gadldafi"), [0]);
    }

    #[test]
    fn words_that_begin_alike_are_found_further_typos_apart() {
        // "bengoetxea" / "bengoechea" and "urrutikoetxea" / "urruticoechea" are two and
        // three letters apart, which no other key reaches; they begin alike.
        let mut names = vec!["Jose Antonio Urruticoechea Bengoechea".to_string()];
        names.extend((0..200).map(|n| format!("Jose Antonio Zed{n}")));
        let idx = index(&names);
        assert_eq!(found(&idx, "Bengoetxea, Jose Antoniv Urrutikoetxea"), [0]);
        // Two words glued, with a typo: "pournabhshband" / "pour naghshband", where
        // the glued spelling's other keys do not reach.
        let mut names = vec!["Pour Naghshband, Hossein".to_string()];
        names.extend((0..200).map(|n| format!("Hossein Zed{n}")));
        assert_eq!(found(&index(&names), "Hosyein Pournabhshband"), [0]);
    }

    /// `names`, and enough others sharing each of their tokens that no token is rare (a
    /// rare token's hit would excuse a miss).
    fn index_with_company(names: &[&str]) -> NameIndex<usize> {
        let mut all: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        for name in names {
            for token in name.split([' ', ',']).filter(|t| !t.is_empty()) {
                all.extend((0..70).map(|n| format!("{token} Zed{n}")));
            }
        }
        index(&all)
    }

    #[test]
    fn words_glued_or_split_otherwise_are_found() {
        let idx = index_with_company(&["Pour Naghshband, Hossein", "Abdulrahman Hassan"]);
        assert_eq!(found(&idx, "Hossein Pournaghshband"), [0]);
        assert_eq!(found(&idx, "Abdul Rahman Hassan"), [1]);
        let idx = index_with_company(&["Hossein Pournaghshband", "Abdul Rahman Hassan"]);
        assert_eq!(found(&idx, "Pour Naghshband, Hossein"), [0]);
        assert_eq!(found(&idx, "Abdulrahman Hassan"), [1]);
    }

    #[test]
    fn a_typo_between_doubled_letters_and_in_short_words_is_found() {
        // "gadldafi": the "l" parts the doubled "d"; "rag" is one letter off "ra".
        let idx = index_with_company(&["Gaddafi, Muhammad", "Ra Kyong Su", "James Barbara"]);
        assert_eq!(found(&idx, "Gadldafi Muhammad"), [0]);
        assert_eq!(found(&idx, "Rag Kyong Su"), [1]);
        assert_eq!(found(&idx, "Jamesv Babbara"), [2]);
    }

    #[test]
    fn a_listed_name_of_common_words_inside_a_longer_query_is_weak_evidence() {
        // "mohammed", "ali" and "vladimir" are in a third of the listed names, "putin" in
        // one.
        let mut names = vec!["Mohammed Ali".to_string(), "Vladimir Putin".to_string()];
        for common in ["Mohammed", "Ali", "Vladimir"] {
            names.extend((0..200).map(|n| format!("{common} Zed{n}")));
        }
        let idx = index(&names);
        assert!(found(&idx, "Mohammed Hassan Ali").is_empty());
        assert_eq!(found(&idx, "Vladimir Vladimirovich Putin"), [1]);
        // The whole name is still found, whatever its words.
        assert_eq!(found(&idx, "Mohammed Ali"), [0]);
        // In a short list no word is common.
        assert_eq!(found(&index(&["Mohammed Ali"]), "Mohammed Hassan Ali"), [0]);
        // The explanation says why, with the counts.
        let scored = super::super::score::score_with(
            &prepare("Mohammed Hassan Ali"),
            &prepare("Mohammed Ali"),
            Some(&idx),
        );
        assert!(scored.score < 0.85, "{}", scored.score);
        let note = serde_json::to_value(&scored.explanation.notes).unwrap();
        assert_eq!(note[0]["rule"], "common-words-only");
        assert_eq!(note[0]["names"], 602);
        assert_eq!(note[0]["words"][0]["names"], 201);
    }

    #[test]
    fn a_short_word_beside_a_common_one_is_found_one_typo_or_a_cut_away() {
        // "chidi" is in every name, so its lists only add; the surname brings the name
        // in. Its consonants with one changed ("vzn" for "vsn") only add too: its letters
        // with one left out reach "ovson". A word cut short has fewer consonants: those
        // keys still bring names in.
        // Enough names sharing each word's consonants, the query's and the listed
        // one's, that none of those words is rare (a rare word's lists all bring names
        // in), nor the listed word's sound short (its sound is the query's with a
        // consonant left out, a key looked up only where few names share it).
        let mut names = vec!["Chidi Ovson".to_string(), "Chidi Alov".to_string()];
        for n in 0..300 {
            for word in ["Ovson", "Avzan", "Alov", "Alvis"] {
                names.push(format!("Zed{n} {word}"));
            }
        }
        names.extend((0..5_000).map(|i| format!("Chidi Ab{i}")));
        let idx = index(&names);
        assert_eq!(found(&idx, "Chidi Ovzon"), [0], "a consonant changed");
        assert_eq!(found(&idx, "Chidi Alovas"), [1], "a word cut short");
    }

    #[test]
    fn a_query_leaves_no_marks_behind() {
        // The next query reads the same bitmaps: every bit this one set must be cleared,
        // whether its own-spelling lists are short (their words cleared one by one) or
        // long (the whole bitmap).
        for own_length in [3usize, 5_000] {
            let slots = 10_000;
            let list: Vec<Posting> = (0..own_length as u32).map(|i| i * 2).collect();
            let mut marks = Marks::default();
            marks.prepare(slots, 2);
            let pass = Pass {
                list: &list,
                token: 1,
                strong: true,
                own_spelling: true,
                bits: 1 << 1,
                may_touch: true,
                one_hit_enough: false,
                within_largest: false,
                fills_largest: false,
            };
            marks.mark(&pass, 0);
            assert!(marks.self_by_token[1].iter().any(|w| *w != 0));
            marks.clear(0..slots, 2, std::slice::from_ref(&pass));
            assert!(marks.touched.iter().all(|w| *w == 0), "{own_length}");
            for bits in &marks.self_by_token {
                assert!(bits.iter().all(|w| *w == 0), "{own_length}");
            }
        }
    }

    #[test]
    fn two_common_words_find_the_names_holding_both() {
        // "alan" and "smith" are both common: the second longest's lists ("alan") touch
        // only names the longest's ("smith") hit or a shorter one's touched, so the names
        // holding both are found without marking every alan, and so are those holding
        // "alan" and a third word.
        let mut names = vec![
            "Alan Smith".to_string(),
            "Alan Smyth".to_string(),
            "Alan Kowalczyk".to_string(),
        ];
        // Enough names spelled alike that "kowalczyk" is not rare, even with its typos
        // (a rare word's hit alone makes a candidate), few enough with the word itself
        // that it is not common (a name of common words inside a longer query scores
        // low).
        for n in 0..200 {
            names.push(format!("Zed{n} Kowalczik"));
        }
        for n in 0..400 {
            names.push(format!("Alan Zed{n}"));
        }
        for n in 0..500 {
            names.push(format!("Zed{n} Smith"));
        }
        let idx = index(&names);
        assert_eq!(found(&idx, "Alan Smith Kowalczyk"), [2]);
        let mut hits = found(&idx, "Alan Smith");
        hits.sort_unstable();
        assert_eq!(hits, [0, 1]);
        let mut hits = found(&idx, "Allan Smith");
        hits.sort_unstable();
        assert_eq!(hits, [0, 1]);
    }

    #[test]
    fn a_two_word_name_is_found_by_a_longer_querys_two_commonest_words() {
        // "kowalczyk" has the fewest postings, then "zbigniew", then "brzezinski" (their
        // spellings "kowalczik", "zbognaw", "brzozinsky" share their consonants, the
        // words themselves stay rare). A name of two words is found through the two
        // commonest words of a longer query.
        let mut names = vec!["Zbigniew Brzezinski".to_string()];
        for n in 0..200 {
            names.push(format!("Zed{n} Kowalczik"));
        }
        for n in 0..300 {
            names.push(format!("Zbognaw Zed{n} Quorn"));
        }
        for n in 0..400 {
            names.push(format!("Zed{n} Brzozinsky Quorn"));
        }
        // Lists of eight names or fewer always touch: no list holding the name is one.
        for n in 0..8 {
            names.push(format!("Zbigniew Brzezinski Zed{n}"));
        }
        let idx = index(&names);
        assert_eq!(found(&idx, "Zbigniew Brzezinski Kowalczyk"), [0]);
    }

    #[test]
    fn a_longer_name_a_smaller_word_hits_only_through_a_crowded_list_is_found() {
        // "alan" is in so many names that its list is crowded (it only adds);
        // "brzezinski" and "zbigniew" have more postings, over lists that are not.
        // "Alan Brzezinski Zbigniew" is hit by all three, by "alan" only through a list
        // that adds: "brzezinski", the second largest, must bring it in.
        let mut names = vec!["Alan Brzezinski Zbigniew".to_string()];
        for n in 0..4_200 {
            names.push(format!("Alan Zed{n}"));
        }
        for n in 0..3_000 {
            names.push(format!("Zed{n} Brzozinsky"));
            names.push(format!("Zed{n} Brzezinki"));
        }
        for n in 0..4_000 {
            names.push(format!("Zbognaw Zed{n}"));
            names.push(format!("Zigniew Zed{n}"));
        }
        // Lists of eight names or fewer always touch: no list holding the name is one.
        for n in 0..8 {
            names.push(format!("Quux{n} Brzezinski Zbigniew"));
        }
        let idx = index(&names);
        assert_eq!(found(&idx, "Alan Brzezinski Zbigniew"), [0]);
    }

    #[test]
    fn a_crowded_key_still_finds_its_names() {
        // "hans" is in every name: its keys count as weak hits, the surname's are strong.
        let mut names: Vec<String> = (0..5_000).map(|i| format!("Hans Ab{i}")).collect();
        names.push("Hans Loleyson".into());
        names.push("Hanz Loleysen".into());
        let idx = index(&names);
        let mut hits = found(&idx, "Hans Loleyson");
        hits.sort_unstable();
        assert_eq!(hits, [5_000, 5_001]);
        assert!(found(&idx, "Hans Nobody").is_empty());
    }

    #[test]
    fn compaction_drops_removed_names_and_moves_the_rest() {
        let mut idx = index(&["Joe Imposter", "Jane Doe", "John Smith", "Maria Garcia"]);
        idx.remove(0);
        idx.remove(2);
        assert_eq!(idx.tombstones(), 2);
        let moved = idx.compact();
        assert_eq!(moved, [None, Some(0), None, Some(1)]);
        assert_eq!((idx.len(), idx.tombstones()), (2, 0));
        assert_eq!(idx.tokens(1), "maria garcia");
        assert_eq!(found(&idx, "Maria Garcia"), [3]);
        assert_eq!(found(&idx, "Jane Doe"), [1]);
        assert!(found(&idx, "Joe Imposter").is_empty());
        // Compacted postings hold only the live names.
        let keys = |idx: &NameIndex<usize>| idx.postings.values().map(Vec::len).sum::<usize>();
        assert_eq!(keys(&idx), keys(&index(&["Jane Doe", "Maria Garcia"])));
    }

    /// The hits of `query` in `idx`, as (payload, score), best first.
    fn scored(idx: &NameIndex<usize>, query: &str) -> Vec<(usize, f64)> {
        let hits = idx.search(&prepare(query), 0.85, usize::MAX);
        hits.iter().map(|h| (*h.payload, h.score)).collect()
    }

    proptest! {
        // Where a slot's postings start, found from the slot's share of the list, is where
        // a binary search over the whole list finds it (a slot may have several postings).
        #[test]
        fn a_slots_postings_are_found_from_its_share_of_the_list(
            mut slots in proptest::collection::vec(0u32..600, 0..400),
            positions in proptest::collection::vec(0u32..15, 400),
            slot in 0u32..620,
        ) {
            slots.sort_unstable();
            let list: Vec<Posting> = slots
                .iter()
                .zip(&positions)
                .map(|(s, p)| s | (p << POSITION_SHIFT))
                .collect();
            let expected = list.partition_point(|p| p & SLOT_MASK < slot);
            prop_assert_eq!(first_at_or_after_near(&list, slot, 600), expected);
        }

        // A query marked and scored in parts of the index, on several threads, finds the
        // very names, with the very scores, it finds in one: among names sharing common
        // words (long lists, the largest token's bitmap) with typos, across many parts.
        #[test]
        fn parts_on_several_threads_find_what_one_finds(
            picks in proptest::collection::vec((0usize..17, 0usize..17, 0usize..17, 0u8..5), 200..700),
            query in (0usize..17, 0usize..17, 0usize..17),
            glued in any::<bool>(),
            threads in 2usize..5,
        ) {
            // Glued and split words too ("abdulrahman" / "abdul rahman", at varying
            // positions): a query token's two parts make a list of their own.
            const WORDS: [&str; 17] = [
                "maria", "mario", "marie", "garcia", "garsia", "ahmed", "ahmad", "ali",
                "alia", "hassan", "hasan", "lopez", "lopes", "li", "abdul", "rahman",
                "abdulrahman",
            ];
            let names: Vec<String> = picks
                .iter()
                .map(|&(a, b, c, n)| match n {
                    0 => format!("{} {}", WORDS[a], WORDS[b]),
                    1 => format!("{} {} {}", WORDS[a], WORDS[b], WORDS[c]),
                    2 => format!("{} abdul rahman", WORDS[a]),
                    3 => format!("abdul rahman {}", WORDS[a]),
                    _ => WORDS[a].to_string(),
                })
                .collect();
            let mut idx = index(&names);
            let last = if glued { "abdulrahman" } else { WORDS[query.2] };
            let query = format!("{} {} {last}", WORDS[query.0], WORDS[query.1]);
            idx.set_threads(1);
            let whole = scored(&idx, &query);
            idx.set_threads(threads);
            idx.parts_from = (0, 0);
            prop_assert_eq!(scored(&idx, &query), whole);
        }

        // Two posting lists' common slots, each once, from the first list's postings.
        #[test]
        fn in_both_finds_the_slots_both_lists_hold(
            mut first in proptest::collection::vec(0u32..3_000, 0..300),
            mut second in proptest::collection::vec(0u32..3_000, 0..300),
            position in 0u32..15,
        ) {
            first.sort_unstable();
            second.sort_unstable();
            let at = |slot: &u32| slot | (position << POSITION_SHIFT);
            let first: Vec<Posting> = first.iter().map(at).collect();
            let mut expected: Vec<Posting> = first
                .iter()
                .copied()
                .filter(|p| second.contains(&(p & SLOT_MASK)))
                .collect();
            expected.dedup();
            prop_assert_eq!(in_both(&first, &second), expected.clone());
            // Either way round, the first list's postings.
            let second_first: Vec<Posting> = in_both(&second, &first)
                .iter()
                .map(|p| p & SLOT_MASK)
                .collect();
            let slots: Vec<u32> = expected.iter().map(|p| p & SLOT_MASK).collect();
            prop_assert_eq!(second_first, slots);
        }

        // Whatever a full scan finds for a query made of some of a name's tokens, in any
        // order, the index finds too: among names of one to three tokens (single-token
        // names are filed apart), whichever of the query's lists are the longest.
        #[test]
        fn finds_names_from_their_parts(
            names in proptest::collection::vec("[a-z]{2,7}( [a-z]{2,7}){0,2}", 1..60),
            pick in 0usize..60,
            keep in proptest::collection::vec(any::<bool>(), 3),
            reverse in any::<bool>(),
        ) {
            let idx = index(&names);
            let target: Vec<&str> = names[pick % names.len()].split(' ').collect();
            let mut parts: Vec<&str> = target.iter().zip(&keep).filter(|(_, k)| **k).map(|(t, _)| *t).collect();
            if parts.is_empty() {
                parts.push(target[0]);
            }
            if reverse {
                parts.reverse();
            }
            let query = prepare(&parts.join(" "));
            let scan: Vec<usize> = names.iter().enumerate()
                .filter(|(_, n)| super::super::score::score_only(&query, &prepare(n)) >= 0.85)
                .map(|(i, _)| i).collect();
            let mut got: Vec<usize> = idx.search(&query, 0.85, 100).iter().map(|h| *h.payload).collect();
            got.sort_unstable();
            prop_assert_eq!(got, scan);
        }

        // The index may only skip names that could not have matched: whatever a full scan
        // finds above the threshold for a typo'd query, the index finds too, as long as
        // the typo leaves one token of a two-token name intact.
        #[test]
        fn agrees_with_a_full_scan(
            names in proptest::collection::vec("[a-z]{3,8} [a-z]{3,9}", 1..60),
            pick in 0usize..60,
            typo_at in 0usize..8,
        ) {
            let idx = index(&names);
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
