//! The message box: Enter sends, Shift+Enter adds a line; Stop while a reply streams.

use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlTextAreaElement, KeyboardEvent};

use super::dom::{add, add_icon, create, on, redraw, show};
use super::Strings;
use crate::chat::Chat;

const SEND_ICON: &str = "M3 20.5 21 12 3 3.5v6.6l12 1.9-12 1.9z";
const STOP_ICON: &[(&str, &str)] = &[
    ("x", "6"),
    ("y", "6"),
    ("width", "12"),
    ("height", "12"),
    ("rx", "2"),
];

/// Draws the composer at the end of `parent`; returns it and its message box. The text being
/// written stays while the panel is closed.
pub fn composer(
    document: &Document,
    parent: &Element,
    chat: &Chat,
    t: &'static Strings,
) -> Option<(Element, HtmlTextAreaElement)> {
    let form = add(
        document,
        parent,
        "form",
        &[("class", "sw-composer"), ("part", "composer")],
    )?;
    let textarea: HtmlTextAreaElement = add(
        document,
        &form,
        "textarea",
        &[
            ("data-testid", "composer"),
            ("rows", "1"),
            ("maxlength", "2000"),
            ("aria-label", t.message_label),
            ("placeholder", t.placeholder),
        ],
    )?
    .dyn_into()
    .ok()?;
    let send = create(
        document,
        "button",
        &[
            ("type", "submit"),
            ("class", "sw-send"),
            ("data-testid", "send"),
            ("aria-label", t.send),
            ("disabled", ""),
        ],
    )?;
    add_icon(document, &send, "path", &[("d", SEND_ICON)])?;
    let stop = create(
        document,
        "button",
        &[
            ("type", "button"),
            ("class", "sw-stop"),
            ("data-testid", "stop"),
            ("aria-label", t.stop),
        ],
    )?;
    add_icon(document, &stop, "rect", STOP_ICON)?;

    // Send is enabled only with something to send; the text itself lives in the textarea.
    let sendable = {
        let (send, textarea) = (send.clone(), textarea.clone());
        move || {
            let empty = textarea.value().trim().is_empty();
            let _ = send.toggle_attribute_with_force("disabled", empty);
        }
    };
    let submit = {
        let (textarea, sendable, chat) = (textarea.clone(), sendable.clone(), chat.clone());
        move || {
            let message = textarea.value();
            if message.trim().is_empty() || chat.is_busy_now() {
                return;
            }
            textarea.set_value("");
            sendable();
            chat.send(message);
            // The Send button gives way to Stop: keep the keyboard in the message box.
            let _ = textarea.focus();
        }
    };
    let on_submit = submit.clone();
    on(&form, "submit", move |event| {
        event.prevent_default();
        on_submit();
    });
    on(&textarea, "input", move |_| sendable());
    on(&textarea, "keydown", move |event| {
        let Some(key) = event.dyn_ref::<KeyboardEvent>() else {
            return;
        };
        if key.key() == "Enter" && !key.shift_key() && !key.is_composing() {
            event.prevent_default();
            submit();
        }
    });
    let (message_box, stopping) = (textarea.clone(), chat.clone());
    on(&stop, "click", move |_| {
        stopping.stop();
        let _ = message_box.focus();
    });

    let (buttons, chat) = (form.clone(), chat.clone());
    redraw(move || {
        let busy = chat.is_busy();
        show(&buttons, &stop, &[], busy);
        show(&buttons, &send, &[], !busy);
    });
    Some((form, textarea))
}
