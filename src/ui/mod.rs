//! The widget's components: a launcher bubble and the chat panel it opens.

mod composer;
pub(crate) mod dom;
mod markdown;
mod message;
mod message_list;
mod order_card;
mod panel;
pub mod text;

pub use text::Strings;

use leptos::html::{Button, Textarea};
use leptos::prelude::*;
use support_core::config::{ConfigError, WidgetConfig};
use support_core::Message;

use crate::chat::{use_chat, Chat};
use crate::host::{self, Host};
use crate::storage::HistoryStore;

/// The whole widget for a configuration (or the error that stopped it).
#[component]
pub fn Widget(
    /// The validated configuration, or why there is none.
    config: Result<WidgetConfig, ConfigError>,
) -> impl IntoView {
    let storage_key = config
        .as_ref()
        .map(|c| c.storage_key.clone())
        .unwrap_or_default();
    let host_element = use_context::<Host>();
    // Opened before the widget loaded, or open on the previous page of this tab: open now. Only
    // a customer's own request takes focus; a restored panel leaves it where the page put it.
    let asked = host_element
        .as_ref()
        .is_some_and(|Host(h)| crate::open_requested(h));
    let restoring = host_element
        .as_ref()
        .is_some_and(|Host(h)| crate::restoring(h))
        || (!asked && crate::storage::was_open(&storage_key));
    let open = RwSignal::new(asked || restoring);
    let focus_on_open = StoredValue::new(!restoring);
    let widget_root = NodeRef::<leptos::html::Div>::new();
    let unread = RwSignal::new(0u32);
    let launcher = NodeRef::<Button>::new();
    let composer = NodeRef::<Textarea>::new();
    let position_left = config.as_ref().is_ok_and(|c| c.position_left);
    let locale = config
        .as_ref()
        .ok()
        .and_then(|c| c.locale.clone())
        .unwrap_or_else(browser_language);
    let t = text::for_locale(&locale);
    provide_context(t);
    let (title, body) = match config {
        Ok(config) => {
            let store = HistoryStore::open(
                &config.storage_key,
                config.history_ttl_days,
                config.max_stored_messages,
            );
            let chat = use_chat(&config, store);
            let title = config.title.clone().unwrap_or_else(|| t.title.to_owned());
            let greeting = config
                .greeting
                .clone()
                .unwrap_or_else(|| t.greeting.to_owned());
            (title, Some((chat, greeting)))
        }
        Err(error) => {
            web_sys::console::error_1(&format!("support-widget: {error}").into());
            if let Some(Host(host)) = &host_element {
                let detail =
                    support_core::json!({"message": t.unavailable, "detail": error.to_string()});
                host::emit(host, "error", &detail);
            }
            (t.title.to_owned(), None)
        }
    };
    // Focus goes back to the launcher only when it was inside the widget: closing from the page
    // (SupportWidget.close()) leaves it where the page put it.
    let close = Callback::new(move |()| {
        let focus_inside = widget_root
            .get_untracked()
            .is_some_and(|root| focus_within(&root));
        open.set(false);
        if focus_inside {
            if let Some(button) = launcher.get_untracked() {
                let _ = button.focus();
            }
        }
    });
    dom::effect(move || {
        if open.get() {
            if focus_on_open.get_value() {
                if let Some(textarea) = composer.get() {
                    let _ = textarea.focus();
                }
            }
            focus_on_open.set_value(true);
        }
    });
    let was_open = std::cell::Cell::new(None);
    dom::effect(move || {
        let now = open.get();
        if was_open.replace(Some(now)).map_or(now, |was| was != now) {
            crate::storage::remember_open(&storage_key, now);
        }
        if now {
            unread.set(0);
        }
    });
    if let Some((chat, _)) = &body {
        watch_messages(*chat, open, unread);
        if let Some(Host(host)) = &host_element {
            let chat = *chat;
            host::connect(
                host,
                open,
                unread,
                chat,
                t,
                close,
                Callback::new(move |()| chat.reset()),
            );
        }
    }
    // The panel is drawn once, into its section, and kept while closed.
    let draw = move |root: web_sys::Element| {
        let Some(section) = panel_section(&root, open, close) else {
            web_sys::console::error_1(&"support-widget: the panel could not be drawn".into());
            return;
        };
        let drawn = match &body {
            Some((chat, greeting)) => {
                let open = Signal::from(open);
                panel::panel(&section, *chat, &title, greeting, close, composer, open)
            }
            None => dom::add_with_text(
                &section.owner_document().unwrap_or_else(document),
                &section,
                "p",
                &[
                    ("class", "sw-error"),
                    ("role", "alert"),
                    ("data-testid", "error"),
                ],
                t.unavailable,
            )
            .map(drop),
        }
        .and_then(|()| launcher_button(&root, open, unread, close, t));
        match drawn {
            Some(button) => launcher.set(Some(send_wrapper::SendWrapper::new(button))),
            None => {
                web_sys::console::error_1(&"support-widget: the panel could not be drawn".into())
            }
        }
    };
    view! {
        <div node_ref=widget_root class=if position_left { "sw-root sw-left" } else { "sw-root" } lang=t.lang dir=if t.rtl { "rtl" } else { "ltr" }
            use:draw>
        </div>
    }
}

