//! Continuous screening's hot paths on synthetic data: a new list item looked up among
//! 100,000 monitored accounts (which accounts does it flag?), and one account screened
//! against 100,000 list entries. Baseline in the same run: the same lookup by scoring
//! every entry (what a scan without the index costs).
//!
//! `cargo bench -p vigil-screening --bench screening`

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use vigil_screening::name::{prepare, score_only};
use vigil_screening::watch::{keys, Subject, Watchlist};

const FIRST: &[&str] = &[
    "james",
    "mary",
    "robert",
    "patricia",
    "john",
    "jennifer",
    "michael",
    "linda",
    "david",
    "elizabeth",
    "william",
    "barbara",
    "richard",
    "susan",
    "joseph",
    "jessica",
    "thomas",
    "sarah",
    "charles",
    "karen",
    "mohammed",
    "fatima",
    "wei",
    "yuki",
    "olga",
    "ivan",
    "ana",
    "jose",
    "lucia",
    "ahmed",
    "aisha",
    "chen",
    "priya",
    "raj",
    "sofia",
    "mateo",
];
const LAST: &[&str] = &[
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "garcia",
    "miller",
    "davis",
    "rodriguez",
    "martinez",
    "hernandez",
    "lopez",
    "gonzalez",
    "wilson",
    "anderson",
    "thomas",
    "taylor",
    "moore",
    "jackson",
    "martin",
    "lee",
    "perez",
    "thompson",
    "white",
    "harris",
    "sanchez",
    "clark",
    "ramirez",
    "lewis",
    "robinson",
    "walker",
    "young",
    "allen",
    "king",
    "wright",
    "scott",
    "torres",
    "nguyen",
    "hill",
    "flores",
    "green",
    "adams",
    "nelson",
    "baker",
    "hall",
    "rivera",
    "campbell",
    "mitchell",
    "carter",
    "roberts",
    "petrov",
    "ivanova",
    "kim",
    "park",
    "singh",
    "patel",
    "khan",
    "ali",
    "hassan",
    "tanaka",
    "sato",
    "mueller",
    "schmidt",
];

/// A deterministic pseudo-random name: common first and last names, plus a made-up
/// surname syllable pair so that most names are distinct.
fn name(i: usize) -> String {
    let mut x = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    let mut next = |n: usize| {
        x ^= x >> 29;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x ^= x >> 32;
        (x % n as u64) as usize
    };
    const SYL: &[&str] = &[
        "ka", "lo", "mi", "ra", "te", "vo", "su", "ne", "di", "bo", "ze", "fa",
    ];
    format!(
        "{} {} {}{}{}",
        FIRST[next(FIRST.len())],
        LAST[next(LAST.len())],
        SYL[next(SYL.len())],
        SYL[next(SYL.len())],
        SYL[next(SYL.len())]
    )
}

fn watchlist(n: usize) -> Watchlist<usize> {
    let mut list = Watchlist::new();
    for i in 0..n {
        let email = format!("user{i}@example{}.com", i % 1000);
        list.insert(
            &format!("act_{i}"),
            i,
            &[name(i)],
            keys::email_address(&email),
            vec![],
        );
    }
    list
}

fn benches(c: &mut Criterion) {
    let n = 100_000;
    let accounts = watchlist(n);
    let item = Subject {
        names: vec![name(4242)],
        ..Subject::default()
    };
    assert!(
        accounts
            .screen(&item, 0.85)
            .iter()
            .any(|m| *m.payload == 4242),
        "the benchmark's own entry is found"
    );
    c.bench_function("new name item vs 100k monitored accounts (index)", |b| {
        b.iter(|| black_box(accounts.screen(black_box(&item), 0.85).len()))
    });
    let names: Vec<_> = (0..n).map(|i| prepare(&name(i))).collect();
    let query = prepare(&item.names[0]);
    c.bench_function(
        "new name item vs 100k monitored accounts (full scan baseline)",
        |b| {
            b.iter(|| {
                black_box(
                    names
                        .iter()
                        .filter(|candidate| score_only(&query, candidate) >= 0.85)
                        .count(),
                )
            })
        },
    );
    // Pair scoring alone, over the labelled set's pairs (every kind and script, prepared
    // beforehand): elements per second are pairs per second, one thread.
    let labelled: Vec<_> = include_str!("../tests/data/labelled_pairs.tsv")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut cols = l.split('\t');
            Some((prepare(cols.next()?), prepare(cols.next()?)))
        })
        .collect();
    let mut group = c.benchmark_group("pair scoring");
    group.throughput(criterion::Throughput::Elements(labelled.len() as u64));
    group.bench_function("labelled pairs", |b| {
        b.iter(|| {
            black_box(
                labelled
                    .iter()
                    .map(|(q, c)| score_only(black_box(q), black_box(c)))
                    .sum::<f64>(),
            )
        })
    });
    group.finish();
    let domain = Subject {
        keys: vec![keys::email_domain("example7.com")],
        ..Subject::default()
    };
    c.bench_function("new domain item vs 100k monitored accounts", |b| {
        b.iter(|| black_box(accounts.screen(black_box(&domain), 0.85).len()))
    });
}

criterion_group! {
    name = screening;
    config = Criterion::default().sample_size(20);
    targets = benches
}
criterion_main!(screening);
