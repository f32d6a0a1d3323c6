//! What pages show, read from the API's answers (snake_case, as the client asks for them).
//! Only presentation lives here: labels, dates for people, the order of things.

use serde_json::Value;

use crate::session::SignedIn;

/// The frame of every signed-in page: which world, who, and the token its forms carry.
pub struct Chrome {
    pub title: String,
    pub env: &'static str,
    pub other_env: &'static str,
    pub section: &'static str,
    pub person_name: String,
    pub person_role: String,
    pub csrf: String,
    /// Admins see the settings.
    pub show_settings: bool,
}

impl Chrome {
    pub fn new(signed_in: &SignedIn, section: &'static str, title: impl Into<String>) -> Chrome {
        Chrome {
            title: title.into(),
            env: signed_in.env.as_str(),
            other_env: signed_in.env.other().as_str(),
            section,
            person_name: signed_in.person.name.clone(),
            person_role: signed_in.person.role.clone(),
            csrf: signed_in.csrf.clone(),
            show_settings: signed_in.person.may("user.read"),
        }
    }

    pub fn is_sandbox(&self) -> bool {
        self.env == "sandbox"
    }

    /// The admins' pages, one tab each under Settings: `(section, path, label)`.
    pub fn settings_sections(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        &[
            ("users", "settings/users", "Users"),
            ("keys", "settings/keys", "API keys"),
            ("rules", "settings/rules", "Flagging rules"),
            ("templates", "settings/templates", "Case templates"),
            ("webhooks", "webhooks", "Webhooks"),
            ("audit", "settings/audit-log", "Audit log"),
        ]
    }

    /// Whether this page is one of the settings (its tabs are shown).
    pub fn in_settings(&self) -> bool {
        self.show_settings
            && self
                .settings_sections()
                .iter()
                .any(|(section, _, _)| *section == self.section)
    }
}

