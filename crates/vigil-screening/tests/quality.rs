//! Name matching quality on the labelled set in `tests/data/labelled_pairs.tsv` (how it is
//! made: `tests/data/make_labelled_set.py`): precision, recall, F1 and ROC AUC at the
//! default threshold, overall, per kind (people, organisations, vessels), on pairs in a
//! script other than Latin, and per category. The set has two parts: `tune`, on which the
//! matcher's rules and weights were chosen, and `held`, set aside and never looked at
//! while tuning; the floors below are on the held part.
//!
//! `cargo test -p vigil-screening --test quality -- --nocapture` prints the tables;
//! `VIGIL_QUALITY_SPLIT=tune` prints only the tuning part with its misses (what to look at
//! while changing the matcher, so the held part stays unseen).

use std::collections::BTreeMap;

use vigil_screening::name::score::score_in_list;
use vigil_screening::name::{prepare, score_only, NameIndex, PreparedName, DEFAULT_THRESHOLD};

struct Pair {
    a: String,
    b: String,
    same: bool,
    kind: String,
    script: String,
    category: String,
    held: bool,
}

fn pairs() -> Vec<Pair> {
    include_str!("data/labelled_pairs.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 7, "bad line: {line}");
            Pair {
                a: cols[0].into(),
                b: cols[1].into(),
                same: cols[2] == "1",
                kind: cols[3].into(),
                script: cols[4].into(),
                category: cols[5].into(),
                held: cols[6] == "held",
            }
        })
        .collect()
}

/// Scores of the positives and the negatives of one group of pairs.
#[derive(Default)]
struct Group {
    positives: Vec<f64>,
    negatives: Vec<f64>,
}

impl Group {
    fn add(&mut self, score: f64, same: bool) {
        if same {
            self.positives.push(score);
        } else {
            self.negatives.push(score);
        }
    }
    fn counts(&self) -> (usize, usize, usize, usize) {
        let above = |v: &[f64]| v.iter().filter(|s| **s >= DEFAULT_THRESHOLD).count();
        let (tp, fp) = (above(&self.positives), above(&self.negatives));
        (tp, fp, self.positives.len() - tp, self.negatives.len() - fp)
    }
    fn f1(&self) -> f64 {
        let (tp, fp, fn_, _) = self.counts();
        2.0 * tp as f64 / (2 * tp + fp + fn_).max(1) as f64
    }
    fn precision(&self) -> f64 {
        let (tp, fp, _, _) = self.counts();
        tp as f64 / (tp + fp).max(1) as f64
    }
    fn recall(&self) -> f64 {
        let (tp, _, fn_, _) = self.counts();
        tp as f64 / (tp + fn_).max(1) as f64
    }
    /// The chance that a random positive scores above a random negative (ties count half).
    fn auc(&self) -> f64 {
        if self.positives.is_empty() || self.negatives.is_empty() {
            return f64::NAN;
        }
        let mut negatives = self.negatives.clone();
        negatives.sort_by(f64::total_cmp);
        let mut wins = 0.0;
        for &p in &self.positives {
            let below = negatives.partition_point(|n| *n < p);
            let ties = negatives[below..].partition_point(|n| *n <= p);
            wins += below as f64 + ties as f64 / 2.0;
        }
        wins / (self.positives.len() * negatives.len()) as f64
    }
    fn row(&self, name: &str) -> String {
        let (tp, fp, fn_, tn) = self.counts();
        format!(
            "{name:<32} {tp:>5} {fp:>5} {fn_:>5} {tn:>5}   {:.3}  {:.3}  {:.3}  {:.3}",
            self.precision(),
            self.recall(),
            self.f1(),
            self.auc()
        )
    }
}

