//! The real OFAC and UN files in `../shared/data/sanctions` (or `$VIGIL_SHARED_DIR`) parse,
//! and screening finds listed parties under the variants people type. Skipped, and said
//! so in the test command's summary, when the shared folder is absent (a failure under CI).

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use vigil_screening::name::{prepare, NameIndex, DEFAULT_THRESHOLD};
use vigil_screening::sources::{ofac, un, Party, PartyKind};

#[path = "../../../test-support/skip.rs"]
mod skip;

fn sanctions_dir() -> Option<PathBuf> {
    let dir = skip::shared_dir().join("data/sanctions");
    if dir.is_dir() {
        Some(dir)
    } else {
        skip::skipped(
            "screening the real OFAC and UN lists",
            &format!("{} is absent; set VIGIL_SHARED_DIR", dir.display()),
        );
        None
    }
}

fn open(path: PathBuf) -> BufReader<File> {
    BufReader::new(File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

fn index(parties: &[Party]) -> NameIndex<usize> {
    let mut index = NameIndex::new();
    for (i, party) in parties.iter().enumerate() {
        for name in &party.names {
            index.insert(&prepare(name), i);
        }
    }
    index
}

fn best<'a>(index: &NameIndex<usize>, parties: &'a [Party], query: &str) -> Option<&'a Party> {
    let hits = index.search(&prepare(query), DEFAULT_THRESHOLD, 1);
    hits.first().map(|h| &parties[*h.payload])
}

#[test]
fn ofac_sdn_list() {
    let Some(dir) = sanctions_dir() else { return };
    let parties = ofac::parse(
        open(dir.join("ofac/sdn.csv")),
        open(dir.join("ofac/alt.csv")),
        open(dir.join("ofac/add.csv")),
    )
    .unwrap();
    assert!(parties.len() > 8_000, "{} parties", parties.len());
    let names: usize = parties.iter().map(|p| p.names.len()).sum();
    assert!(names > 19_000, "{names} names with aliases");
    assert!(parties
        .iter()
        .any(|p| p.kind == PartyKind::Individual && !p.birth_years.is_empty()));
    let cuba = parties
        .iter()
        .find(|p| p.source_id == "306")
        .expect("BANCO NACIONAL DE CUBA");
    assert_eq!(cuba.names[0], "BANCO NACIONAL DE CUBA");
    assert!(
        cuba.countries.iter().any(|c| c == "CH"),
        "{:?}",
        cuba.countries
    );

    let index = index(&parties);
    let found = best(&index, &parties, "Banco Nacional de Cuba S.A.").expect("found");
    assert_eq!(found.source_id, "306");
    // An alias from alt.csv, with the words in another order and a typo.
    let found = best(&index, &parties, "National Bank of Cuba").expect("found by alias");
    assert_eq!(found.source_id, "306");
    assert!(best(&index, &parties, "Qwertyuiop Asdfghjkl").is_none());
}

#[test]
fn un_consolidated_list() {
    let Some(dir) = sanctions_dir() else { return };
    let parties = un::parse(open(dir.join("un/UN_consolidated.xml"))).unwrap();
    let individuals = parties
        .iter()
        .filter(|p| p.kind == PartyKind::Individual)
        .count();
    let entities = parties
        .iter()
        .filter(|p| p.kind == PartyKind::Entity)
        .count();
    assert!(
        individuals > 650 && entities > 250,
        "{individuals} individuals, {entities} entities"
    );
    let badege = parties
        .iter()
        .find(|p| p.source_id == "6907993")
        .expect("ERIC BADEGE");
    assert_eq!(badege.names[0], "ERIC BADEGE");
    assert_eq!(badege.birth_years, [1971]);
    assert_eq!(badege.countries, ["CD", "RW"]);

    let index = index(&parties);
    let found = best(&index, &parties, "BADEGE, Erik").expect("found");
    assert_eq!(found.source_id, "6907993");
}
