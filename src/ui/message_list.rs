//! The conversation log: finished messages (announced once each by the live region), the
//! streaming reply (hidden from screen readers and inert until it is finished), a status line
//! that is always mounted so changes to it are announced, and auto-scroll that stops while the
//! customer reads further up.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use support_core::{Entry, Phase};
use web_sys::{Document, Element, Node};

use super::dom::{add, add_with_text, create, effect, on, redraw, show};
use super::markdown::{fill, markdown};
use super::message::message;
use super::Strings;
use crate::chat::Chat;

/// How close to the bottom still counts as "at the bottom", in pixels.
const STICKY_PX: i32 = 48;

/// Draws the scrolling list of messages at the end of `parent` and returns it. `open` tells
/// whether the panel is open: a hidden list cannot be scrolled, so opening scrolls it.
pub fn message_list(
    document: &Document,
    parent: &Element,
    chat: &Chat,
    greeting: &str,
    open: RwSignal<bool>,
    t: &'static Strings,
) -> Option<Element> {
    let log = add(document, parent, "div", &[("class", "sw-log")])?;
    let stick = Rc::new(Cell::new(true));
    draw(document, &log, chat, greeting, t)?;
    // Where the widget last scrolled the list to: only the customer moving up from there stops
    // the following, not a scroll event of the widget's own that lands after more text came.
    let followed_to = Rc::new(Cell::new(0i32));
    // Follows new text while the customer is at the bottom. A list that is not laid out (drawn
    // while the panel was hidden, or shown by the change that ran this) cannot be scrolled, so
    // then the follow waits for the next frame.
    let list = log.clone();
    let (following, followed) = (stick.clone(), followed_to.clone());
    let (entries, draft, phase) = (chat.entries, chat.draft, chat.phase);
    effect(move || {
        entries.track();
        draft.track();
        phase.track();
        if !open.get() {
            return;
        }
        let (el, following, followed) = (list.clone(), following.clone(), followed.clone());
        let follow = move || {
            if following.get() {
                el.set_scroll_top(el.scroll_height());
                followed.set(el.scroll_top());
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
        let moved_up = el.scroll_top() < followed_to.get();
        if at_bottom {
            // Also where a shrinking list (the streaming bubble going away) left it.
            followed_to.set(el.scroll_top());
        }
        stick.set(at_bottom || (stick.get() && !moved_up));
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
    chat: &Chat,
    greeting: &str,
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

    // Finished messages, by entry id: an entry that stays keeps its node, whatever comes or
    // goes around it (the storage cap dropping the oldest turn, another tab's turn merged in),
    // so the live region announces only what is new.
    let Chat {
        entries,
        draft,
        phase,
        looking_up,
        ..
    } = *chat;
    let drawn = RefCell::new(Vec::<(Entry, Option<Element>)>::new());
    let entries_document = document.clone();
    redraw(move || {
        let mut drawn = drawn.borrow_mut();
        entries.with(|entries| {
            update_log(&entries_document, &list, &mut drawn, entries, t);
        });
    });

    let log = root.clone();
    let streaming_document = document;
    let shown_typing = typing.clone();
    let shown_status = status_line.clone();
    redraw(move || {
        draft.with(|draft| {
            show(
                &log,
                &streaming,
                &[&shown_typing, &shown_status],
                !draft.is_empty(),
            );
            if !draft.is_empty() {
                fill(&streaming_document, &reply, draft);
            }
        });
    });

    // Written only when it changes (not for every token of the reply), so the status line is
    // announced once per change.
    let log = root.clone();
    let shown = Cell::new(None);
    redraw(move || {
        let waiting = match phase.get() {
            Phase::Waiting { .. } | Phase::Streaming { .. } => draft.with(String::is_empty),
            Phase::RunningTools { .. } => true,
            Phase::Idle | Phase::Failed(_) => false,
        };
        let status = match (waiting, looking_up.get()) {
            (false, _) => "",
            (true, true) => t.looking_up,
            (true, false) => t.typing,
        };
        if shown.replace(Some(status)) != Some(status) {
            show(&log, &typing, &[&status_line], waiting);
            typing_label.set_text_content(Some(status));
            status_line.set_text_content(Some(status));
        }
    });
    Some(())
}

/// Brings the log's message nodes in line with `entries`: reuses the node of every entry that
/// is unchanged, draws new and changed entries, removes the rest, and moves a node only when
/// its place changed.
fn update_log(
    document: &Document,
    list: &Element,
    drawn: &mut Vec<(Entry, Option<Element>)>,
    entries: &[Entry],
    t: &Strings,
) {
    let mut old: Vec<Option<(Entry, Option<Element>)>> =
        std::mem::take(drawn).into_iter().map(Some).collect();
    // Entries keep their order, so the next one is almost always found where the search
    // starts: right after the last one found.
    let mut from = 0;
    for entry in entries {
        let found = (0..old.len()).map(|k| (from + k) % old.len()).find(|&j| {
            old[j]
                .as_ref()
                .is_some_and(|(shown, _)| shown.id == entry.id)
        });
        let kept = found.and_then(|j| {
            from = j + 1;
            match old[j].take() {
                Some((shown, element)) if shown == *entry => Some((shown, element)),
                Some((_, Some(element))) => {
                    element.remove();
                    None
                }
                _ => None,
            }
        });
        drawn.push(kept.unwrap_or_else(|| (entry.clone(), message(document, entry, t))));
    }
    for (_, element) in old.into_iter().flatten() {
        if let Some(element) = element {
            element.remove();
        }
    }
    // From the last node back: each must sit right before the one after it (the last one at
    // the end of the list).
    let mut after: Option<Node> = None;
    for element in drawn
        .iter()
        .rev()
        .filter_map(|(_, element)| element.as_ref())
    {
        let placed =
            element.parent_element().as_ref() == Some(list) && element.next_sibling() == after;
        if !placed {
            let _ = list.insert_before(element, after.as_ref());
        }
        after = Some(element.clone().into());
    }
}
