//! The government ID step: what vigil read from the photos of a document (found by
//! `vigil-documents`, offline) becomes checks, named as Persona names them.
//!
//! A check says what its failure means ([`effect`]): the person retakes the photo, a
//! person reviews the inquiry, or the inquiry fails.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use vigil_screening::name::{prepare, score_only, DEFAULT_THRESHOLD};
use vigil_screening::values::id_number;

use super::{Check, CheckStatus};
use crate::inquiry::reverify::{Comparison, Outcome, NAME_PARTIAL};

/// The smallest photo of a document vigil reads: its shorter and longer side, in pixels.
pub const MIN_SIDES: (u32, u32) = (400, 600);
/// Below this sharpness (variance of the Laplacian at a fixed width) a photo is blurred.
pub const MIN_SHARPNESS: f64 = 50.0;
/// The same for a selfie: a face has fewer edges than a printed document.
pub const MIN_SELFIE_SHARPNESS: f64 = 8.0;
/// Above this share of pixels equal to their neighbour, the image was drawn by a screen,
/// not seen by a camera (a camera's sensor always adds noise).
pub const MAX_FLAT_SHARE: f64 = 0.55;

/// The document classes vigil reads, with Persona's `id-class` names.
pub const ID_CLASSES: [(&str, &str); 3] = [
    ("dl", "driver's licence"),
    ("pp", "passport"),
    ("id", "identity card"),
];

/// What a photo looked like.
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoFindings {
    /// `front`, `back`, `center` (a selfie).
    pub side: &'static str,
    /// `None` when the bytes are not a JPEG or PNG image.
    pub size: Option<(u32, u32)>,
    pub sharpness: f64,
    pub flat_share: f64,
    /// Faces found in it (the portrait of a document, the person of a selfie).
    pub faces: usize,
}

impl PhotoFindings {
    pub fn undecodable(side: &'static str) -> PhotoFindings {
        PhotoFindings {
            side,
            size: None,
            sharpness: 0.0,
            flat_share: 0.0,
            faces: 0,
        }
    }

    pub fn large_enough(&self) -> bool {
        self.size
            .is_some_and(|(w, h)| w.min(h) >= MIN_SIDES.0 && w.max(h) >= MIN_SIDES.1)
    }
}

/// The identity a document carries, as read from its barcode or MRZ.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentIdentity {
    pub name_first: Option<String>,
    pub name_middle: Option<String>,
    pub name_last: Option<String>,
    /// `YYYY-MM-DD`.
    pub birthdate: Option<String>,
    pub expiration_date: Option<String>,
    pub issue_date: Option<String>,
    pub document_number: Option<String>,
    /// ISO 3166-1 alpha-2 of the issuer.
    pub country_code: Option<String>,
    pub issuing_subdivision: Option<String>,
    pub sex: Option<String>,
    pub address_street_1: Option<String>,
    pub address_city: Option<String>,
    pub address_subdivision: Option<String>,
    pub address_postal_code: Option<String>,
}

impl DocumentIdentity {
    /// As Persona's `verification/government-id` attributes name them.
    pub fn attributes(&self) -> Map<String, Value> {
        let pairs = [
            ("name-first", &self.name_first),
            ("name-middle", &self.name_middle),
            ("name-last", &self.name_last),
            ("birthdate", &self.birthdate),
            ("expiration-date", &self.expiration_date),
            ("issue-date", &self.issue_date),
            ("identification-number", &self.document_number),
            ("document-number", &self.document_number),
            ("issuing-subdivision", &self.issuing_subdivision),
            ("sex", &self.sex),
            ("address-street-1", &self.address_street_1),
            ("address-city", &self.address_city),
            ("address-subdivision", &self.address_subdivision),
            ("address-postal-code", &self.address_postal_code),
        ];
        pairs
            .into_iter()
            .filter_map(|(k, v)| {
                v.as_ref()
                    .map(|v| (k.to_string(), Value::String(v.clone())))
            })
            .collect()
    }

