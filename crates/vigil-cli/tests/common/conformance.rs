//! Validates every response the suite receives against Persona's official OpenAPI schema
//! for that operation and status (`../shared/persona-openapi/`).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;

pub use super::skip::shared_dir;

struct Spec {
    doc: Value,
    /// (method, template segments) for matching concrete paths.
    paths: Vec<(String, Vec<String>)>,
}

fn load(version: &str) -> Option<Arc<Spec>> {
    static SPECS: OnceLock<Mutex<HashMap<String, Option<Arc<Spec>>>>> = OnceLock::new();
    let specs = SPECS.get_or_init(Default::default);
    let mut specs = specs.lock().unwrap();
    specs
        .entry(version.to_string())
        .or_insert_with(|| {
            let path = shared_dir().join(format!("persona-openapi/{version}.openapi-bundled.yaml"));
            let text = std::fs::read_to_string(&path).ok()?;
            let doc: Value = serde_yaml::from_str(&text).expect("the official spec parses");
            let paths = doc["paths"]
                .as_object()
                .unwrap()
                .keys()
                .map(|p| {
                    (
                        p.clone(),
                        p.trim_start_matches('/')
                            .split('/')
                            .map(String::from)
                            .collect(),
                    )
                })
                .collect();
            Some(Arc::new(Spec { doc, paths }))
        })
        .clone()
}

/// Whether the spec is present; tests print a clear notice and skip validation when not.
pub fn available() -> bool {
    let present = load("2025-12-08").is_some();
    if !present {
        static WARNED: OnceLock<()> = OnceLock::new();
        WARNED.get_or_init(|| {
            super::skip::skipped(
                "responses are not validated against Persona's OpenAPI schema",
                &format!(
                    "{} is absent; set VIGIL_SHARED_DIR",
                    shared_dir().join("persona-openapi").display()
                ),
            )
        });
    }
    present
}

fn template_for<'s>(spec: &'s Spec, path: &str) -> Option<&'s str> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    // Prefer literal matches (`/accounts/search` over `/accounts/{account-id}`).
    let mut best: Option<(&str, usize)> = None;
    for (template, parts) in &spec.paths {
        if parts.len() != segments.len() {
            continue;
        }
        let mut literal = 0;
        let ok = parts.iter().zip(&segments).all(|(t, s)| {
            if t.starts_with('{') {
                true
            } else {
                literal += 1;
                t == s
            }
        });
        if ok && best.is_none_or(|(_, l)| literal > l) {
            best = Some((template, literal));
        }
    }
    best.map(|(t, _)| t)
}

type Compiled = Arc<jsonschema::Validator>;

fn validator(
    version: &str,
    spec: &Spec,
    template: &str,
    method: &str,
    status: u16,
) -> Result<Option<Compiled>, String> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Compiled>>>> = OnceLock::new();
    let key = format!("{version} {method} {template} {status}");
    if let Some(hit) = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap()
        .get(&key)
    {
        return Ok(hit.clone());
    }
    let operation = &spec.doc["paths"][template][method];
    if operation.is_null() {
        return Err(format!(
            "{method} {template} is not an operation of Persona's API"
        ));
    }
    let mut response = &operation["responses"][status.to_string()];
    if response.is_null() {
        return Err(format!(
            "{method} {template} does not document status {status}"
        ));
    }
    if let Some(reference) = response.get("$ref").and_then(Value::as_str) {
        response = &spec.doc["components"]["responses"][reference.rsplit('/').next().unwrap()];
    }
    let compiled = match response.pointer("/content/application~1json/schema") {
        None => None,
        Some(schema) => {
            let mut root = serde_json::json!({ "$schema": "https://json-schema.org/draft/2020-12/schema", "allOf": [schema] });
            root["components"] = spec.doc["components"].clone();
            Some(Arc::new(
                jsonschema::options()
                    .should_validate_formats(true)
                    .build(&root)
                    .map_err(|e| format!("schema for {key} does not compile: {e}"))?,
            ))
        }
    };
    CACHE
        .get()
        .unwrap()
        .lock()
        .unwrap()
        .insert(key, compiled.clone());
    Ok(compiled)
}

/// Convert camel/snake response keys back to kebab (except inside `fields`) so they can be
/// checked against the kebab-case schema.
pub fn to_kebab_keys(value: Value) -> Value {
    fn kebab(key: &str) -> String {
        let mut out = String::new();
        let mut prev: Option<char> = None;
        for c in key.chars() {
            match c {
                '_' => out.push('-'),
                c if c.is_ascii_uppercase() => {
                    if prev.is_some() {
                        out.push('-');
                    }
                    out.push(c.to_ascii_lowercase());
                }
                c if c.is_ascii_digit() && prev.is_some_and(|p| p.is_ascii_alphabetic()) => {
                    out.push('-');
                    out.push(c);
                }
                c => out.push(c),
            }
            prev = Some(c);
        }
        out
    }
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    if k == "fields" {
                        (k, v)
                    } else {
                        (kebab(&k), to_kebab_keys(v))
                    }
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(to_kebab_keys).collect()),
        other => other,
    }
}

