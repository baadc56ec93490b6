//! The panel's header: its title, "talk to a person", "new conversation" and close.

use leptos::prelude::*;

use crate::strings::Strings;

/// The coloured bar at the top of the panel.
#[component]
pub fn Header(
    /// The panel's title.
    title: String,
    /// Opens the hand-off form.
    on_handoff: Callback<()>,
    /// Asks whether to start over.
    on_reset: Callback<()>,
    /// Closes the panel.
    on_close: Callback<()>,
) -> impl IntoView {
    let t = expect_context::<&'static Strings>();
    view! {
        <header class="sw-header" part="header">
            <h2 class="sw-title" id="sw-title">{title}</h2>
            <button type="button" class="sw-icon" data-testid="handoff" aria-label=t.talk_to_person.clone()
                title=t.talk_to_person.clone() on:click=move |_| on_handoff.run(())>
                <svg viewBox="0 0 24 24" aria-hidden="true">
                    <path d="M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm0 2c-3.3 0-8 1.7-8 5v1h16v-1c0-3.3-4.7-5-8-5z"/>
                </svg>
            </button>
            <button type="button" class="sw-icon" data-testid="reset" aria-label=t.new_conversation.clone()
                title=t.new_conversation.clone() on:click=move |_| on_reset.run(())>
                <svg viewBox="0 0 24 24" aria-hidden="true">
                    <path d="M12 5V2L7 6l5 4V7a6 6 0 1 1-6 6H4a8 8 0 1 0 8-8z"/>
                </svg>
            </button>
            <button type="button" class="sw-icon" data-testid="close" aria-label=t.close_chat.clone()
                on:click=move |_| on_close.run(())>
                <svg viewBox="0 0 24 24" aria-hidden="true">
                    <path d="M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z"/>
                </svg>
            </button>
        </header>
    }
}
