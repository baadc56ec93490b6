//! support-widget: the browser shell around `support-core`.

use leptos::prelude::*;

/// Mounts the widget into the page's body.
pub fn mount() {
    leptos::mount::mount_to_body(App);
}

/// The widget's root component.
#[component]
pub fn App() -> impl IntoView {
    view! { <div class="support-widget" data-testid="widget-root"></div> }
}
