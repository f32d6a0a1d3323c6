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
