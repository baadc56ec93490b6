//! Wire types for `POST {base}/chat/completions`, in OpenAI's names.
//!
//! Requests are strict: optional fields are left out when unset (absent, never `null`), and an
//! assistant message that only carries tool calls has no `content` key at all. Responses are
//! lenient: every field a "compatible" provider may omit is optional or defaulted, unknown
//! fields are ignored, and `arguments` sent as a JSON object instead of a string is accepted.

use crate::json::{Map, Number, Value};

/// The body of a chat completion request.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    pub model: String,
    pub messages: Vec<Message>,
    pub tools: Vec<ToolDefinition>,
    pub tool_choice: Option<ToolChoice>,
    pub stream: Option<bool>,
    pub max_tokens: Option<u32>,
    pub temperature: Option<f64>,
}

/// One message of the conversation, tagged by its `role`.
#[derive(Debug, Clone, PartialEq)]
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
        content: Option<String>,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    System,
    User,
    Assistant,
    Tool,
}

/// A complete tool call, as the model sent it and as it is echoed back in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCall {
    pub id: String,
    pub kind: String,
    pub function: FunctionCall,
}

fn function_type() -> String {
    "function".to_owned()
}

/// The function half of a tool call. `arguments` stays the original string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionCall {
    pub name: String,
    pub arguments: String,
}

/// A tool offered to the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolDefinition {
    pub kind: String,
    pub function: FunctionDefinition,
}

/// The schema half of a tool definition.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionDefinition {
    pub name: String,
    pub description: String,
    pub parameters: Value,
}

/// Whether and how the model may call tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolChoice {
    Auto,
    None,
    Required,
}

/// A non-streaming response.
#[derive(Debug, Clone, Default)]
pub struct ChatCompletion {
    pub choices: Vec<CompletionChoice>,
    pub error: Option<ApiError>,
}

/// One choice of a non-streaming response.
#[derive(Debug, Clone, Default)]
pub struct CompletionChoice {
    pub message: ResponseMessage,
    pub finish_reason: Option<String>,
}

/// The message of a non-streaming choice. Everything is optional; tool calls are as lenient
/// as streamed pieces because some providers leave out ids or types here too.
#[derive(Debug, Clone, Default)]
pub struct ResponseMessage {
    pub content: Option<String>,
    pub tool_calls: Vec<ToolCallDelta>,
}

/// One `data:` payload of a streamed response.
#[derive(Debug, Clone, Default)]
pub struct ChatChunk {
    pub choices: Vec<ChunkChoice>,
    pub error: Option<ApiError>,
}

/// One choice of a streamed chunk.
#[derive(Debug, Clone, Default)]
pub struct ChunkChoice {
    pub delta: Delta,
    pub finish_reason: Option<String>,
}

/// The incremental part of a streamed choice.
#[derive(Debug, Clone, Default)]
pub struct Delta {
    pub content: Option<String>,
    pub tool_calls: Vec<ToolCallDelta>,
}

/// A piece of a tool call. Any field may be missing (see the assembler).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ToolCallDelta {
    pub index: Option<u32>,
    pub id: Option<String>,
    pub function: Option<FunctionDelta>,
}

/// A piece of a tool call's function.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FunctionDelta {
    pub name: Option<String>,
    pub arguments: Option<String>,
}

/// The error object of an error body or an in-stream error event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ApiError {
    pub message: Option<String>,
    pub kind: Option<String>,
    pub code: Option<Value>,
}

impl ApiError {
    /// A one-line description for developers.
    pub fn describe(&self) -> String {
        let message = self
            .message
            .as_deref()
            .unwrap_or("the provider reported an error");
        match (&self.kind, &self.code) {
            (_, Some(Value::String(code))) => format!("{message} ({code})"),
            (_, Some(Value::Number(code))) => format!("{message} ({code})"),
            (Some(kind), _) => format!("{message} ({kind})"),
            _ => message.to_owned(),
        }
    }
}

/// Why a JSON value does not have a wire type's shape.
pub type ShapeError = String;

fn shape(key: &str, expected: &str) -> ShapeError {
    format!("`{key}` must be {expected}")
}

fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Map, ShapeError> {
    value.as_object().ok_or_else(|| shape(what, "an object"))
}

/// A string field; absent or `null` is `None`.
fn opt_string(map: &Map, key: &str) -> Result<Option<String>, ShapeError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(shape(key, "a string")),
    }
}

fn string(map: &Map, key: &str) -> Result<String, ShapeError> {
    opt_string(map, key)?.ok_or_else(|| shape(key, "a string"))
}

/// A whole-number field; absent or `null` is `None`.
fn opt_u32(map: &Map, key: &str) -> Result<Option<u32>, ShapeError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| shape(key, "a whole number")),
    }
}

