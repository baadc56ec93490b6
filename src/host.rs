//! The page's side of the widget: `window.SupportWidget` and the DOM events on the
//! `<support-widget>` host element.
//!
//! ```js
//! SupportWidget.open(); SupportWidget.close(); SupportWidget.toggle(); SupportWidget.reset();
//! const off = SupportWidget.on("message", (detail) => console.log(detail.role, detail.text));
//! document.querySelector("support-widget").addEventListener("support-widget:unread", (e) => …);
//! ```
//!
//! Events (`support-widget:<name>` on the host; `on(name, callback)` gets the `detail`):
//! `open`, `close`, `message` (`{role, text}`), `error` (`{message, detail}`), `unread`
//! (`{count}`), `feedback` (`{rating, text}`: `up` or `down` on a reply). Details are built from typed structs with serde-wasm-bindgen. With `loader.js`,
//! its `window.SupportWidget` forwards to the controls this module puts on the host element, so
//! references a page saved before loading stay live.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// Marks the page's elements the widget made inert, so it gives back only those.
const PAGE_INERT: &str = "data-support-widget-inert";

/// The page's `<support-widget>` element, when there is one; cheap to copy.
#[derive(Clone, Copy)]
pub struct Host(StoredValue<Option<HtmlElement>, LocalStorage>);

/// `open` and `close` events carry no detail.
#[derive(Serialize)]
pub struct NoDetail {}

/// The `message` event's detail.
#[derive(Serialize)]
pub struct MessageDetail<'a> {
    pub role: &'a str,
    pub text: &'a str,
}

/// The `error` event's detail: what the customer reads, and what went wrong.
#[derive(Serialize)]
pub struct ErrorDetail<'a> {
    pub message: &'a str,
    pub detail: String,
}

/// The `feedback` event's detail: `up` or `down`, and the reply's text.
#[derive(Serialize)]
pub struct FeedbackDetail<'a> {
    pub rating: &'a str,
    pub text: &'a str,
}

/// The `unread` event's detail.
#[derive(Serialize)]
pub struct UnreadDetail {
    pub count: u32,
}

/// What the page may ask the widget to do.
#[derive(Clone, Copy)]
pub struct Controls {
    /// Whether the panel is open.
    pub open: RwSignal<bool>,
    /// Closes the panel, giving focus back to the launcher when it was inside the widget.
    pub close: Callback<()>,
    /// Starts a new conversation at once.
    pub reset: Callback<()>,
}

impl Host {
    pub fn new(element: Option<HtmlElement>) -> Self {
        Self(StoredValue::new_local(element))
    }

    /// The host element, if there is one and the widget is still mounted.
    pub fn element(&self) -> Option<HtmlElement> {
        self.0.try_get_value().flatten()
    }

    /// True when the loader was asked to open the panel before the widget was loaded.
    pub fn open_requested(&self) -> bool {
        self.element()
            .is_some_and(|host| host.dataset().get("open").is_some())
    }

    /// True when that request only restores a panel left open on the previous page, which
    /// must not take focus from the page.
    pub fn restoring(&self) -> bool {
        self.element()
            .is_some_and(|host| host.dataset().get("restore").is_some())
    }

    /// Makes the rest of the page inert (`true`: the panel covers it): every sibling of the
    /// host and of each of its ancestors up to `<body>`, so a host inside the page's own
    /// wrapper leaves nothing around it reachable. `false` gives back what this made inert,
    /// and only that.
    pub fn set_page_inert(&self, inert: bool) {
        let Some(host) = self.element() else {
            return;
        };
        let Some(document) = host.owner_document() else {
            return;
        };
        if !inert {
            let Ok(marked) = document.query_selector_all(&format!("[{PAGE_INERT}]")) else {
                return;
            };
            for element in (0..marked.length()).filter_map(|i| marked.item(i)) {
                if let Some(element) = element.dyn_ref::<web_sys::Element>() {
                    let _ = element.remove_attribute("inert");
                    let _ = element.remove_attribute(PAGE_INERT);
                }
            }
            return;
        }
        let body = document.body();
        let mut kept: web_sys::Element = host.into();
        while let Some(parent) = kept.parent_element() {
            let children = parent.children();
            for element in (0..children.length()).filter_map(|i| children.item(i)) {
                if element != kept && !element.has_attribute("inert") {
                    let _ = element.set_attribute("inert", "");
                    let _ = element.set_attribute(PAGE_INERT, "");
                }
            }
            if body.as_deref() == Some(&parent) {
                break;
            }
            kept = parent;
        }
    }

