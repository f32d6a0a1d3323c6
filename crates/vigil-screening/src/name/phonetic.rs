//! Phonetic keys for name tokens.
//!
//! Two uses: candidate retrieval (tokens that sound alike share a key, so "Mohammed" finds
//! "Muhammad") and gating (tokens whose first sounds differ are never compared: "Ivan" is
//! not scored against "Bivan"). The code is Soundex-like, extended for the way names are
//! transliterated into Latin script: digraphs (`ph`, `kh`, `sh`...), vowels and the
//! `j`/`y`/`i` alternation are folded, and the length is not cut at four.

/// The sound class of a letter: vowels and semivowels share one class.
fn class(letter: u8) -> u8 {
    match letter {
        b'a' | b'e' | b'i' | b'o' | b'u' | b'y' | b'j' | b'h' | b'w' => b'0',
        b'b' | b'f' | b'p' | b'v' => b'1',
        b'c' | b'g' | b'k' | b'q' | b's' | b'x' | b'z' => b'2',
        b'd' | b't' => b'3',
        b'l' => b'4',
        b'm' | b'n' => b'5',
        b'r' => b'6',
        _ => letter, // digits stand for themselves
    }
}

/// The class of a token's first sound (`ph` sounds like `f`); tokens are compared only
/// when these agree.
pub fn first_class(token: &[u8]) -> u8 {
    match token {
        [b'p', b'h', ..] => class(b'f'),
        [first, ..] => class(*first),
        [] => b'0',
    }
}

/// Longest key, in classes after the first.
const KEY_LEN: usize = 6;

/// The phonetic key of a lower-case ASCII token.
pub fn key(token: &[u8]) -> Vec<u8> {
    key_inner(token, false)
}

/// A finer key for retrieval: a consonant class repeated after a vowel counts again
/// ("kasak" is not "kask"), as in Soundex, so that in a big index a key is shared by
/// fewer tokens that sound different. Tokens of four letters or fewer keep the coarse
/// key: a one-letter difference there ("si" / "sic") is a close match that no other
/// key of theirs reaches.
pub fn retrieval_key(token: &[u8]) -> Vec<u8> {
    key_inner(token, token.len() > 4)
}

fn key_inner(token: &[u8], vowels_separate: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(KEY_LEN + 1);
    out.push(first_class(token));
    let mut previous = out[0];
    let mut i = usize::from(matches!(token, [b'p', b'h', ..])) + 1;
    while i < token.len() && out.len() <= KEY_LEN {
        let letter = token[i];
        // `kh`, `gh`, `ch`, `sh`, `th`, `ph`: the `h` adds nothing to the class.
        let c = if letter == b'h' {
            previous
        } else {
            class(letter)
        };
        if c != b'0' && c != previous {
            out.push(c);
        }
        if c != b'0' || (vowels_separate && !matches!(letter, b'h' | b'w')) {
            previous = c;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> String {
        String::from_utf8(key(s.as_bytes())).unwrap()
    }

    #[test]
    fn sound_alikes_share_a_key() {
        for (a, b) in [
            ("mohammed", "muhammad"),
            ("mohamed", "muhammad"),
            ("osama", "usama"),
            ("khalid", "chalid"),
            ("philip", "filip"),
            ("smith", "smyth"),
            ("yusuf", "jusuf"),
            ("catherine", "kathryn"),
            ("laden", "ladin"),
        ] {
            assert_eq!(k(a), k(b), "{a} / {b}");
        }
    }

    #[test]
    fn the_retrieval_key_keeps_repeats_across_vowels() {
        let r = |s: &str| String::from_utf8(retrieval_key(s.as_bytes())).unwrap();
        assert_ne!(r("kasak"), r("kasko"));
        assert_eq!(k("kasak"), k("kasko"));
        // Short tokens keep the coarse key: "si" and "sic" are a close match.
        assert_eq!(r("si"), r("sic"));
        for (a, b) in [
            ("mohammed", "muhammad"),
            ("khalid", "chalid"),
            ("laden", "ladin"),
        ] {
            assert_eq!(r(a), r(b), "{a} / {b}");
        }
    }

    #[test]
    fn different_names_differ() {
        for (a, b) in [("ivan", "bivan"), ("smith", "jones"), ("maria", "marta")] {
            assert_ne!(k(a), k(b), "{a} / {b}");
        }
    }
}
