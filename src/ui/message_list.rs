//! The conversation log: finished messages (announced once each by the live region), the
//! streaming reply (hidden from screen readers and inert until it is finished), a status line
//! that is always mounted so changes to it are announced, and auto-scroll that stops while the
//! customer reads further up.

use leptos::html::Div;
use leptos::prelude::*;
use support_core::Phase;

use super::markdown::Markdown;
use super::message::MessageView;
use super::strings;
use crate::chat::Chat;

/// How close to the bottom still counts as "at the bottom", in pixels.
const STICKY_PX: i32 = 48;

/// The scrolling list of messages.
#[component]
pub fn MessageList(
    /// The chat to show.
    chat: Chat,
    /// The greeting shown first.
    greeting: String,
    /// Whether the panel is open: a hidden list cannot be scrolled, so opening scrolls it.
    #[prop(into)]
    open: Signal<bool>,
) -> impl IntoView {
    let t = strings();
    let log = NodeRef::<Div>::new();
    let stick = StoredValue::new(true);
    let waiting = Memo::new(move |_| match chat.phase.get() {
        Phase::Waiting { .. } | Phase::Streaming { .. } => chat.draft.with(String::is_empty),
        Phase::RunningTools { .. } => true,
        Phase::Idle | Phase::Failed(_) => false,
    });
    let status = Memo::new(move |_| match (waiting.get(), chat.tool_activity.get()) {
        (false, _) => "",
        (true, Some(_)) => t.looking_up,
        (true, None) => t.typing,
    });
    // Where the widget last scrolled the list to: only the customer moving up from there stops
    // the following, not a scroll event of the widget's own that lands after more text came.
    let followed_to = StoredValue::new(0i32);
    // Follows new text while the customer is at the bottom. A list that is not laid out (drawn
    // while the panel was hidden, or shown by the change that ran this) cannot be scrolled, so
    // then the follow waits for the next frame.
    Effect::new(move |_| {
        chat.entries.track();
        chat.draft.track();
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
    let on_scroll = move |_| {
        if let Some(el) = log.get_untracked() {
            let at_bottom = el.scroll_height() - el.scroll_top() - el.client_height() < STICKY_PX;
            let moved_up = el.scroll_top() < followed_to.get_value();
            if at_bottom {
                // Also where a shrinking list (the streaming bubble going away) left it.
                followed_to.set_value(el.scroll_top());
            }
            stick.set_value(at_bottom || (stick.get_value() && !moved_up));
        }
    };
    view! {
        <div class="sw-log" node_ref=log on:scroll=on_scroll>
            <div role="log" aria-live="polite" aria-relevant="additions" aria-label=t.conversation>
                <div class="sw-msg sw-assistant sw-greeting"><p>{greeting}</p></div>
                <For
                    each=move || chat.entries.get()
                    key=|entry| entry.id.clone()
                    children=move |entry| view! { <MessageView entry /> }
                />
            </div>
            <Show when=move || !chat.draft.with(String::is_empty)>
                <div class="sw-msg sw-assistant sw-streaming" aria-hidden="true" inert="" data-testid="streaming">
                    <Markdown text=chat.draft />
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