    /// As an inquiry's fields would carry it: for comparing it with an account the way
    /// reverification compares typed fields.
    pub fn as_fields(&self) -> Map<String, Value> {
        let pairs = [
            ("name-first", &self.name_first),
            ("name-last", &self.name_last),
            ("birthdate", &self.birthdate),
            ("identification-number", &self.document_number),
        ];
        pairs
            .into_iter()
            .filter_map(|(k, v)| {
                let v = v.as_ref()?;
                Some((
                    k.to_string(),
                    serde_json::json!({"type": "string", "value": v}),
                ))
            })
            .collect()
    }

    pub fn full_name(&self) -> Option<String> {
        let parts: Vec<&str> = [&self.name_first, &self.name_middle, &self.name_last]
            .into_iter()
            .filter_map(|p| p.as_deref())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// What a machine-readable part of the document (a PDF417 barcode, an MRZ) gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Zone {
    /// Looked for and not found.
    NotFound,
    /// Not looked for: the reader is not installed (`reason`).
    Unavailable(&'static str),
    /// Found; `failed` names the fields whose check digits disagree (an MRZ), empty when
    /// every check held.
    Read {
        identity: Box<DocumentIdentity>,
        failed: Vec<String>,
    },
}

/// Everything read from a document's photos.
#[derive(Debug, Clone, PartialEq)]
pub struct IdReading {
    pub id_class: String,
    /// The country the person chose, ISO alpha-2.
    pub country_code: String,
    pub photos: Vec<PhotoFindings>,
    /// The PDF417 barcode (driver's licences).
    pub barcode: Zone,
    /// The MRZ (passports, identity cards).
    pub mrz: Zone,
}

impl IdReading {
    /// The identity the document carries: its barcode's, else its MRZ's.
    pub fn identity(&self) -> Option<&DocumentIdentity> {
        [&self.barcode, &self.mrz]
            .into_iter()
            .find_map(|z| match z {
                Zone::Read { identity, .. } => Some(&**identity),
                _ => None,
            })
    }
}

/// What the template asks of the step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct IdRules {
    /// ISO alpha-2 codes; empty allows every country.
    #[serde(default)]
    pub countries: Vec<String>,
    /// Persona's id classes (`dl`, `pp`, `id`); empty allows all three.
    #[serde(default)]
    pub id_classes: Vec<String>,
    #[serde(default)]
    pub minimum_age: Option<u32>,
}

impl IdRules {
    pub fn allows_country(&self, code: &str) -> bool {
        self.countries.is_empty() || self.countries.iter().any(|c| c.eq_ignore_ascii_case(code))
    }

    pub fn allows_class(&self, class: &str) -> bool {
        self.id_classes.is_empty() || self.id_classes.iter().any(|c| c == class)
    }
}

/// What else the checks need, found by the caller in the store and the screening index.
#[derive(Debug, Clone, Default)]
pub struct IdContext {
    /// `YYYY-MM-DD`, today.
    pub today: String,
    /// The inquiry's typed fields.
    pub typed: Map<String, Value>,
    /// The document's identity against the account (`None`: no account).
    pub account: Option<Comparison>,
    /// Other inquiries that handed in a photo with the same bytes.
    pub repeated_in: Vec<String>,
    /// Screening of the document's identity: (list or source name, list type, what
    /// matched: `name`, `government-id-number`, ...).
    pub matches: Vec<(String, String, String)>,
}

/// What a failed check means for the person and the inquiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// The photo could not be used: the person takes it again.
    Retry,
    /// A person decides (the inquiry goes to review, a case opens by rule).
    Review,
    /// The inquiry fails.
    Fail,
}

