//! The widget's root: its state (open; the unread count is derived from the log), the contexts its parts read (the strings table,
//! the chat handle), the page's events and API, then the dialog and the launcher.

use leptos::html::{Button, Div, Section, Textarea};
use leptos::prelude::*;
use support_core::config::{ConfigError, WidgetConfig};

use super::launcher::Launcher;
use super::panel::Panel;
use crate::chat::{use_chat, Bundled, Chat};
use crate::host::{Controls, ErrorDetail, Host};
use crate::storage::HistoryStore;
use crate::strings::{self, Strings};

/// The whole widget for a configuration (or the error that stopped it).
#[component]
pub fn Widget(
    /// The validated configuration, or why there is none.
    config: Result<WidgetConfig, ConfigError>,
    /// The page's `<support-widget>` element, told about what happens.
    host: Host,
) -> impl IntoView {
    let storage_key = config
        .as_ref()
        .map(|c| c.storage_key.clone())
        .unwrap_or_default();
    // Opened before the widget loaded, or open on the previous page of this tab: open now. Only
    // a customer's own request takes focus; a restored panel leaves it where the page put it,
    // except on a phone, where the panel is a modal dialog that covers the page.
    let asked = host.open_requested();
    let restoring = host.restoring() || (!asked && crate::storage::was_open(&storage_key));
    let open = RwSignal::new(asked || restoring);
    let position_left = config.as_ref().is_ok_and(|c| c.position_left);
    let locale = config.as_ref().ok().and_then(|c| c.locale.clone());
    let t = strings::for_locale(&locale.unwrap_or_else(browser_language));
    provide_context(t);
    provide_context(host);

    let root = NodeRef::<Div>::new();
    let section = NodeRef::<Section>::new();
    let launcher = NodeRef::<Button>::new();
    let composer = NodeRef::<Textarea>::new();
    // The brand colour's text and foreground colours, once the root has its styles, again when
    // the colour scheme changes and on each open.
    crate::theme::use_theme(root, open);
    let modal = modal_on_phones(open, host);
    let close = closer(open, root, launcher);
    follow_opening(
        open,
        composer,
        !restoring || modal.get_untracked(),
        storage_key,
    );
    let (content, unread) = content(config, host, open, close, composer, t);
    let on_keydown = keys(close, modal, section);
    view! {
        <div node_ref=root class=if position_left { "sw-root sw-left" } else { "sw-root" }
            lang=t.lang.clone() dir=if t.rtl { "rtl" } else { "ltr" }>
            <section id="sw-panel" class="sw-panel" part="panel" data-testid="panel" role="dialog"
                aria-labelledby="sw-title" aria-modal=move || modal.get().then_some("true")
                hidden=move || !open.get() node_ref=section on:keydown=on_keydown>
                {content}
            </section>
            <Launcher open unread on_close=close node_ref=launcher />
        </div>
    }
}

/// The panel for a valid configuration, with the chat started and the page told about it (or
/// "Chat is unavailable"), and the unread count the launcher shows.
fn content(
    config: Result<WidgetConfig, ConfigError>,
    host: Host,
    open: RwSignal<bool>,
    close: Callback<()>,
    composer: NodeRef<Textarea>,
    t: &'static Strings,
) -> (AnyView, Signal<u32>) {
    let config = match config {
        Ok(config) => config,
        Err(error) => return (unavailable(&error, host, t), Signal::stored(0)),
    };
    let Body {
        chat,
        title,
        greeting,
        starters,
        disclaimer,
    } = start_chat(&config, host, t);
    let unread = super::page_events::connect(chat, host, open, t);
    let reset = Callback::new(move |()| chat.reset());
    host.install(Controls { open, close, reset });
    let panel = view! {
        <Panel title greeting starters disclaimer on_close=close composer open />
    };
    (panel.into_any(), Signal::from(unread))
}

/// Escape closes the panel; on a phone, Tab stays inside it.
fn keys(
    close: Callback<()>,
    modal: Memo<bool>,
    section: NodeRef<Section>,
) -> impl Fn(leptos::ev::KeyboardEvent) {
    move |ev| {
        if ev.key() == "Escape" {
            ev.stop_propagation();
            close.run(());
        } else if modal.get_untracked() {
            super::phone::keep_focus_inside(section, &ev);
        }
    }
}

