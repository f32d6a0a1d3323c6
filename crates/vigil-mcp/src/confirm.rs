//! Asking the person to confirm an allowed destructive call, through the protocol's
//! elicitation, when their client says it can show a form.
//!
//! Handshake versions (before 2026-07-28) ask in the middle of the call with an
//! `elicitation/create` request. 2026-07-28 forbids server-to-client requests: the call is
//! answered with an `InputRequiredResult` holding the form and a `requestState` bound to
//! the tool and its arguments, and the client calls again with the person's answer. A
//! confirmation given for one call therefore cannot run another.

use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, ElicitRequest, ElicitRequestParams, ElicitResult, ElicitationAction,
    ElicitationSchema, InputRequest, InputRequests, InputRequiredResult, ProtocolVersion,
};
use rmcp::service::RequestContext;
use rmcp::RoleServer;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// The key of the one input request this server makes.
const CONFIRM: &str = "confirm";
/// How long a person has to answer a handshake-era form.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(600);

pub enum Confirmation {
    /// Confirmed, or the client cannot ask (the operator's allow list is the consent).
    Proceed,
    /// Ask first (2026-07-28): answer the call with this.
    Ask(InputRequiredResult),
    /// The person declined or cancelled, or could not be asked; the message says which.
    Stop(String),
}

/// Whether the calling client declared it can show a form.
fn can_ask(context: &RequestContext<RoleServer>) -> bool {
    context
        .client_capabilities()
        .and_then(|capabilities| capabilities.elicitation)
        .is_some_and(|e| e.form.is_some() || e.url.is_none())
}

/// What ties an answer to one call: the tool and its arguments.
fn fingerprint(tool: &str, args: &Map<String, Value>) -> String {
    let mut hash = Sha256::new();
    hash.update(tool.as_bytes());
    hash.update([0]);
    hash.update(Value::Object(args.clone()).to_string().as_bytes());
    format!("confirm:{}", hex::encode(&hash.finalize()[..16]))
}

fn form(question: &str) -> ElicitRequestParams {
    let schema = json!({
        "type": "object",
        "properties": {
            "confirm": {
                "type": "boolean",
                "title": "Run it",
                "description": "Yes to run this destructive call; no to stop it.",
            }
        },
        "required": ["confirm"],
    });
    let Value::Object(schema) = schema else {
        unreachable!("the schema is an object")
    };
    ElicitRequestParams::FormElicitationParams {
        meta: None,
        message: question.to_string(),
        requested_schema: ElicitationSchema::from_json_schema(schema)
            .expect("a boolean property is a valid elicitation schema"),
    }
}

/// What the person's answer means; `how` names the stop for the agent.
fn answered(result: &ElicitResult, tool: &str) -> Confirmation {
    let yes = result
        .content
        .as_ref()
        .and_then(|c| c.get(CONFIRM))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    match result.action {
        ElicitationAction::Accept if yes => Confirmation::Proceed,
        ElicitationAction::Cancel => Confirmation::Stop(format!(
            "the person cancelled {tool} when asked to confirm it; nothing was changed"
        )),
        _ => Confirmation::Stop(format!(
            "the person declined {tool} when asked to confirm it; nothing was changed. Do not retry unless they ask"
        )),
    }
}

/// Confirm `tool` with `args` (masked in `shown`) before it runs.
pub async fn confirm(
    tool: &str,
    title: &str,
    args: &Map<String, Value>,
    shown: &Value,
    request: &CallToolRequestParams,
    context: &RequestContext<RoleServer>,
) -> Confirmation {
    if !can_ask(context) {
        return Confirmation::Proceed;
    }
    let question = format!(
        "An agent asks to run “{title}” ({tool}) with {shown}. This is hard or impossible to undo. Run it?"
    );
    let state = fingerprint(tool, args);
    let modern = context
        .protocol_version()
        .is_some_and(|v| v >= ProtocolVersion::V_2026_07_28);
    if !modern {
        return match context
            .peer
            .create_elicitation_with_timeout(form(&question), Some(ANSWER_TIMEOUT))
            .await
        {
            Ok(result) => answered(&result, tool),
            Err(error) => Confirmation::Stop(format!(
                "{tool} needs the person's confirmation and asking failed ({error}); nothing was changed"
            )),
        };
    }
    let answer = request
        .input_responses
        .as_ref()
        .and_then(|responses| responses.get(CONFIRM))
        .filter(|_| request.request_state.as_deref() == Some(state.as_str()))
        .and_then(|value| serde_json::from_value::<ElicitResult>(value.clone()).ok());
    match answer {
        Some(result) => answered(&result, tool),
        None => {
            let mut asks = InputRequests::new();
            asks.insert(
                CONFIRM.to_string(),
                InputRequest::Elicitation(ElicitRequest::new(form(&question))),
            );
            Confirmation::Ask(InputRequiredResult::new(Some(asks), Some(state)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_bound_to_its_tool_and_arguments() {
        let args = |id: &str| json!({"account_id": id}).as_object().unwrap().clone();
        let one = fingerprint("persona_redact_account", &args("act_1"));
        assert_eq!(one, fingerprint("persona_redact_account", &args("act_1")));
        assert_ne!(one, fingerprint("persona_redact_account", &args("act_2")));
        assert_ne!(
            one,
            fingerprint("persona_consolidate_accounts", &args("act_1"))
        );
    }

    #[test]
    fn only_an_accepted_yes_proceeds() {
        let result = |action, content: Option<Value>| {
            let mut r = ElicitResult::new(action);
            r.content = content;
            r
        };
        let go = |r: &ElicitResult| matches!(answered(r, "t"), Confirmation::Proceed);
        assert!(go(&result(
            ElicitationAction::Accept,
            Some(json!({"confirm": true}))
        )));
        assert!(!go(&result(
            ElicitationAction::Accept,
            Some(json!({"confirm": false}))
        )));
        assert!(!go(&result(ElicitationAction::Accept, None)));
        assert!(!go(&result(
            ElicitationAction::Decline,
            Some(json!({"confirm": true}))
        )));
        assert!(!go(&result(ElicitationAction::Cancel, None)));
    }
}
