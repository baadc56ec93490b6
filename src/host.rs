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
//! (`{count}`). With `loader.js`, its `window.SupportWidget` forwards to the controls this
//! module puts on the host element, so references a page saved before loading stay live.

use std::cell::Cell;

use leptos::prelude::*;
use support_core::json;
use support_core::json::Value;
use support_core::Phase;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::ui::dom::effect;
use crate::ui::{Action, Strings};

/// Dispatches `support-widget:<name>` on the host with `detail`.
pub fn emit(host: &HtmlElement, name: &str, detail: &Value) {
    let init = web_sys::CustomEventInit::new();
    let detail = js_sys::JSON::parse(&detail.encode()).unwrap_or(JsValue::NULL);
    init.set_detail(&detail);
    init.set_bubbles(true);
    init.set_composed(true);
    if let Ok(event) =
        web_sys::CustomEvent::new_with_event_init_dict(&format!("support-widget:{name}"), &init)
    {
        let _ = host.dispatch_event(&event);
    }
}

/// Tells the page when the panel opens or closes, the unread count changes or a turn fails,
/// and installs `window.SupportWidget`.
pub fn connect(
    host: &HtmlElement,
    open: RwSignal<bool>,
    unread: RwSignal<u32>,
    phase: RwSignal<Phase>,
    t: &'static Strings,
    close: Action,
    reset: Action,
) {
    let target = host.clone();
    // A panel that starts open (asked for before the widget loaded, or open on the previous
    // page) is an opening too.
    let was_open = Cell::new(None);
    effect(move || {
        let now = open.get();
        if was_open.replace(Some(now)).map_or(now, |was| was != now) {
            emit(&target, if now { "open" } else { "close" }, &json!({}));
        }
    });
    let target = host.clone();
    let was_unread = Cell::new(None);
    effect(move || {
        let count = unread.get();
        if was_unread
            .replace(Some(count))
            .is_some_and(|was| was != count)
        {
            emit(&target, "unread", &json!({ "count": count }));
        }
    });
    let target = host.clone();
    effect(move || {
        if let Phase::Failed(error) = phase.get() {
            emit(
                &target,
                "error",
                &json!({ "message": t.error_message(&error), "detail": error.to_string() }),
            );
        }
    });
    install_api(host, open, close, reset);
}

/// Installs `window.SupportWidget`. Its closures live as long as the page.
fn install_api(host: &HtmlElement, open: RwSignal<bool>, close: Action, reset: Action) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let api = js_sys::Object::new();
    let set = |name: &str, f: Box<dyn Fn()>| {
        let closure = Closure::<dyn Fn()>::new(f);
        let _ = js_sys::Reflect::set(&api, &name.into(), closure.as_ref());
        closure.forget();
    };
    set("open", Box::new(move || open.set(true)));
    set("close", Box::new(move || close()));
    set("toggle", Box::new(move || open.update(|o| *o = !*o)));
    set("reset", Box::new(move || reset()));
    let target = host.clone();
    let on = Closure::<dyn Fn(String, js_sys::Function) -> JsValue>::new(
        move |name: String, callback: js_sys::Function| {
            let listener =
                Closure::<dyn Fn(web_sys::CustomEvent)>::new(move |event: web_sys::CustomEvent| {
                    let _ = callback.call1(&JsValue::NULL, &event.detail());
                });
            let function: js_sys::Function = listener
                .as_ref()
                .unchecked_ref::<js_sys::Function>()
                .clone();
            let event = format!("support-widget:{name}");
            let _ = target.add_event_listener_with_callback(&event, &function);
            listener.forget();
            let remove_from = target.clone();
            let off = Closure::<dyn Fn()>::new(move || {
                let _ = remove_from.remove_event_listener_with_callback(&event, &function);
            });
            off.into_js_value()
        },
    );
    let _ = js_sys::Reflect::set(&api, &"on".into(), on.as_ref());
    on.forget();
    // The loader's window.SupportWidget forwards to these; without a loader they are it.
    let _ = js_sys::Reflect::set(host, &"supportWidget".into(), &api);
    if !host.has_attribute("data-sw-loader") {
        let _ = js_sys::Reflect::set(&window, &"SupportWidget".into(), &api);
    }
}
