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
    // Follows new text while the customer is at the bottom. The scroll waits for the next
    // frame: the list may have been drawn while the panel was hidden, or be shown by the same
    // change that ran this, and only a laid-out list can be scrolled.
    Effect::new(move |_| {
        chat.entries.track();
        chat.draft.track();
        waiting.track();
        if !open.get() {
            return;
        }
        request_animation_frame(move || {
            if let Some(el) = log.get_untracked() {
                if stick.get_value() {
                    el.set_scroll_top(el.scroll_height());
                }
            }
        });
    });
    let on_scroll = move |_| {
        if let Some(el) = log.get() {
            stick.set_value(el.scroll_height() - el.scroll_top() - el.client_height() < STICKY_PX);
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
