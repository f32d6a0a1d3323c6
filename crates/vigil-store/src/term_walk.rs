//! Walking what an index plan finds in creation order, a little at a time, so a search
//! for a name that a twelfth of a million accounts share reads a page, not all of them.
//!
//! A backend files each object under terms (`attribute:value`) with its `seq`; it answers
//! three small questions ([`TermIndex`]) and this module does the rest, the same for every
//! backend: each term is read in `seq` order in growing batches; a group (any of its
//! terms) is their merge; a conjunction walks its rarest group and probes the others for
//! each `seq`; the plan is the merge of its conjunctions. The cost of a page is the page
//! (times how sparse the conjunction is in its rarest group), never the size of a term.

use std::collections::{HashSet, VecDeque};

use vigil_domain::search::IndexPlan;

use crate::Result;

/// What a backend's terms table answers.
pub trait TermIndex {
    /// Up to `limit` seqs filed under `term`, strictly past `bound` in the walk's
    /// direction (smaller when `newest_first`), in that direction.
    fn seqs(
        &self,
        term: &str,
        bound: Option<i64>,
        newest_first: bool,
        limit: usize,
    ) -> Result<Vec<i64>>;
    /// Which of `seqs` are filed under any of `terms` (one question for many seqs: on a
    /// database across a network, a round trip each was most of a search's time).
    fn holding(&self, terms: &[String], seqs: &[i64]) -> Result<HashSet<i64>>;
    /// How many seqs `term` holds, counting no further than `cap`.
    fn count_up_to(&self, term: &str, cap: usize) -> Result<usize>;
}

/// How far a term's size is counted to choose the group a conjunction walks: past this,
/// groups are equally "common" and the first is walked.
const COUNT_CAP: usize = 5_000;
const FIRST_BATCH: usize = 32;
const LARGEST_BATCH: usize = 4_096;
/// The most walked seqs checked against a group in one question.
pub const LARGEST_PROBE: usize = 1_024;

/// The seqs an index plan finds, in creation order (newest first or oldest first), each
/// once, starting strictly past `from`.
pub struct TermWalk<'p> {
    stream: Stream<'p>,
    newest_first: bool,
}

impl<'p> TermWalk<'p> {
    pub fn new(
        index: &impl TermIndex,
        plan: &'p IndexPlan,
        from: Option<i64>,
        newest_first: bool,
    ) -> Result<Self> {
        let mut conjunctions = Vec::with_capacity(plan.len());
        for groups in plan {
            conjunctions.push(conjunction(index, groups, from)?);
        }
        Ok(TermWalk {
            stream: Stream::Union(conjunctions),
            newest_first,
        })
    }

    /// The next seq, or `None` when the plan finds no more.
    pub fn next_seq(&mut self, index: &impl TermIndex) -> Result<Option<i64>> {
        let next = self.stream.peek(index, self.newest_first)?;
        if next.is_some() {
            self.stream.advance(index, self.newest_first)?;
        }
        Ok(next)
    }
}

/// A conjunction walks its rarest group and checks each seq against the other groups.
fn conjunction<'p>(
    index: &impl TermIndex,
    groups: &'p [Vec<String>],
    from: Option<i64>,
) -> Result<Stream<'p>> {
    let mut rarest = 0;
    if groups.len() > 1 {
        // Each group is counted only as far as the rarest so far: past that it is not
        // the one walked, whatever its size (counting is most of a short search's cost).
        let mut smallest = COUNT_CAP;
        for (i, group) in groups.iter().enumerate() {
            let mut size = 0;
            for term in group {
                if size >= smallest {
                    break;
                }
                size += index.count_up_to(term, smallest - size)?;
            }
            if size < smallest {
                (rarest, smallest) = (i, size);
            }
        }
    }
    let Some(walked) = groups.get(rarest) else {
        return Ok(Stream::Union(Vec::new()));
    };
    let terms = walked
        .iter()
        .map(|term| Stream::Term {
            term,
            buffer: VecDeque::new(),
            bound: from,
            exhausted: false,
            batch: FIRST_BATCH,
        })
        .collect();
    Ok(Stream::Filter {
        walked: Box::new(Stream::Union(terms)),
        required: groups
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != rarest)
            .map(|(_, group)| group.as_slice())
            .collect(),
        passed: VecDeque::new(),
        batch: FIRST_BATCH,
    })
}

enum Stream<'p> {
    /// One term's seqs, read in batches that grow as the walk goes on.
    Term {
        term: &'p str,
        buffer: VecDeque<i64>,
        bound: Option<i64>,
        exhausted: bool,
        batch: usize,
    },
    /// Every seq any part holds, each once.
    Union(Vec<Stream<'p>>),
    /// The walked stream's seqs that every required group also holds, probed a batch of
    /// walked seqs at a time.
    Filter {
        walked: Box<Stream<'p>>,
        required: Vec<&'p [String]>,
        /// Seqs taken from `walked` that every required group holds, in walk order.
        passed: VecDeque<i64>,
        /// How many walked seqs the next probe takes (growing as the walk goes on).
        batch: usize,
    },
}

