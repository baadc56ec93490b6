//! The question before a new conversation: it takes focus when it opens.

use leptos::html::Button;
use leptos::prelude::*;

use crate::chat::Chat;
use crate::strings::Strings;

/// "Start over?" with Clear and Cancel.
#[component]
pub fn ResetConfirm(
    /// Closes the question (after either answer).
    on_done: Callback<()>,
) -> impl IntoView {
    let t = expect_context::<&'static Strings>();
    let chat = expect_context::<Chat>();
    let cancel = NodeRef::<Button>::new();
    Effect::new(move |_| {
        if let Some(button) = cancel.get() {
            let _ = button.focus();
        }
    });
    // Escape answers the question (as Cancel), and goes no further: the panel stays open.
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.stop_propagation();
            on_done.run(());
        }
    };
    view! {
        <div class="sw-confirm" role="alertdialog" aria-label=t.new_conversation.clone()
            aria-describedby="sw-confirm-text" on:keydown=on_keydown>
            <p id="sw-confirm-text">{t.confirm_reset.clone()}</p>
            <button type="button" class="sw-button sw-danger" data-testid="reset-confirm"
                on:click=move |_| { chat.reset(); on_done.run(()); }>{t.clear.clone()}</button>
            <button type="button" class="sw-button" node_ref=cancel
                on:click=move |_| on_done.run(())>{t.cancel.clone()}</button>
        </div>
    }
}
