//! The widget's configuration: merged from its sources, validated once, passed explicitly.
//!
//! Sources, later ones winning: `data-*` attributes on the embedding script, the
//! `window.SupportWidgetConfig` object, and (on the demo page only) the URL query. Each is read
//! into a [`RawConfig`] ([`raw`]), and the merged one is validated here into a
//! [`WidgetConfig`]. Attribute and query values arrive as strings and are read as numbers or
//! booleans where the key needs one.

mod raw;

pub use raw::{key_from_attribute, unknown_keys, ConfigValue, RawConfig};

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

impl WidgetConfig {
    /// Validates merged sources.
    pub fn from_raw(raw: &RawConfig) -> Result<Self, ConfigError> {
        let require_email = flag("requireEmail", &raw.require_email)?.unwrap_or(false);
        let position_left = match text("position", &raw.position, 10)?.as_deref() {
            None | Some("right") => false,
            Some("left") => true,
            Some(_) => return Err(problem("position", "must be left or right")),
        };
        let endpoint = match text("endpoint", &raw.endpoint, 500)? {
            Some(url) => http_url("endpoint", &url)?,
            None => DEFAULT_ENDPOINT.to_owned(),
        };
        let orders = match text("orders", &raw.orders, 500)?.as_deref() {
            None | Some("bundled") => OrderSource::Bundled,
            Some(url) => OrderSource::Remote(http_url("orders", url)?),
        };
        Ok(Self {
            settings: settings(raw, require_email)?,
            endpoint,
            api_key: api_key(raw)?,
            orders,
            require_email,
            position_left,
            title: text("title", &raw.title, 80)?,
            greeting: text("greeting", &raw.greeting, 500)?,
            locale: text("locale", &raw.locale, 35)?,
            storage_key: storage_key(raw)?,
            history_ttl_days: number("historyTtlDays", &raw.history_ttl_days, 1.0, 3650.0)?
                .map_or(30, |n| n as u32),
            max_stored_messages: number(
                "maxStoredMessages",
                &raw.max_stored_messages,
                10.0,
                5000.0,
            )?
            .map_or(200, |n| n as usize),
            first_byte_timeout_ms: number(
                "firstByteTimeoutMs",
                &raw.first_byte_timeout_ms,
                1000.0,
                600_000.0,
            )?
            .map_or(30_000, |n| n as u32),
            idle_timeout_ms: number("idleTimeoutMs", &raw.idle_timeout_ms, 1000.0, 600_000.0)?
                .map_or(30_000, |n| n as u32),
            order_timeout_ms: 10_000,
        })
    }

    /// `{endpoint}/chat/completions`.
    pub fn chat_url(&self) -> String {
        format!("{}/chat/completions", self.endpoint)
    }
}

/// The conversation's settings; the email rule joins the prompt when lookups need it.
fn settings(raw: &RawConfig, require_email: bool) -> Result<Settings, ConfigError> {
    let mut settings = Settings {
        model: text("model", &raw.model, 100)?.unwrap_or_else(|| DEFAULT_MODEL.to_owned()),
        system_prompt: text("systemPrompt", &raw.system_prompt, 8_000)?
            .unwrap_or_else(|| DEFAULT_SYSTEM_PROMPT.to_owned()),
        max_tokens: number("maxTokens", &raw.max_tokens, 1.0, 32_768.0)?.map_or(512, |n| n as u32),
        temperature: number("temperature", &raw.temperature, 0.0, 2.0)?,
        stream: flag("stream", &raw.stream)?.unwrap_or(true),
        ..Settings::default()
    };
    if require_email {
        settings.system_prompt.push_str(EMAIL_RULE);
    }
    Ok(settings)
}

/// It goes into an Authorization header: anything but visible ASCII would be refused.
fn api_key(raw: &RawConfig) -> Result<Option<String>, ConfigError> {
    let api_key = text("apiKey", &raw.api_key, 500)?;
    if api_key
        .as_ref()
        .is_some_and(|k| !k.chars().all(|c| c.is_ascii_graphic()))
    {
        return Err(problem("apiKey", "may only hold visible ASCII characters"));
    }
    Ok(api_key)
}