/// Whether `a` comes before `b` in the walk.
fn before(a: i64, b: i64, newest_first: bool) -> bool {
    if newest_first {
        a > b
    } else {
        a < b
    }
}

impl Stream<'_> {
    fn peek(&mut self, index: &impl TermIndex, newest_first: bool) -> Result<Option<i64>> {
        match self {
            Stream::Term {
                term,
                buffer,
                bound,
                exhausted,
                batch,
            } => {
                if buffer.is_empty() && !*exhausted {
                    let read = index.seqs(term, *bound, newest_first, *batch)?;
                    *exhausted = read.len() < *batch;
                    *batch = (*batch * 4).min(LARGEST_BATCH);
                    if let Some(last) = read.last() {
                        *bound = Some(*last);
                    }
                    buffer.extend(read);
                }
                Ok(buffer.front().copied())
            }
            Stream::Union(parts) => {
                let mut first: Option<i64> = None;
                for part in parts.iter_mut() {
                    if let Some(seq) = part.peek(index, newest_first)? {
                        if first.is_none_or(|f| before(seq, f, newest_first)) {
                            first = Some(seq);
                        }
                    }
                }
                Ok(first)
            }
            Stream::Filter {
                walked,
                required,
                passed,
                batch,
            } => loop {
                if let Some(seq) = passed.front() {
                    return Ok(Some(*seq));
                }
                let mut taken = Vec::with_capacity(*batch);
                while taken.len() < *batch {
                    let Some(seq) = walked.peek(index, newest_first)? else {
                        break;
                    };
                    taken.push(seq);
                    walked.advance(index, newest_first)?;
                }
                if taken.is_empty() {
                    return Ok(None);
                }
                *batch = (*batch * 4).min(LARGEST_PROBE);
                for group in required.iter() {
                    let holding = index.holding(group, &taken)?;
                    taken.retain(|seq| holding.contains(seq));
                    if taken.is_empty() {
                        break;
                    }
                }
                passed.extend(taken);
            },
        }
    }

    /// Move past the current seq (in every part that holds it).
    fn advance(&mut self, index: &impl TermIndex, newest_first: bool) -> Result<()> {
        let Some(current) = self.peek(index, newest_first)? else {
            return Ok(());
        };
        match self {
            Stream::Term { buffer, .. } => {
                buffer.pop_front();
            }
            Stream::Union(parts) => {
                for part in parts.iter_mut() {
                    if part.peek(index, newest_first)? == Some(current) {
                        part.advance(index, newest_first)?;
                    }
                }
            }
            Stream::Filter { passed, .. } => {
                passed.pop_front();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::collections::BTreeMap;

    use super::*;

    /// Terms in memory, counting how many seqs the walk reads.
    #[derive(Default)]
    struct Memory {
        terms: BTreeMap<String, Vec<i64>>,
        read: Cell<usize>,
        probes: Cell<usize>,
    }

    impl Memory {
        fn file(&mut self, term: &str, seqs: impl IntoIterator<Item = i64>) {
            let entry = self.terms.entry(term.into()).or_default();
            entry.extend(seqs);
            entry.sort_unstable();
            entry.dedup();
        }
    }

    impl TermIndex for Memory {
        fn seqs(
            &self,
            term: &str,
            bound: Option<i64>,
            newest_first: bool,
            limit: usize,
        ) -> Result<Vec<i64>> {
            let all = self.terms.get(term).cloned().unwrap_or_default();
            let found: Vec<i64> = if newest_first {
                all.into_iter()
                    .rev()
                    .filter(|s| bound.is_none_or(|b| *s < b))
                    .take(limit)
                    .collect()
            } else {
                all.into_iter()
                    .filter(|s| bound.is_none_or(|b| *s > b))
                    .take(limit)
                    .collect()
            };
            self.read.set(self.read.get() + found.len());
            Ok(found)
        }
        fn holding(&self, terms: &[String], seqs: &[i64]) -> Result<HashSet<i64>> {
            self.probes.set(self.probes.get() + 1);
            Ok(seqs
                .iter()
                .copied()
                .filter(|seq| {
                    terms.iter().any(|t| {
                        self.terms
                            .get(t)
                            .is_some_and(|s| s.binary_search(seq).is_ok())
                    })
                })
                .collect())
        }
        fn count_up_to(&self, term: &str, cap: usize) -> Result<usize> {
            Ok(self.terms.get(term).map_or(0, |s| s.len().min(cap)))
        }
    }

    fn plan(conjunctions: &[&[&[&str]]]) -> IndexPlan {
        conjunctions
            .iter()
            .map(|groups| {
                groups
                    .iter()
                    .map(|group| group.iter().map(|t| t.to_string()).collect())
                    .collect()
            })
            .collect()
    }

    fn walk(index: &Memory, plan: &IndexPlan, from: Option<i64>, newest_first: bool) -> Vec<i64> {
        let mut walk = TermWalk::new(index, plan, from, newest_first).unwrap();
        let mut seqs = Vec::new();
        while let Some(seq) = walk.next_seq(index).unwrap() {
            seqs.push(seq);
        }
        seqs
    }

    fn index() -> Memory {
        let mut index = Memory::default();
        index.file("first:john", (1..=1000).filter(|s| s % 3 == 0));
        index.file("last:smith", (1..=1000).filter(|s| s % 50 == 0));
        index.file("last:jones", (1..=1000).filter(|s| s % 70 == 0));
        index.file("email:a@b.c", [7, 600]);
        index
    }

    #[test]
    fn a_plan_finds_exactly_what_its_terms_say_in_either_order_from_any_point() {
        let index = index();
        let john = |s: &i64| s % 3 == 0;
        let smith_or_jones = |s: &i64| s % 50 == 0 || s % 70 == 0;
        // (first:john and (last:smith or last:jones)) or email:a@b.c
        let plan = plan(&[
            &[&["first:john"], &["last:smith", "last:jones"]],
            &[&["email:a@b.c"]],
        ]);
        let expected: Vec<i64> = (1..=1000)
            .filter(|s| (john(s) && smith_or_jones(s)) || [7, 600].contains(s))
            .collect();
        assert!(expected.contains(&600) && expected.contains(&7) && expected.len() > 10);
        assert_eq!(walk(&index, &plan, None, false), expected);
        let newest: Vec<i64> = expected.iter().rev().copied().collect();
        assert_eq!(walk(&index, &plan, None, true), newest);
        assert_eq!(
            walk(&index, &plan, Some(600), true),
            newest
                .iter()
                .copied()
                .filter(|s| *s < 600)
                .collect::<Vec<_>>()
        );
        assert_eq!(
            walk(&index, &plan, Some(600), false),
            expected
                .iter()
                .copied()
                .filter(|s| *s > 600)
                .collect::<Vec<_>>()
        );
        let nobody = self::plan(&[&[&["first:john"], &["last:nobody"]]]);
        assert!(walk(&index, &nobody, None, true).is_empty());
    }

    #[test]
    fn a_page_of_a_common_term_reads_about_a_page() {
        let mut index = Memory::default();
        index.file("first:john", 1..=100_000);
        let plan = plan(&[&[&["first:john"]]]);
        let mut walk = TermWalk::new(&index, &plan, None, true).unwrap();
        let page: Vec<i64> = (0..11)
            .map(|_| walk.next_seq(&index).unwrap().unwrap())
            .collect();
        assert_eq!(page, (99_990..=100_000).rev().collect::<Vec<_>>());
        assert!(index.read.get() <= 200, "read {}", index.read.get());
    }

    #[test]
    fn a_conjunction_walks_its_rarest_group() {
        let mut index = Memory::default();
        index.file("first:john", 1..=100_000);
        index.file("last:rare", [5, 50_000]);
        let plan = plan(&[&[&["first:john"], &["last:rare"]]]);
        assert_eq!(walk(&index, &plan, None, true), vec![50_000, 5]);
        assert!(index.read.get() <= 2, "read {}", index.read.get());
    }

    #[test]
    fn a_conjunction_asks_about_many_walked_seqs_at_once() {
        let mut index = Memory::default();
        // A family name 1,700 hold, and a given name one in twelve of them holds.
        index.file("last:kalo", (1..=1_700).map(|n| n * 600));
        index.file(
            "first:wei",
            (1..=1_700).filter(|n| n % 12 == 0).map(|n| n * 600),
        );
        let plan = plan(&[&[&["first:wei"], &["last:kalo"]]]);
        let mut walk = TermWalk::new(&index, &plan, None, true).unwrap();
        let page: Vec<i64> = (0..50)
            .map(|_| walk.next_seq(&index).unwrap().unwrap())
            .collect();
        let expected: Vec<i64> = (1..=1_700)
            .rev()
            .filter(|n| n % 12 == 0)
            .take(50)
            .map(|n| n * 600)
            .collect();
        assert_eq!(page, expected);
        // 600 walked seqs for 50 found: three questions (32, 128, 512 seqs), not 600.
        assert!(
            index.probes.get() <= 3,
            "asked {} times",
            index.probes.get()
        );
    }
}
