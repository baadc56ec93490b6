//! Checks a chat request against the proxy's limits before anything is forwarded.
//!
//! Only fields the widget sends are accepted; the model must be allowed; `max_tokens` is capped
//! (and set when missing); message count and length are bounded; the only tools offered may be
//! the widget's own (`lookup_order`, `request_refund` and `cancel_order`, each in one of two
//! schemas, `search_help` and `handoff_to_human`), each exactly as the core's registry defines
//! it; `temperature` must be from 0 to 2. The body is read into the engine's own [`ChatRequest`], and that value, written anew,
//! is what is forwarded: nothing the checks did not see reaches the provider.

use std::sync::LazyLock;

use serde_json::Value;
use support_core::protocol::{ChatRequest, Message, ToolDefinition};
use support_core::ToolRegistry;

use crate::config::ProxyConfig;
use crate::error::AppError;

const ALLOWED_FIELDS: &[&str] = &[
    "model",
    "messages",
    "tools",
    "tool_choice",
    "stream",
    "max_tokens",
    "temperature",
];

/// The widget's two registries (with and without the email check), built once.
static OWN_TOOLS: LazyLock<[ToolRegistry; 2]> =
    LazyLock::new(|| [ToolRegistry::default(), ToolRegistry::with_email()]);

/// The validated request, ready to forward.
pub fn chat_request(body: &[u8], config: &ProxyConfig) -> Result<ChatRequest, AppError> {
    if body.len() > config.max_body_bytes {
        return Err(AppError::TooLarge {
            limit: config.max_body_bytes,
        });
    }
    let mut request = parse(body)?;
    check_model(&request, config)?;
    request.max_tokens = Some(max_tokens(request.max_tokens, config)?);
    check_messages(&request.messages, config)?;
    request.tools = own_tools(&request.tools)?;
    if request
        .temperature
        .is_some_and(|t| !(t.is_finite() && (0.0..=2.0).contains(&t)))
    {
        return Err(AppError::invalid("temperature must be from 0 to 2"));
    }
    Ok(request)
}

/// A JSON object of the allowed fields, read into the engine's request.
fn parse(body: &[u8]) -> Result<ChatRequest, AppError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| AppError::invalid(format!("request body is not valid JSON: {e}")))?;
    let Value::Object(fields) = &value else {
        return Err(AppError::invalid("request body must be a JSON object"));
    };
    if let Some(field) = fields
        .keys()
        .find(|k| !ALLOWED_FIELDS.contains(&k.as_str()))
    {
        let field = crate::upstream::cap(field, 64);
        return Err(AppError::invalid(format!("field `{field}` is not allowed")));
    }
    serde_json::from_value(value)
        .map_err(|e| AppError::invalid(format!("malformed chat request: {e}")))
}

fn check_model(request: &ChatRequest, config: &ProxyConfig) -> Result<(), AppError> {
    if config.allowed_models.contains(&request.model) {
        return Ok(());
    }
    let model: String = request.model.chars().take(64).collect();
    Err(AppError::invalid(format!(
        "model `{model}` is not allowed; allowed: {}",
        config.allowed_models.join(", ")
    )))
}

/// The request's `max_tokens`, or the proxy's limit when it has none.
fn max_tokens(asked: Option<u32>, config: &ProxyConfig) -> Result<u32, AppError> {
    match asked {
        Some(n) if n > config.max_tokens => Err(AppError::invalid(format!(
            "max_tokens {n} is above the limit of {}",
            config.max_tokens
        ))),
        Some(n) => Ok(n),
        None => Ok(config.max_tokens),
    }
}

/// The history's count and lengths are bounded, and every tool call in it is a function call
/// (the only kind the widget makes, and the only kind its tools answer).
fn check_messages(messages: &[Message], config: &ProxyConfig) -> Result<(), AppError> {
    if messages.is_empty() || messages.len() > config.max_messages {
        return Err(AppError::invalid(format!(
            "messages must hold 1 to {} messages",
            config.max_messages
        )));
    }
    if let Some(n) = messages
        .iter()
        .position(|m| message_chars(m) > config.max_message_chars)
    {
        return Err(AppError::invalid(format!(
            "message {n} is longer than {} characters",
            config.max_message_chars
        )));
    }
    if let Some(n) = messages
        .iter()
        .position(|m| m.tool_calls().iter().any(|c| c.kind != "function"))
    {
        return Err(AppError::invalid(format!(
            "message {n} holds a tool call whose type is not function"
        )));
    }
    Ok(())
}

/// The registry's own definitions of the offered tools: what is forwarded is never the
/// client's copy of them.
fn own_tools(offered: &[ToolDefinition]) -> Result<Vec<ToolDefinition>, AppError> {
    offered
        .iter()
        .map(|t| {
            OWN_TOOLS
                .iter()
                .flat_map(|r| r.definitions())
                .find(|d| *d == t)
                .cloned()
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| {
            AppError::invalid(
                "only the widget's own tools (lookup_order, search_help, request_refund, cancel_order, handoff_to_human) may be offered",
            )
        })
}

fn message_chars(message: &Message) -> usize {
    let calls: usize = message
        .tool_calls()
        .iter()
        .map(|c| c.function.arguments.chars().count())
        .sum();
    message.text().map_or(0, |t| t.chars().count()) + calls
}