/// A list field; absent or `null` is empty.
fn list<T>(
    map: &Map,
    key: &str,
    item: impl Fn(&Value) -> Result<T, ShapeError>,
) -> Result<Vec<T>, ShapeError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().map(item).collect(),
        Some(_) => Err(shape(key, "a list")),
    }
}

/// An object field read with `read`; absent or `null` is `None`.
fn opt_object<T>(
    map: &Map,
    key: &str,
    read: impl Fn(&Value) -> Result<T, ShapeError>,
) -> Result<Option<T>, ShapeError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => read(value).map(Some),
    }
}

/// Arguments as the string they should be, or any other JSON value re-encoded as a string.
fn lenient_arguments(map: &Map) -> Option<String> {
    match map.get("arguments") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.encode()),
    }
}

impl ChatRequest {
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("model", Value::from(&self.model));
        map.insert(
            "messages",
            Value::Array(self.messages.iter().map(Message::to_json).collect()),
        );
        if !self.tools.is_empty() {
            let tools = self.tools.iter().map(ToolDefinition::to_json).collect();
            map.insert("tools", Value::Array(tools));
        }
        if let Some(choice) = self.tool_choice {
            map.insert("tool_choice", Value::from(choice.as_str()));
        }
        if let Some(stream) = self.stream {
            map.insert("stream", Value::Bool(stream));
        }
        if let Some(max) = self.max_tokens {
            map.insert("max_tokens", Value::from(max));
        }
        if let Some(t) = self.temperature {
            // Three decimals are all a sampling temperature needs.
            let thousandths = (t.clamp(0.0, 1e6) * 1000.0).round() as u64;
            map.insert(
                "temperature",
                Value::Number(Number::from_thousandths(thousandths)),
            );
        }
        Value::Object(map)
    }

    pub fn from_json(value: &Value) -> Result<Self, ShapeError> {
        let map = object(value, "the request")?;
        let temperature = match map.get("temperature") {
            None | Some(Value::Null) => None,
            Some(v) => Some(v.as_f64().ok_or_else(|| shape("temperature", "a number"))?),
        };
        let stream = match map.get("stream") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_bool()
                    .ok_or_else(|| shape("stream", "true or false"))?,
            ),
        };
        if !matches!(map.get("messages"), Some(Value::Array(_))) {
            return Err(shape("messages", "a list"));
        }
        Ok(ChatRequest {
            model: string(map, "model")?,
            messages: list(map, "messages", Message::from_json)?,
            tools: list(map, "tools", ToolDefinition::from_json)?,
            tool_choice: opt_object(map, "tool_choice", ToolChoice::from_json)?,
            stream,
            max_tokens: opt_u32(map, "max_tokens")?,
            temperature,
        })
    }
}

impl Message {
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("role", Value::from(self.role().as_str()));
        match self {
            Message::System { content } | Message::User { content } => {
                map.insert("content", Value::from(content));
            }
            Message::Assistant {
                content,
                tool_calls,
            } => {
                if let Some(content) = content {
                    map.insert("content", Value::from(content));
                }
                if !tool_calls.is_empty() {
                    let calls = tool_calls.iter().map(ToolCall::to_json).collect();
                    map.insert("tool_calls", Value::Array(calls));
                }
            }
            Message::Tool {
                tool_call_id,
                content,
            } => {
                map.insert("tool_call_id", Value::from(tool_call_id));
                map.insert("content", Value::from(content));
            }
        }
        Value::Object(map)
    }

    pub fn from_json(value: &Value) -> Result<Self, ShapeError> {
        let map = object(value, "a message")?;
        Ok(match map.get("role").and_then(Value::as_str) {
            Some("system") => Message::System {
                content: string(map, "content")?,
            },
            Some("user") => Message::User {
                content: string(map, "content")?,
            },
            Some("assistant") => Message::Assistant {
                content: opt_string(map, "content")?,
                tool_calls: list(map, "tool_calls", ToolCall::from_json)?,
            },
            Some("tool") => Message::Tool {
                tool_call_id: string(map, "tool_call_id")?,
                content: string(map, "content")?,
            },
            _ => return Err(shape("role", "system, user, assistant or tool")),
        })
    }
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

impl ToolCall {
    pub fn to_json(&self) -> Value {
        let mut function = Map::new();
        function.insert("name", Value::from(&self.function.name));
        function.insert("arguments", Value::from(&self.function.arguments));
        let mut map = Map::new();
        map.insert("id", Value::from(&self.id));
        map.insert("type", Value::from(&self.kind));
        map.insert("function", Value::Object(function));
        Value::Object(map)
    }

    pub fn from_json(value: &Value) -> Result<Self, ShapeError> {
        let map = object(value, "a tool call")?;
        let function = object(map.get("function").unwrap_or(&Value::Null), "function")?;
        Ok(ToolCall {
            id: string(map, "id")?,
            kind: opt_string(map, "type")?.unwrap_or_else(function_type),
            function: FunctionCall {
                name: string(function, "name")?,
                arguments: lenient_arguments(function).unwrap_or_default(),
            },
        })
    }
}

