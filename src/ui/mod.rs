//! The widget's components: a launcher bubble and the chat panel it opens.
//!
//! [`mount`] draws [`widget::Widget`] into a container with `leptos::mount::mount_to` and keeps
//! the handle: dropping the returned [`Mounted`] disposes of the widget's reactive owner, which
//! stops its effects, removes its listeners and aborts the request in flight.

mod action_card;
mod composer;
mod error_banner;
mod feedback;
mod handoff_form;
mod header;
mod launcher;
mod markdown;
mod message;
mod message_list;
mod order_card;
mod page_events;
mod panel;
mod pending_action;
mod phone;
mod reset_confirm;
mod sources;
mod starters;
mod widget;

use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyViewState;
use support_core::config::{ConfigError, WidgetConfig};
use web_sys::HtmlElement;

use crate::host::Host;

/// A widget drawn into a container. Dropping it stops everything the widget runs (effects,
/// listeners, the watch on other tabs, the request in flight) and removes it.
pub struct Mounted {
    /// The owner the widget's own owner belongs to: cleaning it up runs the widget's cleanups
    /// (listeners, the chat's abort) at once, whoever else still holds the widget's owner.
    owner: Owner,
    handle: Option<leptos::mount::UnmountHandle<AnyViewState>>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        // Unmounts the view, then stops everything it ran.
        drop(self.handle.take());
        self.owner.cleanup();
    }
}

/// Draws the widget for `config` (or the error that stopped it) at the end of `container`.
/// `host` is the page's `<support-widget>` element, which gets the widget's events and the
/// page's API; without one the widget only draws.
pub fn mount(
    container: &HtmlElement,
    config: Result<WidgetConfig, ConfigError>,
    host: Option<HtmlElement>,
) -> Mounted {
    let owner = Owner::new();
    let handle = owner.with(|| {
        mount_to(container.clone(), move || {
            let host = Host::new(host);
            view! { <widget::Widget config host /> }.into_any()
        })
    });
    Mounted {
        owner,
        handle: Some(handle),
    }
}
