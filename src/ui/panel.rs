//! The chat panel: header with title, "new conversation" and close; the log; errors with
//! Retry; the composer. Kept in the DOM while closed so scroll position and draft survive.

use leptos::prelude::*;
use support_core::Phase;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlTextAreaElement};

use super::composer::composer;
use super::dom::{add, add_icon, add_with_text, create, on, redraw, show};
use super::message_list::message_list;
use super::{text, Action, Strings};
use crate::chat::Chat;

const RESET_ICON: &str = "M12 5V2L7 6l5 4V7a6 6 0 1 1-6 6H4a8 8 0 1 0 8-8z";
const CLOSE_ICON: &str =
    "M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z";

/// Draws the chat window into `section`; returns its message box, which the widget focuses
/// when the panel opens.
pub fn panel(
    section: &Element,
    chat: &Chat,
    title: &str,
    greeting: &str,
    on_close: Action,
    open: RwSignal<bool>,
    t: &'static Strings,
) -> Option<HtmlTextAreaElement> {
    let document = section.owner_document()?;
    let header = add(
        &document,
        section,
        "header",
        &[("class", "sw-header"), ("part", "header")],
    )?;
    add_with_text(
        &document,
        &header,
        "h2",
        &[("class", "sw-title"), ("id", "sw-title")],
        title,
    )?;
    let reset = add(
        &document,
        &header,
        "button",
        &[
            ("type", "button"),
            ("class", "sw-icon"),
            ("data-testid", "reset"),
            ("aria-label", t.new_conversation),
            ("title", t.new_conversation),
        ],
    )?;
    add_icon(&document, &reset, "path", &[("d", RESET_ICON)])?;
    let close = add(
        &document,
        &header,
        "button",
        &[
            ("type", "button"),
            ("class", "sw-icon"),
            ("data-testid", "close"),
            ("aria-label", t.close_chat),
        ],
    )?;
    add_icon(&document, &close, "path", &[("d", CLOSE_ICON)])?;

    let confirm = create(
        &document,
        "div",
        &[
            ("class", "sw-confirm"),
            ("role", "alertdialog"),
            ("aria-label", t.new_conversation),
        ],
    )?;
    add_with_text(&document, &confirm, "p", &[], t.confirm_reset)?;
    let clear = add_with_text(
        &document,
        &confirm,
        "button",
        &[
            ("type", "button"),
            ("class", "sw-button sw-danger"),
            ("data-testid", "reset-confirm"),
        ],
        t.clear,
    )?;
    let cancel = add_with_text(
        &document,
        &confirm,
        "button",
        &[("type", "button"), ("class", "sw-button")],
        t.cancel,
    )?;

    let log = message_list(&document, section, chat, greeting, open, t)?;

    let failure = create(
        &document,
        "div",
        &[
            ("class", "sw-error"),
            ("role", "alert"),
            ("data-testid", "error"),
        ],
    )?;
    let failure_text = add(&document, &failure, "p", &[])?;
    let retry = add_with_text(
        &document,
        &failure,
        "button",
        &[
            ("type", "button"),
            ("class", "sw-button"),
            ("data-testid", "retry"),
        ],
        t.retry,
    )?;
    let hint = create(&document, "p", &[("class", "sw-hint")])?;
    hint.set_text_content(Some(t.in_memory));
    let (form, message_box) = composer(&document, section, chat, t)?;

    let confirming = RwSignal::new(false);
    on(&reset, "click", move |_| confirming.set(true));
    on(&close, "click", move |_| on_close());
    let clearing = chat.clone();
    on(&clear, "click", move |_| {
        clearing.reset();
        confirming.set(false);
    });
    on(&cancel, "click", move |_| confirming.set(false));
    let retrying = chat.clone();
    on(&retry, "click", move |_| retrying.retry());

    // The question takes focus when it opens; the message box gets it back when it closes.
    let parent = section.clone();
    let was_confirming = std::cell::Cell::new(false);
    let composer_box = message_box.clone();
    redraw(move || {
        let confirming = confirming.get();
        show(&parent, &confirm, &[&log], confirming);
        let focus = if confirming {
            cancel.dyn_ref::<HtmlElement>().cloned()
        } else if was_confirming.get() {
            Some(composer_box.clone().into())
        } else {
            None
        };
        was_confirming.set(confirming);
        if let Some(element) = focus {
            let _ = element.focus();
        }
    });

    // The phase changes only when the turn does, so each failure is shown and logged once.
    let parent = section.clone();
    let (in_memory_hint, composer_form, phase) = (hint.clone(), form.clone(), chat.phase);
    redraw(move || {
        let failed = phase.with(|phase| match phase {
            Phase::Failed(error) => {
                failure_text.set_text_content(Some(t.error_message(error)));
                web_sys::console::error_1(&text::console_detail(error).into());
                true
            }
            _ => false,
        });
        show(
            &parent,
            &failure,
            &[&in_memory_hint, &composer_form],
            failed,
        );
    });
    let (parent, in_memory) = (section.clone(), chat.in_memory);
    redraw(move || show(&parent, &hint, &[&form], in_memory.get()));
    Some(message_box)
}