impl ToolDefinition {
    pub fn to_json(&self) -> Value {
        let mut function = Map::new();
        function.insert("name", Value::from(&self.function.name));
        function.insert("description", Value::from(&self.function.description));
        function.insert("parameters", self.function.parameters.clone());
        let mut map = Map::new();
        map.insert("type", Value::from(&self.kind));
        map.insert("function", Value::Object(function));
        Value::Object(map)
    }

    pub fn from_json(value: &Value) -> Result<Self, ShapeError> {
        let map = object(value, "a tool")?;
        let function = object(map.get("function").unwrap_or(&Value::Null), "function")?;
        Ok(ToolDefinition {
            kind: string(map, "type")?,
            function: FunctionDefinition {
                name: string(function, "name")?,
                description: string(function, "description")?,
                parameters: function
                    .get("parameters")
                    .cloned()
                    .ok_or_else(|| shape("parameters", "a schema"))?,
            },
        })
    }
}

impl ToolChoice {
    pub fn as_str(self) -> &'static str {
        match self {
            ToolChoice::Auto => "auto",
            ToolChoice::None => "none",
            ToolChoice::Required => "required",
        }
    }

    pub fn from_json(value: &Value) -> Result<Self, ShapeError> {
        match value.as_str() {
            Some("auto") => Ok(ToolChoice::Auto),
            Some("none") => Ok(ToolChoice::None),
            Some("required") => Ok(ToolChoice::Required),
            _ => Err(shape("tool_choice", "auto, none or required")),
        }
    }
}

impl ChatCompletion {
    pub fn from_json(value: &Value) -> Result<Self, ShapeError> {
        let map = object(value, "the response")?;
        Ok(ChatCompletion {
            choices: list(map, "choices", CompletionChoice::from_json)?,
            error: opt_object(map, "error", ApiError::from_json)?,
        })
    }
}

impl CompletionChoice {
    fn from_json(value: &Value) -> Result<Self, ShapeError> {
        let map = object(value, "a choice")?;
        Ok(CompletionChoice {
            message: opt_object(map, "message", ResponseMessage::from_json)?.unwrap_or_default(),
            finish_reason: opt_string(map, "finish_reason")?,
        })
    }
}

impl ResponseMessage {
    fn from_json(value: &Value) -> Result<Self, ShapeError> {
        let map = object(value, "message")?;
        Ok(ResponseMessage {
            content: opt_string(map, "content")?,
            tool_calls: list(map, "tool_calls", ToolCallDelta::from_json)?,
        })
    }
}

impl ChatChunk {
    pub fn from_json(value: &Value) -> Result<Self, ShapeError> {
        let map = object(value, "the event")?;
        Ok(ChatChunk {
            choices: list(map, "choices", ChunkChoice::from_json)?,
            error: opt_object(map, "error", ApiError::from_json)?,
        })
    }
}

impl ChunkChoice {
    fn from_json(value: &Value) -> Result<Self, ShapeError> {
        let map = object(value, "a choice")?;
        Ok(ChunkChoice {
            delta: opt_object(map, "delta", Delta::from_json)?.unwrap_or_default(),
            finish_reason: opt_string(map, "finish_reason")?,
        })
    }
}

impl Delta {
    fn from_json(value: &Value) -> Result<Self, ShapeError> {
        let map = object(value, "delta")?;
        Ok(Delta {
            content: opt_string(map, "content")?,
            tool_calls: list(map, "tool_calls", ToolCallDelta::from_json)?,
        })
    }
}

impl ToolCallDelta {
    fn from_json(value: &Value) -> Result<Self, ShapeError> {
        let map = object(value, "a tool call")?;
        Ok(ToolCallDelta {
            index: opt_u32(map, "index")?,
            id: opt_string(map, "id")?,
            function: opt_object(map, "function", FunctionDelta::from_json)?,
        })
    }
}

impl FunctionDelta {
    fn from_json(value: &Value) -> Result<Self, ShapeError> {
        let map = object(value, "function")?;
        Ok(FunctionDelta {
            name: opt_string(map, "name")?,
            arguments: lenient_arguments(map),
        })
    }
}

impl ApiError {
    fn from_json(value: &Value) -> Result<Self, ShapeError> {
        if let Value::String(message) = value {
            return Ok(ApiError {
                message: Some(message.clone()),
                ..ApiError::default()
            });
        }
        let map = object(value, "error")?;
        Ok(ApiError {
            message: opt_string(map, "message")?,
            kind: opt_string(map, "type")?,
            code: map.get("code").filter(|c| !c.is_null()).cloned(),
        })
    }
}
