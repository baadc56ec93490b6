//! The one-line JSON summary of a response body, as `sse-replay` prints it.

use crate::json;
use crate::json::{Map, Value};

use crate::decode::{decode_pieces, Outcome, Reply};
use crate::tools::ToolRegistry;

/// `{"content", "tool_calls": [{"id", "name", "arguments"}], "outcome", "error"?}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub content: String,
    pub tool_calls: Vec<CallSummary>,
    pub outcome: &'static str,
    pub error: Option<String>,
}

/// One tool call; arguments are shown parsed when they are JSON, else as the raw string.
#[derive(Debug, Clone, PartialEq)]
pub struct CallSummary {
    pub id: String,
    pub name: String,
    pub arguments: Value,
}

/// Decodes `body` fed in pieces of `chunk_size` bytes (whole when `None`) with the default
/// tool registry, and summarises the reply.
pub fn replay(body: &[u8], chunk_size: Option<usize>) -> Summary {
    let registry = ToolRegistry::default();
    let size = chunk_size.unwrap_or(body.len()).max(1);
    summarize(&decode_pieces(body.chunks(size), &registry.names()))
}

pub fn summarize(reply: &Reply) -> Summary {
    let (outcome, error) = match &reply.outcome {
        Outcome::Complete => ("complete", None),
        Outcome::Truncated => ("truncated", None),
        Outcome::Error(message) => ("error", Some(message.clone())),
    };
    Summary {
        content: reply.content.clone(),
        tool_calls: reply
            .tool_calls
            .iter()
            .map(|c| CallSummary {
                id: c.id.clone(),
                name: c.function.name.clone(),
                arguments: json::parse(&c.function.arguments)
                    .unwrap_or_else(|_| Value::String(c.function.arguments.clone())),
            })
            .collect(),
        outcome,
        error,
    }
}

impl Summary {
    /// The summary as one JSON object, keys in the documented order.
    pub fn to_json(&self) -> Value {
        let calls = self
            .tool_calls
            .iter()
            .map(|c| {
                let mut call = Map::new();
                call.insert("id", Value::from(&c.id));
                call.insert("name", Value::from(&c.name));
                call.insert("arguments", c.arguments.clone());
                Value::Object(call)
            })
            .collect();
        let mut map = Map::new();
        map.insert("content", Value::from(&self.content));
        map.insert("tool_calls", Value::Array(calls));
        map.insert("outcome", Value::from(self.outcome));
        if let Some(error) = &self.error {
            map.insert("error", Value::from(error));
        }
        Value::Object(map)
    }
}
