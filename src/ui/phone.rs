//! The phone layout: at 480 px wide or less the open panel covers the page, so it is a modal
//! dialog there (focus kept inside, the page behind inert); on larger screens it is not.

use leptos::ev;
use leptos::html::Section;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// Where `widget.css` switches to the full-screen panel.
const PHONE: &str = "(max-width: 480px)";

/// True while the window is phone-sized; follows the media query until the widget unmounts.
pub fn use_phone_layout() -> ReadSignal<bool> {
    crate::theme::use_media_query(PHONE)
}

/// Tab and Shift+Tab wrap around inside `panel` instead of leaving it.
pub fn keep_focus_inside(panel: NodeRef<Section>, event: &ev::KeyboardEvent) {
    if event.key() != "Tab" {
        return;
    }
    let Some(panel) = panel.get_untracked() else {
        return;
    };
    let focusable = focusable_in(&panel);
    let (Some(first), Some(last)) = (focusable.first(), focusable.last()) else {
        return;
    };
    let active = panel
        .get_root_node()
        .dyn_ref::<web_sys::ShadowRoot>()
        .and_then(|root| root.active_element())
        .or_else(|| web_sys::window()?.document()?.active_element());
    let at = |element: &HtmlElement| active.as_ref() == Some(element.unchecked_ref());
    let outside = active.as_ref().is_none_or(|a| !panel.contains(Some(a)));
    let target = match (event.shift_key(), outside) {
        (true, _) if at(first) || outside => last,
        (false, _) if at(last) || outside => first,
        _ => return,
    };
    event.prevent_default();
    let _ = target.focus();
}

/// The elements in `panel` that take focus, in document order.
fn focusable_in(panel: &web_sys::Element) -> Vec<HtmlElement> {
    let Ok(list) = panel.query_selector_all(
        "button:not([disabled]), textarea:not([disabled]), input:not([disabled]), select:not([disabled]), \
         a[href], summary, [tabindex]:not([tabindex='-1'])",
    ) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<HtmlElement>().ok())
        // The streaming reply is inert, and a closed question hidden: neither takes focus.
        .filter(|element| {
            element
                .closest("[inert], [hidden]")
                .ok()
                .flatten()
                .is_none()
        })
        .collect()
}
