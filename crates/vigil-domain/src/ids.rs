//! Persona-style object ids: a type prefix, an underscore and 24 random base58 characters.

use rand::RngExt;

const BASE58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Length of the random part, as in Persona's examples (`act_hpNqyAbEG4HeVjZoBRNCMKkA`).
pub const ID_SUFFIX_LEN: usize = 24;

/// Prefixes used by vigil, named after the objects they identify.
pub mod prefix {
    pub const ACCOUNT: &str = "act";
    pub const ACCOUNT_TYPE: &str = "acttp";
    pub const ACCOUNT_STATUS: &str = "actst";
    pub const ACCOUNT_ACTION: &str = "accac";
    pub const WORKFLOW_RUN: &str = "wfr";
    pub const FILE: &str = "file";
    pub const EVENT: &str = "evt";
    pub const ENVIRONMENT: &str = "env";
    pub const ORGANIZATION: &str = "org";
    pub const API_KEY: &str = "api";
    pub const REQUEST: &str = "req";
    pub const LIST: &str = "lst";
    pub const REPORT: &str = "rep";
    pub const REPORT_TEMPLATE: &str = "rptp";
    pub const REPORT_RUN: &str = "rpr";
    pub const REPORT_ACTION: &str = "ract";
    pub const IMPORTER: &str = "mprt";
    pub const INQUIRY: &str = "inq";
    pub const INQUIRY_TEMPLATE: &str = "itmpl";
    pub const INQUIRY_TEMPLATE_VERSION: &str = "itmplv";
    pub const INQUIRY_SESSION: &str = "iqse";
    pub const CASE: &str = "case";
    pub const CASE_TEMPLATE: &str = "ctmpl";
    pub const CASE_QUEUE: &str = "cqueue";
    pub const CASE_COMMENT: &str = "cscm";
    pub const FLAGGING_RULE: &str = "frule";
    pub const DOCUMENT: &str = "doc";
    pub const VERIFICATION: &str = "ver";
    pub const DEVICE: &str = "dev";
    pub const THEME_SET: &str = "theset";
    /// An inquiry session's token (the verification flow's credential for one inquiry).
    pub const INQUIRY_SESSION_TOKEN: &str = "iqst";
    pub const WEBHOOK: &str = "wbh";
    pub const WEBHOOK_SECRET: &str = "wbhsec";
    pub const WEBHOOK_DELIVERY: &str = "whdl";
    pub const USER: &str = "user";
    pub const USER_SESSION: &str = "uses";
    pub const USER_AUDIT_LOG: &str = "ual";
    /// vigil only: an invitation or password-reset token.
    pub const INVITATION: &str = "vigil_invite";
    /// vigil only: a console session's secret, sent as a bearer token.
    pub const SESSION_TOKEN: &str = "vigil_session";
    /// vigil only: an entry of the agent tool server's execution log.
    pub const TOOL_CALL: &str = "tcall";
}

/// A fresh random id with the given prefix.
pub fn new_id(prefix: &str) -> String {
    random_token(prefix, ID_SUFFIX_LEN)
}

/// Characters of a time-ordered id that encode its creation millisecond.
const TIME_CHARS: usize = 8;

/// An id whose first 8 characters after the prefix encode `millis` (base58, big-endian;
/// the alphabet is in ASCII order, so ids sort by creation time) and whose other 16 are
/// random (94 bits). For objects created at high rates: their unique indexes then grow
/// at the end instead of touching a random page per insert. The creation time is no
/// secret (every object shows `created-at`).
///
/// Within one millisecond, ids made by this process keep increasing (the random part of
/// the next is the last one's plus a random step), so objects made in the same
/// millisecond still sort in the order they were made.
pub fn new_time_ordered_id(prefix: &str, millis: i64) -> String {
    static LAST: std::sync::Mutex<(i64, [u8; RANDOM_CHARS])> =
        std::sync::Mutex::new((i64::MIN, [b'1'; RANDOM_CHARS]));
    let mut rest = millis.max(0) as u64;
    let mut time = [b'1'; TIME_CHARS];
    for digit in time.iter_mut().rev() {
        *digit = BASE58[(rest % 58) as usize];
        rest /= 58;
    }
    let mut rng = rand::rng();
    let mut random = [0u8; RANDOM_CHARS];
    {
        let mut last = LAST.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let stepped = (last.0 == millis)
            .then(|| add_base58(&last.1, rng.random_range(1..=1 << 20)))
            .flatten();
        random = stepped.unwrap_or_else(|| {
            for digit in random.iter_mut() {
                *digit = BASE58[rng.random_range(0..BASE58.len())];
            }
            random
        });
        *last = (millis, random);
    }
    let mut out = String::with_capacity(prefix.len() + 1 + ID_SUFFIX_LEN);
    out.push_str(prefix);
    out.push('_');
    out.push_str(std::str::from_utf8(&time).expect("ascii"));
    out.push_str(std::str::from_utf8(&random).expect("ascii"));
    out
}

