//! The invariants ARCHITECTURE.md states, checked rather than hoped for: the HTTP
//! handlers are reached only through the router, the application layer knows no HTTP,
//! the pure crates stay pure, and only the faces that are clients of the API depend on
//! its client.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn server_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, with its path relative to `dir`.
fn rust_files(dir: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                found.push((relative, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    found.sort();
    found
}

/// The lines of `text` that are code (comments say what they like).
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line))
        .filter(|(_, line)| !line.trim_start().starts_with("//"))
}

/// `file:line: code` for each code line of the files `chosen` picks that contains one of
/// `needles`.
fn offending(
    files: &[(String, String)],
    chosen: impl Fn(&str) -> bool,
    needles: &[&str],
) -> Vec<String> {
    let mut found = Vec::new();
    for (path, text) in files.iter().filter(|(path, _)| chosen(path)) {
        for (number, line) in code_lines(text) {
            if needles.iter().any(|needle| line.contains(needle)) {
                found.push(format!("{path}:{number}: {}", line.trim()));
            }
        }
    }
    found
}

#[test]
fn only_the_router_reaches_into_the_http_handlers() {
    let files = rust_files(&server_src());
    assert!(files.iter().any(|(path, _)| path.starts_with("use_cases/")));
    // `lib.rs` mounts the routes; everything else calls use cases, not handlers.
    let outside = |path: &str| !path.starts_with("routes/") && path != "lib.rs";
    let found = offending(&files, outside, &["routes::"]);
    assert!(
        found.is_empty(),
        "modules outside routes/ import from it:\n{}",
        found.join("\n")
    );
}

#[test]
fn events_are_recorded_by_use_cases_alone() {
    let files = rust_files(&server_src());
    let elsewhere = |path: &str| !path.starts_with("use_cases/");
    let found = offending(
        &files,
        elsewhere,
        &["insert_event(", "use_cases::record(", "record_event("],
    );
    assert!(
        found.is_empty(),
        "events recorded outside the use cases (so perhaps without their actor):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_application_layer_knows_no_http() {
    let files = rust_files(&server_src());
    let use_cases = |path: &str| path.starts_with("use_cases/");
    let found = offending(
        &files,
        use_cases,
        &[
            "axum",
            "protocol::",
            "ApiError",
            "ApiResult",
            "Ctx",
            "StatusCode",
            "\"/data",
            "\"/meta",
        ],
    );
    assert!(
        found.is_empty(),
        "the application layer names HTTP, a request or a JSON pointer:\n{}",
        found.join("\n")
    );
}

/// The platform this test runs on, as rustc names it.
fn host() -> String {
    let output = std::process::Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("rustc runs");
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .find_map(|line| line.strip_prefix("host: ").map(str::to_string))
        .expect("rustc names its host")
}

#[test]
fn the_domain_names_values_relative_to_the_object_not_the_request() {
    // Its rules say `fields/birthdate`; the HTTP layer places that in a request. (Tests
    // may hand a parser a request's pointer, as a handler does.)
    let src = workspace().join("crates/vigil-domain/src");
    let files: Vec<(String, String)> = rust_files(&src)
        .into_iter()
        .map(|(path, text)| {
            let code = text.split("#[cfg(test)]").next().unwrap_or("").to_string();
            (path, code)
        })
        .collect();
    let found = offending(&files, |_| true, &["\"/data", "\"/meta"]);
    assert!(
        found.is_empty(),
        "the domain names a request's JSON pointer:\n{}",
        found.join("\n")
    );
}

/// `cargo metadata` for the workspace on this platform, offline (the build fetched
/// everything it needs; other platforms' packages were never downloaded).
fn metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--filter-platform",
        ])
        .arg(host())
        .current_dir(workspace())
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Package names by id, and each package's normal (not dev, not build) dependencies.
fn normal_dependencies(meta: &Value) -> (HashMap<String, String>, HashMap<String, Vec<String>>) {
    let names = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_string(),
                p["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut deps = HashMap::new();
    for node in meta["resolve"]["nodes"].as_array().unwrap() {
        let normal = node["deps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|dep| {
                dep["dep_kinds"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|kind| kind["kind"].is_null())
            })
            .map(|dep| dep["pkg"].as_str().unwrap().to_string())
            .collect();
        deps.insert(node["id"].as_str().unwrap().to_string(), normal);
    }
    (names, deps)
}

/// The ids of every package the `roots` depend on at run time, directly or not.
fn reached(roots: Vec<String>, deps: &HashMap<String, Vec<String>>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut pending = roots;
    while let Some(id) = pending.pop() {
        for dep in deps.get(&id).into_iter().flatten() {
            if seen.insert(dep.clone()) {
                pending.push(dep.clone());
            }
        }
    }
    seen
}

