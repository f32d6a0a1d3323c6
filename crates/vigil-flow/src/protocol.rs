//! How the flow talks to the page that embeds it: the messages Persona's SDK listens for
//! (`{containerId, templateId, name, metadata}`, posted to the embedding page's origin),
//! and which origins may frame the flow at all (the page's `Content-Security-Policy`).
//!
//! Learned from the SDK's published package (its `setupEvents` and `interfaces.d.ts`) and
//! checked against it in a real browser (`tests/browser/flow.mjs`): a message counts only
//! when it comes from the SDK's host, names the SDK's container, and repeats the template
//! id the SDK was given.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Where the flow is embedded, carried from page to page in hidden form fields (none of it
/// is secret; the session token travels beside it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Embed {
    /// The SDK's container id; `None` when the flow is not in the SDK's iframe.
    pub container_id: Option<String>,
    /// The origin messages are posted to (the embedding page's, or the one it named).
    pub target_origin: Option<String>,
    /// The template id the SDK was given, repeated in every message.
    pub template_id: Option<String>,
    /// Origins allowed to frame the flow.
    pub frame_ancestors: Vec<String>,
    pub language: String,
    /// The theme set the page asked for (`theset_…`), if its id reads as one.
    pub theme_set_id: Option<String>,
}

/// `scheme://host[:port]` with nothing after it, http(s) only: the form of an origin.
pub fn is_origin(text: &str) -> bool {
    let Some(rest) = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
    else {
        return false;
    };
    !rest.is_empty()
        && rest.len() <= 253
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

impl Embed {
    /// From the SDK's parameters: origins that are not origins are dropped (never put
    /// into a header or a `postMessage` target).
    pub fn new(
        container_id: Option<String>,
        iframe_origin: Option<String>,
        message_target_origin: Option<String>,
        template_id: Option<String>,
        frame_ancestors: Vec<String>,
        language: String,
    ) -> Embed {
        let target_origin = message_target_origin
            .or(iframe_origin.clone())
            .filter(|o| is_origin(o));
        let mut ancestors: Vec<String> = iframe_origin.into_iter().chain(frame_ancestors).collect();
        ancestors.retain(|o| is_origin(o));
        ancestors.dedup();
        ancestors.truncate(8);
        Embed {
            container_id: container_id.filter(|c| c.len() <= 64),
            target_origin,
            template_id,
            frame_ancestors: ancestors,
            language,
            theme_set_id: None,
        }
    }

    /// The same, in the look of theme set `id` (ignored unless it reads as a theme set id).
    pub fn themed(mut self, id: Option<String>) -> Embed {
        self.theme_set_id = id.filter(|id| {
            id.starts_with("theset_")
                && id.len() <= 64
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        });
        self
    }

    /// The `Content-Security-Policy` of the flow's pages: only its own scripts, styles and
    /// forms; framed only by the embedding page's origins (never, outside an iframe).
    pub fn content_security_policy(&self) -> String {
        let ancestors = if self.frame_ancestors.is_empty() {
            "'none'".to_string()
        } else {
            self.frame_ancestors.join(" ")
        };
        format!(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}"
        )
    }
}

/// One message to the embedding page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    pub name: &'static str,
    pub metadata: Value,
}

/// The flow opened: `load`, then `ready`.
pub fn opened() -> Vec<Message> {
    vec![
        Message {
            name: "load",
            metadata: json!({}),
        },
        Message {
            name: "ready",
            metadata: json!({}),
        },
    ]
}

/// An inquiry was started (or resumed) for the person.
pub fn started(inquiry_id: &str) -> Message {
    Message {
        name: "start",
        metadata: json!({ "inquiryId": inquiry_id }),
    }
}

/// What a photo step did, as the SDK's step events name it (`country-select`,
/// `document-upload`, `selfie-camera-capture`, `verification-change`): the page's
/// `onEvent` hears them.
pub fn step(name: &'static str, metadata: Value) -> Message {
    Message { name, metadata }
}

/// The person finished: `complete`, or `fail` when the inquiry failed; the SDK hands the
/// inquiry id, status and fields to the page's `onComplete`.
pub fn finished(inquiry_id: &str, status: &str, fields: Value) -> Message {
    Message {
        name: if status == "failed" {
            "fail"
        } else {
            "complete"
        },
        metadata: json!({ "inquiryId": inquiry_id, "status": status, "fields": fields }),
    }
}

/// The person left before finishing: the page may resume with the token later.
pub fn cancelled(inquiry_id: Option<&str>, session_token: Option<&str>) -> Message {
    Message {
        name: "exit",
        metadata: json!({ "inquiryId": inquiry_id, "sessionToken": session_token }),
    }
}

/// Something went wrong that the page should know of (`onError`).
pub fn failed(status: u16, code: &str) -> Message {
    Message {
        name: "error",
        metadata: json!({ "status": status, "code": code }),
    }
}

/// What the page's script reads (`data-flow` on the body): where to post, what, and what
/// to answer when the SDK asks the flow to close.
pub fn script_data(embed: &Embed, messages: &[Message], exit: Option<&Message>) -> String {
    json!({
        "containerId": embed.container_id,
        "target": embed.target_origin,
        "templateId": embed.template_id,
        "messages": messages,
        "exit": exit,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_origins_reach_the_policy_and_the_target() {
        let embed = Embed::new(
            Some("persona-widget-1".into()),
            Some("http://127.0.0.1:9000".into()),
            None,
            Some("itmpl_1".into()),
            vec![
                "https://shop.example".into(),
                "javascript:alert(1)".into(),
                "https://x.example; script-src *".into(),
            ],
            "en".into(),
        );
        assert_eq!(
            embed.target_origin.as_deref(),
            Some("http://127.0.0.1:9000")
        );
        let csp = embed.content_security_policy();
        assert!(
            csp.ends_with("frame-ancestors http://127.0.0.1:9000 https://shop.example"),
            "{csp}"
        );
        assert!(!csp.contains("javascript") && !csp.contains("script-src *"));
        let alone = Embed::default();
        assert!(alone
            .content_security_policy()
            .ends_with("frame-ancestors 'none'"));
    }

    #[test]
    fn a_failed_inquiry_is_announced_as_fail() {
        assert_eq!(finished("inq_1", "failed", json!({})).name, "fail");
        assert_eq!(
            finished("inq_1", "needs_review", json!({})).name,
            "complete"
        );
        let data = script_data(&Embed::default(), &opened(), None);
        assert!(data.contains("\"name\":\"load\""));
    }
}