/// On a phone the open panel covers the page: a modal dialog, with the page behind inert,
/// including what the page adds to `<body>` meanwhile.
fn modal_on_phones(open: RwSignal<bool>, host: Host) -> Memo<bool> {
    let phone = super::phone::use_phone_layout();
    let modal = Memo::new(move |_| open.get() && phone.get());
    let watch = StoredValue::new_local(None::<web_sys::MutationObserver>);
    let stop_watching = move || {
        if let Some(Some(observer)) = watch.try_update_value(Option::take) {
            observer.disconnect();
        }
    };
    Effect::new(move |_| {
        let modal = modal.get();
        host.set_page_inert(modal);
        stop_watching();
        if modal {
            watch.set_value(host.watch_page());
        }
    });
    on_cleanup(move || {
        stop_watching();
        host.set_page_inert(false);
    });
    modal
}

/// Closes the panel. Focus goes back to the launcher only when it was inside the widget:
/// closing from the page (`SupportWidget.close()`) leaves it where the page put it.
fn closer(open: RwSignal<bool>, root: NodeRef<Div>, launcher: NodeRef<Button>) -> Callback<()> {
    Callback::new(move |()| {
        let focus_inside = root.get_untracked().is_some_and(|r| focus_within(&r));
        open.set(false);
        if focus_inside {
            if let Some(button) = launcher.get_untracked() {
                let _ = button.focus();
            }
        }
    })
}

/// What opening and closing does: the message box takes focus (except for a panel restored
/// from the previous page), and the tab remembers it.
fn follow_opening(
    open: RwSignal<bool>,
    composer: NodeRef<Textarea>,
    focus_first: bool,
    storage_key: String,
) {
    let focus_on_open = StoredValue::new(focus_first);
    Effect::new(move |_| {
        if open.get() {
            if focus_on_open.get_value() {
                if let Some(textarea) = composer.get() {
                    let _ = textarea.focus();
                }
            }
            focus_on_open.set_value(true);
        }
    });
    Effect::new(move |was: Option<bool>| {
        let now = open.get();
        if was.map_or(now, |was| was != now) {
            crate::storage::remember_open(&storage_key, now);
        }
        now
    });
}

/// "Chat is unavailable", for a configuration that stopped the widget; the console and the
/// page are told why.
fn unavailable(error: &ConfigError, host: Host, t: &'static Strings) -> AnyView {
    web_sys::console::error_1(&format!("support-widget: {error}").into());
    let detail = error.to_string();
    host.emit(
        "error",
        &ErrorDetail {
            message: &t.unavailable,
            detail,
        },
    );
    view! { <p class="sw-error" role="alert" data-testid="error">{t.unavailable.clone()}</p> }
        .into_any()
}

/// What the panel shows for a valid configuration.
struct Body {
    chat: Chat,
    title: String,
    greeting: String,
    starters: Vec<String>,
    disclaimer: Option<String>,
}

/// Starts the chat for `config` and provides it to the panel's parts.
fn start_chat(config: &WidgetConfig, host: Host, t: &'static Strings) -> Body {
    let store = HistoryStore::open(
        &config.storage_key,
        config.history_ttl_days,
        config.max_stored_messages,
    );
    // Next to the widget's files, which loader.js knows; else next to the page.
    let bundled = Bundled {
        orders: bundled_url(host, "supportWidgetOrders", "orders.json"),
        help: bundled_url(host, "supportWidgetHelp", "help.json"),
    };
    let chat = use_chat(config, store, bundled, host);
    provide_context(chat);
    Body {
        chat,
        title: config.title.clone().unwrap_or_else(|| t.title.clone()),
        greeting: config
            .greeting
            .clone()
            .unwrap_or_else(|| t.greeting.clone()),
        starters: config
            .starters
            .clone()
            .unwrap_or_else(|| t.starters.clone()),
        disclaimer: config.disclaimer.clone(),
    }
}

/// The URL `loader.js` put on the host under `property`, else `file` next to the page.
fn bundled_url(host: Host, property: &str, file: &str) -> String {
    host.element()
        .and_then(|h| js_sys::Reflect::get(&h, &property.into()).ok())
        .and_then(|url| url.as_string())
        .unwrap_or_else(|| file.to_owned())
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

/// The browser's preferred language, `en` when it cannot be read.
fn browser_language() -> String {
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_else(|| "en".to_owned())
}
