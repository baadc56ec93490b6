//! The widget's components: a launcher bubble and the chat panel it opens.

mod composer;
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

use crate::chat::{use_chat, Chat};
use crate::storage::HistoryStore;
use panel::Panel;

/// The whole widget for a configuration (or the error that stopped it).
#[component]
pub fn Widget(
    /// The validated configuration, or why there is none.
    config: Result<WidgetConfig, ConfigError>,
) -> impl IntoView {
    let open = RwSignal::new(false);
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
            (t.title.to_owned(), None)
        }
    };
    let close = Callback::new(move |()| {
        open.set(false);
        if let Some(button) = launcher.get_untracked() {
            let _ = button.focus();
        }
    });
    Effect::new(move |_| {
        if open.get() {
            if let Some(textarea) = composer.get() {
                let _ = textarea.focus();
            }
        }
    });
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.stop_propagation();
            close.run(());
        }
    };
    let content = match body {
        Some((chat, greeting)) => panel_view(chat, title.clone(), greeting, close, composer),
        None => view! { <p class="sw-error" role="alert" data-testid="error">{t.unavailable}</p> }
            .into_any(),
    };
    view! {
        <div class=if position_left { "sw-root sw-left" } else { "sw-root" } lang=t.lang dir=if t.rtl { "rtl" } else { "ltr" }>
            <section id="sw-panel" class="sw-panel" part="panel" data-testid="panel" role="dialog" aria-labelledby="sw-title"
                hidden=move || !open.get() on:keydown=on_keydown>
                {content}
            </section>
            <button type="button" class="sw-launcher" part="launcher" data-testid="launcher" node_ref=launcher
                aria-controls="sw-panel" aria-expanded=move || open.get().to_string()
                aria-label=move || if open.get() { t.close_chat } else { t.open_chat }
                on:click=move |_| if open.get_untracked() { close.run(()) } else { open.set(true) }>
                <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>
            </button>
        </div>
    }
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

fn panel_view(
    chat: Chat,
    title: String,
    greeting: String,
    on_close: Callback<()>,
    composer: NodeRef<Textarea>,
) -> AnyView {
    view! { <Panel chat title greeting on_close composer /> }.into_any()
}
