//! From a name as written to the tokens that are compared.
//!
//! "SURNAME, Given", "Dr. José  GARCÍA-López", "ООО Газпром" and "Al-Qaida" all become
//! lower-case ASCII tokens: Unicode is transliterated (`deunicode`), punctuation splits or
//! joins (`O'Brien` is one token, `Jean-Pierre` two), honorifics are dropped from the front,
//! legal-form suffixes from the back, and particles (`bin`, `al`, `van`, `de`...) anywhere.
//! Nothing is dropped if that would leave no token. What was dropped is kept, so a match
//! can explain itself.

use super::jaro::{one_typo_apart, MAX_TOKEN};
use super::script::{self, Script};

/// Titles and honorifics, dropped when they lead a name.
const HONORIFICS: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lord", "lady", "madam",
    "sheikh", "shaykh", "sheik", "haji", "hajji", "mullah", "maulana", "maulvi", "imam", "gen",
    "col", "capt", "maj", "lt", "sgt", "rev", "fr", "hon",
];

/// Legal forms, abbreviated and written out, in the languages sanctions lists and
/// company registers use (ISO 20275's entity legal forms and their usual
/// abbreviations): dropped where they end a name, and, for the forms written first
/// ("OAO Gazprom", "Limited Liability Company Novye Proekty"), where they start it. So
/// "Siemens AG" is "Siemens Aktiengesellschaft", and "OAO Gazprom" is "Gazprom, Open
/// Joint Stock Company". Longest first, so "limited liability company" goes whole.
const LEGAL_FORMS: &[&str] = &[
    // English.
    "limited liability partnership",
    "limited partnership",
    "public limited company",
    "private limited company",
    "private limited",
    "proprietary limited",
    "limited",
    "ltd",
    "llp",
    "lp",
    "plc",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "pte",
    "pty",
    "pvt",
    // Russian and the former Soviet Union: see LEADING_LEGAL_FORMS.
    // German, Dutch, Nordic.
    "gesellschaft mit beschraenkter haftung",
    "gesellschaft mit beschrankter haftung",
    "aktiengesellschaft",
    "kommanditgesellschaft",
    "gmbh",
    "ag",
    "kg",
    "besloten vennootschap",
    "naamloze vennootschap",
    "bv",
    "nv",
    "aktiebolag",
    "aksjeselskap",
    "aktieselskab",
    "osakeyhtio",
    "ab",
    "as",
    "asa",
    "oy",
    "oyj",
    // French, Spanish, Portuguese, Italian.
    "societe anonyme",
    "societe a responsabilite limitee",
    "societe par actions simplifiee",
    "sociedad anonima",
    "sociedade anonima",
    "sociedad de responsabilidad limitada",
    "sociedad limitada",
    "sociedad anonima de capital variable",
    "societa per azioni",
    "societa a responsabilita limitata",
    "sa de cv",
    "s a de c v",
    "s de rl",
    "s a",
    "s a r l",
    "s p a",
    "sa",
    "sas",
    "sarl",
    "sal",
    "srl",
    "spa",
    "sl",
    "cv",
    "lda",
    "ltda",
    "limitada",
    // Elsewhere.
    "free zone establishment",
    "free zone company",
    "fze",
    "fzco",
    "fzc",
    "fz llc",
    "sendirian berhad",
    "sdn bhd",
    "berhad",
    "bhd",
    "sdn",
    "anonim sirketi",
    "limited sirketi",
    "kft",
    "doo",
    "ad",
    "dd",
    "eirl",
    "sae",
    "wll",
];

