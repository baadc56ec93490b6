//! The chat panel: header, the reset question, the log, starter questions, errors with Retry,
//! the composer and the store's disclaimer. Kept in the DOM while closed so the scroll
//! position and the text being written survive.

use leptos::html::Textarea;
use leptos::prelude::*;

use super::composer::Composer;
use super::error_banner::ErrorBanner;
use super::header::Header;
use super::message_list::MessageList;
use super::reset_confirm::ResetConfirm;
use super::starters::Starters;
use crate::chat::Chat;
use crate::strings::Strings;

/// The chat window's contents.
#[component]
pub fn Panel(
    /// The panel's title.
    title: String,
    /// The greeting shown first.
    greeting: String,
    /// The starter questions of an empty conversation.
    starters: Vec<String>,
    /// The store's line under the composer, if any.
    disclaimer: Option<String>,
    /// Closes the panel (and returns focus to the launcher).
    on_close: Callback<()>,
    /// The composer's message box, focused on open.
    composer: NodeRef<Textarea>,
    /// Whether the panel is open.
    open: RwSignal<bool>,
) -> impl IntoView {
    let t = expect_context::<&'static Strings>();
    let chat = expect_context::<Chat>();
    let confirming = RwSignal::new(false);
    // The message box gets focus back when the question closes.
    Effect::new(move |was: Option<bool>| {
        let now = confirming.get();
        if !now && was == Some(true) {
            if let Some(textarea) = composer.get_untracked() {
                let _ = textarea.focus();
            }
        }
        now
    });
    let on_reset = Callback::new(move |()| confirming.set(true));
    let on_done = Callback::new(move |()| confirming.set(false));
    // The chip clicked goes away: the keyboard goes on in the message box.
    let on_pick = Callback::new(move |()| {
        if let Some(textarea) = composer.get_untracked() {
            let _ = textarea.focus();
        }
    });
    view! {
        <Header title on_reset on_close />
        <Show when=move || confirming.get()>
            <ResetConfirm on_done />
        </Show>
        <MessageList greeting open />
        <Starters questions=starters on_pick />
        <ErrorBanner />
        <Show when=move || chat.in_memory.get()>
            <p class="sw-hint">{t.in_memory.clone()}</p>
        </Show>
        <Composer node_ref=composer />
        {disclaimer.map(|line| view! { <p class="sw-disclaimer" data-testid="disclaimer">{line}</p> })}
    }
}
