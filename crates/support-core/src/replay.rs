//! The one-line JSON summary of a response body, as `sse-replay` prints it.

use serde_json::{json, Map, Value};

use crate::decode::{decode_pieces, Outcome, Reply};
use crate::tools::ToolRegistry;

/// Decodes `body` fed in pieces of `chunk_size` bytes (whole when `None`) with the default
/// tool registry, and summarises the reply.
pub fn replay(body: &[u8], chunk_size: Option<usize>) -> Value {
    let registry = ToolRegistry::default();
    let names = registry.names();
    let size = chunk_size.unwrap_or(body.len()).max(1);
    summarize(&decode_pieces(body.chunks(size), &names))
}

/// `{"content", "tool_calls": [{"id", "name", "arguments"}], "outcome", "error"?}`; arguments
/// are shown parsed when they are JSON, else as the raw string.
pub fn summarize(reply: &Reply) -> Value {
    let calls: Vec<Value> = reply
        .tool_calls
        .iter()
        .map(|c| {
            let arguments = serde_json::from_str(&c.function.arguments)
                .unwrap_or_else(|_| Value::String(c.function.arguments.clone()));
            json!({"id": c.id, "name": c.function.name, "arguments": arguments})
        })
        .collect();
    let mut out = Map::new();
    out.insert("content".into(), Value::String(reply.content.clone()));
    out.insert("tool_calls".into(), Value::Array(calls));
    let outcome = match &reply.outcome {
        Outcome::Complete => "complete",
        Outcome::Truncated => "truncated",
        Outcome::Error(message) => {
            out.insert("error".into(), Value::String(message.clone()));
            "error"
        }
    };
    out.insert("outcome".into(), Value::String(outcome.into()));
    Value::Object(out)
}
