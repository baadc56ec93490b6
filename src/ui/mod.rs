//! The widget: a launcher bubble and the chat panel it opens, drawn into a container.

mod composer;
pub mod dom;
mod markdown;
mod message;
mod message_list;
mod order_card;
mod panel;
pub mod text;

pub use text::Strings;

use std::cell::{Cell, OnceCell};
use std::rc::Rc;

use leptos::prelude::*;
use support_core::config::{ConfigError, WidgetConfig};
use support_core::Message;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement};

use crate::chat::{use_chat, Chat};
use crate::host;
use crate::storage::HistoryStore;

/// A widget drawn into a container. Dropping it stops everything the widget runs (effects,
/// listeners, the watch on other tabs) and removes it.
pub struct Mounted {
    owner: Owner,
    scope: Rc<dom::Scope>,
    root: Element,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.scope.close();
        self.owner.cleanup();
        self.root.remove();
    }
}

/// Something the widget does on request: close the panel, start a new conversation.
pub type Action = Rc<dyn Fn()>;

/// Draws the widget for `config` (or the error that stopped it) at the end of `container`.
/// `host` is the page's `<support-widget>` element, which gets the widget's events and the
/// page's API; without one the widget only draws.
pub fn mount(
    container: &Element,
    config: Result<WidgetConfig, ConfigError>,
    host: Option<HtmlElement>,
) -> Option<Mounted> {
    let owner = Owner::new();
    let scope = dom::Scope::new();
    let drawn = owner.with(|| scope.enter(|| widget(container, config, host)));
    let Some(root) = drawn else {
        scope.close();
        owner.cleanup();
        return None;
    };
    Some(Mounted { owner, scope, root })
}

/// The whole widget, drawn into a new root element at the end of `container`.
fn widget(
    container: &Element,
    config: Result<WidgetConfig, ConfigError>,
    host: Option<HtmlElement>,
) -> Option<Element> {
    let storage_key = config
        .as_ref()
        .map(|c| c.storage_key.clone())
        .unwrap_or_default();
    // Opened before the widget loaded, or open on the previous page of this tab: open now. Only
    // a customer's own request takes focus; a restored panel leaves it where the page put it.
    let asked = host.as_ref().is_some_and(crate::open_requested);
    let restoring = host.as_ref().is_some_and(crate::restoring)
        || (!asked && crate::storage::was_open(&storage_key));
    let open = RwSignal::new(asked || restoring);
    let unread = RwSignal::new(0u32);
    let position_left = config.as_ref().is_ok_and(|c| c.position_left);
    let locale = config
        .as_ref()
        .ok()
        .and_then(|c| c.locale.clone())
        .unwrap_or_else(browser_language);
    let t = text::for_locale(&locale);
    let document = container.owner_document()?;
    let root = dom::add(
        &document,
        container,
        "div",
        &[
            (
                "class",
                if position_left {
                    "sw-root sw-left"
                } else {
                    "sw-root"
                },
            ),
            ("lang", t.lang),
            ("dir", if t.rtl { "rtl" } else { "ltr" }),
        ],
    )?;
    // Drawing that stops half-way leaves nothing behind.
    let mut unfinished = Unfinished(Some(root.clone()));
    let (title, body) = match config {
        Ok(config) => {
            let store = HistoryStore::open(
                &config.storage_key,
                config.history_ttl_days,
                config.max_stored_messages,
            );
            // Next to the widget's files, which loader.js knows; else next to the page.
            let bundled_orders = host
                .as_ref()
                .and_then(|h| js_sys::Reflect::get(h, &"supportWidgetOrders".into()).ok())
                .and_then(|url| url.as_string())
                .unwrap_or_else(|| "orders.json".to_owned());
            let chat = use_chat(&config, store, bundled_orders);
            let closing = chat.clone();
            dom::on_close(move || closing.close());
            let title = config.title.clone().unwrap_or_else(|| t.title.to_owned());
            let greeting = config
                .greeting
                .clone()
                .unwrap_or_else(|| t.greeting.to_owned());
            (title, Some((chat, greeting)))
        }
        Err(error) => {
            web_sys::console::error_1(&format!("support-widget: {error}").into());
            if let Some(host) = &host {
                let detail =
                    support_core::json!({"message": t.unavailable, "detail": error.to_string()});
                host::emit(host, "error", &detail);
            }
            (t.title.to_owned(), None)
        }
    };
    // Focus goes back to the launcher only when it was inside the widget: closing from the page
    // (SupportWidget.close()) leaves it where the page put it.
    let launcher = Rc::new(OnceCell::<HtmlElement>::new());
    let close: Action = {
        let (root, launcher) = (root.clone(), launcher.clone());
        Rc::new(move || {
            let focus_inside = focus_within(&root);
            open.set(false);
            if focus_inside {
                if let Some(button) = launcher.get() {
                    let _ = button.focus();
                }
            }
        })
    };

    // The panel is drawn once, into its section, and kept while closed.
    let section = panel_section(&document, &root, open, close.clone())?;
    let message_box = match &body {
        Some((chat, greeting)) => Some(panel::panel(
            &section,
            chat,
            &title,
            greeting,
            close.clone(),
            open,
            t,
        )?),
        None => {
            dom::add_with_text(
                &document,
                &section,
                "p",
                &[
                    ("class", "sw-error"),
                    ("role", "alert"),
                    ("data-testid", "error"),
                ],
                t.unavailable,
            )?;
            None
        }
    };
    let button = launcher_button(&document, &root, open, unread, close.clone(), t)?;
    let _ = launcher.set(button);

    let focus_on_open = Cell::new(!restoring);
    dom::effect(move || {
        if open.get() {
            if focus_on_open.get() {
                if let Some(message_box) = &message_box {
                    let _ = message_box.focus();
                }
            }
            focus_on_open.set(true);
        }
    });
    let was_open = Cell::new(None);
    dom::effect(move || {
        let now = open.get();
        if was_open.replace(Some(now)).map_or(now, |was| was != now) {
            crate::storage::remember_open(&storage_key, now);
        }
        if now {
            unread.set(0);
        }
    });
    if let Some((chat, _)) = body {
        watch_messages(chat.clone(), open, unread, host.clone());
        if let Some(host) = &host {
            let phase = chat.phase;
            host::connect(
                host,
                open,
                unread,
                phase,
                t,
                close,
                Rc::new(move || chat.reset()),
            );
        }
    }
    unfinished.0 = None;
    Some(root)
}

