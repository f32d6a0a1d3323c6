//! The steps of an inquiry template's flow beyond its fields: a government ID (which
//! countries and document classes, a minimum age, camera only or uploads too) and a
//! selfie. Beyond Persona, which configures steps in its dashboard's flow editor: here
//! they are `GET|PATCH /inquiry-templates/{id}/verification-steps`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::verification::government_id::{IdRules, ID_CLASSES};
use crate::FieldError;

/// How a photo may be taken.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capture {
    /// By the camera, or a file the person picks.
    #[default]
    CameraOrUpload,
    /// By the camera only (on a phone, the file picker opens the camera).
    CameraOnly,
}

impl Capture {
    pub fn as_str(self) -> &'static str {
        match self {
            Capture::CameraOrUpload => "camera-or-upload",
            Capture::CameraOnly => "camera-only",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GovernmentIdStep {
    pub rules: IdRules,
    pub capture: Capture,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfieStep {
    pub capture: Capture,
}

/// The steps a template's flow takes after its fields; none by default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationSteps {
    #[serde(default)]
    pub government_id: Option<GovernmentIdStep>,
    #[serde(default)]
    pub selfie: Option<SelfieStep>,
}

impl VerificationSteps {
    /// As the API shows them (`null`: the step is off).
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "government-id": self.government_id.as_ref().map(|s| serde_json::json!({
                "countries": s.rules.countries,
                "id-classes": if s.rules.id_classes.is_empty() {
                    ID_CLASSES.iter().map(|(c, _)| (*c).to_string()).collect()
                } else {
                    s.rules.id_classes.clone()
                },
                "minimum-age": s.rules.minimum_age,
                "capture": s.capture.as_str(),
            })),
            "selfie": self.selfie.as_ref().map(|s| serde_json::json!({
                "capture": s.capture.as_str(),
            })),
        })
    }
}

fn capture(step: &Map<String, Value>, pointer: &str) -> Result<Capture, FieldError> {
    match step.get("capture") {
        None | Some(Value::Null) => Ok(Capture::default()),
        Some(Value::String(s)) if s == "camera-or-upload" => Ok(Capture::CameraOrUpload),
        Some(Value::String(s)) if s == "camera-only" => Ok(Capture::CameraOnly),
        Some(_) => Err(FieldError::invalid(
            format!("{pointer}/capture"),
            "must be camera-or-upload or camera-only",
        )),
    }
}

fn object<'a>(value: &'a Value, pointer: &str) -> Result<&'a Map<String, Value>, FieldError> {
    value.as_object().ok_or_else(|| {
        FieldError::bad_type(pointer, "must be an object, or null to turn the step off")
    })
}

fn only(step: &Map<String, Value>, pointer: &str, known: &[&str]) -> Result<(), FieldError> {
    match step.keys().find(|k| !known.contains(&k.as_str())) {
        Some(unknown) => Err(FieldError::invalid(
            format!("{pointer}/{unknown}"),
            format!("is not a setting of this step (takes {})", known.join(", ")),
        )),
        None => Ok(()),
    }
}

fn parse_government_id(value: &Value, pointer: &str) -> Result<GovernmentIdStep, FieldError> {
    let step = object(value, pointer)?;
    only(
        step,
        pointer,
        &["countries", "id-classes", "minimum-age", "capture"],
    )?;
    let strings = |key: &str| -> Result<Vec<String>, FieldError> {
        match step.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    item.as_str().map(str::to_string).ok_or_else(|| {
                        FieldError::bad_type(format!("{pointer}/{key}/{i}"), "must be a string")
                    })
                })
                .collect(),
            Some(_) => Err(FieldError::bad_type(
                format!("{pointer}/{key}"),
                "must be an array",
            )),
        }
    };
    let mut countries = Vec::new();
    for (i, code) in strings("countries")?.into_iter().enumerate() {
        let code = code.trim().to_ascii_uppercase();
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(FieldError::invalid(
                format!("{pointer}/countries/{i}"),
                "must be an ISO 3166-1 alpha-2 country code, such as US",
            ));
        }
        if !countries.contains(&code) {
            countries.push(code);
        }
    }
    let mut id_classes = Vec::new();
    for (i, class) in strings("id-classes")?.into_iter().enumerate() {
        if !ID_CLASSES.iter().any(|(c, _)| *c == class) {
            return Err(FieldError::invalid(
                format!("{pointer}/id-classes/{i}"),
                "must be dl (driver's licence), pp (passport) or id (identity card)",
            ));
        }
        if !id_classes.contains(&class) {
            id_classes.push(class);
        }
    }
    let minimum_age = match step.get("minimum-age") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_u64() {
            Some(age) if age <= 125 => Some(age as u32),
            _ => {
                return Err(FieldError::invalid(
                    format!("{pointer}/minimum-age"),
                    "must be a whole number of years from 0 to 125",
                ))
            }
        },
        Some(_) => {
            return Err(FieldError::bad_type(
                format!("{pointer}/minimum-age"),
                "must be a number",
            ))
        }
    };
    Ok(GovernmentIdStep {
        rules: IdRules {
            countries,
            id_classes,
            minimum_age,
        },
        capture: capture(step, pointer)?,
    })
}

