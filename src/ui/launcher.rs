//! The launcher bubble: opens and closes the panel, and shows how many replies are unread.

use leptos::html::Button;
use leptos::prelude::*;

use crate::strings::Strings;

/// The round button in the corner of the page.
#[component]
pub fn Launcher(
    /// Whether the panel is open.
    open: RwSignal<bool>,
    /// Replies that arrived while the panel was closed.
    #[prop(into)]
    unread: Signal<u32>,
    /// Closes the panel (and returns focus here).
    on_close: Callback<()>,
    /// The button, which focus returns to when the panel closes.
    node_ref: NodeRef<Button>,
) -> impl IntoView {
    let t = expect_context::<&'static Strings>();
    let label = Memo::new(move |_| match (open.get(), unread.get()) {
        (true, _) => t.close_chat.clone(),
        (false, 0) => t.open_chat.clone(),
        (false, n) => t.open_chat_unread(n),
    });
    let toggle = move |_| {
        if open.get_untracked() {
            on_close.run(());
        } else {
            open.set(true);
        }
    };
    view! {
        <button type="button" class="sw-launcher" part="launcher" data-testid="launcher" node_ref=node_ref
            aria-controls="sw-panel" aria-expanded=move || open.get().to_string()
            aria-label=move || label.get() on:click=toggle>
            <svg viewBox="0 0 24 24" aria-hidden="true">
                <path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/>
            </svg>
            <Show when=move || { unread.get() > 0 }>
                <span class="sw-unread" part="badge" data-testid="unread" aria-hidden="true">
                    {move || t.number(unread.get())}
                </span>
            </Show>
        </button>
    }
}
