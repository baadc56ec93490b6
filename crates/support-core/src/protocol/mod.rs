//! Wire types for `POST {base}/chat/completions`, in OpenAI's names.
//!
//! Requests are strict: optional fields are left out when unset (absent, never `null`), and an
//! assistant message that only carries tool calls has no `content` key at all; `arguments` go
//! back as the string the model sent. Responses and stream chunks ([`response`]) are lenient:
//! a missing or mistyped optional field reads as `None` or empty ([`lenient`]), unknown fields
//! are ignored.

pub mod lenient;
mod response;

pub use response::{
    ApiError, ChatChunk, ChatCompletion, ChunkChoice, CompletionChoice, Delta, FunctionDelta,
    ResponseMessage, ToolCallDelta,
};

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// The body of a chat completion request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    pub model: String,
    pub messages: Vec<Message>,
    #[serde(
        default,
        deserialize_with = "lenient::null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tools: Vec<ToolDefinition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// Sent exactly as set; the proxy refuses values outside 0 to 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
}

/// One message of the conversation, tagged by its `role`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "lowercase")]
pub enum Message {
    System {
        content: String,
    },
    User {
        content: String,
    },
    Assistant {
        /// Left out when the message only carries tool calls: some providers reject `null`,
        /// others reject `""`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        content: Option<String>,
        #[serde(
            default,
            deserialize_with = "lenient::null_as_empty",
            skip_serializing_if = "Vec::is_empty"
        )]
        tool_calls: Vec<ToolCall>,
    },
    Tool {
        tool_call_id: String,
        content: String,
    },
}

impl Message {
    pub fn system(content: impl Into<String>) -> Self {
        Message::System {
            content: content.into(),
        }
    }

    pub fn user(content: impl Into<String>) -> Self {
        Message::User {
            content: content.into(),
        }
    }

    /// An assistant reply; empty text becomes an absent `content`.
    pub fn assistant(content: impl Into<String>, tool_calls: Vec<ToolCall>) -> Self {
        let content = content.into();
        Message::Assistant {
            content: (!content.is_empty()).then_some(content),
            tool_calls,
        }
    }

    pub fn tool(tool_call_id: impl Into<String>, content: impl Into<String>) -> Self {
        Message::Tool {
            tool_call_id: tool_call_id.into(),
            content: content.into(),
        }
    }

    pub fn role(&self) -> Role {
        match self {
            Message::System { .. } => Role::System,
            Message::User { .. } => Role::User,
            Message::Assistant { .. } => Role::Assistant,
            Message::Tool { .. } => Role::Tool,
        }
    }

    /// The message's text, if it has any.
    pub fn text(&self) -> Option<&str> {
        match self {
            Message::System { content } | Message::User { content } => Some(content),
            Message::Tool { content, .. } => Some(content),
            Message::Assistant { content, .. } => content.as_deref(),
        }
    }

    /// The tool calls of an assistant message; empty for every other role.
    pub fn tool_calls(&self) -> &[ToolCall] {
        match self {
            Message::Assistant { tool_calls, .. } => tool_calls,
            _ => &[],
        }
    }

    /// A rough size used for the context budget: the characters the model will read.
    pub fn weight(&self) -> usize {
        let calls: usize = self
            .tool_calls()
            .iter()
            .map(|c| c.function.name.len() + c.function.arguments.len() + c.id.len())
            .sum();
        self.text().map_or(0, |t| t.chars().count()) + calls + 8
    }
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
    Tool,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::Tool => "tool",
        }
    }
}

/// A complete tool call, as the model sent it and as it is echoed back in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCall {
    pub id: String,
    /// `"function"` when a provider leaves it out.
    #[serde(rename = "type", default = "function_type", deserialize_with = "kind")]
    pub kind: String,
    pub function: FunctionCall,
}

fn function_type() -> String {
    "function".to_owned()
}

fn kind<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(lenient::string(deserializer)?.unwrap_or_else(function_type))
}

/// The function half of a tool call. `arguments` stays the original string (an object some
/// provider sent instead is kept as its compact JSON text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionCall {
    pub name: String,
    #[serde(default, deserialize_with = "arguments")]
    pub arguments: String,
}

fn arguments<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(lenient::arguments(deserializer)?.unwrap_or_default())
}

/// A tool offered to the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolDefinition {
    #[serde(rename = "type")]
    pub kind: String,
    pub function: FunctionDefinition,
}

/// The schema half of a tool definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionDefinition {
    pub name: String,
    pub description: String,
    /// A JSON Schema, kept as a value: the model reads it, the engine never does.
    pub parameters: Value,
}

/// Whether and how the model may call tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolChoice {
    Auto,
    None,
    Required,
}

impl ToolChoice {
    pub fn as_str(self) -> &'static str {
        match self {
            ToolChoice::Auto => "auto",
            ToolChoice::None => "none",
            ToolChoice::Required => "required",
        }
    }
}

#[cfg(test)]
mod tests;
