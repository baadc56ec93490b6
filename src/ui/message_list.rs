//! The conversation log: finished messages (announced once each by the live region), the
//! streaming reply (hidden from screen readers and inert until it is finished), a status line
//! that is always mounted so changes to it are announced, and auto-scroll that stops while the
//! customer reads further up.

use std::hash::{DefaultHasher, Hash, Hasher};

use leptos::html::Div;
use leptos::prelude::*;
use support_core::help::cited_sources;
use support_core::{Entry, Phase};

use super::markdown::Markdown;
use super::message::MessageView;
use super::pending_action::PendingAction;
use crate::chat::Chat;
use crate::strings::Strings;

/// How close to the bottom still counts as "at the bottom", in pixels.
const STICKY_PX: i32 = 48;

/// The scrolling list of messages.
#[component]
pub fn MessageList(
    /// The greeting shown first.
    greeting: String,
    /// Whether the panel is open: a hidden list cannot be scrolled, so opening scrolls it.
    open: RwSignal<bool>,
) -> impl IntoView {
    let t = expect_context::<&'static Strings>();
    let chat = expect_context::<Chat>();
    let log = NodeRef::<Div>::new();
    let waiting = Memo::new(move |_| match chat.phase.get() {
        Phase::Waiting { .. } | Phase::Streaming { .. } => chat.draft.with(String::is_empty),
        Phase::RunningTools { .. } => true,
        Phase::Idle | Phase::Failed(_) | Phase::Confirming(_) => false,
    });
    let status = status_line(chat, waiting, t);
    // Each entry with the articles it was built on, found in the history's tool results.
    let shown = move || {
        chat.entries.with(|entries| {
            let sources = cited_sources(entries);
            entries.iter().cloned().zip(sources).collect::<Vec<_>>()
        })
    };
    let streaming = draft_per_frame(chat);
    let on_scroll = follow_new_text(log, chat, streaming, waiting, open);
    view! {
        // Focusable, so a keyboard can scroll back through a long conversation; a named region,
        // so a screen reader says what it landed on. The live log inside announces each
        // finished message once.
        <div class="sw-log" tabindex="0" role="region" aria-label=t.conversation.clone()
            node_ref=log on:scroll=on_scroll>
            <div role="log" aria-live="polite" aria-relevant="additions" aria-label=t.conversation.clone()>
                <div class="sw-msg sw-assistant sw-greeting"><p dir="auto">{greeting}</p></div>
                <For each=shown key=|(entry, _)| entry_key(entry) let:((entry, sources))>
                    <MessageView entry sources />
                </For>
            </div>
            <PendingAction />
            <Show when=move || !chat.draft.with(String::is_empty) && !streaming.with(String::is_empty)>
                <div class="sw-msg sw-assistant sw-streaming" aria-hidden="true" inert="" data-testid="streaming">
                    <Markdown text=Signal::from(streaming) />
                </div>
            </Show>
            <Show when=move || waiting.get()>
                <div class="sw-typing" aria-hidden="true" data-testid="typing">
                    <span class="sw-dots"><i></i><i></i><i></i></span>
                    <span class="sw-typing-label">{move || status.get()}</span>
                </div>
            </Show>
            <p class="sw-sr" role="status">{move || status.get()}</p>
        </div>
    }
}

/// What the status line says: typing, looking an order up, searching the articles, or
/// nothing. Changes only when the words do (not for every token), so it is announced once.
fn status_line(chat: Chat, waiting: Memo<bool>, t: &'static Strings) -> Memo<String> {
    Memo::new(move |_| {
        let tool = chat.tool_activity.get();
        match (waiting.get(), tool.as_deref()) {
            (false, _) => String::new(),
            (true, Some(support_core::tools::SEARCH_HELP)) => t.searching_help.clone(),
            (true, Some(_)) => t.looking_up.clone(),
            (true, None) => t.typing.clone(),
        }
    })
}

/// An entry's key: its id and a fingerprint of what it holds, so an entry that stays as it is
/// keeps its node (and is not announced again), and one whose content changed under the same
/// id (a merge with another tab) is drawn anew.
fn entry_key(entry: &Entry) -> (String, u64) {
    let mut hasher = DefaultHasher::new();
    serde_json::to_string(entry)
        .unwrap_or_default()
        .hash(&mut hasher);
    (entry.id.clone(), hasher.finish())
}

/// The reply arriving now, as the screen shows it: updated at most once a frame however fast
/// its pieces come, so a fast stream costs one parse, one redraw and one scroll a frame, not
/// one for every piece.
fn draft_per_frame(chat: Chat) -> ReadSignal<String> {
    let (shown, set_shown) = signal(chat.draft.get_untracked());
    let queued = StoredValue::new(false);
    Effect::new(move |_| {
        chat.draft.track();
        if queued.get_value() {
            return;
        }
        queued.set_value(true);
        request_animation_frame(move || {
            // The widget may have gone meanwhile.
            if queued.try_update_value(|q| *q = false).is_none() {
                return;
            }
            if let Some(draft) = chat.draft.try_get_untracked() {
                set_shown.try_set(draft);
            }
        });
    });
    shown
}

/// Follows new text while the customer is at the bottom of `log`; returns the scroll handler
/// that notices the customer moving up. A list that is not laid out (drawn while the panel was
/// hidden, or shown by the change that ran this) cannot be scrolled, so then the follow waits
/// for the next frame.
fn follow_new_text(
    log: NodeRef<Div>,
    chat: Chat,
    streaming: ReadSignal<String>,
    waiting: Memo<bool>,
    open: RwSignal<bool>,
) -> impl Fn(leptos::ev::Event) + 'static {
    let stick = StoredValue::new(true);
    // Where the widget last scrolled the list to: only the customer moving up from there stops
    // the following, not a scroll event of the widget's own that lands after more text came.
    let followed_to = StoredValue::new(0i32);
    Effect::new(move |_| {
        chat.entries.track();
        streaming.track();
        waiting.track();
        if !open.get() {
            return;
        }
        let follow = move || {
            if let (Some(Some(el)), Some(true)) = (log.try_get_untracked(), stick.try_get_value()) {
                el.set_scroll_top(el.scroll_height());
                followed_to.set_value(el.scroll_top());
            }
        };
        match log.get_untracked() {
            Some(el) if el.client_height() > 0 => follow(),
            _ => request_animation_frame(follow),
        }
    });
    move |_| {
        if let Some(el) = log.get_untracked() {
            let at_bottom = el.scroll_height() - el.scroll_top() - el.client_height() < STICKY_PX;
            let moved_up = el.scroll_top() < followed_to.get_value();
            if at_bottom {
                // Also where a shrinking list (the streaming bubble going away) left it.
                followed_to.set_value(el.scroll_top());
            }
            stick.set_value(at_bottom || (stick.get_value() && !moved_up));
        }
    }
}
