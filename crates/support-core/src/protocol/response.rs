//! What comes back: a whole completion, one streamed chunk, and the error either may carry.
//!
//! Everything here is optional or defaulted and read through [`super::lenient`]: a field a
//! provider leaves out, sends as `null` or sends with another type reads as `None` or empty,
//! and unknown fields are ignored, so only a body that is not JSON at all fails a turn. They
//! serialize too, leaving out what is unset, so that a stub server or a test writes a chunk in
//! the form it is read.

use serde::{Deserialize, Serialize};

use super::lenient;

/// A non-streaming response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChatCompletion {
    #[serde(
        deserialize_with = "lenient::objects",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub choices: Vec<CompletionChoice>,
    #[serde(
        deserialize_with = "lenient::error",
        skip_serializing_if = "Option::is_none"
    )]
    pub error: Option<ApiError>,
}

/// One choice of a non-streaming response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompletionChoice {
    #[serde(deserialize_with = "lenient::object_or_default")]
    pub message: ResponseMessage,
    #[serde(
        deserialize_with = "lenient::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub finish_reason: Option<String>,
}

/// The message of a non-streaming choice. Tool calls are as lenient as streamed pieces because
/// some providers leave out ids or types here too.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResponseMessage {
    #[serde(
        deserialize_with = "lenient::content",
        skip_serializing_if = "Option::is_none"
    )]
    pub content: Option<String>,
    #[serde(
        deserialize_with = "lenient::objects",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tool_calls: Vec<ToolCallDelta>,
}

/// One `data:` payload of a streamed response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChatChunk {
    #[serde(
        deserialize_with = "lenient::objects",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub choices: Vec<ChunkChoice>,
    #[serde(
        deserialize_with = "lenient::error",
        skip_serializing_if = "Option::is_none"
    )]
    pub error: Option<ApiError>,
}

/// One choice of a streamed chunk.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChunkChoice {
    #[serde(deserialize_with = "lenient::object_or_default")]
    pub delta: Delta,
    #[serde(
        deserialize_with = "lenient::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub finish_reason: Option<String>,
}

/// The incremental part of a streamed choice.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Delta {
    #[serde(
        deserialize_with = "lenient::content",
        skip_serializing_if = "Option::is_none"
    )]
    pub content: Option<String>,
    #[serde(
        deserialize_with = "lenient::objects",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tool_calls: Vec<ToolCallDelta>,
}

/// A piece of a tool call. Any field may be missing (see the assembler).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ToolCallDelta {
    #[serde(
        deserialize_with = "lenient::index",
        skip_serializing_if = "Option::is_none"
    )]
    pub index: Option<u32>,
    #[serde(
        deserialize_with = "lenient::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    #[serde(
        deserialize_with = "lenient::object",
        skip_serializing_if = "Option::is_none"
    )]
    pub function: Option<FunctionDelta>,
}

/// A piece of a tool call's function.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FunctionDelta {
    #[serde(
        deserialize_with = "lenient::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    #[serde(
        deserialize_with = "lenient::arguments",
        skip_serializing_if = "Option::is_none"
    )]
    pub arguments: Option<String>,
}

/// The error object of an error body or an in-stream error event:
/// `{"message", "type", "code"}`, `code` a string or a number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiError {
    #[serde(
        deserialize_with = "lenient::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub message: Option<String>,
    #[serde(
        rename = "type",
        deserialize_with = "lenient::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<String>,
    /// A numeric code is kept as its decimal text.
    #[serde(
        deserialize_with = "lenient::code",
        skip_serializing_if = "Option::is_none"
    )]
    pub code: Option<String>,
}

impl ApiError {
    /// The HTTP status this error stands for when it says the provider is overloaded or
    /// rate-limited, so that it is retried and worded like that status: a numeric `code` (or
    /// `type`) of 429 or 500–599 is that status, `overloaded` is 529 and `rate_limit` is 429.
    /// `None` for any other error.
    pub fn overload_status(&self) -> Option<u16> {
        [&self.code, &self.kind]
            .into_iter()
            .flatten()
            .find_map(|value| {
                let value = value.trim().to_ascii_lowercase();
                match value.parse::<u16>() {
                    Ok(status @ (429 | 500..=599)) => Some(status),
                    Ok(_) => None,
                    Err(_) if value.contains("overloaded") => Some(529),
                    Err(_) if value.contains("rate_limit") => Some(429),
                    Err(_) => None,
                }
            })
    }

    /// A one-line description for developers.
    pub fn describe(&self) -> String {
        let message = self
            .message
            .as_deref()
            .unwrap_or("the provider reported an error");
        match (&self.kind, &self.code) {
            (_, Some(code)) => format!("{message} ({code})"),
            (Some(kind), _) => format!("{message} ({kind})"),
            _ => message.to_owned(),
        }
    }
}

/// One part of a message whose `content` is a list: `{"type": "text", "text": "..."}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ContentPart {
    #[serde(rename = "type", deserialize_with = "lenient::string")]
    kind: Option<String>,
    #[serde(deserialize_with = "lenient::string")]
    text: Option<String>,
}

impl ContentPart {
    /// The part's text, when it is a text part (a part without a type counts as one).
    pub(super) fn into_text(self) -> Option<String> {
        match self.kind.as_deref() {
            None | Some("text") => self.text,
            Some(_) => None,
        }
    }
}
