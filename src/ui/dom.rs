//! Small helpers for the parts of the panel drawn with plain DOM calls: the conversation log,
//! its messages, order cards and Markdown.
//!
//! Those parts are drawn whole from data (a message never changes once it is in the log), so
//! a generated view per element kind would only add a renderer per kind to the wasm. Leptos
//! keeps the state and decides when to draw; these functions only build nodes. Text always
//! goes into text nodes: nothing here parses HTML.

use leptos::prelude::{on_cleanup, Effect, RenderEffect};
use send_wrapper::SendWrapper;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Node};

/// Creates a `tag` element with these attributes.
pub fn create(document: &Document, tag: &str, attributes: &[(&str, &str)]) -> Option<Element> {
    let element = document.create_element(tag).ok()?;
    for (name, value) in attributes {
        element.set_attribute(name, value).ok()?;
    }
    Some(element)
}

/// Appends a new `tag` element with these attributes to `parent` and returns it.
pub fn add(
    document: &Document,
    parent: &Node,
    tag: &str,
    attributes: &[(&str, &str)],
) -> Option<Element> {
    let element = create(document, tag, attributes)?;
    parent.append_child(&element).ok()?;
    Some(element)
}

/// Appends a text node.
pub fn add_text(document: &Document, parent: &Node, text: &str) {
    let _ = parent.append_child(&document.create_text_node(text));
}

/// Appends a `tag` element holding `text` and returns it.
pub fn add_with_text(
    document: &Document,
    parent: &Node,
    tag: &str,
    attributes: &[(&str, &str)],
    text: &str,
) -> Option<Element> {
    let element = add(document, parent, tag, attributes)?;
    add_text(document, &element, text);
    Some(element)
}

/// Puts `element` into `parent` while `shown`, right before the first of `before` that is in
/// `parent` (or last, when none is), and takes it out otherwise, as `<Show>` would: a hidden
/// part is not in the document at all.
pub fn show(parent: &Node, element: &Element, before: &[&Element], shown: bool) {
    let is_in = |node: &Element| node.parent_node().as_ref() == Some(parent);
    if shown && !is_in(element) {
        let next: Option<&Node> = before.iter().find(|b| is_in(b)).map(|b| &***b);
        let _ = parent.insert_before(element, next);
    } else if !shown && is_in(element) {
        element.remove();
    }
}

/// Runs `run` after the current render pass and again whenever a signal it read changes, for
/// as long as the component that called it is mounted: for work that needs the drawn DOM
/// (focus, scrolling) or that tells the page.
pub fn effect(run: impl Fn() + 'static) {
    let run: Box<dyn Fn()> = Box::new(run);
    Effect::new(move |_| run());
}

/// Runs `draw` now and again, in the same render pass as the views, whenever a signal it read
/// changes; for as long as the component that called it is mounted.
pub fn redraw(draw: impl Fn() + 'static) {
    let draw: Box<dyn Fn()> = Box::new(draw);
    let effect = RenderEffect::new(move |_| draw());
    let effect = SendWrapper::new(effect);
    on_cleanup(move || drop(effect));
}

/// Calls `handler` for each `event` on `element`, for as long as the component that called it
/// is mounted.
pub fn on(element: &Element, event: &str, handler: impl FnMut(web_sys::Event) + 'static) {
    listen(element, event, Box::new(handler));
}

fn listen(element: &Element, event: &str, handler: Box<dyn FnMut(web_sys::Event)>) {
    let handler = Closure::wrap(handler);
    let _ = element.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
    // Unmounted: the listener goes before its closure, so a late event finds nothing to call.
    let listener = SendWrapper::new((element.clone(), event.to_owned(), handler));
    on_cleanup(move || {
        let (element, event, handler) = listener.take();
        let _ =
            element.remove_event_listener_with_callback(&event, handler.as_ref().unchecked_ref());
    });
}

/// Appends a decorative 24×24 icon: one SVG `shape` with these attributes.
pub fn add_icon(
    document: &Document,
    parent: &Node,
    shape: &str,
    attributes: &[(&str, &str)],
) -> Option<()> {
    const SVG: Option<&str> = Some("http://www.w3.org/2000/svg");
    let svg = document.create_element_ns(SVG, "svg").ok()?;
    svg.set_attribute("viewBox", "0 0 24 24").ok()?;
    svg.set_attribute("aria-hidden", "true").ok()?;
    let shape = document.create_element_ns(SVG, shape).ok()?;
    for (name, value) in attributes {
        shape.set_attribute(name, value).ok()?;
    }
    svg.append_child(&shape).ok()?;
    parent.append_child(&svg).ok()?;
    Some(())
}