/// The names of every package `root` depends on at run time, directly or not.
fn closure(
    root: &str,
    names: &HashMap<String, String>,
    deps: &HashMap<String, Vec<String>>,
) -> BTreeSet<String> {
    let start = names
        .iter()
        .find(|(_, name)| *name == root)
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| panic!("{root} is not in the workspace"));
    reached(vec![start], deps)
        .iter()
        .map(|id| names[id].clone())
        .collect()
}

#[test]
fn the_pure_crates_gain_no_http_sql_or_async_dependency() {
    const FORBIDDEN: &[&str] = &[
        "axum",
        "hyper",
        "http",
        "reqwest",
        "tower",
        "rusqlite",
        "libsqlite3-sys",
        "sqlx",
        "postgres",
        "tokio-postgres",
        "tokio",
        "async-std",
        "smol",
        "mio",
        "futures",
        "futures-util",
    ];
    let meta = metadata();
    let (names, deps) = normal_dependencies(&meta);
    for pure in ["vigil-domain", "vigil-screening"] {
        let reached = closure(pure, &names, &deps);
        let bad: Vec<&str> = FORBIDDEN
            .iter()
            .copied()
            .filter(|name| reached.contains(*name))
            .collect();
        assert!(bad.is_empty(), "{pure} depends on {bad:?}");
    }
}

#[test]
fn only_the_faces_that_are_api_clients_depend_on_the_client() {
    // The agent tools, the console and the verification flow, and what the two faces in a
    // browser share.
    const CLIENTS: &[&str] = &["vigil-mcp", "vigil-console", "vigil-flow", "vigil-pages"];
    let meta = metadata();
    let (names, deps) = normal_dependencies(&meta);
    let members: Vec<&str> = meta["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(members.len() >= 7, "{members:?}");
    for member in members {
        let name = &names[member];
        let direct: Vec<&str> = deps[member].iter().map(|d| names[d].as_str()).collect();
        if direct.contains(&"vigil-client") {
            assert!(
                CLIENTS.contains(&name.as_str()),
                "{name} depends on vigil-client; only {CLIENTS:?} may"
            );
        }
        // A face reaches vigil only through the API: no rule, storage or handler of its own.
        if CLIENTS.contains(&name.as_str()) {
            let reached = closure(name, &names, &deps);
            for inside in [
                "vigil-server",
                "vigil-store",
                "vigil-domain",
                "vigil-screening",
            ] {
                assert!(!reached.contains(inside), "{name} depends on {inside}");
            }
        }
    }
}

#[test]
fn no_new_crate_is_built_twice_in_two_versions() {
    // Each pair below comes from dependencies we do not control; docs/operations.md
    // ("Build cost") says which. A new pair costs build time on every machine: align the
    // versions instead, or say here why it cannot be done.
    const KNOWN: &[&str] = &[
        "ahash",             // 0.7 by fast2s's hashbrown, 0.8 by parquet
        "base64",            // 0.22 by reqwest, 0.23 by hyper-util
        "fallible-iterator", // 0.2 by tokio-postgres, 0.3 by rusqlite
        "getrandom",         // 0.2 and 0.3 by parquet's ahash, 0.4 by rand
        "hashbrown",         // 0.12 by fast2s (Han characters), 0.17 by everything else
        "miniz_oxide",       // 0.8 by image's png, 0.9 by flate2
        "num",               // 0.3 by rustface, 0.4 by rxing
        "num-bigint",        // 0.3 by rustface, 0.4 by rxing, 0.5 by parquet
        "num-complex",       // as num
        "num-rational",      // as num
        "regex-syntax",      // 0.6 by phonenumber's regex-cache
        "syn",               // 3 by rmcp's async-trait, 2 by everything else
        "thiserror",         // 1 by isocountry, 2 by everything else
        "thiserror-impl",    // as thiserror
    ];
    // `cargo tree` resolves features as the build does (`cargo metadata` also lists
    // optional dependencies nothing turns on).
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args(["tree", "--duplicates", "--edges", "normal", "--offline"])
        .args(["--prefix", "depth", "--format", "{p}", "--target"])
        .arg(host())
        .current_dir(workspace())
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let listed = String::from_utf8(output.stdout).unwrap();
    // One line per (package, version) at depth 0; a package built with two feature sets
    // (for a build script and for the program) is listed twice with one version.
    let mut versions: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for package in listed.lines().filter_map(|line| line.strip_prefix('0')) {
        let mut words = package.split_whitespace();
        if let (Some(name), Some(version)) = (words.next(), words.next()) {
            versions.entry(name).or_default().insert(version);
        }
    }
    let mut twice: Vec<&str> = versions
        .iter()
        .filter(|(name, found)| found.len() > 1 && !KNOWN.contains(name))
        .map(|(name, _)| *name)
        .collect();
    twice.sort();
    assert!(twice.is_empty(), "built in two versions: {twice:?}");
}