/// A string attribute, or "".
pub fn text(value: &Value, name: &str) -> String {
    match &value["attributes"][name] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// An ISO date-time as people read it: `2026-12-02 06:52 UTC`.
pub fn when(iso: &str) -> String {
    if iso.len() >= 16 {
        format!("{} {} UTC", &iso[..10], &iso[11..16])
    } else {
        iso.to_string()
    }
}

/// The ids of a relationship.
pub fn related(resource: &Value, name: &str) -> Vec<String> {
    resource["relationships"][name]["data"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// One row of the inbox.
pub struct CaseRow {
    pub id: String,
    pub name: String,
    pub status: String,
    pub assignee: String,
    pub created: String,
    pub sla: String,
    pub overdue: bool,
    pub tags: String,
}

pub fn case_row(case: &Value, now_iso: &str) -> CaseRow {
    let sla = text(case, "sla_expires_at");
    let open = matches!(text(case, "status").as_str(), "open" | "pending");
    CaseRow {
        id: case["id"].as_str().unwrap_or_default().to_string(),
        name: Some(text(case, "name"))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "Untitled case".into()),
        status: text(case, "status"),
        assignee: text(case, "assignee_id"),
        created: when(&text(case, "created_at")),
        overdue: open && !sla.is_empty() && sla.as_str() < now_iso,
        sla: if sla.is_empty() {
            String::new()
        } else {
            when(&sla)
        },
        tags: tags(case).join(", "),
    }
}

pub fn tags(resource: &Value) -> Vec<String> {
    resource["attributes"]["tags"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A label and a value, for a table of fields.
pub struct Field {
    pub label: String,
    pub value: String,
}

/// An account's fields that are set (Persona's typed `fields`, nested ones flattened:
/// `name.first`), the ones people look for first, then the status and creation time.
pub fn account_fields(account: &Value) -> Vec<Field> {
    const FIRST: &[&str] = &[
        "name",
        "birthdate",
        "email_address",
        "phone_number",
        "address",
    ];
    let mut found = Vec::new();
    if let Some(fields) = account["attributes"]["fields"].as_object() {
        let mut keys: Vec<&String> = fields.keys().collect();
        keys.sort_by_key(|k| {
            FIRST
                .iter()
                .position(|f| k.as_str() == *f || k.starts_with(&format!("{f}_")))
                .unwrap_or(FIRST.len())
        });
        for key in keys {
            flatten(key, &fields[key.as_str()], &mut found);
        }
    }
    for (name, label) in [("account_status", "Status"), ("created_at", "Created")] {
        let value = text(account, name);
        if !value.is_empty() {
            found.push(Field {
                label: label.into(),
                value: if name.ends_with("_at") {
                    when(&value)
                } else {
                    value
                },
            });
        }
    }
    found
}

/// One typed field (`{"type", "value"}`), a hash of them flattened under `path`.
fn flatten(path: &str, field: &Value, into: &mut Vec<Field>) {
    match (&field["type"], &field["value"]) {
        (_, Value::Null) => {}
        (Value::String(kind), Value::Object(parts)) if kind == "hash" => {
            for (key, part) in parts {
                flatten(&format!("{path} {key}"), part, into);
            }
        }
        (_, value) => {
            let shown = match value {
                Value::String(s) => s.clone(),
                Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            if !shown.is_empty() {
                let label = path.replace('_', " ");
                let mut chars = label.chars();
                let label = chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect())
                    .unwrap_or_default();
                into.push(Field {
                    label,
                    value: shown,
                });
            }
        }
    }
}

/// A person's name on an account, or its id.
pub fn account_title(account: &Value) -> String {
    let name = &account["attributes"]["fields"]["name"]["value"];
    let name = ["first", "middle", "last"]
        .iter()
        .filter_map(|part| name[part]["value"].as_str())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        account["id"].as_str().unwrap_or_default().to_string()
    } else {
        name
    }
}

/// A watchlist hit, as a card: the list, the score, what matched and why.
pub struct Hit {
    /// The match's id (`entity-id` when dismissing it alone).
    pub id: String,
    pub list: String,
    pub entity: String,
    pub matched_on: String,
    pub matched_value: String,
    pub score: String,
    pub explanation: Vec<String>,
    pub dismissed: bool,
}

pub fn hit(found: &Value) -> Hit {
    let a = &found["attributes"];
    Hit {
        id: found["id"].as_str().unwrap_or_default().to_string(),
        list: text(found, "list_name"),
        entity: text(found, "entity_name"),
        matched_on: text(found, "matched_on"),
        matched_value: text(found, "matched_value"),
        score: a["score"]
            .as_f64()
            .map(|s| format!("{s:.3}"))
            .unwrap_or_default(),
        explanation: explain(&a["explanation"]),
        dismissed: a["dismissed"].as_bool().unwrap_or(false),
    }
}

/// The screening explanation as lines a person reads: each pair of name parts compared
/// (`"joe" ↔ "joseph": nickname, 0.900`), then what was left unmatched or dropped.
fn explain(explanation: &Value) -> Vec<String> {
    let list = |value: &Value| -> String {
        value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|i| {
                        i.as_str()
                            .map_or_else(|| i.to_string(), |s| format!("“{s}”"))
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    let mut lines = Vec::new();
    for pair in explanation["pairs"].as_array().into_iter().flatten() {
        lines.push(format!(
            "“{}” ↔ “{}”: {}, {}",
            pair["query"].as_str().unwrap_or_default(),
            pair["candidate"].as_str().unwrap_or_default(),
            pair["how"].as_str().unwrap_or("compared").replace('_', " "),
            pair["score"]
                .as_f64()
                .map(|s| format!("{s:.3}"))
                .unwrap_or_default()
        ));
    }
    for (key, label) in [
        ("unmatched_query", "Not found in the listed name"),
        ("unmatched_candidate", "Only in the listed name"),
    ] {
        let parts = list(&explanation[key]);
        if !parts.is_empty() {
            lines.push(format!("{label}: {parts}"));
        }
    }
    let dropped: Vec<String> = explanation["dropped"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            format!(
                "“{}” ({})",
                d["word"].as_str().unwrap_or_default(),
                d["why"].as_str().unwrap_or_default().replace('-', " ")
            )
        })
        .collect();
    if !dropped.is_empty() {
        lines.push(format!("Ignored: {}", dropped.join(", ")));
    }
    for note in explanation["notes"].as_array().into_iter().flatten() {
        lines.push(match note["rule"].as_str().unwrap_or_default() {
            "scripts" => format!(
                "Written in {} and {}: compared on {}",
                note["query"].as_str().unwrap_or_default(),
                note["candidate"].as_str().unwrap_or_default(),
                note["compared_on"].as_str().unwrap_or_default()
            ),
            "family-name-unexplained" => format!(
                "Family name “{}” is not in the other name",
                note["word"].as_str().unwrap_or_default()
            ),
            "numbers-differ" => "The names carry different numbers".to_owned(),
            "common-words-only" => {
                let names = note["names"].as_u64().unwrap_or_default();
                let words: Vec<String> = note["words"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|w| {
                        format!(
                            "“{}” ({} of {names} listed names)",
                            w["word"].as_str().unwrap_or_default(),
                            w["names"].as_u64().unwrap_or_default()
                        )
                    })
                    .collect();
                format!(
                    "Only common words of the list matched: {}; the rest of the name weighs more",
                    words.join(", ")
                )
            }
            other => other.to_owned(),
        });
    }
    if lines.is_empty() {
        if let Some(text) = explanation.as_str() {
            lines.push(text.to_string());
        }
    }
    lines
}

/// A watchlist report on the case, with its hits.
pub struct ReportCard {
    pub id: String,
    pub query: String,
    pub has_match: bool,
    pub hits: Vec<Hit>,
}

/// An inquiry on the case, with its field-by-field comparison against the account.
/// A document's file as the case page shows it: an image in the viewer, a PDF in a frame.
pub struct FileView {
    pub name: String,
    /// The console's own address of the file (fetched through the API as the person).
    pub href: String,
    pub is_image: bool,
    pub is_pdf: bool,
}

/// A document (an ID's photos, a proof of address) with its files.
pub struct DocumentCard {
    pub id: String,
    pub kind: String,
    pub files: Vec<FileView>,
}

/// A document of the API as a card; `env` for the files' addresses.
pub fn document_card(document: &Value, env: &str) -> DocumentCard {
    let id = document["id"].as_str().unwrap_or_default().to_string();
    let attributes = &document["attributes"];
    // A government ID's photos are its front and back; other documents list their files.
    let government_id = document["type"] == "document/government-id";
    let photos: Vec<Value> = if government_id {
        [&attributes["front_photo"], &attributes["back_photo"]]
            .into_iter()
            .filter(|p| p.is_object())
            .cloned()
            .collect()
    } else {
        attributes["files"].as_array().cloned().unwrap_or_default()
    };
    let files = photos
        .iter()
        .filter_map(|file| {
            // `/api/v1/documents/{id}/files/{sha}/{name}` → the console's address.
            let url = file["url"].as_str()?;
            let rest = url.strip_prefix("/api/v1/")?;
            let name = file["filename"].as_str().unwrap_or_default().to_string();
            let lower = name.to_ascii_lowercase();
            Some(FileView {
                href: format!("/{env}/{rest}"),
                is_pdf: lower.ends_with(".pdf"),
                is_image: [".jpg", ".jpeg", ".png", ".webp"]
                    .iter()
                    .any(|ext| lower.ends_with(ext)),
                name,
            })
        })
        .collect();
    let kind = if government_id {
        match attributes["id_class"].as_str() {
            Some("dl") => "government ID: driver's licence".to_string(),
            Some("pp") => "government ID: passport".to_string(),
            Some("id") => "government ID: identity card".to_string(),
            _ => "government ID".to_string(),
        }
    } else {
        text(document, "kind").replace('_', " ")
    };
    DocumentCard { kind, id, files }
}

pub struct InquiryCard {
    pub id: String,
    pub status: String,
    pub rows: Vec<ComparisonRow>,
    pub verifications: Vec<VerificationCard>,
}

/// A verification of an inquiry: what kind, how it ended, and each check.
pub struct VerificationCard {
    pub id: String,
    pub kind: String,
    pub status: String,
    pub checks: Vec<CheckRow>,
}

pub struct CheckRow {
    pub name: String,
    pub status: String,
    /// `passed`, `failed` or `not-applicable`, for its colour.
    pub class: String,
    pub reasons: String,
}

/// A verification as the case page shows it (`verification/database` → "database").
pub fn verification_card(resource: &Value) -> VerificationCard {
    let words = |v: &Value| v.as_str().unwrap_or_default().replace('_', " ");
    VerificationCard {
        id: resource["id"].as_str().unwrap_or_default().to_string(),
        kind: resource["type"]
            .as_str()
            .unwrap_or_default()
            .trim_start_matches("verification/")
            .replace('-', " "),
        status: words(&resource["attributes"]["status"]),
        checks: resource["attributes"]["checks"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|check| CheckRow {
                name: words(&check["name"]),
                status: words(&check["status"]),
                class: check["status"]
                    .as_str()
                    .unwrap_or_default()
                    .replace('_', "-"),
                reasons: check["reasons"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(words)
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
    }
}

pub struct ComparisonRow {
    pub field: String,
    pub submitted: String,
    pub outcome: String,
    pub score: String,
}

/// The comparison's rows, each with what the person submitted in the inquiry.
pub fn comparison(answer: &Value, inquiry: &Value) -> Vec<ComparisonRow> {
    let show = |v: &Value| match v {
        Value::Null => "—".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    answer["data"]["attributes"]["fields"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|row| {
            let field = row["field"].as_str().unwrap_or_default();
            let key = field.replace('-', "_");
            let submitted = &inquiry["attributes"]["fields"][&key]["value"];
            ComparisonRow {
                field: key.replace('_', " "),
                submitted: show(submitted),
                outcome: show(&row["outcome"]).replace('_', " "),
                score: row["score"]
                    .as_f64()
                    .map(|s| format!("{s:.2}"))
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// A line of the case's history: what happened, when, and who did it.
pub struct TimelineEntry {
    pub at: String,
    pub what: String,
    pub who: String,
}

pub fn timeline_entry(event: &Value) -> TimelineEntry {
    let a = &event["attributes"];
    let actor = &a["context"]["actor"];
    let who = match actor["type"].as_str() {
        Some("user") => actor["name"].as_str().unwrap_or("a person").to_string(),
        Some("api-key") => format!("API key {}", actor["name"].as_str().unwrap_or("")),
        Some("system") => actor["name"]
            .as_str()
            .or(actor["process"].as_str())
            .unwrap_or("vigil")
            .replace('-', " "),
        _ => "—".into(),
    };
    let mut what = a["name"]
        .as_str()
        .unwrap_or_default()
        .replace(['.', '-'], " ");
    // The detail a person looks for: which tag, which status, why dismissed.
    for key in ["tag_name", "status", "reason"] {
        if let Some(detail) = a["context"][key].as_str() {
            what.push_str(&format!(": {detail}"));
        }
    }
    TimelineEntry {
        at: when(a["created_at"].as_str().unwrap_or_default()),
        what,
        who,
    }
}

pub struct Comment {
    pub at: String,
    pub message: String,
    pub by: String,
}

pub fn comment(found: &Value) -> Comment {
    Comment {
        at: when(&text(found, "created_at")),
        message: text(found, "message"),
        by: text(found, "commenter_id"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn an_explanation_reads_as_lines_with_its_rules() {
        let lines = super::explain(&json!({
            "pairs": [{"query": "frnandu", "candidate": "fernando", "how": "transliterated", "score": 1.0}],
            "unmatched_query": [],
            "unmatched_candidate": ["garcia"],
            "dropped": [{"word": "llc", "side": "query", "why": "legal-form"}],
            "notes": [
                {"rule": "scripts", "query": "arabic", "candidate": "latin", "compared_on": "consonants"},
                {"rule": "family-name-unexplained", "word": "garcia"},
                {"rule": "numbers-differ"},
                {"rule": "common-words-only", "names": 302, "words": [{"word": "ali", "names": 101}]}
            ]
        }));
        assert_eq!(
            lines,
            [
                "“frnandu” ↔ “fernando”: transliterated, 1.000",
                "Only in the listed name: “garcia”",
                "Ignored: “llc” (legal form)",
                "Written in arabic and latin: compared on consonants",
                "Family name “garcia” is not in the other name",
                "The names carry different numbers",
                "Only common words of the list matched: “ali” (101 of 302 listed names); the rest of the name weighs more",
            ]
        );
    }
}
