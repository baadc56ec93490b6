//! The one-line JSON summary of a response body, as `sse-replay` prints it.

use serde::Serialize;
use serde_json::Value;

use crate::decode::{decode_pieces, Outcome, Reply};
use crate::tools::ToolRegistry;

/// `{"content", "tool_calls": [{"id", "name", "arguments"}], "outcome", "error"?, "status"?,
/// "skipped_events"?}`, keys in that order; the optional ones only when there is something to
/// say.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub content: String,
    pub tool_calls: Vec<CallSummary>,
    pub outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The HTTP status an overload error stands for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Events that could not be read and were skipped.
    #[serde(skip_serializing_if = "is_zero")]
    pub skipped_events: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// One tool call; arguments are shown parsed when they are JSON, else as the raw string.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    let (outcome, error, status) = match &reply.outcome {
        Outcome::Complete => ("complete", None, None),
        Outcome::Truncated => ("truncated", None, None),
        Outcome::Stalled { .. } => ("stalled", None, None),
        Outcome::Error(message) => ("error", Some(message.clone()), None),
        Outcome::Overloaded { status, detail } => {
            ("overloaded", Some(detail.clone()), Some(*status))
        }
    };
    Summary {
        content: reply.content.clone(),
        tool_calls: reply
            .tool_calls
            .iter()
            .map(|c| CallSummary {
                id: c.id.clone(),
                name: c.function.name.clone(),
                arguments: serde_json::from_str(&c.function.arguments)
                    .unwrap_or_else(|_| Value::String(c.function.arguments.clone())),
            })
            .collect(),
        outcome,
        error,
        status,
        skipped_events: reply.skipped_events,
    }
}