/// A change of a template's steps: for each, `None` leaves it, `Some(None)` turns it off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepChanges {
    pub government_id: Option<Option<GovernmentIdStep>>,
    pub selfie: Option<Option<SelfieStep>>,
}

impl StepChanges {
    pub fn apply(&self, steps: &VerificationSteps) -> VerificationSteps {
        let mut out = steps.clone();
        if let Some(change) = &self.government_id {
            out.government_id = change.clone();
        }
        if let Some(change) = &self.selfie {
            out.selfie = change.clone();
        }
        out
    }
}

/// A `PATCH`'s attributes (`government-id`, `selfie`; an absent one stays, `null` turns
/// it off), read strictly: a wrong value is named under `pointer`.
pub fn parse_changes(
    attributes: &Map<String, Value>,
    pointer: &str,
) -> Result<StepChanges, FieldError> {
    only(attributes, pointer, &["government-id", "selfie"])?;
    let mut out = StepChanges::default();
    match attributes.get("government-id") {
        None => {}
        Some(Value::Null) => out.government_id = Some(None),
        Some(value) => {
            out.government_id = Some(Some(parse_government_id(
                value,
                &format!("{pointer}/government-id"),
            )?))
        }
    }
    match attributes.get("selfie") {
        None => {}
        Some(Value::Null) => out.selfie = Some(None),
        Some(value) => {
            let at = format!("{pointer}/selfie");
            let step = object(value, &at)?;
            only(step, &at, &["capture"])?;
            out.selfie = Some(Some(SelfieStep {
                capture: capture(step, &at)?,
            }));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patch(value: Value) -> Result<VerificationSteps, FieldError> {
        parse_changes(value.as_object().unwrap(), "/data/attributes")
            .map(|c| c.apply(&VerificationSteps::default()))
    }

    #[test]
    fn steps_are_read_strictly_and_named_where_wrong() {
        let steps = patch(json!({
            "government-id": {"countries": ["us", "CA", "US"], "id-classes": ["dl"], "minimum-age": 18, "capture": "camera-only"},
            "selfie": {}
        }))
        .unwrap();
        let id = steps.government_id.as_ref().unwrap();
        assert_eq!(id.rules.countries, ["US", "CA"]);
        assert_eq!(id.capture, Capture::CameraOnly);
        assert_eq!(steps.selfie, Some(SelfieStep::default()));
        let off = parse_changes(json!({"selfie": null}).as_object().unwrap(), "")
            .unwrap()
            .apply(&steps);
        assert_eq!(off.selfie, None);
        assert!(off.government_id.is_some());

        for (body, pointer) in [
            (
                json!({"government-id": {"countries": ["USA"]}}),
                "/data/attributes/government-id/countries/0",
            ),
            (
                json!({"government-id": {"id-classes": ["visa"]}}),
                "/data/attributes/government-id/id-classes/0",
            ),
            (
                json!({"government-id": {"minimum-age": -1}}),
                "/data/attributes/government-id/minimum-age",
            ),
            (
                json!({"government-id": {"colour": "red"}}),
                "/data/attributes/government-id/colour",
            ),
            (
                json!({"selfie": {"capture": "video"}}),
                "/data/attributes/selfie/capture",
            ),
            (json!({"liveness": {}}), "/data/attributes/liveness"),
        ] {
            assert_eq!(patch(body).unwrap_err().pointer, pointer);
        }
    }
}