const RANDOM_CHARS: usize = ID_SUFFIX_LEN - TIME_CHARS;

/// `digits` (base58 characters, big-endian) plus `step`; None when it would overflow.
fn add_base58(digits: &[u8; RANDOM_CHARS], step: u64) -> Option<[u8; RANDOM_CHARS]> {
    let mut out = *digits;
    let mut carry = step;
    for digit in out.iter_mut().rev() {
        if carry == 0 {
            break;
        }
        let value = BASE58.iter().position(|b| b == digit)? as u64 + carry;
        *digit = BASE58[(value % 58) as usize];
        carry = value / 58;
    }
    (carry == 0).then_some(out)
}

/// `prefix_` followed by `len` random base58 characters (also used for API key secrets).
pub fn random_token(prefix: &str, len: usize) -> String {
    let mut rng = rand::rng();
    let mut out = String::with_capacity(prefix.len() + 1 + len);
    out.push_str(prefix);
    out.push('_');
    for _ in 0..len {
        out.push(BASE58[rng.random_range(0..BASE58.len())] as char);
    }
    out
}

/// Whether `id` looks like an id of this prefix (used to reject garbage before a lookup).
pub fn has_shape(prefix: &str, id: &str) -> bool {
    id.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|suffix| {
            !suffix.is_empty()
                && suffix.len() <= 64
                && suffix.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_prefix_and_base58_suffix() {
        let id = new_id(prefix::ACCOUNT);
        assert!(id.starts_with("act_"));
        assert_eq!(id.len(), 4 + ID_SUFFIX_LEN);
        assert!(id[4..].bytes().all(|b| BASE58.contains(&b)));
        assert!(has_shape("act", &id));
        assert!(!has_shape("evt", &id));
        assert!(!has_shape("act", "act_"));
        assert!(!has_shape("act", "act_../../etc"));
    }

    #[test]
    fn time_ordered_ids_sort_by_time_and_stay_unique() {
        let early = new_time_ordered_id(prefix::EVENT, 1_700_000_000_000);
        let late = new_time_ordered_id(prefix::EVENT, 1_700_000_000_001);
        assert!(early < late, "{early} < {late}");
        assert_eq!(early.len(), 4 + ID_SUFFIX_LEN);
        assert!(early[4..].bytes().all(|b| BASE58.contains(&b)));
        assert!(has_shape("evt", &early));
        let same_ms: std::collections::HashSet<_> = (0..10_000)
            .map(|_| new_time_ordered_id("evt", 1_700_000_000_000))
            .collect();
        assert_eq!(same_ms.len(), 10_000);
        // Made in the same millisecond, they still sort in the order they were made.
        let made: Vec<String> = (0..1_000)
            .map(|_| new_time_ordered_id("act", 1_700_000_000_002))
            .collect();
        assert!(made.windows(2).all(|w| w[0] < w[1]), "{made:?}");
    }

    #[test]
    fn a_step_carries_and_an_overflow_is_refused() {
        let mut digits = [b'1'; RANDOM_CHARS];
        digits[RANDOM_CHARS - 1] = b'z';
        let next = add_base58(&digits, 1).unwrap();
        assert_eq!(&next[RANDOM_CHARS - 2..], b"21");
        assert_eq!(add_base58(&[b'z'; RANDOM_CHARS], 1), None);
    }

    #[test]
    fn ids_are_unique() {
        let ids: std::collections::HashSet<_> = (0..10_000).map(|_| new_id("act")).collect();
        assert_eq!(ids.len(), 10_000);
    }
}
