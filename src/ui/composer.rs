//! The message box: Enter sends, Shift+Enter adds a line; Stop while a reply streams.

use leptos::html::Textarea;
use leptos::prelude::*;

use super::strings;
use crate::chat::Chat;

/// The composer at the bottom of the panel.
#[component]
pub fn Composer(
    /// The chat to send to.
    chat: Chat,
    /// The text being written; kept while the panel is closed.
    draft: RwSignal<String>,
    /// Focused when the panel opens.
    node_ref: NodeRef<Textarea>,
) -> impl IntoView {
    let t = strings();
    let busy = Memo::new(move |_| chat.is_busy());
    let submit = move || {
        let message = draft.get_untracked();
        if message.trim().is_empty() || busy.get_untracked() {
            return;
        }
        draft.set(String::new());
        chat.send(message);
        // The Send button gives way to Stop: keep the keyboard in the message box.
        if let Some(textarea) = node_ref.get_untracked() {
            let _ = textarea.focus();
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            submit();
        }
    };
    view! {
        <form class="sw-composer" part="composer" on:submit=move |ev| { ev.prevent_default(); submit(); }>
            <textarea
                node_ref=node_ref
                data-testid="composer"
                rows="1"
                maxlength="2000"
                aria-label=t.message_label
                placeholder=t.placeholder
                prop:value=move || draft.get()
                on:input=move |ev| draft.set(event_target_value(&ev))
                on:keydown=on_keydown
            ></textarea>
            <Show
                when=move || busy.get()
                fallback=move || view! {
                    <button type="submit" class="sw-send" data-testid="send" aria-label=t.send
                        disabled=move || draft.with(|d| d.trim().is_empty())>
                        <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M3 20.5 21 12 3 3.5v6.6l12 1.9-12 1.9z"/></svg>
                    </button>
                }
            >
                <button type="button" class="sw-stop" data-testid="stop" aria-label=t.stop on:click=move |_| {
                    chat.stop();
                    if let Some(textarea) = node_ref.get_untracked() {
                        let _ = textarea.focus();
                    }
                }>
                    <svg viewBox="0 0 24 24" aria-hidden="true"><rect x="6" y="6" width="12" height="12" rx="2"/></svg>
                </button>
            </Show>
        </form>
    }
}