/// Statuses vigil returns beyond Persona's documented ones, with Persona's error shape.
const EXTRA_STATUSES: &[u16] = &[405, 413, 415];

/// How a response to an operation vigil adds beyond Persona is checked.
enum Beyond {
    /// Exactly as this Persona operation's responses (same statuses and schemas).
    SameAs(&'static str, &'static str),
    /// Success: the body is this Persona operation's 200 document. Errors: Persona's
    /// shared error response for the status.
    Resource(&'static str, &'static str),
    /// Success: each of `data` is a 200 document of this Persona operation (`included`,
    /// which carries beyond-Persona objects, is not checked). Errors: as above.
    List(&'static str, &'static str),
    /// Only vigil has it (documented in the README): success bodies are checked by the
    /// tests' own assertions; errors are Persona's shared error responses.
    Own,
}

/// Operations vigil adds beyond Persona (documented in the README).
fn beyond_persona(method: &str, path: &str) -> Option<Beyond> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        // Same statuses and response schema as the other account actions.
        ("post", ["accounts", _, "archive" | "restore"]) => {
            Some(Beyond::SameAs("/accounts/{account-id}/add-tag", "post"))
        }
        ("post", ["account-types"]) | ("patch", ["account-types", _]) => {
            Some(Beyond::Resource("/account-types/{account-type-id}", "get"))
        }
        ("get", ["account-types"]) => Some(Beyond::List("/account-types/{account-type-id}", "get")),
        ("get", ["reports", _, "matches"] | ["importers", _, "errors"]) => Some(Beyond::Own),
        ("post", ["inquiry-templates"]) | ("patch", ["inquiry-templates", _]) => Some(
            Beyond::Resource("/inquiry-templates/{inquiry-template-id}", "get"),
        ),
        // Same statuses and response schema as the other inquiry status actions.
        ("post", ["inquiries", _, "complete"]) => {
            Some(Beyond::SameAs("/inquiries/{inquiry-id}/approve", "post"))
        }
        ("get", ["inquiries", _, "comparison"]) | ("post", ["test-clock", "advance"]) => {
            Some(Beyond::Own)
        }
        ("post", ["case-templates"]) => Some(Beyond::Resource(
            "/case-templates/{case-template-id}",
            "get",
        )),
        ("get", ["case-templates"]) => {
            Some(Beyond::List("/case-templates/{case-template-id}", "get"))
        }
        ("get" | "post" | "patch", ["flagging-rules", ..]) => Some(Beyond::Own),
        // The verification flow's own routes (docs/flow.md): the inquiry as Persona
        // renders it.
        ("patch", ["inquiry-flow", "current"])
        | ("post", ["inquiry-flow", "current", "submit"]) => {
            Some(Beyond::Resource("/inquiries/{inquiry-id}", "get"))
        }
        // A photo step answers the verification it made.
        ("post", ["inquiry-flow", "current", "government-id"]) => Some(Beyond::Resource(
            "/verification/government-ids/{verification-id}",
            "get",
        )),
        ("post", ["inquiry-flow", "current", "selfie"]) => Some(Beyond::Resource(
            "/verification/selfies/{verification-id}",
            "get",
        )),
        ("get" | "patch", ["inquiry-templates", _, "verification-steps"]) => Some(Beyond::Own),
        // Its `included` holds the template's translations, which an inquiry's never does;
        // the tests compare its `data` with the inquiry read with a key.
        ("get", ["inquiry-flow", "current"]) => Some(Beyond::Own),
        // A start or redeem answers the inquiry with its session token in `meta`; the test
        // reads the inquiry back with a key, checked as Persona's.
        ("post", ["inquiry-flows", ..]) => Some(Beyond::Own),
        ("get", ["inquiry-flows", "theme-sets", _]) => {
            Some(Beyond::Resource("/theme-sets/{theme-set-id}", "get"))
        }
        ("get", ["webhooks", _, "deliveries"]) | ("post", ["webhooks", _, "redeliver"]) => {
            Some(Beyond::Own)
        }
        ("post", ["document", "generics"]) | ("delete", ["document", "generics", _]) => {
            Some(Beyond::Resource("/document/generics/{document-id}", "get"))
        }
        ("get", ["documents", _, "files", ..]) | ("get", ["tool-calls"]) => Some(Beyond::Own),
        ("get", ["case-counts"] | ["cases", _, "proposal"] | ["account-actions"])
        | ("get", ["accounts", _, "relation-keys"])
        | ("get", ["lists", _, "items"]) => Some(Beyond::Own),
        ("get" | "patch", ["case-templates", _, "second-review"]) => Some(Beyond::Own),
        ("get" | "post", ["case-queues", ..]) | ("get" | "post", ["cases", _, "comments"]) => {
            Some(Beyond::Own)
        }
        // Console users and their sessions (Persona keeps its dashboard's users out of
        // its public API); its user audit log is Persona's and checked as such.
        (
            _,
            ["users", ..]
            | ["user-sessions", ..]
            | ["user-invitations", ..]
            | ["user-security-settings"],
        ) => Some(Beyond::Own),
        _ => None,
    }
}

