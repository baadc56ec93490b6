//! What the page hears from the widget: `message` for every finished message (counting the
//! replies that arrive while the panel is closed as unread), `open`, `close`, `unread`, and
//! `error` when a turn fails.

use leptos::prelude::*;
use support_core::{Message, Phase};

use crate::chat::Chat;
use crate::host::{ErrorDetail, Host, MessageDetail, NoDetail, UnreadDetail};
use crate::strings::Strings;

/// Starts telling the page, for as long as the widget is mounted.
pub fn connect(
    chat: Chat,
    host: Host,
    open: RwSignal<bool>,
    unread: RwSignal<u32>,
    t: &'static Strings,
) {
    watch_messages(chat, open, unread, host);
    tell_the_page(host, open, unread, chat.phase, t);
}

/// Counts assistant messages that finish while the panel is closed, and tells the page about
/// every finished message. Messages restored from storage or written by another tab (counted
/// and told there) are neither.
fn watch_messages(chat: Chat, open: RwSignal<bool>, unread: RwSignal<u32>, host: Host) {
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
            if role == "assistant" && !open.get_untracked() {
                unread.update(|n| *n += 1);
            }
            host.emit("message", &MessageDetail { role, text: &text });
        }
    });
}

/// Tells the page when the panel opens or closes, the unread count changes or a turn fails.
fn tell_the_page(
    host: Host,
    open: RwSignal<bool>,
    unread: RwSignal<u32>,
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
