//! The parameters Persona's SDK puts in the iframe's URL (`/widget?…`), read strictly: a
//! parameter vigil does not know is refused by name, and one it knows but does not act on
//! (styling, routing) is listed here as accepted and ignored.

use serde_json::{Map, Value};

/// What the embedding page asked for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WidgetQuery {
    /// `inquiry-template-id` (or the legacy `template-id`): start a new inquiry of it.
    pub template_id: Option<String>,
    pub environment_id: Option<String>,
    /// `inquiry-id` with `session-token`: resume that inquiry.
    pub inquiry_id: Option<String>,
    pub session_token: Option<String>,
    pub reference_id: Option<String>,
    pub account_id: Option<String>,
    pub language: Option<String>,
    /// `fields[name-first]=Jane`: prefilled values.
    pub fields: Map<String, Value>,
    /// The SDK's id for its iframe, repeated in every message.
    pub container_id: Option<String>,
    /// The embedding page's origin, where messages go.
    pub iframe_origin: Option<String>,
    pub message_target_origin: Option<String>,
    /// More origins allowed to frame the flow (`frame-ancestors[0]=…`).
    pub frame_ancestors: Vec<String>,
    /// `theme-set-id`: the look of the flow.
    pub theme_set_id: Option<String>,
}

/// Parameters the SDK sends that change nothing here (styling, routing, SDK details).
const IGNORED: &[&str] = &[
    "client-version",
    "flow-type",
    "routing-country",
    "environment",
    "style-variant",
    "server-outage-mode",
    "inquiry-template-version-id",
    "account-type-id",
];
/// Bracketed families the SDK sends that change nothing here.
const IGNORED_FAMILIES: &[&str] = &["widget-padding[", "navigation-padding["];

/// A parameter that cannot be used, by name, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub parameter: String,
    pub message: String,
}

fn refused(parameter: &str, message: &str) -> QueryError {
    QueryError {
        parameter: parameter.to_string(),
        message: message.to_string(),
    }
}

/// Read `/widget`'s query string.
pub fn parse(query: &str) -> Result<WidgetQuery, QueryError> {
    let mut out = WidgetQuery::default();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        let (name, value) = (name.into_owned(), value.into_owned());
        if value.len() > 2048 {
            return Err(refused(&name, "is longer than 2048 characters"));
        }
        let slot = match name.as_str() {
            "inquiry-template-id" | "template-id" => &mut out.template_id,
            "environment-id" => &mut out.environment_id,
            "inquiry-id" => &mut out.inquiry_id,
            "session-token" => &mut out.session_token,
            "reference-id" => &mut out.reference_id,
            "account-id" => &mut out.account_id,
            "language" => &mut out.language,
            "container-id" => &mut out.container_id,
            "iframe-origin" => &mut out.iframe_origin,
            "message-target-origin" => &mut out.message_target_origin,
            "theme-set-id" => &mut out.theme_set_id,
            _ => {
                if let Some(key) = name
                    .strip_prefix("fields[")
                    .and_then(|rest| rest.strip_suffix(']'))
                {
                    if key.is_empty() || key.contains('[') {
                        return Err(refused(&name, "must name one field: fields[name-first]"));
                    }
                    out.fields.insert(key.to_string(), Value::String(value));
                    continue;
                }
                if name.starts_with("frame-ancestors") {
                    out.frame_ancestors.push(value);
                    continue;
                }
                if IGNORED.contains(&name.as_str())
                    || IGNORED_FAMILIES.iter().any(|f| name.starts_with(f))
                {
                    continue;
                }
                return Err(refused(
                    &name,
                    "is not a parameter of the verification flow",
                ));
            }
        };
        if slot.is_some() {
            return Err(refused(&name, "is given twice"));
        }
        *slot = Some(value).filter(|v| !v.is_empty());
    }
    match (&out.template_id, &out.inquiry_id) {
        (Some(_), Some(_)) => {
            return Err(refused(
                "inquiry-id",
                "give a template to start a new inquiry or an inquiry to resume, not both",
            ))
        }
        (None, None) => {
            return Err(refused(
                "inquiry-template-id",
                "is missing: give a template to start, or inquiry-id and session-token to resume",
            ))
        }
        (None, Some(_)) if out.session_token.is_none() => {
            return Err(refused(
                "session-token",
                "is needed to resume an inquiry (POST /inquiries/{id}/resume gives one)",
            ))
        }
        _ => {}
    }
    if out.account_id.is_some() {
        return Err(refused(
            "account-id",
            "cannot be given by a page: create the inquiry for the account with an API key, then resume it here with its session token",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_sdk_sends() {
        let query = "client-version=5.9.0&container-id=persona-widget-abc&flow-type=embedded&inquiry-template-id=itmpl_1&environment-id=env_1&iframe-origin=http%3A%2F%2F127.0.0.1%3A9000&frame-ancestors%5B0%5D=https%3A%2F%2Fa.example&language=es&fields%5Bname-first%5D=Ada&widget-padding%5Btop%5D=4&reference-id=u-1";
        let q = parse(query).unwrap();
        assert_eq!(q.template_id.as_deref(), Some("itmpl_1"));
        assert_eq!(q.container_id.as_deref(), Some("persona-widget-abc"));
        assert_eq!(q.iframe_origin.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(q.frame_ancestors, ["https://a.example"]);
        assert_eq!(q.fields["name-first"], "Ada");
        assert_eq!(q.language.as_deref(), Some("es"));
        assert_eq!(q.reference_id.as_deref(), Some("u-1"));
    }

    #[test]
    fn refuses_what_it_does_not_know_and_what_cannot_go_together() {
        let unknown = parse("inquiry-template-id=itmpl_1&colour=red").unwrap_err();
        assert_eq!(unknown.parameter, "colour");
        let both =
            parse("inquiry-template-id=itmpl_1&inquiry-id=inq_1&session-token=t").unwrap_err();
        assert_eq!(both.parameter, "inquiry-id");
        assert_eq!(parse("").unwrap_err().parameter, "inquiry-template-id");
        assert_eq!(
            parse("inquiry-id=inq_1").unwrap_err().parameter,
            "session-token"
        );
        assert_eq!(
            parse("inquiry-template-id=itmpl_1&account-id=act_1")
                .unwrap_err()
                .parameter,
            "account-id"
        );
        assert_eq!(
            parse("inquiry-template-id=itmpl_1&language=en&language=es")
                .unwrap_err()
                .parameter,
            "language"
        );
        assert!(parse("inquiry-id=inq_1&session-token=iqst_x").is_ok());
    }
}
