//! The conversation log: finished messages (announced once each by the live region), the
//! streaming reply (hidden from screen readers and inert until it is finished), a status line
//! that is always mounted so changes to it are announced, and auto-scroll that stops while the
//! customer reads further up.

use std::cell::RefCell;

use leptos::prelude::*;
use support_core::{Entry, Phase};
use web_sys::{Document, Element};

use super::dom::{add, add_with_text, create, effect, on, redraw, show};
use super::markdown::{fill, markdown};
use super::message::message;
use super::{strings, Strings};
use crate::chat::Chat;

/// How close to the bottom still counts as "at the bottom", in pixels.
const STICKY_PX: i32 = 48;

/// Draws the scrolling list of messages at the end of `parent` and returns it. `open` tells
/// whether the panel is open: a hidden list cannot be scrolled, so opening scrolls it.
pub fn message_list(
    document: &Document,
    parent: &Element,
    chat: Chat,
    greeting: &str,
    open: Signal<bool>,
) -> Option<Element> {
    let t = strings();
    let log = add(document, parent, "div", &[("class", "sw-log")])?;
    let stick = StoredValue::new(true);
    let waiting = Memo::new(move |_| match chat.phase.get() {
        Phase::Waiting { .. } | Phase::Streaming { .. } => chat.draft.with(String::is_empty),
        Phase::RunningTools { .. } => true,
        Phase::Idle | Phase::Failed(_) => false,
    });
    let status = Memo::new(move |_| match (waiting.get(), chat.tool_activity.get()) {
        (false, _) => "",
        (true, Some(_)) => t.looking_up,
        (true, None) => t.typing,
    });
    draw(document, &log, chat, greeting, waiting, status, t)?;
    // Where the widget last scrolled the list to: only the customer moving up from there stops
    // the following, not a scroll event of the widget's own that lands after more text came.
    let followed_to = StoredValue::new(0i32);
    // Follows new text while the customer is at the bottom. A list that is not laid out (drawn
    // while the panel was hidden, or shown by the change that ran this) cannot be scrolled, so
    // then the follow waits for the next frame.
    let list = log.clone();
    effect(move || {
        chat.entries.track();
        chat.draft.track();
        waiting.track();
        if !open.get() {
            return;
        }
        let el = list.clone();
        let follow = move || {
            if stick.try_get_value() == Some(true) {
                el.set_scroll_top(el.scroll_height());
                followed_to.set_value(el.scroll_top());
            }
        };
        if list.client_height() > 0 {
            follow();
        } else {
            request_animation_frame(follow);
        }
    });
    let el = log.clone();
    on(&log, "scroll", move |_| {
        let at_bottom = el.scroll_height() - el.scroll_top() - el.client_height() < STICKY_PX;
        let moved_up = el.scroll_top() < followed_to.get_value();
        if at_bottom {
            // Also where a shrinking list (the streaming bubble going away) left it.
            followed_to.set_value(el.scroll_top());
        }
        stick.set_value(at_bottom || (stick.get_value() && !moved_up));
    });
    Some(log)
}

/// Draws the log inside `root`: the greeting and the finished messages (announced once each
/// by the live region), the streaming reply (hidden from screen readers and inert until it is
/// finished), the typing indicator, and a status line that is always there so changes to it
/// are announced.
fn draw(
    document: &Document,
    root: &Element,
    chat: Chat,
    greeting: &str,
    waiting: Memo<bool>,
    status: Memo<&'static str>,
    t: &'static Strings,
) -> Option<()> {
    let document = document.clone();
    let list = add(
        &document,
        root,
        "div",
        &[
            ("role", "log"),
            ("aria-live", "polite"),
            ("aria-relevant", "additions"),
            ("aria-label", t.conversation),
        ],
    )?;
    let hello = add(
        &document,
        &list,
        "div",
        &[("class", "sw-msg sw-assistant sw-greeting")],
    )?;
    add_with_text(&document, &hello, "p", &[], greeting)?;
    let streaming = create(
        &document,
        "div",
        &[
            ("class", "sw-msg sw-assistant sw-streaming"),
            ("aria-hidden", "true"),
            ("inert", ""),
            ("data-testid", "streaming"),
        ],
    )?;
    let reply = markdown(&document, "")?;
    streaming.append_child(&reply).ok()?;
    let typing = create(
        &document,
        "div",
        &[
            ("class", "sw-typing"),
            ("aria-hidden", "true"),
            ("data-testid", "typing"),
        ],
    )?;
    let dots = add(&document, &typing, "span", &[("class", "sw-dots")])?;
    for _ in 0..3 {
        add(&document, &dots, "i", &[])?;
    }
    let typing_label = add(&document, &typing, "span", &[("class", "sw-typing-label")])?;
    let status_line = add(
        &document,
        root,
        "p",
        &[("class", "sw-sr"), ("role", "status")],
    )?;

    // Finished messages: the log only grows while a conversation goes on, so what is already
    // drawn stays; from the first entry that differs (a reset, another tab's turn merged in)
    // the rest is drawn again.
    let drawn = RefCell::new(Vec::<(Entry, Option<Element>)>::new());
    let entries_document = document.clone();
    redraw(move || {
        let mut drawn = drawn.borrow_mut();
        chat.entries.with(|entries| {
            let kept = drawn
                .iter()
                .zip(entries)
                .take_while(|((shown, _), entry)| shown == *entry)
                .count();
            for (_, element) in drawn.drain(kept..) {
                if let Some(element) = element {
                    element.remove();
                }
            }
            let fragment = entries_document.create_document_fragment();
            for entry in &entries[kept..] {
                let element = message(&entries_document, entry, t);
                if let Some(element) = &element {
                    let _ = fragment.append_child(element);
                }
                drawn.push((entry.clone(), element));
            }
            let _ = list.append_child(&fragment);
        });
    });

    let log = root.clone();
    let streaming_document = document;
    let shown_typing = typing.clone();
    let shown_status = status_line.clone();
    redraw(move || {
        chat.draft.with(|draft| {
            let before = if shown_typing.is_connected() {
                &shown_typing
            } else {
                &shown_status
            };
            show(&log, &streaming, Some(before), !draft.is_empty());
            if !draft.is_empty() {
                fill(&streaming_document, &reply, draft);
            }
        });
    });

    let log = root.clone();
    redraw(move || {
        let status = status.get();
        show(&log, &typing, Some(&status_line), waiting.get());
        typing_label.set_text_content(Some(status));
        status_line.set_text_content(Some(status));
    });
    Some(())
}
