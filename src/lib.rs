//! support-widget: the browser shell around `support-core`.
//!
//! `config` reads the page's settings, `transport` is the only user of `fetch`, `storage` the
//! only user of `localStorage`, `orders` runs lookups, `chat` drives the core's conversation,
//! and `ui` draws the launcher and the panel.

pub mod chat;
pub mod config;
pub mod orders;
pub mod storage;
pub mod transport;
pub mod ui;

/// Reads the configuration and mounts the widget into the page's body.
pub fn mount() {
    let config = config::load();
    leptos::mount::mount_to_body(move || leptos::view! { <ui::Widget config /> });
}