/// Every group of one part of the set: overall, per kind, non-Latin, per script and per
/// category.
fn measure(pairs: &[Pair], held: bool) -> BTreeMap<String, Group> {
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for pair in pairs.iter().filter(|p| p.held == held) {
        let score = score_only(&prepare(&pair.a), &prepare(&pair.b));
        let mut keys = vec![
            "all".to_owned(),
            format!("kind {}", pair.kind),
            format!("script {}", pair.script),
            format!("category {}", pair.category),
        ];
        if pair.script != "latin" {
            keys.push("script non-latin".to_owned());
        }
        for key in keys {
            groups.entry(key).or_default().add(score, pair.same);
        }
        if !held && std::env::var("VIGIL_QUALITY_SPLIT").as_deref() == Ok("tune") {
            let said = score >= DEFAULT_THRESHOLD;
            if said != pair.same {
                println!(
                    "{} {score:.3}  {}  |  {}   ({})",
                    if pair.same { "missed " } else { "false +" },
                    pair.a,
                    pair.b,
                    pair.category
                );
            }
        }
    }
    groups
}

fn print(title: &str, groups: &BTreeMap<String, Group>) {
    println!("\n{title} at threshold {DEFAULT_THRESHOLD}");
    println!(
        "{:<32} {:>5} {:>5} {:>5} {:>5}   prec   rec    F1     AUC",
        "", "tp", "fp", "fn", "tn"
    );
    for (name, group) in groups {
        println!("{}", group.row(name));
    }
}

#[test]
fn quality_on_the_labelled_set() {
    let pairs = pairs();
    assert!(pairs.len() >= 2000, "the labelled set is the committed one");
    let tune = measure(&pairs, false);
    print("tuning part", &tune);
    if std::env::var("VIGIL_QUALITY_SPLIT").as_deref() == Ok("tune") {
        return;
    }
    let held = measure(&pairs, true);
    print("held-aside part", &held);
    // Floors at the targets or a little under what the matcher measures on the
    // held part today (F1 / AUC: all 0.943 / 0.967, organisations 0.958 / 0.989,
    // non-Latin scripts 0.865 / 0.895): a change that makes matching worse fails here.
    let floors = [
        ("all", 0.92, 0.95),
        ("kind organisation", 0.93, 0.97),
        ("script non-latin", 0.85, 0.87),
    ];
    for (group, f1, auc) in floors {
        let g = &held[group];
        assert!(g.f1() >= f1, "{group}: F1 {:.3} under {f1}", g.f1());
        assert!(g.auc() >= auc, "{group}: AUC {:.3} under {auc}", g.auc());
    }
}

/// Names in one index, kept prepared beside it for the full scan to score against.
struct Listed<'a> {
    stored: &'a [&'a str],
    prepared: Vec<PreparedName>,
    index: NameIndex<usize>,
}

impl<'a> Listed<'a> {
    fn new(stored: &'a [&'a str]) -> Self {
        let prepared: Vec<_> = stored.iter().map(|n| prepare(n)).collect();
        let mut index = NameIndex::new();
        for (i, name) in prepared.iter().enumerate() {
            index.insert(name, i);
        }
        Listed {
            stored,
            prepared,
            index,
        }
    }
}

