//! The widget's configuration: merged from its sources, validated once, passed explicitly.
//!
//! Sources, later ones winning: `data-*` attributes on the embedding script, the
//! `window.SupportWidgetConfig` object, and (on the demo page only) the URL query. Each is a
//! map of camelCase keys to JSON values; attribute and query values arrive as strings and are
//! read as numbers or booleans where the key needs one.

use crate::json::{self, Map, Value};

use crate::settings::{Settings, DEFAULT_MODEL, DEFAULT_SYSTEM_PROMPT};

/// The default OpenAI-compatible base URL.
pub const DEFAULT_ENDPOINT: &str = "https://api.oxlo.ai/v1";

/// Added to the system prompt when lookups need the customer's email.
pub const EMAIL_RULE: &str = "\n- To look an order up you also need the email address it was placed with; ask for it if you do not have it.";

/// Where order lookups go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderSource {
    /// The bundled dataset, in the browser.
    Bundled,
    /// `GET {base}/orders/{order_id}` on the store's backend.
    Remote(String),
}

/// A validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct WidgetConfig {
    pub settings: Settings,
    /// Base URL; requests go to `{endpoint}/chat/completions`.
    pub endpoint: String,
    /// For development against a provider directly; production goes through the proxy.
    pub api_key: Option<String>,
    pub orders: OrderSource,
    /// The store's backend checks the customer's email with each lookup.
    pub require_email: bool,
    /// The launcher sits in the bottom-left corner instead of the bottom-right.
    pub position_left: bool,
    /// The panel's title; the language's own when `None`.
    pub title: Option<String>,
    /// The first bubble; the language's own when `None`.
    pub greeting: Option<String>,
    /// A language tag such as `de` or `ar-EG`; the browser's language when `None`.
    pub locale: Option<String>,
    pub storage_key: String,
    pub history_ttl_days: u32,
    pub max_stored_messages: usize,
    pub first_byte_timeout_ms: u32,
    pub idle_timeout_ms: u32,
    pub order_timeout_ms: u32,
}

/// The first problem found in a configuration, naming the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid support widget configuration: `{key}` {problem}")]
pub struct ConfigError {
    pub key: String,
    pub problem: String,
}

/// Configuration keys in the form the sources use.
pub type RawConfig = Map;

const KNOWN_KEYS: &[&str] = &[
    "endpoint",
    "model",
    "apiKey",
    "orders",
    "systemPrompt",
    "title",
    "greeting",
    "stream",
    "maxTokens",
    "temperature",
    "storageKey",
    "historyTtlDays",
    "firstByteTimeoutMs",
    "idleTimeoutMs",
    "maxStoredMessages",
    "locale",
    "position",
    "preload",
];

/// Maps a `data-*` attribute or query name to its key: `data-api-key`, `api_key` → `apiKey`.
pub fn key_from_attribute(name: &str) -> String {
    let name = name.strip_prefix("data-").unwrap_or(name);
    let mut key = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '-' || c == '_' {
            upper = true;
        } else if upper {
            key.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            key.push(c);
        }
    }
    key
}

/// Keys that are not ours, to warn about (a typo should not pass silently).
pub fn unknown_keys(raw: &RawConfig) -> Vec<String> {
    raw.keys()
        .filter(|k| !KNOWN_KEYS.contains(&k.as_str()))
        .cloned()
        .collect()
}

