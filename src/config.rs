//! Reads the widget's configuration from the page: `data-*` attributes on the embedding
//! script, `window.SupportWidgetConfig`, and, only on pages that opt in with
//! `<meta name="support-widget-query-overrides" content="on">` (the demo store), the URL query.
//! Validation is the core's (`support_core::config`).

use support_core::config::{
    key_from_attribute, unknown_keys, ConfigError, RawConfig, WidgetConfig,
};
use support_core::json::{self, Value};

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

fn read_sources() -> Result<RawConfig, ConfigError> {
    let mut raw = RawConfig::new();
    let Some(window) = web_sys::window() else {
        return Ok(raw);
    };
    let document = window.document();
    if let Some(script) = document.as_ref().and_then(|d| {
        d.query_selector(
            "script[data-support-widget], script[src$='/loader.js'], script[src='loader.js']",
        )
        .ok()
        .flatten()
    }) {
        let names = script.get_attribute_names();
        for name in names.iter().filter_map(|n| n.as_string()) {
            if name.starts_with("data-") && name != "data-support-widget" {
                if let Some(value) = script.get_attribute(&name) {
                    raw.insert(key_from_attribute(&name), Value::String(value));
                }
            }
        }
    }
    let global =
        js_sys::Reflect::get(&window, &"SupportWidgetConfig".into()).map_err(|_| unreadable())?;
    if !global.is_undefined() && !global.is_null() {
        // JSON.stringify turns a throwing getter on a hostile page into an error instead of
        // an abort, and leaves functions and symbols out.
        let json = js_sys::JSON::stringify(&global).map_err(|_| unreadable())?;
        // A function or a toJSON() that returns nothing stringifies to undefined, not a string.
        let json = json.as_string().ok_or_else(unreadable)?;
        let Ok(Value::Object(object)) = json::parse(&json) else {
            return Err(unreadable());
        };
        for (key, value) in object {
            raw.insert(key, value);
        }
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
            for name in QUERY_KEYS {
                if let Some(value) = params.get(name) {
                    raw.insert(key_from_attribute(name), Value::String(value));
                }
            }
        }
    }
    Ok(raw)
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