/// The index's recall against a full scan: each query searched in the index and scored
/// against every stored name; of the names the full scan finds at the threshold, the
/// share the index returns (printing up to 40 it missed). The index must return nothing
/// the full scan does not.
fn index_recall(
    label: &str,
    listed: &Listed<'_>,
    queries: impl IntoIterator<Item = String>,
) -> f64 {
    let Listed {
        stored,
        prepared,
        index,
    } = listed;
    let (mut expected_total, mut found_total) = (0usize, 0usize);
    let mut missed = Vec::new();
    for text in queries {
        let query = prepare(&text);
        let found: Vec<usize> = index
            .search(&query, DEFAULT_THRESHOLD, usize::MAX)
            .iter()
            .map(|h| *h.payload)
            .collect();
        // The full scan scores as the index does: against the list's own word counts.
        let expected: Vec<usize> = (0..prepared.len())
            .filter(|&i| {
                let listed = &prepared[i];
                let score = score_in_list(
                    &query.tokens,
                    query.script,
                    &listed.tokens,
                    listed.script,
                    index,
                    None,
                );
                score >= DEFAULT_THRESHOLD
            })
            .collect();
        assert!(
            found.iter().all(|f| expected.contains(f)),
            "query {text}: {found:?} not all above the threshold"
        );
        expected_total += expected.len();
        found_total += found.len();
        for e in expected.iter().filter(|e| !found.contains(e)) {
            missed.push(format!("{text:?} / {:?}", stored[*e]));
        }
    }
    for m in missed.iter().take(40) {
        println!("index missed {m}");
    }
    let recall = found_total as f64 / expected_total as f64;
    println!(
        "index recall against a full scan, {label}: {found_total}/{expected_total} = {recall:.4}"
    );
    recall
}

#[test]
fn the_index_finds_what_pairwise_scoring_finds() {
    // Every labelled name stored in one index; each query should retrieve every stored
    // name it scores above the threshold against, without a full scan.
    let pairs = pairs();
    let stored: Vec<&str> = pairs.iter().map(|p| p.b.as_str()).collect();
    let recall = index_recall(
        "labelled queries",
        &Listed::new(&stored),
        pairs.iter().map(|p| p.a.clone()),
    );
    // Measured 0.9998.
    assert!(recall >= 0.999, "index recall {recall:.4}");
}

/// A name with up to one typo per token (a letter changed, added, dropped, or two
/// swapped), chosen by a seeded generator: the queries the index's recall target is
/// stated on.
fn with_typos(name: &str, seed: &mut u64) -> String {
    let mut next = |n: usize| {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        (*seed % n as u64) as usize
    };
    name.split(' ')
        .map(|word| {
            let letters: Vec<char> = word.chars().collect();
            if letters.len() < 3 || !word.is_ascii() || next(2) == 0 {
                return word.to_owned();
            }
            let at = next(letters.len());
            let letter = (b'a' + next(26) as u8) as char;
            let mut out = letters.clone();
            match next(4) {
                0 => out[at] = letter,
                1 => out.insert(at, letter),
                2 if letters.len() > 3 => {
                    out.remove(at);
                }
                _ if at + 1 < letters.len() => out.swap(at, at + 1),
                _ => out[at] = letter,
            }
            out.into_iter().collect()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_index_finds_what_a_full_scan_finds_with_a_typo_per_token() {
    // The listed side of every labelled pair is the list; each query is a listed name with
    // up to one typo in each of its words.
    let pairs = pairs();
    let mut listed: Vec<&str> = pairs.iter().map(|p| p.b.as_str()).collect();
    listed.sort_unstable();
    listed.dedup();
    // Three draws of typos: this test's own, and two others chosen before the index
    // looked words up by their beginnings (0.9980 and 0.9992 then; 0.999 is the target).
    // `TYPO_SEED=N` draws other typos instead (to check a change beyond these draws).
    let seeds: Vec<u64> = match std::env::var("TYPO_SEED").ok().and_then(|s| s.parse().ok()) {
        Some(seed) => vec![seed],
        None => vec![0x2026_1203, 11, 12345],
    };
    let index = Listed::new(&listed);
    for start in seeds {
        let mut seed = start;
        let queries: Vec<String> = listed
            .iter()
            .step_by(2)
            .map(|name| with_typos(name, &mut seed))
            .collect();
        let recall = index_recall(&format!("a typo per token (seed {start})"), &index, queries);
        // Measured 1.0000, 0.9996 and 1.0000. Eleven other draws (seeds 1 to 10,
        // 987654321) gave 0.9984 to 1.0000: see docs/status.md for what is left.
        assert!(
            recall >= 0.999,
            "index recall {recall:.4} with seed {start}"
        );
    }
}