impl WidgetConfig {
    /// Validates merged sources.
    pub fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        let r = Reader(raw);
        let require_email = r.flag("requireEmail")?.unwrap_or(false);
        let position_left = match r.text("position", 10)?.as_deref() {
            None | Some("right") => false,
            Some("left") => true,
            Some(_) => return Err(problem("position", "must be left or right")),
        };
        let mut settings = Settings {
            model: r
                .text("model", 100)?
                .unwrap_or_else(|| DEFAULT_MODEL.to_owned()),
            system_prompt: r
                .text("systemPrompt", 8_000)?
                .unwrap_or_else(|| DEFAULT_SYSTEM_PROMPT.to_owned()),
            max_tokens: r.number("maxTokens", 1, 32_768)?.map_or(512, |n| n as u32),
            temperature: r.number("temperature", 0, 2)?,
            stream: r.flag("stream")?.unwrap_or(true),
            ..Settings::default()
        };
        if require_email {
            settings.system_prompt.push_str(EMAIL_RULE);
        }
        let endpoint = match r.text("endpoint", 500)? {
            Some(url) => http_url("endpoint", &url)?,
            None => DEFAULT_ENDPOINT.to_owned(),
        };
        let orders = match r.text("orders", 500)?.as_deref() {
            None | Some("bundled") => OrderSource::Bundled,
            Some(url) => OrderSource::Remote(http_url("orders", url)?),
        };
        let api_key = r.text("apiKey", 500)?;
        // It goes into an Authorization header: anything but visible ASCII would be refused.
        if api_key
            .as_ref()
            .is_some_and(|k| !k.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(problem("apiKey", "may only hold visible ASCII characters"));
        }
        let storage_key = r
            .text("storageKey", 64)?
            .unwrap_or_else(|| "support-widget".into());
        if !storage_key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        {
            return Err(problem(
                "storageKey",
                "may only hold letters, digits, '.', '_' and '-'",
            ));
        }
        Ok(Self {
            settings,
            endpoint,
            api_key,
            orders,
            require_email,
            position_left,
            title: r.text("title", 80)?,
            greeting: r.text("greeting", 500)?,
            locale: r.text("locale", 35)?,
            storage_key,
            history_ttl_days: r
                .number("historyTtlDays", 1, 3650)?
                .map_or(30, |n| n as u32),
            max_stored_messages: r
                .number("maxStoredMessages", 10, 5000)?
                .map_or(200, |n| n as usize),
            first_byte_timeout_ms: r
                .number("firstByteTimeoutMs", 1000, 600_000)?
                .map_or(30_000, |n| n as u32),
            idle_timeout_ms: r
                .number("idleTimeoutMs", 1000, 600_000)?
                .map_or(30_000, |n| n as u32),
            order_timeout_ms: 10_000,
        })
    }

    /// `{endpoint}/chat/completions`.
    pub fn chat_url(&self) -> String {
        format!("{}/chat/completions", self.endpoint)
    }
}

fn problem(key: &str, problem: &str) -> ConfigError {
    ConfigError {
        key: key.to_owned(),
        problem: problem.to_owned(),
    }
}

/// An absolute `http(s)` URL or a same-origin path such as `/v1`, without a trailing slash.
fn http_url(key: &str, url: &str) -> Result<String, ConfigError> {
    let is_path = url.starts_with('/') && !url.starts_with("//");
    if is_path && url.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') {
        return Ok(url.trim_end_matches('/').to_owned());
    }
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(|| problem(key, &format!("must be an http(s) URL, not \"{url}\"")))?;
    if rest.is_empty() || rest.starts_with('/') || url.chars().any(|c| c.is_whitespace()) {
        return Err(problem(key, &format!("is not a valid URL: \"{url}\"")));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

struct Reader<'a>(&'a RawConfig);