/// The effect of a failure of the check named `name`.
pub fn effect(name: &str) -> Effect {
    match name {
        "id_unprocessable_submission_detection"
        | "id_blur_detection"
        | "id_electronic_replica_detection"
        | "id_barcode_detection"
        | "id_mrz_detection"
        | "selfie_image_quality_detection"
        | "selfie_blur_detection"
        | "selfie_electronic_replica_detection"
        | "selfie_face_detection"
        | "selfie_multiple_faces_detection" => Effect::Retry,
        "id_expired_detection"
        | "id_mrz_inconsistency_detection"
        | "id_disallowed_country_detection"
        | "id_disallowed_type_detection"
        | "id_age_comparison" => Effect::Fail,
        _ => Effect::Review,
    }
}

fn check(name: &str, failed: Option<&str>) -> Check {
    match failed {
        Some(reason) => Check::new(name, CheckStatus::Failed, &[reason], true),
        None => Check::new(name, CheckStatus::Passed, &[], true),
    }
}

fn not_applicable(name: &str, reason: &str) -> Check {
    Check::new(name, CheckStatus::NotApplicable, &[reason], true)
}

/// The photo checks every step shares: decodable and large enough, sharp, a camera's.
pub fn photo_checks(prefix: &str, photos: &[PhotoFindings]) -> Vec<Check> {
    let quality = if prefix == "id" {
        "id_unprocessable_submission_detection"
    } else {
        "selfie_image_quality_detection"
    };
    let unusable = photos.iter().find(|p| !p.large_enough());
    let mut out = vec![check(
        quality,
        unusable.map(|p| {
            if p.size.is_none() {
                "not_an_image"
            } else {
                "too_small"
            }
        }),
    )];
    let least = if prefix == "id" {
        MIN_SHARPNESS
    } else {
        MIN_SELFIE_SHARPNESS
    };
    let mut blur = check(
        &format!("{prefix}_blur_detection"),
        photos
            .iter()
            .any(|p| p.size.is_some() && p.sharpness < least)
            .then_some("blurry"),
    );
    let mut replica = check(
        &format!("{prefix}_electronic_replica_detection"),
        photos
            .iter()
            .any(|p| p.size.is_some() && p.flat_share > MAX_FLAT_SHARE)
            .then_some("screen_image"),
    );
    for p in photos {
        let round = |x: f64| (x * 1000.0).round() / 1000.0;
        blur.metadata
            .insert(format!("{}-sharpness", p.side), round(p.sharpness).into());
        replica
            .metadata
            .insert(format!("{}-flat-share", p.side), round(p.flat_share).into());
    }
    out.push(blur);
    out.push(replica);
    out
}

