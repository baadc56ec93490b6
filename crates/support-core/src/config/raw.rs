//! The configuration as its sources give it, before validation.
//!
//! [`RawConfig`] has one field per documented key, in the sources' camelCase, each holding
//! whatever the source gave ([`ConfigValue`]): the page's `window.SupportWidgetConfig` may hold
//! any type, while `data-*` attributes and query parameters are strings
//! ([`RawConfig::from_strings`]). Keys that are not ours are kept in
//! [`RawConfig::unknown`] to be warned about. Sources are combined with [`RawConfig::merge`].

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One configuration value, in the type its source gave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ConfigValue {
    Flag(bool),
    Number(f64),
    Text(String),
    /// A list of strings, for the keys that take one (`starters`).
    List(Vec<String>),
    /// Any other list, or an object: never valid, kept so that the error can name the key.
    Other(Value),
}

impl fmt::Display for ConfigValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigValue::Flag(flag) => write!(f, "{flag}"),
            ConfigValue::Number(number) => write!(f, "{number}"),
            ConfigValue::Text(text) => write!(f, "{text:?}"),
            ConfigValue::List(items) => write!(f, "{items:?}"),
            ConfigValue::Other(value) => write!(f, "{value}"),
        }
    }
}

/// Configuration keys in the form the sources use; absent or `null` is `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RawConfig {
    pub endpoint: Option<ConfigValue>,
    pub model: Option<ConfigValue>,
    pub api_key: Option<ConfigValue>,
    pub orders: Option<ConfigValue>,
    pub require_email: Option<ConfigValue>,
    pub system_prompt: Option<ConfigValue>,
    pub title: Option<ConfigValue>,
    pub greeting: Option<ConfigValue>,
    pub starters: Option<ConfigValue>,
    pub disclaimer: Option<ConfigValue>,
    pub stream: Option<ConfigValue>,
    pub max_tokens: Option<ConfigValue>,
    pub temperature: Option<ConfigValue>,
    pub storage_key: Option<ConfigValue>,
    pub history_ttl_days: Option<ConfigValue>,
    pub first_byte_timeout_ms: Option<ConfigValue>,
    pub idle_timeout_ms: Option<ConfigValue>,
    pub max_stored_messages: Option<ConfigValue>,
    pub locale: Option<ConfigValue>,
    pub position: Option<ConfigValue>,
    pub handoff: Option<ConfigValue>,
    pub return_window_days: Option<ConfigValue>,
    pub customer_email: Option<ConfigValue>,
    /// Read by `loader.js`; the widget itself has no use for it.
    pub preload: Option<ConfigValue>,
    /// Every other key, to warn about (a typo should not pass silently).
    #[serde(flatten)]
    pub unknown: BTreeMap<String, ConfigValue>,
}

impl RawConfig {
    /// A source whose values are all strings (`data-*` attributes, the URL query), as
    /// `(key, value)` pairs with keys already in camelCase ([`key_from_attribute`]). Of a key
    /// given twice, the last value counts.
    pub fn from_strings(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let object: Map<String, Value> = pairs
            .into_iter()
            .map(|(key, value)| (key, Value::String(value)))
            .collect();
        // Every key and every string is accepted, so this cannot fail.
        RawConfig::deserialize(Value::Object(object)).unwrap_or_default()
    }

    /// `self` with every key that `later` gives replaced by `later`'s value.
    pub fn merge(self, later: RawConfig) -> RawConfig {
        let mut unknown = self.unknown;
        unknown.extend(later.unknown);
        RawConfig {
            endpoint: later.endpoint.or(self.endpoint),
            model: later.model.or(self.model),
            api_key: later.api_key.or(self.api_key),
            orders: later.orders.or(self.orders),
            require_email: later.require_email.or(self.require_email),
            system_prompt: later.system_prompt.or(self.system_prompt),
            title: later.title.or(self.title),
            greeting: later.greeting.or(self.greeting),
            starters: later.starters.or(self.starters),
            disclaimer: later.disclaimer.or(self.disclaimer),
            stream: later.stream.or(self.stream),
            max_tokens: later.max_tokens.or(self.max_tokens),
            temperature: later.temperature.or(self.temperature),
            storage_key: later.storage_key.or(self.storage_key),
            history_ttl_days: later.history_ttl_days.or(self.history_ttl_days),
            first_byte_timeout_ms: later.first_byte_timeout_ms.or(self.first_byte_timeout_ms),
            idle_timeout_ms: later.idle_timeout_ms.or(self.idle_timeout_ms),
            max_stored_messages: later.max_stored_messages.or(self.max_stored_messages),
            locale: later.locale.or(self.locale),
            position: later.position.or(self.position),
            handoff: later.handoff.or(self.handoff),
            return_window_days: later.return_window_days.or(self.return_window_days),
            customer_email: later.customer_email.or(self.customer_email),
            preload: later.preload.or(self.preload),
            unknown,
        }
    }
}

/// Maps a `data-*` attribute or query name to its key: `data-api-key`, `api_key` → `apiKey`.
pub fn key_from_attribute(name: &str) -> String {
    let name = name.strip_prefix("data-").unwrap_or(name);
    let mut key = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '-' || c == '_' {
            upper = true;
        } else if upper {
            key.extend(c.to_uppercase());
            upper = false;
        } else {
            key.push(c);
        }
    }
    key
}

/// Keys that are not ours, to warn about.
pub fn unknown_keys(raw: &RawConfig) -> Vec<String> {
    raw.unknown.keys().cloned().collect()
}
