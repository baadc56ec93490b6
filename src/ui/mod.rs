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
use support_core::Message;

use crate::chat::{use_chat, Chat};
use crate::host::{self, Host};
use crate::storage::HistoryStore;
use panel::Panel;

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
    // A conversation that was open on the previous page of this tab opens again.
    let asked = use_context::<Host>().is_some_and(|Host(host)| crate::open_requested(&host));
    let open = RwSignal::new(asked || crate::storage::was_open(&storage_key));
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
    Effect::new(move |was: Option<bool>| {
        let now = open.get();
        if was.is_some_and(|was| was != now) {
            crate::storage::remember_open(&storage_key, now);
        }
        if now {
            unread.set(0);
        }
        now
    });
    if let Some((chat, _)) = &body {
        watch_messages(*chat, open, unread);
        if let Some(Host(host)) = use_context::<Host>() {
            let chat = *chat;
            host::connect(
                &host,
                open,
                unread,
                chat,
                t,
                Callback::new(move |()| chat.reset()),
            );
        }
    }
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
                aria-label=move || match (open.get(), unread.get()) {
                    (true, _) => t.close_chat.to_owned(),
                    (false, 0) => t.open_chat.to_owned(),
                    (false, n) => format!("{} ({n} {})", t.open_chat, t.unread),
                }
                on:click=move |_| if open.get_untracked() { close.run(()) } else { open.set(true) }>
                <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>
                {move || (unread.get() > 0).then(|| view! {
                    <span class="sw-unread" part="badge" data-testid="unread" aria-hidden="true">{unread.get()}</span>
                })}
            </button>
        </div>
    }
}

/// Counts assistant messages that finish while the panel is closed, and tells the page about
/// every finished message. Messages restored from storage are neither counted nor told.
fn watch_messages(chat: Chat, open: RwSignal<bool>, unread: RwSignal<u32>) {
    let host = use_context::<Host>();
    let seen: std::collections::HashSet<String> = chat
        .entries
        .with_untracked(|e| e.iter().map(|e| e.id.clone()).collect());
    let seen = StoredValue::new(seen);
    Effect::new(move |_| {
        chat.entries.with(|entries| {
            for entry in entries {
                if !seen
                    .try_update_value(|s| s.insert(entry.id.clone()))
                    .unwrap_or(false)
                {
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
                        &serde_json::json!({"role": role, "text": text}),
                    );
                }
            }
        });
    });
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