fn typed(fields: &Map<String, Value>, key: &str) -> Option<String> {
    fields
        .get(key)?
        .get("value")?
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Whole years between `birthdate` and `today` (both `YYYY-MM-DD`).
pub fn age_on(birthdate: &str, today: &str) -> Option<u32> {
    let parse = |d: &str| -> Option<(i32, u32, u32)> {
        let mut it = d.split('-');
        let y = it.next()?.parse().ok()?;
        let m = it.next()?.parse().ok()?;
        let d = it.next()?.parse().ok()?;
        Some((y, m, d))
    };
    let (by, bm, bd) = parse(birthdate)?;
    let (ty, tm, td) = parse(today)?;
    let mut age = ty - by;
    if (tm, td) < (bm, bd) {
        age -= 1;
    }
    u32::try_from(age).ok()
}

/// The document's identity against what the person typed: name by the screening scorer,
/// birthdate and number exactly. A field typed and read that disagrees fails the check.
fn inquiry_comparison(identity: &DocumentIdentity, fields: &Map<String, Value>) -> Check {
    const NAME: &str = "id_inquiry_comparison";
    let mut compared = 0;
    let mut reasons = Vec::new();
    let mut metadata = Map::new();
    let typed_name = match (typed(fields, "name-first"), typed(fields, "name-last")) {
        (None, None) => None,
        (f, l) => Some(format!(
            "{} {}",
            f.unwrap_or_default(),
            l.unwrap_or_default()
        )),
    };
    let read_name = match (&identity.name_first, &identity.name_last) {
        (None, None) => None,
        (f, l) => Some(format!(
            "{} {}",
            f.clone().unwrap_or_default(),
            l.clone().unwrap_or_default()
        )),
    };
    if let (Some(t), Some(r)) = (typed_name, read_name) {
        compared += 1;
        let score = score_only(&prepare(t.trim()), &prepare(r.trim()));
        metadata.insert(
            "name-score".into(),
            ((score * 1000.0).round() / 1000.0).into(),
        );
        if score < DEFAULT_THRESHOLD {
            reasons.push(if score >= NAME_PARTIAL {
                "name_partial_match"
            } else {
                "name_mismatch"
            });
        }
    }
    if let (Some(t), Some(r)) = (typed(fields, "birthdate"), &identity.birthdate) {
        compared += 1;
        if &t != r {
            reasons.push("birthdate_mismatch");
        }
    }
    if let (Some(t), Some(r)) = (
        typed(fields, "identification-number").and_then(|n| id_number::number(&n).ok()),
        identity
            .document_number
            .as_deref()
            .and_then(|n| id_number::number(n).ok()),
    ) {
        compared += 1;
        if t != r {
            reasons.push("identification_number_mismatch");
        }
    }
    let mut out = if compared == 0 {
        not_applicable(NAME, "no_value")
    } else if reasons.is_empty() {
        check(NAME, None)
    } else {
        Check::new(NAME, CheckStatus::Failed, &reasons, true)
    };
    out.metadata = metadata;
    out
}

fn account_comparison(comparison: Option<&Comparison>) -> Check {
    const NAME: &str = "id_account_comparison";
    let Some(comparison) = comparison else {
        return not_applicable(NAME, "no_account");
    };
    if comparison.populated_account {
        return not_applicable(NAME, "account_had_no_identity");
    }
    let mut reasons = Vec::new();
    let mut compared = false;
    for f in &comparison.fields {
        match f.outcome {
            Outcome::NotCompared => {}
            Outcome::Match => compared = true,
            Outcome::Partial => {
                compared = true;
                reasons.push(format!("{}_partial_match", f.field.replace('-', "_")));
            }
            Outcome::Mismatch => {
                compared = true;
                reasons.push(format!("{}_mismatch", f.field.replace('-', "_")));
            }
        }
    }
    if !compared {
        return not_applicable(NAME, "no_value");
    }
    let reasons: Vec<&str> = reasons.iter().map(String::as_str).collect();
    if reasons.is_empty() {
        check(NAME, None)
    } else {
        Check::new(NAME, CheckStatus::Failed, &reasons, true)
    }
}

/// The checks of a government ID, in the order a reviewer reads them.
pub fn government_id_checks(
    reading: &IdReading,
    rules: &IdRules,
    context: &IdContext,
) -> Vec<Check> {
    let mut out = photo_checks("id", &reading.photos);
    let mut repeat = check(
        "id_repeat_detection",
        (!context.repeated_in.is_empty()).then_some("same_image_in_another_inquiry"),
    );
    if !context.repeated_in.is_empty() {
        repeat
            .metadata
            .insert("inquiry-ids".into(), context.repeated_in.clone().into());
    }
    out.push(repeat);
    out.push(check(
        "id_disallowed_country_detection",
        (!rules.allows_country(&reading.country_code)).then_some("country_not_allowed"),
    ));
    out.push(check(
        "id_disallowed_type_detection",
        (!rules.allows_class(&reading.id_class)).then_some("type_not_allowed"),
    ));
    // The machine-readable part each class carries.
    if reading.id_class == "dl" {
        out.push(match &reading.barcode {
            Zone::NotFound => check("id_barcode_detection", Some("barcode_not_found")),
            Zone::Unavailable(why) => not_applicable("id_barcode_detection", why),
            Zone::Read { .. } => check("id_barcode_detection", None),
        });
    } else {
        out.push(match &reading.mrz {
            Zone::NotFound => check("id_mrz_detection", Some("mrz_not_found")),
            Zone::Unavailable(why) => not_applicable("id_mrz_detection", why),
            Zone::Read { .. } => check("id_mrz_detection", None),
        });
        out.push(match &reading.mrz {
            Zone::Read { failed, .. } if !failed.is_empty() => {
                let mut c = check(
                    "id_mrz_inconsistency_detection",
                    Some("check_digit_mismatch"),
                );
                c.metadata.insert("fields".into(), failed.clone().into());
                c
            }
            Zone::Read { .. } => check("id_mrz_inconsistency_detection", None),
            _ => not_applicable("id_mrz_inconsistency_detection", "mrz_not_read"),
        });
    }
    let identity = reading.identity();
    out.push(match identity.and_then(|i| i.expiration_date.as_deref()) {
        None => not_applicable("id_expired_detection", "no_expiration_date"),
        Some(expiry) => check(
            "id_expired_detection",
            (expiry < context.today.as_str()).then_some("expired"),
        ),
    });
    out.push(
        match (
            rules.minimum_age,
            identity.and_then(|i| i.birthdate.as_deref()),
        ) {
            (None, _) => not_applicable("id_age_comparison", "no_minimum_age"),
            (Some(_), None) => not_applicable("id_age_comparison", "no_birthdate"),
            (Some(min), Some(birthdate)) => check(
                "id_age_comparison",
                age_on(birthdate, &context.today)
                    .is_none_or(|age| age < min)
                    .then_some("below_minimum_age"),
            ),
        },
    );
    match identity {
        Some(identity) => {
            out.push(check("id_extracted_properties_detection", None));
            out.push(inquiry_comparison(identity, &context.typed));
            out.push(account_comparison(context.account.as_ref()));
            let listed: Vec<&(String, String, String)> = context
                .matches
                .iter()
                .filter(|(_, _, on)| on == "government-id-number")
                .collect();
            let mut compromised = check(
                "id_compromised_detection",
                (!listed.is_empty()).then_some("number_listed"),
            );
            if !listed.is_empty() {
                compromised.metadata.insert(
                    "lists".into(),
                    listed
                        .iter()
                        .map(|(n, _, _)| n.clone())
                        .collect::<Vec<_>>()
                        .into(),
                );
            }
            out.push(compromised);
            let named: Vec<&(String, String, String)> = context
                .matches
                .iter()
                .filter(|(_, _, on)| on != "government-id-number")
                .collect();
            let mut watchlist = check(
                "id_watchlist_detection",
                (!named.is_empty()).then_some("possible_match"),
            );
            if !named.is_empty() {
                watchlist.metadata.insert(
                    "lists".into(),
                    named
                        .iter()
                        .map(|(n, t, _)| serde_json::json!({"name": n, "type": t}))
                        .collect::<Vec<_>>()
                        .into(),
                );
            }
            out.push(watchlist);
        }
        None => {
            // Nothing read (a zone not found asks for another photo above; a reader not
            // installed leaves it to a person): never a silent pass.
            out.push(check(
                "id_extracted_properties_detection",
                Some("nothing_read"),
            ));
            for name in [
                "id_inquiry_comparison",
                "id_account_comparison",
                "id_compromised_detection",
                "id_watchlist_detection",
            ] {
                out.push(not_applicable(name, "nothing_read"));
            }
        }
    }
    let front = reading.photos.iter().find(|p| p.side == "front");
    out.push(match front {
        Some(p) if p.size.is_none() => not_applicable("id_portrait_detection", "not_an_image"),
        Some(p) => check(
            "id_portrait_detection",
            match p.faces {
                1 => None,
                0 => Some("no_portrait"),
                _ => Some("multiple_faces"),
            },
        ),
        None => not_applicable("id_portrait_detection", "no_front_photo"),
    });
    out
}

/// The checks of a selfie: the photo, exactly one face, and the comparison with the
/// document's portrait, which vigil does not do.
pub fn selfie_checks(photo: &PhotoFindings) -> Vec<Check> {
    let mut out = photo_checks("selfie", std::slice::from_ref(photo));
    let decoded = photo.size.is_some();
    out.push(if decoded {
        check(
            "selfie_face_detection",
            (photo.faces == 0).then_some("no_face"),
        )
    } else {
        not_applicable("selfie_face_detection", "not_an_image")
    });
    out.push(if decoded {
        check(
            "selfie_multiple_faces_detection",
            (photo.faces > 1).then_some("multiple_faces"),
        )
    } else {
        not_applicable("selfie_multiple_faces_detection", "not_an_image")
    });
    out.push(not_applicable("selfie_id_comparison", "not_supported"));
    out
}

/// The first failed check's effect, the strongest first: a retry before a failure before
/// a review (a photo to retake says nothing about the person yet).
pub fn strongest_effect(checks: &[Check]) -> Option<Effect> {
    let effects: Vec<Effect> = checks
        .iter()
        .filter(|c| c.required && c.status == CheckStatus::Failed)
        .map(|c| effect(&c.name))
        .collect();
    [Effect::Retry, Effect::Fail, Effect::Review]
        .into_iter()
        .find(|e| effects.contains(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(side: &'static str) -> PhotoFindings {
        PhotoFindings {
            side,
            size: Some((1000, 630)),
            sharpness: 400.0,
            flat_share: 0.05,
            faces: 1,
        }
    }

    fn licence(identity: DocumentIdentity) -> IdReading {
        IdReading {
            id_class: "dl".into(),
            country_code: "US".into(),
            photos: vec![photo("front"), photo("back")],
            barcode: Zone::Read {
                identity: Box::new(identity),
                failed: vec![],
            },
            mrz: Zone::NotFound,
        }
    }

    fn jane() -> DocumentIdentity {
        DocumentIdentity {
            name_first: Some("JANE".into()),
            name_last: Some("SPECIMEN".into()),
            birthdate: Some("1990-01-31".into()),
            expiration_date: Some("2031-01-31".into()),
            document_number: Some("S123".into()),
            ..Default::default()
        }
    }

    fn typed(first: &str, last: &str) -> Map<String, Value> {
        let mut fields = Map::new();
        fields.insert(
            "name-first".into(),
            serde_json::json!({"type": "string", "value": first}),
        );
        fields.insert(
            "name-last".into(),
            serde_json::json!({"type": "string", "value": last}),
        );
        fields
    }

    fn context(fields: Map<String, Value>) -> IdContext {
        IdContext {
            today: "2026-12-03".into(),
            typed: fields,
            ..Default::default()
        }
    }

    fn status(checks: &[Check], name: &str) -> CheckStatus {
        checks
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no check {name}"))
            .status
    }

    #[test]
    fn a_good_licence_passes_and_the_face_comparison_never_claims_to() {
        let checks = government_id_checks(
            &licence(jane()),
            &IdRules::default(),
            &context(typed("Jane", "Specimen")),
        );
        assert_eq!(strongest_effect(&checks), None, "{checks:#?}");
        assert_eq!(
            status(&checks, "id_inquiry_comparison"),
            CheckStatus::Passed
        );
        assert_eq!(status(&checks, "id_barcode_detection"), CheckStatus::Passed);
        assert_eq!(
            status(&checks, "id_account_comparison"),
            CheckStatus::NotApplicable
        );
        let selfie = selfie_checks(&photo("center"));
        assert_eq!(
            status(&selfie, "selfie_id_comparison"),
            CheckStatus::NotApplicable
        );
        assert_eq!(strongest_effect(&selfie), None);
    }

    #[test]
    fn a_barcode_naming_someone_else_goes_to_review() {
        let checks = government_id_checks(
            &licence(jane()),
            &IdRules::default(),
            &context(typed("John", "Example")),
        );
        let comparison = checks
            .iter()
            .find(|c| c.name == "id_inquiry_comparison")
            .unwrap();
        assert_eq!(comparison.status, CheckStatus::Failed);
        assert_eq!(comparison.reasons, ["name_mismatch"]);
        assert_eq!(strongest_effect(&checks), Some(Effect::Review));
    }

    #[test]
    fn expired_underage_or_disallowed_documents_fail() {
        let mut old = jane();
        old.expiration_date = Some("2020-01-01".into());
        let checks = government_id_checks(&licence(old), &IdRules::default(), &context(Map::new()));
        assert_eq!(status(&checks, "id_expired_detection"), CheckStatus::Failed);
        assert_eq!(strongest_effect(&checks), Some(Effect::Fail));

        let rules = IdRules {
            countries: vec!["CA".into()],
            id_classes: vec!["pp".into()],
            minimum_age: Some(40),
        };
        let checks = government_id_checks(&licence(jane()), &rules, &context(Map::new()));
        for name in [
            "id_disallowed_country_detection",
            "id_disallowed_type_detection",
            "id_age_comparison",
        ] {
            assert_eq!(status(&checks, name), CheckStatus::Failed, "{name}");
        }
        assert_eq!(age_on("1990-01-31", "2026-01-30"), Some(35));
        assert_eq!(age_on("1990-01-31", "2026-01-31"), Some(36));
    }

    #[test]
    fn a_blurred_photo_or_a_missing_barcode_asks_for_another_photo() {
        let mut reading = licence(jane());
        reading.photos[1].sharpness = 3.0;
        reading.barcode = Zone::NotFound;
        let checks = government_id_checks(&reading, &IdRules::default(), &context(Map::new()));
        assert_eq!(status(&checks, "id_blur_detection"), CheckStatus::Failed);
        assert_eq!(status(&checks, "id_barcode_detection"), CheckStatus::Failed);
        assert_eq!(
            status(&checks, "id_inquiry_comparison"),
            CheckStatus::NotApplicable
        );
        assert_eq!(strongest_effect(&checks), Some(Effect::Retry));
    }

    #[test]
    fn listed_numbers_repeated_images_and_watchlist_names_are_reported() {
        let mut ctx = context(Map::new());
        ctx.repeated_in = vec!["inq_other".into()];
        ctx.matches = vec![
            (
                "Stolen IDs".into(),
                "custom".into(),
                "government-id-number".into(),
            ),
            ("OFAC SDN".into(), "sanction".into(), "name".into()),
        ];
        let checks = government_id_checks(&licence(jane()), &IdRules::default(), &ctx);
        for name in [
            "id_repeat_detection",
            "id_compromised_detection",
            "id_watchlist_detection",
        ] {
            assert_eq!(status(&checks, name), CheckStatus::Failed, "{name}");
        }
        assert_eq!(strongest_effect(&checks), Some(Effect::Review));
    }

    #[test]
    fn a_passport_whose_zone_no_reader_could_read_goes_to_a_person() {
        let reading = IdReading {
            id_class: "pp".into(),
            country_code: "GB".into(),
            photos: vec![photo("front")],
            barcode: Zone::NotFound,
            mrz: Zone::Unavailable("ocr_not_installed"),
        };
        let checks = government_id_checks(&reading, &IdRules::default(), &context(Map::new()));
        assert_eq!(
            status(&checks, "id_mrz_detection"),
            CheckStatus::NotApplicable
        );
        assert_eq!(
            status(&checks, "id_extracted_properties_detection"),
            CheckStatus::Failed
        );
        assert_eq!(strongest_effect(&checks), Some(Effect::Review));
    }

    #[test]
    fn a_selfie_needs_exactly_one_face() {
        let mut none = photo("center");
        none.faces = 0;
        assert_eq!(strongest_effect(&selfie_checks(&none)), Some(Effect::Retry));
        let mut two = photo("center");
        two.faces = 2;
        assert_eq!(
            status(&selfie_checks(&two), "selfie_multiple_faces_detection"),
            CheckStatus::Failed
        );
        assert_eq!(
            status(
                &selfie_checks(&PhotoFindings::undecodable("center")),
                "selfie_image_quality_detection"
            ),
            CheckStatus::Failed
        );
    }
}
