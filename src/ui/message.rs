//! One entry of the conversation: a bubble (a reply with its sources and rating buttons), an
//! order card, a hand-off's receipt, or nothing (tool plumbing).

use leptos::prelude::*;
use support_core::handoff::Receipt;
use support_core::help::Source;
use support_core::orders::Order;
use support_core::{Entry, EntryStatus, Message};

use super::feedback::Feedback;
use super::markdown::Markdown;
use super::order_card::OrderCard;
use super::sources::Sources;
use crate::strings::Strings;

/// Shows one history entry.
#[component]
pub fn MessageView(
    /// The entry to show.
    entry: Entry,
    /// The articles the reply was built on (empty for anything else).
    sources: Vec<Source>,
) -> impl IntoView {
    let t = expect_context::<&'static Strings>();
    let note = match entry.status {
        EntryStatus::Complete => None,
        EntryStatus::Stopped => Some(t.stopped.clone()),
        EntryStatus::Interrupted => Some(t.interrupted.clone()),
    };
    match entry.message {
        Message::User { content } => view! {
            <div class="sw-msg sw-user" part="message user-message" data-testid="message" data-role="user">
                <span class="sw-sr">{format!("{} ", t.you)}</span>
                <p class="sw-plain" dir="auto">{content}</p>
            </div>
        }
        .into_any(),
        Message::Assistant {
            content: Some(content),
            ..
        } if !content.trim().is_empty() => view! {
            <div class="sw-msg sw-assistant" part="message assistant-message" data-testid="message" data-role="assistant">
                <span class="sw-sr">{format!("{} ", t.assistant)}</span>
                <Markdown text=Signal::stored(content.clone()) />
                {note.map(|note| view! { <span class="sw-note">{note}</span> })}
                <Sources sources=sources.clone() />
            </div>
            <Feedback entry_id=entry.id.clone() text=content sources />
        }
        .into_any(),
        // The card is drawn from the lookup's result itself, never from the model's prose.
        Message::Tool { content, .. } => {
            if let Ok(order) = serde_json::from_str::<Order>(&content) {
                return view! { <OrderCard order /> }.into_any();
            }
            match serde_json::from_str::<Receipt>(&content) {
                Ok(receipt) => {
                    let text = receipt.confirmation(&t.handoff_sent, &t.handoff_sent_page);
                    view! { <p class="sw-receipt" data-testid="handoff-receipt">{text}</p> }.into_any()
                }
                Err(_) => ().into_any(),
            }
        }
        _ => ().into_any(),
    }
}
