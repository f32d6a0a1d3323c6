//! `vigil match`: one pair from the arguments, or a batch of tab-separated pairs from
//! stdin, where a bad line is reported and skipped and the rest of the batch still runs.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::BIN;

fn run_batch(input: &str, extra: &[&str]) -> std::process::Output {
    let mut child = Command::new(BIN)
        .arg("match")
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn one_pair_is_scored_and_explained() {
    let out = Command::new(BIN)
        .args(["match", "John Smith", "SMITH, John"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("1.000"), "{text}");
    assert!(text.contains("match"), "{text}");
}

#[test]
fn a_bad_line_is_reported_and_the_batch_goes_on() {
    let out = run_batch(
        "John Smith\tSMITH, John\nno tab on this line\n\nMaria Garcia\tMaria Garcia\n",
        &[],
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[0].ends_with("\tJohn Smith\tSMITH, John"), "{stdout}");
    assert!(
        lines[1].ends_with("\tMaria Garcia\tMaria Garcia"),
        "{stdout}"
    );
    assert!(stderr.contains("stdin line 2"), "{stderr}");
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failed line shows in the exit code"
    );

    let clean = run_batch("Ann Lee\tAnne Lee\n", &["--json"]);
    assert!(clean.status.success());
    let answer: serde_json::Value = serde_json::from_slice(&clean.stdout).unwrap();
    assert!(answer["score"].as_f64().unwrap() > 0.8, "{answer}");
}

/// `vigil match` with these arguments, which must succeed; its standard output.
fn matched(args: &[&std::ffi::OsStr]) -> Vec<u8> {
    let out = Command::new(BIN).arg("match").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn json_match(query: &str, candidate: &str) -> serde_json::Value {
    let args = ["--json", query, candidate].map(std::ffi::OsStr::new);
    serde_json::from_slice(&matched(&args)).unwrap()
}

#[test]
fn the_explanation_names_each_rule_that_shaped_the_score() {
    // A legal form written out is the abbreviated one, and says so.
    let siemens = json_match("Siemens Aktiengesellschaft", "Siemens AG");
    assert_eq!(siemens["match"], true, "{siemens}");
    let dropped = siemens["explanation"]["dropped"].as_array().unwrap();
    assert!(
        dropped
            .iter()
            .any(|d| d["word"] == "aktiengesellschaft" && d["why"] == "legal-form"),
        "{siemens}"
    );
    let gazprom = json_match("OAO Gazprom", "Open Joint Stock Company Gazprom");
    assert_eq!(gazprom["match"], true, "{gazprom}");

    // Arabic letters against Latin ones: compared on consonants, and said.
    let arabic = json_match("فرناندو بيريز", "Fernando Pérez");
    assert_eq!(arabic["match"], true, "{arabic}");
    let note = &arabic["explanation"]["notes"][0];
    assert_eq!(note["rule"], "scripts", "{arabic}");
    assert_eq!(note["query"], "arabic");
    assert_eq!(note["compared-on"], "consonants");

    // Han characters that sound alike are not the same name.
    let han = json_match("高石早苗", "高市早苗");
    assert_eq!(han["match"], false, "{han}");
    assert_eq!(han["explanation"]["notes"][0]["compared-on"], "characters");
    // Against Hebrew letters, a Latin "ch" is chet or kaf: both names meet, and it is said.
    let [hebrew, latin] = ["מנחם כהן", "Menachem Cohen"].map(std::ffi::OsStr::new);
    let text = String::from_utf8(matched(&[hebrew, latin])).unwrap();
    assert!(text.starts_with("1.000  match"), "{text}");
    assert!(
        text.contains("a Latin ch or kh is read as chet or kaf"),
        "{text}"
    );
    // Traditional characters are their simplified forms: one name, and the text says so.
    let xi = json_match("習近平", "习近平");
    assert_eq!(xi["match"], true, "{xi}");
    assert_eq!(xi["score"], 1.0, "{xi}");
    let [traditional, simplified] = ["習近平", "习近平"].map(std::ffi::OsStr::new);
    let text = String::from_utf8(matched(&[traditional, simplified])).unwrap();
    assert!(
        text.contains(
            "compared on characters, one by one (traditional ones as their simplified forms)"
        ),
        "{text}"
    );

    // A typo in a short word no longer sinks the name; different numbers do.
    assert_eq!(json_match("Kim Sko Chol", "Kim Sok Chol")["match"], true);
    let vessel = json_match("ASIA BRIDGE 1", "ASIA BRIDGE");
    assert_eq!(vessel["match"], false, "{vessel}");
    assert!(vessel["explanation"]["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["rule"] == "numbers-differ"));

    // Given names shared, the family name not: another person, and the text says why.
    let text = Command::new(BIN)
        .args([
            "match",
            "Muhammad Qasim Al-Bazzal Hassan",
            "QASIM, Muhammad",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("no match"), "{text}");
    assert!(
        text.contains("family name left unexplained: hassan"),
        "{text}"
    );

    // A listed name of common words only inside a longer query: weak evidence, with
    // the list's counts (`--list`); a rare word carries the match.
    let list = tempfile::NamedTempFile::new().unwrap();
    let mut names = String::from("Mohammed Ali\nVladimir Putin\n");
    for n in 0..100 {
        names.push_str(&format!("Mohammed Zed{n}\nAli Zed{n}\nVladimir Zed{n}\n"));
    }
    std::fs::write(list.path(), names).unwrap();
    let with_list = |query: &str, listed: &str| {
        let [query, listed, flag] = [query, listed, "--list"].map(std::ffi::OsStr::new);
        String::from_utf8(matched(&[query, listed, flag, list.path().as_os_str()])).unwrap()
    };
    let common = with_list("Mohammed Hassan Ali", "Mohammed Ali");
    assert!(common.contains("no match"), "{common}");
    assert!(
        common.contains(
            "only common words of the list matched: mohammed (in 101 of 302 listed names), \
             ali (in 101 of 302 listed names)"
        ),
        "{common}"
    );
    let rare = with_list("Vladimir Vladimirovich Putin", "Vladimir Putin");
    assert!(rare.contains("  match"), "{rare}");
    // Without the list, nothing is known to be common.
    assert_eq!(
        json_match("Mohammed Hassan Ali", "Mohammed Ali")["match"],
        true
    );
    let missing = Command::new(BIN)
        .args(["match", "a", "b", "--list", "/nonexistent/names.txt"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("--list /nonexistent/names.txt"));
}
