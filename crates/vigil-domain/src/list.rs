//! Lists of known identifiers and their items: kinds, values checked and normalised on
//! the way in, and the key that makes "the same value" mean the same thing everywhere
//! (duplicate checks, matching).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use vigil_screening::name;
use vigil_screening::values::{email, geo, id_number, ip, phone};

use crate::error::FieldError;
use crate::validate;

/// What a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListKind {
    BrowserFingerprint,
    Country,
    DeviceFingerprint,
    EmailAddress,
    Field,
    Geolocation,
    GovernmentIdNumber,
    IpAddress,
    Name,
    PhoneNumber,
    String,
}

impl ListKind {
    pub const ALL: [ListKind; 11] = [
        ListKind::BrowserFingerprint,
        ListKind::Country,
        ListKind::DeviceFingerprint,
        ListKind::EmailAddress,
        ListKind::Field,
        ListKind::Geolocation,
        ListKind::GovernmentIdNumber,
        ListKind::IpAddress,
        ListKind::Name,
        ListKind::PhoneNumber,
        ListKind::String,
    ];

    /// Singular, as in `list/<name>` and `list-item/<name>`.
    pub fn name(self) -> &'static str {
        self.names().0
    }

    /// Plural, as in `/list/<plural>` and `/list-item/<plural>`.
    pub fn plural(self) -> &'static str {
        self.names().1
    }

    /// Id prefix of the kind's items (Persona's; `lis` for strings, whose is unpublished).
    pub fn item_prefix(self) -> &'static str {
        self.names().2
    }

    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            ListKind::BrowserFingerprint => ("browser-fingerprint", "browser-fingerprints", "libf"),
            ListKind::Country => ("country", "countries", "lic"),
            ListKind::DeviceFingerprint => ("device-fingerprint", "device-fingerprints", "lidf"),
            ListKind::EmailAddress => ("email-address", "email-addresses", "liea"),
            ListKind::Field => ("field", "fields", "liif"),
            ListKind::Geolocation => ("geolocation", "geolocations", "ligl"),
            ListKind::GovernmentIdNumber => {
                ("government-id-number", "government-id-numbers", "ligin")
            }
            ListKind::IpAddress => ("ip-address", "ip-addresses", "liip"),
            ListKind::Name => ("name", "names", "lin"),
            ListKind::PhoneNumber => ("phone-number", "phone-numbers", "lipn"),
            ListKind::String => ("string", "strings", "lis"),
        }
    }

    pub fn from_plural(plural: &str) -> Option<ListKind> {
        ListKind::ALL.into_iter().find(|k| k.plural() == plural)
    }

    pub fn from_name(name: &str) -> Option<ListKind> {
        ListKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether lists of this kind can be created. Persona has device-fingerprint and
    /// field items but no list type of their own: they go in browser-fingerprint and
    /// string lists.
    pub fn has_own_lists(self) -> bool {
        !matches!(self, ListKind::DeviceFingerprint | ListKind::Field)
    }

    /// The kind of list an item of this kind goes in.
    pub fn list_kind(self) -> ListKind {
        match self {
            ListKind::DeviceFingerprint => ListKind::BrowserFingerprint,
            ListKind::Field => ListKind::String,
            other => other,
        }
    }

    /// The kind an item id belongs to, by its prefix.
    pub fn of_item_id(id: &str) -> Option<ListKind> {
        let (prefix, _) = id.split_once('_')?;
        ListKind::ALL
            .into_iter()
            .find(|k| k.item_prefix() == prefix)
    }
}

/// A list (`lst_`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct List {
    pub id: String,
    pub kind: ListKind,
    pub name: String,
    /// Name lists only: match first names fuzzily too (Persona's `allow-fuzzy-name-first`).
    #[serde(default)]
    pub allow_fuzzy_name_first: bool,
    pub archived_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The value an item holds, by kind, in normalised form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ItemValue {
    BrowserFingerprint {
        value: String,
    },
    Country {
        country_code: String,
    },
    DeviceFingerprint {
        value: String,
    },
    EmailAddress {
        value: String,
        match_type: String,
    },
    Field {
        field_value: String,
    },
    Geolocation {
        latitude: f64,
        longitude: f64,
        radius_meters: f64,
    },
    GovernmentIdNumber {
        id_number: String,
        id_class: Option<String>,
    },
    IpAddress {
        value: String,
    },
    Name {
        name_first: Option<String>,
        name_last: Option<String>,
    },
    PhoneNumber {
        value: String,
    },
    String {
        value: String,
    },
}

