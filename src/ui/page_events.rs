//! What the page hears from the widget: `message` for every finished message, `open`,
//! `close`, `unread` (the count of replies that finished while the panel was closed, derived
//! here from the log), and `error` when a turn fails.

use leptos::prelude::*;
use support_core::{Message, Phase};

use crate::chat::Chat;
use crate::host::{ErrorDetail, Host, MessageDetail, NoDetail, UnreadDetail};
use crate::strings::Strings;

/// Starts telling the page, for as long as the widget is mounted; returns the unread count.
pub fn connect(chat: Chat, host: Host, open: RwSignal<bool>, t: &'static Strings) -> Memo<u32> {
    let unread = unread_replies(chat, open);
    watch_messages(chat, host);
    tell_the_page(host, open, unread, chat.phase, t);
    unread
}

/// This tab's replies that finished since the panel was last closed (or since the widget
/// started), while it stays closed. Messages restored from storage or written by another tab
/// (counted there) are not.
fn unread_replies(chat: Chat, open: RwSignal<bool>) -> Memo<u32> {
    let closed_at = RwSignal::new(crate::config::now_ms());
    Effect::new(move |was: Option<bool>| {
        let now = open.get();
        if was == Some(true) && !now {
            closed_at.set(crate::config::now_ms());
        }
        now
    });
    Memo::new(move |_| {
        if open.get() {
            return 0;
        }
        let since = closed_at.get();
        chat.entries.with(|entries| {
            let unread = entries
                .iter()
                .filter(|e| e.at_ms >= since && is_reply(&e.message) && chat.is_own(&e.id))
                .count();
            u32::try_from(unread).unwrap_or(u32::MAX)
        })
    })
}

/// A reply with words in it (not a tool call's empty message).
fn is_reply(message: &Message) -> bool {
    matches!(message, Message::Assistant { content: Some(content), .. } if !content.trim().is_empty())
}

/// Tells the page about every finished message. Messages restored from storage or written by
/// another tab (told there) are not.
fn watch_messages(chat: Chat, host: Host) {
    let seen: std::collections::HashSet<String> = chat
        .entries
        .with_untracked(|e| e.iter().map(|e| e.id.clone()).collect());
    let seen = StoredValue::new(seen);
    Effect::new(move |_| {
        // Collected first and told after: a page listener may change the conversation at once
        // (SupportWidget.reset()), which it cannot do while the entries are being read.
        let mut finished = Vec::new();
        chat.entries.with(|entries| {
            for entry in entries {
                let new = seen
                    .try_update_value(|s| s.insert(entry.id.clone()))
                    .unwrap_or(false);
                if !new || !chat.is_own(&entry.id) {
                    continue;
                }
                match &entry.message {
                    Message::User { content } => finished.push(("user", content.clone())),
                    Message::Assistant {
                        content: Some(content),
                        ..
                    } if !content.trim().is_empty() => {
                        finished.push(("assistant", content.clone()));
                    }
                    _ => {}
                }
            }
        });
        for (role, text) in finished {
            host.emit("message", &MessageDetail { role, text: &text });
        }
    });
}

/// Tells the page when the panel opens or closes, the unread count changes or a turn fails.
fn tell_the_page(
    host: Host,
    open: RwSignal<bool>,
    unread: Memo<u32>,
    phase: RwSignal<Phase>,
    t: &'static Strings,
) {
    // A panel that starts open (asked for before the widget loaded, or open on the previous
    // page) is an opening too.
    Effect::new(move |was: Option<bool>| {
        let now = open.get();
        if was.map_or(now, |was| was != now) {
            host.emit(if now { "open" } else { "close" }, &NoDetail {});
        }
        now
    });
    Effect::new(move |was: Option<u32>| {
        let count = unread.get();
        if was.is_some_and(|was| was != count) {
            host.emit("unread", &UnreadDetail { count });
        }
        count
    });
    let failure = Memo::new(move |_| match phase.get() {
        Phase::Failed(error) => Some(error),
        _ => None,
    });
    Effect::new(move |_| {
        if let Some(error) = failure.get() {
            let message = t.error_message(&error);
            host.emit(
                "error",
                &ErrorDetail {
                    message,
                    detail: error.to_string(),
                },
            );
        }
    });
}
