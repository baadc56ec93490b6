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
use support_core::protocol::{ChatRequest, Message};
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
        return Err(AppError::invalid(format!(
            "request body is larger than {} bytes",
            config.max_body_bytes
        )));
    }
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
    let mut request: ChatRequest = serde_json::from_value(value)
        .map_err(|e| AppError::invalid(format!("malformed chat request: {e}")))?;
    if !config.allowed_models.contains(&request.model) {
        let model: String = request.model.chars().take(64).collect();
        return Err(AppError::invalid(format!(
            "model `{model}` is not allowed; allowed: {}",
            config.allowed_models.join(", ")
        )));
    }
    match request.max_tokens {
        Some(n) if n > config.max_tokens => {
            return Err(AppError::invalid(format!(
                "max_tokens {n} is above the limit of {}",
                config.max_tokens
            )))
        }
        Some(_) => {}
        None => request.max_tokens = Some(config.max_tokens),
    }
    if request.messages.is_empty() || request.messages.len() > config.max_messages {
        return Err(AppError::invalid(format!(
            "messages must hold 1 to {} messages",
            config.max_messages
        )));
    }
    if let Some(n) = request
        .messages
        .iter()
        .position(|m| message_chars(m) > config.max_message_chars)
    {
        return Err(AppError::invalid(format!(
            "message {n} is longer than {} characters",
            config.max_message_chars
        )));
    }
    // What is forwarded is the registry's own definition, never the client's copy of it.
    let tools: Option<Vec<_>> = request
        .tools
        .iter()
        .map(|t| {
            OWN_TOOLS
                .iter()
                .flat_map(|r| r.definitions())
                .find(|d| *d == t)
                .cloned()
        })
        .collect();
    let Some(tools) = tools else {
        return Err(AppError::invalid(
            "only the widget's own tools (lookup_order, search_help, request_refund, cancel_order, handoff_to_human) may be offered",
        ));
    };
    request.tools = tools;
    if request
        .temperature
        .is_some_and(|t| !(t.is_finite() && (0.0..=2.0).contains(&t)))
    {
        return Err(AppError::invalid("temperature must be from 0 to 2"));
    }
    Ok(request)
}

fn message_chars(message: &Message) -> usize {
    let calls: usize = message
        .tool_calls()
        .iter()
        .map(|c| c.function.arguments.chars().count())
        .sum();
    message.text().map_or(0, |t| t.chars().count()) + calls
}
