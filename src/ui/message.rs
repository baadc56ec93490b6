//! One entry of the conversation: a bubble, an order card, or nothing (tool plumbing).

use support_core::orders::Order;
use support_core::{Entry, EntryStatus, Message};
use web_sys::{Document, Element};

use super::dom::{add_with_text, create};
use super::markdown::markdown;
use super::order_card::order_card;
use super::Strings;

/// Draws one history entry; `None` for entries the customer does not see.
pub fn message(document: &Document, entry: &Entry, t: &Strings) -> Option<Element> {
    match &entry.message {
        Message::User { content } => {
            let bubble = bubble(document, "user", t.you)?;
            add_with_text(document, &bubble, "p", &[("class", "sw-plain")], content)?;
            Some(bubble)
        }
        Message::Assistant {
            content: Some(content),
            ..
        } if !content.trim().is_empty() => {
            let bubble = bubble(document, "assistant", t.assistant)?;
            let text = markdown(document, content)?;
            bubble.append_child(&text).ok()?;
            let note = match entry.status {
                EntryStatus::Complete => None,
                EntryStatus::Stopped => Some(t.stopped),
                EntryStatus::Interrupted => Some(t.interrupted),
            };
            if let Some(note) = note {
                add_with_text(document, &bubble, "span", &[("class", "sw-note")], note)?;
            }
            Some(bubble)
        }
        Message::Tool { content, .. } => {
            let order = support_core::json::parse(content)
                .map_err(|e| e.to_string())
                .and_then(|v| Order::from_json(&v))
                .ok()?;
            order_card(document, &order, t)
        }
        _ => None,
    }
}

/// A message bubble for `role`, starting with who speaks for screen readers.
fn bubble(document: &Document, role: &str, speaker: &str) -> Option<Element> {
    let (class, part) = if role == "user" {
        ("sw-msg sw-user", "message user-message")
    } else {
        ("sw-msg sw-assistant", "message assistant-message")
    };
    let bubble = create(
        document,
        "div",
        &[
            ("class", class),
            ("part", part),
            ("data-testid", "message"),
            ("data-role", role),
        ],
    )?;
    let mut said = String::with_capacity(speaker.len() + 1);
    said.push_str(speaker);
    said.push(' ');
    add_with_text(document, &bubble, "span", &[("class", "sw-sr")], &said)?;
    Some(bubble)
}
