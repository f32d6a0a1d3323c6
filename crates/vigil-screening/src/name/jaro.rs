//! Jaro and Jaro-Winkler similarity over ASCII bytes.
//!
//! Names are transliterated to ASCII before they get here, so a byte is a letter, and
//! tokens are capped at 64 bytes, so the "already matched" flags fit in two `u64`s and
//! a comparison never allocates: it runs once per candidate token pair, the hot loop of
//! every screening.

/// Longest token compared; longer ones are cut here when names are prepared.
pub const MAX_TOKEN: usize = 64;

/// Whether `a` and `b` are one typo apart: one letter changed, added or dropped, or two
/// neighbours swapped (equal tokens are not).
pub fn one_typo_apart(a: &[u8], b: &[u8]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 || a == b {
        return false;
    }
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() {
        // Changed: the rest after the difference is equal; swapped: the next two cross.
        short[prefix + 1..] == long[prefix + 1..]
            || (prefix + 1 < short.len()
                && short[prefix] == long[prefix + 1]
                && short[prefix + 1] == long[prefix]
                && short[prefix + 2..] == long[prefix + 2..])
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

/// Jaro similarity in [0, 1].
pub fn jaro(a: &[u8], b: &[u8]) -> f64 {
    let (a, b) = (&a[..a.len().min(MAX_TOKEN)], &b[..b.len().min(MAX_TOKEN)]);
    if a.is_empty() || b.is_empty() {
        return if a.is_empty() && b.is_empty() {
            1.0
        } else {
            0.0
        };
    }
    if a == b {
        return 1.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let (mut a_flags, mut b_flags) = (0u64, 0u64);
    let mut matches = 0usize;
    let letters = |t: &[u8]| t.iter().all(u8::is_ascii_lowercase);
    if letters(a) && letters(b) {
        // Where each letter is in `b`, as bits: a letter of `a` takes the first free one
        // in its window without a loop over the window.
        let mut at = [0u64; 32];
        for (j, &cb) in b.iter().enumerate() {
            at[usize::from(cb & 31)] |= 1 << j;
        }
        for (i, &ca) in a.iter().enumerate() {
            let lo = i.saturating_sub(window);
            let hi = (i + window + 1).min(b.len());
            let in_window = (u64::MAX >> (64 - hi)) & !((1u64 << lo) - 1);
            let free = at[usize::from(ca & 31)] & in_window & !b_flags;
            if free != 0 {
                a_flags |= 1 << i;
                b_flags |= free & free.wrapping_neg();
                matches += 1;
            }
        }
    } else {
        for (i, &ca) in a.iter().enumerate() {
            let lo = i.saturating_sub(window);
            let hi = (i + window + 1).min(b.len());
            for (j, &cb) in b.iter().enumerate().take(hi).skip(lo) {
                if b_flags & (1 << j) == 0 && cb == ca {
                    a_flags |= 1 << i;
                    b_flags |= 1 << j;
                    matches += 1;
                    break;
                }
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    // Count matched characters that appear in a different order (half-transpositions).
    let mut half_transpositions = 0usize;
    let mut j = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        if a_flags & (1 << i) == 0 {
            continue;
        }
        while b_flags & (1 << j) == 0 {
            j += 1;
        }
        if b[j] != ca {
            half_transpositions += 1;
        }
        j += 1;
    }
    let m = matches as f64;
    let t = (half_transpositions / 2) as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - t) / m) / 3.0
}

/// At least [`jaro`], from the letters alone and far cheaper: a letter matches only one
/// the other token holds, so the matches are at most the letters of either token found
/// in the other, with no transpositions. Most pairs of unrelated words are ruled out by it
/// before their letters are matched in order.
pub fn jaro_upper_bound(a: &[u8], b: &[u8]) -> f64 {
    let (a, b) = (&a[..a.len().min(MAX_TOKEN)], &b[..b.len().min(MAX_TOKEN)]);
    if a.is_empty() || b.is_empty() {
        return 1.0;
    }
    // Bytes alike modulo 64 share a bit: more matches than there are, never fewer.
    let set = |t: &[u8]| t.iter().fold(0u64, |set, &x| set | 1 << (x & 63));
    let found_in = |t: &[u8], other: u64| t.iter().filter(|&&x| other >> (x & 63) & 1 != 0).count();
    let matches = found_in(a, set(b)).min(found_in(b, set(a)));
    if matches == 0 {
        return 0.0;
    }
    let m = matches as f64;
    (m / a.len() as f64 + m / b.len() as f64 + 1.0) / 3.0
}

/// At least [`jaro_winkler`]: [`jaro_upper_bound`] with the prefix boost (the boost
/// grows with the similarity it boosts, so the bound holds).
pub fn jaro_winkler_upper_bound(a: &[u8], b: &[u8]) -> f64 {
    winkler(a, b, jaro_upper_bound(a, b))
}

/// Jaro-Winkler: Jaro boosted by a shared prefix of up to 4 bytes, when Jaro > 0.7.
pub fn jaro_winkler(a: &[u8], b: &[u8]) -> f64 {
    winkler(a, b, jaro(a, b))
}

/// Winkler's boost of `sim` by the prefix `a` and `b` share (up to 4 bytes), when `sim`
/// is over 0.7.
fn winkler(a: &[u8], b: &[u8], sim: f64) -> f64 {
    if sim <= 0.7 {
        return sim;
    }
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count() as f64;
    sim + prefix * 0.1 * (1.0 - sim)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        assert!((jaro(b"martha", b"marhta") - 0.944).abs() < 0.001);
        assert!((jaro_winkler(b"martha", b"marhta") - 0.961).abs() < 0.001);
        assert!((jaro_winkler(b"dwayne", b"duane") - 0.84).abs() < 0.001);
        assert_eq!(jaro(b"abc", b"xyz"), 0.0);
        assert_eq!(jaro_winkler(b"same", b"same"), 1.0);
        assert_eq!(jaro(b"", b""), 1.0);
        assert_eq!(jaro(b"a", b""), 0.0);
    }

    proptest! {
        // strsim is the reference implementation; ours must agree on every ASCII pair.
        #[test]
        fn agrees_with_strsim(a in "[a-e]{0,20}", b in "[a-e]{0,20}") {
            let ours = jaro_winkler(a.as_bytes(), b.as_bytes());
            let theirs = strsim::jaro_winkler(&a, &b);
            prop_assert!((ours - theirs).abs() < 1e-9, "{a} {b}: {ours} vs {theirs}");
        }

        // The bit-parallel matching (lower-case letters) and the scan (other bytes) agree.
        #[test]
        fn agrees_with_strsim_on_any_ascii(a in "[ -~]{0,64}", b in "[ -~]{0,64}") {
            let ours = jaro(a.as_bytes(), b.as_bytes());
            let theirs = strsim::jaro(&a, &b);
            prop_assert!((ours - theirs).abs() < 1e-9, "{a} {b}: {ours} vs {theirs}");
        }

        #[test]
        fn the_upper_bounds_hold(a in "[a-h]{0,12}", b in "[ -~]{0,70}") {
            for (a, b) in [(a.as_bytes(), b.as_bytes()), (a.as_bytes(), &a.as_bytes()[a.len() / 2..])] {
                prop_assert!(jaro(a, b) <= jaro_upper_bound(a, b) + 1e-12);
                prop_assert!(jaro_winkler(a, b) <= jaro_winkler_upper_bound(a, b) + 1e-12);
            }
        }

        #[test]
        fn symmetric_and_bounded(a in "[a-z]{0,70}", b in "[a-z]{0,70}") {
            let x = jaro_winkler(a.as_bytes(), b.as_bytes());
            prop_assert!((0.0..=1.0).contains(&x));
            prop_assert!((x - jaro_winkler(b.as_bytes(), a.as_bytes())).abs() < 1e-9);
        }
    }
}