/// Legal forms that are also written before the name (Russian and former Soviet forms,
/// in English and transliterated, and the LLC), on top of [`LEGAL_FORMS`] at the end.
const LEADING_LEGAL_FORMS: &[&str] = &[
    "limited liability company",
    "open joint stock company",
    "closed joint stock company",
    "public joint stock company",
    "non public joint stock company",
    "joint stock company",
    "otkrytoe aktsionernoe obshchestvo",
    "zakrytoe aktsionernoe obshchestvo",
    "publichnoe aktsionernoe obshchestvo",
    "aktsionernoe obshchestvo",
    "obshchestvo s ogranichennoi otvetstvennostyu",
    "obshchestvo s ogranichennoi otvetstvennostiu",
    "obshchestvo s ogranichennoy otvetstvennostyu",
    "obshchestvo s ogranichennoi otvetstvennostju",
    "tovarystvo z obmezhenoiu vidpovidalnistiu",
    "federal state unitary enterprise",
    "jsc",
    "ojsc",
    "cjsc",
    "pjsc",
    "oao",
    "zao",
    "ooo",
    "pao",
    "ao",
    "tov",
    "too",
    "fgup",
    "llc",
];

/// The legal forms split into words, and every word any of them has (most names have
/// none, and skip the comparisons).
struct LegalForms {
    trailing: Vec<Vec<&'static str>>,
    leading: Vec<Vec<&'static str>>,
    words: rustc_hash::FxHashSet<&'static str>,
    /// The words of six letters or more, which may carry a typo.
    long: Vec<&'static str>,
}

static FORMS: std::sync::LazyLock<LegalForms> = std::sync::LazyLock::new(|| {
    let split = |forms: &[&'static str]| -> Vec<Vec<&'static str>> {
        forms.iter().map(|f| f.split(' ').collect()).collect()
    };
    let all: Vec<&'static str> = LEGAL_FORMS
        .iter()
        .chain(LEADING_LEGAL_FORMS)
        .copied()
        .collect();
    LegalForms {
        trailing: split(&all),
        leading: split(LEADING_LEGAL_FORMS),
        words: all.iter().flat_map(|f| f.split(' ')).collect(),
        long: {
            let mut long: Vec<&str> = all
                .iter()
                .flat_map(|f| f.split(' '))
                .filter(|w| w.len() >= 6)
                .collect();
            long.sort_unstable();
            long.dedup();
            long
        },
    }
});

/// Whether `word` is `part` of a legal form, or one typo from a long one ("Limted").
fn is_form_part(word: &str, part: &str) -> bool {
    let (w, p) = (word.as_bytes(), part.as_bytes());
    w == p
        || (p.len() >= 6
            && w.len().abs_diff(p.len()) <= 1
            // A typo leaves the first or the last letter as it was.
            && (w[0] == p[0] || w[w.len() - 1] == p[p.len() - 1])
            && one_typo_apart(w, p))
}

/// How many words at the end (`at_end`) or start of `words` form one of `forms`,
/// longest first; 0 when none does.
fn legal_form_length(words: &[String], forms: &[Vec<&str>], at_end: bool) -> usize {
    let edge = if at_end { words.last() } else { words.first() };
    let Some(edge) = edge else {
        return 0;
    };
    // Cheaply out: the edge word is no form's word, nor one typo from a long one.
    if !FORMS.words.contains(edge.as_str()) && !FORMS.long.iter().any(|p| is_form_part(edge, p)) {
        return 0;
    }
    forms
        .iter()
        .filter_map(|parts| {
            if parts.len() > words.len() {
                return None;
            }
            let window = if at_end {
                &words[words.len() - parts.len()..]
            } else {
                &words[..parts.len()]
            };
            window
                .iter()
                .zip(parts)
                .all(|(w, p)| is_form_part(w, p))
                .then_some(parts.len())
        })
        .max()
        .unwrap_or(0)
}

fn is_legal_form_word(word: &str) -> bool {
    FORMS.words.contains(word)
}

/// Particles that join parts of names and are written or omitted at will.
const PARTICLES: &[&str] = &[
    "bin", "ben", "ibn", "bn", "bint", "binti", "al", "el", "ul", "van", "von", "der", "den", "de",
    "del", "della", "da", "das", "dos", "du", "la", "le", "di", "and", "of", "the", "ur", "ud",
];

/// The particles of names written in Arabic or Hebrew letters ("bn" is how both write
/// "bin" / "ben"; the article is glued to its word there): the Latin list would drop
/// "di", "da" or "la", which are names in those scripts.
const ABJAD_PARTICLES: &[&str] = &["bn", "bin", "ibn", "bint", "al", "el"];

/// Why a word of the name was not compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dropped {
    Honorific,
    LegalForm,
    Particle,
}

