//! The widget's colours on a store's brand colour: the text colour on the accent, and the
//! accent darkened or lightened where it is read as a foreground (links in replies, the focus
//! ring), for the colour scheme in force. The arithmetic is the core's
//! (`support_core::contrast`); this module reads the page's colour (in any CSS colour syntax,
//! converted to sRGB by the browser's canvas), writes the results as custom properties on the
//! widget's root, which `widget.css` uses, and computes them again when the customer's colour
//! scheme changes and each time the panel opens, so an accent the page changed is followed.

use leptos::html::Div;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use support_core::contrast::{
    foreground_on, foreground_on_all, text_on, Rgb, NON_TEXT_RATIO, TEXT_RATIO,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// The media query of the dark theme in `widget.css`.
const DARK: &str = "(prefers-color-scheme: dark)";

/// One theme's colours, as in `widget.css`.
struct Scheme {
    /// The widget's own accent, used when the page sets none.
    accent: Rgb,
    /// The panel, which the ring and the cards sit on.
    panel: Rgb,
    /// The reply bubble, which links and focused links sit on.
    bubble: Rgb,
    /// The error banner, which Retry's ring sits on.
    error: Rgb,
}

const LIGHT: Scheme = Scheme {
    accent: Rgb(0x24, 0x50, 0xd8),
    panel: Rgb(0xff, 0xff, 0xff),
    bubble: Rgb(0xee, 0xf1, 0xf8),
    error: Rgb(0xfd, 0xec, 0xec),
};
const DARK_SCHEME: Scheme = Scheme {
    accent: Rgb(0x3d, 0x68, 0xe8),
    panel: Rgb(0x17, 0x1b, 0x24),
    bubble: Rgb(0x24, 0x2a, 0x36),
    error: Rgb(0xfd, 0xec, 0xec),
};

/// Keeps `root`'s derived colours right: when it mounts, when the colour scheme changes, and
/// each time the panel opens.
pub fn use_theme(root: NodeRef<Div>, open: RwSignal<bool>) {
    let dark = use_media_query(DARK);
    Effect::new(move |_| {
        dark.track();
        open.track();
        if let Some(root) = root.get() {
            apply(&root, dark.get_untracked());
        }
    });
}

/// Writes `--sw-auto-{text,link,ring}` on `root` for the page's `--support-widget-accent` as it
/// is now (or the theme's default), in the dark theme's surfaces when `dark`.
pub fn apply(root: &HtmlElement, dark: bool) {
    let scheme = if dark { &DARK_SCHEME } else { &LIGHT };
    let accent = page_colour(root, "--support-widget-accent").unwrap_or(scheme.accent);
    let link = foreground_on(accent, scheme.bubble, TEXT_RATIO);
    let surfaces = [scheme.panel, scheme.bubble, scheme.error];
    let ring = foreground_on_all(accent, &surfaces, NON_TEXT_RATIO);
    let style = root.style();
    let _ = style.set_property("--sw-auto-text", &text_on(accent).hex());
    let _ = style.set_property("--sw-auto-link", &link.hex());
    let _ = style.set_property("--sw-auto-ring", &ring.hex());
}

/// True while `query` matches; follows its `change` events until the owner is cleaned up.
pub fn use_media_query(query: &str) -> ReadSignal<bool> {
    let list = web_sys::window().and_then(|w| w.match_media(query).ok().flatten());
    let (matches, set_matches) = signal(list.as_ref().is_some_and(|l| l.matches()));
    if let Some(list) = list {
        let target = list.clone();
        let listener = Closure::<dyn Fn()>::new(move || set_matches.set(target.matches()));
        let function: js_sys::Function = listener.into_js_value().unchecked_into();
        let _ = list.add_event_listener_with_callback("change", &function);
        let kept = SendWrapper::new((list, function));
        on_cleanup(move || {
            let (list, function) = &*kept;
            let _ = list.remove_event_listener_with_callback("change", function);
        });
    }
    matches
}

/// The colour the page gives `property`, as the browser computes it, if it sets one.
fn page_colour(root: &HtmlElement, property: &str) -> Option<Rgb> {
    let window = web_sys::window()?;
    let style = window.get_computed_style(root).ok()??;
    let given = style.get_property_value(property).ok()?;
    if given.trim().is_empty() {
        return None;
    }
    // The browser normalises any colour syntax on a real property: read it back from one.
    let document = root.owner_document()?;
    let probe: HtmlElement = document.create_element("span").ok()?.dyn_into().ok()?;
    let _ = probe.style().set_property("display", "none");
    let _ = probe
        .style()
        .set_property("color", &format!("var({property})"));
    root.append_child(&probe).ok()?;
    let computed = window
        .get_computed_style(&probe)
        .ok()
        .flatten()
        .and_then(|s| s.get_property_value("color").ok());
    probe.remove();
    let computed = computed?;
    Rgb::parse(&computed).or_else(|| to_srgb(&document, &computed))
}

/// Any CSS colour (`oklch()`, `lab()`, `color(display-p3 …)`, which computed styles keep as
/// written) as sRGB bytes: painted on a 1×1 canvas and read back.
fn to_srgb(document: &web_sys::Document, colour: &str) -> Option<Rgb> {
    let canvas: web_sys::HtmlCanvasElement =
        document.create_element("canvas").ok()?.dyn_into().ok()?;
    canvas.set_width(1);
    canvas.set_height(1);
    let context: web_sys::CanvasRenderingContext2d =
        canvas.get_context("2d").ok()??.dyn_into().ok()?;
    context.set_fill_style_str(colour);
    context.fill_rect(0.0, 0.0, 1.0, 1.0);
    let pixel = context.get_image_data(0.0, 0.0, 1.0, 1.0).ok()?.data();
    match pixel.0[..] {
        [r, g, b, _] => Some(Rgb(r, g, b)),
        _ => None,
    }
}
