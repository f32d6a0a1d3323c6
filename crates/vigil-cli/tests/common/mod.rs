//! A real `vigil serve` process on a random loopback port, and an HTTP client whose every
//! response is checked against Persona's schema.

#![allow(dead_code)]

pub mod conformance;
pub mod receiver;
#[path = "../../../../test-support/skip.rs"]
pub mod skip;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_vigil");

pub struct Server {
    pub base: String,
    pub sandbox_key: String,
    pub production_key: String,
    pub data_dir: PathBuf,
    child: Child,
    _temp: Option<tempfile::TempDir>,
}

impl Server {
    pub fn start() -> Server {
        Server::start_with(&[])
    }

    pub fn start_with(extra: &[&str]) -> Server {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("data");
        let mut server = Server::spawn(&dir, extra);
        server._temp = Some(temp);
        server
    }

    /// Start (or restart) on an existing data directory; keys come from the first start.
    pub fn spawn(dir: &Path, extra: &[&str]) -> Server {
        Server::spawn_with(Command::new(BIN), dir, extra)
    }

    /// Start under a given umask (the data directory's modes must not depend on it).
    pub fn spawn_under_umask(umask: &str, dir: &Path) -> Server {
        let mut shell = Command::new("sh");
        shell.args(["-c", &format!("umask {umask} && exec \"$0\" \"$@\""), BIN]);
        Server::spawn_with(shell, dir, &[])
    }

    /// A server on the data directory's own SQLite database, whichever backend the suite
    /// runs on (`vigil migrate` starts from one).
    pub fn spawn_on_sqlite(dir: &Path) -> Server {
        let mut command = Command::new(BIN);
        command.env_remove("VIGIL_DATABASE_URL");
        Server::spawn_configured(command, dir, &[], false)
    }

    /// Another server on the PostgreSQL database `database` (with a data directory of its
    /// own, as a second machine would have).
    pub fn spawn_node(dir: &Path, database: &str, extra: &[&str]) -> Server {
        let mut command = Command::new(BIN);
        command.env("VIGIL_DATABASE_URL", database);
        Server::spawn_configured(command, dir, extra, false)
    }

    fn spawn_with(command: Command, dir: &Path, extra: &[&str]) -> Server {
        Server::spawn_configured(command, dir, extra, true)
    }

    fn spawn_configured(
        mut command: Command,
        dir: &Path,
        extra: &[&str],
        suite_backend: bool,
    ) -> Server {
        command.args([
            "serve",
            "--data-dir",
            dir.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ]);
        if let Some(database) = postgres_database(dir).filter(|_| suite_backend) {
            // A server restarted after a kill waits this long for the dead one's lease.
            command
                .env("VIGIL_DATABASE_URL", database)
                .env("VIGIL_LEASE_SECONDS", "2");
        }
        let mut child = command
            .args(extra)
            .env("VIGIL_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("vigil starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let (mut sandbox_key, mut production_key, mut base) =
            (String::new(), String::new(), String::new());
        for line in lines.by_ref() {
            let line = line.unwrap();
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["sandbox", key] => sandbox_key = key.to_string(),
                ["production", key] => production_key = key.to_string(),
                ["vigil", "listening", "on", url, ..] => {
                    base = url.to_string();
                    break;
                }
                _ => {}
            }
        }
        assert!(!base.is_empty(), "vigil did not report its address");
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            base,
            sandbox_key,
            production_key,
            data_dir: dir.to_path_buf(),
            child,
            _temp: None,
        }
    }

    pub fn client(&self) -> Client {
        self.client_with_key(&self.sandbox_key)
    }

    pub fn client_with_key(&self, key: &str) -> Client {
        Client {
            http: reqwest::Client::new(),
            base: self.base.clone(),
            key: Some(key.to_string()),
            headers: Vec::new(),
        }
    }

    /// `kill -9`.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// `kill -TERM`, then wait (up to 20 s) for the process to end: its exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        for _ in 0..400 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("vigil did not stop within 20 s of SIGTERM");
    }

    /// Keep the data directory alive past this server (for restarts).
    pub fn take_tempdir(&mut self) -> Option<tempfile::TempDir> {
        self._temp.take()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
        // A server that owns its data directory is its only user: its database goes with
        // it, or the suite's cluster grows by one database per test (gigabytes per pass).
        if self._temp.is_some() {
            drop_postgres_database(&self.data_dir);
        }
    }
}