/// Removes a widget whose drawing stopped early.
struct Unfinished(Option<Element>);

impl Drop for Unfinished {
    fn drop(&mut self) {
        if let Some(root) = self.0.take() {
            root.remove();
        }
    }
}

/// Draws the panel's dialog element at the end of `root`, shown while `open`; Escape inside it
/// closes it.
fn panel_section(
    document: &Document,
    root: &Element,
    open: RwSignal<bool>,
    close: Action,
) -> Option<Element> {
    let section = dom::add(
        document,
        root,
        "section",
        &[
            ("id", "sw-panel"),
            ("class", "sw-panel"),
            ("part", "panel"),
            ("data-testid", "panel"),
            ("role", "dialog"),
            ("aria-labelledby", "sw-title"),
        ],
    )?;
    dom::on(&section, "keydown", move |event| {
        let escape = event
            .dyn_ref::<web_sys::KeyboardEvent>()
            .is_some_and(|key| key.key() == "Escape");
        if escape {
            event.stop_propagation();
            close();
        }
    });
    let shown = section.clone();
    dom::redraw(move || {
        let _ = shown.toggle_attribute_with_force("hidden", !open.get());
    });
    Some(section)
}

const LAUNCHER_ICON: &str = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z";

/// Draws the launcher at the end of `root`: it opens and closes the panel and shows the
/// unread count.
fn launcher_button(
    document: &Document,
    root: &Element,
    open: RwSignal<bool>,
    unread: RwSignal<u32>,
    close: Action,
    t: &'static Strings,
) -> Option<HtmlElement> {
    let button = dom::add(
        document,
        root,
        "button",
        &[
            ("type", "button"),
            ("class", "sw-launcher"),
            ("part", "launcher"),
            ("data-testid", "launcher"),
            ("aria-controls", "sw-panel"),
        ],
    )?;
    dom::add_icon(document, &button, "path", &[("d", LAUNCHER_ICON)])?;
    let badge = dom::create(
        document,
        "span",
        &[
            ("class", "sw-unread"),
            ("part", "badge"),
            ("data-testid", "unread"),
            ("aria-hidden", "true"),
        ],
    )?;
    dom::on(&button, "click", move |_| {
        if open.get_untracked() {
            close();
        } else {
            open.set(true);
        }
    });
    let shown = button.clone();
    dom::redraw(move || {
        let (open, unread) = (open.get(), unread.get());
        let label = match (open, unread) {
            (true, _) => t.close_chat.to_owned(),
            (false, 0) => t.open_chat.to_owned(),
            (false, n) => t.open_chat_unread(n),
        };
        let _ = shown.set_attribute("aria-expanded", if open { "true" } else { "false" });
        let _ = shown.set_attribute("aria-label", &label);
        if unread > 0 {
            badge.set_text_content(Some(&t.number(unread)));
        }
        dom::show(&shown, &badge, &[], unread > 0);
    });
    button.dyn_into().ok()
}

/// Counts assistant messages that finish while the panel is closed, and tells the page about
/// every finished message. Messages restored from storage or written by another tab (counted
/// and told there) are neither.
fn watch_messages(
    chat: Chat,
    open: RwSignal<bool>,
    unread: RwSignal<u32>,
    host: Option<HtmlElement>,
) {
    let mut seen = support_core::history::IdSet::default();
    chat.entries.with_untracked(|entries| {
        for entry in entries {
            seen.insert(&entry.id);
        }
    });
    let seen = std::cell::RefCell::new(seen);
    dom::effect(move || {
        // Collected first and told after: a page listener may change the conversation at once
        // (SupportWidget.reset()), which it cannot do while the entries are being read.
        let mut new = Vec::new();
        chat.entries.with(|entries| {
            for entry in entries {
                if !seen.borrow_mut().insert(&entry.id) || !chat.is_own(&entry.id) {
                    continue;
                }
                match &entry.message {
                    Message::User { content } => new.push(("user", content.clone())),
                    Message::Assistant {
                        content: Some(content),
                        ..
                    } if !content.trim().is_empty() => new.push(("assistant", content.clone())),
                    _ => {}
                }
            }
        });
        for (role, text) in new {
            if role == "assistant" && !open.get_untracked() {
                unread.update(|n| *n += 1);
            }
            if let Some(host) = &host {
                host::emit(
                    host,
                    "message",
                    &support_core::json!({"role": role, "text": text}),
                );
            }
        }
    });
}

/// True when the focused element is inside `root` (looking through its shadow root, if any).
fn focus_within(root: &Element) -> bool {
    let node = root.get_root_node();
    let active = match node.dyn_ref::<web_sys::ShadowRoot>() {
        Some(shadow) => shadow.active_element(),
        None => web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element()),
    };
    active.is_some_and(|a| root.contains(Some(&a)))
}

/// The browser's preferred language, `en` when it cannot be read.
fn browser_language() -> String {
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_else(|| "en".to_owned())
}
