//! What every test crate shares about checks that cannot run here: where `../shared` is,
//! and how a skipped check is told. Included with `#[path]` by each crate's tests.

use std::io::Write;
use std::path::PathBuf;

/// Where the shared reference material lives: `VIGIL_SHARED_DIR`, else the `shared`
/// folder beside the repository.
#[allow(dead_code)]
pub fn shared_dir() -> PathBuf {
    std::env::var_os("VIGIL_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

/// A check that cannot run here (`what`), and how to make it run (`fix`). Under `CI=true`
/// this fails the test: CI runs everything. Elsewhere it says so on stderr and adds a line
/// to the file `VIGIL_SKIP_LOG` names, which `scripts/test` prints in its final summary.
#[allow(dead_code)]
pub fn skipped(what: &str, fix: &str) {
    let line = format!("{what} ({fix})");
    if std::env::var_os("CI").is_some_and(|v| v != "false" && !v.is_empty()) {
        panic!("under CI every check must run, but: {line}");
    }
    eprintln!("SKIPPED: {line}");
    if let Some(log) = std::env::var_os("VIGIL_SKIP_LOG") {
        if let Ok(mut file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
        {
            // One write per line: tests run in parallel and append to the same file.
            let _ = file.write_all(format!("{line}\n").as_bytes());
        }
    }
}