/// A list item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListItem {
    pub id: String,
    pub list_id: String,
    pub value: ItemValue,
    /// The normalised value: two items with the same key in one list are duplicates.
    pub match_key: String,
    pub match_count: u64,
    pub archived_at: Option<i64>,
    pub redacted_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ItemValue {
    pub fn kind(&self) -> ListKind {
        match self {
            ItemValue::BrowserFingerprint { .. } => ListKind::BrowserFingerprint,
            ItemValue::Country { .. } => ListKind::Country,
            ItemValue::DeviceFingerprint { .. } => ListKind::DeviceFingerprint,
            ItemValue::EmailAddress { .. } => ListKind::EmailAddress,
            ItemValue::Field { .. } => ListKind::Field,
            ItemValue::Geolocation { .. } => ListKind::Geolocation,
            ItemValue::GovernmentIdNumber { .. } => ListKind::GovernmentIdNumber,
            ItemValue::IpAddress { .. } => ListKind::IpAddress,
            ItemValue::Name { .. } => ListKind::Name,
            ItemValue::PhoneNumber { .. } => ListKind::PhoneNumber,
            ItemValue::String { .. } => ListKind::String,
        }
    }
}

impl ListItem {
    pub fn kind(&self) -> ListKind {
        self.value.kind()
    }
}

/// The attributes each kind's create takes, besides `list-id`.
pub fn item_attributes(kind: ListKind) -> &'static [&'static str] {
    match kind {
        ListKind::BrowserFingerprint | ListKind::DeviceFingerprint | ListKind::IpAddress => {
            &["value"]
        }
        ListKind::PhoneNumber | ListKind::String => &["value"],
        ListKind::Country => &["country-code"],
        ListKind::EmailAddress => &["value", "match-type"],
        ListKind::Field => &["field-value"],
        ListKind::Geolocation => &["latitude", "longitude", "radius-meters"],
        ListKind::GovernmentIdNumber => &["id-number", "id-class"],
        ListKind::Name => &["name-first", "name-last"],
    }
}

fn pointer(attribute: &str) -> String {
    attribute.to_string()
}

fn string(attrs: &Map<String, Value>, attribute: &str) -> Result<Option<String>, FieldError> {
    match attrs.get(attribute) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.trim().is_empty() => Ok(None),
        Some(Value::String(text)) => {
            if text.chars().count() > 1000 {
                return Err(FieldError::invalid(
                    pointer(attribute),
                    "must be at most 1000 characters",
                ));
            }
            Ok(Some(text.trim().to_owned()))
        }
        Some(_) => Err(FieldError::bad_type(pointer(attribute), "must be a string")),
    }
}

fn required(attrs: &Map<String, Value>, attribute: &str) -> Result<String, FieldError> {
    string(attrs, attribute)?.ok_or_else(|| FieldError::bad_type(pointer(attribute), "is missing"))
}

fn number(attrs: &Map<String, Value>, attribute: &str) -> Result<f64, FieldError> {
    match attrs.get(attribute) {
        None | Some(Value::Null) => Err(FieldError::bad_type(pointer(attribute), "is missing")),
        Some(Value::Number(n)) => n
            .as_f64()
            .ok_or_else(|| FieldError::bad_type(pointer(attribute), "must be a number")),
        // Persona's clients send coordinates as strings as often as numbers.
        Some(Value::String(text)) => text.trim().parse::<f64>().map_err(|_| {
            FieldError::invalid(
                pointer(attribute),
                format!("must be a number, got `{text}`"),
            )
        }),
        Some(_) => Err(FieldError::bad_type(pointer(attribute), "must be a number")),
    }
}

fn invalid(attribute: &str) -> impl Fn(String) -> FieldError + '_ {
    move |message| FieldError::invalid(pointer(attribute), message)
}