/// The PostgreSQL server the suite runs against, when `VIGIL_TEST_POSTGRES` names one
/// (`postgres://user@host:port`, no database): `scripts/test` starts a throwaway cluster
/// and runs the HTTP suite a second time with it.
pub fn postgres() -> Option<String> {
    std::env::var("VIGIL_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.is_empty())
}

/// Whether the suite runs on SQLite (the default), where vigil's records are files in the
/// data directory that a check may read.
pub fn on_sqlite() -> bool {
    postgres().is_none()
}

/// A check about SQLite's own files (their modes, the WAL, the directory lock, bytes left
/// on disk) on the PostgreSQL pass, where they do not hold vigil's records: it says so and
/// answers true, and the check ends there. These checks ran in the SQLite pass; what
/// they check has no PostgreSQL counterpart (redacted bytes leaving the disk do:
/// [`markers_on_disk`]).
pub fn sqlite_only(what: &str) -> bool {
    if on_sqlite() {
        return false;
    }
    eprintln!("SQLITE ONLY (not on the PostgreSQL pass): {what}");
    true
}

/// Run `sql` with psql on the PostgreSQL database of a data directory; its rows, one per
/// line, columns separated by `|` (`None` on the SQLite pass).
pub fn psql(dir: &Path, sql: &str) -> Option<String> {
    let database = postgres_database(dir)?;
    let output = Command::new("psql")
        .args([
            &database,
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ])
        .output()
        .expect("psql runs");
    assert!(
        output.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// A check that needs several servers on one database (PostgreSQL): on the SQLite pass it
/// says so and answers true, and the check ends there (a SQLite data directory has one
/// server, which `crash.rs` checks).
pub fn postgres_only(what: &str) -> bool {
    if !on_sqlite() {
        return false;
    }
    eprintln!("POSTGRESQL ONLY (not on the SQLite pass): {what}");
    true
}

/// The database of a data directory on the suite's PostgreSQL server, made on first use
/// (a restart on the same directory finds the same database).
pub fn postgres_database(dir: &Path) -> Option<String> {
    let server = postgres()?;
    let name = database_name(dir);
    let made = Command::new("psql")
        .args([&format!("{server}/postgres"), "-q", "-v", "ON_ERROR_STOP=1"])
        .args(["-c", &format!("CREATE DATABASE {name}")])
        .output()
        .expect("psql runs");
    let said = String::from_utf8_lossy(&made.stderr);
    assert!(
        made.status.success() || said.contains("already exists"),
        "creating {name}: {said}"
    );
    Some(format!("{server}/{name}"))
}

/// The name of a data directory's database: a hash of its path.
fn database_name(dir: &Path) -> String {
    format!(
        "vigil_{:016x}",
        dir.to_string_lossy()
            .bytes()
            .fold(0xcbf29ce484222325u64, |h, b| (h ^ b as u64)
                .wrapping_mul(0x100000001b3))
    )
}

/// Drop a data directory's database (the PostgreSQL pass), once nothing uses it.
fn drop_postgres_database(dir: &Path) {
    let Some(server) = postgres() else { return };
    let dropped = Command::new("psql")
        .args([&format!("{server}/postgres"), "-q", "-v", "ON_ERROR_STOP=1"])
        .args([
            "-c",
            &format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                database_name(dir)
            ),
        ])
        .output();
    if let Some(output) = dropped.ok().filter(|output| !output.status.success()) {
        eprintln!(
            "dropping the database of {}: {}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// `vigil` for a command on the data directory `dir` (and its database, when the suite
/// runs on PostgreSQL).
pub fn vigil_on(dir: &Path) -> Command {
    let mut command = Command::new(BIN);
    if let Some(database) = postgres_database(dir) {
        command.env("VIGIL_DATABASE_URL", database);
    }
    command
}

/// Run `vigil keys create` and return its stdout.
pub fn create_key(dir: &Path, args: &[&str]) -> std::process::Output {
    vigil_on(dir)
        .args(["keys", "create", "--data-dir", dir.to_str().unwrap()])
        .args(args)
        .output()
        .unwrap()
}

/// Every event the suite reads says who made the change (`context.actor`).
fn every_event_names_its_actor(body: &Value) {
    let events = match &body["data"] {
        Value::Array(events) => events.clone(),
        Value::Object(_) => vec![body["data"].clone()],
        _ => Vec::new(),
    };
    for event in events {
        let actor = &event["attributes"]["context"]["actor"];
        assert!(
            actor["type"].is_string(),
            "event {} ({}) names no actor: {}",
            event["id"],
            event["attributes"]["name"],
            event["attributes"]["context"]
        );
    }
}

/// Run `vigil rules load` on a file holding `toml`, into the sandbox of the data
/// directory `dir`.
pub fn load_rules(dir: &Path, toml: &str) -> std::process::Output {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("rules.toml");
    std::fs::write(&file, toml).unwrap();
    vigil_on(dir)
        .args(["rules", "load", "--env", "sandbox", "--data-dir"])
        .arg(dir)
        .arg(&file)
        .output()
        .unwrap()
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    pub base: String,
    pub key: Option<String>,
    pub headers: Vec<(String, String)>,
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn id(&self) -> String {
        self.body["data"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no data.id in {}", self.body))
            .to_string()
    }

    pub fn attr(&self, name: &str) -> &Value {
        &self.body["data"]["attributes"][name]
    }

    /// The first error's `details`.
    pub fn details(&self) -> &str {
        self.body["errors"][0]["details"].as_str().unwrap_or("")
    }

    pub fn ids(&self) -> Vec<String> {
        self.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    }
}

impl Client {
    pub fn with_header(mut self, name: &str, value: &str) -> Client {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn without_key(mut self) -> Client {
        self.key = None;
        self
    }

    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> Response {
        let url = format!("{}{path}", self.base);
        let mut request = self
            .http
            .request(method.clone(), &url)
            .timeout(Duration::from_secs(30));
        if let Some(key) = &self.key {
            request = request.bearer_auth(key);
        }
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            if !headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            {
                request = request.header("Content-Type", "application/json");
            }
            request = request.body(body);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status().as_u16();
        let response_headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap();
        let body: Value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                panic!(
                    "{method} {path}: non-JSON body ({e}): {}",
                    String::from_utf8_lossy(&bytes)
                )
            })
        };
        if path.starts_with("/api/v1/") {
            // The server says which version shaped the response; fall back to the request.
            let version = response_headers
                .get("persona-version")
                .and_then(|v| v.to_str().ok())
                .map(String::from)
                .or_else(|| {
                    self.headers
                        .iter()
                        .map(|(n, v)| (n.as_str(), v.as_str()))
                        .chain(headers.iter().copied())
                        .rfind(|(n, _)| n.eq_ignore_ascii_case("persona-version"))
                        .map(|(_, v)| v.to_string())
                })
                .unwrap_or_else(|| "2025-12-08".into());
            let api_path = path
                .trim_start_matches("/api/v1")
                .split('?')
                .next()
                .unwrap();
            conformance::check(method.as_str(), api_path, &version, status, &body);
            if api_path.starts_with("/events") && status == 200 {
                every_event_names_its_actor(&body);
            }
        }
        Response {
            status,
            headers: response_headers,
            body,
        }
    }

    /// The environment's default inquiry template (`Default`): its id.
    pub async fn default_inquiry_template(&self) -> String {
        let listed = self
            .get("/api/v1/inquiry-templates?filter[name]=Default")
            .await;
        assert_eq!(listed.status, 200, "{:?}", listed.body);
        listed.ids()[0].clone()
    }

    /// Create a list of `plural` kind (`names`, `email-addresses`, ...); its id.
    pub async fn create_list(&self, plural: &str, name: &str) -> String {
        let created = self
            .post(
                &format!("/api/v1/list/{plural}"),
                serde_json::json!({"data": {"attributes": {"name": name}}}),
            )
            .await;
        assert_eq!(created.status, 201, "{:?}", created.body);
        created.id()
    }

    /// Add an item with `attributes` to the list; its id.
    pub async fn add_list_item(&self, plural: &str, list_id: &str, attributes: Value) -> String {
        let mut attributes = attributes;
        attributes["list-id"] = serde_json::json!(list_id);
        let created = self
            .post(
                &format!("/api/v1/list-item/{plural}"),
                serde_json::json!({"data": {"attributes": attributes}}),
            )
            .await;
        assert_eq!(created.status, 201, "{:?}", created.body);
        created.id()
    }

    /// GET a body that is not JSON (a PDF): status, headers and bytes. A success is
    /// checked against the content type Persona's operation declares; errors are JSON and
    /// go through [`Client::get`].
    pub async fn get_bytes(&self, path: &str) -> (u16, HeaderMap, Vec<u8>) {
        let mut request = self
            .http
            .get(format!("{}{path}", self.base))
            .timeout(Duration::from_secs(30));
        if let Some(key) = &self.key {
            request = request.bearer_auth(key);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap().to_vec();
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        if let Some(api_path) = path.strip_prefix("/api/v1") {
            conformance::check_content_type("get", api_path, status, &content_type);
        }
        (status, headers, bytes)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.raw(Method::GET, path, None, &[]).await
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.raw(Method::DELETE, path, None, &[]).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.raw(
            Method::POST,
            path,
            Some(serde_json::to_vec(&body).unwrap()),
            &[],
        )
        .await
    }

    pub async fn post_with(&self, path: &str, body: Value, headers: &[(&str, &str)]) -> Response {
        self.raw(
            Method::POST,
            path,
            Some(serde_json::to_vec(&body).unwrap()),
            headers,
        )
        .await
    }

    /// POST `multipart/form-data`: `(field name, file name for file parts, content)`.
    pub async fn post_multipart(
        &self,
        path: &str,
        parts: &[(&str, Option<&str>, &[u8])],
        headers: &[(&str, &str)],
    ) -> Response {
        let boundary = "vigil-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, filename, content) in parts {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            match filename {
                Some(filename) => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
                ),
                None => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                ),
            }
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let content_type = format!("multipart/form-data; boundary={boundary}");
        let mut all = vec![("Content-Type", content_type.as_str())];
        all.extend_from_slice(headers);
        self.raw(Method::POST, path, Some(body), &all).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Response {
        self.raw(
            Method::PATCH,
            path,
            Some(serde_json::to_vec(&body).unwrap()),
            &[],
        )
        .await
    }

    /// Create an account from attributes; asserts 201.
    pub async fn create_account(&self, attributes: Value) -> Response {
        let response = self
            .post(
                "/api/v1/accounts",
                serde_json::json!({ "data": { "attributes": attributes } }),
            )
            .await;
        assert_eq!(response.status, 201, "create failed: {}", response.body);
        response
    }

    /// The names of the events about `object_id`, newest first (up to 100).
    pub async fn event_names(&self, object_id: &str) -> Vec<String> {
        let events = self
            .get(&format!(
                "/api/v1/events?filter[object-id]={object_id}&page[size]=100"
            ))
            .await;
        assert_eq!(events.status, 200, "{}", events.body);
        events.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["attributes"]["name"].as_str().unwrap().to_string())
            .collect()
    }

    /// The first case naming `account`, once the rules have opened one (they run after
    /// the write that triggers them): waits up to ten seconds, then fails the test.
    pub async fn first_case_of(&self, account: &str) -> Value {
        self.first_case_where(&format!("filter[account-id]={account}"))
            .await
    }

    /// [`Client::first_case_of`], among the open cases.
    pub async fn first_open_case_of(&self, account: &str) -> Value {
        self.first_case_where(&format!("filter[account-id]={account}&filter[status]=open"))
            .await
    }

    async fn first_case_where(&self, filters: &str) -> Value {
        for _ in 0..200 {
            let found = self.get(&format!("/api/v1/cases?{filters}")).await;
            if let Some(case) = found.body["data"].as_array().and_then(|c| c.first()) {
                return case.clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no case opened where {filters}");
    }
}

/// A base64 PNG (by its signature) whose bytes contain `marker`, for upload tests.
pub fn png_with(marker: &str) -> String {
    use base64::Engine;
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(marker.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Every file in the data directory, as bytes (redaction tests look for what must be gone).
pub fn data_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        all.extend(std::fs::read(entry.unwrap().path()).unwrap_or_default());
    }
    all
}

/// Which of `markers` are in the files that hold the data directory's records: the
/// directory itself on SQLite; on PostgreSQL, its database's files, the cluster's shared
/// catalogs, its WAL and its server log (`VIGIL_TEST_POSTGRES_CLUSTER`, set by
/// `scripts/test`: the cluster's folder, with `data/` and `server.log`).
pub fn markers_on_disk<'m>(dir: &Path, markers: &[&'m str]) -> Vec<&'m str> {
    eprintln!("looking on disk for {markers:?}");
    let mut files: Vec<PathBuf> = Vec::new();
    let mut under = |folder: &Path| {
        for entry in
            std::fs::read_dir(folder).unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        {
            let path = entry.unwrap().path();
            if path.is_file() {
                files.push(path);
            }
        }
    };
    match postgres_database(dir) {
        None => under(dir),
        Some(_) => {
            let cluster = PathBuf::from(std::env::var("VIGIL_TEST_POSTGRES_CLUSTER").expect(
                "on the PostgreSQL pass, VIGIL_TEST_POSTGRES_CLUSTER names the cluster's folder \
                 (data/ and server.log), as scripts/test sets it",
            ));
            let oid = psql(
                dir,
                "SELECT oid FROM pg_database WHERE datname = current_database()",
            )
            .unwrap();
            // The WAL first: a checkpoint (another test's scrub, or PostgreSQL's own)
            // removes a segment only after writing its pages to the data files, so what
            // is read from the WAL before the data files is in one or the other.
            under(&cluster.join("data/pg_wal"));
            under(&cluster.join("data/base").join(oid));
            under(&cluster.join("data/global"));
            files.push(cluster.join("server.log"));
        }
    }
    let finders: Vec<_> = markers
        .iter()
        .map(|m| memchr::memmem::Finder::new(m.as_bytes()))
        .collect();
    let mut found = vec![false; markers.len()];
    for file in files {
        // A file may go between listing and reading (a WAL segment removed).
        let Ok(bytes) = std::fs::read(&file) else {
            continue;
        };
        for ((seen, finder), marker) in found.iter_mut().zip(&finders).zip(markers) {
            if finder.find(&bytes).is_some() {
                // Shown with a failing assertion: where it was left.
                eprintln!("{marker} is in {}", file.display());
                *seen = true;
            }
        }
    }
    markers
        .iter()
        .zip(found)
        .filter(|(_, seen)| *seen)
        .map(|(marker, _)| *marker)
        .collect()
}

/// On PostgreSQL, run `vigil scrub` on the data directory's database now (what a
/// redaction overwrote leaves the files only then) and return what it printed, checking it
/// succeeded and warned of nothing; on SQLite, nothing (a commit does it).
pub fn scrub_now(dir: &Path) -> Option<String> {
    if on_sqlite() {
        return None;
    }
    let scrubbed = vigil_on(dir)
        .args(["scrub", "--data-dir", dir.to_str().unwrap()])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&scrubbed.stdout).into_owned();
    assert!(
        scrubbed.status.success() && scrubbed.stderr.is_empty(),
        "{said}{}",
        String::from_utf8_lossy(&scrubbed.stderr)
    );
    Some(said)
}

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// The browser tests' folder (their node packages and scripts).
pub fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Chromium, with the browser tests' node `packages` installed, or why not.
pub fn browser(packages: &[&str]) -> Result<PathBuf, String> {
    let chromium = std::env::var_os("VIGIL_CHROMIUM")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from("/usr/bin/chromium"));
    if !chromium.exists() {
        return Err(format!(
            "{} is absent: install Debian's chromium package (bash scripts/test does)",
            chromium.display()
        ));
    }
    for package in packages {
        if !browser_dir().join("node_modules").join(package).is_dir() {
            return Err(format!(
                "{package} is not installed: run bash scripts/test, or npm ci --prefix crates/vigil-cli/tests/browser"
            ));
        }
    }
    Ok(chromium)
}

/// Run a browser test script (`tests/browser/<script>`) with its setup in `variable`;
/// panics with what it printed unless it ends with `"ok":true`. Returns its last line.
pub async fn run_browser_script(script: &str, variable: &str, setup: serde_json::Value) -> String {
    let script = browser_dir().join(script);
    let variable = variable.to_string();
    let run = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node")
            .arg(script)
            .env(variable, setup.to_string())
            .output()
            .expect("node runs")
    })
    .await
    .unwrap();
    let printed = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(
        run.status.success() && printed.contains("\"ok\":true"),
        "{printed}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    printed.lines().last().unwrap_or_default().to_string()
}