/// Check a successful response that is not JSON (a PDF): Persona's operation must answer
/// that status with that content type.
pub fn check_content_type(method: &str, path: &str, status: u16, content_type: &str) {
    if !available() || beyond_persona(&method.to_ascii_lowercase(), path).is_some() {
        return;
    }
    let spec = load("2025-12-08").expect("spec loaded");
    let template = template_for(&spec, path).unwrap_or_else(|| panic!("{path} is not in the spec"));
    let response =
        &spec.doc["paths"][template][method.to_ascii_lowercase()]["responses"][status.to_string()];
    assert!(
        response["content"].get(content_type).is_some(),
        "{method} {template} answers {status} with {}, not {content_type}",
        response["content"]
    );
}

/// Check one response; panics with a readable report when it does not validate.
pub fn check(method: &str, path: &str, version: &str, status: u16, body: &Value) {
    if !available() {
        return;
    }
    let spec_version = if version <= "2023-01-05" {
        "2023-01-05"
    } else {
        "2025-12-08"
    };
    let spec = load(spec_version).expect("spec loaded");
    let method = method.to_ascii_lowercase();
    let (template, method) = match beyond_persona(&method, path) {
        Some(Beyond::SameAs(template, as_method)) => (template.to_string(), as_method.to_string()),
        Some(Beyond::Resource(..) | Beyond::List(..) | Beyond::Own) if status >= 400 => {
            return check_shared_error(&spec, status, body);
        }
        Some(Beyond::Resource(template, as_method)) => {
            return validate(
                spec_version,
                &spec,
                template,
                as_method,
                200,
                path,
                version,
                status,
                body,
            );
        }
        Some(Beyond::Own) if status == 204 => {
            assert!(body.is_null(), "a 204 has no body: {body}");
            return;
        }
        Some(Beyond::Own) => {
            // `data: null` is JSON:API's empty to-one (no proposal waiting).
            assert!(
                body["data"].is_array()
                    || body["data"].is_object()
                    || body.get("data").is_some_and(Value::is_null),
                "a vigil document has data: {body}"
            );
            return;
        }
        Some(Beyond::List(template, as_method)) => {
            for item in body["data"].as_array().expect("a list has data") {
                let single = serde_json::json!({ "data": item });
                validate(
                    spec_version,
                    &spec,
                    template,
                    as_method,
                    200,
                    path,
                    version,
                    status,
                    &single,
                );
            }
            return;
        }
        None => match template_for(&spec, path) {
            Some(template) if !spec.doc["paths"][template][method.as_str()].is_null() => {
                (template.to_string(), method)
            }
            // Paths or methods Persona does not have: vigil answers 404/405 in the shape of
            // Persona's shared error responses.
            _ => return check_generic_error(&spec, status, body),
        },
    };
    let template_status = if EXTRA_STATUSES.contains(&status) {
        400
    } else {
        status
    };
    validate(
        spec_version,
        &spec,
        &template,
        &method,
        template_status,
        path,
        version,
        status,
        body,
    );
}

/// Validate `body` against the schema of `template`/`method`/`template_status`.
#[allow(clippy::too_many_arguments)]
fn validate(
    spec_version: &str,
    spec: &Spec,
    template: &str,
    method: &str,
    template_status: u16,
    path: &str,
    version: &str,
    status: u16,
    body: &Value,
) {
    match validator(spec_version, spec, template, method, template_status) {
        Ok(Some(validator)) => {
            let instance = to_kebab_keys(body.clone());
            let errors: Vec<String> = validator
                .iter_errors(&instance)
                .take(5)
                .map(|e| format!("  at {}: {}", e.instance_path, e))
                .collect();
            if !errors.is_empty() {
                panic!(
                    "response to {} {path} ({status}, Persona-Version {version}) does not match Persona's schema:\n{}\nbody: {}",
                    method.to_uppercase(),
                    errors.join("\n"),
                    serde_json::to_string(body).unwrap().chars().take(2000).collect::<String>()
                );
            }
        }
        Ok(None) => {}
        // Persona's spec forgets the 404 of a few retrieves (`GET /api-keys/{id}`); a
        // missing object is answered with Persona's shared not-found error all the same.
        Err(problem) if status == 404 && problem.ends_with("does not document status 404") => {
            check_shared_error(spec, status, body)
        }
        Err(problem) => panic!("{problem}"),
    }
}

