//! Common English nicknames and the given names they stand for: edits cannot turn
//! "Bob" into "Robert", so they are looked up.

/// (nickname, given name), sorted by nickname for binary search.
const NICKNAMES: &[(&str, &str)] = &[
    ("abby", "abigail"),
    ("al", "albert"),
    ("alex", "alexander"),
    ("andy", "andrew"),
    ("beth", "elizabeth"),
    ("betty", "elizabeth"),
    ("bill", "william"),
    ("billy", "william"),
    ("bob", "robert"),
    ("bobby", "robert"),
    ("cathy", "catherine"),
    ("charlie", "charles"),
    ("chris", "christopher"),
    ("chuck", "charles"),
    ("dan", "daniel"),
    ("danny", "daniel"),
    ("dave", "david"),
    ("dick", "richard"),
    ("don", "donald"),
    ("ed", "edward"),
    ("eddie", "edward"),
    ("fred", "frederick"),
    ("greg", "gregory"),
    ("hank", "henry"),
    ("jack", "john"),
    ("jake", "jacob"),
    ("jeff", "jeffrey"),
    ("jenny", "jennifer"),
    ("jerry", "gerald"),
    ("jim", "james"),
    ("jimmy", "james"),
    ("joe", "joseph"),
    ("joey", "joseph"),
    ("johnny", "john"),
    ("jon", "jonathan"),
    ("kate", "katherine"),
    ("kathy", "katherine"),
    ("katie", "katherine"),
    ("ken", "kenneth"),
    ("larry", "lawrence"),
    ("liz", "elizabeth"),
    ("maggie", "margaret"),
    ("matt", "matthew"),
    ("meg", "margaret"),
    ("mike", "michael"),
    ("nate", "nathan"),
    ("nick", "nicholas"),
    ("pat", "patricia"),
    ("peggy", "margaret"),
    ("pete", "peter"),
    ("ray", "raymond"),
    ("rick", "richard"),
    ("rob", "robert"),
    ("ron", "ronald"),
    ("sam", "samuel"),
    ("sandy", "sandra"),
    ("steve", "stephen"),
    ("sue", "susan"),
    ("ted", "edward"),
    ("tim", "timothy"),
    ("tom", "thomas"),
    ("tommy", "thomas"),
    ("tony", "anthony"),
    ("will", "william"),
];

/// The given name `token` is a nickname of, if it is one.
pub fn given_name_of(token: &str) -> Option<&'static str> {
    // Asked for every token pair the scorer weighs, so most answers are a quick no: by
    // length, then by the first two letters, before the table is hashed into.
    let bytes = token.as_bytes();
    if bytes.len() > LONGEST_NICKNAME || bytes.len() < 2 {
        return None;
    }
    let (Some(first), Some(second)) = (letter(bytes[0]), letter(bytes[1])) else {
        return None;
    };
    if FIRST_TWO[bytes.len()][first] & (1 << second) == 0 {
        return None;
    }
    TABLE.get(token).copied()
}

/// A lower-case ASCII letter's place in the alphabet.
fn letter(byte: u8) -> Option<usize> {
    byte.is_ascii_lowercase().then(|| usize::from(byte - b'a'))
}

const LONGEST_NICKNAME: usize = 8;

/// Per length, per first letter, a bit for each second letter some nickname of that
/// length starts with: most tokens are turned away here, before the table is hashed into.
const FIRST_TWO: [[u32; 26]; LONGEST_NICKNAME + 1] = {
    let mut first_two = [[0u32; 26]; LONGEST_NICKNAME + 1];
    let mut n = 0;
    while n < NICKNAMES.len() {
        let bytes = NICKNAMES[n].0.as_bytes();
        first_two[bytes.len()][(bytes[0] - b'a') as usize] |= 1 << (bytes[1] - b'a');
        n += 1;
    }
    first_two
};

static TABLE: std::sync::LazyLock<rustc_hash::FxHashMap<&'static str, &'static str>> =
    std::sync::LazyLock::new(|| NICKNAMES.iter().copied().collect());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_looks_up_both_ways() {
        assert!(NICKNAMES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(NICKNAMES
            .iter()
            .all(|(nick, _)| nick.len() <= LONGEST_NICKNAME));
        // The quick no never turns a nickname away.
        assert!(NICKNAMES
            .iter()
            .all(|(nick, given)| given_name_of(nick) == Some(*given)));
        assert_eq!(given_name_of("bob"), Some("robert"));
        assert_eq!(given_name_of("bill"), Some("william"));
        assert_eq!(given_name_of("robert"), None);
    }
}