/// Draws the panel's dialog element at the end of `root`, shown while `open`; Escape inside it
/// closes it.
fn panel_section(
    root: &web_sys::Element,
    open: RwSignal<bool>,
    close: Callback<()>,
) -> Option<web_sys::Element> {
    use wasm_bindgen::JsCast;
    let document = root.owner_document()?;
    let section = dom::add(
        &document,
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
            close.run(());
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
    root: &web_sys::Element,
    open: RwSignal<bool>,
    unread: RwSignal<u32>,
    close: Callback<()>,
    t: &'static Strings,
) -> Option<web_sys::HtmlButtonElement> {
    use wasm_bindgen::JsCast;
    let document = root.owner_document()?;
    let button = dom::add(
        &document,
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
    dom::add_icon(&document, &button, "path", &[("d", LAUNCHER_ICON)])?;
    let badge = dom::create(
        &document,
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
            close.run(());
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
fn watch_messages(chat: Chat, open: RwSignal<bool>, unread: RwSignal<u32>) {
    let host = use_context::<Host>();
    let mut seen = support_core::history::IdSet::default();
    chat.entries.with_untracked(|entries| {
        for entry in entries {
            seen.insert(&entry.id);
        }
    });
    let seen = StoredValue::new(seen);
    dom::effect(move || {
        chat.entries.with(|entries| {
            for entry in entries {
                let new = seen
                    .try_update_value(|s| s.insert(&entry.id))
                    .unwrap_or(false);
                if !new || !chat.is_own(&entry.id) {
                    continue;
                }
                let (role, text) = match &entry.message {
                    Message::User { content } => ("user", content),
                    Message::Assistant {
                        content: Some(content),
                        ..
                    } if !content.trim().is_empty() => ("assistant", content),
                    _ => continue,
                };
                if role == "assistant" && !open.get_untracked() {
                    unread.update(|n| *n += 1);
                }
                if let Some(Host(host)) = &host {
                    host::emit(
                        host,
                        "message",
                        &support_core::json!({"role": role, "text": text}),
                    );
                }
            }
        });
    });
}

/// True when the focused element is inside `root` (looking through its shadow root, if any).
fn focus_within(root: &web_sys::HtmlElement) -> bool {
    use wasm_bindgen::JsCast;
    let node = root.get_root_node();
    let active = match node.dyn_ref::<web_sys::ShadowRoot>() {
        Some(shadow) => shadow.active_element(),
        None => web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element()),
    };
    active.is_some_and(|a| root.contains(Some(&a)))
}

/// The strings of the widget's language, provided by [`Widget`].
pub fn strings() -> &'static Strings {
    use_context::<&'static Strings>().unwrap_or(&text::EN)
}

/// The browser's preferred language, `en` when it cannot be read.
fn browser_language() -> String {
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_else(|| "en".to_owned())
}
