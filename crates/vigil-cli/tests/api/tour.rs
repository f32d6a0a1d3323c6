//! The README's tour, run as written against a real server: every command between
//! `<!-- tour -->` and `<!-- /tour -->` runs in one shell, in order, and each `# → `
//! line after a command names text its output must hold (fragments separated by ` … `).
//! So the README cannot drift from what the binary does.

use std::path::Path;
use std::process::Command;

use crate::common::skip;
use crate::common::{Server, BIN};

/// The tour's shell blocks, in order.
fn tour_blocks(readme: &str) -> Vec<String> {
    let start = readme
        .find("<!-- tour -->")
        .expect("the README marks its tour");
    let end = readme.find("<!-- /tour -->").expect("and its end");
    let mut blocks = Vec::new();
    let mut rest = &readme[start..end];
    while let Some(open) = rest.find("```sh\n") {
        let body = &rest[open + 6..];
        let close = body.find("```").expect("a closed block");
        blocks.push(body[..close].to_string());
        rest = &body[close + 3..];
    }
    blocks
}

/// The setup block the README asks a reader to run before the tour (build, then
/// `vigil serve` in an empty folder): the flags it starts vigil with.
fn serve_flags(readme: &str) -> Vec<String> {
    let start = readme.find("## A tour").expect("the README has a tour");
    let end = readme
        .find("<!-- tour -->")
        .expect("the README marks its tour");
    let setup = &readme[start..end];
    let open = setup.find("```sh\n").expect("a setup block") + 6;
    let block = &setup[open..open + setup[open..].find("```").expect("closed")];
    assert!(
        block.contains("cargo build --release") && block.contains("target/release:$PATH"),
        "the setup builds vigil and puts it on the PATH:\n{block}"
    );
    for variable in ["REPO=", "SHARED="] {
        assert!(block.contains(variable), "the setup exports {variable}");
    }
    let serve = block
        .lines()
        .find(|line| line.contains("vigil serve"))
        .expect("the setup starts vigil");
    assert!(
        serve.contains("cd \"$(mktemp -d)\""),
        "vigil runs in an empty folder: {serve}"
    );
    let command = serve.split('#').next().unwrap();
    let after = &command[command.find("vigil serve").unwrap() + "vigil serve".len()..];
    after.split_whitespace().map(str::to_string).collect()
}

/// Single-quoted for bash.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// One bash script that runs every command and checks every expectation.
fn script(blocks: &[String]) -> String {
    let mut steps: Vec<(String, Vec<String>)> = Vec::new();
    for block in blocks {
        let mut pending = String::new();
        for line in block.lines() {
            if let Some(expected) = line.trim_start().strip_prefix("# → ") {
                let (_, wanted) = steps.last_mut().expect("an expectation follows a command");
                wanted.extend(expected.split(" … ").map(|f| f.trim().to_string()));
            } else if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            } else if let Some(part) = line.strip_suffix('\\') {
                pending.push_str(part);
            } else {
                pending.push_str(line);
                steps.push((std::mem::take(&mut pending), Vec::new()));
            }
        }
    }
    let mut out = String::from("set -uo pipefail\nT=$(mktemp -d)\n");
    for (number, (command, wanted)) in steps.iter().enumerate() {
        let step = number + 1;
        out.push_str(&format!("echo {}\n", quoted(&format!("$ {command}"))));
        if wanted.is_empty() {
            out.push_str(&format!(
                "{command} || {{ echo \"TOUR STEP {step} FAILED\"; exit 1; }}\n"
            ));
        } else {
            out.push_str(&format!(
                "{{ {command} ; }} > \"$T/out\" 2>&1; rc=$?; cat \"$T/out\"; echo\n\
                 [ $rc = 0 ] || {{ echo \"TOUR STEP {step} FAILED (exit $rc)\"; exit 1; }}\n"
            ));
            for fragment in wanted {
                out.push_str(&format!(
                    "grep -qF -- {} \"$T/out\" || {{ echo \"TOUR STEP {step}: expected \"{}; exit 1; }}\n",
                    quoted(fragment),
                    quoted(fragment)
                ));
            }
        }
    }
    out.push_str("echo TOUR DONE\n");
    out
}

#[test]
fn the_readme_s_tour_runs_as_written() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(repo.join("README.md")).unwrap();
    let blocks = tour_blocks(&readme);
    assert!(blocks.len() >= 4, "{} blocks", blocks.len());
    let shared = skip::shared_dir();
    if !shared.join("data/sanctions/ofac").is_dir() {
        skip::skipped(
            "the README's tour (it loads the real OFAC list)",
            &format!("{} is absent; set VIGIL_SHARED_DIR", shared.display()),
        );
        return;
    }
    // vigil runs as the setup block says, in the folder the tour runs in, so the CLI's
    // commands find its data where a reader's would: `./vigil-data`, by default.
    let folder = tempfile::tempdir().unwrap();
    let flags = serve_flags(&readme);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let server = Server::spawn(&folder.path().join("vigil-data"), &flags);
    assert!(server.sandbox_key.starts_with("persona_sandbox_"));
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // On the suite's PostgreSQL run, the tour's commands use the server's database.
    let mut bash = Command::new("bash");
    if let Some(database) = crate::common::postgres_database(&folder.path().join("vigil-data")) {
        bash.env("VIGIL_DATABASE_URL", database);
    }
    let out = bash
        .arg("-c")
        .arg(script(&blocks))
        .current_dir(folder.path())
        .env("PATH", path)
        .env("KEY", &server.sandbox_key)
        .env("API", format!("{}/api/v1", server.base))
        .env("REPO", &repo)
        .env("SHARED", &shared)
        .env_remove("VIGIL_DATA_DIR")
        .env("VIGIL_LOG", "warn")
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && printed.ends_with("TOUR DONE\n"),
        "{printed}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_expectation_the_output_lacks_fails_the_tour() {
    let blocks = vec!["echo hello\n# → hello … world\n".to_string()];
    let out = Command::new("bash")
        .arg("-c")
        .arg(script(&blocks))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("expected world"));
}
