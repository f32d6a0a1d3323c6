//! Token pairs a query has already compared, kept for its next candidates.
//!
//! The candidates of one query share words: "ahmed" is in thousands of listed names.
//! Each candidate's words are compared with the query's words, first to turn away names
//! that cannot reach the threshold (`score::certainly_below_by`), then to score the
//! rest, mostly the same pairs again. One comparison costs hundreds of instructions
//! (Jaro-Winkler, sound classes, nicknames); a lookup here costs a few.

use super::score::How;

/// Entries kept: a power of two. At 32 bytes each, 32 KiB, which stays in cache; a query
/// looks up a few hundred pairs (4,096 entries saved 0.7% more instructions on OFAC's
/// queries, and were no faster).
const ENTRIES: usize = 1024;
/// Words longer than this are compared every time (rare): shorter ones are kept as two
/// integers, compared and hashed without a loop over bytes.
const LONGEST: usize = 16;

#[derive(Clone, Copy, Default)]
struct Entry {
    /// The query this entry belongs to; older entries are stale.
    generation: u32,
    /// Which of the query's words.
    query_word: u16,
    len: u8,
    word: [u64; 2],
    pair: Option<(f64, How)>,
}

/// A direct-mapped cache of (query word, listed word) → how they pair, emptied for each
/// query by moving to the next generation.
pub struct PairMemo {
    entries: Vec<Entry>,
    generation: u32,
}

impl Default for PairMemo {
    fn default() -> Self {
        Self {
            entries: vec![Entry::default(); ENTRIES],
            generation: 1,
        }
    }
}

impl PairMemo {
    /// Forget every pair: the next query's words are different.
    pub fn next_query(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            // Entries of 2³² queries ago would look current: clear them instead.
            self.entries.fill(Entry::default());
            self.generation = 1;
        }
    }

    /// How the query's word number `query_word` pairs with `word`, from the cache or
    /// from `compute` (which must depend on nothing but these two words).
    pub fn pair(
        &mut self,
        query_word: u16,
        word: &str,
        compute: impl FnOnce() -> Option<(f64, How)>,
    ) -> Option<(f64, How)> {
        let bytes = word.as_bytes();
        if bytes.len() > LONGEST {
            return compute();
        }
        // The word's bytes as two integers, zero after its end (its length tells "ab" from
        // "ab\0").
        let mut packed = [0u64; 2];
        for (at, &byte) in bytes.iter().enumerate() {
            packed[at / 8] |= u64::from(byte) << (8 * (at % 8));
        }
        let entry = &mut self.entries[place(query_word, bytes.len(), packed)];
        if entry.generation == self.generation
            && entry.query_word == query_word
            && usize::from(entry.len) == bytes.len()
            && entry.word == packed
        {
            return entry.pair;
        }
        let pair = compute();
        *entry = Entry {
            generation: self.generation,
            query_word,
            len: bytes.len() as u8,
            word: packed,
            pair,
        };
        pair
    }
}

/// Where a (query word, listed word) pair is kept: a multiplicative hash.
fn place(query_word: u16, len: usize, packed: [u64; 2]) -> usize {
    const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;
    let mixed = (packed[0] ^ (len as u64) ^ (u64::from(query_word) << 48)).wrapping_mul(MULTIPLIER)
        ^ packed[1];
    (mixed.wrapping_mul(MULTIPLIER) >> (64 - ENTRIES.trailing_zeros())) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_is_computed_once_per_query_and_again_for_the_next() {
        let mut memo = PairMemo::default();
        let mut computed = 0;
        let mut ask = |memo: &mut PairMemo, query_word, word: &str, value| {
            memo.pair(query_word, word, || {
                computed += 1;
                Some((value, How::Fuzzy))
            })
            .map(|(similarity, _)| similarity)
        };
        assert_eq!(ask(&mut memo, 0, "ahmed", 0.9), Some(0.9));
        assert_eq!(
            ask(&mut memo, 0, "ahmed", 0.1),
            Some(0.9),
            "the first answer is kept"
        );
        assert_eq!(
            ask(&mut memo, 1, "ahmed", 0.5),
            Some(0.5),
            "another query word"
        );
        assert_eq!(
            ask(&mut memo, 0, "ahmad", 0.7),
            Some(0.7),
            "another listed word"
        );
        memo.next_query();
        assert_eq!(
            ask(&mut memo, 0, "ahmed", 0.3),
            Some(0.3),
            "a new query forgets"
        );
        assert_eq!(computed, 4);
    }

    #[test]
    fn words_that_share_a_place_are_told_apart() {
        let mut memo = PairMemo::default();
        // Far more words than entries: many share a place, and each must still get its
        // own similarity back.
        let words: Vec<String> = (0..3 * ENTRIES).map(|n| format!("w{n}")).collect();
        for (n, word) in words.iter().enumerate() {
            memo.pair(0, word, || Some((n as f64, How::Fuzzy)));
        }
        for (n, word) in words.iter().enumerate().rev() {
            let pair = memo.pair(0, word, || Some((n as f64, How::Fuzzy)));
            assert_eq!(pair, Some((n as f64, How::Fuzzy)));
        }
        // "ab" and "ab" followed by a zero byte pack alike: their lengths tell them apart.
        assert_eq!(memo.pair(1, "ab", || None), None);
        assert_eq!(
            memo.pair(1, "ab\0", || Some((0.5, How::Typo))),
            Some((0.5, How::Typo))
        );
        assert_eq!(memo.pair(1, "ab", || Some((0.1, How::Typo))), None);
        // Two query words whose pairs with one word share a place are told apart too.
        let packed = [u64::from_le_bytes(*b"ahmed\0\0\0"), 0];
        let other = (1..=u16::MAX)
            .find(|&word| place(word, 5, packed) == place(0, 5, packed))
            .expect("some query word shares the place");
        memo.next_query();
        assert_eq!(memo.pair(0, "ahmed", || None), None);
        let pair = memo.pair(other, "ahmed", || Some((1.0, How::Exact)));
        assert_eq!(pair, Some((1.0, How::Exact)));
        let long = "a".repeat(LONGEST + 1);
        assert_eq!(memo.pair(0, &long, || None), None);
        let again = memo.pair(0, &long, || Some((0.5, How::Exact)));
        assert_eq!(again, Some((0.5, How::Exact)), "long words are not kept");
    }
}
