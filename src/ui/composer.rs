//! The message box: Enter sends, Shift+Enter adds a line; Stop while a reply streams.

use leptos::html::Textarea;
use leptos::prelude::*;

use crate::chat::Chat;
use crate::strings::Strings;

/// The composer at the bottom of the panel. The text being written stays while the panel is
/// closed.
#[component]
pub fn Composer(
    /// The message box, focused when the panel opens.
    node_ref: NodeRef<Textarea>,
) -> impl IntoView {
    let t = expect_context::<&'static Strings>();
    let chat = expect_context::<Chat>();
    let draft = RwSignal::new(String::new());
    let empty = Memo::new(move |_| draft.with(|d| d.trim().is_empty()));
    let focus = move || {
        if let Some(textarea) = node_ref.get_untracked() {
            let _ = textarea.focus();
        }
    };
    let submit = move || {
        if empty.get_untracked() || chat.busy.get_untracked() {
            return;
        }
        let message = draft.get_untracked();
        draft.set(String::new());
        chat.send(message);
        // The Send button gives way to Stop: keep the keyboard in the message box.
        focus();
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            submit();
        }
    };
    view! {
        <form class="sw-composer" part="composer" on:submit=move |ev| { ev.prevent_default(); submit(); }>
            <textarea node_ref=node_ref data-testid="composer" rows="1" maxlength="2000"
                aria-label=t.message_label.clone() placeholder=t.placeholder.clone()
                prop:value=move || draft.get()
                on:input=move |ev| draft.set(event_target_value(&ev))
                on:keydown=on_keydown
            ></textarea>
            <Show
                when=move || chat.busy.get()
                fallback=move || view! {
                    <button type="submit" class="sw-send" data-testid="send" aria-label=t.send.clone()
                        disabled=move || empty.get()>
                        <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M3 20.5 21 12 3 3.5v6.6l12 1.9-12 1.9z"/></svg>
                    </button>
                }
            >
                <button type="button" class="sw-stop" data-testid="stop" aria-label=t.stop.clone()
                    on:click=move |_| { chat.stop(); focus(); }>
                    <svg viewBox="0 0 24 24" aria-hidden="true"><rect x="6" y="6" width="12" height="12" rx="2"/></svg>
                </button>
            </Show>
        </form>
    }
}
