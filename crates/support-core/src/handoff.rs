//! A hand-off to a person: what is sent (the customer's email, a summary, the conversation as
//! the customer saw it) and the receipt the conversation keeps.

use serde::{Deserialize, Serialize};

use crate::history::Entry;
use crate::protocol::Message;

/// The most messages a hand-off carries (the latest ones), and the longest one, in characters.
pub const MAX_LINES: usize = 200;
pub const MAX_LINE_CHARS: usize = 8000;

/// One message of the conversation as the customer saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// `user` or `assistant`.
    pub role: String,
    pub content: String,
}

/// What the widget sends: `POST /v1/handoffs` on the proxy, or the `handoff` page event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoffRequest {
    pub email: String,
    pub summary: String,
    pub conversation: Vec<Line>,
}

/// The tool result (and the proxy's answer) once a hand-off was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub ticket: Ticket,
    /// Where the team will reply (in the tool result; the proxy's answer leaves it out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl Receipt {
    /// The confirmation the customer reads, from a table with `{reference}` and `{email}`:
    /// `sent` when there is a reference, `handed_over` when the page's helpdesk took over.
    pub fn confirmation(&self, sent: &str, handed_over: &str) -> String {
        if self.ticket.reference.is_empty() {
            return handed_over.to_owned();
        }
        sent.replace("{reference}", &self.ticket.reference)
            .replace("{email}", self.email.as_deref().unwrap_or_default())
    }
}

/// A ticket's public part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// The reference the customer can quote.
    pub reference: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// The conversation as the customer saw it: their messages and the replies with text, without
/// tool plumbing, the latest [`MAX_LINES`], each cut to [`MAX_LINE_CHARS`].
pub fn transcript(entries: &[Entry]) -> Vec<Line> {
    let lines: Vec<Line> = entries
        .iter()
        .filter_map(|entry| {
            let (role, content) = match &entry.message {
                Message::User { content } => ("user", content.as_str()),
                Message::Assistant {
                    content: Some(content),
                    ..
                } => ("assistant", content.as_str()),
                _ => return None,
            };
            let content = content.trim();
            (!content.is_empty()).then(|| Line {
                role: role.to_owned(),
                content: content.chars().take(MAX_LINE_CHARS).collect(),
            })
        })
        .collect();
    let skip = lines.len().saturating_sub(MAX_LINES);
    lines.into_iter().skip(skip).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::EntryStatus;
    use crate::protocol::ToolCall;

    fn entry(n: usize, message: Message) -> Entry {
        Entry {
            id: format!("e{n}"),
            at_ms: n as u64,
            message,
            status: EntryStatus::Complete,
        }
    }

    #[test]
    fn the_transcript_keeps_what_the_customer_saw() {
        let call: ToolCall =
            serde_json::from_value(serde_json::json!({"id": "c", "type": "function",
            "function": {"name": "lookup_order", "arguments": "{}"}}))
            .expect("call");
        let entries = vec![
            entry(0, Message::user("  where is ORD-1003? ")),
            entry(1, Message::assistant(String::new(), vec![call])),
            entry(2, Message::tool("c", "{}")),
            entry(
                3,
                Message::assistant("It is on its way.".to_owned(), Vec::new()),
            ),
        ];
        assert_eq!(
            transcript(&entries),
            [
                Line {
                    role: "user".into(),
                    content: "where is ORD-1003?".into()
                },
                Line {
                    role: "assistant".into(),
                    content: "It is on its way.".into()
                }
            ]
        );
    }

    #[test]
    fn the_transcript_is_bounded() {
        let entries: Vec<Entry> = (0..MAX_LINES + 5)
            .map(|n| entry(n, Message::user("é".repeat(MAX_LINE_CHARS + 1))))
            .collect();
        let lines = transcript(&entries);
        assert_eq!(lines.len(), MAX_LINES);
        assert_eq!(lines[0].content.chars().count(), MAX_LINE_CHARS);
    }
}