    /// Watches `<body>` for elements the page adds while the panel is modal (a cookie banner,
    /// another widget) and makes them inert too; disconnect the observer to stop.
    pub fn watch_page(&self) -> Option<web_sys::MutationObserver> {
        let body = self.element()?.owner_document()?.body()?;
        let host = *self;
        let added = Closure::<dyn Fn()>::new(move || host.set_page_inert(true));
        let observer =
            web_sys::MutationObserver::new(added.into_js_value().unchecked_ref()).ok()?;
        let options = web_sys::MutationObserverInit::new();
        options.set_child_list(true);
        observer.observe_with_options(&body, &options).ok()?;
        Some(observer)
    }

    /// Dispatches `support-widget:<name>` on the host with `detail`.
    pub fn emit(&self, name: &str, detail: &impl Serialize) {
        if let Some(host) = self.element() {
            emit(&host, name, detail);
        }
    }

    /// Installs `window.SupportWidget` (or, under `loader.js`, the controls its API forwards
    /// to). The controls do nothing once the widget is unmounted.
    pub fn install(&self, controls: Controls) {
        if let Some(host) = self.element() {
            install_api(&host, controls);
        }
    }
}

/// Dispatches `support-widget:<name>` on `host` with `detail`.
pub fn emit(host: &HtmlElement, name: &str, detail: &impl Serialize) {
    let init = web_sys::CustomEventInit::new();
    let detail = serde_wasm_bindgen::to_value(detail).unwrap_or(JsValue::NULL);
    init.set_detail(&detail);
    init.set_bubbles(true);
    init.set_composed(true);
    if let Ok(event) =
        web_sys::CustomEvent::new_with_event_init_dict(&format!("support-widget:{name}"), &init)
    {
        let _ = host.dispatch_event(&event);
    }
}

fn install_api(host: &HtmlElement, controls: Controls) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Controls { open, close, reset } = controls;
    let api = js_sys::Object::new();
    let set = |name: &str, f: Box<dyn Fn()>| {
        let closure = Closure::<dyn Fn()>::new(f);
        let _ = js_sys::Reflect::set(&api, &name.into(), closure.as_ref());
        // The page may keep these for as long as it lives.
        closure.forget();
    };
    set("open", Box::new(move || _ = open.try_set(true)));
    set("close", Box::new(move || _ = close.try_run(())));
    set(
        "toggle",
        Box::new(move || _ = open.try_update(|o| *o = !*o)),
    );
    set("reset", Box::new(move || _ = reset.try_run(())));
    let target = host.clone();
    let on = Closure::<dyn Fn(String, js_sys::Function) -> JsValue>::new(
        move |name: String, callback: js_sys::Function| subscribe(&target, &name, callback),
    );
    let _ = js_sys::Reflect::set(&api, &"on".into(), on.as_ref());
    on.forget();
    // The loader's window.SupportWidget forwards to these; without a loader they are it.
    let _ = js_sys::Reflect::set(host, &"supportWidget".into(), &api);
    if !host.has_attribute("data-sw-loader") {
        let _ = js_sys::Reflect::set(&window, &"SupportWidget".into(), &api);
    }
}

type Listener = Closure<dyn Fn(web_sys::CustomEvent)>;

/// Calls `callback` with the detail of each `support-widget:<name>` event; returns the
/// function that stops it, which removes the listener and frees it (calling it again does
/// nothing).
fn subscribe(target: &HtmlElement, name: &str, callback: js_sys::Function) -> JsValue {
    let listener: Listener = Closure::new(move |event: web_sys::CustomEvent| {
        let _ = callback.call1(&JsValue::NULL, &event.detail());
    });
    let event = format!("support-widget:{name}");
    let _ = target.add_event_listener_with_callback(&event, listener.as_ref().unchecked_ref());
    let kept = Rc::new(RefCell::new(Some(listener)));
    let target = target.clone();
    let off = Closure::<dyn Fn()>::new(move || {
        if let Some(listener) = kept.borrow_mut().take() {
            let function = listener.as_ref().unchecked_ref();
            let _ = target.remove_event_listener_with_callback(&event, function);
        }
    });
    off.into_js_value()
}
