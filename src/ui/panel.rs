//! The chat panel: header with title, "new conversation" and close; the log; errors with
//! Retry; the composer. Kept in the DOM while closed so scroll position and draft survive.

use leptos::html::{Button, Textarea};
use leptos::prelude::*;
use support_core::Phase;

use super::composer::Composer;
use super::message_list::MessageList;
use super::{strings, text};
use crate::chat::Chat;

/// The open chat window.
#[component]
pub fn Panel(
    /// The chat to show.
    chat: Chat,
    /// The panel's title.
    title: String,
    /// The greeting shown first.
    greeting: String,
    /// Closes the panel (and returns focus to the launcher).
    on_close: Callback<()>,
    /// The composer, focused on open.
    composer: NodeRef<Textarea>,
    /// Whether the panel is open.
    #[prop(into)]
    open: Signal<bool>,
) -> impl IntoView {
    let t = strings();
    let draft = RwSignal::new(String::new());
    let confirming = RwSignal::new(false);
    let cancel = NodeRef::<Button>::new();
    // The question takes focus when it opens; the message box gets it back when it closes.
    Effect::new(move |was_open: Option<bool>| {
        let open = confirming.get();
        if open {
            if let Some(button) = cancel.get() {
                let _ = button.focus();
            }
        } else if was_open == Some(true) {
            if let Some(textarea) = composer.get_untracked() {
                let _ = textarea.focus();
            }
        }
        open
    });
    let error = Memo::new(move |_| match chat.phase.get() {
        Phase::Failed(error) => Some(error),
        _ => None,
    });
    Effect::new(move |_| {
        if let Some(error) = error.get() {
            web_sys::console::error_1(&text::console_detail(&error).into());
        }
    });
    view! {
        <header class="sw-header" part="header">
            <h2 class="sw-title" id="sw-title">{title}</h2>
            <button type="button" class="sw-icon" data-testid="reset" aria-label=t.new_conversation
                title=t.new_conversation on:click=move |_| confirming.set(true)>
                <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 5V2L7 6l5 4V7a6 6 0 1 1-6 6H4a8 8 0 1 0 8-8z"/></svg>
            </button>
            <button type="button" class="sw-icon" data-testid="close" aria-label=t.close_chat
                on:click=move |_| on_close.run(())>
                <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z"/></svg>
            </button>
        </header>
        <Show when=move || confirming.get()>
            <div class="sw-confirm" role="alertdialog" aria-label=t.new_conversation>
                <p>{t.confirm_reset}</p>
                <button type="button" class="sw-button sw-danger" data-testid="reset-confirm"
                    on:click=move |_| { chat.reset(); confirming.set(false); }>{t.clear}</button>
                <button type="button" class="sw-button" node_ref=cancel on:click=move |_| confirming.set(false)>{t.cancel}</button>
            </div>
        </Show>
        <MessageList chat greeting open />
        {move || error.get().map(|error| view! {
            <div class="sw-error" role="alert" data-testid="error">
                <p>{t.error_message(&error)}</p>
                <button type="button" class="sw-button" data-testid="retry" on:click=move |_| chat.retry()>{t.retry}</button>
            </div>
        })}
        <Show when=move || chat.in_memory.get()>
            <p class="sw-hint">{t.in_memory}</p>
        </Show>
        <Composer chat draft node_ref=composer />
    }
}