/// A name ready to be compared: its tokens, the script it was written in, and what was
/// dropped. Tokens are lower-case ASCII, except for names in Han characters or Hangul:
/// there each character (syllable) is a token as written, because characters that sound
/// alike are not the same name (see [`super::script`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PreparedName {
    pub tokens: Vec<String>,
    pub script: Script,
    pub dropped: Vec<(String, Dropped)>,
}

impl PreparedName {
    /// A name from tokens already prepared, in Latin script.
    pub fn from_tokens(text: &str) -> PreparedName {
        PreparedName::from_stored(text, Script::Latin)
    }

    /// A name from tokens already prepared and the script they came from (the index
    /// stores only those).
    pub fn from_stored(text: &str, script: Script) -> PreparedName {
        let tokens = text
            .split(' ')
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        PreparedName {
            tokens,
            script,
            dropped: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

/// Whether `c` is invisible: a format character (zero-width spaces and joiners, soft
/// hyphens, direction marks, U+180E, tag characters...) or another default-ignorable code
/// point (variation selectors, Hangul fillers, the combining grapheme joiner). Dropped
/// before anything else, so "Vla\u{200B}dimir" reads as "Vladimir" on every side.
pub fn is_invisible(c: char) -> bool {
    use unicode_general_category::{get_general_category, GeneralCategory};
    get_general_category(c) == GeneralCategory::Format
        || matches!(c as u32,
            0x034F | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F | 0x3164
            | 0xFE00..=0xFE0F | 0xFFA0 | 0xFFF0..=0xFFF8 | 0xE0000..=0xE0FFF)
}

/// The words of `name` and its script, with "SURNAME, Given" put in reading order:
/// lower-case ASCII (Arabic and Hebrew by vigil's own transliteration, others by
/// `deunicode`), or the characters themselves for Han and Hangul.
fn words(name: &str) -> (Vec<String>, Script) {
    let visible: String = name.chars().filter(|c| !is_invisible(*c)).collect();
    // Most names are ASCII already: no script to tell, nothing to transliterate.
    let (ascii, script) = if visible.is_ascii() {
        (visible.to_ascii_lowercase(), Script::Latin)
    } else {
        let script = script::dominant(&visible);
        if script.keeps_characters() {
            return (script::characters(&visible, script), script);
        }
        (script::to_ascii(&visible).to_ascii_lowercase(), script)
    };
    // "LAST, First" (one comma, as OFAC and many registries write people): reading order.
    // Not "Acme, Ltd.": a comma before a legal form is not a surname's.
    if let Some((last, first)) = ascii.split_once(',') {
        let first_words = split_words(first);
        if !first.contains(',') && first_words.iter().any(|w| !is_legal_form_word(w)) {
            let mut words = first_words;
            words.extend(split_words(last));
            return (words, script);
        }
    }
    (split_words(&ascii), script)
}

/// Lower-case ASCII text split into words at anything but letters, digits and the
/// in-word marks.
fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        match c {
            'a'..='z' | '0'..='9' => word.push(c),
            // Apostrophes and dots inside a word join it: O'Brien, S.A. -> sa.
            '\'' | '`' | '.' => {}
            _ => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    for word in &mut words {
        word.truncate(MAX_TOKEN);
    }
    words
}

/// Prepare `name` for comparison.
pub fn prepare(name: &str) -> PreparedName {
    let (all, script) = words(name);
    if script.keeps_characters() {
        return PreparedName {
            tokens: all,
            script,
            dropped: Vec::new(),
        };
    }
    let mut dropped = Vec::new();
    let mut start = 0;
    while start + 1 < all.len() && HONORIFICS.contains(&all[start].as_str()) {
        dropped.push((all[start].clone(), Dropped::Honorific));
        start += 1;
    }
    let mut end = all.len();
    // Legal forms at the end, then at the start, never the last word left.
    loop {
        let length = legal_form_length(&all[start..end], &FORMS.trailing, true);
        if length == 0 || end - length <= start {
            break;
        }
        dropped.push((all[end - length..end].join(" "), Dropped::LegalForm));
        end -= length;
    }
    loop {
        let length = legal_form_length(&all[start..end], &FORMS.leading, false);
        if length == 0 || start + length >= end {
            break;
        }
        dropped.push((all[start..start + length].join(" "), Dropped::LegalForm));
        start += length;
    }
    let middle = &all[start..end];
    let mut tokens: Vec<String> = Vec::with_capacity(middle.len());
    let particles = if script.is_abjad() {
        ABJAD_PARTICLES
    } else {
        PARTICLES
    };
    for word in middle {
        if particles.contains(&word.as_str()) {
            dropped.push((word.clone(), Dropped::Particle));
        } else {
            tokens.push(word.clone());
        }
    }
    if tokens.is_empty() {
        // A name made only of particles ("Al", "De La") is still a name.
        tokens = middle.to_vec();
        dropped.retain(|(_, why)| *why != Dropped::Particle);
    }
    PreparedName {
        tokens,
        script,
        dropped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(name: &str) -> Vec<String> {
        prepare(name).tokens
    }

    #[test]
    fn invisible_code_points_are_dropped() {
        for invisible in [
            '\u{00AD}',
            '\u{034F}',
            '\u{061C}',
            '\u{115F}',
            '\u{17B4}',
            '\u{180B}',
            '\u{180E}',
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{200E}',
            '\u{202A}',
            '\u{202E}',
            '\u{2060}',
            '\u{2064}',
            '\u{206F}',
            '\u{3164}',
            '\u{FE0F}',
            '\u{FEFF}',
            '\u{FFA0}',
            '\u{FFF9}',
            '\u{1D173}',
            '\u{E0001}',
            '\u{E0041}',
            '\u{E0100}',
        ] {
            let name = format!("Vla{invisible}dimir Impos{invisible}terov");
            assert_eq!(
                toks(&name),
                ["vladimir", "imposterov"],
                "U+{:04X}",
                invisible as u32
            );
        }
        // The look-alikes that already matched still do: Cyrillic letters, fullwidth forms.
        assert_eq!(
            toks("Vl\u{0430}dimir Imp\u{043e}sterov"),
            ["vladimir", "imposterov"]
        );
        assert_eq!(toks("\u{FF36}ladimir"), ["vladimir"]);
        // Visible separators still separate.
        assert_eq!(toks("Vla\u{00A0}dimir"), ["vla", "dimir"]);
        assert!(!is_invisible('a') && !is_invisible(' ') && !is_invisible('\u{0301}'));
    }

    #[test]
    fn normalises_script_case_and_punctuation() {
        assert_eq!(toks("José GARCÍA-López"), ["jose", "garcia", "lopez"]);
        assert_eq!(toks("Владимир Путин"), ["vladimir", "putin"]);
        assert_eq!(toks("O'Brien,  Seán"), ["sean", "obrien"]);
        assert_eq!(toks("  "), Vec::<String>::new());
    }

    #[test]
    fn surname_comma_given_is_read_in_order() {
        assert_eq!(toks("SMITH, John Paul"), ["john", "paul", "smith"]);
    }

    #[test]
    fn drops_honorifics_legal_forms_and_particles() {
        let p = prepare("Dr. Usama bin Ladin");
        assert_eq!(p.tokens, ["usama", "ladin"]);
        assert_eq!(
            p.dropped,
            [
                ("dr".into(), Dropped::Honorific),
                ("bin".into(), Dropped::Particle)
            ]
        );
        assert_eq!(toks("Anglo-Caribbean Co., Ltd."), ["anglo", "caribbean"]);
        assert_eq!(toks("Gazprom PJSC"), ["gazprom"]);
    }

    #[test]
    fn never_drops_everything() {
        assert_eq!(toks("Al"), ["al"]);
        assert_eq!(toks("Dr"), ["dr"]);
        assert_eq!(toks("Limited"), ["limited"]);
        assert_eq!(toks("General Electric"), ["general", "electric"]);
    }
}
