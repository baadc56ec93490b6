//! The message box: Enter sends, Shift+Enter adds a line; Stop while a reply streams. Send
//! with nothing to send is `aria-disabled`, not disabled, so a focused Stop that turns into it
//! does not drop focus to the page.

use leptos::html::{Button, Textarea};
use leptos::prelude::*;

use crate::chat::Chat;
use crate::strings::Strings;

/// The message box, for the parts that hand the keyboard back to it when they are done or go
/// away (Retry, a card answered, a form sent or cancelled); provided by the panel.
#[derive(Clone, Copy)]
pub struct MessageBox(pub NodeRef<Textarea>);

impl MessageBox {
    /// Moves focus to the message box.
    pub fn focus(self) {
        if let Some(textarea) = self.0.get_untracked() {
            let _ = textarea.focus();
        }
    }
}

/// The paper plane of Send and the square of Stop.
const SEND_ICON: &str = "M3 20.5 21 12 3 3.5v6.6l12 1.9-12 1.9z";
const STOP_ICON: &str = "M8 6h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2z";

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
    let focus = move || MessageBox(node_ref).focus();
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
            <SendOrStop empty message_box=MessageBox(node_ref) />
        </form>
    }
}

/// One button that is Send or Stop, so it keeps focus when a reply starts or ends; a focused
/// Stop whose reply ended hands the keyboard to the message box.
#[component]
fn SendOrStop(
    /// True when there is nothing to send.
    empty: Memo<bool>,
    /// Where the keyboard goes after Stop.
    message_box: MessageBox,
) -> impl IntoView {
    let t = expect_context::<&'static Strings>();
    let chat = expect_context::<Chat>();
    let button = NodeRef::<Button>::new();
    Effect::new(move |was_busy: Option<bool>| {
        let busy = chat.busy.get();
        let focused = button.get_untracked().is_some_and(|b| has_focus(&b));
        if was_busy == Some(true) && !busy && focused {
            message_box.focus();
        }
        busy
    });
    let on_click = move |ev: leptos::ev::MouseEvent| {
        if chat.busy.get_untracked() {
            ev.prevent_default();
            chat.stop();
            message_box.focus();
        }
    };
    view! {
        <button type="submit" node_ref=button on:click=on_click
            class=move || if chat.busy.get() { "sw-stop" } else { "sw-send" }
            data-testid=move || if chat.busy.get() { "stop" } else { "send" }
            aria-label=move || if chat.busy.get() { t.stop.clone() } else { t.send.clone() }
            aria-disabled=move || (!chat.busy.get() && empty.get()).then_some("true")>
            <svg viewBox="0 0 24 24" aria-hidden="true">
                <path d=move || if chat.busy.get() { STOP_ICON } else { SEND_ICON } />
            </svg>
        </button>
    }
}

/// True when `element` has focus (in its shadow root, if it is in one).
pub fn has_focus(element: &web_sys::HtmlElement) -> bool {
    use wasm_bindgen::JsCast;
    let active = match element.get_root_node().dyn_ref::<web_sys::ShadowRoot>() {
        Some(shadow) => shadow.active_element(),
        None => web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element()),
    };
    active.is_some_and(|a| &a == element.unchecked_ref::<web_sys::Element>())
}
