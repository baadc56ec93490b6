//! The widget's colours on a store's brand colour: the text colour on the accent, and the
//! accent darkened or lightened where it is read as a foreground (links in replies, the focus
//! ring), in the light and the dark theme. The arithmetic is the core's
//! (`support_core::contrast`); this module reads the page's colour and writes the results as
//! custom properties on the widget's root, which `widget.css` uses.

use support_core::contrast::{foreground_on, text_on, Rgb, NON_TEXT_RATIO, TEXT_RATIO};
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// The widget's own accents, used when the page sets none (as in `widget.css`).
const DEFAULT_ACCENT: [Rgb; 2] = [Rgb(0x24, 0x50, 0xd8), Rgb(0x3d, 0x68, 0xe8)];
/// The surfaces the accent is read on, light then dark: the panel and the reply bubble (as in
/// `widget.css`).
const PANEL: [Rgb; 2] = [Rgb(0xff, 0xff, 0xff), Rgb(0x17, 0x1b, 0x24)];
const BUBBLE: [Rgb; 2] = [Rgb(0xee, 0xf1, 0xf8), Rgb(0x24, 0x2a, 0x36)];

/// Writes `--sw-auto-{text,link,ring}-{light,dark}` on `root` for the page's
/// `--support-widget-accent` (or the defaults). A colour the browser gives in a form this
/// cannot read leaves the widget's defaults in place.
pub fn apply(root: &HtmlElement) {
    let page_accent = page_colour(root, "--support-widget-accent");
    for (scheme, i) in [("light", 0), ("dark", 1)] {
        let accent = match &page_accent {
            Some(colour) => *colour,
            None => DEFAULT_ACCENT[i],
        };
        let link = foreground_on(accent, BUBBLE[i], TEXT_RATIO);
        let ring = foreground_on(accent, PANEL[i], NON_TEXT_RATIO);
        let style = root.style();
        let _ = style.set_property(&format!("--sw-auto-text-{scheme}"), &text_on(accent).hex());
        let _ = style.set_property(&format!("--sw-auto-link-{scheme}"), &link.hex());
        let _ = style.set_property(&format!("--sw-auto-ring-{scheme}"), &ring.hex());
    }
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
    Rgb::parse(&computed?)
}
