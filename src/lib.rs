//! support-widget: the browser shell around `support-core`.
//!
//! `config` reads the page's settings, `transport` makes every request (gloo-net), `storage`
//! is the only user of `localStorage`, `orders` runs lookups, `help` searches the help
//! articles, `feedback` sends ratings to the support proxy, `chat` drives the core's
//! conversation, `strings` holds the words in each language, `host` is the page's side (its
//! API and events), and `ui` holds the Leptos components, mounted inside a shadow root of
//! their own.

pub mod chat;
pub mod config;
pub mod feedback;
pub mod handoff;
pub mod help;
pub mod host;
pub mod orders;
pub mod storage;
pub mod strings;
pub mod theme;
pub mod transport;
pub mod ui;

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use web_sys::{CssStyleSheet, Document, HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode};

/// The widget's styles (`src/widget.css`, minified in release builds by `build.rs`); they
/// are put inside its shadow root.
pub const WIDGET_CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/widget.css"));

/// The host element's tag: `support-widget { --support-widget-accent: … }` themes it.
pub const HOST_TAG: &str = "support-widget";

/// Styles on the host element that a store's CSS must not override: hiding it, or giving it a
/// transform or filter that would capture the widget's fixed-position parts.
const HOST_STYLE: &[(&str, &str)] = &[
    ("display", "block"),
    ("position", "static"),
    ("visibility", "visible"),
    ("opacity", "1"),
    ("transform", "none"),
    ("filter", "none"),
    ("perspective", "none"),
    ("contain", "none"),
    ("will-change", "auto"),
    ("zoom", "1"),
];

thread_local! {
    /// The page's widget: kept for as long as the page, until [`unmount`].
    static MOUNTED: RefCell<Option<ui::Mounted>> = const { RefCell::new(None) };
}

/// Reads the configuration and mounts the widget at the end of the page's body; a widget this
/// page already had is unmounted first.
pub fn mount() {
    let config = config::load();
    let Some((element, container)) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| shadow_container(&d))
    else {
        web_sys::console::error_1(&"support-widget: the page has no body to mount into".into());
        return;
    };
    // The customer's language, when it is not English, comes with the widget from loader.js.
    let table = js_sys::Reflect::get(&element, &"supportWidgetStrings".into()).ok();
    if let Some(table) = table.and_then(|t| t.as_string()) {
        if let Err(error) = strings::register(&table) {
            let message = format!("support-widget: the language table is unusable ({error})");
            web_sys::console::error_1(&message.into());
        }
    }
    unmount();
    let widget = ui::mount(&container, config, Some(element.clone()));
    MOUNTED.with(|mounted| *mounted.borrow_mut() = Some(widget));
    remove_placeholder(&element);
}

/// Unmounts the page's widget, if it has one: its view goes, and its effects, listeners and
/// request in flight stop.
pub fn unmount() {
    // Taken out first, so that the widget's cleanups run with nothing borrowed.
    let widget = MOUNTED.with(|mounted| mounted.borrow_mut().take());
    drop(widget);
}

/// The shadow root to draw in: the one `loader.js` made (its placeholder launcher is removed
/// once the widget is drawn), or a new `<support-widget>` at the end of the body. The root
/// gets the widget's styles and a wrapper resetting everything the page would otherwise pass
/// down; returns the host and the wrapper.
pub fn shadow_container(document: &Document) -> Option<(HtmlElement, HtmlElement)> {
    let existing = document
        .query_selector(&format!("{HOST_TAG}[data-sw-loader]"))
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
        .and_then(|host| host.shadow_root().map(|root| (host, root)));
    let (host, root, fresh) = match existing {
        Some((host, root)) => (host, root, false),
        None => {
            let host: HtmlElement = document.create_element(HOST_TAG).ok()?.dyn_into().ok()?;
            for (property, value) in HOST_STYLE {
                host.style()
                    .set_property_with_priority(property, value, "important")
                    .ok()?;
            }
            let root = host
                .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
                .ok()?;
            (host, root, true)
        }
    };
    add_styles(document, &root)?;
    let wrapper: HtmlElement = document.create_element("div").ok()?.dyn_into().ok()?;
    wrapper.set_class_name("sw-shadow");
    root.append_child(&wrapper).ok()?;
    if fresh {
        document.body()?.append_child(&host).ok()?;
    }
    Some((host, wrapper))
}

/// Gives the shadow root the widget's styles: a constructed stylesheet where the browser has
/// them, which a page's Content Security Policy does not need `'unsafe-inline'` for, else a
/// `<style>` element.
fn add_styles(document: &Document, root: &ShadowRoot) -> Option<()> {
    let constructed = js_sys::Reflect::has(root, &"adoptedStyleSheets".into()).unwrap_or(false);
    if constructed {
        if let Ok(sheet) = CssStyleSheet::new() {
            if sheet.replace_sync(WIDGET_CSS).is_ok() {
                // After the loader's sheet, as a later <style> would be.
                let sheets = js_sys::Array::from(&root.adopted_style_sheets());
                sheets.push(&sheet);
                root.set_adopted_style_sheets(&sheets);
                return Some(());
            }
        }
    }
    let style = document.create_element("style").ok()?;
    style.set_text_content(Some(WIDGET_CSS));
    root.append_child(&style).ok()?;
    Some(())
}

/// Removes the loader's placeholder launcher, now that the widget draws its own; keyboard
/// focus on the placeholder moves to the real launcher.
pub fn remove_placeholder(host: &HtmlElement) {
    let Some(root) = host.shadow_root() else {
        return;
    };
    let Some(placeholder) = root.query_selector("[data-sw-placeholder]").ok().flatten() else {
        return;
    };
    let had_focus = root
        .active_element()
        .is_some_and(|active| placeholder.contains(Some(&active)));
    placeholder.remove();
    if had_focus {
        if let Some(launcher) = root
            .query_selector("[data-testid=launcher]")
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<HtmlElement>().ok())
        {
            let _ = launcher.focus();
        }
    }
}