/// Check and normalise an item's attributes; returns the value and its match key.
pub fn parse_item(
    kind: ListKind,
    attrs: &Map<String, Value>,
) -> Result<(ItemValue, String), FieldError> {
    let allowed = item_attributes(kind);
    if let Some(unknown) = attrs
        .keys()
        .find(|k| *k != "list-id" && !allowed.contains(&k.as_str()))
    {
        return Err(FieldError::invalid(
            pointer(unknown),
            format!(
                "is not an attribute of a {} list item (takes list-id, {})",
                kind.name(),
                allowed.join(", ")
            ),
        ));
    }
    let plain = |attribute: &str| -> Result<String, FieldError> { required(attrs, attribute) };
    Ok(match kind {
        ListKind::BrowserFingerprint => {
            let value = plain("value")?;
            (
                ItemValue::BrowserFingerprint {
                    value: value.clone(),
                },
                value,
            )
        }
        ListKind::DeviceFingerprint => {
            let value = plain("value")?;
            (
                ItemValue::DeviceFingerprint {
                    value: value.clone(),
                },
                value,
            )
        }
        ListKind::String => {
            let value = plain("value")?;
            (
                ItemValue::String {
                    value: value.clone(),
                },
                value,
            )
        }
        ListKind::Field => {
            let value = plain("field-value")?;
            (
                ItemValue::Field {
                    field_value: value.clone(),
                },
                value,
            )
        }
        ListKind::Country => {
            let code =
                validate::country_code(&plain("country-code")?).map_err(invalid("country-code"))?;
            (
                ItemValue::Country {
                    country_code: code.clone(),
                },
                code,
            )
        }
        ListKind::EmailAddress => {
            let value = plain("value")?;
            let match_type = string(attrs, "match-type")?.unwrap_or_else(|| "email_address".into());
            match match_type.as_str() {
                "email_address" => {
                    let canonical = email::address(&value).map_err(invalid("value"))?.canonical;
                    (
                        ItemValue::EmailAddress {
                            value: value.to_lowercase(),
                            match_type,
                        },
                        canonical,
                    )
                }
                "domain" => {
                    let domain = email::domain_name(&value).map_err(invalid("value"))?;
                    (
                        ItemValue::EmailAddress {
                            value: domain.clone(),
                            match_type,
                        },
                        format!("@{domain}"),
                    )
                }
                _ => {
                    return Err(FieldError::invalid(
                        pointer("match-type"),
                        "must be `email_address` or `domain`",
                    ))
                }
            }
        }
        ListKind::PhoneNumber => {
            let value = phone::e164(&plain("value")?, None).map_err(invalid("value"))?;
            (
                ItemValue::PhoneNumber {
                    value: value.clone(),
                },
                value,
            )
        }
        ListKind::IpAddress => {
            let value = ip::range(&plain("value")?)
                .map_err(invalid("value"))?
                .to_string();
            (
                ItemValue::IpAddress {
                    value: value.clone(),
                },
                value,
            )
        }
        ListKind::Geolocation => {
            let latitude =
                geo::latitude(number(attrs, "latitude")?).map_err(invalid("latitude"))?;
            let longitude =
                geo::longitude(number(attrs, "longitude")?).map_err(invalid("longitude"))?;
            let radius_meters =
                geo::radius(number(attrs, "radius-meters")?).map_err(invalid("radius-meters"))?;
            let key = format!("{latitude:.6},{longitude:.6},{radius_meters:.1}");
            (
                ItemValue::Geolocation {
                    latitude,
                    longitude,
                    radius_meters,
                },
                key,
            )
        }
        ListKind::GovernmentIdNumber => {
            let id_number =
                id_number::number(&plain("id-number")?).map_err(invalid("id-number"))?;
            let id_class = string(attrs, "id-class")?
                .map(|c| id_number::class(&c).map_err(invalid("id-class")))
                .transpose()?;
            let key = format!("{}:{id_number}", id_class.as_deref().unwrap_or(""));
            (
                ItemValue::GovernmentIdNumber {
                    id_number,
                    id_class,
                },
                key,
            )
        }
        ListKind::Name => {
            let (first, last) = (string(attrs, "name-first")?, string(attrs, "name-last")?);
            if first.is_none() && last.is_none() {
                return Err(FieldError::bad_type(
                    pointer("name-last"),
                    "is missing (give name-first, name-last or both)",
                ));
            }
            let full = format!(
                "{} {}",
                first.as_deref().unwrap_or(""),
                last.as_deref().unwrap_or("")
            );
            let prepared = name::prepare(&full);
            if prepared.is_empty() {
                return Err(FieldError::invalid(
                    pointer("name-last"),
                    "must contain letters or digits",
                ));
            }
            (
                ItemValue::Name {
                    name_first: first,
                    name_last: last,
                },
                prepared.tokens.join(" "),
            )
        }
    })
}