/// An error from an operation beyond Persona: Persona's shared response for its status.
fn check_shared_error(spec: &Spec, status: u16, body: &Value) {
    let name = match status {
        400 | 405 | 413 | 415 => "bad-request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not-found",
        409 => "conflict",
        422 => "unprocessable-entity",
        429 => "too-many-requests",
        other => panic!("unexpected status {other}: {body}"),
    };
    let schema = spec.doc["components"]["responses"][name]
        .pointer("/content/application~1json/schema")
        .expect("shared error schema");
    let validator = jsonschema::validator_for(schema).expect("compiles");
    assert!(
        validator.is_valid(body),
        "{status} body does not match Persona's {name} shape: {body}"
    );
}

fn check_generic_error(spec: &Spec, status: u16, body: &Value) {
    assert!(
        matches!(status, 400 | 404 | 405 | 413 | 415),
        "unexpected status {status} for a path Persona does not have: {body}"
    );
    check_shared_error(spec, status, body);
}

/// The names Persona's spec gives one operation's request: query parameters (a deepObject
/// `filter`'s members as `filter[member]`), and the members of the body's
/// `data.attributes`, `meta`, `data` and top level.
#[derive(Debug, Default)]
pub struct RequestNames {
    pub query: BTreeSet<String>,
    pub attributes: BTreeSet<String>,
    pub meta: BTreeSet<String>,
    pub data: BTreeSet<String>,
    pub body: BTreeSet<String>,
}

/// `value` with its `$ref` (to `#/components/...`) followed.
fn resolved<'d>(doc: &'d Value, value: &'d Value) -> &'d Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            resolved(doc, doc.pointer(pointer).unwrap_or(&Value::Null))
        }
        None => value,
    }
}

/// Every schema `schema` is made of: itself and its allOf/anyOf/oneOf branches, resolved.
fn branches<'d>(doc: &'d Value, schema: &'d Value, out: &mut Vec<&'d Value>) {
    let schema = resolved(doc, schema);
    out.push(schema);
    for key in ["allOf", "anyOf", "oneOf"] {
        for branch in schema[key].as_array().into_iter().flatten() {
            branches(doc, branch, out);
        }
    }
}

/// The property names `schema` declares, through its branches.
fn property_names(doc: &Value, schema: &Value) -> BTreeSet<String> {
    let mut all = Vec::new();
    branches(doc, schema, &mut all);
    all.iter()
        .filter_map(|s| s["properties"].as_object())
        .flat_map(|p| p.keys().cloned())
        .collect()
}

/// The schemas of property `name` of `schema`, through its branches.
fn property<'d>(doc: &'d Value, schema: &'d Value, name: &str) -> Vec<&'d Value> {
    let mut all = Vec::new();
    branches(doc, schema, &mut all);
    all.into_iter()
        .filter_map(|s| s["properties"].get(name))
        .collect()
}

/// What Persona's spec (2025-12-08) names in the request of `method` `path` (a concrete
/// path); None without the spec; Err when Persona has no such operation.
pub fn request_names(method: &str, path: &str) -> Option<Result<RequestNames, String>> {
    let spec = load("2025-12-08")?;
    let doc = &spec.doc;
    let method = method.to_ascii_lowercase();
    let Some(template) = template_for(&spec, path) else {
        return Some(Err(format!("no path of Persona's matches {path}")));
    };
    let operation = &doc["paths"][template][&method];
    if operation.is_null() {
        return Some(Err(format!("{method} {template} is not Persona's")));
    }
    let mut names = RequestNames::default();
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        let parameter = resolved(doc, parameter);
        if parameter["in"] != "query" {
            continue;
        }
        let name = parameter["name"].as_str().unwrap_or_default();
        names.query.insert(name.to_string());
        for member in property_names(doc, &parameter["schema"]) {
            names.query.insert(format!("{name}[{member}]"));
        }
    }
    let body = resolved(doc, &operation["requestBody"]);
    let mut schemas: Vec<&Value> = Vec::new();
    if let Some(content) = body["content"].as_object() {
        schemas.extend(content.values().map(|c| &c["schema"]));
    }
    for schema in schemas {
        names.body.extend(property_names(doc, schema));
        for data in property(doc, schema, "data") {
            names.data.extend(property_names(doc, data));
            for attributes in property(doc, data, "attributes") {
                names.attributes.extend(property_names(doc, attributes));
            }
        }
        for meta in property(doc, schema, "meta") {
            names.meta.extend(property_names(doc, meta));
        }
    }
    Some(Ok(names))
}
