//! Reads the widget's configuration from the page: `data-*` attributes on the embedding
//! script, `window.SupportWidgetConfig`, and, only on pages that opt in with
//! `<meta name="support-widget-query-overrides" content="on">` (the demo store), the URL query.
//! Validation is the core's (`support_core::config`).
//!
//! `window.SupportWidgetConfig` belongs to a page the widget does not trust: its keys and values
//! are read one by one with `Reflect` (which turns a throwing getter or proxy trap into an
//! error instead of an exception through the wasm), only plain values are kept (strings,
//! numbers, booleans, `null`, and lists of those), and serde-wasm-bindgen converts each. A
//! function, an object or a cycle where a setting belongs is a configuration error naming the
//! key.

use support_core::config::{
    key_from_attribute, unknown_keys, ConfigError, RawConfig, WidgetConfig,
};
use wasm_bindgen::{JsCast, JsValue};

/// The query parameters the demo page may override.
const QUERY_KEYS: &[&str] = &["endpoint", "model", "api_key", "orders", "stream"];

/// Reads and validates the configuration, reporting problems to the console.
pub fn load() -> Result<WidgetConfig, ConfigError> {
    let raw = read_sources()?;
    for key in unknown_keys(&raw) {
        web_sys::console::warn_1(
            &format!("support-widget: unknown configuration key `{key}` is ignored").into(),
        );
    }
    let config = WidgetConfig::from_raw(&raw)?;
    if config.api_key.is_some() && !is_local_page() {
        web_sys::console::warn_1(
            &"support-widget: `apiKey` is set on a public page, where anyone can copy it. \
              Point `endpoint` at your support proxy instead, which keeps the key on the server."
                .into(),
        );
    }
    Ok(config)
}

/// The three sources, later ones winning.
fn read_sources() -> Result<RawConfig, ConfigError> {
    let Some(window) = web_sys::window() else {
        return Ok(RawConfig::default());
    };
    let document = window.document();
    let script = document.as_ref().and_then(|d| {
        d.query_selector(
            "script[data-support-widget], script[src$='/loader.js'], script[src='loader.js']",
        )
        .ok()
        .flatten()
    });
    let attributes = script.map_or_else(Vec::new, |script| {
        let names = script.get_attribute_names();
        names
            .iter()
            .filter_map(|n| n.as_string())
            .filter(|name| name.starts_with("data-") && name != "data-support-widget")
            .filter_map(|name| Some((key_from_attribute(&name), script.get_attribute(&name)?)))
            .collect()
    });
    let mut raw = RawConfig::from_strings(attributes);
    let global =
        js_sys::Reflect::get(&window, &"SupportWidgetConfig".into()).map_err(|_| unreadable())?;
    if !global.is_undefined() && !global.is_null() {
        raw = raw.merge(read_object(&global)?);
    }
    let opted_in = document
        .and_then(|d| {
            d.query_selector("meta[name='support-widget-query-overrides'][content='on']")
                .ok()
                .flatten()
        })
        .is_some();
    if opted_in {
        let search = window.location().search().unwrap_or_default();
        if let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) {
            let query = QUERY_KEYS
                .iter()
                .filter_map(|name| Some((key_from_attribute(name), params.get(name)?)));
            raw = raw.merge(RawConfig::from_strings(query));
        }
    }
    Ok(raw)
}

/// The page's object as a [`RawConfig`]. Its own string keys are read one at a time; a plain
/// copy holding only data is what serde-wasm-bindgen then reads.
fn read_object(object: &JsValue) -> Result<RawConfig, ConfigError> {
    if !object.is_object() || object.is_function() {
        return Err(unreadable());
    }
    // Reflect first: on a revoked proxy it throws, which it catches and Array.isArray does not.
    let keys = js_sys::Reflect::own_keys(object.unchecked_ref()).map_err(|_| unreadable())?;
    if js_sys::Array::is_array(object) {
        return Err(unreadable());
    }
    let copy = js_sys::Object::new();
    for key in keys.iter() {
        // Symbol keys are not settings.
        let Some(name) = key.as_string() else {
            continue;
        };
        let value = js_sys::Reflect::get(object, &key)
            .map_err(|_| problem(&name, "could not be read (its getter threw)"))?;
        match plain_copy(&value) {
            Some(value) => {
                let _ = js_sys::Reflect::set(&copy, &key, &value);
            }
            // Something of the page's own under a key that is not ours: warned about, ignored.
            None if !is_known(&name) => {
                let _ = js_sys::Reflect::set(&copy, &key, &JsValue::NULL);
            }
            None => {
                let expected = "must be a string, a number, a boolean or a list of those";
                return Err(problem(&name, expected));
            }
        }
    }
    serde_wasm_bindgen::from_value(copy.into()).map_err(|e| ConfigError {
        key: "SupportWidgetConfig".into(),
        problem: format!("is unreadable ({e})"),
    })
}

/// True for the keys the widget reads.
fn is_known(key: &str) -> bool {
    let probe = RawConfig::from_strings([(key.to_owned(), String::new())]);
    !probe.unknown.contains_key(key)
}

/// `value` when it is a string, number, boolean or `null`; a fresh array of such values for a
/// list; `None` for anything else (functions, objects, symbols, lists holding them).
fn plain_copy(value: &JsValue) -> Option<JsValue> {
    let primitive =
        |v: &JsValue| v.is_string() || v.as_f64().is_some() || v.as_bool().is_some() || v.is_null();
    if primitive(value) || value.is_undefined() {
        return Some(value.clone());
    }
    if !value.is_object() || value.is_function() {
        return None;
    }
    // A list: read through Reflect too, so a hostile array-like cannot throw through the wasm.
    let length = js_sys::Reflect::get(value, &"length".into())
        .ok()?
        .as_f64()?;
    if !js_sys::Array::is_array(value) || !(0.0..=1000.0).contains(&length) {
        return None;
    }
    let copy = js_sys::Array::new();
    for index in 0..length as u32 {
        let item = js_sys::Reflect::get_u32(value, index).ok()?;
        if !primitive(&item) {
            return None;
        }
        copy.push(&item);
    }
    Some(copy.into())
}

fn problem(key: &str, problem: &str) -> ConfigError {
    ConfigError {
        key: key.to_owned(),
        problem: problem.to_owned(),
    }
}

fn unreadable() -> ConfigError {
    ConfigError {
        key: "SupportWidgetConfig".into(),
        problem: "must be a plain object of settings".into(),
    }
}

fn is_local_page() -> bool {
    let host = web_sys::window()
        .and_then(|w| w.location().hostname().ok())
        .unwrap_or_default();
    matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]" | "::1")
        || host.ends_with(".localhost")
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// A random seed for entry ids and retry jitter.
pub fn random_seed() -> u64 {
    (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64
}