/// Check a list's name.
pub fn list_name(value: Option<&Value>) -> Result<String, FieldError> {
    match value {
        Some(Value::String(text)) if !text.trim().is_empty() && text.chars().count() <= 200 => {
            Ok(text.trim().to_owned())
        }
        Some(Value::String(_)) => Err(FieldError::invalid(
            pointer("name"),
            "must be 1 to 200 characters",
        )),
        None | Some(Value::Null) => Err(FieldError::bad_type(pointer("name"), "is missing")),
        Some(_) => Err(FieldError::bad_type(pointer("name"), "must be a string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(kind: ListKind, attrs: Value) -> Result<(ItemValue, String), FieldError> {
        parse_item(kind, attrs.as_object().unwrap())
    }

    #[test]
    fn kinds_round_trip_their_names() {
        for kind in ListKind::ALL {
            assert_eq!(ListKind::from_plural(kind.plural()), Some(kind));
            assert_eq!(ListKind::from_name(kind.name()), Some(kind));
            assert_eq!(
                ListKind::of_item_id(&format!("{}_abc", kind.item_prefix())),
                Some(kind)
            );
        }
    }

    #[test]
    fn values_are_normalised_into_match_keys() {
        let key = |kind, attrs| parse(kind, attrs).unwrap().1;
        assert_eq!(
            key(
                ListKind::Name,
                json!({"name-first": "Joe", "name-last": "IMPOSTER"})
            ),
            "joe imposter"
        );
        assert_eq!(
            key(
                ListKind::EmailAddress,
                json!({"value": "Joe.I+x@GMAIL.com"})
            ),
            "joei@gmail.com"
        );
        assert_eq!(
            key(
                ListKind::EmailAddress,
                json!({"value": "Evil.com", "match-type": "domain"})
            ),
            "@evil.com"
        );
        assert_eq!(
            key(ListKind::PhoneNumber, json!({"value": "+1 (555) 555-0123"})),
            "+15555550123"
        );
        assert_eq!(
            key(ListKind::IpAddress, json!({"value": "10.1.2.3/8"})),
            "10.0.0.0/8"
        );
        assert_eq!(key(ListKind::Country, json!({"country-code": "ir"})), "IR");
        assert_eq!(
            key(
                ListKind::GovernmentIdNumber,
                json!({"id-number": "ab-123", "id-class": "PP"})
            ),
            "pp:AB123"
        );
        assert_eq!(
            key(
                ListKind::Geolocation,
                json!({"latitude": 1, "longitude": "2.5", "radius-meters": 100})
            ),
            "1.000000,2.500000,100.0"
        );
    }

    #[test]
    fn bad_values_name_their_field() {
        let err = |kind, attrs| parse(kind, attrs).unwrap_err().pointer;
        assert_eq!(
            err(ListKind::IpAddress, json!({"value": "300.1.1.1"})),
            "value"
        );
        assert_eq!(
            err(ListKind::Country, json!({"country-code": "ZZ"})),
            "country-code"
        );
        assert_eq!(
            err(
                ListKind::Geolocation,
                json!({"latitude": 91, "longitude": 0, "radius-meters": 1})
            ),
            "latitude"
        );
        assert_eq!(
            err(ListKind::PhoneNumber, json!({"value": "call me"})),
            "value"
        );
        assert_eq!(
            err(
                ListKind::EmailAddress,
                json!({"value": "x@y.com", "match-type": "fuzzy"})
            ),
            "match-type"
        );
        assert_eq!(err(ListKind::Name, json!({})), "name-last");
        assert_eq!(err(ListKind::String, json!({"value": 3})), "value");
        assert_eq!(
            err(ListKind::String, json!({"value": "x", "colour": "red"})),
            "colour"
        );
    }
}
