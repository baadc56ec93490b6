//! The chat panel: header, the reset question, the log, starter questions, errors with Retry,
//! the composer and the store's disclaimer. Kept in the DOM while closed so the scroll
//! position and the text being written survive.

use leptos::html::Textarea;
use leptos::prelude::*;

use super::composer::{Composer, MessageBox};
use super::error_banner::ErrorBanner;
use super::handoff_form::HandoffForm;
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
    let message_box = MessageBox(composer);
    provide_context(message_box);
    let confirming = RwSignal::new(false);
    // The message box gets focus back when the question closes.
    Effect::new(move |was: Option<bool>| {
        let now = confirming.get();
        if !now && was == Some(true) {
            message_box.focus();
        }
        now
    });
    let on_reset = Callback::new(move |()| confirming.set(true));
    let handoff = handoff_from_header(chat, t, message_box);
    let on_done = Callback::new(move |()| confirming.set(false));
    // The chip clicked goes away: the keyboard goes on in the message box.
    let on_pick = Callback::new(move |()| message_box.focus());
    view! {
        <Header title on_handoff=handoff.open on_reset on_close />
        <Show when=move || confirming.get()>
            <ResetConfirm on_done />
        </Show>
        <Show when=move || handoff.shown.get()>
            <HandoffForm id="sw-handoff-header" summary=t.handoff_summary.clone() email=chat.customer_email()
                on_send=handoff.send on_cancel=handoff.close sending=handoff.sending failed=handoff.failed />
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

/// The header's "Talk to a person": its form's state and what its buttons do.
#[derive(Clone, Copy)]
struct HeaderHandoff {
    shown: RwSignal<bool>,
    sending: RwSignal<bool>,
    failed: RwSignal<bool>,
    open: Callback<()>,
    send: Callback<String>,
    close: Callback<()>,
}

/// Sends the conversation to a person without the model: on success the confirmation joins
/// the conversation and the form closes; on failure the form stays, saying so.
fn handoff_from_header(chat: Chat, t: &'static Strings, message_box: MessageBox) -> HeaderHandoff {
    let shown = RwSignal::new(false);
    let sending = RwSignal::new(false);
    let failed = RwSignal::new(false);
    let close = Callback::new(move |()| {
        shown.set(false);
        message_box.focus();
    });
    let open = Callback::new(move |()| {
        failed.set(false);
        shown.set(true);
    });
    let send = Callback::new(move |email: String| {
        sending.set(true);
        chat.remember_email(&email);
        leptos::task::spawn_local(async move {
            let sent = chat.hand_off(email, t.handoff_summary.clone()).await;
            if sending.try_set(false).is_some() {
                return;
            }
            match sent {
                Ok(receipt) => {
                    chat.note(receipt.confirmation(&t.handoff_sent, &t.handoff_sent_page));
                    close.run(());
                }
                Err(_) => failed.set(true),
            }
        });
    });
    HeaderHandoff {
        shown,
        sending,
        failed,
        open,
        send,
        close,
    }
}
