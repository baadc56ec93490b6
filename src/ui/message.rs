//! One entry of the conversation: a bubble, an order card, or nothing (tool plumbing).

use leptos::prelude::*;
use support_core::orders::Order;
use support_core::{Entry, EntryStatus, Message};

use super::markdown::Markdown;
use super::order_card::OrderCard;
use super::strings;

/// Shows one history entry.
#[component]
pub fn MessageView(
    /// The entry to show.
    entry: Entry,
) -> impl IntoView {
    let t = strings();
    let note = match entry.status {
        EntryStatus::Complete => None,
        EntryStatus::Stopped => Some(t.stopped),
        EntryStatus::Interrupted => Some(t.interrupted),
    };
    match entry.message {
        Message::User { content } => view! {
            <div class="sw-msg sw-user" part="message user-message" data-testid="message" data-role="user">
                <span class="sw-sr">{t.you}" "</span>
                <p class="sw-plain">{content}</p>
            </div>
        }
        .into_any(),
        Message::Assistant {
            content: Some(content),
            ..
        } if !content.trim().is_empty() => view! {
            <div class="sw-msg sw-assistant" part="message assistant-message" data-testid="message" data-role="assistant">
                <span class="sw-sr">{t.assistant}" "</span>
                <Markdown text=content />
                {note.map(|n| view! { <span class="sw-note">{n}</span> })}
            </div>
        }
        .into_any(),
        Message::Tool { content, .. } => match support_core::json::parse(&content)
            .map_err(|e| e.to_string())
            .and_then(|v| Order::from_json(&v))
        {
            Ok(order) => view! { <OrderCard order /> }.into_any(),
            Err(_) => ().into_any(),
        },
        _ => ().into_any(),
    }
}