fn storage_key(raw: &RawConfig) -> Result<String, ConfigError> {
    let storage_key =
        text("storageKey", &raw.storage_key, 64)?.unwrap_or_else(|| "support-widget".into());
    if !storage_key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        return Err(problem(
            "storageKey",
            "may only hold letters, digits, '.', '_' and '-'",
        ));
    }
    Ok(storage_key)
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
    if is_path && url.chars().all(|c| c.is_ascii_graphic()) && !url.contains('\\') {
        return Ok(url.trim_end_matches('/').to_owned());
    }
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(|| problem(key, &format!("must be an http(s) URL, not {url:?}")))?;
    if rest.is_empty() || rest.starts_with('/') || url.chars().any(|c| c.is_whitespace()) {
        return Err(problem(key, &format!("is not a valid URL: {url:?}")));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// A non-empty string (surrounding blanks trimmed); absent or `""` is `None`.
fn text(key: &str, value: &Option<ConfigValue>, max: usize) -> Result<Option<String>, ConfigError> {
    match value {
        None => Ok(None),
        Some(ConfigValue::Text(s)) if s.trim().is_empty() => Ok(None),
        Some(ConfigValue::Text(s)) if s.chars().count() > max => {
            Err(problem(key, &format!("is longer than {max} characters")))
        }
        Some(ConfigValue::Text(s)) => Ok(Some(s.trim().to_owned())),
        Some(other) => Err(problem(key, &format!("must be a string, not {other}"))),
    }
}

/// A number from `min` to `max`, or a string that reads as one.
fn number(
    key: &str,
    value: &Option<ConfigValue>,
    min: f64,
    max: f64,
) -> Result<Option<f64>, ConfigError> {
    let n = match value {
        None => return Ok(None),
        Some(ConfigValue::Text(s)) if s.trim().is_empty() => return Ok(None),
        Some(ConfigValue::Number(n)) => Some(*n),
        Some(ConfigValue::Text(s)) => s.trim().parse::<f64>().ok(),
        Some(_) => None,
    };
    match n {
        Some(n) if n.is_finite() && (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(problem(
            key,
            &format!("must be a number from {min} to {max}"),
        )),
    }
}

/// A boolean, or a string that reads as one (`true`, `1`, `yes`, `on` and their opposites).
fn flag(key: &str, value: &Option<ConfigValue>) -> Result<Option<bool>, ConfigError> {
    match value {
        None => Ok(None),
        Some(ConfigValue::Flag(b)) => Ok(Some(*b)),
        Some(ConfigValue::Text(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "" => Ok(None),
            "true" | "1" | "yes" | "on" => Ok(Some(true)),
            "false" | "0" | "no" | "off" => Ok(Some(false)),
            _ => Err(problem(key, "must be true or false")),
        },
        Some(_) => Err(problem(key, "must be true or false")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn raw(value: Value) -> RawConfig {
        serde_json::from_value(value).expect("any object is a raw configuration")
    }

    fn check_err(value: Value, key: &str) {
        let err = WidgetConfig::from_raw(&raw(value)).expect_err("invalid");
        assert_eq!(err.key, key, "{err}");
    }

    #[test]
    fn defaults() {
        let config = WidgetConfig::from_raw(&RawConfig::default()).expect("valid");
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

    /// Regression: `requireEmail`, a documented key, drew an "unknown configuration key" warning.
    #[test]
    fn every_documented_key_is_known() {
        let all = json!({"endpoint": "/v1", "model": "m", "apiKey": "k", "orders": "bundled",
            "requireEmail": true, "systemPrompt": "p", "title": "t", "greeting": "g",
            "stream": true, "maxTokens": 5, "temperature": 1, "storageKey": "s",
            "historyTtlDays": 2, "firstByteTimeoutMs": 1000, "idleTimeoutMs": 1000,
            "maxStoredMessages": 10, "locale": "de", "position": "left", "preload": "hover"});
        let raw = raw(all);
        assert_eq!(unknown_keys(&raw), Vec::<String>::new());
        assert!(WidgetConfig::from_raw(&raw).expect("valid").require_email);
    }

    #[test]
    fn a_list_or_an_object_is_refused_by_its_key() {
        check_err(json!({"title": ["a"]}), "title");
        check_err(json!({"maxTokens": {"n": 1}}), "maxTokens");
        check_err(json!({"stream": [true]}), "stream");
        let err = WidgetConfig::from_raw(&raw(json!({"model": {"id": 1}}))).expect_err("invalid");
        assert_eq!(err.problem, r#"must be a string, not {"id":1}"#);
    }

    #[test]
    fn string_sources_are_read_and_later_sources_win() {
        let attributes = RawConfig::from_strings([
            (key_from_attribute("data-max-tokens"), "64".to_owned()),
            (
                key_from_attribute("data-model"),
                "from-attribute".to_owned(),
            ),
            (key_from_attribute("data-api_key"), "first".to_owned()),
            (key_from_attribute("data-api-key"), "second".to_owned()),
            (key_from_attribute("data-colour"), "red".to_owned()),
        ]);
        assert_eq!(attributes.api_key, Some(ConfigValue::Text("second".into())));
        let page = raw(json!({"model": "from-page", "stream": false, "shape": "round"}));
        let merged = attributes.merge(page);
        assert_eq!(unknown_keys(&merged), ["colour", "shape"]);
        let config = WidgetConfig::from_raw(&merged).expect("valid");
        assert_eq!(
            (config.settings.model.as_str(), config.settings.max_tokens),
            ("from-page", 64)
        );
        assert!(!config.settings.stream);
        assert_eq!(config.api_key.as_deref(), Some("second"));
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