impl Reader<'_> {
    /// A non-empty string (surrounding blanks trimmed); absent, `null` or `""` is `None`.
    fn text(&self, key: &str, max: usize) -> Result<Option<String>, ConfigError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) if s.chars().count() > max => {
                Err(problem(key, &format!("is longer than {max} characters")))
            }
            Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
            Some(other) => Err(problem(key, &format!("must be a string, not {other}"))),
        }
    }

    /// A number within whole-number bounds.
    fn number(&self, key: &str, min: u32, max: u32) -> Result<Option<f64>, ConfigError> {
        let n = match self.0.get(key) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) => json::parse_decimal(s.trim()),
            Some(_) => None,
        };
        match n {
            Some(n) if n.is_finite() && (f64::from(min)..=f64::from(max)).contains(&n) => {
                Ok(Some(n))
            }
            _ => Err(problem(
                key,
                &format!("must be a number from {min} to {max}"),
            )),
        }
    }

    fn flag(&self, key: &str) -> Result<Option<bool>, ConfigError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "" => Ok(None),
                "true" | "1" | "yes" | "on" => Ok(Some(true)),
                "false" | "0" | "no" | "off" => Ok(Some(false)),
                _ => Err(problem(key, "must be true or false")),
            },
            Some(_) => Err(problem(key, "must be true or false")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    fn raw(value: Value) -> RawConfig {
        match value {
            Value::Object(map) => map,
            _ => RawConfig::new(),
        }
    }

    fn check_err(value: Value, key: &str) {
        let err = WidgetConfig::from_raw(&raw(value)).expect_err("invalid");
        assert_eq!(err.key, key, "{err}");
    }

    #[test]
    fn defaults() {
        let config = WidgetConfig::from_raw(&RawConfig::new()).expect("valid");
        assert_eq!(config.chat_url(), "https://api.oxlo.ai/v1/chat/completions");
        assert_eq!(config.settings.model, "llama-3.3-70b");
        assert_eq!(config.settings.max_tokens, 512);
        assert!(config.settings.stream);
        assert_eq!(config.orders, OrderSource::Bundled);
        assert_eq!(
            (config.history_ttl_days, config.max_stored_messages),
            (30, 200)
        );
        assert_eq!(
            (config.first_byte_timeout_ms, config.idle_timeout_ms),
            (30_000, 30_000)
        );
        assert_eq!(config.api_key, None);
        assert!(!config.require_email);
    }

    #[test]
    fn requiring_the_email_adds_a_rule_to_the_prompt() {
        let config = WidgetConfig::from_raw(&raw(json!({"requireEmail": "true"}))).expect("valid");
        assert!(config.require_email);
        assert!(config.settings.system_prompt.ends_with(EMAIL_RULE));
    }

    #[test]
    fn string_values_from_attributes_are_read_as_their_type() {
        let config = WidgetConfig::from_raw(&raw(json!({
            "endpoint": "http://localhost:11434/v1/", "stream": "false", "maxTokens": "1024",
            "temperature": "0.2", "orders": "https://shop.example/api/", "historyTtlDays": 7
        })))
        .expect("valid");
        assert_eq!(config.endpoint, "http://localhost:11434/v1");
        assert!(!config.settings.stream);
        assert_eq!(config.settings.max_tokens, 1024);
        assert_eq!(config.settings.temperature, Some(0.2));
        assert_eq!(
            config.orders,
            OrderSource::Remote("https://shop.example/api".into())
        );
        assert_eq!(config.history_ttl_days, 7);
    }

    #[test]
    fn same_origin_paths_are_allowed() {
        let config = WidgetConfig::from_raw(&raw(json!({"endpoint": "/v1/", "orders": "/v1"})))
            .expect("valid");
        assert_eq!(config.chat_url(), "/v1/chat/completions");
        assert_eq!(config.orders, OrderSource::Remote("/v1".into()));
    }

    #[test]
    fn invalid_values_name_their_key() {
        check_err(json!({"endpoint": "javascript:alert(1)"}), "endpoint");
        check_err(json!({"endpoint": "https://"}), "endpoint");
        check_err(json!({"endpoint": "//evil.example/v1"}), "endpoint");
        check_err(json!({"endpoint": "/v1 x"}), "endpoint");
        check_err(json!({"orders": "ftp://x"}), "orders");
        check_err(json!({"maxTokens": 0}), "maxTokens");
        check_err(json!({"maxTokens": "lots"}), "maxTokens");
        check_err(json!({"temperature": 9}), "temperature");
        check_err(json!({"stream": "maybe"}), "stream");
        check_err(json!({"model": 5}), "model");
        check_err(json!({"storageKey": "a b"}), "storageKey");
        check_err(json!({"apiKey": "sk\u{2011}live"}), "apiKey");
        check_err(json!({"apiKey": "sk live"}), "apiKey");
        check_err(json!({"position": "top"}), "position");
        check_err(json!({"title": "x".repeat(81)}), "title");
    }

    #[test]
    fn attribute_names_become_keys() {
        assert_eq!(key_from_attribute("data-api-key"), "apiKey");
        assert_eq!(key_from_attribute("api_key"), "apiKey");
        assert_eq!(key_from_attribute("data-endpoint"), "endpoint");
        assert_eq!(
            unknown_keys(&raw(json!({"endpoint": "x", "endpiont": "y"}))),
            ["endpiont"]
        );
    }
}
