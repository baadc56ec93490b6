//! Small helpers for the parts of the panel drawn with plain DOM calls: the conversation log,
//! its messages, order cards and Markdown.
//!
//! Those parts are drawn whole from data (a message never changes once it is in the log), so
//! a generated view per element kind would only add a renderer per kind to the wasm. Leptos
//! keeps the state and decides when to draw; these functions only build nodes. Text always
//! goes into text nodes: nothing here parses HTML.
//!
//! The effects and listeners a widget adds while it is drawn belong to its [`Scope`], which
//! removes them all when the widget is unmounted.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::RenderEffect;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, EventTarget, Node};

/// What a mounted widget keeps running: its effects and its event listeners. [`redraw`],
/// [`effect`] and [`on`] add to the scope being drawn ([`Scope::enter`]); [`Scope::close`]
/// stops the effects and removes the listeners.
pub struct Scope {
    kept: RefCell<Vec<Box<dyn Any>>>,
    closed: Cell<bool>,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Scope>>> = const { RefCell::new(None) };
}

impl Scope {
    /// A new, empty scope.
    pub fn new() -> Rc<Self> {
        // Leptos runs effects on wasm-bindgen-futures' executor (an error only means it is
        // set up already).
        let _ = any_spawner::Executor::init_wasm_bindgen();
        Rc::new(Self {
            kept: RefCell::default(),
            closed: Cell::new(false),
        })
    }

    /// Runs `draw` with this as the scope that effects and listeners are added to.
    pub fn enter<T>(self: &Rc<Self>, draw: impl FnOnce() -> T) -> T {
        let outer = CURRENT.with(|current| current.replace(Some(Rc::clone(self))));
        let result = draw();
        CURRENT.with(|current| *current.borrow_mut() = outer);
        result
    }

    /// Stops the effects and removes the listeners; what is added later is dropped at once.
    pub fn close(&self) {
        self.closed.set(true);
        let kept = std::mem::take(&mut *self.kept.borrow_mut());
        drop(kept);
    }

    fn keep(&self, item: Box<dyn Any>) {
        if !self.closed.get() {
            self.kept.borrow_mut().push(item);
        }
    }
}

/// The scope being drawn. Outside one (nothing mounts that way), what is added lasts as long
/// as the page.
fn current() -> Rc<Scope> {
    CURRENT
        .with(|current| current.borrow().clone())
        .unwrap_or_else(|| {
            let page = Scope::new();
            std::mem::forget(Rc::clone(&page));
            page
        })
}

/// Runs `then` when the scope being drawn closes (the widget is unmounted).
pub fn on_close(then: impl FnOnce() + 'static) {
    struct Deferred(Option<Box<dyn FnOnce()>>);
    impl Drop for Deferred {
        fn drop(&mut self) {
            if let Some(then) = self.0.take() {
                then();
            }
        }
    }
    current().keep(Box::new(Deferred(Some(Box::new(then)))));
}

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

/// Runs `run` once the drawing in progress is done (in a microtask), and again whenever a
/// signal it read changes, while the widget is mounted: for work that needs the drawn DOM
/// (focus, scrolling) or that tells the page.
pub fn effect(run: impl Fn() + 'static) {
    let run: Box<dyn Fn()> = Box::new(run);
    let scope = current();
    wasm_bindgen_futures::spawn_local(async move {
        if !scope.closed.get() {
            scope.enter(|| redraw(run));
        }
    });
}

/// Runs `draw` now, and again whenever a signal it read changes, while the widget is mounted.
/// Leptos runs the later runs in a microtask after the change, never inside it.
pub fn redraw(draw: impl Fn() + 'static) {
    let draw: Box<dyn Fn()> = Box::new(draw);
    let effect = RenderEffect::new(move |_| draw());
    current().keep(Box::new(effect));
}

/// Calls `handler` for each `event` on `target`, while the widget is mounted.
pub fn on(target: &EventTarget, event: &str, handler: impl FnMut(web_sys::Event) + 'static) {
    listen(target, event, Box::new(handler));
}

/// A listener, removed when dropped: before its closure is freed, so a late event finds
/// nothing to call.
struct Listener {
    target: EventTarget,
    event: String,
    handler: Closure<dyn FnMut(web_sys::Event)>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let handler = self.handler.as_ref().unchecked_ref();
        let _ = self
            .target
            .remove_event_listener_with_callback(&self.event, handler);
    }
}

fn listen(target: &EventTarget, event: &str, handler: Box<dyn FnMut(web_sys::Event)>) {
    let handler = Closure::wrap(handler);
    let _ = target.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
    current().keep(Box::new(Listener {
        target: target.clone(),
        event: event.to_owned(),
        handler,
    }));
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
